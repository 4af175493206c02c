# otpledger, production image: the same steps as test/build/packedTarball.test.ts (build, npm pack, install
# the tarballs with production dependencies only, run dist/ with plain node), in three stages.
#   docker build -t otpledger .
#   docker run -p 8080:8080 -e OTPLEDGER_ISSUER=https://auth.example.com \
#     -e OTPLEDGER_MASTER_KEY_FILE=/run/secrets/master_key -e OTPLEDGER_HMAC_KEY_FILE=/run/secrets/hmac_key \
#     -e OTPLEDGER_SIGNING_KEY_FILE=/run/secrets/signing_key -v otpledger-data:/var/lib/otpledger otpledger
# By default it runs config/production.example.json: no dev outbox, no demo tenant, metrics on their own port
# (9464), and the three secrets required (from the environment or <NAME>_FILE): without them it exits 1 naming
# each missing one. docker-compose.yml runs the demo config instead, explicitly.

# 1. build: every dependency, compile to dist/, pack the kit and the server as npm would publish them
FROM node:20-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
COPY packages/plugin-kit/package.json packages/plugin-kit/
RUN npm ci --ignore-scripts
COPY . .
RUN npm rebuild better-sqlite3 \
 && npm run build \
 && npm pack --ignore-scripts --pack-destination /packages \
 && npm pack --ignore-scripts --workspace @otpledger/plugin-kit --pack-destination /packages

# 2. production dependencies only, installed from the tarballs (better-sqlite3 compiled for this image)
FROM node:20-bookworm-slim AS install
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /packages /packages
RUN echo '{ "name": "otpledger-image", "private": true, "type": "module" }' > package.json \
 && npm install --omit=dev --no-audit --no-fund /packages/otpledger-plugin-kit-*.tgz /packages/otpledger-[0-9]*.tgz \
 && npm cache clean --force

# 3. runtime: no compiler, no npm cache, no devDependencies, not root
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    OTPLEDGER_DATA_DIR=/var/lib/otpledger \
    OTPLEDGER_CONFIG=/app/node_modules/otpledger/config/production.example.json
WORKDIR /app
COPY --from=install /app /app
RUN mkdir -p /var/lib/otpledger && chown node:node /var/lib/otpledger
USER node
VOLUME ["/var/lib/otpledger"]
EXPOSE 8080 9464
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "node_modules/otpledger/dist/core/main.js"]
