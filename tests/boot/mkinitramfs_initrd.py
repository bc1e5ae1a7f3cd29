#!/usr/bin/env python3
"""Build an initrd with the REAL mkinitramfs (initramfs-tools) and nfsroot-init's hook.

    mkinitramfs_initrd.py --init build/nfsroot-init --output out.img [--kernel-dir .cache/kernel]

The test kernel's modules (KDIR/root/lib/modules/KVER) and config (KDIR/root/boot/config-KVER)
are shown to mkinitramfs at the only places it reads them, /lib/modules/KVER and /boot, inside a
private mount namespace (unshare -m): tmpfs over /lib/modules (or an overlay over /usr/lib when
the host has no /lib/modules) and over /boot, with the cache bind-mounted in. The host's own
/lib/modules and /boot are never touched. The configuration folder (-d) is made in a temporary
folder: initramfs.conf (MODULES=list, BUSYBOX=y, COMPRESS=...), conf.d/nfsroot-init enabling the
hook with --init as the binary, hooks/nfsroot-init = the project's hook. The project's
conf-hook (--conf-hook; zstd -19 for an nfsroot-init initramfs when no COMPRESSLEVEL is set) is
shown in /usr/share/initramfs-tools/conf-hooks.d beside the host's own, again only inside the
namespace (a tmpfs with copies of the host's files), as the package installs it.

Then the initrd is unpacked (unmkinitramfs) and checked against what the hook promises, both
ways: /init is the --init binary; the modules are exactly the closure (modprobe --show-depends
on the test kernel) of the --nics set, nfs, the --nfs versions' nfsv3/nfsv4, overlay, and loop with the --image
formats (squashfs, erofs), so that the modules other
hooks and MODULES= added are gone; every other file is one the hook keeps or adds (the overlay
list, mkinitramfs's ld.so files, the --shell's files), so that initramfs-tools' scripts, udev,
klibc, kmod and their libraries are gone; the shell runs (chroot into the tree, /bin/sh -c) or
is absent for --shell=none. With --fake-firmware the private namespace also shows a made-up
/lib/firmware (rtl_nic/ files, one file that bnx2 names, one that nothing names) and the check
wants exactly rtl_nic/ plus, for --nics=all, bnx2's. Prints the compressed and unpacked sizes
and the time mkinitramfs took. Needs root, initramfs-tools (installed --no-install-recommends),
util-linux, kmod.

--arch ARCH (amd64, arm64, i386) is the guest's architecture when it is not the build machine's:
--kernel-dir then holds that architecture's kernel, and the check also wants every ELF file of
the initrd built for ARCH. mkinitramfs itself copies the build machine's programs (busybox,
klibc, kmod, their libraries): the hook prunes them, and --shell=none keeps the host's busybox
out, as a foreign-architecture initrd needs (busybox --list-long cannot run there either).
"""

import argparse
import hashlib
import os
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile
import time

import mkinitrd  # beside this script: its ELF reader

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
INNER = "_NFSROOT_MKINITRAMFS_INNER"

# What the hook asks manual_add_modules for (module names, as modprobe takes them); the check
# wants exactly their closure. Kept apart from the hook on purpose: a change there must show here.
ROOT_MODULES = ["nfs", "overlay", "aufs"]  # and nfsv3/nfsv4 of --nfs
USB_HOSTS = ["xhci_pci", "ehci_pci", "ohci_pci", "uhci_hcd"]
USB_ETHERNET = ["cdc_ether", "cdc_ncm", "cdc_subset", "rndis_host", "asix", "ax88179_178a",
                "lan78xx", "smsc95xx", "ax88796b", "microchip", "smsc"]
SMALL_NICS = ["r8152", "rtl8150", "virtio_pci", "virtio_net", "vmxnet3", "hv_netvsc",
              "xen-netfront", "e1000", "e1000e", "igb", "igc"] + USB_HOSTS + USB_ETHERNET
