# The engine's worker and API for the production topology in docker-compose.yml. One image,
# two commands. The Temporal CLI is not needed inside it: production talks to a real cluster.
FROM node:20-bookworm-slim

# git drives the rollbacks; procps gives `ps` for process-tree clean-up; tini reaps children.
RUN apt-get update \
  && apt-get install -y --no-install-recommends git procps tini ca-certificates \
  && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts skips provisioning: the Temporal CLI is for local runs, a container talks to a
# cluster. (esbuild, used by tsx, ships its binary as an optional dependency and needs no script.)
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY bin ./bin
COPY src ./src
COPY examples ./examples
COPY tsconfig.json ./

ENV NODE_ENV=production \
  TEMPORAL_ADDRESS=temporal:7233 \
  TEMPORAL_NAMESPACE=default
USER node
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--import", "tsx", "src/worker/main.ts"]
