#!/usr/bin/env bash
# Build the C++ runtime for the musl flavour of the /init.
#
#   build-musl-runtime.sh CACHE_DIR            build it (if not built yet) into CACHE_DIR/musl-runtime/<key>/
#   build-musl-runtime.sh --print-dir CACHE_DIR  print that folder and exit (builds nothing)
#
# Debian ships musl's C library (musl-dev, musl-tools) but no C++ runtime for it, and linking
# Debian's glibc-built libstdc++ into a musl binary links but is unsound (std::generic_category()
# .message() crashes: GNU vs XSI strerror_r). So this builds libstdc++-v3 alone, for musl, from
# Debian's own gcc-12-source (the same GCC 12.2 as the g++ that compiles our code), and adds:
#   musl-g++.specs    g++ -specs=FILE compiles against musl's headers, these libstdc++ headers and
#                     the kernel's, and links crt*.o + libstdc++.a + libc.a of musl (statically)
#   musl-g++          a wrapper: g++ -specs=musl-g++.specs "$@"
#   lib/libmusl-shims.a  _dl_find_object for Debian's libgcc_eh.a (built for glibc)
# The key is the gcc-12-source and musl-dev versions and a hash of this script and its sources,
# so a new package or a changed recipe builds a new folder. Idempotent: a complete folder (its
# `complete` stamp is written last) is left alone. Log: CACHE_DIR/musl-runtime/<key>.log; its
# tail is printed on failure. Takes about 2-3 minutes on 2 cores.
set -euo pipefail

