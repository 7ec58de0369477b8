// What the live check's reads of one segment say about how SendGrid shows a refresh. Pure functions
// over the timeline, so the rules are tested apart from any account.

/**
 * @typedef {object} Reading one read of the segment
 * @property {number | null} seconds seconds since SendGrid accepted the refresh (its clock; null before it)
 * @property {string | null} last_refreshed_at
 * @property {string | null} sample_updated_at
 * @property {string | null} updated_at
 * @property {number | null} contacts_count
 * @property {number | null} refreshes_used
 */

/**
 * SendGrid's clock minus the local one, in seconds (negative when SendGrid is behind), from the Date
 * headers of its answers: each header has whole seconds, so its second's middle is compared with the
 * middle of the request; the median of all answers.
 * @param {Array<{ sentAt: number, answeredAt: number, date: string | undefined }>} exchanges
 * @returns {number | null}
 */
export function clockOffsetSeconds(exchanges) {
  const offsets = exchanges
    .map(({ sentAt, answeredAt, date }) => {
      const sendGrid = date ? Date.parse(date) : NaN
      return Number.isNaN(sendGrid) ? null : sendGrid + 500 - (sentAt + answeredAt) / 2
    })
    .filter((offset) => offset !== null)
    .sort((a, b) => a - b)
  if (offsets.length === 0) return null
  const middle = Math.floor(offsets.length / 2)
  const median =
    offsets.length % 2 === 1 ? offsets[middle] : (offsets[middle - 1] + offsets[middle]) / 2
  return Math.round(median / 100) / 10
}

/** @param {string | null} iso */
const ms = (iso) => (iso ? Date.parse(iso) : NaN)

/**
 * The first reading at which `read(reading)` differs from `read(before)`, or -1.
 * @param {Reading[]} timeline
 * @param {Reading} before
 * @param {(reading: Reading) => unknown} read
 */
function firstMove(timeline, before, read) {
  return timeline.findIndex((reading) => read(reading) !== read(before))
}

/**
 * Whether the recompute after the refresh has shown: the sample or the count moved. last_refreshed_at
 * moving alone never shows it, since SendGrid most likely writes it when it accepts the refresh.
 * @param {Reading[]} timeline
 * @param {Reading} before
 */
export function recomputeShown(timeline, before) {
  return (
    firstMove(timeline, before, (r) => r.sample_updated_at) >= 0 ||
    firstMove(timeline, before, (r) => r.contacts_count) >= 0
  )
}

/**
 * The findings the README explains, from the reading before the refresh, the readings after it,
 * and the moments around it (SendGrid's clock, ms).
 * @param {object} facts
 * @param {Reading} facts.before the segment read just before the refresh
 * @param {Reading[]} facts.timeline
 * @param {number} facts.acceptedAt when SendGrid accepted the refresh (the Date header of its 202)
 * @param {number | null} facts.jobFinishedAt the contact job's finished_at
 */
export function findings({ before, timeline, acceptedAt, jobFinishedAt }) {
  const refreshedAt = firstMove(timeline, before, (r) => r.last_refreshed_at)
  const sampledAt = firstMove(timeline, before, (r) => r.sample_updated_at)
  const countedAt = firstMove(timeline, before, (r) => r.contacts_count)
  const recomputeSignals = [sampledAt, countedAt].filter((index) => index >= 0)
  const recomputedAt = recomputeSignals.length > 0 ? Math.min(...recomputeSignals) : -1
  const seen = refreshedAt >= 0 || recomputedAt >= 0
  const last = timeline.at(-1)

  /** @type {'on_accept' | 'on_recompute' | 'unknown'} */
  let written = 'unknown'
  if (refreshedAt >= 0 && recomputedAt >= 0) {
    const newSample = sampledAt >= 0 ? ms(timeline[sampledAt].sample_updated_at) : NaN
    const refreshValue = ms(timeline[refreshedAt].last_refreshed_at)
    const earlier = refreshedAt < recomputedAt
    const beforeSample = !Number.isNaN(newSample) && newSample - refreshValue >= 2000
    if (earlier || beforeSample) written = 'on_accept'
    else if (refreshedAt === recomputedAt) written = 'on_recompute'
  }

  const recomputeMoment =
    sampledAt >= 0
      ? ms(timeline[sampledAt].sample_updated_at)
      : written === 'on_recompute'
        ? ms(timeline[refreshedAt].last_refreshed_at)
        : NaN
  // The value of `recomputed-by` that makes the action's wait right on this account.
  /** @type {'sample_updated_at' | 'last_refreshed_at' | null} */
  const recomputedBy =
    sampledAt >= 0 && ms(timeline[sampledAt].sample_updated_at) >= acceptedAt
      ? 'sample_updated_at'
      : sampledAt < 0 && written === 'on_recompute'
        ? 'last_refreshed_at'
        : null
  const seconds = (/** @type {number} */ from, /** @type {number} */ to) =>
    Math.round((to - from) / 100) / 10
  return {
    recomputed_by: recomputedBy,
    last_refreshed_at_written: written,
    sample_updated_at_moves_on_refresh: seen ? sampledAt >= 0 : null,
    updated_at_moves_on_refresh: seen
      ? firstMove(timeline, before, (r) => r.updated_at) >= 0
      : null,
    seconds_until_recomputed: Number.isNaN(recomputeMoment)
      ? null
      : Math.max(0, seconds(acceptedAt, recomputeMoment)),
    contact_counted_by_refresh: seen ? (last?.contacts_count ?? 0) > 0 : null,
    seconds_from_job_finished_to_refresh:
      jobFinishedAt === null ? null : seconds(jobFinishedAt, acceptedAt)
  }
}
