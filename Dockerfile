# A Cairn worker for a Temporal cluster: `docker compose up` builds and runs it (see
# docker-compose.yml). It serves the built-in agents, or the config mounted at
# /app/cairn.config.ts; settings come from the environment (README, Environment variables).
FROM node:22-bookworm-slim AS build

WORKDIR /app
# Every workspace's manifest before `npm ci`, so that the dependency layer is cached
# until a manifest or the lock file changes. Scripts wait for the sources: `prepare`
# compiles them.
COPY package.json package-lock.json ./
COPY packages/core/package.json packages/core/
COPY packages/cli/package.json packages/cli/
COPY packages/dev-server/package.json packages/dev-server/
COPY packages/testing/package.json packages/testing/
COPY packages/evals/package.json packages/evals/
COPY agents/package.json agents/
COPY tools/package.json tools/
RUN npm ci --ignore-scripts --no-audit --no-fund

COPY scripts scripts
COPY packages packages
COPY agents agents
COPY tools tools
# Compiled JavaScript (dist/), then the build tools go.
RUN npm rebuild && npm run build && npm prune --omit=dev && npm cache clean --force

FROM node:22-bookworm-slim
WORKDIR /app
COPY --from=build /app /app
ENV NODE_ENV=production CAIRN_HOME=/home/node/.cairn
USER node
CMD ["node", "packages/cli/bin/cairn.js", "worker"]
