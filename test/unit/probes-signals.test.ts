import { EventEmitter } from 'node:events'
import { afterAll, afterEach, describe, expect, test } from 'vitest'
import { measureLeaks } from '../../src/index.js'
import { fdKind, createFdsProbe } from '../../src/core/probes/fds.js'
import { ListenerTracker } from '../../src/core/probes/listeners.js'
import { canonicalResourceType, createResourcesProbe } from '../../src/core/probes/resources.js'
import { resolveOptions } from '../../src/core/options.js'
import { formatLeak } from '../../src/message/format.js'
import { groupStacks, parseStack } from '../../src/diagnose/stacks.js'
import { cleanup } from '../fixtures/resources/cases.js'

const kept: unknown[] = []
const timers: NodeJS.Timeout[] = []
afterEach(async () => {
  kept.length = 0
  for (const timer of timers.splice(0)) clearInterval(timer)
  await cleanup()
})
afterAll(cleanup)

const leakKeys = (report: Awaited<ReturnType<typeof measureLeaks>>): string[] =>
  report.verdict === 'leak' ? report.leaks.map((signal) => signal.key) : []

describe('naming', () => {
  test('fd link targets map to kinds', () => {
    expect(fdKind('socket:[13503]')).toBe('socket')
    expect(fdKind('pipe:[13495]')).toBe('pipe')
    expect(fdKind('anon_inode:[eventfd]')).toBe('anon_inode')
    expect(fdKind('/etc/hostname')).toBe('file')
    expect(fdKind('/dev/null')).toBe('file')
    expect(fdKind('net:[4026531992]')).toBe('other')
  })

  test('async_hooks types are reported as getActiveResourcesInfo() spells them', () => {
    expect(canonicalResourceType('TCPWRAP')).toBe('TCPSocketWrap')
    expect(canonicalResourceType('FILEHANDLE')).toBe('FileHandle')
    expect(canonicalResourceType('Timeout')).toBe('Timeout')
    expect(canonicalResourceType('SOMETHINGNEW')).toBe('SOMETHINGNEW')
  })
})

describe('handles through async_hooks', () => {
  test("an unref'd timer is counted by the hook and not by getActiveResourcesInfo()", async () => {
    const withHooks = createResourcesProbe()
    const without = createResourcesProbe({ asyncHooks: false })
    withHooks.start?.()
    without.start?.()
    try {
      timers.push(setInterval(() => {}, 60_000).unref(), setInterval(() => {}, 60_000).unref())
      expect(withHooks.read()['Timeout']).toBe(2)
      expect(without.read()['Timeout'] ?? 0).toBe(0)
    } finally {
      withHooks.stop?.()
      without.stop?.()
    }
  })

  test('a cleared timer is not counted even before its destroy hook runs', () => {
    const probe = createResourcesProbe()
    probe.start?.()
    try {
      clearTimeout(setTimeout(() => {}, 60_000))
      timers.push(setInterval(() => {}, 60_000))
      expect(probe.read()['Timeout']).toBe(1)
    } finally {
      probe.stop?.()
    }
  })

  test("with asyncHooks: false an unref'd interval per call is not a handle leak (it still holds heap)", async () => {
    const report = await measureLeaks(() => {
      timers.push(setInterval(() => {}, 60_000).unref())
    }, { asyncHooks: false })
    expect(leakKeys(report)).not.toContain('handles:Timeout')
    expect(leakKeys(report)).toContain('heap')
  })
})

describe('file descriptors', () => {
  test('the probe counts fds by kind on Linux', () => {
    const probe = createFdsProbe()
    expect(probe.unavailable).toBeUndefined()
    const counts = probe.read()
    expect(Object.values(counts).reduce((sum, count) => sum + count, 0)).toBeGreaterThan(2)
  })

  test('elsewhere the fd signal is unavailable, reported as such and never read', async () => {
    const platform = Object.getOwnPropertyDescriptor(process, 'platform')!
    Object.defineProperty(process, 'platform', { ...platform, value: 'darwin' })
    try {
      const probe = createFdsProbe()
      expect(probe.unavailable).toMatch(/only counted on Linux \(this is darwin\)/)
      const report = await measureLeaks(() => {}, { callsPerRound: 4 })
      expect(report.unavailable).toEqual({ fds: expect.stringMatching(/Linux/) })
      expect(report.signals.some((signal) => signal.key.startsWith('fds:'))).toBe(false)
    } finally {
      Object.defineProperty(process, 'platform', platform)
    }
  })
})

