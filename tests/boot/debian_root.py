#!/usr/bin/env python3
"""The Debian root of the systemd boot test: a debootstrapped bookworm image, cached by its inputs.

  debian_root.py build   --dir DIR
  debian_root.py build   --dir VDIR --variant NAME --base DIR --image-tool TOOL
  debian_root.py purge   --dir DIR --deb PACKAGE --image-tool TOOL
  debian_root.py install --dir DIR --deb PACKAGE --image-tool TOOL --tftp TFTPDIR

`build` makes DIR/root: `debootstrap --variant=minbase bookworm` with what a diskless client
needs (systemd, udev, dbus, initramfs-tools, zstd, a kernel, iproute2), prepared as a diskless
image should be (an empty /etc/machine-id so each client gets its own; no /etc/hostname so the
DHCP name stands), with systemd-networkd enabled and no network file of its own, as
docs/diskless.md says (networkd takes the lease over through the files /init writes into /run),
plus the test's report unit from tests/boot/debian-root/ (prints
"DEBIANROOT: ..." facts on the console once multi-user.target and network-online.target are
reached, then powers off). debootstrap takes about two minutes, so DIR/key records the inputs
(suite, packages, this script's functions that build it, the files of debian-root/); a run with
the same inputs does nothing. Otherwise the image is built in DIR/root.new and swapped in. DIR/root is always the
image's path, so the NFS server can export it by a path known before it exists.
The mirror is debootstrap's default unless NFSROOT_DEBIAN_MIRROR names one.
The build also keeps a pristine copy of the image as it made it, DIR/pristine/root with the key
it was built under in DIR/pristine/key (made in pristine.new and renamed, so the key always
names a whole tree), before any test installs the package into DIR/root.

`build --variant NAME` makes a variant with another network manager or none (VARIANTS) in VDIR/root
without a debootstrap of its own: a copy (cp -a) of the base DIR's pristine image, the variant's
packages installed by the image's own apt (`nfsroot-image shell`; no recommends, from the
package lists debootstrap left in it, as a debootstrap with them would have installed them),
then prepare_image and prepare_variant. Its key includes the base's, so a new base makes new
variants; a pristine copy missing or built under another key fails the build, saying to build
the base first.

`purge` checks the package on a machine that is not (yet) a diskless image: it installs
PACKAGE (the .deb scripts/build-package.sh made) into the image with the image's own apt
(`nfsroot-image shell DIR/root apt-get install ./PACKAGE`), checks that dpkg ran initramfs-tools'
trigger and that the initrd it rebuilt is still initramfs-tools' own (the hook is off:
NFSROOT_INIT=n), then purges the package and compares the image with what it was before, file by
file, except for what dpkg and apt record of themselves (their status, logs and caches) and the
initrd, which the trigger rebuilds again: that one is compared by its list of files.

`install` does what an admin does on the server (README, "Install"): enables the hook
(conf.d/nfsroot-init-enable) first, so that installing PACKAGE into the image with apt as above
runs initramfs-tools' trigger with the hook on, and the initrd it rebuilds is already ours
(checked: its /init is the image's nfsroot-init; initramfs-tools' own is never built). Only
where the package was installed already, so that no trigger ran, it rebuilds the initrd with the
image's own update-initramfs (`nfsroot-image initrd`, the step an admin runs after changing the
hook's configuration; image.debian_initrd tests it) and checks it. Then it copies kernel and
initrd to TFTPDIR (`nfsroot-image publish`).

Needs root, debootstrap and network access to the Debian mirror (build only; a variant's build
needs only the mirror, for its packages).
"""
import argparse
import glob
import hashlib
import inspect
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
OVERLAY = os.path.join(HERE, "debian-root")
SUITE = "bookworm"
PACKAGES = ["systemd", "systemd-sysv", "udev", "dbus", "initramfs-tools", "zstd",
            "linux-image-amd64", "iproute2"]
