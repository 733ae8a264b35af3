# syntax=docker/dockerfile:1
# Invito: build with Node + Deno from npm, run with Deno alone. Data lives in the /data volume.
#
# What the runtime stage contains is decided by scripts/assemble-runtime.sh (one COPY below);
# tests/ops/docker-runtime.test.ts runs that script, then this file's ENV, CMD and HEALTHCHECK,
# outside Docker, and boots the result to a booking page.

FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# `npm install`, not `npm ci`: the lockfile omits other platforms' optional binaries (see STACK-NOTES).
RUN npm install --no-audit --no-fund
COPY . .
RUN npm run build && bash scripts/assemble-runtime.sh /runtime

FROM debian:bookworm-slim AS runtime
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates tzdata \
  && rm -rf /var/lib/apt/lists/* \
  && useradd --system --uid 10001 --no-create-home --home-dir /nonexistent invito \
  && mkdir -p /data && chown invito /data
COPY --from=build /runtime /app
WORKDIR /app
USER invito
ENV INVITO_LISTEN_ADDR=:8080 \
    INVITO_DB_PATH=/data/invito.kv \
    INVITO_BACKUP_DIR=/data/backups \
    DENO_DIR=/tmp/deno \
    NO_COLOR=1
VOLUME ["/data"]
EXPOSE 8080
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["/app/bin/deno", "run", "--quiet", "--allow-net", "--allow-env", "scripts/healthcheck.ts"]
CMD ["/app/bin/deno", "run", "--v8-flags=--max-semi-space-size=4", "--no-code-cache", "--allow-net", "--allow-env", "--allow-read", "--allow-write=/data,/tmp", "--allow-sys", "server.ts"]