describe('listeners', () => {
  const methods = (proto: object, names: string[]) =>
    Object.fromEntries(names.map((name) => [name, Object.getOwnPropertyDescriptor(proto, name)]))
  const eeNames = ['on', 'addListener', 'prependListener', 'once', 'prependOnceListener', 'off', 'removeListener', 'removeAllListeners']
  const etNames = ['addEventListener', 'removeEventListener']

  test('the prototypes are patched only while a check runs and restored exactly, also when fn throws', async () => {
    const ee = methods(EventEmitter.prototype, eeNames)
    const et = methods(EventTarget.prototype, etNames)
    let during: unknown
    await expect(
      measureLeaks(() => {
        during = EventEmitter.prototype.on
        throw new Error('boom')
      }),
    ).rejects.toThrow(/threw on call 1/)
    expect(during).not.toBe(ee['on']!.value)
    expect(methods(EventEmitter.prototype, eeNames)).toEqual(ee)
    expect(methods(EventTarget.prototype, etNames)).toEqual(et)
    for (const name of eeNames) expect((EventEmitter.prototype as unknown as Record<string, unknown>)[name]).toBe(ee[name]!.value)
  })

  test('a wrapper installed on top of ours during the check is left in place', async () => {
    const original = EventEmitter.prototype.on
    let theirs: typeof original | undefined
    try {
      await measureLeaks(() => {
        if (theirs) return
        const ours = EventEmitter.prototype.on
        theirs = function (this: EventEmitter, ...args: Parameters<typeof original>) {
          return ours.apply(this, args)
        } as typeof original
        EventEmitter.prototype.on = theirs
      }, { callsPerRound: 4, listeners: true })
      expect(EventEmitter.prototype.on).toBe(theirs)
    } finally {
      EventEmitter.prototype.on = original
    }
  })

  test('listeners on emitters that are collected do not count; net of removals per event name', async () => {
    const tracker = new ListenerTracker()
    const longLived = new EventEmitter()
    tracker.start()
    try {
      longLived.on('data', () => {})
      // A target is tracked once it gets listeners again after a GC it survived (WeakRefs made in
      // this job are kept until it ends, hence the turn).
      await new Promise((resolve) => setImmediate(resolve))
      globalThis.gc!()
      longLived.on('data', () => {})
      tracker.counts() // baseline for 'data' on this emitter
      for (let i = 0; i < 3; i++) longLived.on('data', () => {})
      const removed = () => {}
      longLived.on('data', removed)
      longLived.off('data', removed)
      longLived.once('end', () => {})
      tracker.counts() // baseline for 'end'
      longLived.emit('end')
      expect(tracker.counts()).toEqual({ data: 3, end: -1 })
      // A second target with growing 'data' listeners counts while it lives, not after it is collected.
      let temporary: EventEmitter | undefined = new EventEmitter()
      temporary.on('data', () => {})
      await new Promise((resolve) => setImmediate(resolve))
      globalThis.gc!()
      temporary.on('data', () => {})
      tracker.counts()
      temporary.on('data', () => {})
      temporary.on('data', () => {})
      expect(tracker.counts()).toEqual({ data: 5, end: -1 })
      temporary = undefined
      await new Promise((resolve) => setImmediate(resolve))
      globalThis.gc!()
      expect(tracker.counts()).toEqual({ data: 3, end: -1 })
    } finally {
      tracker.stop()
    }
  })

  test('a new emitter per call with a listener, dropped, is clean (heap included)', async () => {
    const report = await measureLeaks(() => {
      const emitter = new EventEmitter()
      emitter.on('data', () => {})
      return emitter.listenerCount('data')
    })
    expect(report.verdict, report.reason).toBe('clean')
  })
})