REPORT_UNIT = "nfsroot-test-report.service"
PRISTINE = "pristine"  # DIR/pristine: the base image as build left it (keep_pristine)
# Variants of the image whose network manager is another than systemd-networkd, or none, each
# with no network file of its own but its manager's usual ones: more packages, one more overlay
# (debian-root-managers/: the report of the manager the image runs), built by
# `build --variant NAME` into a DIR of its own under a key of its own, so that the image above
# and its key stay as they are.
VARIANTS = {
    # Debian 12's 1.42, with its NetworkManager.conf (plugins=ifupdown,keyfile); no file of ours.
    # Its polkitd depends on the virtual default-logind | logind, which debootstrap does not
    # resolve: libpam-systemd provides both.
    "networkmanager": ["network-manager", "libpam-systemd"],
    # ifupdown 0.8.41 and dhclient, with the stanza that would run dhclient on the NFS root's
    # interface at boot and release its address at shutdown (prepare_variant writes it).
    "ifupdown": ["ifupdown", "isc-dhcp-client"],
    # No network manager at all (systemd-networkd disabled, nothing installed): only /init's
    # lease keeper renews the lease.
    "nomanager": [],
}
MANAGERS_OVERLAY = os.path.join(HERE, "debian-root-managers")
IFUPDOWN_INTERFACES = """# /etc/network/interfaces of the ifupdown variant of the boot test: the NFS root's
# interface as a usual dual-stack Debian install has it (dhclient, and dhclient -6 for
# DHCPv6), which /init's ifupdown state must neutralise.
source /etc/network/interfaces.d/*

auto lo
iface lo inet loopback

auto eth0
iface eth0 inet dhcp
iface eth0 inet6 dhcp
"""


def log(msg):
    print(f"debian_root: {msg}", flush=True)


def fail(msg):
    print(f"debian_root: error: {msg}", file=sys.stderr, flush=True)
    sys.exit(1)


def run(cmd, **kw):
    log("$ " + " ".join(cmd))
    rc = subprocess.run(cmd, **kw).returncode
    if rc != 0:
        fail(f"{cmd[0]} exited with status {rc}")


def inputs_key():
    h = hashlib.sha256()
    h.update(f"{SUITE}\n{' '.join(PACKAGES)}\n{os.environ.get('NFSROOT_DEBIAN_MIRROR', '')}\n".encode())
    # The code that makes the image, not the whole file: editing the install or purge checks
    # must not cost another debootstrap.
    for function in (build, debootstrap, prepare_image, copy_overlay, keep_pristine):
        h.update(inspect.getsource(function).encode())
    hash_overlay(h, OVERLAY)
    return h.hexdigest()[:16]


def hash_overlay(h, overlay):
    """Every file of an overlay folder, by its path and bytes, in a fixed order."""
    for top, dirs, files in sorted(os.walk(overlay)):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(top, name)
            h.update(os.path.relpath(path, overlay).encode() + b"\0")
            with open(path, "rb") as f:
                h.update(f.read())


def copy_overlay(overlay, root):
    for top, _, files in os.walk(overlay):
        for name in files:
            src = os.path.join(top, name)
            dest = os.path.join(root, os.path.relpath(src, overlay))
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            shutil.copy2(src, dest)


def prepare_image(root):
    copy_overlay(OVERLAY, root)  # the test's report unit and script
    # systemd-networkd takes the lease over with the files /init writes into /run, the image
    # has none of its own (docs/diskless.md); the report then checks that it never took the
    # address away from under the NFS root. The netlink log is its witness.
    run(["systemctl", f"--root={root}", "enable", REPORT_UNIT, "nfsroot-test-netlink-log.service",
         "systemd-networkd.service",
         "systemd-networkd-wait-online.service"], stdout=subprocess.DEVNULL)
    # The report owns the serial console: a getty there hangs the tty up (vhangup) under the
    # report's feet, and its remaining lines are lost.
    run(["systemctl", f"--root={root}", "mask", "serial-getty@ttyS0.service"],
        stdout=subprocess.DEVNULL)

    # machine-id(5): an empty file makes systemd generate a transient ID at each boot and mount
    # it over the read-only file, so clients of one image do not share an ID.
    with open(os.path.join(root, "etc/machine-id"), "w"):
        pass
    # debootstrap copies the build host's name; without the file the DHCP name /init set stays.
    hostname = os.path.join(root, "etc/hostname")
    if os.path.exists(hostname):
        os.unlink(hostname)


