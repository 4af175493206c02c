# otpledger: runs the TypeScript sources with tsx (`npm start`), as in development.
# Keep node_modules/ and data/ out of the build context (.dockerignore), or `COPY . .` below would
# overwrite the container's dependencies with the host's.
FROM node:20-bookworm-slim

# better-sqlite3 (the embedded event store) compiles from source when no prebuilt binary matches.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
RUN chown node:node /app
USER node

# Dependencies first: this layer is rebuilt only when the lockfile or the plugin kit changes. The kit is an
# npm workspace that `npm ci` links and builds (the root `prepare` script), so its folder comes along.
COPY --chown=node:node package.json package-lock.json ./
COPY --chown=node:node packages/ ./packages/
RUN npm ci

COPY --chown=node:node . .

ENV HOST=0.0.0.0 \
    PORT=8080
EXPOSE 8080
CMD ["npm", "start"]
