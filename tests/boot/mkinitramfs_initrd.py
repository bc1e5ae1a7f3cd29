#!/usr/bin/env python3
"""Build an initrd with the REAL mkinitramfs (initramfs-tools) and nfsroot-init's hook.

    mkinitramfs_initrd.py --init build/nfsroot-init --output out.img [--kernel-dir .cache/kernel]

The test kernel's modules (KDIR/root/lib/modules/KVER) and config (KDIR/root/boot/config-KVER)
are shown to mkinitramfs at the only places it reads them, /lib/modules/KVER and /boot, inside a
private mount namespace (unshare -m): tmpfs over /lib/modules (or an overlay over /usr/lib when
the host has no /lib/modules) and over /boot, with the cache bind-mounted in. The host's own
/lib/modules and /boot are never touched. The configuration folder (-d) is made in a temporary
folder: initramfs.conf (MODULES=list, BUSYBOX=y, COMPRESS=...), conf.d/nfsroot-init enabling the
hook with --init as the binary, hooks/nfsroot-init = the project's hook.

Then the initrd is unpacked (unmkinitramfs) and checked: /init is the --init binary, the NIC,
NFS and overlay modules are there, busybox is there. Prints the compressed size and the time
mkinitramfs took. Needs root, initramfs-tools (installed --no-install-recommends), util-linux.
"""

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
INNER = "_NFSROOT_MKINITRAMFS_INNER"

# Modules the initrd must hold for the boot tests and the hook's promise (file names, no .ko).
EXPECTED_MODULES = ["8139cp", "8139too", "r8169", "e1000", "e1000e", "virtio_net",
                    "nfs", "nfsv3", "nfsv4", "sunrpc", "overlay"]


def fail(msg):
    print(f"mkinitramfs_initrd: {msg}", file=sys.stderr)
    sys.exit(1)


def run(cmd, **kw):
    subprocess.run(cmd, check=True, **kw)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--init", required=True, help="the static nfsroot-init binary to install as /init")
    p.add_argument("--output", required=True, help="the initrd to write")
    p.add_argument("--kernel-dir", default=os.path.join(SOURCE, ".cache", "kernel"),
                   help="test kernel cache (holds version and root/)")
    p.add_argument("--kver", help="kernel version (default: KDIR/version)")
    p.add_argument("--hook", default=os.path.join(SOURCE, "initramfs-hook", "hooks", "nfsroot-init"))
    p.add_argument("--overlays", default=os.path.join(SOURCE, "initramfs-hook", "overlays"),
                   help="overlay list to bake in ('' for none)")
    p.add_argument("--compress", default="zstd", help="COMPRESS= (zstd, gzip, xz, lz4, ...)")
    p.add_argument("--modules", default="list", help="MODULES= (list, netboot, most, dep)")
    p.add_argument("--extra-conf", action="append", default=[],
                   help="one more VAR=value line for conf.d/nfsroot-init (repeatable)")
    p.add_argument("--no-check", action="store_true", help="do not unpack and check the result")
    p.add_argument("--verbose", action="store_true", help="mkinitramfs -v")
    p.add_argument("--workdir", help=argparse.SUPPRESS)  # set by the outer process
    return p.parse_args()


def write_confdir(args, confdir):
    os.makedirs(os.path.join(confdir, "conf.d"))
    os.makedirs(os.path.join(confdir, "hooks"))
    os.makedirs(os.path.join(confdir, "scripts"))
    with open(os.path.join(confdir, "initramfs.conf"), "w") as f:
        f.write(f"""# written by tests/boot/mkinitramfs_initrd.py
MODULES={args.modules}
BUSYBOX=y
KEYMAP=n
COMPRESS={args.compress}
DEVICE=
NFSROOT=auto
RUNSIZE=10%
FSTYPE=auto
""")
    open(os.path.join(confdir, "modules"), "w").close()
    lines = ["NFSROOT_INIT=y", f"NFSROOT_INIT_BINARY={os.path.abspath(args.init)}",
             f"NFSROOT_INIT_OVERLAYS={os.path.abspath(args.overlays) if args.overlays else ''}"]
    lines += args.extra_conf
    with open(os.path.join(confdir, "conf.d", "nfsroot-init"), "w") as f:
        f.write("# written by tests/boot/mkinitramfs_initrd.py\n" + "\n".join(lines) + "\n")
    shutil.copy2(args.hook, os.path.join(confdir, "hooks", "nfsroot-init"))
    os.chmod(os.path.join(confdir, "hooks", "nfsroot-init"), 0o755)


def outer(args):
    if os.geteuid() != 0:
        fail("needs root (a private mount namespace with tmpfs over /lib/modules and /boot)")
    for tool in ("mkinitramfs", "unshare", "unmkinitramfs"):
        if not shutil.which(tool, path="/usr/sbin:/usr/bin:/sbin:/bin"):
            fail(f"{tool} missing: apt-get install --no-install-recommends initramfs-tools util-linux")
    kdir = os.path.abspath(args.kernel_dir)
    kver = args.kver
    if not kver:
        try:
            with open(os.path.join(kdir, "version")) as f:
                kver = f.read().split()[0]
        except OSError:
            fail(f"no test kernel in {kdir}: run scripts/setup.sh")
    for path in (os.path.join(kdir, "root", "lib", "modules", kver, "modules.dep"),
                 os.path.join(kdir, "root", "boot", f"config-{kver}"), args.init, args.hook):
        if not os.path.isfile(path):
            fail(f"{path} missing")
    args.kver = kver
    args.kernel_dir = kdir
    with tempfile.TemporaryDirectory(prefix="mkinitramfs-initrd-") as work:
        write_confdir(args, os.path.join(work, "conf"))
        cmd = ["unshare", "-m", "--propagation", "private", sys.executable, os.path.abspath(__file__),
               f"--init={os.path.abspath(args.init)}", f"--output={os.path.abspath(args.output)}",
               f"--kernel-dir={kdir}", f"--kver={kver}", f"--compress={args.compress}",
               f"--workdir={work}"]
        if args.verbose:
            cmd.append("--verbose")
        rc = subprocess.run(cmd, env=dict(os.environ, **{INNER: "1"})).returncode
        if rc != 0:
            if os.path.exists(args.output):  # mkinitramfs leaves an empty file behind
                os.unlink(args.output)
            fail(f"mkinitramfs in the mount namespace failed (exit {rc})")
        if not args.no_check:
            check(args, work)


