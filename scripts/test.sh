#!/usr/bin/env bash
# One command runs every test tier: unit, cli, boot (QEMU). Rebuilds first so the tests never
# run stale binaries (nor a stale package: build-package.sh rebuilds it only when a source is
# newer); ends with CTest's summary line. Extra arguments go to ctest (e.g. -L unit).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --build build
scripts/build-package.sh
# The arm64 and i386 packages (cli.package_contents_ARCH; boot.arm64_* and boot.i386_* boot the
# /init they hold).
for arch in arm64 i386; do scripts/build-package.sh --arch "$arch"; done
# Three at a time on CI's two cores: many tests spend most of their time waiting (a lease held
# 40-70 s in an idle guest, a DHCP or NFS server that answers late or never, a shutdown), and a
# third runs in those gaps. The tests that change one image hold its RESOURCE_LOCK.
exec ctest --test-dir build --output-on-failure --parallel 3 "$@"
