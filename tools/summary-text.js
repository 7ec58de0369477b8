// The job summary is HTML for GitHub's page; this renders the few elements it uses as plain text for a
// terminal: headings, paragraphs, tables as aligned columns, and details blocks.

/** @type {Record<string, string>} */
const entities = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" }
const decode = (/** @type {string} */ text) =>
  text.replace(/&(amp|lt|gt|quot|#39);/g, (e) => entities[e])
const stripTags = (/** @type {string} */ html) => decode(html.replace(/<[^>]+>/g, ''))

/** @param {string} html */
export function summaryAsText(html) {
  return html
    .replace(
      /<h(\d)>(.*?)<\/h\1>/gs,
      (_, level, text) => `${'#'.repeat(Number(level))} ${stripTags(text)}\n`
    )
    .replace(/<table>(.*?)<\/table>/gs, (_, rows) => `${tableAsText(rows)}\n`)
    .replace(/<details><summary>(.*?)<\/summary>/gs, (_, label) => `${stripTags(label)}:\n`)
    .replace(/<\/details>/g, '')
    .replace(/<p>(.*?)<\/p>/gs, (_, text) => `${stripTags(text)}\n`)
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
}

/** @param {string} rowsHtml */
function tableAsText(rowsHtml) {
  const rows = [...rowsHtml.matchAll(/<tr>(.*?)<\/tr>/gs)].map(([, cells]) =>
    [...cells.matchAll(/<t[hd]>(.*?)<\/t[hd]>/gs)].map(([, cell]) => stripTags(cell))
  )
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => [...(row[i] ?? '')].length)))
  const line = (/** @type {string[]} */ row) =>
    row.map((cell, i) => cell + ' '.repeat(widths[i] - [...cell].length)).join('  ')
  return [
    line(rows[0]),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.slice(1).map(line)
  ].join('\n')
}
