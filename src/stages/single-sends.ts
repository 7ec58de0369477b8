// Single Sends (campaigns) are why a segment gets refreshed: this finds the ones the user named, by
// ID or by name, and the ones scheduled to go out soon, and reads which segments each sends to.
// Everything here happens before any refresh: a campaign that cannot be found stops the run.
import { describeInstant, parseTime } from '../time/human-time.js'
import type { Settings } from '../inputs/settings.js'
import { log } from '../report/log.js'
import { accessRefused, LookupError, unknownNameMessage } from './name-match.js'
import type { Pages, SendGridClient } from '../sendgrid/client.js'
import {
  bodyOf200,
  describeFailure,
  shortFormOf,
  singleSendIn,
  type ShortForm,
  type SingleSend
} from '../sendgrid/answers.js'

export type { SingleSend } from '../sendgrid/answers.js'

/** A Single Send this run acts on, and why it refreshes nothing, when it does not. */
export interface ServedSingleSend extends SingleSend {
  nothingToRefresh: string | null
}

const notFound = (problems: string[]): LookupError =>
  new LookupError(
    'Single Send not found',
    problems,
    'Some Single Sends could not be found or read; no segment was refreshed.'
  )

/**
 * The Single Sends given by `single-send-ids` and `single-send-names`, then those scheduled within
 * `single-sends-within-minutes` (soonest first), each once, read in full.
 */
export async function findSingleSends(
  client: SendGridClient,
  settings: Pick<
    Settings,
    'singleSendIds' | 'singleSendNames' | 'singleSendsWithinMs' | 'timeZone'
  >,
  now: number
): Promise<ServedSingleSend[]> {
  const problems: string[] = []
  const ids = [...settings.singleSendIds]
  const add = (id: string): void => {
    if (!ids.includes(id)) ids.push(id)
  }

  if (settings.singleSendNames.length > 0) {
    const all = shortFormsIn(await client.listSingleSends(), 'resolve single-send-names')
    for (const name of settings.singleSendNames) {
      const match = all.find((s) => s.name === name)
      if (match) add(match.id)
      else
        problems.push(
          unknownNameMessage(
            'single-send-names',
            'Single Send',
            name,
            all.map((s) => s.name)
          )
        )
    }
  }

  if (settings.singleSendsWithinMs > 0) {
    const scheduled = shortFormsIn(
      await client.searchSingleSends({ status: ['scheduled'] }),
      'find the Single Sends scheduled soon'
    )
    const due = dueWithin(scheduled, now, settings.singleSendsWithinMs)
    for (const gone of due.goingOut.filter((s) => !ids.includes(s.id))) {
      log.notice(
        `Single Send "${gone.name}" was due ${describeInstant(Date.parse(gone.sendAt!), settings.timeZone, now)} and is going out already; its segments are left alone.`,
        { title: 'Single Send going out already' }
      )
    }
    for (const soon of due.soon) add(soon.id)
    const next = due.later[0]
    if (next) {
      log.info(
        `Single Send "${next.name}" is scheduled later, ${describeInstant(Date.parse(next.sendAt!), settings.timeZone, now)}, after the next ${settings.singleSendsWithinMs / 60_000} minutes (single-sends-within-minutes): it is left alone until a run closer to its send.`
      )
    }
    if (due.soon.length === 0) {
      log.notice(
        `No Single Send is scheduled to go out in the next ${settings.singleSendsWithinMs / 60_000} minutes (single-sends-within-minutes).`,
        { title: 'Nothing scheduled' }
      )
    }
  }

  const reads = await Promise.all(ids.map((id) => client.getSingleSend(id)))
  for (const [index, answer] of reads.entries()) {
    const refused = accessRefused(answer, `read Single Send ${ids[index]}`)
    if (refused) throw refused
  }
  const found: ServedSingleSend[] = []
  ids.forEach((id, index) => {
    const answer = reads[index]
    const body = bodyOf200(answer)
    const singleSend = body === null ? null : singleSendIn(body)
    if (singleSend) found.push(served(singleSend, settings.timeZone, now))
    else if (answer.kind === 'response' && answer.status === 404) {
      problems.push(
        `Input 'single-send-ids': no Single Send has the ID ${id} in this account (reading it answered HTTP 404). Check the ID, the data-residency region and on-behalf-of.`
      )
    } else problems.push(`Could not read Single Send ${id} (${describeFailure(answer)}).`)
  })
  if (problems.length > 0) throw notFound(problems)
  return found
}

/**
 * Scheduled Single Sends whose send time falls between now and `withinMs` from now, soonest first,
 * those whose send time passed within the same span before now (going out already), and those after
 * it (later), soonest first.
 */
export function dueWithin(
  singleSends: Array<Pick<SingleSend, 'id' | 'name' | 'status' | 'sendAt'>>,
  now: number,
  withinMs: number
): { soon: typeof singleSends; goingOut: typeof singleSends; later: typeof singleSends } {
  const timed = singleSends
    .map((s) => ({ singleSend: s, at: scheduledSendTime(s) }))
    .filter((t): t is { singleSend: (typeof singleSends)[number]; at: number } => t.at !== null)
    .sort((a, b) => a.at - b.at)
  return {
    soon: timed.filter(({ at }) => at >= now && at <= now + withinMs).map((t) => t.singleSend),
    goingOut: timed.filter(({ at }) => at < now && at >= now - withinMs).map((t) => t.singleSend),
    later: timed.filter(({ at }) => at > now + withinMs).map((t) => t.singleSend)
  }
}

/** When a scheduled Single Send goes out (ms); null for drafts, triggered ones and unreadable times. */
export function scheduledSendTime(
  singleSend: Pick<SingleSend, 'status' | 'sendAt'>
): number | null {
  return singleSend.status === 'scheduled' ? parseTime(singleSend.sendAt) : null
}

/** Says why a Single Send refreshes nothing, and notes a draft; logs both. */
function served(singleSend: SingleSend, timeZone: string, now: number): ServedSingleSend {
  const label = `Single Send "${singleSend.name}"`
  let nothingToRefresh: string | null = null
  if (singleSend.status === 'triggered') {
    nothingToRefresh = 'it has gone out already (triggered)'
  } else if (singleSend.all) {
    nothingToRefresh = 'it goes to all contacts; only segments can be refreshed'
  } else if (singleSend.segmentIds.length === 0) {
    nothingToRefresh = 'it goes to lists only, which SendGrid does not recompute'
  }
  if (nothingToRefresh) {
    log.notice(`${label} has nothing to refresh: ${nothingToRefresh}.`, {
      title: 'Nothing to refresh'
    })
  } else if (singleSend.status === 'draft') {
    log.info(
      `${label} is a draft, not scheduled; its segments are refreshed because it was asked for.`
    )
  } else if (singleSend.sendAt) {
    log.info(
      `${label} goes out ${describeInstant(Date.parse(singleSend.sendAt), timeZone, now)}, to ${singleSend.segmentIds.length} segment(s).`
    )
  }
  return { ...singleSend, nothingToRefresh }
}

function shortFormsIn(pages: Pages, purpose: string): ShortForm[] {
  if (pages.kind === 'failed') {
    throw (
      accessRefused(pages.answer, `list the account's Single Sends to ${purpose}`) ??
      notFound([
        `Could not list the account's Single Sends to ${purpose} (${describeFailure(pages.answer)}).`
      ])
    )
  }
  return pages.items.flatMap((item) => {
    const parsed = shortFormOf(item)
    return parsed ? [parsed] : []
  })
}
