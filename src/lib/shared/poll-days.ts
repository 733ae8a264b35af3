/**
 * A poll's times under one heading per day, as a phone shows them (the invitee's toggles, the
 * host's list of answers): consecutive times of the same date (as formatted in the reader's
 * zone) share a day; each keeps its index `i` in the poll, the `t{i}` its answer is sent as.
 */
export function pollDays<T extends { date: string }>(
  times: readonly T[],
): { date: string; times: { tm: T; i: number }[] }[] {
  const days: { date: string; times: { tm: T; i: number }[] }[] = [];
  times.forEach((tm, i) => {
    const last = days.at(-1);
    if (last?.date === tm.date) last.times.push({ tm, i });
    else days.push({ date: tm.date, times: [{ tm, i }] });
  });
  return days;
}
