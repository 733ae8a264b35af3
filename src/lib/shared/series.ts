/** A recurring series' bounds (issue 25): every 1–4 weeks, 2–52 dates. Browser-safe. */
export const SERIES_EVERY_MAX_WEEKS = 4;
export const SERIES_MIN = 2;
export const SERIES_MAX = 52;
