#!/usr/bin/env bash
# One command runs every test tier: unit, cli, boot (QEMU). Rebuilds first so the tests never
# run stale binaries (nor a stale package: build-package.sh rebuilds it only when a source is
# newer); ends with CTest's summary line. Extra arguments go to ctest (e.g. -L unit).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --build build
scripts/build-package.sh
# The arm64 and i386 /init (boot.arm64_*, boot.i386_*) and packages (cli.package_contents_ARCH,
# boot.arm64_mkinitramfs_initrd), once scripts/setup.sh has made their builds.
for arch in arm64 i386; do
  if [ -d "build-$arch" ]; then
    cmake --build "build-$arch"
    scripts/build-package.sh --arch "$arch"
  else
    echo "test.sh: no build-$arch/: run scripts/setup.sh for the $arch tests" >&2
  fi
done
exec ctest --test-dir build --output-on-failure --parallel 2 "$@"
