/** Availability: weekly hours, date overrides and time off. */
import * as v from "valibot";
import {
  MAX_OVERRIDES,
  MAX_RANGES_PER_DAY,
  MAX_TIME_OFF,
  TIME_OFF_REASON_MAX,
} from "../../../shared/forms/availability.ts";
import { d, HhMm, IsoDate, readOnlyFields } from "./pieces.ts";

const Range = v.strictObject({ start: HhMm, end: HhMm });
const Ranges = v.pipe(v.array(Range), v.maxLength(MAX_RANGES_PER_DAY));
const Weekly = v.pipe(
  v.strictObject({
    "1": Ranges,
    "2": Ranges,
    "3": Ranges,
    "4": Ranges,
    "5": Ranges,
    "6": Ranges,
    "7": Ranges,
  }),
  d("Hours per ISO weekday (1 = Monday … 7 = Sunday) in the host's zone."),
);
export const Override = v.strictObject({
  date: IsoDate,
  ranges: v.pipe(Ranges, d("The date's own hours; empty = unavailable that day.")),
});
const TimeOffEntry = v.strictObject({
  from: IsoDate,
  to: v.pipe(IsoDate, d("Last day, inclusive.")),
  reason: v.optional(v.pipe(v.string(), v.maxLength(TIME_OFF_REASON_MAX))),
});

export const Availability = v.object({
  timeZone: v.string(),
  weekly: Weekly,
  overrides: v.array(Override),
  timeOff: v.array(TimeOffEntry),
});

/** What GET answers and PUT does not set (`readOnlyFields`): the zone the hours are in. */
export const AVAILABILITY_READ_ONLY = readOnlyFields(Availability, ["timeZone"], [], {
  timeZone: "change the account's zone on the Profile page",
});

export const AvailabilityPut = v.strictObject({
  ...AVAILABILITY_READ_ONLY.entries,
  weekly: v.optional(Weekly),
  overrides: v.optional(v.pipe(v.array(Override), v.maxLength(MAX_OVERRIDES))),
  timeOff: v.optional(v.pipe(v.array(TimeOffEntry), v.maxLength(MAX_TIME_OFF))),
});
