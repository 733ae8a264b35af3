/**
 * Counts of one read in the singular: a series' insights line and its mail's "N of M dates
 * booked" said "1 dates booked", "1 dates réservées", "1 Termine gebucht", "1 fechas reservadas".
 */
import assert from "node:assert/strict";
import { translator } from "../server/i18n.ts";

const ONE: Record<string, { note: RegExp; mail: RegExp }> = {
  en: {
    note: /^1 series · 1 date booked, 1 still on, 1 cancelled by the guest, 1 by the host$/,
    mail: /^1 of 2 dates of the series booked:$/,
  },
  de: {
    note: /^1 Serie · 1 Termin gebucht, 1 findet statt, 1 vom Gast abgesagt, 1 vom Gastgeber$/,
    mail: /^1 von 2 Terminen der Serie gebucht:$/,
  },
  fr: {
    note: /^1 série · 1 date réservée, 1 maintenue, 1 annulée par l’invité, 1 par l’hôte$/,
    mail: /^1 date réservée sur les 2 de la série\u00a0:$/,
  },
  es: {
    note:
      /^1 serie · 1 fecha reservada, 1 sigue en pie, 1 cancelada por el invitado, 1 por el anfitrión$/,
    mail: /^1 de las 2 fechas de la serie reservada:$/,
  },
};

for (const [lang, want] of Object.entries(ONE)) {
  Deno.test(`catalog ${lang}: a series' counts of one read in the singular (insights line, mail)`, () => {
    const t = translator(lang);
    assert.match(
      t.t("ins.series_note", { series: 1, booked: 1, on: 1, guest: 1, host: 1 }),
      want.note,
    );
    assert.match(t.t("mail.series_booked_of", { booked: 1, count: 2 }), want.mail);
  });
}
