// RESULTS.md: a header about the run, the goals table, then one section per scenario ("## <title>").
// A run of some of the scenarios (--only) rewrites theirs and keeps the others' sections and goal
// rows from the file as it was; each rewritten section then says which run it comes from.
import { table } from './markdown.mjs'

const GOALS = '## Goals'
const GOAL_COLUMNS = [{ title: 'goal', align: 'left' }, { title: 'measured', align: 'left' }, { title: 'verdict', align: 'left' }]
const verdict = (met) => (met === null || met === undefined ? 'not measured' : met ? 'met' : '**missed**')

/** A scenario's goal rows are the ones whose text starts with its `goalPrefix`, else its title. */
const prefixOf = (scenario) => scenario.goalPrefix ?? scenario.title

/** The goal rows (table lines) and the sections (title -> text) of an earlier RESULTS.md, or null. */
export function parseResults(text) {
  const at = text.indexOf(`\n${GOALS}\n`)
  if (at === -1) return null
  const lines = text.slice(at + GOALS.length + 2).split('\n')
  let i = 0
  while (i < lines.length && lines[i] === '') i++
  const start = i
  while (i < lines.length && lines[i].startsWith('|')) i++
  const goalRows = lines.slice(start + 2, i)
  const sections = new Map()
  for (const part of lines.slice(i).join('\n').split(/^(?=## )/m)) {
    if (part.startsWith('## ')) sections.set(part.slice(3, part.indexOf('\n')), `${part.trimEnd()}\n`)
  }
  return { goalRows, sections }
}

/** The goal text of a table row written by goalLines(). */
const goalOf = (row) => row.slice(2, row.indexOf(' | '))

/**
 * The whole file. `scenarios` are all the suite's scenario modules in order ({ name, title,
 * goalPrefix? }); `sections` the ones run now ({ name, title, about, charts, markdown, goals });
 * `previous` an earlier file's parseResults() (null for a full run); `provenance` the line that
 * heads each section run now when others are carried over.
 */
export function resultsMarkdown({ header, scenarios, sections, previous, provenance }) {
  const ran = new Map(sections.map((s) => [s.name, s]))
  const goalRows = []
  const blocks = []
  const owned = new Set()
  for (const scenario of scenarios) {
    const section = ran.get(scenario.name)
    const mine = (previous?.goalRows ?? []).filter((row) => goalOf(row).startsWith(prefixOf(scenario)))
    mine.forEach((row) => owned.add(row))
    if (section) {
      goalRows.push(...table(GOAL_COLUMNS, section.goals.map((g) => [g.goal, g.measured, verdict(g.met)])).split('\n').slice(2))
      const from = previous ? `_${provenance}_\n\n` : ''
      blocks.push(`## ${section.title}\n\n${from}${section.about ? `${section.about}\n\n` : ''}${section.charts.map((c) => `![${section.title}](results/${c.name}.svg)\n\n`).join('')}${section.markdown}`)
    } else if (previous?.sections.has(scenario.title)) {
      goalRows.push(...mine)
      blocks.push(previous.sections.get(scenario.title))
    }
  }
  // Rows no scenario claims (a scenario renamed since) stay, rather than vanish unseen.
  goalRows.push(...(previous?.goalRows ?? []).filter((row) => !owned.has(row)))
  const goals = [table(GOAL_COLUMNS, []), ...goalRows].join('\n')
  return `${header}\n${GOALS}\n\n${goals}\n\n${blocks.join('\n')}`
}
