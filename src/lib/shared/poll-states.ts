/** A meeting poll's state as the host's pages name it (one table for the list and the matrix). */
export const POLL_STATE_KEY = {
  open: "poll.state_open",
  booked: "poll.state_booked",
  closed: "poll.state_closed",
  expired: "poll.state_expired",
} as const;
