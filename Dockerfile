# syntax=docker/dockerfile:1
# data-engineer: the GitHub App server. Build: docker build -t data-engineer .
# Run:   docker run -p 3000:3000 -e APP_ID=… -e PRIVATE_KEY="$(cat key.pem)" -e WEBHOOK_SECRET=… data-engineer

ARG NODE_IMAGE=node:24-slim

# 1. Build: all dependencies, compile TypeScript to dist/ and bundle the entry points into
#    dist/bundle/ (esbuild: the server starts from a few files instead of hundreds of modules).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/bundle.js ./scripts/
COPY src ./src
RUN npm run build

# 2. Production dependencies only.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# 3. Runtime: compiled code, production dependencies, the agent definitions and the docs
#    (`/data-engineer explain <rule>` answers with docs/rules/<rule>.md); runs as `node`.
FROM ${NODE_IMAGE} AS runtime
# MALLOC_ARENA_MAX=2: glibc gives each thread (the analysis and replay workers) malloc arenas of
# its own, and memory freed in them stays with the process; two arenas took ~5 MB off the
# 5,000-statement review's peak (bench:server).
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    HOST=0.0.0.0 \
    PORT=3000 \
    LOG_FORMAT=json \
    DATA_DIR=/data
WORKDIR /app
# The embedded job store (one replica); mount a volume here so queued reviews survive a restart.
# With REDIS_URL set, jobs live in Redis and this directory stays empty.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json app.yml ./
COPY --chown=node:node agents ./agents
COPY --chown=node:node docs ./docs
# V8's compile cache, filled once here: a container starts with an empty /tmp, and compiling the
# bundle and its packages again cost ~0.25 s of CPU before /readyz (bench:server). The server
# exits at its environment check, after every module it loads at start is compiled and cached.
ENV NODE_COMPILE_CACHE=/app/.node-compile-cache
RUN mkdir -p /app/.node-compile-cache && chown node:node /app/.node-compile-cache
USER node
RUN node --liftoff-only --max-semi-space-size=4 dist/bundle/start-server.js >/dev/null 2>&1; test -n "$(ls -A /app/.node-compile-cache)"
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM: stop taking webhooks, let running reviews finish (SHUTDOWN_GRACE_SECONDS, 20 by
# default, then 5 s for aborted ones to settle), queue the rest again: docker stop -t 30.
STOPSIGNAL SIGTERM
# --liftoff-only: WebAssembly (libpg-query, PGlite) is never recompiled by TurboFan (README,
# "Performance"). --max-semi-space-size=4: V8's young generation stays at 3 × 4 MiB instead of
# growing to 192 MiB while a review allocates (the first large review's peak: README, "Deployment").
CMD ["node", "--liftoff-only", "--max-semi-space-size=4", "dist/bundle/start-server.js"]
