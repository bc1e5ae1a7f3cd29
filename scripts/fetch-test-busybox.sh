#!/bin/bash
# Fetch the static busybox of another architecture, for that architecture's boot tests: the
# test root (tests/boot/make_test_root.py) and rescue shells run it inside the guest, so it must
# be the guest's, not the build machine's.
#
#   fetch-test-busybox.sh CACHE_DIR ARCH
#
# Downloads busybox-static:ARCH (apt-get download; ARCH must be in dpkg
# --print-foreign-architectures and apt's lists current) and unpacks it into CACHE_DIR.
# Results: CACHE_DIR/version (the package version, written last), CACHE_DIR/bin/busybox.
# Idempotent: does nothing when that version is already there.
set -euo pipefail

prog=${0##*/}
die() { echo "$prog: error: $*" >&2; exit 1; }
log() { echo "$prog: $*"; }

[ $# -eq 2 ] || die "usage: $prog CACHE_DIR ARCH"
cache=$1
arch=$2
for tool in apt-cache apt-get dpkg-deb; do
    command -v "$tool" >/dev/null || die "$tool not found (this needs a Debian system)"
done

version=$(apt-cache policy "busybox-static:$arch" 2>/dev/null | sed -n 's/^ *Candidate: *//p' | head -n 1)
if [ -z "$version" ] || [ "$version" = "(none)" ]; then
    die "no busybox-static:$arch known to apt: dpkg --add-architecture $arch, then apt-get update"
fi

if [ -f "$cache/version" ] && [ "$(cat "$cache/version")" = "$version" ] && [ -x "$cache/bin/busybox" ]; then
    log "busybox-static:$arch $version already in $cache"
    exit 0
fi

mkdir -p "$cache" || die "cannot create $cache"
cache=$(cd "$cache" && pwd)
rm -f "$cache/version"
tmp="$cache/tmp.$$"
rm -rf "$tmp" && mkdir -p "$tmp/root"
trap 'rm -rf "$tmp"' EXIT

log "downloading busybox-static:$arch $version"
# As root into our own folder: apt's _apt sandbox user could not write there.
(cd "$tmp" && apt-get download -o APT::Sandbox::User=root "busybox-static:$arch=$version") \
    || die "apt-get download busybox-static:$arch failed (network? run 'apt-get update'?)"
deb=$(find "$tmp" -maxdepth 1 -name "busybox-static_*_$arch.deb" | head -n 1)
[ -n "$deb" ] || die "apt-get download did not produce busybox-static_*_$arch.deb"
dpkg-deb -x "$deb" "$tmp/root" || die "dpkg-deb -x $deb failed"
[ -f "$tmp/root/bin/busybox" ] || die "busybox-static:$arch has no /bin/busybox"

rm -rf "${cache:?}/bin"
mkdir -p "$cache/bin"
mv "$tmp/root/bin/busybox" "$cache/bin/busybox"
chmod 0755 "$cache/bin/busybox"
echo "$version" > "$cache/version"
log "busybox-static:$arch $version ready: $cache/bin/busybox"
