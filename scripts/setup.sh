#!/usr/bin/env bash
# One command sets up everything on Debian 12: the packages the build and every test tier need,
# the kernel the boot tests run, the C++ runtime for musl (built once, cached in .cache/), and every
# build flavour (host, static glibc release, static musl release) in build/; then the arm64 and
# i386 test kernels and busybox (.cache/kernel-ARCH/, .cache/busybox-ARCH/) and the packages
# (build/deb/ARCH/; the arm64 and i386 ones cross-build the glibc /init of that architecture).
# Idempotent: a second run installs nothing and only rebuilds what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

# Why each package is here:
#   g++ cmake ninja-build  the build (g++ 12 for -std=c++2b / std::expected)
#   catch2                 unit tests (Catch2 v2)
#   qemu-system-x86        boot tests: the real /init under a real kernel (-accel tcg)
#   busybox-static         the harness self-test's init and the rescue shell in test initrds
#   python3                the boot harness (cpio writer, QEMU runner)
#   file                   checks the release binary is statically linked
#   kmod                   depmod for the test kernel's modules
#   clang-16 libclang-rt-16-dev   libFuzzer targets (clang 14 cannot compile <expected>)
#   libmount-dev           the reference our mount option splitter is tested against
#   iproute2 dnsmasq-base isc-dhcp-server  DHCP integration tests in network namespaces
#   nfs-ganesha nfs-ganesha-vfs rpcbind    the NFS server of the full-boot tests (started by them)
#   initramfs-tools zstd   the real mkinitramfs with our hook, in a boot test
#   pxelinux syslinux-common ipxe-qemu  the PXE chain boot test: pxelinux.0, ldlinux.c32, NIC ROMs
#   debootstrap            the Debian (systemd) root of the Debian boot tests (cached; built below)
#   groff shellcheck       check the man pages and the shell scripts (hook, image tool) in the cli tests
#   musl-dev musl-tools    the musl flavour of the /init: musl's headers, libc.a, crt files, musl-gcc
#   gcc-12-source make     GCC 12's sources: libstdc++ built for musl (Debian ships none) with
#                          make, by scripts/build-musl-runtime.sh into .cache/musl-runtime/
#   debhelper dpkg-dev lintian  the Debian package (scripts/build-package.sh: dpkg-buildpackage,
#                          dh with CMake, lintian), which the Debian boot tests install with apt
# and for arm64 and i386 (dpkg --add-architecture, below; README "arm64 and i386"):
#   crossbuild-essential-arm64 crossbuild-essential-i386  g++-12 cross compilers and the
#                          target's libc6-dev/libstdc++-12-dev (cmake/toolchains/, dpkg-buildpackage -a)
#   qemu-system-arm        qemu-system-aarch64 for the arm64 boot tests (qemu-system-x86 has i386)
#   squashfs-tools erofs-utils  the image-mode boot tests' squashfs and EROFS images (make_test_images.py),
#                          nfsroot-image build and its tests (mksquashfs, mkfs.erofs, unsquashfs, fsck.erofs)
packages=(g++ cmake ninja-build catch2 qemu-system-x86 busybox-static python3 file kmod
          clang-16 libclang-rt-16-dev libmount-dev
          iproute2 dnsmasq-base isc-dhcp-server nfs-ganesha nfs-ganesha-vfs rpcbind
          initramfs-tools zstd groff pxelinux syslinux-common ipxe-qemu
          debootstrap shellcheck musl-dev musl-tools gcc-12-source make squashfs-tools erofs-utils
          debhelper dpkg-dev lintian
          crossbuild-essential-arm64 crossbuild-essential-i386 qemu-system-arm)
cross_arches=(arm64 i386)

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)

# The cross architectures' packages need apt to know those architectures (once).
added_arch=false
for arch in "${cross_arches[@]}"; do
  if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
    echo "setup: dpkg --add-architecture $arch"
    "${sudo[@]}" dpkg --add-architecture "$arch"
    added_arch=true
  fi
