/**
 * A poll page's answers as an invitee gives them: a time's toggle is tapped until it says the
 * answer (No → Yes → If need be → No). Its radios lie under the toggle, so a test that checks
 * one directly clicks what a person cannot.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";

export async function answerPoll(page: Page, i: number, want: "yes" | "maybe" | "no") {
  const radio = page.locator(`input[name="t${i}"][value="${want}"]`);
  for (let n = 0; n < 3 && !(await radio.isChecked()); n++) {
    await page.locator(`[data-testid="poll-time-${i}"]`).click();
  }
  assert.ok(await radio.isChecked(), `time ${i}: ${want} after tapping`);
}