def debootstrap(cmd, target, log_path, attempts=2):
    """debootstrap, tried again from scratch after a failure: a mirror's hiccup in one of some
    150 downloads should not fail the test run."""
    for attempt in range(1, attempts + 1):
        log(f"$ {' '.join(cmd)} (attempt {attempt} of {attempts}; log: {log_path})")
        with open(log_path, "w") as out:
            rc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT).returncode
        if rc == 0:
            return
        with open(log_path, errors="replace") as f:
            tail = f.read().splitlines()[-15:]
        log(f"debootstrap exited with status {rc}; its last lines:\n  " + "\n  ".join(tail))
        shutil.rmtree(target, ignore_errors=True)
    fail(f"debootstrap failed {attempts} times (see {log_path}): is the Debian mirror reachable? "
         "NFSROOT_DEBIAN_MIRROR=URL names another")


def build(args):
    """debootstrap the image, or with args.variant the image with that variant's packages and
    preparation too, cached in args.dir under the key of its inputs."""
    if os.geteuid() != 0:
        fail("needs root (debootstrap)")
    variant = args.variant
    if not variant and not shutil.which("debootstrap", path="/usr/sbin:/usr/bin:/sbin:/bin"):
        fail("debootstrap missing: apt-get install debootstrap (scripts/setup.sh does)")
    label = f"{variant} image" if variant else "image"
    top = os.path.abspath(args.dir)
    root, key_file = os.path.join(top, "root"), os.path.join(top, "key")
    key = variant_key(variant) if variant else inputs_key()
    # The base image is up to date only with its pristine copy, which the variants start from.
    if (read_key(key_file) == key and os.path.isfile(os.path.join(root, "etc/os-release"))
            and (variant or read_key(os.path.join(top, PRISTINE, "key")) == key)):
        log(f"{label} {key} already in {root}")
        return 0
    if variant:  # before anything is removed: a missing base leaves the old variant in place
        pristine = pristine_root(args.base)

    os.makedirs(top, exist_ok=True)
    new = root + ".new"
    if os.path.lexists(new):
        shutil.rmtree(new)
    started = time.monotonic()
    if variant:
        from_pristine(args, pristine, new, variant)
    else:
        cmd = ["debootstrap", "--variant=minbase", f"--include={','.join(PACKAGES)}", SUITE, new]
        if os.environ.get("NFSROOT_DEBIAN_MIRROR"):
            cmd.append(os.environ["NFSROOT_DEBIAN_MIRROR"])
        debootstrap(cmd, new, os.path.join(top, "debootstrap.log"))
        prepare_image(new)
        keep_pristine(top, new, key)
    if os.path.lexists(key_file):
        os.unlink(key_file)
    if os.path.lexists(root):
        shutil.rmtree(root)
    os.rename(new, root)
    with open(key_file, "w") as f:
        f.write(key + "\n")
    log(f"{label} {key} built in {root} in {time.monotonic() - started:.0f} s")
    return 0