done

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'ok installed' || missing+=("$package")
done

# apt-get update, going on when some index could not be had: a mirror caught mid-sync serves one
# architecture's security index with the wrong size (seen here for bookworm-security i386), and
# apt then keeps the other indexes. What we need and cannot be found still fails the install
# below, by name.
apt_update() {
  if ! "${sudo[@]}" apt-get update -q; then
    echo "setup: apt-get update reported errors (above); going on with the indexes it could fetch" >&2
  fi
}

kernel_dir=.cache/kernel
updated=false
if [ ${#missing[@]} -gt 0 ] || [ ! -f "$kernel_dir/version" ] || [ "$added_arch" = true ]; then
  echo "setup: apt-get update"
  apt_update
  updated=true
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  # Servers are for the tests to start themselves: keep their packages from starting services
  # (policy-rc.d 101 = "not allowed"), and restore nothing we did not create.
  created_policy=false
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee /usr/sbin/policy-rc.d >/dev/null
    "${sudo[@]}" chmod +x /usr/sbin/policy-rc.d
    created_policy=true
  fi
  # No recommends: initramfs-tools' recommends would swap busybox-static for a dynamic busybox.
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  if [ "$created_policy" = true ]; then "${sudo[@]}" rm -f /usr/sbin/policy-rc.d; fi
fi

# The Debian test image (boot.debian_root_image's debootstrap: minutes of waiting on the mirror
# and on dpkg, little of them compiling) is built beside the compiling below, into the cache that
# test then finds up to date (tests/boot/debian_root.py keys it by its inputs; nothing to do
# when they did not change). Its failure does not fail the setup: the test builds it again and
# says why.
mkdir -p .cache
debian_log=.cache/debian-root-setup.log
"${sudo[@]}" setsid python3 tests/boot/debian_root.py build --dir=.cache/debian-root >"$debian_log" 2>&1 &
debian_pid=$!
# An error below stops the image's build too (its process group); a later run starts it afresh.
trap '"${sudo[@]}" kill -- -"$debian_pid" 2>/dev/null || true' EXIT

# The C++ runtime of the musl flavour (~2-4 minutes the first time; then nothing to do).
scripts/build-musl-runtime.sh .cache
musl_runtime=$(scripts/build-musl-runtime.sh --print-dir .cache)

# The kernel for the boot tests; apt's lists must be current for it to find the package.
if [ "$updated" = false ] && [ ! -f "$kernel_dir/version" ]; then apt_update; fi
"${sudo[@]}" scripts/fetch-test-kernel.sh "$kernel_dir"

# The arm64 and i386 boot tests' kernels and their test roots' busybox (the guest runs it).
for arch in "${cross_arches[@]}"; do
  "${sudo[@]}" scripts/fetch-test-kernel.sh ".cache/kernel-$arch" "$arch"
  "${sudo[@]}" scripts/fetch-test-busybox.sh ".cache/busybox-$arch" "$arch"
done

cmake -S . -B build -G Ninja -DNFSROOT_MUSL_RUNTIME="$musl_runtime"
cmake --build build
# The packages (build/deb/ARCH/; nothing to do when up to date): the Debian boot tests install
# the amd64 one. The arm64 and i386 ones are cross builds (dpkg-buildpackage -a ARCH, with
# cmake/toolchains/), and the boot tests of those architectures boot the /init they hold
# (tests/boot/arch.cmake unpacks them): the one cross build of each /init.
scripts/build-package.sh
for arch in "${cross_arches[@]}"; do scripts/build-package.sh --arch "$arch"; done
if wait "$debian_pid"; then
  echo "setup: $(tail -n 1 "$debian_log")"
else
  echo "setup: the Debian test image could not be built now (log: $debian_log); boot.debian_root_image builds it again" >&2
  tail -n 5 "$debian_log" >&2
fi
trap - EXIT
echo "setup: done. Run the tests with: scripts/test.sh"
