import { error, fail, redirect } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";
import {
  inviteMember,
  resendInvite,
  revokeInvite,
  teamInvitations,
} from "$lib/server/services/team-invites.ts";
import {
  deleteTeam,
  MEMBERSHIP_MESSAGES,
  type OwnerRefusal,
  removeMember,
  setMemberRole,
  setMemberWeight,
  updateTeamSettings,
} from "$lib/server/services/teams.ts";
import { teamViewOr404 } from "$lib/server/http/team-view.ts";
import { roundRobinDistribution } from "$lib/server/services/team-dashboard.ts";
import { listTeamEventTypes } from "$lib/server/services/team-event-types.ts";
import { listTimeZones } from "$lib/server/domain/time-zone.ts";
import { readFields } from "$lib/shared/field-bounds.ts";
import { readTeamForm } from "$lib/shared/team-forms.ts";
import { translateRef, translateRefs, type Translator } from "$lib/shared/i18n.ts";

export const load: PageServerLoad = async (event) => {
  const { locals, url, parent } = event;
  const { role } = await parent();
  const view = await teamViewOr404(event);
  const types = await listTeamEventTypes(locals.app, view.team);
  return {
    invitations: role === "owner" ? await teamInvitations(locals.app, view.team) : [],
    distribution: await roundRobinDistribution(locals.app, view.team),
    eventTypes: types.filter((t) => t.active).map((t) => ({ slug: t.slug, title: t.title })),
    zones: role === "owner" ? listTimeZones() : [],
    created: url.searchParams.get("created") === "1",
    joined: url.searchParams.get("joined") === "1",
  };
};

/** A refusal of an owner's action: a stranger 404, a member 403; the rest a message on the page. */
function refused(
  t: Translator,
  reason: OwnerRefusal | keyof typeof MEMBERSHIP_MESSAGES,
  section: string,
) {
  if (reason === "not_found") error(404, t.t("errors.not_found_heading"));
  if (reason === "forbidden") error(403, t.t("team.owners_only"));
  return fail(409, { section, message: translateRef(t, MEMBERSHIP_MESSAGES[reason]) });
}

export const actions: Actions = {
  settings: async ({ request, locals, params }) => {
    const values = readTeamForm(await request.formData());
    const res = await updateTeamSettings(locals.app, locals.user!, params.teamId, values);
    if (res.ok) return { section: "settings", saved: true };
    if (res.reason === "invalid") {
      return fail(400, {
        section: "settings",
        values,
        errors: translateRefs(locals.t, res.errors),
      });
    }
    return refused(locals.t, res.reason, "settings");
  },
  invite: async ({ request, locals, params }) => {
    const { email, role } = readFields(await request.formData(), {
      email: "email",
      role: "choice",
    });
    const res = await inviteMember(
      locals.app,
      locals.user!,
      params.teamId,
      email,
      role === "owner" ? "owner" : "member",
    );
    if (res.ok) return { section: "invite", invited: res.invite.email };
    if (res.reason === "invalid") {
      return fail(400, {
        section: "invite",
        inviteValues: { email, role },
        inviteErrors: translateRefs(locals.t, res.errors),
      });
    }
    return refused(locals.t, res.reason, "invite");
  },
  resend: async ({ request, locals, params }) => {
    const { id } = readFields(await request.formData(), { id: "id" });
    const res = await resendInvite(locals.app, locals.user!, params.teamId, id);
    return res.ok
      ? { section: "invitations", resent: true }
      : refused(locals.t, res.reason, "invitations");
  },
  revoke: async ({ request, locals, params }) => {
    const { id } = readFields(await request.formData(), { id: "id" });
    const res = await revokeInvite(locals.app, locals.user!, params.teamId, id);
    return res.ok
      ? { section: "invitations", revoked: true }
      : refused(locals.t, res.reason, "invitations");
  },
  role: async ({ request, locals, params }) => {
    const { member, role } = readFields(await request.formData(), { member: "id", role: "choice" });
    if (role !== "owner" && role !== "member") {
      return fail(400, { section: "members", message: locals.t.t("team.err_role") });
    }
    const res = await setMemberRole(locals.app, locals.user!, params.teamId, member, role);
    return res.ok ? { section: "members", saved: true } : refused(locals.t, res.reason, "members");
  },
  weight: async ({ request, locals, params }) => {
    const { member, weight, priority } = readFields(await request.formData(), {
      member: "id",
      weight: "number",
      priority: "number",
    });
    const w = Number(weight);
    const p = Number(priority);
    if (!Number.isInteger(w) || w < 1 || w > 100) {
      return fail(400, {
        section: "members",
        message: locals.t.t("team.err_weight"),
      });
    }
    if (!Number.isInteger(p) || p < 0 || p > 4) {
      return fail(400, { section: "members", message: locals.t.t("team.err_priority") });
    }
    const res = await setMemberWeight(locals.app, locals.user!, params.teamId, member, w, p);
    return res.ok ? { section: "members", saved: true } : refused(locals.t, res.reason, "members");
  },
  /** Deleting the team: confirmed by typing its name; refused while bookings lie ahead. */
  delete: async ({ request, locals, params }) => {
    const { confirm } = readFields(await request.formData(), { confirm: "line" });
    const res = await deleteTeam(locals.app, locals.user!, params.teamId, confirm);
    if (res.ok) redirect(303, "/dashboard/teams?deleted=1");
    if (res.reason === "name_mismatch") {
      return fail(400, { section: "delete", deleteProblem: res.reason, confirm });
    }
    if (res.reason === "upcoming") {
      return fail(409, { section: "delete", deleteProblem: res.reason, upcoming: res.upcoming });
    }
    return refused(locals.t, res.reason, "delete");
  },
  remove: async ({ request, locals, params }) => {
    const { member } = readFields(await request.formData(), { member: "id" });
    const res = await removeMember(locals.app, locals.user!, params.teamId, member);
    if (!res.ok) return refused(locals.t, res.reason, "members");
    if (member === locals.user!.id) redirect(303, "/dashboard/teams?left=1");
    return { section: "members", removed: true, hostless: res.hostless.map((et) => et.title) };
  },
};
