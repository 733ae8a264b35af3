/** Seats per time of a seated event type (docs/decisions/040-seats.md): the editor's and the engine's bounds. */
export const SEATS_MIN = 2;
export const SEATS_MAX = 500;
