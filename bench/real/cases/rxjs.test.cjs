// rxjs: per call, subscribes a filter/map pipeline to a long-lived Subject, emits, unsubscribes.
const { Subject, filter, map } = require('rxjs')
const { retain } = require('./_shared.cjs')

const events = new Subject()
let total = 0
let n = 0

function call() {
  const subscription = events
    .pipe(
      filter((event) => event.n % 2 === 0),
      map((event) => event.n * 2),
    )
    .subscribe((value) => {
      total += value
    })
  events.next({ n: n++ })
  events.next({ n: n++ })
  subscription.unsubscribe()
  return total & 0xffff
}

test('rxjs: clean', async () => {
  await expect(call).not.toLeak()
})

test('rxjs: leaky', async () => {
  await expect(() => retain(call())).not.toLeak()
})
