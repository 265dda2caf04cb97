# Container image of the recommendation service: one image runs serve, train, retrain, load and
# score; the command decides. Build stage: Node 24 LTS + Rust build the native addon
# (release), the TypeScript, and the WebAssembly engines of the try-it page (committed, or built); runtime
# stage: slim Node 24 on Debian trixie, production dependencies only, non-root.
# Base images are pinned by tag and overridable: --build-arg NODE_IMAGE=... RUST_IMAGE=... RUNTIME_IMAGE=...
# WASM_TOOLCHAIN=debian (default: Debian bookworm-security's rustc-web, cargo-web, rust-web-src and
# lld-22, std built from its sources offline) or rustup (rustup target add wasm32-unknown-unknown,
# which downloads from static.rust-lang.org).
ARG RUST_IMAGE=rust:1.95.0-slim-bookworm
ARG NODE_IMAGE=node:24.22.3-bookworm
# The runtime is Debian trixie: uWebSockets.js's Node 24 binary (ABI 137) needs glibc ≥ 2.38, and
# bookworm has 2.36 (what the build stage compiles runs on trixie's newer glibc).
ARG RUNTIME_IMAGE=node:24.22.3-trixie-slim

FROM ${RUST_IMAGE} AS rust

FROM ${NODE_IMAGE} AS build
ARG PNPM_VERSION=10.34.9
ARG WASM_TOOLCHAIN=debian
ENV CARGO_HOME=/usr/local/cargo RUSTUP_HOME=/usr/local/rustup PATH=/usr/local/cargo/bin:$PATH CI=true \
    npm_config_nodedir=/usr/local ALS_WASM_TOOLCHAIN=${WASM_TOOLCHAIN}
COPY --from=rust /usr/local/cargo /usr/local/cargo
COPY --from=rust /usr/local/rustup /usr/local/rustup
# npm behind a TLS-intercepting proxy: pass its CA bundle as a BuildKit secret
# (--secret id=npm_ca,src=/path/to/ca.pem); it is mounted for these RUN lines only, never stored in a layer.
RUN --mount=type=secret,id=npm_ca \
    if [ -f /run/secrets/npm_ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/npm_ca; fi \
 && apt-get update \
 && apt-get install -y --no-install-recommends build-essential python3 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && npm install -g "pnpm@${PNPM_VERSION}"
WORKDIR /app
COPY package.json pnpm-lock.yaml ./
RUN --mount=type=secret,id=npm_ca \
    if [ -f /run/secrets/npm_ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/npm_ca; fi \
 && pnpm fetch
COPY . .
# The WASM engines are the committed modules (native/*.wasm), which CI rebuilds from source with the
# pinned Debian toolchain and compares byte for byte (pnpm check:wasm). A context without them
# (e.g. a source archive) builds them here with WASM_TOOLCHAIN: std is compiled from source for
# each variant, so that takes minutes.
RUN if ! { test -f native/als-simd.wasm && test -f native/als.wasm; }; then \
      if [ "$WASM_TOOLCHAIN" = debian ]; then apt-get update \
        && apt-get install -y --no-install-recommends rustc-web cargo-web rust-web-src lld-22 && rm -rf /var/lib/apt/lists/*; \
      else rustup target add wasm32-unknown-unknown; fi; \
    fi
# The install hook (scripts/postinstall.mjs): napi build (release addon -> native/als.<platform>.node),
# tsc -> dist/, and the WASM engines when missing; build:wasm again fails loudly if they still are.
# uWebSockets.js ships its addon for every platform and Node ABI (~180 MB): keep only this one's
# (build and runtime stages run the same Node major).
RUN pnpm install --frozen-lockfile --offline \
 && { test -f native/als-simd.wasm && test -f native/als.wasm || pnpm build:wasm; } \
 && ls native/als.*.node && test -f dist/ts/cli/main.js && test -f native/als-simd.wasm && test -f native/als.wasm \
 && pnpm prune --prod --ignore-scripts \
 && keep="uws_$(node -p 'process.platform + "_" + process.arch + "_" + process.versions.modules').node" \
 && test -n "$(find node_modules/.pnpm -name "$keep")" \
 && find node_modules/.pnpm -name 'uws_*.node' ! -name "$keep" -delete

FROM ${RUNTIME_IMAGE} AS runtime
ENV NODE_ENV=production RECS_MODELS_DIR=/data/models PORT=8080 HOME=/data
WORKDIR /app
RUN groupadd --system --gid 10001 recs \
 && useradd --system --uid 10001 --gid recs --home-dir /data --shell /usr/sbin/nologin recs \
 && mkdir -p /data/models /data/cache \
 && chown -R 10001:10001 /data
COPY --from=build /app/package.json /app/openapi.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/native ./native
COPY --from=build /app/dist ./dist
COPY --from=build /app/web ./web
# The only writable path: models registry, events.sqlite (beside models/), download cache.
ENV RECS_CACHE_DIR=/data/cache
VOLUME ["/data"]
USER 10001:10001
EXPOSE 8080
# The timer: a fetch that never settles must fail the check, not let node exit 0 with nothing to do.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "setTimeout(()=>process.exit(1),2500);fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/ts/cli/main.js"]
CMD ["serve", "--host", "0.0.0.0", "--models-dir", "/data/models", "--shutdown-deadline", "10"]
