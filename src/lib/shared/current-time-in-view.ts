/**
 * The box of a reschedule's day times, beside the calendar (wide screens), scrolls: a late
 * current time (`[data-current-time]`, the guest's own, marked "Your current time") started out
 * of view. A Svelte action on that box: at mount, when the guest's time is outside the box's
 * visible part, the box — never the page — scrolls to put it in the middle; nothing takes the
 * focus. A browser with CSS `scroll-initial-target` did it before any script (BookingPanel's
 * list sets it on that time); this is for the others. A day chosen later shows its heading
 * instead, which takes the focus (BookingPanel's `afterNavigate`).
 */
export function currentTimeInView(box: HTMLElement): void {
  const own = box.querySelector<HTMLElement>("[data-current-time]");
  if (!own || box.scrollHeight <= box.clientHeight) return;
  const b = box.getBoundingClientRect();
  const r = own.getBoundingClientRect();
  if (r.top >= b.top && r.bottom <= b.bottom) return;
  box.scrollTop += r.top - b.top - (box.clientHeight - r.height) / 2;
}

/**
 * A tab bar that scrolls sideways on a phone (a team's pages): where it stands once the tab of the
 * page shown (`[aria-current="page"]`) is chosen. The bar scrolls, never the page; nothing takes
 * the focus. It starts at its first tab when everything up to the current one fits beside the
 * mark for the tabs after it (the bar's `scroll-padding-inline`, as wide as the mark); otherwise
 * it scrolls just far enough to show the current tab whole, clear of that mark — on the last tab
 * to its end, where the mark before (`tabsHidden`) says the first tabs are off to the left: at
 * 360 px “Routing forms” pushed “Team” out of view with nothing saying it was there. Where the
 * browser has CSS `scroll-initial-target` the bar opened there already (same alignment: snap-end
 * within the same padding); this is for the others and for a tab reached by a link in the bar.
 */
export function currentTabInView(bar: HTMLElement): void {
  const own = bar.querySelector<HTMLElement>('[aria-current="page"]');
  const room = bar.scrollWidth - bar.clientWidth;
  if (!own || room <= 0) return;
  const mark = parseFloat(getComputedStyle(bar).scrollPaddingInlineEnd) || 0;
  const width = bar.clientWidth;
  // In the bar's content: 0 is where its first tab starts.
  const left = own.getBoundingClientRect().left - bar.getBoundingClientRect().left -
    bar.clientLeft +
    bar.scrollLeft;
  const right = left + own.getBoundingClientRect().width;
  let x = right <= width - mark ? 0 : Math.min(room, right - width + mark);
  // A tab wider than the bar less its marks: its start shows.
  if (x > 0 && left < x + mark) x = Math.max(0, left - mark);
  bar.scrollLeft = x;
}

/** The narrowest a mark gets: its arrow (the chevron's ink ends 10 px in) still shows whole. */
const MARK_MIN_PX = 12;

/**
 * How wide each side's mark is drawn (px): as wide as the bar's scroll padding (the current tab
 * is never under a mark), but stopping short of the words of a tab wholly in the bar. At 360 px
 * on the last tab the bar's end fixes where the tabs stand, and the fade before lay over the
 * “E” of “Event types” (en) and the “R” of “Reservas” (es). The words of a tab cut by the edge
 * may lie under the fade: that is what it says. Only a tab whose words start within
 * `MARK_MIN_PX` of the edge keeps its first letter under the arrow, which needs that room.
 */
export function markWidths(bar: HTMLElement): { before: number; after: number } {
  const style = getComputedStyle(bar);
  const b = bar.getBoundingClientRect();
  const words = [...bar.querySelectorAll("a")].map((a) => {
    const range = document.createRange();
    range.selectNodeContents(a);
    return range.getBoundingClientRect();
  });
  // From a side's edge to the nearest words wholly on the bar's side of it.
  const reach = (full: number, gaps: number[]) =>
    Math.max(MARK_MIN_PX, Math.min(full, ...gaps.filter((g) => g >= 0)));
  return {
    before: reach(
      parseFloat(style.scrollPaddingInlineStart) || 0,
      words.map((w) => w.left - b.left),
    ),
    after: reach(
      parseFloat(style.scrollPaddingInlineEnd) || 0,
      words.map((w) => b.right - w.right),
    ),
  };
}

/** Which sides of a sideways-scrolling bar have tabs out of view (each gets a mark). */
export function tabsHidden(bar: HTMLElement): { before: boolean; after: boolean } {
  return {
    before: bar.scrollLeft > 1,
    after: bar.scrollWidth - bar.clientWidth - bar.scrollLeft > 1,
  };
}
