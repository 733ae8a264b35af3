/** The busy parser's options, result, per-calendar context and the ical.js types it reads. */
import ICAL from "ical.js";
import { type Interval } from "../domain/interval.ts";

export type BusyParseOptions = {
  fromMs: number;
  toMs: number;
  hostTimeZone: string;
  isOwnUid?: (uid: string) => boolean;
  maxInstances?: number;
  maxIterations?: number;
  eventBudgetMs?: number;
  /** `performance.now()` value after which parsing stops (shared across objects of a calendar) */
  deadline?: number;
  warn?: (message: string) => void;
};

export type SkippedEvent = { uid: string | null; reason: string };
export type BusyParseResult = {
  windows: Interval[];
  skipped: SkippedEvent[];
  /** false when the deadline ran out: the windows are then not the whole truth */
  complete: boolean;
};

export const MAX_INSTANCES_PER_EVENT = 5_000;
export const MAX_ITERATIONS_PER_EVENT = 50_000;
export const EVENT_BUDGET_MS = 250;

export const MS_DAY = 86_400_000;
export const warnedZones = new Set<string>();

export class SkipEvent extends Error {}
/** A walk over its time budget (ical-busy.ts walks it once more before it skips the event). */
export class OverBudget extends SkipEvent {}
export class OutOfTime extends Error {}

export type Ctx = {
  opts: BusyParseOptions;
  floatingZone: string;
  windows: Interval[];
  maxInstances: number;
  maxIterations: number;
  eventBudgetMs: number;
};

export type Time = InstanceType<typeof ICAL.Time>;
export type Component = InstanceType<typeof ICAL.Component>;

export function timeProp(comp: Component, name: string): Time | null {
  const v = comp.getFirstPropertyValue(name);
  return v instanceof ICAL.Time ? v : null;
}

/** How long each occurrence of `comp` lasts. */
