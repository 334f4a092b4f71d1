// A session store with a bug the functional tests cannot see: every closed session is appended to a
// module-level history that nothing ever trims.
const history: Array<{ id: string; user: string; closedAt: number }> = []

export class SessionStore {
  readonly #open = new Map<string, { user: string; openedAt: number }>()
  #next = 0

  open(user: string): string {
    const id = `${user}-${++this.#next}`
    this.#open.set(id, { user, openedAt: Date.now() })
    return id
  }

  close(id: string): void {
    const session = this.#open.get(id)
    if (!session) throw new Error(`no session ${id}`)
    this.#open.delete(id)
    history.push({ id, user: session.user, closedAt: Date.now() }) // the leak
  }

  get size(): number {
    return this.#open.size
  }
}
