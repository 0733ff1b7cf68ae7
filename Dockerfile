# Two images from one build: `tools` (the operator CLI: certificates, `db setup` and its
# migrations, the seed) and the apps' image (the last stage, the default), which holds no
# TypeORM: the apps serve from `pg` pools and never migrate. docker-compose.yml picks the image
# and the entry point of each service.
FROM node:24.22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
# Production dependencies only: no embedded PostgreSQL, compilers or test tools, and not the
# pinned Node of package.json's optionalDependencies (the image's own Node is the same line).
RUN npm run build && npm prune --omit=dev --omit=optional
# The apps' dependencies: the tools' without TypeORM and what only it needed.
RUN cp -a node_modules /tools-node_modules \
  && npm uninstall --no-save --omit=dev --omit=optional --ignore-scripts typeorm

FROM node:24.22-bookworm-slim AS base
ENV NODE_ENV=production BIND_HOST=0.0.0.0
WORKDIR /app
# The certificates' and witness volumes start out owned by the apps' user (compose's `pki`
# one-shot writes the CA and each app's folder; the gateway appends to the witness file).
RUN mkdir -p /pki /out/gateway /out/worker /out/population-registry /out/database /out/trust /tls /witness \
  && chown -R node:node /pki /out /tls /witness
COPY --from=build /app/dist ./dist
COPY --from=build /app/proto ./proto
COPY --from=build /app/models ./models
COPY --from=build /app/package.json ./

FROM base AS tools
COPY --from=build /tools-node_modules ./node_modules
USER node
CMD ["node", "dist/tools/cli.js", "--help"]

FROM base AS apps
COPY --from=build /app/node_modules ./node_modules
USER node
CMD ["node", "dist/apps/gateway/src/main.js"]
