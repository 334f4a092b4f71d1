/**
 * Bookkeeping for ignore rules: how many items a rule kept out of a probe's counts, as growth from
 * the first reading to the latest one (items that were already there when the check began are not
 * the check's business).
 */

/** Counts of ignored items by name, reading by reading. */
export class IgnoredTally {
  readonly #rule: string
  #first: Readonly<Record<string, number>> | undefined
  #latest: Readonly<Record<string, number>> = {}

  /** @param rule the option name shown in messages, for example `ignoreTypes` */
  constructor(rule: string) {
    this.#rule = rule
  }

  /** Records the ignored items of one reading (name → live count). */
  observe(counts: Readonly<Record<string, number>>): void {
    if (this.#first === undefined) this.#first = counts
    this.#latest = counts
  }

  /** Growth since the first reading, keyed `<rule>: <name>`; names that did not grow are left out. */
  growth(): Record<string, number> {
    const result: Record<string, number> = {}
    const first = this.#first ?? {}
    for (const [name, count] of Object.entries(this.#latest)) {
      const grown = count - (first[name] ?? 0)
      if (grown > 0) result[`${this.#rule}: ${name}`] = grown
    }
    return result
  }
}