def read_key(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return ""


def keep_pristine(top, image, key):
    """DIR/pristine: a copy of the base image as build made it, before any test installs the
    package into DIR/root, with the key it was built under; the variants start from it. Made
    in pristine.new and renamed: a pristine/key always names the tree beside it whole."""
    pristine, new = os.path.join(top, PRISTINE), os.path.join(top, PRISTINE + ".new")
    for path in (new, pristine):
        if os.path.lexists(path):
            shutil.rmtree(path)
    os.makedirs(new)
    run(["cp", "-a", image, os.path.join(new, "root")])
    with open(os.path.join(new, "key"), "w") as f:
        f.write(key + "\n")
    os.rename(new, pristine)


def pristine_root(base):
    """The base image's pristine copy in BASE (keep_pristine), or a failure saying why not."""
    if not base:
        fail("build --variant needs --base: the base image's DIR, whose pristine copy it starts from")
    pristine = os.path.join(os.path.abspath(base), PRISTINE)
    have, want = read_key(os.path.join(pristine, "key")), inputs_key()
    if not have or not os.path.isfile(os.path.join(pristine, "root/etc/os-release")):
        fail(f"no pristine base image in {pristine}: build the base image first "
             f"(boot.debian_root_image: debian_root.py build --dir {base})")
    if have != want:
        fail(f"the pristine base image in {pristine} is stale (key {have}, the inputs' {want}): "
             f"build the base image again first (boot.debian_root_image: debian_root.py build --dir {base})")
    return os.path.join(pristine, "root")


def from_pristine(args, pristine, new, variant):
    """The variant's image in NEW: a copy of the pristine base image, the variant's packages
    installed by the image's own apt, then prepare_image and prepare_variant, in the order the
    variant's own debootstrap had them. apt takes the versions of the base's package lists
    (debootstrap's, as a debootstrap of the variant would have had), and the packages without
    recommends, as debootstrap --include does; apt-get update only if that install fails (the
    mirror dropped a version since the base was built)."""
    if not args.image_tool:
        fail("build --variant needs --image-tool (image-tool/nfsroot-image) to run apt in the image")
    run(["cp", "-a", pristine, new])
    if VARIANTS[variant]:  # the one without a manager installs nothing
        install = ["env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-q",
                   "--no-install-recommends", *VARIANTS[variant]]
        log(f"$ {args.image_tool} shell {new} {' '.join(install)}")
        if subprocess.run([args.image_tool, "shell", new, *install], stdout=subprocess.DEVNULL).returncode:
            log("apt-get install failed with the base's package lists; apt-get update, then again")
            in_image(args, new, "apt-get", "update", "-q", stdout=subprocess.DEVNULL)
            in_image(args, new, *install, stdout=subprocess.DEVNULL)
    prepare_image(new)
    prepare_variant(new, variant)


def variant_key(variant):
    """The base image's inputs (build's code among them), the variant's packages, the code that
    prepares it and its overlay."""
    h = hashlib.sha256()
    h.update(f"{inputs_key()}\n{variant}\n{' '.join(VARIANTS[variant])}\n".encode())
    for function in (from_pristine, prepare_variant):
        h.update(inspect.getsource(function).encode())
    h.update(IFUPDOWN_INTERFACES.encode())
    hash_overlay(h, MANAGERS_OVERLAY)
    return h.hexdigest()[:16]


def prepare_variant(root, variant):
    """After prepare_image: the variant's manager (or none) instead of systemd-networkd, and its
    report."""
    copy_overlay(MANAGERS_OVERLAY, root)
    run(["systemctl", f"--root={root}", "disable", "systemd-networkd.service",
         "systemd-networkd-wait-online.service"], stdout=subprocess.DEVNULL)
    if variant == "networkmanager":
        units = ["NetworkManager.service", "NetworkManager-wait-online.service"]
    elif variant == "ifupdown":
        with open(os.path.join(root, "etc/network/interfaces"), "w") as f:
            f.write(IFUPDOWN_INTERFACES)
        units = ["networking.service"]
    else:
        units = []
    if units:
        run(["systemctl", f"--root={root}", "enable", *units], stdout=subprocess.DEVNULL)


ENABLE_FILE = "etc/initramfs-tools/conf.d/nfsroot-init-enable"  # the test's, as an admin's
PACKAGE = "nfsroot-init"
# What dpkg and apt keep about themselves, which installing and purging a package changes by
# design: dpkg's database and its backups, their logs, apt's state and caches.
PACKAGE_MANAGER_RECORDS = ("var/lib/dpkg/", "var/log/dpkg.log", "var/log/apt/", "var/lib/apt/",
                           "var/cache/apt/", "var/cache/debconf/", "var/backups/")


def image_root(args):
    root = os.path.join(os.path.abspath(args.dir), "root")
    if not os.path.isfile(os.path.join(root, "etc/os-release")):
        fail(f"no image in {root}: run 'debian_root.py build --dir {args.dir}' first")
    if not os.path.isfile(args.deb):
        fail(f"no package {args.deb}: scripts/build-package.sh makes it (scripts/setup.sh runs it)")
    return root


def in_image(args, root, *command, **kw):
    """COMMAND run inside the image by the image tool (its own apt, dpkg and update-initramfs)."""
    run([args.image_tool, "shell", root, *command], **kw)


def is_installed(root):
    p = subprocess.run(["dpkg-query", f"--admindir={root}/var/lib/dpkg", "-W", "-f", "${Status}",
                        PACKAGE], capture_output=True, text=True)
    return p.returncode == 0 and p.stdout.strip() == "install ok installed"


def apt_install(args, root):
    """apt-get install ./PACKAGE inside the image, as the README tells admins."""
    staged = os.path.join(root, "tmp", os.path.basename(args.deb))
    shutil.copyfile(args.deb, staged)
    try:
        # No recommends: the image has no package lists, and busybox-static is only the rescue
        # shell's preferred source. Offline: every dependency is in the image already.
        in_image(args, root, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y",
                 "-q", "--no-install-recommends", "/tmp/" + os.path.basename(args.deb),
                 stdout=subprocess.DEVNULL)
    finally:
        os.unlink(staged)
    if not is_installed(root):
        fail(f"apt-get install {args.deb} left {PACKAGE} not installed in {root}")


def apt_install_rebuilding_initrd(args, root):
    """apt_install, where dpkg must run initramfs-tools' trigger (dh_installinitramfs): the newest
    initrd is rebuilt, or the install fails. Returns that initrd's path."""
    initrd = newest_initrd(root)
    initrd_mtime = os.stat(initrd).st_mtime_ns
    apt_install(args, root)
    if os.stat(initrd).st_mtime_ns == initrd_mtime:
        fail(f"installing {PACKAGE} did not trigger update-initramfs: {initrd} was not rebuilt")
    return initrd


def newest_initrd(root):
    initrds = sorted(glob.glob(os.path.join(root, "boot/initrd.img-*")))
    if not initrds:
        fail(f"{root}/boot has no initrd.img-*: the image's kernel package made none")
    return initrds[-1]


def initrd_listing(initrd):
    p = subprocess.run(["lsinitramfs", initrd], capture_output=True, text=True)
    if p.returncode != 0:
        fail(f"lsinitramfs {initrd} failed: {p.stderr.strip()}")
    return sorted(set(p.stdout.split()))


def tree_state(root, skip):
    """{path: (type, mode, uid, gid, content digest or link target)} of every file under root
    but those under the prefixes of skip."""
    state = {}
    for top, dirs, files in os.walk(root):
        rel_top = os.path.relpath(top, root)
        rel_top = "" if rel_top == "." else rel_top + "/"
        dirs[:] = [d for d in dirs if not (rel_top + d + "/").startswith(skip)]
        for name in dirs + files:
            rel = rel_top + name
            if rel.startswith(skip):
                continue
            st = os.lstat(os.path.join(top, name))
            if stat.S_ISREG(st.st_mode):
                h = hashlib.sha256()
                with open(os.path.join(top, name), "rb") as f:
                    for block in iter(lambda: f.read(1 << 20), b""):
                        h.update(block)
                what = h.hexdigest()
            elif stat.S_ISLNK(st.st_mode):
                what = os.readlink(os.path.join(top, name))
            else:
                what = ""
            state[rel] = (stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid, what)
    return state


def check_our_initrd(root, initrd, what):
    """The initrd's /init is the image's nfsroot-init binary (NFSROOT_INIT=y)."""
    with tempfile.TemporaryDirectory() as tmp:
        p = subprocess.run(["unmkinitramfs", initrd, tmp], capture_output=True, text=True)
        if p.returncode != 0:
            fail(f"unmkinitramfs {initrd} failed: {p.stderr.strip()}")
        init = os.path.join(tmp, "main/init")
        if not os.path.lexists(init):
            init = os.path.join(tmp, "init")
        with open(os.path.join(root, "usr/lib/nfsroot-init/nfsroot-init"), "rb") as f:
            binary = f.read()
        try:
            with open(init, "rb") as f:
                ours = f.read() == binary
        except OSError:
            ours = False
    if not ours:
        fail(f"with NFSROOT_INIT=y, {what} ({initrd}) does not have the image's nfsroot-init as /init")
    log(f"{what}: /init is nfsroot-init")


def purge(args):
    root = image_root(args)
    # A previous run's enable file and install: the check starts from an image without either.
    # The file goes first, so that the purge's trigger rebuilds the initrd without it.
    if os.path.lexists(os.path.join(root, ENABLE_FILE)):
        os.unlink(os.path.join(root, ENABLE_FILE))
    if is_installed(root):
        in_image(args, root, "apt-get", "purge", "-y", "-q", PACKAGE, stdout=subprocess.DEVNULL)
    initrd = newest_initrd(root)
    skip = PACKAGE_MANAGER_RECORDS + (os.path.relpath(initrd, root), "var/lib/initramfs-tools/")
    before, before_listing = tree_state(root, skip), initrd_listing(initrd)

    apt_install_rebuilding_initrd(args, root)
    # With the hook off, the initrd the trigger rebuilt is initramfs-tools' own (its scripts are
    # there, its /init is the shell script).
    listing = initrd_listing(initrd)
    if "scripts/nfs" not in listing or "scripts/local" not in listing:
        fail(f"with NFSROOT_INIT=n, the initrd the trigger rebuilt is not initramfs-tools' own "
             f"(no scripts/nfs or scripts/local in it): the hook must stay off until enabled")
    for path in ("usr/lib/nfsroot-init/nfsroot-init", "usr/share/initramfs-tools/hooks/nfsroot-init",
                 "usr/share/initramfs-tools/conf-hooks.d/nfsroot-init", "etc/initramfs-tools/conf.d/nfsroot-init", "etc/nfsroot-init/overlays",
                 "usr/sbin/nfsroot-image"):
        if not os.path.isfile(os.path.join(root, path)):
            fail(f"the package installed no /{path}")
    log(f"installed {os.path.basename(args.deb)}: update-initramfs triggered, initrd still initramfs-tools' own")

    in_image(args, root, "apt-get", "purge", "-y", "-q", PACKAGE, stdout=subprocess.DEVNULL)
    if is_installed(root):
        fail(f"apt-get purge {PACKAGE} left it installed")
    after, after_listing = tree_state(root, skip), initrd_listing(initrd)
    changed = sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))
    if changed:
        fail(f"purging {PACKAGE} did not leave the image as it was; {len(changed)} path(s) differ: "
             + ", ".join(("+" if p not in before else "-" if p not in after else "~") + "/" + p
                         for p in changed[:20]))
    if after_listing != before_listing:
        gone, new = sorted(set(before_listing) - set(after_listing)), sorted(set(after_listing) - set(before_listing))
        fail(f"after the purge, {initrd} (rebuilt by the trigger) does not hold the files it held "
             f"before: {len(gone)} gone {gone[:10]}, {len(new)} new {new[:10]}")
    log(f"purged: {len(after)} paths as before (dpkg's and apt's records aside); the initrd holds "
        f"the same {len(after_listing)} files")
    return 0


