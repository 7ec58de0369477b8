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
