/** Account: the host an API key belongs to. */
import * as v from "valibot";
import { d, DateTime } from "./pieces.ts";

export const Me = v.object({
  id: v.string(),
  name: v.string(),
  username: v.string(),
  email: v.string(),
  timeZone: v.string(),
  bookingPage: v.string(),
  apiKey: v.object({
    id: v.string(),
    name: v.string(),
    scopes: v.array(v.picklist(["read", "write"])),
    expiresAt: v.nullable(DateTime),
  }),
});

export const TeamList = v.object({
  data: v.array(v.object({
    id: v.string(),
    slug: v.pipe(v.string(), d("The team's booking pages live at /team/{slug}.")),
    name: v.string(),
    role: v.pipe(
      v.picklist(["owner", "member"]),
      d(
        "Your role: an owner reads every booking of the team and may cancel any of them (a " +
          "seated meeting whole too); a member reads the ones they attend.",
      ),
    ),
  })),
});