SMALL_NIC_DIRS = ["kernel/drivers/net/ethernet/realtek"]
# Whatever the set: the boot tests' NIC (QEMU's rtl8139 wants 8139cp), and the promise of
# "every Realtek NIC driver and the common virtual ones" for small and all.
MUST_HAVE = {"small": ["8139cp", "8139too", "r8169", "r8152", "rtl8150", "xhci_pci", "virtio_net",
                       "vmxnet3", "hv_netvsc", "xen_netfront", "e1000", "nfs",
                       "sunrpc", "overlay", "cdc_ether", "usbnet", "mii", "asix", "lan78xx",
                       "smsc95xx"]}
MUST_HAVE["all"] = MUST_HAVE["small"] + ["bnx2", "tg3", "igb", "ixgbe"]
# Made-up firmware for --fake-firmware: (path under /lib/firmware, wanted in the initrd for)
FAKE_FIRMWARE = [("rtl_nic/rtl8168h-2.fw", {"small", "all", "list"}),
                 ("rtl_nic/nfsroot-test-unnamed.fw", {"small", "all", "list"}),
                 ("bnx2/bnx2-mips-09-6.2.1b.fw", {"all"}),
                 ("nfsroot-test/named-by-nothing.bin", set())]


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
    p.add_argument("--conf-hook", default=os.path.join(SOURCE, "initramfs-hook", "conf-hooks.d", "nfsroot-init"),
                   help="the project's conf-hook to show in conf-hooks.d (\"\": none)")
    p.add_argument("--compress", default="zstd", help="COMPRESS= (zstd, gzip, xz, lz4, ...)")
    p.add_argument("--modules", default="list", help="MODULES= (list, netboot, most, dep)")
    p.add_argument("--nics", default="small",
                   help="NFSROOT_INIT_NICS= for the hook and the check (small, all, or module names)")
    p.add_argument("--nfs", default="3 4", choices=["3 4", "3", "4"],
                   help="NFSROOT_INIT_NFS= for the hook and the check (default \"3 4\")")
    p.add_argument("--image", default="squashfs erofs", choices=["squashfs erofs", "squashfs", "erofs", "none"],
                   help="NFSROOT_INIT_IMAGE= for the hook and the check (default \"squashfs erofs\")")
    p.add_argument("--shell", default="busybox", choices=["busybox", "klibc", "none"],
                   help="NFSROOT_INIT_SHELL= for the hook and the check")
    p.add_argument("--fake-firmware", action="store_true",
                   help="show mkinitramfs a made-up /lib/firmware and check which files it takes")
    p.add_argument("--extra-conf", action="append", default=[],
                   help="one more VAR=value line for conf.d/nfsroot-init (repeatable)")
    p.add_argument("--max-mib", type=float, metavar="MIB",
                   help="fail when the compressed initrd is bigger (issue 13's size goals)")
    p.add_argument("--no-check", action="store_true", help="do not unpack and check the result")
    p.add_argument("--arch", choices=sorted(mkinitrd.ELF_MACHINES),
                   help="check that every ELF file of the initrd is built for this architecture")
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
             f"NFSROOT_INIT_OVERLAYS={os.path.abspath(args.overlays) if args.overlays else ''}",
             f"NFSROOT_INIT_NICS={shlex.quote(args.nics)}", f"NFSROOT_INIT_SHELL={args.shell}",
             f"NFSROOT_INIT_NFS={shlex.quote(args.nfs)}", f"NFSROOT_INIT_IMAGE={shlex.quote(args.image)}"]
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
               f"--workdir={work}", f"--conf-hook={os.path.abspath(args.conf_hook) if args.conf_hook else ''}"]
        if args.verbose:
            cmd.append("--verbose")
        if args.fake_firmware:
            cmd.append("--fake-firmware")
        rc = subprocess.run(cmd, env=dict(os.environ, **{INNER: "1"})).returncode
        if rc != 0:
            if os.path.exists(args.output):  # mkinitramfs leaves an empty file behind
                os.unlink(args.output)
            fail(f"mkinitramfs in the mount namespace failed (exit {rc})")
        if not args.no_check:
            check(args, work)
        if args.max_mib is not None:
            size = os.path.getsize(args.output)
            verdict = "within" if size <= args.max_mib * 1048576 else "OVER"
            print(f"mkinitramfs_initrd: size goal: {size} bytes = {size / 1048576:.2f} MiB, "
                  f"{verdict} {args.max_mib:g} MiB", flush=True)
            if verdict == "OVER":
                fail(f"the initrd is {size} bytes, over the goal of {args.max_mib:g} MiB "
                     f"({int(args.max_mib * 1048576)} bytes)")


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
    if args.conf_hook:
        # mkinitramfs sources every file of this folder: the host's (copied) and ours
        hooks = "/usr/share/initramfs-tools/conf-hooks.d"
        saved = os.path.join(work, "conf-hooks.d")
        shutil.copytree(hooks, saved, symlinks=True) if os.path.isdir(hooks) else os.makedirs(saved)
        os.makedirs(hooks, exist_ok=True)
        run(["mount", "-t", "tmpfs", "-o", "mode=0755", "nfsroot-test-conf-hooks", hooks])
        for n in os.listdir(saved):
            shutil.copy2(os.path.join(saved, n), os.path.join(hooks, n), follow_symlinks=False)
        shutil.copy2(args.conf_hook, os.path.join(hooks, "nfsroot-init"))
    if args.fake_firmware:
        firmware = os.path.realpath("/lib/firmware")
        if not os.path.isdir(firmware):
            fail(f"--fake-firmware: {firmware} missing; create it (mkdir -p {firmware}) or drop the option")
        run(["mount", "-t", "tmpfs", "-o", "mode=0755", "nfsroot-test-firmware", firmware])
        for rel, _ in FAKE_FIRMWARE:
            os.makedirs(os.path.dirname(os.path.join(firmware, rel)), exist_ok=True)
            with open(os.path.join(firmware, rel), "wb") as f:
                f.write(os.urandom(4096))  # random: no compressor makes it vanish
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
          f"{size} bytes ({size / 1048576:.2f} MiB, {args.compress})", flush=True)


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def module_name(path):
    return os.path.basename(path).split(".ko")[0].replace("-", "_")


