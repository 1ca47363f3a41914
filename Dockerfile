# Multi-stage build: compile TypeScript, then a slim runtime with production dependencies only.
# (This machine kind has no Docker engine; the file is kept simple and is not built in CI.)
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY simulator ./simulator
RUN npm run build

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY app.yml ./
USER node
EXPOSE 3000
# Migrations run on start-up under a transaction-scoped advisory lock, so replicas may start together.
# The heap bound keeps every instance under 200 MB RSS (measured by `npm run bench`, which starts its
# instances with the same flag: bench/instance-process.ts PRODUCTION_NODE_FLAGS); the app keeps ~32 MB live.
CMD ["node", "--max-old-space-size=96", "dist/src/main.js"]
