#!/usr/bin/env python3
"""The Debian package holds what `cmake --install` installs, as Debian wants it.

  check_package.py --deb PACKAGE --build BUILD_DIR

Compares the package's files (dpkg-deb -c) with a `cmake --install BUILD --prefix /usr` into a
scratch folder: the same paths (the man pages gzipped by dh_compress), plus only the copyright
and changelog Debian policy asks for and the lintian overrides (dh_lintian installs
debian/nfsroot-init.lintian-overrides). Then the control data: the two files under /etc are
conffiles, initramfs-tools' trigger (activate-noawait update-initramfs, from
dh_installinitramfs) is there and the only maintainer script is a postrm that activates it again
on purge, Depends names initramfs-tools, the static
libraries' and gcc-12's source packages are in Built-Using, and the hook's conf file ships
NFSROOT_INIT=n. The packaged /init is a static executable of the package's architecture and,
when that is this machine's, answers --version with the package's version; the musl one is no
bigger than the build's own musl /init (BUILD_DIR/nfsroot-init-musl), give or take a page.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

ARCH_ELF = {"amd64": "x86-64", "arm64": "ARM aarch64", "i386": "Intel 80386"}


def fail(msg):
    print(f"check_package: FAIL {msg}")
    sys.exit(1)


def out(*cmd, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        fail(f"{' '.join(cmd)}: exit status {p.returncode}: {p.stderr.strip()}")
    return p.stdout


def package_files(deb):
    """Paths of the regular files and symlinks in the package, as /usr/..."""
    files = set()
    for line in out("dpkg-deb", "-c", deb).splitlines():
        mode, path = line.split()[0], line.split()[5]
        if mode[0] in "-l":
            files.add(path.lstrip("."))
    return files


def installed_files(build, scratch):
    out("cmake", "--install", build, "--prefix", "/usr", env=dict(os.environ, DESTDIR=scratch))
    files = set()
    for top, _, names in os.walk(scratch):
        for name in names:
            path = "/" + os.path.relpath(os.path.join(top, name), scratch)
            # dh_compress gzips the man pages
            files.add(path + ".gz" if re.match(r"/usr/share/man/man\d/", path) else path)
    return files


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--deb", required=True)
    ap.add_argument("--build", required=True, help="the CMake build whose install layout is the reference")
    args = ap.parse_args()
    if not os.path.isfile(args.deb):
        fail(f"no {args.deb}: scripts/build-package.sh makes it (scripts/setup.sh and scripts/test.sh run it)")

    fields = {k: out("dpkg-deb", "-f", args.deb, k).strip()
              for k in ("Package", "Version", "Architecture", "Depends", "Built-Using")}
    with tempfile.TemporaryDirectory() as scratch:
        want = installed_files(args.build, scratch)
    # Debian's own files: copyright, changelog, and the lintian overrides (each with its reason).
    doc = {"/usr/share/doc/nfsroot-init/copyright", "/usr/share/doc/nfsroot-init/changelog.gz",
           "/usr/share/lintian/overrides/nfsroot-init"}
    have = package_files(args.deb)
    if have != want | doc:
        fail(f"the package's files differ from cmake --install's (+ in the package only, - missing "
             f"from it): {sorted(['+' + p for p in have - want - doc] + ['-' + p for p in (want | doc) - have])}")
    print(f"check_package: files: the {len(want)} of cmake --install, with copyright, changelog, lintian overrides")

    with tempfile.TemporaryDirectory() as control:
        out("dpkg-deb", "-e", args.deb, control)
        scripts = sorted(set(os.listdir(control)) - {"control", "md5sums", "conffiles", "triggers"})
        if scripts != ["postrm"]:
            fail(f"maintainer scripts in the package: {scripts}; want the trigger and a postrm only")
        # The postrm does one thing: on purge, the update-initramfs trigger again (debian/
        # nfsroot-init.postrm says why); never update-initramfs itself.
        with open(os.path.join(control, "postrm")) as f:
            postrm = f.read()
        if not re.search(r'^if \[ "\$1" = purge \]; then\n\s*dpkg-trigger --no-await update-initramfs\n', postrm, re.M) \
                or "update-initramfs -" in postrm:
            fail(f"the postrm does not activate the trigger on purge (only): {postrm}")
        with open(os.path.join(control, "conffiles")) as f:
            conffiles = set(f.read().split())
        if conffiles != {"/etc/initramfs-tools/conf.d/nfsroot-init", "/etc/nfsroot-init/overlays"}:
            fail(f"conffiles are {sorted(conffiles)}")
        with open(os.path.join(control, "triggers")) as f:
            triggers = [line.split() for line in f if line.strip() and not line.startswith("#")]
        if triggers != [["activate-noawait", "update-initramfs"]]:
            fail(f"triggers are {triggers}, want activate-noawait update-initramfs")
    print("check_package: conffiles /etc/initramfs-tools/conf.d/nfsroot-init /etc/nfsroot-init/overlays; "
          "trigger activate-noawait update-initramfs; postrm: the trigger again on purge")

    if not re.search(r"(^|, )initramfs-tools\b", fields["Depends"]):
        fail(f"Depends: {fields['Depends']} does not name initramfs-tools")
    libc = "musl" if fields["Architecture"] == "amd64" else "glibc"
    for source in (libc, "gcc-12"):
        if not re.search(rf"(^|, ){source} \(= ", fields["Built-Using"]):
            fail(f"Built-Using: {fields['Built-Using']} does not name {source}")
    # The /init speaks RPC with its own client (rpc/): libnfs is no longer linked in.
    if re.search(r"(^|, )libnfs \(= ", fields["Built-Using"]):
        fail(f"Built-Using: {fields['Built-Using']} still names libnfs")
    print(f"check_package: Depends: {fields['Depends']}; Built-Using: {fields['Built-Using']}")

    with tempfile.TemporaryDirectory() as root:
        out("dpkg-deb", "-x", args.deb, root)
        with open(os.path.join(root, "etc/initramfs-tools/conf.d/nfsroot-init")) as f:
            if not re.search(r"^NFSROOT_INIT=n$", f.read(), re.M):
                fail("the conf file does not ship NFSROOT_INIT=n: the hook must stay off until enabled")
        init = os.path.join(root, "usr/lib/nfsroot-init/nfsroot-init")
        kind = out("file", "-b", init)
        elf = ARCH_ELF.get(fields["Architecture"], "?")
        if "statically linked" not in kind or elf not in kind or not os.access(init, os.X_OK):
            fail(f"/usr/lib/nfsroot-init/nfsroot-init is not a static {elf} executable: {kind.strip()}")
        # The package builds with dpkg-buildflags' CXXFLAGS (-O2 among them): the /init must still
        # be the release build, no bigger than the tree's own (one page of slack for the paths
        # the two builds record), not an -O2 one about 100 KB bigger.
        built = os.path.join(args.build, "nfsroot-init-musl")
        if libc == "musl" and os.path.isfile(built):
            size, want = os.path.getsize(init), os.path.getsize(built)
            if size > want + 4096:
                fail(f"the packaged /init is {size} bytes, the tree's {built} {want}: the package "
                     f"did not build it with the release flags (CMakeLists.txt, nfsroot_release_program)")
            print(f"check_package: /init {size} bytes, the tree's musl /init {want}")
        here = out("dpkg", "--print-architecture").strip()
        if fields["Architecture"] == here:
            version = out(init, "--version").strip()
            if version != f"nfsroot-init {fields['Version']}":
                fail(f"the packaged /init says '{version}', the package is {fields['Version']}")
    print(f"check_package: /init is a static {elf} executable"
          + (f" and says nfsroot-init {fields['Version']}" if fields["Architecture"] == here else ""))
    print(f"check_package: ok {os.path.basename(args.deb)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
