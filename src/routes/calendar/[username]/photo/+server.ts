import { error } from "@sveltejs/kit";
import type { RequestHandler } from "./$types";
import { publicPhoto } from "$lib/server/services/photo.ts";

/** A host's photo: the stored bytes with the type they were sniffed as, never sniffed again. */
export const GET: RequestHandler = async ({ params, locals }) => {
  const photo = await publicPhoto(locals.app, params.username);
  if (!photo) error(404, locals.t.t("photo.none"));
  return new Response(photo.bytes as BodyInit, {
    headers: {
      "content-type": photo.type,
      "content-length": String(photo.bytes.length),
      "x-content-type-options": "nosniff",
      "content-security-policy": "default-src 'none'; sandbox",
      "cache-control": "public, max-age=300",
    },
  });
};
