/** The one Auth.js instance; routes use its signIn/signOut actions, hooks use its handle. */
import { getApp } from "./app.ts";
import { createAuth } from "./integrations/auth.ts";

export const auth = createAuth(getApp);
