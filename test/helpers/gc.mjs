// Garbage collection on demand, to check that objects are let go of (no --expose-gc needed).
import v8 from 'node:v8'
import vm from 'node:vm'

v8.setFlagsFromString('--expose-gc')
export const gc = vm.runInNewContext('gc')

/** Counts how many of the objects handed to track() are still alive after a full collection. */
export function liveCounter() {
  let live = 0
  const registry = new FinalizationRegistry(() => live--)
  return {
    track(obj) {
      live++
      registry.register(obj, null)
    },
    async live() {
      // Finalizers run in a later task: collect, yield, repeat until the count settles.
      for (let i = 0; i < 10; i++) {
        gc()
        await new Promise((resolve) => setImmediate(resolve))
      }
      return live
    },
  }
}
