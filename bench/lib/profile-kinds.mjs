// Sorts a perf profile's self samples into the kinds of work an HTTP server does, so that two
// servers' profiles can be set side by side in µs per request (the last table of bench/profile.mjs).
// A sample's kind comes from its DSO and symbol (JS frames named by --perf-basic-prof).

import { fileURLToPath } from 'node:url'

// ringpoll's own JS is what runs from this checkout's dist/ (other packages have dist/ folders too).
const ringpollDist = fileURLToPath(new URL('../../dist/', import.meta.url))
const jsKinds = [
  ['ringpoll JS', { test: (sym) => sym.includes(ringpollDist) }],
  ['node:net and stream_base JS', /node:net|node:internal\/stream_base_commons|node:internal\/net/],
  ['node:http JS', /node:_http_|node:http/],
  ['streams and events JS', /node:internal\/streams|node:stream|node:events|node:internal\/event/],
  ['ticks, timers, async hooks JS', /task_queues|timers|async_hooks|node:internal\/process\//],
]
const gc = /Scaveng|MarkCompact|Heap::|Sweeper|Marking|Evacuat|::GC|ConcurrentMarking|MinorMC/

/** The rows' order in the printed table. */
export const kinds = [
  'kernel', 'ringpoll native', ...jsKinds.map(([k]) => k), 'llhttp and its binding', 'GC', 'V8 builtins',
  'other JS (the app, regexps)', 'other user space (node and V8 C++, libc)',
]

/** The kind of one sample, from its DSO and symbol. */
export function kindOf(dso, sym) {
  if (dso === '[kernel.kallsyms]') return 'kernel'
  if (dso === 'ringpoll.node') return 'ringpoll native'
  if (sym.startsWith('JS:') || sym.startsWith('RegExp:')) {
    for (const [kind, re] of jsKinds) if (re.test(sym)) return kind
    return 'other JS (the app, regexps)'
  }
  if (/llhttp|node::\(anonymous namespace\)::Parser/.test(sym)) return 'llhttp and its binding'
  if (sym.startsWith('Builtins_')) return 'V8 builtins'
  if (gc.test(sym)) return 'GC'
  return 'other user space (node and V8 C++, libc)'
}

/** Sample counts by kind, from the lines of `perf report -n --sort dso,sym` ("pct  count  dso  [x] sym"). */
export function samplesByKind(lines) {
  const counts = Object.fromEntries(kinds.map((k) => [k, 0]))
  let total = 0
  for (const line of lines) {
    const m = /^\s*[\d.]+%\s+(\d+)\s+(\S+(?: tid \d+)?)\s+\[.\]\s+(.*)$/.exec(line)
    if (!m) continue
    const n = Number(m[1])
    counts[kindOf(m[2], m[3])] += n
    total += n
  }
  return { counts, total }
}
