# Rotor: build with dev dependencies, run with production ones only.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Workspaces (the @rotor/verify package Rotor imports its token rules from; @rotor/client, which the image does not
# run but the lockfile lists): manifests first, for the layer cache.
COPY packages/verify/package.json ./packages/verify/
COPY packages/client/package.json ./packages/client/
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY packages/verify/tsconfig.build.json ./packages/verify/
COPY packages/verify/src ./packages/verify/src
COPY packages/client/tsconfig.build.json ./packages/client/
COPY packages/client/src ./packages/client/src
COPY scripts ./scripts
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# node_modules/@rotor/verify links here.
COPY --from=build /app/packages/verify/package.json ./packages/verify/
COPY --from=build /app/packages/verify/dist ./packages/verify/dist
# Read at boot (common-password list); resolved relative to the package root from dist/.
COPY data ./data
# Where the compose stack's k6 profile has `rotor seed` write its file: a new volume mounted here takes this owner.
RUN mkdir k6-seed && chown node:node k6-seed
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:3000/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/server.js"]
