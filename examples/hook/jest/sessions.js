// A session store with a bug the functional tests cannot see: every closed session is appended to a
// module-level history that nothing ever trims.
const history = []

class SessionStore {
  #open = new Map()
  #next = 0

  open(user) {
    const id = `${user}-${++this.#next}`
    this.#open.set(id, { user, openedAt: Date.now() })
    return id
  }

  close(id) {
    const session = this.#open.get(id)
    if (!session) throw new Error(`no session ${id}`)
    this.#open.delete(id)
    history.push({ id, user: session.user, closedAt: Date.now() }) // the leak
  }

  get size() {
    return this.#open.size
  }
}

module.exports = { SessionStore }