describe('ignore rules', () => {
  test('ignoreTypes keeps a handle type out and the report says how many were ignored', async () => {
    const report = await measureLeaks(() => {
      timers.push(setInterval(() => {}, 60_000))
    }, { ignoreTypes: ['Timeout'] })
    expect(leakKeys(report)).not.toContain('handles:Timeout')
    // One timer per call, counted from the count baseline before the first call: every call's.
    expect(report.ignored?.['ignoreTypes: Timeout (handles)']).toBe(report.calls)
    if (report.verdict === 'leak') expect(formatLeak(report, 'hint')).toMatch(/Ignored \d+ items by ignoreTypes: Timeout \(handles\)/)
  })

  test('ignoreEvents keeps an event name out', async () => {
    const bus = new EventEmitter()
    bus.setMaxListeners(0)
    const report = await measureLeaks(() => {
      bus.on('tick', () => {})
    }, { ignoreEvents: ['tick'] })
    expect(leakKeys(report)).not.toContain('listeners:tick')
    // Every call's listener but the first two: the emitter is tracked from the first add after a full GC
    // it survived (the GC after call 1), and its baseline for 'tick' is taken at the next reading (call 2).
    expect(report.ignored?.['ignoreEvents: tick (listeners)']).toBe(report.calls - 2)
    bus.removeAllListeners()
  })

  test('ignoreStacks drops a resource signal whose every leaked item matches, and says so', async () => {
    const bus = new EventEmitter()
    bus.setMaxListeners(0)
    const leaky = () => {
      bus.on('tick', () => {})
    }
    const plain = await measureLeaks(leaky)
    expect(leakKeys(plain)).toContain('listeners:tick')
    const ignored = await measureLeaks(leaky, { ignoreStacks: [/probes-signals\.test\.ts/] })
    expect(leakKeys(ignored)).not.toContain('listeners:tick')
    const rule = Object.keys(ignored.ignored ?? {}).find((key) => key.startsWith('ignoreStacks: /probes-signals'))
    expect(rule, JSON.stringify(ignored.ignored)).toBeDefined()
    expect(ignored.ignored![rule!]).toBe(4)
    bus.removeAllListeners()
  })

  test('ignore options are validated with the fix', () => {
    expect(() => resolveOptions({ ignoreTypes: 'Timeout' }, undefined, 'toLeak')).toThrowError(
      new TypeError(
        'leakspec: toLeak option `ignoreTypes` must be an array of string values; received "Timeout" (string). ' +
          "Fix: pass for example { ignoreTypes: ['Timeout'] }, or leave it out for the default ([]).",
      ),
    )
    expect(() => resolveOptions({ ignoreStacks: ['ok', 3] })).toThrowError(/`ignoreStacks` must be an array of string or RegExp values \(non-empty strings\); item 1 is 3 \(number\)/)
    expect(resolveOptions({ ignoreEvents: ['data', Symbol.for('x')] }).ignoreEvents).toHaveLength(2)
  })

  test('each signal can be switched off', async () => {
    const bus = new EventEmitter()
    bus.setMaxListeners(0)
    const report = await measureLeaks(() => {
      bus.on('tick', () => {})
    }, { listeners: false, handles: false, fds: false })
    expect(report.signals.map((signal) => signal.key)).toEqual(['heap'])
    bus.removeAllListeners()
  })
})

describe('stacks', () => {
  const stack = [
    'Error: resource created',
    '    at AsyncHook.init (/pkg/node_modules/leakspec/dist/index.js:10:5)',
    '    at emitInitNative (node:internal/async_hooks:202:43)',
    '    at new Timeout (node:internal/timers:185:5)',
    '    at setInterval (node:timers:214:20)',
    `    at leaky (${process.cwd()}/test/app/cache.ts:12:7)`,
    `    at async run (${process.cwd()}/test/app/cache.test.ts:40:3)`,
    '    at file:///pkg/node_modules/@vitest/runner/dist/index.js:1:1',
  ].join('\n')

  test('frames are classified user, node, node_modules', () => {
    expect(parseStack(stack).map((frame) => frame.origin)).toEqual([
      'node_modules',
      'node',
      'node',
      'node',
      'user',
      'user',
      'node_modules',
    ])
  })

  test('stacks are grouped by their first user frame, counted, internals folded', () => {
    const other = stack.replace('cache.ts:12:7', 'cache.ts:30:1')
    const groups = groupStacks([stack, stack, other])
    expect(groups).toEqual([
      {
        count: 2,
        frames: ['at leaky (test/app/cache.ts:12:7)', 'at async run (test/app/cache.test.ts:40:3)'],
        folded: { node: 3, node_modules: 2, leakspec: 0 },
      },
      {
        count: 1,
        frames: ['at leaky (test/app/cache.ts:30:1)', 'at async run (test/app/cache.test.ts:40:3)'],
        folded: { node: 3, node_modules: 2, leakspec: 0 },
      },
    ])
  })
})
