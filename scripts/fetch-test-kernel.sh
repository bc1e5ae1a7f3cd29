#!/bin/bash
# Fetch the Debian kernel that the QEMU boot tests run under.
#
#   fetch-test-kernel.sh CACHE_DIR [ARCH]
#
# ARCH (a Debian architecture, default the host's): amd64, arm64 or i386. Downloads the package
# that linux-image-FLAVOUR:ARCH depends on (amd64 -> linux-image-amd64 -> e.g.
# linux-image-6.1.0-56-amd64; arm64 -> linux-image-arm64; i386 -> linux-image-686, Debian's
# kernel for i686 and later; a foreign ARCH needs dpkg --add-architecture ARCH and apt-get update),
# unpacks it into CACHE_DIR/root/ and runs depmod there (the package ships no modules.dep).
# Results: CACHE_DIR/version, CACHE_DIR/root/boot/vmlinuz-VERSION, CACHE_DIR/root/lib/modules/VERSION/.
# Idempotent: does nothing when that version is already complete. Needs `apt-get update` done.
set -euo pipefail

prog=${0##*/}
die() { echo "$prog: error: $*" >&2; exit 1; }
log() { echo "$prog: $*"; }

if [ $# -lt 1 ] || [ $# -gt 2 ]; then die "usage: $prog CACHE_DIR [ARCH]"; fi
cache=$1
arch=${2:-$(dpkg --print-architecture)}
case "$arch" in
    amd64|arm64) meta=linux-image-$arch ;;
    i386) meta=linux-image-686 ;;
    *) die "architecture $arch: this script knows amd64, arm64 and i386" ;;
esac

# depmod lives in /sbin, which a non-login root shell may not have in PATH.
export PATH="$PATH:/usr/sbin:/sbin"
for tool in apt-cache apt-get dpkg-deb; do
    command -v "$tool" >/dev/null || die "$tool not found (this needs a Debian system)"
done
# depmod comes from kmod, which minimal and container installs may lack.
if ! command -v depmod >/dev/null; then
    [ "$(id -u)" -eq 0 ] || die "depmod not found: install the kmod package (apt-get install kmod)"
    log "depmod missing, installing kmod"
    apt-get install -y --no-install-recommends kmod >/dev/null || die "could not install kmod (for depmod)"
fi

# "Depends: linux-image-6.1.0-56-amd64" -> linux-image-6.1.0-56-amd64 (apt-cache prints a
# foreign architecture's dependency as linux-image-6.1.0-56-arm64:arm64)
pkg=$(apt-cache depends "$meta:$arch" 2>/dev/null \
      | sed -n 's/^ *Depends: \(linux-image-[0-9][^ :]*\)\(:[a-z0-9]*\)\?$/\1/p' | head -n 1) || true
[ -n "$pkg" ] || die "cannot find the kernel package behind $meta:$arch; run 'apt-get update' first" \
    "(and, for a foreign architecture, dpkg --add-architecture $arch)"
kver=${pkg#linux-image-}

# The version file is written last, so its presence means a complete earlier run.
if [ -f "$cache/version" ] && [ "$(cat "$cache/version")" = "$kver" ] \
   && [ -f "$cache/root/boot/vmlinuz-$kver" ] && [ -f "$cache/root/lib/modules/$kver/modules.dep" ]; then
    log "kernel $kver already in $cache"
    exit 0
fi

mkdir -p "$cache" || die "cannot create $cache"
cache=$(cd "$cache" && pwd)
rm -f "$cache/version"
tmp="$cache/tmp.$$"
rm -rf "$tmp" && mkdir -p "$tmp/root"
trap 'rm -rf "$tmp"' EXIT

log "downloading $pkg:$arch"
# Download as root into our own directory: skip apt's _apt sandbox, which cannot write there.
(cd "$tmp" && apt-get download -o APT::Sandbox::User=root "$pkg:$arch") \
    || die "apt-get download $pkg:$arch failed (network? run 'apt-get update'?)"
deb=$(find "$tmp" -maxdepth 1 -name "${pkg}_*.deb" | head -n 1)
[ -n "$deb" ] || die "apt-get download did not produce ${pkg}_*.deb"

log "unpacking into $cache/root"
dpkg-deb -x "$deb" "$tmp/root" || die "dpkg-deb -x $deb failed"
rm -f "$deb"
[ -f "$tmp/root/boot/vmlinuz-$kver" ] || die "$pkg has no boot/vmlinuz-$kver"
[ -d "$tmp/root/lib/modules/$kver" ] || die "$pkg has no lib/modules/$kver"

log "running depmod for $kver"
depmod -b "$tmp/root" "$kver" || die "depmod -b $tmp/root $kver failed"

rm -rf "$cache/root"
mv "$tmp/root" "$cache/root"
echo "$kver" > "$cache/version"
log "kernel $kver ready: $cache/root/boot/vmlinuz-$kver"
