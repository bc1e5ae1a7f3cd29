#!/usr/bin/env bash
# Build the Debian package from this tree, as a Debian maintainer would: dpkg-buildpackage on a
# clean copy of the source, then lintian on the result.
#
#   build-package.sh [--arch ARCH] [OUT_DIR]
#
# OUT_DIR (default build/deb) gets ARCH/nfsroot-init_VERSION_ARCH.deb and the source package
# (.dsc, .tar.xz), .buildinfo, .changes and lintian.log beside it. ARCH defaults to the build
# machine's; another one is a cross build (dpkg-buildpackage -a ARCH), which needs that
# architecture's build dependencies (scripts/setup.sh installs them).
#
# The copy holds what git tracks plus new files not ignored (so work in progress builds too),
# never build/ or .cache/. dpkg-buildpackage writes its results into the copy's parent folder,
# which is why it works on a copy under OUT_DIR and not on this tree. The musl C++ runtime is
# taken from, or built into, this tree's .cache/ (NFSROOT_MUSL_CACHE), as scripts/setup.sh
# builds it: once per input. Skipped when the last build passed lintian (its stamp file) and is
# newer than every source file.
# Lintian must be clean: an error or warning fails the build; overrides live in
# debian/nfsroot-init.lintian-overrides, each with its reason.
set -euo pipefail

prog=${0##*/}
die() { echo "$prog: error: $*" >&2; exit 1; }
log() { echo "$prog: $*"; }

cd "$(dirname "$0")/.."
top=$(pwd)
arch=$(dpkg --print-architecture)
if [ "${1:-}" = "--arch" ]; then
  [ $# -ge 2 ] || die "usage: $prog [--arch ARCH] [OUT_DIR]"
  arch=$2
  shift 2
fi
[ $# -le 1 ] || die "usage: $prog [--arch ARCH] [OUT_DIR]"
out=${1:-build/deb}
mkdir -p "$out"
out=$(cd "$out" && pwd)

for tool in dpkg-buildpackage dpkg-parsechangelog lintian git; do
  command -v "$tool" >/dev/null || die "$tool not found (scripts/setup.sh installs it)"
done
version=$(dpkg-parsechangelog -S Version)
project_version=$(sed -n 's/^project(nfsroot-init VERSION \([0-9.]*\) .*/\1/p' CMakeLists.txt)
[ "$version" = "$project_version" ] \
  || die "debian/changelog says $version, CMakeLists.txt says $project_version: make them agree"

work="$out/$arch"
deb="$work/nfsroot-init_${version}_${arch}.deb"
# Written last, after lintian passed: a package that failed lintian is never "up to date".
stamp="$work/passed"
mapfile -d '' files < <(git ls-files -z --cached --others --exclude-standard)
if [ -f "$stamp" ] && [ -f "$deb" ]; then
  newer=""
  for f in "${files[@]}"; do
    if [ -e "$f" ] && [ "$f" -nt "$stamp" ]; then newer=$f; break; fi
  done
  if [ -z "$newer" ]; then
    log "$deb is up to date"
    exit 0
  fi
  log "$newer is newer than $deb: building the package again"
fi

rm -rf "$work"
src="$work/nfsroot-init-$version"
mkdir -p "$src"
for f in "${files[@]}"; do
  [ -e "$f" ] || continue  # deleted, not yet committed
  mkdir -p "$src/$(dirname "$f")"
  cp -P --preserve=mode,timestamps "$f" "$src/$f"
done

build_args=(-us -uc -jauto)
[ "$arch" = "$(dpkg --print-architecture)" ] || build_args+=(-a "$arch")
log "dpkg-buildpackage ${build_args[*]} in $src (log: $work/build.log)"
if ! (cd "$src" && NFSROOT_MUSL_CACHE="$top/.cache" dpkg-buildpackage "${build_args[@]}") \
     >"$work/build.log" 2>&1; then
  tail -n 30 "$work/build.log" >&2
  die "dpkg-buildpackage failed (whole log: $work/build.log)"
fi
[ -f "$deb" ] || die "dpkg-buildpackage made no $deb"
rm -rf "$src"

changes="$work/nfsroot-init_${version}_${arch}.changes"
log "lintian $changes"
# --fail-on error,warning: what Debian's archive would reject or frown on fails this build.
if ! lintian --fail-on error,warning --info "$changes" >"$work/lintian.log" 2>&1; then
  cat "$work/lintian.log" >&2
  die "lintian found errors or warnings (above)"
fi
touch "$stamp"
log "built $deb ($(stat -c %s "$deb") bytes); lintian: $(grep -c . "$work/lintian.log" || true) note(s) in $work/lintian.log"