def module_closure(args, names):
    """The modules manual_add_modules copies for names: modprobe's insmod lines, with and
    without --ignore-install (the second adds softdeps), on the test kernel."""
    found = set()
    for extra in (["--ignore-install"], []):
        out = subprocess.run(["modprobe", "-d", os.path.join(args.kernel_dir, "root"),
                              f"--set-version={args.kver}", "--all", "--quiet", "--show-depends",
                              *extra, *names], capture_output=True, text=True).stdout
        for line in out.splitlines():
            words = line.split()
            if len(words) >= 2 and words[0] == "insmod":
                found.add(module_name(words[1]))
    return found


def modules_under(args, rel):
    top = os.path.join(args.kernel_dir, "root", "lib", "modules", args.kver, rel)
    return sorted(os.path.basename(os.path.join(d, n)).split(".ko")[0]
                  for d, _, ns in os.walk(top) for n in ns if ".ko" in n)


def listed_modules():
    """The names of /usr/share/initramfs-tools/modules.d/* (the hook keeps them; the test's
    own conf dir lists none)."""
    names = []
    folder = "/usr/share/initramfs-tools/modules.d"
    for n in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        with open(os.path.join(folder, n)) as f:
            names += [line.split()[0] for line in f if line.strip() and not line.startswith("#")]
    return names


def expected_modules(args):
    """(exact set or None, allowed set, must-have list) for --nics."""
    nfs = [f"nfsv{v}" for v in args.nfs.split()]
    # image mode: loop and the formats, erofs with libcrc32c and its crc32c softdeps, and the
    # crypto API's af_alg and algif_hash (nfsroot-init.toram's SHA-256)
    image = [] if args.image == "none" else ["loop"] + args.image.split() + ["af_alg", "algif_hash"]
    mounts = nfs + image
    root = ROOT_MODULES + mounts + listed_modules()
    if args.nics == "small":
        want = module_closure(args, [m for d in SMALL_NIC_DIRS for m in modules_under(args, d)]
                              + SMALL_NICS + root)
        return want, want, MUST_HAVE["small"] + mounts
    if args.nics == "all":
        # auto_add_modules net leaves some of drivers/net out: bound it from above instead.
        allowed = module_closure(args, modules_under(args, "kernel/drivers/net") + USB_HOSTS
                                 + ["virtio_pci"] + root + ["nvmem-imx-ocotp"])
        return None, allowed, MUST_HAVE["all"] + mounts
    nics = args.nics.split()
    usb = {module_name(n) for n in modules_under(args, "kernel/drivers/net/usb")}
    hosts = USB_HOSTS if any(module_name(n) in usb for n in nics) else []
    want = module_closure(args, nics + hosts + root)
    return want, want, [n.replace("-", "_") for n in nics] + ["nfs", "overlay"] + mounts


