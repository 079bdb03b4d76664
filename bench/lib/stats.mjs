// Medians, ratios and the number formats every table uses.

export function median(xs) {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b)
  if (s.length === 0) return NaN
  const mid = s.length >> 1
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}

/** The p-th percentile (0-100) of a list, nearest rank. */
export function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b)
  if (s.length === 0) return NaN
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]
}

export const ratio = (x, ref) => (Number.isFinite(x) && Number.isFinite(ref) && ref > 0 ? x / ref : NaN)

/** A number with a sensible count of digits for a table: about 3 significant digits, thousands grouped. */
export function fmt(x) {
  if (!Number.isFinite(x)) return '–'
  const abs = Math.abs(x)
  if (abs >= 1000) return Math.round(x).toLocaleString('en-US')
  if (abs >= 100) return x.toFixed(0)
  if (abs >= 10) return x.toFixed(1)
  return x.toFixed(2)
}

export const fmtRatio = (r) => (Number.isFinite(r) ? `${r.toFixed(2)}×` : '–')
