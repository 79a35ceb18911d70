# syntax=docker/dockerfile:1
# Build: bundle src/ into dist/ (esbuild, `npm run build`: scripts/build.mjs) with the root's full
# dependency tree (not the sandbox workspace's). The bundle holds the packages the start-up loads; those
# loaded on first use stay external, installed below.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --workspaces=false --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/build.mjs ./scripts/
COPY src ./src
RUN npm run build

# Runtime: production dependencies (scripts/runtime-deps.sh), compiled code, migrations and the example
# policy only. No TypeScript runner, no sandbox, no sources: bin/eafix.js runs dist/ with plain Node.
FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production PORT=3000
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts/runtime-deps.sh ./scripts/
RUN ./scripts/runtime-deps.sh
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY migrations ./migrations
COPY config ./config
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Role: web (Slack HTTP + health), worker (jobs), or all.
ENTRYPOINT ["node", "bin/eafix.js"]
CMD ["all"]
