// Pure time functions of the Garrison map: no DOM, no Leaflet, no state of their own.
// Every rule (which period holds at a date, what a filter keeps, what changed between two dates)
// is computed in Python and shipped in the payload or the view; these functions only look the
// answers up. Tested under Node (tests/js/) against the Python on the same fixtures.

export const DAY_MS = 86400000;

/** The ISO date (YYYY-MM-DD) of a day number (days since 1970-01-01). */
export function isoDay(day) {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The day number of an ISO date, or null. */
export function dayOfIso(text) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text || "");
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3]) / DAY_MS : null;
}

/** Index of installation i's period current at `day` (periods: offsets/start/end), or -1. */
export function periodAt(periods, i, day) {
  const { offsets, start, end } = periods;
  let lo = offsets[i], hi = offsets[i + 1] - 1, found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (start[mid] <= day) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
  }
  return found >= 0 && end[found] > day ? found : -1;
}

/** Bit k of a bitmask (Uint8Array, bit k at byte k>>3, LSB first). */
export function bit(mask, k) {
  return (mask[k >> 3] >> (k & 7)) & 1;
}

/**
 * Does installation i (its period `row` at the date, or -1) pass the view's filter?
 * `match` is null (no filter) or {inst: bitmask over installations | null, period: bitmask over
 * period rows | null}: the Python side decided each bit.
 */
export function passes(match, i, row) {
  if (!match) return true;
  if (match.inst && !bit(match.inst, i)) return false;
  if (match.period && (row < 0 || !bit(match.period, row))) return false;
  return true;
}

/**
 * Did installation i change between the compare date and now? `codes` are the state codes of the
 * periods (one code per distinct operator/status/territory), `compareCodes` installation i's code
 * at the compare date (-1: no record then).
 */
export function changedSince(codes, compareCodes, i, row) {
  if (!compareCodes) return false;
  return (row < 0 ? -1 : codes[row]) !== compareCodes[i];
}

/** The first day of the month after (dir > 0) or the month of / before (dir < 0) `day`. */
export function stepMonth(day, dir) {
  const d = new Date(day * DAY_MS), y = d.getUTCFullYear(), m = d.getUTCMonth();
  if (dir > 0) return Date.UTC(y, m + 1, 1) / DAY_MS;
  const first = Date.UTC(y, m, 1) / DAY_MS;
  return first < day ? first : Date.UTC(y, m - 1, 1) / DAY_MS;
}

/** The change day after (dir > 0) or before (dir < 0) `day` in the sorted `changeDays`, or null. */
export function stepChange(changeDays, day, dir) {
  let lo = 0, hi = changeDays.length;
  while (lo < hi) {  // first index with changeDays[idx] > day
    const mid = (lo + hi) >> 1;
    if (changeDays[mid] <= day) lo = mid + 1; else hi = mid;
  }
  if (dir > 0) return lo < changeDays.length ? changeDays[lo] : null;
  let k = lo - 1;
  while (k >= 0 && changeDays[k] >= day) k--;
  return k >= 0 ? changeDays[k] : null;
}

/** One step of the timeline from `day`: by "day", "month" or "change"; clamped to [first, last]. */
export function step(day, unit, dir, changeDays, first, last) {
  let next;
  if (unit === "day") next = day + dir;
  else if (unit === "month") next = stepMonth(day, dir);
  else next = stepChange(changeDays, day, dir);
  if (next === null) return dir > 0 ? last : first;
  return Math.min(Math.max(next, first), last);
}
