/**
 * A poll page's answers as an invitee gives them: a time's toggle is tapped until it says the
 * answer (No → Yes → If need be → No). Its radios lie under the toggle, so a test that checks
 * one directly clicks what a person cannot.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";

export async function answerPoll(page: Page, i: number, want: "yes" | "maybe" | "no") {
  const radio = page.locator(`input[name="t${i}"][value="${want}"]`);
  const answer = () =>
    page.evaluate(
      (name) =>
        document.querySelector<HTMLInputElement>(`input[name="${name}"]:checked`)?.value ?? null,
      `t${i}`,
    );
  for (let n = 0; n < 3 && !(await radio.isChecked()); n++) {
    const before = await answer();
    await page.locator(`[data-testid="poll-time-${i}"]`).click();
    // Each tap is waited for before the next is decided on: a tap whose effect had not shown
    // when the radio was read would be followed by another, past the answer (the likeliest
    // reading of "time 0: yes after tapping" in a full run on a loaded box, 2026-11-30).
    await page.waitForFunction(
      ([name, was]) =>
        document.querySelector<HTMLInputElement>(`input[name="${name}"]:checked`)?.value !== was,
      [`t${i}`, before] as const,
      { timeout: 10_000 },
    ).catch(() => {});
  }
  assert.ok(await radio.isChecked(), `time ${i}: ${want} after tapping`);
}
