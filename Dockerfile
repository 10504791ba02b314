# syntax=docker/dockerfile:1
# One image for the API and the worker (docker-compose.yml runs it twice with different commands).
# Debian, not Alpine: the Temporal SDK's native core ships glibc builds only.
# Node 24, the current LTS line (the code also runs on Node 20, where CI tests it). For fully
# reproducible builds, pin NODE_IMAGE to a digest (node:24-bookworm-slim@sha256:...).
ARG NODE_IMAGE=node:24-bookworm-slim

# ---- build: compile TypeScript to dist/, bundle the workflow code once, build the portal ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# scripts/bundle-workflows.ts writes the bundle here; the runtime stage reads it from the same path.
ENV WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
# Exactly what tsconfig.build.json compiles (test/infra/compose.test.ts keeps the two in step).
COPY tsconfig.json tsconfig.build.json ./
COPY workflows ./workflows
COPY activities ./activities
COPY api ./api
COPY worker ./worker
COPY common ./common
COPY scripts ./scripts
# The portal's sources: `npm run build` bundles them into web/dist (scripts/build-portal.ts).
COPY web ./web
RUN npm run build

# ---- runtime: production dependencies only (no tsx, no TypeScript), compiled code, the bundle,
# config; non-root ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js \
    API_HOST=0.0.0.0 \
    API_PORT=3000 \
    DATA_DIR=/app/data
WORKDIR /app
# jemalloc instead of glibc's malloc: the worker's native side (the SDK's Rust core) allocates from
# many threads, and glibc's per-thread arenas keep what they once held. With jemalloc the worker's
# memory per cached workflow is about half (`npm run bench`, P4, in README "Performance"). One
# path on every architecture, so LD_PRELOAD is the same everywhere (.ci/run makes the same link).
RUN apt-get update && apt-get install -y --no-install-recommends libjemalloc2 && rm -rf /var/lib/apt/lists/* && \
    ln -s "$(ls /usr/lib/*-linux-gnu/libjemalloc.so.2)" /usr/local/lib/libjemalloc.so.2
ENV LD_PRELOAD=/usr/local/lib/libjemalloc.so.2
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# api/portal.ts serves ../web/dist from the compiled api/, i.e. dist/web/dist.
COPY --from=build /app/web/dist ./dist/web/dist
COPY config ./config
# Owned by `node` so that a fresh named volume mounted here (it copies this directory's owner)
# is writable by the app.
RUN mkdir -p /app/data/documents && chown -R node:node /app/data
USER node
EXPOSE 3000
# No curl in the slim image: Node's fetch. The worker service disables this check.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.API_PORT || 3000) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/api/main.js"]
