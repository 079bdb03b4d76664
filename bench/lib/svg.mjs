// A grouped bar chart as a standalone SVG string: one group of bars per load, one bar (and one
// legend entry) per contender. Missing values (NaN) leave a gap.

const COLOURS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#9c755f']
const escape = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c])

/** A round axis maximum and tick step (1, 2 or 5 × a power of ten) above `max`. */
function axis(max) {
  if (!(max > 0)) return { top: 1, step: 0.25 }
  const rough = max / 5
  const power = 10 ** Math.floor(Math.log10(rough))
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough)
  return { top: Math.ceil(max / step) * step, step }
}

const tickLabel = (x) => (x >= 1000 ? `${+(x / 1000).toPrecision(3)}k` : String(+x.toPrecision(3)))

/**
 * `groups`: the labels along the x axis; `series`: [{ name, values }] with one value per group.
 * `title` heads the chart, `unit` labels the y axis.
 */
export function barChart({ title, unit, groups, series }) {
  const legendRows = Math.ceil(series.length / 3)
  const width = Math.max(640, 110 + groups.length * (series.length * 16 + 28))
  const plot = { left: 70, top: 40, right: width - 20, bottom: 300 }
  const height = plot.bottom + 50 + legendRows * 20
  const values = series.flatMap((s) => s.values).filter(Number.isFinite)
  const { top, step } = axis(Math.max(0, ...values))
  const y = (v) => plot.bottom - (v / top) * (plot.bottom - plot.top)
  const groupWidth = (plot.right - plot.left) / groups.length
  const barWidth = Math.min(28, (groupWidth - 16) / series.length)

  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escape(title)}</text>`,
    `<text transform="translate(16 ${(plot.top + plot.bottom) / 2}) rotate(-90)" text-anchor="middle">${escape(unit)}</text>`,
  ]
  for (let v = 0; v <= top + step / 2; v += step) {
    parts.push(`<line x1="${plot.left}" x2="${plot.right}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`)
    parts.push(`<text x="${plot.left - 6}" y="${y(v) + 4}" text-anchor="end">${tickLabel(v)}</text>`)
  }
  groups.forEach((group, g) => {
    const x0 = plot.left + g * groupWidth + (groupWidth - barWidth * series.length) / 2
    series.forEach((s, i) => {
      const v = s.values[g]
      if (!Number.isFinite(v)) return
      const x = x0 + i * barWidth
      parts.push(`<rect x="${x.toFixed(1)}" y="${y(v).toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${(plot.bottom - y(v)).toFixed(1)}" fill="${COLOURS[i % COLOURS.length]}"><title>${escape(`${s.name}, ${group}: ${+v.toPrecision(4)} ${unit}`)}</title></rect>`)
    })
    parts.push(`<text x="${plot.left + (g + 0.5) * groupWidth}" y="${plot.bottom + 18}" text-anchor="middle">${escape(group)}</text>`)
  })
  parts.push(`<line x1="${plot.left}" x2="${plot.right}" y1="${plot.bottom}" y2="${plot.bottom}" stroke="#333"/>`)
  const columnWidth = (width - 40) / 3
  series.forEach((s, i) => {
    const x = 20 + (i % 3) * columnWidth
    const yy = plot.bottom + 44 + Math.floor(i / 3) * 20
    parts.push(`<rect x="${x}" y="${yy - 10}" width="12" height="12" fill="${COLOURS[i % COLOURS.length]}"/>`)
    parts.push(`<text x="${x + 18}" y="${yy}">${escape(s.name)}</text>`)
  })
  parts.push('</svg>')
  return `${parts.join('\n')}\n`
}
