# Build the PWA, embed it in the Go binary, ship the binary alone.
FROM node:20-bookworm AS pwa
WORKDIR /src
COPY pwa/package.json pwa/package-lock.json pwa/
RUN cd pwa && npm ci --no-audit --no-fund
COPY pwa pwa
COPY backend/internal/web/dist backend/internal/web/dist
RUN cd pwa && npm run build

FROM golang:1.26-bookworm AS go
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY backend backend
COPY docs docs
COPY --from=pwa /src/backend/internal/web/dist backend/internal/web/dist
RUN CGO_ENABLED=0 go build -trimpath -o /minxin ./backend/cmd/minxin

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends wget ca-certificates && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /data minxin && mkdir -p /data && chown minxin /data
COPY --from=go /minxin /usr/local/bin/minxin
USER minxin
EXPOSE 8080
ENTRYPOINT ["minxin"]
CMD ["serve"]
