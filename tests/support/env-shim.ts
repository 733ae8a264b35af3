export const env: Record<string, string | undefined> = Deno.env.toObject();