prog=${0##*/}
here=$(cd "$(dirname "$0")" && pwd)
die() { echo "$prog: error: $*" >&2; exit 1; }
log() { echo "$prog: $*"; }

print_dir=false
if [ "${1:-}" = "--print-dir" ]; then print_dir=true; shift; fi
[ $# -eq 1 ] || die "usage: $prog [--print-dir] CACHE_DIR"
mkdir -p "$1"
cache=$(cd "$1" && pwd)

version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || true; }
gcc_source_version=$(version gcc-12-source)
musl_version=$(version musl-dev)
[ -n "$gcc_source_version" ] || die "gcc-12-source is not installed (apt-get install gcc-12-source)"
[ -n "$musl_version" ] || die "musl-dev is not installed (apt-get install musl-dev musl-tools)"
recipe=$(cat "$here/$prog" "$here"/musl-runtime/* | sha256sum | cut -c1-10)
key="gcc-${gcc_source_version}_musl-${musl_version}_${recipe}"
key=${key//[^A-Za-z0-9._-]/-}
out="$cache/musl-runtime/$key"
if [ "$print_dir" = true ]; then echo "$out"; exit 0; fi

# One build at a time per cache (a second caller waits, then finds it complete).
mkdir -p "$cache/musl-runtime"
exec 9>"$cache/musl-runtime/.lock"
flock 9
if [ -f "$out/complete" ]; then
  log "musl C++ runtime already built: $out"
  exit 0
fi

tarball=/usr/src/gcc-12/gcc-12.2.0-dfsg.tar.xz
musl_include=/usr/include/x86_64-linux-musl
musl_lib=/usr/lib/x86_64-linux-musl
[ -f "$tarball" ] || die "$tarball missing (apt-get install gcc-12-source)"
[ -f "$musl_lib/libc.a" ] || die "$musl_lib/libc.a missing (apt-get install musl-dev)"
for tool in g++ musl-gcc make tar xz ar; do
  command -v "$tool" >/dev/null || die "$tool not found"
done
gcc_major=$(g++ -dumpversion)
[ "$gcc_major" = 12 ] || die "g++ is version $gcc_major; the runtime is built from GCC 12's sources"

build="$out.build"
logfile="$out.log"
rm -rf "$out" "$build"
mkdir -p "$out/lib" "$out/include/kernel" "$build"
: >"$logfile"
fail() {
  echo "$prog: error: $1; the last lines of $logfile:" >&2
  tail -n 25 "$logfile" | cut -c1-400 >&2
  exit 1
}
step() {  # step DESCRIPTION COMMAND...: run with output to the log
  local what=$1; shift
  log "$what"
  echo "=== $what: $*" >>"$logfile"
  "$@" >>"$logfile" 2>&1 || fail "$what failed"
}
started=$SECONDS

# Kernel headers (linux/, asm/, asm-generic/): musl's include folder has none; Debian's
# linux-libc-dev ones are libc-independent.
ln -s /usr/include/linux "$out/include/kernel/linux"
ln -s /usr/include/asm-generic "$out/include/kernel/asm-generic"
ln -s /usr/include/x86_64-linux-gnu/asm "$out/include/kernel/asm"

# The specs file: musl-tools' musl-gcc.specs, for C++ only (C is musl-gcc's: cc1plus reads the cc1
# spec too, before its own, so the C++ folders go there). -nostdinc drops glibc's headers and
# Debian's libstdc++ headers; the C++ headers come first (their <cstdlib> include_next's musl's
# <stdlib.h>), then musl's, the kernel's and GCC's own (stddef.h, intrinsics). The link uses musl's
# crt files and libc.a, this folder's libstdc++.a, Debian's libgcc.a and libgcc_eh.a with the
# shims after them, and --eh-frame-hdr (the unwinder finds the FDEs through PT_GNU_EH_FRAME).
write_specs() {  # write_specs FILE CXX_INCLUDES
  local cxx_includes=$2
  local c_includes="-isystem $musl_include -isystem $out/include/kernel -isystem include%s"
  cat >"$1" <<EOF
%rename cpp_options old_cpp_options

*cpp_options:
-nostdinc $cxx_includes $c_includes %(old_cpp_options)

*cc1:
%(cc1_cpu) -nostdinc $cxx_includes $c_includes

*link_libgcc:
-L$out/lib -L$musl_lib -L .%s

*libgcc:
libgcc.a%s %:if-exists(libgcc_eh.a%s) $out/lib/libmusl-shims.a

*startfile:
%{!shared: $musl_lib/Scrt1.o} $musl_lib/crti.o crtbeginS.o%s

*endfile:
crtendS.o%s $musl_lib/crtn.o

*link:
-dynamic-linker /lib/ld-musl-x86_64.so.1 -nostdlib --eh-frame-hdr %{shared:-shared} %{static:-static} %{rdynamic:-export-dynamic}

EOF
}

cxx_dir="$out/include/c++/$gcc_major"
cxx_includes="-isystem $cxx_dir -isystem $cxx_dir/x86_64-linux-musl -isystem $cxx_dir/backward"
write_specs "$build/bootstrap.specs" ""   # for configuring libstdc++: C headers only
write_specs "$out/musl-g++.specs" "$cxx_includes"

step "building the shim (_dl_find_object)" sh -c "
  musl-gcc -Os -Wall -Wextra -Werror -ffunction-sections -fdata-sections -c '$here/musl-runtime/dl_find_object.c' -o '$build/dl_find_object.o' &&
  ar rcs '$out/lib/libmusl-shims.a' '$build/dl_find_object.o'"

# Only what libstdc++-v3's configure and make read: the top-level scripts, config/, include/,
# libgcc/ (gthr headers), gcc/'s version files and the demangler libsupc++ compiles in.
members=(libstdc++-v3 config include libgcc gcc/BASE-VER gcc/DATESTAMP gcc/DEV-PHASE
         libiberty/cp-demangle.c libiberty/cp-demangle.h
         config.guess config.sub config-ml.in config.rpath install-sh ltmain.sh missing
         mkinstalldirs move-if-change depcomp compile ar-lib test-driver ylwrap libtool-ldflags
         multilib.am libtool.m4 ltoptions.m4 ltsugar.m4 ltversion.m4 'lt~obsolete.m4' ltgcc.m4)
step "unpacking libstdc++-v3 from $tarball" tar -xJf "$tarball" -C "$build" "${members[@]/#/gcc-12.2.0/}"

# In a whole-GCC build libgcc's configure makes gthr-default.h (POSIX threads on Linux); without
# it libstdc++'s configure decides there are no threads (no std::thread, no std::mutex).
cp "$build/gcc-12.2.0/libgcc/gthr-posix.h" "$build/gcc-12.2.0/libgcc/gthr-default.h"

# Static only, no PCH, no NLS; -Os with sections so --gc-sections drops what the /init does not
# use; no verbose terminate handler (it pulls in the demangler: our code never throws).
mkdir -p "$build/obj"
flags="-Os -g0 -ffunction-sections -fdata-sections"
step "configuring libstdc++-v3 for x86_64-linux-musl" sh -c "cd '$build/obj' && \
  CC=musl-gcc CXX='g++ -specs=$build/bootstrap.specs' CFLAGS='$flags' CXXFLAGS='$flags' \
  ../gcc-12.2.0/libstdc++-v3/configure --build=x86_64-linux-gnu --host=x86_64-linux-musl \
    --prefix='$out' --with-gxx-include-dir='$cxx_dir' --disable-shared --enable-static \
    --disable-multilib --disable-nls --disable-libstdcxx-pch --disable-libstdcxx-verbose \
    --enable-threads=posix --enable-tls"
step "building libstdc++-v3 (make -j$(nproc))" make -C "$build/obj" -j"$(nproc)"
step "installing into $out" make -C "$build/obj" install
for lib in libstdc++.a libsupc++.a; do
  found=$(find "$out" -name "$lib" -not -path "$out/lib/$lib" | head -n 1)
  if [ -n "$found" ]; then mv "$found" "$out/lib/$lib"; fi
  [ -f "$out/lib/$lib" ] || fail "$lib was not installed"
done
rm -rf "${out:?}/share" "${out:?}/lib64" "${out:?}"/lib/*.la "${out:?}"/lib/*-gdb.py \
  "${out:?}/lib/libstdc++fs.a" "${out:?}/lib/libstdc++_libbacktrace.a"

cat >"$out/musl-g++" <<EOF
#!/bin/sh
# g++ for static musl programs (made by scripts/build-musl-runtime.sh)
exec g++ -specs="$out/musl-g++.specs" "\$@"
EOF
chmod +x "$out/musl-g++"

# The runtime must work, not just link: exceptions, system_error's messages, threads.
step "checking the runtime with a test program" sh -c "
  '$out/musl-g++' -std=c++2b -Os -static -pthread '$here/musl-runtime/smoke_test.cpp' -o '$build/smoke_test' &&
  file '$build/smoke_test' | grep -q 'statically linked' &&
  '$build/smoke_test'"

rm -rf "$build"
# Runtimes of older keys (another package version or recipe) are no longer used.
for old in "$cache"/musl-runtime/gcc-*_musl-*; do
  case $old in "$out" | "$logfile") ;; *) rm -rf "$old" ;; esac
done
echo "gcc-12-source $gcc_source_version, musl-dev $musl_version, built in $((SECONDS - started)) s" >"$out/complete"
log "musl C++ runtime built in $((SECONDS - started)) s: $out"
