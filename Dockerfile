# syntax=docker/dockerfile:1
# The gateway as a container: a static binary (no cgo: the SQLite driver is
# pure Go) on an empty base, run as a non-root user, with a read-only root
# filesystem but for the data directory (the embedded SQLite default; with
# DATABASE_URL nothing is written there).
#
#   docker build -t fx-gateway .
#   docker run --read-only -v fxdata:/data -p 8080:8080 fx-gateway

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/gateway ./cmd/gateway \
 && mkdir -p /out/data /out/etc \
 && echo 'gateway:x:65532:65532:gateway:/data:/sbin/nologin' > /out/etc/passwd \
 && echo 'gateway:x:65532:' > /out/etc/group \
 && cp /etc/ssl/certs/ca-certificates.crt /out/ca-certificates.crt

FROM scratch
COPY --from=build /out/etc/passwd /out/etc/group /etc/
COPY --from=build /out/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/gateway /gateway
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
ENV ADDR=0.0.0.0:8080 DATA_DIR=/data LOG_FORMAT=json
EXPOSE 8080
VOLUME ["/data"]
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 CMD ["/gateway", "healthcheck"]
ENTRYPOINT ["/gateway"]
CMD ["serve"]
