import { fail } from "@sveltejs/kit";
import * as v from "valibot";
import type { Actions, PageServerLoad } from "./$types";
import { backupNow, instanceOverview, sendTestMail } from "$lib/server/services/admin-instance.ts";
import { EmailForm, fieldErrors } from "$lib/shared/forms/common.ts";
import { readField } from "$lib/shared/field-bounds.ts";

export const load: PageServerLoad = async ({ locals }) => ({
  overview: await instanceOverview(locals.app),
});

export const actions: Actions = {
  mailTest: async ({ request, locals }) => {
    const { t } = locals;
    const form = await request.formData();
    const parsed = v.safeParse(EmailForm, { email: form.get("email") ?? "" });
    if (!parsed.success) {
      return fail(400, {
        mailTo: readField(form, "email", "email"),
        mailErrors: fieldErrors(parsed.issues, t),
      });
    }
    const r = await sendTestMail(locals.app, locals.user, parsed.output.email);
    if (!r.ok) {
      return fail(502, {
        mailTo: parsed.output.email,
        mailFailedKind: r.kind,
        mailFailed: r.detail,
      });
    }
    if (r.logged) return { mailTo: parsed.output.email, mailLogged: true };
    return { mailTo: parsed.output.email, mailSent: r.response };
  },
  backup: async ({ locals }) => {
    const r = await backupNow(locals.app, locals.user);
    if (!r.ok) {
      return fail(r.reason === "no_dir" ? 409 : 503, {
        backupFailed: r.reason === "no_dir" ? locals.t.t("admin.backup_no_dir") : r.detail,
      });
    }
    return { backupDone: locals.t.t("admin.backup_done", { entries: r.result.entries ?? 0 }) };
  },
};
