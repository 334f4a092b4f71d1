/**
 * A tiny request client with a classic bug: it remembers every in-flight request so it can cancel
 * them, but forgets to remove a request when it completes.
 */
export interface Request {
  readonly id: number
  readonly path: string
  readonly startedAt: number
}

export function createClient(options: { fixed?: boolean } = {}) {
  const inFlight = new Map<number, Request>()
  let nextId = 0
  return {
    async request(path: string): Promise<string> {
      const request: Request = { id: nextId++, path, startedAt: Date.now() }
      inFlight.set(request.id, request)
      try {
        await Promise.resolve() // stands in for the network round trip
        return `pong ${path}`
      } finally {
        if (options.fixed) inFlight.delete(request.id) // the fix
      }
    },
    cancelAll(): void {
      inFlight.clear()
    },
  }
}

/** Polls `path` every `ms` milliseconds until `stop()` is called. */
export function startPolling(client: ReturnType<typeof createClient>, path: string, ms: number) {
  const timer = setInterval(() => void client.request(path), ms)
  return { stop: () => clearInterval(timer) }
}
