/**
 * The count schedule with real resources: servers, sockets, files and timers per call are decided as
 * counts within the first 64 calls, a call that fails after steady count growth is a leak that names
 * the failure, what leaked is released (unless `release: false`), and clean twins that release late
 * stay clean. Comparisons are relative (leaky vs clean, calls against the schedule), never absolute bytes.
 */
import { closeSync, openSync } from 'node:fs'
import net from 'node:net'
import { afterAll, describe, expect, test } from 'vitest'
import { formatLeak } from '../../src/message/format.js'
import { measureLeaks } from '../../src/index.js'

const LOOPBACK = `127.${(process.pid >> 8) & 255}.${process.pid & 255}.${7}`
const kept: Array<{ close?: () => void }> = []
const keptFds: number[] = []
afterAll(() => {
  for (const item of kept) item.close?.()
  for (const fd of keptFds) {
    try {
      closeSync(fd)
    } catch {
      // released by leakspec already
    }
  }
})

function listen(server: net.Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, LOOPBACK, () => resolve())
  })
}

/** Whether a new server can listen and a file can be opened (the next test is not poisoned). */
async function canOpenAgain(): Promise<boolean> {
  const fd = openSync('/dev/null', 'r')
  closeSync(fd)
  const server = net.createServer()
  await listen(server)
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return true
}

describe('resource leaks are decided as counts', () => {
  test('a server kept per call is a leak by call 64, released afterwards', async () => {
    const report = await measureLeaks(async () => {
      const server = net.createServer()
      kept.push(server)
      await listen(server)
    })
    expect(report.verdict).toBe('leak')
    if (report.verdict !== 'leak') return
    expect(report.decidedBy).toBe('counts')
    expect(report.calls).toBeLessThanOrEqual(64)
    expect(report.leaks.map((signal) => signal.key)).toContain('handles:TCPServerWrap')
    const servers = report.leaks.find((signal) => signal.key === 'handles:TCPServerWrap')!
    expect(servers.perCall).toBeCloseTo(1, 1)
    // Every server the check and its stack pass opened was closed again.
    expect(report.released?.['handles:TCPServerWrap']).toBeGreaterThanOrEqual(report.calls)
    const message = formatLeak(report, 'hint')
    expect(message).toMatch(/^  after call +0 +1 +2 +4 +8 +16 +32/m)
    expect(message).toMatch(/Released after the verdict, so that the next test can open and connect again: \d+ TCPServerWrap handles/)
    expect(await canOpenAgain()).toBe(true)
  })

  test('a file descriptor kept per call is a leak by call 64; the fds are closed afterwards', async () => {
    const report = await measureLeaks(() => {
      keptFds.push(openSync('/dev/null', 'r'))
    })
    expect(report.verdict).toBe('leak')
    if (report.verdict !== 'leak') return
    expect(report.decidedBy).toBe('counts')
    expect(report.calls).toBeLessThanOrEqual(64)
    expect(report.leaks.map((signal) => signal.key)).toEqual(['fds:file'])
    expect(report.released?.['fds:file']).toBeGreaterThanOrEqual(report.calls)
  })

  test('a connection kept per call to a server of this process: after the release, the server can close', async () => {
    // Both ends leak (the client's socket and the server's accepted end). The server's ends must be
    // counted out by the release, else `server.close()` would wait for them forever.
    const server = net.createServer((socket) => socket.on('error', () => {}))
    await listen(server)
    const { port } = server.address() as net.AddressInfo
    const sockets: net.Socket[] = []
    const report = await measureLeaks(
      () =>
        new Promise<void>((resolve, reject) => {
          const socket = net.createConnection({ host: LOOPBACK, port }, () => resolve())
          socket.once('error', reject)
          sockets.push(socket)
        }),
    )
    expect(report.verdict).toBe('leak')
    if (report.verdict !== 'leak') return
    expect(report.decidedBy).toBe('counts')
    expect(report.released?.['handles:TCPSocketWrap']).toBeGreaterThanOrEqual(2 * report.calls)
    const closed = await Promise.race([
      new Promise<string>((resolve) => server.close(() => resolve('closed'))),
      new Promise<string>((resolve) => setTimeout(() => resolve('still waiting after 5 s'), 5000)),
    ])
    expect(closed).toBe('closed')
    expect(await canOpenAgain()).toBe(true)
  })

  test('release: false keeps what leaked open', async () => {
    const before = kept.length
    const report = await measureLeaks(
      () => {
        kept.push(setInterval(() => {}, 60_000) as unknown as { close: () => void })
      },
      { release: false },
    )
    expect(report.verdict).toBe('leak')
    if (report.verdict !== 'leak') return
    expect(report.released).toBeUndefined()
    const timers = kept.slice(before) as unknown as NodeJS.Timeout[]
    expect(timers.every((timer) => timer.hasRef())).toBe(true)
    for (const timer of timers) clearInterval(timer)
  })

  test('a server closed on the next turn stays clean, and never piles up open servers', async () => {
    let open = 0
    let most = 0
    const report = await measureLeaks(async () => {
      const server = net.createServer()
      await listen(server)
      open++
      most = Math.max(most, open)
      setImmediate(() => server.close(() => open--))
    })
    expect(report.verdict, report.reason).toBe('clean')
    // The event loop turns between calls, so deferred closes run: a handful open at once, not a round's worth.
    expect(most).toBeLessThan(64)
    expect(report.calls).toBeGreaterThan(10 * most)
  })
})

