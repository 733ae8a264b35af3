# syntax=docker/dockerfile:1
# Invito: build with Node + Deno from npm, run with Deno. Data lives in the /data volume.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# `npm install`, not `npm ci`: the lockfile omits other platforms' optional binaries (see STACK-NOTES).
RUN npm install --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM debian:bookworm-slim AS runtime
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates tzdata \
  && rm -rf /var/lib/apt/lists/* \
  && useradd --system --uid 10001 --home /app invito \
  && mkdir -p /data && chown invito /data
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/.deno-deploy ./.deno-deploy
COPY --from=build /app/server.ts /app/deno.json /app/package.json ./
COPY --from=build /app/src/lib ./src/lib
USER invito
ENV INVITO_LISTEN_ADDR=:8080 \
    INVITO_DB_PATH=/data/invito.kv \
    DENO_DIR=/tmp/deno \
    NO_COLOR=1
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s \
  CMD ["/app/node_modules/.bin/deno", "eval", "const r = await fetch('http://127.0.0.1:8080/healthz'); Deno.exit(r.ok ? 0 : 1)"]
CMD ["/app/node_modules/.bin/deno", "run", "--allow-net", "--allow-env", "--allow-read", "--allow-write=/data,/tmp", "--allow-sys", "server.ts"]
