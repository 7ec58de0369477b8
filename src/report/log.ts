// The one door to the job log. Names, SendGrid's messages, IDs and headers are outside text: a line
// of it that starts with `::` would be a workflow command (::error::, ::add-mask::, ::stop-commands::).
// Every line the action writes goes through here and is made one line first, so no piece of outside
// text can start a line of its own. (The toolkit also escapes annotations and debug lines.)
import * as core from '@actions/core'

type AnnotationProperties = core.AnnotationProperties

/** Line breaks of every kind become a visible ⏎; the rest stays as it was. */
export function oneLine(text: string): string {
  return text.replace(/\r\n|[\r\n\v\f\u0085\u2028\u2029]/g, ' ⏎ ')
}

export const log = {
  info: (text: string): void => core.info(oneLine(text)),
  debug: (text: string): void => core.debug(oneLine(text)),
  notice: (text: string, properties?: AnnotationProperties): void =>
    core.notice(oneLine(text), properties),
  warning: (text: string, properties?: AnnotationProperties): void =>
    core.warning(oneLine(text), properties),
  error: (text: string, properties?: AnnotationProperties): void =>
    core.error(oneLine(text), properties),
  /** Fails the step with this message as an error annotation. */
  fail: (text: string): void => core.setFailed(oneLine(text))
}
