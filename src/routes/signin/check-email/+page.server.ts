import type { PageServerLoad } from "./$types";

export const load: PageServerLoad = ({ locals }) => ({
  signupOpen: locals.app.config.signup.open,
});