def install(args):
    root = image_root(args)
    # The hook enabled first: the install's initramfs-tools trigger then builds our initrd
    # directly, not initramfs-tools' own big one that the next step would replace anyway.
    with open(os.path.join(root, ENABLE_FILE), "w") as f:
        # bonding for boot.debian_networkd_bond (bond=), as an admin adds a module the hook
        # leaves out by default.
        f.write('NFSROOT_INIT=y\nNFSROOT_INIT_MODULES="bonding"\n')
    if not is_installed(root):
        initrd = apt_install_rebuilding_initrd(args, root)
        check_our_initrd(root, initrd, "the initrd the install's trigger built")
    else:
        # Installed already, so no trigger runs: the admin's step after any change of the hook's
        # configuration (README, "Install"). A fresh install needs none, and a second build of
        # the same initrd took 90 s of each install test (image.debian_initrd tests this step).
        apt_install(args, root)
        log(f"{PACKAGE} was installed already: nfsroot-image initrd")
        run([args.image_tool, "initrd", root])
        initrd = newest_initrd(root)
        check_our_initrd(root, initrd, "the initrd nfsroot-image initrd built")
    os.makedirs(args.tftp, exist_ok=True)
    run([args.image_tool, "publish", root, args.tftp])
    for name in ("vmlinuz", "initrd.img"):
        path = os.path.join(args.tftp, name)
        if not os.path.isfile(path) or os.path.islink(path):
            fail(f"nfsroot-image publish left no regular file {path}")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build")
    b.add_argument("--dir", required=True)
    b.add_argument("--variant", choices=sorted(VARIANTS),
                   help="the image with another network manager (VARIANTS), in a DIR of its own")
    b.add_argument("--base", help="with --variant: the base image's DIR, whose pristine copy it starts from")
    b.add_argument("--image-tool", help="with --variant: image-tool/nfsroot-image, to run apt in the image")
    p = sub.add_parser("purge")
    i = sub.add_parser("install")
    for s in (p, i):
        s.add_argument("--dir", required=True)
        s.add_argument("--deb", required=True, help="the package scripts/build-package.sh made")
        s.add_argument("--image-tool", required=True, help="image-tool/nfsroot-image")
    i.add_argument("--tftp", required=True, help="where publish puts vmlinuz and initrd.img")
    args = ap.parse_args()
    return {"build": build, "purge": purge, "install": install}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
