/** Account: the host an API key belongs to. */
import * as v from "valibot";
import { DateTime } from "./pieces.ts";

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