def inner(args):
    """In the private mount namespace: show the cache as /lib/modules/KVER and /boot, run mkinitramfs."""
    work, kver, kdir = args.workdir, args.kver, args.kernel_dir
    mods = os.path.realpath("/lib/modules")
    if os.path.isdir(mods):
        run(["mount", "-t", "tmpfs", "-o", "mode=0755", "nfsroot-test-modules", mods])
    else:
        # No /lib/modules on this host: a writable overlay over /usr/lib, private to this namespace.
        libdir = os.path.dirname(mods)
        ov = os.path.join(work, "usr-lib")
        os.makedirs(ov)
        run(["mount", "-t", "tmpfs", "-o", "mode=0755", "nfsroot-test-usr-lib", ov])
        os.makedirs(os.path.join(ov, "upper"))
        os.makedirs(os.path.join(ov, "work"))
        run(["mount", "-t", "overlay", "nfsroot-test-usr-lib",
             "-o", f"lowerdir={libdir},upperdir={ov}/upper,workdir={ov}/work", libdir])
        os.makedirs(mods)
        run(["mount", "-t", "tmpfs", "-o", "mode=0755", "nfsroot-test-modules", mods])
    os.makedirs(os.path.join(mods, kver))
    run(["mount", "--bind", os.path.join(kdir, "root", "lib", "modules", kver), os.path.join(mods, kver)])
    run(["mount", "-t", "tmpfs", "-o", "mode=0755", "nfsroot-test-boot", "/boot"])
    for name in (f"config-{kver}", f"System.map-{kver}"):
        src = os.path.join(kdir, "root", "boot", name)
        if os.path.isfile(src):
            shutil.copy2(src, os.path.join("/boot", name))
    tmp = os.path.join(work, "tmp")
    os.makedirs(tmp)
    cmd = ["mkinitramfs", "-d", os.path.join(work, "conf"), "-o", args.output]
    if args.verbose:
        cmd.append("-v")
    cmd.append(kver)
    print("mkinitramfs_initrd: " + " ".join(cmd), flush=True)
    start = time.monotonic()
    rc = subprocess.run(cmd, env=dict(os.environ, TMPDIR=tmp,
                                      PATH="/usr/sbin:/usr/bin:/sbin:/bin")).returncode
    took = time.monotonic() - start
    if rc != 0:
        fail(f"mkinitramfs failed (exit {rc}) after {took:.1f} s")
    size = os.path.getsize(args.output)
    print(f"mkinitramfs_initrd: mkinitramfs took {took:.1f} s; initrd {args.output}: "
          f"{size} bytes ({size / 1048576:.1f} MiB, {args.compress})", flush=True)


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def check(args, work):
    tree = os.path.join(work, "unpacked")
    run(["unmkinitramfs", args.output, tree])
    main = os.path.join(tree, "main") if os.path.isdir(os.path.join(tree, "main")) else tree
    problems = []
    init = os.path.join(main, "init")
    if not os.path.isfile(init) or sha256(init) != sha256(args.init):
        problems.append("/init is not the --init binary (is the hook enabled?)")
    modules = set()
    total = 0
    files = 0
    inodes = set()
    for dirpath, _, names in os.walk(main):
        for n in names:
            p = os.path.join(dirpath, n)
            files += 1
            st = os.lstat(p)
            if not os.path.islink(p) and st.st_ino not in inodes:  # busybox's applets are hard links
                inodes.add(st.st_ino)
                total += st.st_size
            if ".ko" in n:
                modules.add(n.split(".ko")[0].replace("-", "_"))
    missing = [m for m in EXPECTED_MODULES if m.replace("-", "_") not in modules]
    if missing:
        problems.append("modules missing: " + " ".join(missing))
    for rel in ("usr/bin/busybox", "bin/sh", "etc/nfsroot-init/overlays" if args.overlays else None):
        if rel and not os.path.lexists(os.path.join(main, rel)):
            problems.append(f"/{rel} missing")
    firmware = sorted(os.path.relpath(os.path.join(d, n), main)
                      for d, _, ns in os.walk(os.path.join(main, "usr", "lib", "firmware")) for n in ns)
    print(f"mkinitramfs_initrd: unpacked: {files} files, {total} bytes ({total / 1048576:.1f} MiB), "
          f"{len(modules)} modules, {len(firmware)} firmware files; /init = {args.init}")
    if problems:
        fail("the initrd is not what the hook promises: " + "; ".join(problems))


def main():
    args = parse_args()
    if os.environ.get(INNER) == "1":
        inner(args)
    else:
        outer(args)


if __name__ == "__main__":
    main()
