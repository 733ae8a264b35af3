/**
 * The revision of a booking page's (or slots answer's) data, read before the data itself:
 * everyone whose time or settings the page is computed from, and their revisions
 * (store/revisions.ts). While it is unchanged, so is everything the page shows but the clock:
 * a cached answer keyed by (URL parameters, this revision, clock bucket) is exact, across
 * processes sharing one KV too. An unchanged host costs one `getMany` of three keys.
 */
import type { App } from "../app.ts";
import { getUserByUsernameCached } from "../store/users.ts";
import { getTeamBySlugCached } from "../store/teams.ts";
import { readRevisions, type Revisions } from "../store/revisions.ts";
import { copyClock, noteSettingsRevisions } from "../store/settings-cache.ts";

type Params = { username: string } | { team: string };

async function peopleOf(app: App, params: Params): Promise<string[] | null> {
  if ("team" in params) {
    const team = await getTeamBySlugCached(app.kv, params.team.toLowerCase());
    // Every member (a superset of an event type's hosts): a change of any of them misses.
    return team ? [team.id, ...team.members.map((m) => m.userId)] : null;
  }
  const user = await getUserByUsernameCached(app.kv, params.username.toLowerCase());
  return user ? [user.id] : null;
}

/**
 * Reads of the same people's revisions, shared without giving up exactness (issue 26): a request
 * never takes the result of a read that started before it arrived (a commit may have landed in
 * between), but every request arriving while a read is under way waits for the *next* read,
 * which starts when that one ends, and all of them share it. A crowd of page views of one host
 * costs about two reads per KV round trip instead of one per view — on a loaded machine each read
 * is a hop to a KV thread that waits for a core.
 */
/** Revisions, and when their read started (the settings copy's clock). */
type Read = { revs: Revisions; atMs: number };
type Flight = { running: Promise<Read> | null; next: Promise<Read> | null };
const flights = new WeakMap<Deno.Kv, Map<string, Flight>>();

function sharedRead(app: App, people: string[], closed: boolean): Promise<Read> {
  let byPeople = flights.get(app.kv);
  if (!byPeople) flights.set(app.kv, byPeople = new Map());
  const key = `${people.join()}|${closed}`;
  let f = byPeople.get(key);
  if (!f) byPeople.set(key, f = { running: null, next: null });
  const flight = f;
  const start = (): Promise<Read> => {
    const atMs = copyClock();
    const read = readRevisions(app.readKv, people, closed).then((revs) => ({ revs, atMs }));
    flight.running = read;
    const done = () => {
      if (flight.running === read) flight.running = null;
      if (!flight.running && !flight.next) byPeople.delete(key);
    };
    read.then(done, done);
    return read;
  };
  if (!flight.running) return start();
  // The read under way started before this request: wait for the one after it.
  return flight.next ??= flight.running.then(() => {}, () => {}).then(() => {
    flight.next = null;
    return start();
  });
}

/**
 * A text equal between two calls exactly when nothing the page depends on changed (but the
 * clock), or null when the name is unknown (the page answers 404 and is not cached). Who takes
 * part comes from the settings copy; when a settings revision differs from what this process
 * saw, the copy is dropped and they are looked up again, so the text never vouches for settings
 * older than itself.
 */
export async function pageRevision(app: App, params: Params): Promise<string | null> {
  return (await readPageRevision(app, params))?.text ?? null;
}

/**
 * `pageRevision` and what it read. A host's (not a team's) comes with the revision of closed
 * accounts in the same `getMany`, for a booking to compare after its write (`closedSince`).
 */
export async function readPageRevision(
  app: App,
  params: Params,
): Promise<{ text: string; people: string[]; closed: string | null } | null> {
  let people = await peopleOf(app, params);
  for (let round = 0; people && round < 3; round++) {
    const { revs, atMs } = await sharedRead(app, people, !("team" in params));
    if (noteSettingsRevisions(app.kv, people, revs.settings, atMs)) {
      const again = await peopleOf(app, params);
      if (!again || again.join() !== people.join()) {
        people = again;
        continue;
      }
    }
    const text = `${people.join()}|${revs.busy.join()}|${revs.settings.join()}`;
    return { text, people, closed: revs.closed ?? null };
  }
  return null;
}

/**
 * The revision of closed accounts (store/keys.ts `accountsClosedRev`), read after this call: one
 * key, its read shared by every request asking at once, whatever their host (`sharedRead`).
 */
export async function closedRevision(app: App): Promise<string | null> {
  return (await sharedRead(app, [], true)).revs.closed ?? null;
}

/** Whether an account has closed since `closed` (a `closedRevision` or `readPageRevision`). */
export async function closedSince(app: App, closed: string | null): Promise<boolean> {
  return await closedRevision(app) !== closed;
}

/**
 * `pageRevision` read once per request and shared by whatever in that request needs it before
 * the page: the locale hook reads it before it takes the event type's fixed language from the
 * settings copy (http/locale.ts), and the page cache keys the page by the same read. A read made
 * for this request started after it arrived, so it stays exact (ADR 039).
 */
const byRequest = new WeakMap<Request, Promise<string | null>>();

export function requestPageRevision(
  app: App,
  request: Request,
  params: Params,
): Promise<string | null> {
  let read = byRequest.get(request);
  if (!read) byRequest.set(request, read = pageRevision(app, params));
  return read;
}
