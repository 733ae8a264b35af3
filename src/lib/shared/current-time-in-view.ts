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
 * A tab bar that scrolls sideways on a phone (a team's pages): the tab of the page shown
 * (`[aria-current="page"]`) is brought into the bar's view — the bar scrolls, never the page,
 * nothing takes the focus — when it was out of it ("Formularios de enrutamiento", the last tab,
 * started off the screen at 360 px). Where the browser has CSS `scroll-initial-target` the bar
 * already opened there; this is for the others and for a tab reached by a link in the bar.
 */
export function currentTabInView(bar: HTMLElement): void {
  const own = bar.querySelector<HTMLElement>('[aria-current="page"]');
  if (!own || bar.scrollWidth <= bar.clientWidth) return;
  const b = bar.getBoundingClientRect();
  const r = own.getBoundingClientRect();
  if (r.left >= b.left && r.right <= b.right) return;
  bar.scrollLeft += r.left < b.left ? r.left - b.left : r.right - b.right;
}
