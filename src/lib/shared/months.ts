/** Months as `YYYY-MM` and the steps a page offers between them. */

const monthIndex = (m: string) => Number(m.slice(0, 4)) * 12 + Number(m.slice(5, 7)) - 1;
const monthOf = (i: number) => `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}`;

/**
 * The months before and after `month` a page may show: none before the month of `today`, none
 * after the month of `lastDate` (the booking window's last day).
 */
export function monthSteps(
  month: string,
  today: string,
  lastDate: string,
): { prev: string | null; next: string | null } {
  const i = monthIndex(month);
  return {
    prev: i > monthIndex(today.slice(0, 7)) ? monthOf(i - 1) : null,
    next: i < monthIndex(lastDate.slice(0, 7)) ? monthOf(i + 1) : null,
  };
}