describe('evidence survives the failure it causes', () => {
  test('a pool whose connections are never released: the call that waits forever is explained by the counts', async () => {
    const server = net.createServer((socket) => socket.on('error', () => {}))
    await listen(server)
    const { port } = server.address() as net.AddressInfo
    const max = 5
    const pool: net.Socket[] = []
    const acquire = (): Promise<net.Socket> =>
      pool.length >= max
        ? new Promise(() => {}) // waits for a release that never comes
        : new Promise((resolve, reject) => {
            const socket = net.connect(port, LOOPBACK, () => resolve(socket))
            socket.once('error', reject)
            pool.push(socket)
          })
    const report = await measureLeaks(async () => {
      await acquire()
    }, { callTimeout: 300 })
    expect(report.verdict).toBe('leak')
    if (report.verdict !== 'leak') return
    expect(report.decidedBy).toBe('failure')
    expect(report.failure).toMatchObject({ call: max + 1, code: 'CALL_TIMEOUT' })
    expect(report.leaks.map((signal) => signal.key)).toContain('handles:TCPSocketWrap')
    expect(report.reason).toMatch(/^calls 1–5 each left resources open \(.*handles:TCPSocketWrap 2 per call, 10 in all.*\), then call 6 never settled/)
    expect(formatLeak(report, 'hint')).toMatch(/a pool whose connections are never released/)
    server.close()
  })

  test('a call that throws once the calls before it used up a limit fails as the leak, naming the error', async () => {
    const opened: number[] = []
    const report = await measureLeaks(() => {
      if (opened.length >= 20) throw Object.assign(new Error('EMFILE: too many open files, open'), { code: 'EMFILE' })
      opened.push(openSync('/dev/null', 'r'))
    })
    for (const fd of opened) {
      try {
        closeSync(fd)
      } catch {
        // released already
      }
    }
    expect(report.verdict).toBe('leak')
    if (report.verdict !== 'leak') return
    expect(report.decidedBy).toBe('failure')
    expect(report.failure).toMatchObject({ call: 21, code: 'FN_THREW' })
    expect(report.failure?.message).toMatch(/EMFILE/)
    expect(formatLeak(report, 'hint')).toMatch(/ran out of file descriptors \(EMFILE\)/)
  })

  test('a call that throws with nothing grown before it stays a check error, not a leak', async () => {
    let calls = 0
    await expect(
      measureLeaks(() => {
        if (++calls > 20) throw new Error('boom')
      }),
    ).rejects.toMatchObject({ name: 'LeakCheckError', code: 'FN_THREW', call: 21 })
  })
})
