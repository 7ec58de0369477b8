// What is wrong with the inputs, said before any request: the input, the value given, and why.

/** One bad input: which input, the value given, and what is wrong with it. */
export class InputProblem {
  constructor(
    readonly input: string,
    readonly value: string,
    readonly reason: string
  ) {}

  toString(): string {
    return `Input '${this.input}' has an invalid value ${JSON.stringify(this.value)}: ${this.reason}`
  }
}

export class InvalidInputsError extends Error {
  constructor(readonly problems: InputProblem[]) {
    super(problems.map(String).join('\n'))
    this.name = 'InvalidInputsError'
  }
}

/** The inputs that name what to refresh; a run needs at least one of them. */
export const segmentSources = [
  'segment-ids',
  'segment-names',
  'single-send-ids',
  'single-send-names',
  'single-sends-within-minutes'
]

/** No input names anything to refresh: not a bad value, but a missing one, said as such. */
export class NoSegmentsGiven extends InputProblem {
  constructor() {
    super(
      segmentSources.join(', '),
      '',
      `give at least one of ${segmentSources.slice(0, -1).join(', ')} or ${segmentSources.at(-1)}`
    )
  }

  override toString(): string {
    return `No segment to refresh: ${this.reason}.`
  }
}
