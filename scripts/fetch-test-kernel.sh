#!/bin/bash
# Fetch the Debian kernel that the QEMU boot tests run under.
#
#   fetch-test-kernel.sh CACHE_DIR
#
# Downloads the package that linux-image-amd64 depends on (e.g. linux-image-6.1.0-56-amd64),
# unpacks it into CACHE_DIR/root/ and runs depmod there (the package ships no modules.dep).
# Results: CACHE_DIR/version, CACHE_DIR/root/boot/vmlinuz-VERSION, CACHE_DIR/root/lib/modules/VERSION/.
# Idempotent: does nothing when that version is already complete. Needs `apt-get update` done.
set -euo pipefail

prog=${0##*/}
die() { echo "$prog: error: $*" >&2; exit 1; }
log() { echo "$prog: $*"; }

[ $# -eq 1 ] || die "usage: $prog CACHE_DIR"
cache=$1

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

# "Depends: linux-image-6.1.0-56-amd64" -> linux-image-6.1.0-56-amd64
pkg=$(apt-cache depends linux-image-amd64 2>/dev/null \
      | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1) || true
[ -n "$pkg" ] || die "cannot find the kernel package behind linux-image-amd64; run 'apt-get update' first"
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

log "downloading $pkg"
# Download as root into our own directory: skip apt's _apt sandbox, which cannot write there.
(cd "$tmp" && apt-get download -o APT::Sandbox::User=root "$pkg") \
    || die "apt-get download $pkg failed (network? run 'apt-get update'?)"
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
