# syntax=docker/dockerfile:1
# Worker image: glibc-based Node 20 (the Temporal SDK's native core bridge ships glibc builds;
# Alpine/musl is not supported), production dependencies only, workflow code bundled at build time.
#
# TypeScript at run time: the sources run as they do locally, through the `tsx` loader, which is
# installed outside the app's dependency tree (/opt/tsx, the exact version package-lock.json pins),
# so the app's node_modules is `npm prune --omit=dev` output and nothing else. No webpack runs at
# start-up: WORKFLOW_BUNDLE_PATH points at the bundle built below.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV CI=true NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
COPY package.json package-lock.json ./
RUN npm ci
# Sources: .dockerignore is an allow-list (config, db, workflows, activities, domain, adapters, worker,
# process, temporal, client).
COPY . .
# Pre-bundle the workflow code (webpack) once, here, instead of at every worker start.
RUN npx tsx worker/workflow-bundle.ts /app/dist/workflow-bundle.js \
 && test -s /app/dist/workflow-bundle.js
# The run-time TypeScript loader, pinned to the lockfile's version, in its own prefix.
RUN TSX_VERSION="$(node -p "require('./package-lock.json').packages['node_modules/tsx'].version")" \
 && npm install --prefix /opt/tsx --omit=dev --no-save "tsx@${TSX_VERSION}" \
 && test -f /opt/tsx/node_modules/tsx/dist/loader.mjs
RUN npm prune --omit=dev && npm cache clean --force

# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js \
    METRICS_PORT=9464 \
    NODE_OPTIONS="--import=/opt/tsx/node_modules/tsx/dist/loader.mjs"
WORKDIR /app
COPY --from=build /opt/tsx /opt/tsx
# Sources, dist/workflow-bundle.js and the pruned (production-only) node_modules.
COPY --from=build /app /app
# The image's `node` user (uid 1000), never root. OFFBOARDING_DATA_DIR only matters without
# SMTP_URL (emails written as files); give it a writable place.
RUN mkdir -p /var/lib/offboarding && chown node:node /var/lib/offboarding
ENV OFFBOARDING_DATA_DIR=/var/lib/offboarding
USER node
# 9464: the worker's metrics; 3000: the web app (the same image, command node client/web/main.ts).
EXPOSE 9464 3000
# The worker drains in-flight tasks on SIGTERM (about 20 s); compose's stop_grace_period is longer.
STOPSIGNAL SIGTERM
# Node is PID 1 and handles SIGTERM itself (worker/main.ts); `init: true` in compose adds tini.
CMD ["node", "worker/main.ts"]