def shell_files(args, main):
    """Paths (relative to the tree) the --shell may add; bad: what they lack."""
    allowed, bad = set(), []
    if args.shell == "busybox":
        busybox = os.path.join(main, "usr", "bin", "busybox")
        if not os.path.isfile(busybox):
            return allowed, ["/usr/bin/busybox missing (--shell=busybox)"]
        inode = os.stat(busybox).st_ino
        for d, _, ns in os.walk(main):
            for n in ns:
                p = os.path.join(d, n)
                if not os.path.islink(p) and os.lstat(p).st_ino == inode:
                    allowed.add(os.path.relpath(p, main))  # the applets, hard links
        # a dynamic busybox brings its libraries (ldd, as copy_exec): wherever they landed
        ldd = subprocess.run(["ldd", "/bin/busybox"], capture_output=True, text=True).stdout
        libs = {os.path.basename(w) for line in ldd.splitlines() for w in line.split() if "/" in w}
        for d, _, ns in os.walk(os.path.join(main, "usr")):
            for n in ns:
                if n in libs:
                    allowed.add(os.path.relpath(os.path.join(d, n), main))
    elif args.shell == "klibc":
        for n in os.listdir("/usr/lib/klibc/bin"):
            if n not in ("kinit", "resume"):
                allowed.add(f"usr/bin/{n}")
        allowed |= {"usr/lib/" + n for n in os.listdir(os.path.join(main, "usr", "lib"))
                    if n.startswith("klibc-") and n.endswith(".so")}
    return allowed, bad


