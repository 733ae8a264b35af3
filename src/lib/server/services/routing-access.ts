/**
 * Whose routing forms a host answers for (issue 30; docs/decisions/041-routing-forms.md): their
 * own, and those of every team they own. A team's forms are its owners' — only they edit them,
 * read the responses (guests' answers, ADR 022), receive `form.submitted` and may erase a guest
 * from them — so the API's reads and the erasure reach exactly these. A plain member sees a team
 * form's counts in their insights, never its answers.
 */
import type { App } from "../app.ts";
import type { RoutingFormRecord, TeamRecord } from "../domain/model/records.ts";
import { listTeamsOf } from "../store/teams.ts";
import { getForm, listForms } from "./routing-forms.ts";

/** The teams a host owns (one of their owners). */
export async function ownedTeams(app: App, hostId: string): Promise<TeamRecord[]> {
  return (await listTeamsOf(app.kv, hostId)).filter((t) =>
    t.members.some((m) => m.userId === hostId && m.role === "owner")
  );
}

/** A form with the team it belongs to (null: the host's own). */
export type OwnedForm = { form: RoutingFormRecord; team: TeamRecord | null };

/** The host's own forms, then each owned team's (each oldest first). */
export async function formsAnsweredFor(app: App, hostId: string): Promise<OwnedForm[]> {
  const out: OwnedForm[] = (await listForms(app, hostId)).map((form) => ({ form, team: null }));
  for (const team of await ownedTeams(app, hostId)) {
    for (const form of await listForms(app, team.id)) out.push({ form, team });
  }
  return out;
}

/** One form by id, when it is the host's or an owned team's; null otherwise (not found). */
export async function formAnsweredFor(
  app: App,
  hostId: string,
  formId: string,
): Promise<OwnedForm | null> {
  const own = await getForm(app, hostId, formId);
  if (own) return { form: own, team: null };
  for (const team of await ownedTeams(app, hostId)) {
    const form = await getForm(app, team.id, formId);
    if (form) return { form, team };
  }
  return null;
}
