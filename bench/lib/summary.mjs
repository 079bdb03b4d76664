// From the rounds of one series to table rows: medians per contender, and what went wrong.
import { label } from './contenders.mjs'
import { median } from './stats.mjs'

/**
 * One summary per contender: its label, the median of every numeric field over its runs, the
 * number of runs, and a list of problems (failed rounds, and `problems` the runs reported).
 */
export function summarize(entries) {
  return entries.map((entry) => {
    const fields = new Set(entry.runs.flatMap((run) => Object.keys(run)))
    const medians = {}
    for (const field of fields) {
      if (entry.runs.some((run) => typeof run[field] === 'number')) medians[field] = median(entry.runs.map((run) => run[field]))
    }
    const problems = [
      ...entry.failures,
      ...entry.runs.flatMap((run, i) => (run.problems ?? []).map((p) => `round ${i + 1}: ${p}`)),
    ]
    return {
      name: entry.contender.name,
      label: label(entry.contender, entry.server),
      runs: entry.runs.length,
      unavailable: entry.unavailable,
      problems,
      ...medians,
    }
  })
}

/** The summary of the contender named `name`. */
export const find = (summaries, name) => summaries.find((s) => s.name === name)

/**
 * A row for a contender without figures (not available here, or every round failed): its label
 * and why, in place of the figures.
 */
export function missingRow(summary, width) {
  const why = summary.unavailable ? `not available (${summary.unavailable})` : 'failed (see below)'
  return [summary.label, why, ...Array(width - 2).fill('')]
}

/** Markdown lines naming every problem, under a table; sets a failing exit code when there are any. */
export function problemLines(summaries) {
  const lines = summaries.flatMap((s) => s.problems.map((p) => `- ${s.label}, ${p}`))
  if (lines.length) process.exitCode = 1
  return lines.length ? `\nProblems:\n\n${lines.join('\n')}\n` : ''
}

/** "1.45× (≤ 1.1×: missed)": a ratio judged against a goal. `atMost` says which way is good. */
export function judged(ratio, goal, atMost) {
  if (!Number.isFinite(ratio)) return { met: null, text: '–' }
  const met = atMost ? ratio <= goal : ratio >= goal
  return { met, text: `${ratio.toFixed(2)}× (goal ${atMost ? '≤' : '≥'} ${goal}×: ${met ? 'met' : 'missed'})` }
}