def check(args, work):
    tree = os.path.join(work, "unpacked")
    run(["unmkinitramfs", args.output, tree])
    main = os.path.join(tree, "main") if os.path.isdir(os.path.join(tree, "main")) else tree
    problems = []
    init = os.path.join(main, "init")
    if not os.path.isfile(init) or sha256(init) != sha256(args.init):
        problems.append("/init is not the --init binary (is the hook enabled?)")

    # Every file: counted, and sorted into modules, firmware, and the rest.
    modules, firmware, others = set(), set(), []
    total = files = 0
    inodes = set()
    wrong_arch = []
    mods_dir = f"usr/lib/modules/{args.kver}/"
    for dirpath, dirnames, names in os.walk(main):
        for n in names + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            p = os.path.join(dirpath, n)
            rel = os.path.relpath(p, main)
            files += 1
            st = os.lstat(p)
            if args.arch and stat.S_ISREG(st.st_mode):
                try:
                    mkinitrd.check_elf(p, allow_dynamic=True, arch=args.arch)
                except mkinitrd.Error:
                    wrong_arch.append("/" + rel)
            if not os.path.islink(p) and st.st_ino not in inodes:  # busybox's applets are hard links
                inodes.add(st.st_ino)
                total += st.st_size
            if rel.startswith(mods_dir):
                if ".ko" in n:
                    modules.add(module_name(n))
            elif rel.startswith("usr/lib/firmware/"):
                firmware.add(rel[len("usr/lib/firmware/"):])
            else:
                others.append(rel)

    if wrong_arch:
        problems.append(f"{len(wrong_arch)} ELF files not built for {args.arch} (the build machine's, "
                        "copied by mkinitramfs; --shell=none keeps its busybox out): "
                        + " ".join(sorted(wrong_arch)[:10]) + (" ..." if len(wrong_arch) > 10 else ""))

    # Modules: what the hook promises, and nothing that initramfs-tools or other hooks added.
    exact, allowed, must = expected_modules(args)
    missing = sorted(m for m in must if m.replace("-", "_") not in modules)
    if exact is not None:
        missing = sorted(set(missing) | (exact - modules))
    if missing:
        problems.append("modules missing: " + " ".join(missing))
    extra = sorted(modules - allowed)
    if extra:
        problems.append("modules the hook should have pruned: " + " ".join(extra))

    # Firmware: rtl_nic/ always; the rest only when a chosen module names it.
    if args.fake_firmware:
        kind = args.nics if args.nics in ("small", "all") else "list"
        want = {rel for rel, kinds in FAKE_FIRMWARE if kind in kinds}
        if firmware != want:
            problems.append(f"firmware: want {sorted(want)}, have {sorted(firmware)}")
    else:
        stray = sorted(f for f in firmware if not f.startswith("rtl_nic/"))
        named = set()
        for m in sorted(modules) if stray else []:
            out = subprocess.run(["modinfo", "-b", os.path.join(args.kernel_dir, "root"), "-k", args.kver,
                                  "-F", "firmware", m], capture_output=True, text=True).stdout
            named |= set(out.split())
        stray = [f for f in stray if f not in named]
        if stray:
            problems.append("firmware no chosen module names: " + " ".join(stray))

    # The rest: what the hook keeps or adds, so initramfs-tools' own parts are gone.
    keep = {"init", "etc/ld.so.cache", "etc/ld.so.conf"}
    if args.overlays:
        keep.add("etc/nfsroot-init/overlays")
        if not os.path.isfile(os.path.join(main, "etc/nfsroot-init/overlays")):
            problems.append("/etc/nfsroot-init/overlays missing")
    shell_allowed, shell_bad = shell_files(args, main)
    problems += shell_bad
    leftovers = []
    for rel in others:
        p = os.path.join(main, rel)
        if rel in keep or rel in shell_allowed or rel.startswith("etc/ld.so.conf.d/"):
            continue
        if "/" not in rel and os.path.islink(p) and os.readlink(p).startswith("usr/"):
            continue  # mkinitramfs's usr-merge links
        if os.path.islink(p) and args.shell == "busybox" and os.path.realpath(p) in (
                os.path.realpath(os.path.join(main, a)) for a in shell_allowed):
            continue  # a library's link (ld-linux in lib64), into what is allowed
        leftovers.append("/" + rel)
    if leftovers:
        problems.append(f"{len(leftovers)} files the hook should have pruned: "
                        + " ".join(sorted(leftovers)[:25]) + (" ..." if len(leftovers) > 25 else ""))
    for folder in ("scripts", "conf"):
        path = os.path.join(main, folder)
        if os.path.isdir(path) and os.listdir(path):
            problems.append(f"/{folder} not empty: {sorted(os.listdir(path))[:10]}")

    # The rescue shell runs from the tree alone (its libraries are there), or is absent.
    sh = os.path.join(main, "bin", "sh")
    if args.shell == "none":
        if os.path.lexists(sh):
            problems.append("/bin/sh present with --shell=none")
    elif not os.path.lexists(sh):
        problems.append(f"/bin/sh missing (--shell={args.shell})")
    else:
        r = subprocess.run(["chroot", main, "/bin/sh", "-c",
                            "echo shell-ok && cat /etc/ld.so.conf && echo cat-ok"],  # no /dev there
                           capture_output=True, text=True, env={"PATH": "/usr/bin:/bin:/usr/sbin:/sbin"})
        lines = r.stdout.split()
        if r.returncode != 0 or lines[:1] != ["shell-ok"] or lines[-1:] != ["cat-ok"]:
            problems.append(f"the initrd's /bin/sh does not run on its own (chroot): exit {r.returncode}, "
                            f"out {r.stdout.strip()!r}, err {r.stderr.strip()!r}")

    print(f"mkinitramfs_initrd: unpacked: {files} files, {total} bytes ({total / 1048576:.1f} MiB), "
          f"{len(modules)} modules, {len(firmware)} firmware files; /init = {args.init}; "
          f"NICS={args.nics} SHELL={args.shell} NFS={args.nfs}")
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
