# Container image for the surveillance-registry service.
#
#   docker build -t surveillance-registry .
#   docker run --rm -p 8080:8080 \
#     -e DATABASE_URL=postgres://registry:registry@db:5432/registry \
#     surveillance-registry
#
# The binary links SQLite, libpq and OpenSSL statically (bundled/vendored
# crates), and embeds its migrations, so the runtime stage needs only glibc,
# CA certificates (TLS to PostgreSQL) and curl (for HEALTHCHECK).

########################################################################
# Build stage
########################################################################
FROM rust:1-bookworm AS build

# gcc, make and perl (for vendored OpenSSL, bundled libpq and SQLite) are
# already part of the rust:*-bookworm image.
ENV CARGO_TERM_COLOR=never \
    CARGO_INCREMENTAL=0

WORKDIR /app

# 1. Dependencies only: build the dependency graph against placeholder
#    sources so that this layer stays cached until Cargo.toml/Cargo.lock
#    change.
COPY Cargo.toml Cargo.lock ./
RUN mkdir -p src \
 && echo 'fn main() {}' > src/main.rs \
 && : > src/lib.rs \
 && cargo build --release --locked \
 && rm -rf src

# 2. The real sources. `COPY . .` brings src/, migrations/ (embedded at
#    compile time by diesel_migrations), openapi/ and anything else the
#    build reads; .dockerignore keeps target/, .git/ and the like out.
COPY . .

# COPY keeps the build context's mtimes, which may be older than the
# placeholder artifacts from step 1; touch forces cargo to rebuild the crate.
RUN touch src/main.rs src/lib.rs \
 && cargo build --release --locked \
 && install -D -m 0755 target/release/surveillance-registry /out/surveillance-registry \
 && strip /out/surveillance-registry

########################################################################
# Runtime stage
########################################################################
FROM debian:bookworm-slim AS runtime

# Versions are not pinned: bookworm-slim only gets security fixes, and pins
# would break the build whenever Debian rotates a point release.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/*

# Unprivileged user; its home is the working directory, so a relative SQLite
# DATABASE_URL (e.g. registry.db) is writable there.
RUN groupadd --system --gid 10001 registry \
 && useradd --system --uid 10001 --gid registry \
      --home-dir /var/lib/surveillance-registry --create-home \
      --shell /usr/sbin/nologin registry

COPY --from=build /out/surveillance-registry /usr/local/bin/surveillance-registry

# The vendored OpenSSL looks for CA certificates under its own build prefix
# (/usr/local/ssl), not Debian's; point it at the ca-certificates bundle so
# TLS to PostgreSQL (e.g. sslrootcert=system) can verify the server.
ENV REGISTRY_HOST=0.0.0.0 \
    REGISTRY_PORT=8080 \
    REGISTRY_LOG_FORMAT=json \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    SSL_CERT_DIR=/etc/ssl/certs

USER 10001:10001
WORKDIR /var/lib/surveillance-registry

EXPOSE 8080

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["sh", "-c", "curl -fsS -o /dev/null \"http://127.0.0.1:${REGISTRY_PORT:-8080}/healthz\" || exit 1"]

ENTRYPOINT ["/usr/local/bin/surveillance-registry"]
CMD ["serve"]
