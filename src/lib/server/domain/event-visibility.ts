/**
 * Where an event type shows up. Every listing of a host's event types (the public host page,
 * the widget's list, API and feed listings) filters with `isListed`, so a secret event type is
 * absent from all of them at once; it stays bookable through its own link.
 */
export type Listable = { active: boolean; secret?: boolean };

/** Shown in listings: active and not secret. */
export function isListed(et: Listable): boolean {
  return et.active && et.secret !== true;
}

/** Search engines are asked not to index pages of event types that are not listed. */
export function isIndexable(et: Listable): boolean {
  return isListed(et);
}
