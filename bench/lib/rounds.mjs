// Alternating rounds: every contender is measured once per round, in turn, so a noisy neighbour on
// the shared machine hurts all of them alike; the scenario reports medians over the rounds.
import { assertAlive, startServer, stopServer } from './processes.mjs'

/**
 * Measures each contender `rounds` times, alternating. Servers start once for the whole series
 * (or once per measurement with `fresh`, for figures a previous run would skew, such as memory);
 * `warmup(server)`, when given, runs once per server before the first round and is not measured.
 * Returns one entry per contender: { contender, server, runs, failures, unavailable }. A contender
 * that fails (does not start, dies, errs) is recorded and the others go on; one that carries
 * `unavailable` (a peer that is not installed) is not started.
 */
export async function alternate(contenders, { rounds, measure, warmup, fresh = false }) {
  const entries = contenders.map((contender) => ({ contender, runs: [], failures: [] }))
  const start = async (entry) => {
    if (entry.contender.unavailable) {
      entry.unavailable = entry.contender.unavailable
      return
    }
    try {
      entry.server = await startServer(entry.contender)
      if (warmup) await warmup(entry.server, entry.contender)
    } catch (err) {
      if (err.unavailable) entry.unavailable = err.unavailable
      else entry.failures.push(`start: ${err.message}`)
      if (entry.server) await stopServer(entry.server)
      entry.server = undefined
    }
  }
  const measureOnce = async (entry, round) => {
    try {
      assertAlive(entry.server)
      const run = await measure(entry.server, entry.contender)
      assertAlive(entry.server)
      entry.runs.push(run)
    } catch (err) {
      entry.failures.push(`round ${round + 1}: ${err.message}`)
    }
  }
  try {
    if (!fresh) for (const entry of entries) await start(entry)
    for (let round = 0; round < rounds; round++) {
      for (const entry of entries) {
        if (entry.unavailable) continue
        if (fresh) await start(entry)
        if (entry.server) await measureOnce(entry, round)
        if (fresh && entry.server) await stopServer(entry.server)
      }
      if (!fresh && entries.every((e) => !e.server)) break
    }
  } finally {
    await Promise.all(entries.map((e) => e.server && stopServer(e.server)))
  }
  return entries
}
