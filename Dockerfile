# A Cairn worker for a Temporal cluster: `docker compose up` builds and runs it (see
# docker-compose.yml). It serves the built-in agents, or the config mounted at
# /app/cairn.config.ts; settings come from the environment (README, Environment variables).
FROM node:22-bookworm-slim

WORKDIR /app
# Every workspace's manifest before `npm ci`, so that the dependency layer is cached
# until a manifest or the lock file changes.
COPY package.json package-lock.json ./
COPY packages/core/package.json packages/core/
COPY packages/cli/package.json packages/cli/
COPY packages/dev-server/package.json packages/dev-server/
COPY packages/testing/package.json packages/testing/
COPY agents/package.json agents/
COPY tools/package.json tools/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY packages packages
COPY agents agents
COPY tools tools

ENV NODE_ENV=production CAIRN_HOME=/home/node/.cairn
USER node
CMD ["node", "packages/cli/bin/cairn.js", "worker"]
