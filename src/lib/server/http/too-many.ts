/** The 429 answer: a readable page for people, a small JSON body for scripts; Retry-After always. */
export function tooManyRequests(retryAfterS: number, accept: string): Response {
  const minutes = Math.ceil(retryAfterS / 60);
  const wait = retryAfterS < 90 ? `${retryAfterS} seconds` : `${minutes} minutes`;
  const headers = { "retry-after": String(retryAfterS), "cache-control": "no-store" };
  if (!accept.includes("text/html")) {
    return Response.json({
      message: `Too many requests. Try again in ${wait}.`,
      retryAfter: retryAfterS,
    }, { status: 429, headers });
  }
  const html =
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Too many requests · Invito</title><meta name="color-scheme" content="light dark"></head>
<body style="font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;display:flex;min-height:100vh;align-items:center;justify-content:center;margin:0;padding:16px">
<main style="max-width:28rem;text-align:center"><h1 style="font-size:1.5rem">Too many requests</h1>
<p>That was a lot of requests in a short time. Please try again in ${wait}.</p></main></body></html>`;
  return new Response(html, {
    status: 429,
    headers: { ...headers, "content-type": "text/html; charset=utf-8" },
  });
}
