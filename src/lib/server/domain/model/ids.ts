/** Record ids: ULIDs (time-sortable) unless stated otherwise. */
export type UserId = string;
export type EventTypeId = string;
export type BookingId = string;
export type JobId = string;
export type CalendarAccountId = string;
/** Derived from the account and the calendar's URL, so rediscovery keeps it stable. */
export type CalendarId = string;
/** Whose time a booking blocks: today a host's user id, later also team members. */
export type PersonId = string;
export type CoordinatorId = string;
export type TeamId = string;
export type TeamInviteId = string;
