/**
 * The scale plot as a self-contained SVG (no plotting dependency): clean verdict time (median, with
 * the min–max range of the runs) and the time of one full GC, against the live heap held by the
 * process, both axes logarithmic; each size is labelled with the ratio verdict ÷ one GC.
 */

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/**
 * @param {{ sizes: Array<{ heapMiB: number, verdictMs: number, verdictMsMin: number, verdictMsMax: number, gcMs: number, ratio: number, gcs: number }>, node: string, date: string }} result
 * @returns {string} SVG document
 */
export function scaleSvg(result) {
  const W = 680
  const H = 420
  const m = { left: 70, right: 160, top: 48, bottom: 56 }
  const sizes = result.sizes.filter((s) => Number.isFinite(s.verdictMs) && Number.isFinite(s.gcMs))
  const xs = sizes.map((s) => s.heapMiB)
  const ys = sizes.flatMap((s) => [s.verdictMsMin, s.verdictMsMax, s.gcMs])
  const xMin = Math.min(2, ...xs)
  const xMax = Math.max(500, ...xs)
  const yMin = 10 ** Math.floor(Math.log10(Math.max(0.1, Math.min(...ys))))
  // A decade of headroom when the largest value is near the top, so its label stays inside.
  const top = Math.log10(Math.max(...ys))
  const yMax = 10 ** (Math.ceil(top) - top < 0.3 ? Math.ceil(top) + 1 : Math.ceil(top))
  const px = (x) => m.left + ((Math.log10(x) - Math.log10(xMin)) / (Math.log10(xMax) - Math.log10(xMin))) * (W - m.left - m.right)
  const py = (y) => H - m.bottom - ((Math.log10(y) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * (H - m.top - m.bottom)
  const out = []
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`)
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`)
  out.push(`<text x="${m.left}" y="22" font-size="15" font-weight="bold">leakspec: clean verdict time against live heap size</text>`)
  out.push(`<text x="${m.left}" y="38" fill="#555">${esc(`Node ${result.node}, ${result.date.slice(0, 10)}; medians over fresh processes; log–log axes`)}</text>`)
  // Grid and ticks.
  for (let d = yMin; d <= yMax; d *= 10) {
    out.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${py(d)}" y2="${py(d)}" stroke="#e3e3e3"/>`)
    out.push(`<text x="${m.left - 8}" y="${py(d) + 4}" text-anchor="end">${d >= 1000 ? `${d / 1000} s` : `${d} ms`}</text>`)
  }
  for (const t of [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000].filter((t) => t >= xMin && t <= xMax)) {
    out.push(`<line x1="${px(t)}" x2="${px(t)}" y1="${m.top}" y2="${H - m.bottom}" stroke="#f0f0f0"/>`)
    out.push(`<text x="${px(t)}" y="${H - m.bottom + 18}" text-anchor="middle">${t}</text>`)
  }
  out.push(`<rect x="${m.left}" y="${m.top}" width="${W - m.left - m.right}" height="${H - m.top - m.bottom}" fill="none" stroke="#888"/>`)
  out.push(`<text x="${(m.left + W - m.right) / 2}" y="${H - 16}" text-anchor="middle">live heap of the test process after GC (MiB)</text>`)
  out.push(`<text transform="translate(18 ${(m.top + H - m.bottom) / 2}) rotate(-90)" text-anchor="middle">time</text>`)
  const line = (key, color, dash) =>
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="2.5"${dash ? ` stroke-dasharray="${dash}"` : ''} points="${sizes.map((s) => `${px(s.heapMiB).toFixed(1)},${py(s[key]).toFixed(1)}`).join(' ')}"/>`)
  line('verdictMs', '#1f6fb2')
  line('gcMs', '#7a7a7a', '6 4')
  for (const [index, s] of sizes.entries()) {
    const x = px(s.heapMiB)
    // Labels right of a point, left of the last one (keeps them off the legend).
    const last = index === sizes.length - 1
    const lx0 = last ? x - 8 : x + 8
    const anchor = last ? ' text-anchor="end"' : ''
    out.push(`<line x1="${x}" x2="${x}" y1="${py(s.verdictMsMin)}" y2="${py(s.verdictMsMax)}" stroke="#1f6fb2" stroke-width="1.5"/>`)
    out.push(`<circle cx="${x}" cy="${py(s.verdictMs)}" r="4.5" fill="#1f6fb2"/>`)
    out.push(`<rect x="${x - 4}" y="${py(s.gcMs) - 4}" width="8" height="8" fill="#7a7a7a"/>`)
    out.push(`<text x="${lx0}" y="${py(s.verdictMs) - 14}"${anchor} fill="#1f6fb2">${esc(`${Math.round(s.verdictMs)} ms = ${s.ratio.toFixed(1)} GCs`)}</text>`)
    out.push(`<text x="${lx0}" y="${py(s.gcMs) + 20}"${anchor} fill="#555">${esc(`${s.gcMs.toFixed(1)} ms`)}</text>`)
  }
  // Legend.
  const lx = W - m.right + 14
  out.push(`<line x1="${lx}" x2="${lx + 24}" y1="${m.top + 14}" y2="${m.top + 14}" stroke="#1f6fb2" stroke-width="2.5"/>`)
  out.push(`<text x="${lx + 30}" y="${m.top + 18}">clean verdict</text>`)
  out.push(`<text x="${lx + 30}" y="${m.top + 32}" fill="#555">(median, min–max)</text>`)
  out.push(`<line x1="${lx}" x2="${lx + 24}" y1="${m.top + 54}" y2="${m.top + 54}" stroke="#7a7a7a" stroke-width="2.5" stroke-dasharray="6 4"/>`)
  out.push(`<text x="${lx + 30}" y="${m.top + 58}">one full GC</text>`)
  out.push(`<text x="${lx + 30}" y="${m.top + 72}" fill="#555">(the floor)</text>`)
  out.push(`<text x="${lx}" y="${m.top + 100}" fill="#555">label: verdict time</text>`)
  out.push(`<text x="${lx}" y="${m.top + 114}" fill="#555">in units of one GC</text>`)
  out.push('</svg>')
  return out.join('\n') + '\n'
}
