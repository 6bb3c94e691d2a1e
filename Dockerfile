# syntax=docker/dockerfile:1
# Build stage: compile the native addons (@discordjs/opus, sqlite3) against this Node.
FROM node:22-bookworm-slim AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund

# Run stage: no compilers, a non-root user, TypeScript run directly by Node's type stripping.
FROM node:22-bookworm-slim
ENV NODE_ENV=production STORE_URL=sqlite:///app/data/voicebot.sqlite
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY package.json ./
COPY commands ./commands
COPY src ./src
RUN mkdir -p /app/data && chown node:node /app/data
USER node
VOLUME ["/app/data"]
CMD ["node", "src/main.ts"]
