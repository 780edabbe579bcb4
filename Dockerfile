# The engine's worker and API for the production topology in docker-compose.yml. One image,
# two commands, compiled JavaScript on plain node. The Temporal CLI is not needed inside it:
# production talks to a real cluster.

# Build stage: every dependency (TypeScript tooling, esbuild, webpack for the workflow bundle) and
# `npm run build`, which writes dist/: the compiled modules and the prebuilt workflow bundles.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts skips provisioning (the Temporal CLI is for local runs). esbuild ships its
# binary as an optional dependency and needs no script.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build

# Run stage: production dependencies and the build output only, no sources, owned by root and
# run as `node`, so nothing in the image can be written at run time. The worker loads
# dist/workflow-bundle*.js as built (no bundling, no .cache/ at start).
FROM node:20-bookworm-slim
# git drives the rollbacks; procps gives `ps` for process-tree clean-up; tini reaps children.
RUN apt-get update \
  && apt-get install -y --no-install-recommends git procps tini ca-certificates \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY examples ./examples

ENV NODE_ENV=production \
  TEMPORAL_ADDRESS=temporal:7233 \
  TEMPORAL_NAMESPACE=default
USER node
ENTRYPOINT ["/usr/bin/tini", "--"]
# The API: node dist/api/main.js; the CLI: node bin/incident.js (runs dist/cli/main.js).
CMD ["node", "dist/worker/main.js"]
