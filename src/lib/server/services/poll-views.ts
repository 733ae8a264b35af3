/**
 * Meeting polls as the JSON API and insights read them (services/polls.ts changes them): a poll
 * with its state and link, its answers and counts per time, and the host's polls in numbers.
 */
import type { App } from "../app.ts";
import type { PollRecord, UserRecord } from "../domain/model/records.ts";
import { getPoll, listPolls, listPollsMade, listVotes } from "../store/polls.ts";
import { Temporal } from "../domain/temporal.ts";
import { pollResource, pollUrl, stateOf } from "./polls.ts";
import { isoInstant } from "../../shared/format.ts";

/** A poll as the JSON API shows it. */
export async function pollApiResource(app: App, p: PollRecord) {
  return {
    ...pollResource(p),
    eventTypeId: p.eventTypeId,
    state: stateOf(p, app.now()),
    url: await pollUrl(app, p),
    createdAt: isoInstant(p.createdAtMs),
  };
}

/** The host's polls, newest first (the API's list). */
export async function listPollResources(app: App, host: UserRecord) {
  return await Promise.all((await listPolls(app.kv, host.id)).map((p) => pollApiResource(app, p)));
}

/** One poll with every invitee's answers and the counts per time (null: none of the host's). */
export async function pollAnswers(app: App, host: UserRecord, id: string) {
  if (!/^[0-9A-Z]{26}$/.test(id)) return null;
  const poll = await getPoll(app.kv, host.id, id);
  if (!poll) return null;
  const votes = await listVotes(app.kv, poll.id);
  return {
    ...(await pollApiResource(app, poll)),
    counts: poll.starts.map((ms, i) => ({
      start: isoInstant(ms),
      yes: votes.filter((v) => v.answers[i] === "yes").length,
      maybe: votes.filter((v) => v.answers[i] === "maybe").length,
      no: votes.filter((v) => v.answers[i] === "no").length,
    })),
    votes: votes.map((v) => ({
      name: v.name,
      email: v.email,
      answeredAt: isoInstant(v.atMs),
      answers: poll.starts.map((ms, i) => ({ start: isoInstant(ms), answer: v.answers[i] })),
    })),
  };
}

/** A poll of the host by id, as the API shows it after a change. */
export async function getPollResource(app: App, host: UserRecord, id: string) {
  const poll = /^[0-9A-Z]{26}$/.test(id) ? await getPoll(app.kv, host.id, id) : null;
  return poll ? await pollApiResource(app, poll) : null;
}

/** The most polls of one period insights count (each costs a read of its answers). */
export const POLL_SUMMARY_MAX = 200;

/**
 * The host's polls in numbers, for insights: the polls made in the period (days `from`–`to` in
 * `timeZone`, inclusive), of one event type if given, and what became of them — answered by at
 * least one invitee, answers given, booked, closed without booking, still open. `capped`: the
 * period held more than POLL_SUMMARY_MAX polls and the first ones were counted.
 */
export async function pollSummary(
  app: App,
  hostId: string,
  period: { from: string; to: string; timeZone: string; eventTypeId: string | null },
) {
  const startOf = (date: Temporal.PlainDate) =>
    date.toZonedDateTime({ timeZone: period.timeZone }).epochMilliseconds;
  const fromMs = startOf(Temporal.PlainDate.from(period.from));
  const toMs = startOf(Temporal.PlainDate.from(period.to).add({ days: 1 }));
  const made = await listPollsMade(app.kv, hostId, fromMs, toMs, POLL_SUMMARY_MAX + 1);
  const capped = made.length > POLL_SUMMARY_MAX;
  const polls = made.slice(0, POLL_SUMMARY_MAX).filter((p) =>
    period.eventTypeId === null || p.eventTypeId === period.eventTypeId
  );
  const votes = await Promise.all(polls.map((p) => listVotes(app.kv, p.id)));
  const nowMs = app.now();
  const states = polls.map((p) => stateOf(p, nowMs));
  return {
    /** The host has polls at all (the section shows, with zeros for a period without any). */
    any: made.length > 0 || (await listPolls(app.kv, hostId, 1)).length > 0,
    made: polls.length,
    answered: votes.filter((v) => v.length > 0).length,
    answers: votes.reduce((n, v) => n + v.length, 0),
    booked: states.filter((s) => s === "booked").length,
    closed: states.filter((s) => s === "closed").length,
    open: states.filter((s) => s === "open").length,
    capped,
  };
}
