# One image for every Loa process; docker-compose.yml picks the command per service.
FROM node:20-bookworm-slim
RUN apt-get update \
  && apt-get install -y --no-install-recommends ffmpeg espeak-ng ca-certificates \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY prisma.config.ts ./
RUN npm ci
COPY . .
RUN npm run web:build
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 LOA_DATA_DIR=/data
EXPOSE 3000
CMD ["npx", "tsx", "server/index.ts"]
