// Markdown tables. A column is { title, align: 'left' | 'right' }; a row is a list of cell strings.

export function table(columns, rows) {
  const head = `| ${columns.map((c) => c.title).join(' | ')} |`
  const rule = `| ${columns.map((c) => (c.align === 'left' ? '---' : '---:')).join(' | ')} |`
  const body = rows.map((row) => `| ${row.map((cell) => String(cell).replaceAll('|', '\\|')).join(' | ')} |`)
  return [head, rule, ...body].join('\n')
}
