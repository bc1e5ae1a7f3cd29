#!/usr/bin/env python3
"""Image mode's upgrade under running clients, with the real nfsroot-image and real boots:

  image_upgrade.py --tool NFSROOT_IMAGE --root TESTROOT --images EXPORT_DIR --export SERVER:PATH
                   --kernel VMLINUZ --initrd INITRD --append-extra OPTIONS --logdir DIR

1. A copy of the test root with /etc/nfsroot-test-version "1" is packed by `nfsroot-image build`
   into the channel EXPORT_DIR/upgrade (made anew). Version 2 is built with `--boot-order` (the
   init, busybox and the version file first, 1 MiB blocks): B's export reads ahead 1 MiB, A's
   and C's keep the kernel's 128 KiB.
2. Client A boots it with nfsroot-test.hold=N: the test root's init reads every file of the
   root N times, dropping the page cache before each pass so the reads go to the server. Once
   A has read its first pass, version 2 is built into the same channel (current switched);
   A must go on reading the same contents, at least 3 passes after the build ended, with no
   error, and end normally.
3. Client B, booted after, must report version 2 and the new version's file.
4. `nfsroot-image rollback` points current back; client C must report version 1.

Each boot is tests/boot/qemu_boot.py; their console logs are DIR/image_upgrade.{a,b,c}.console.log.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CHANNEL = "upgrade"
HOLD_PASSES = 30
VERSION_RE = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{12}\.squashfs$")


def fail(message):
    print(f"image_upgrade: FAIL: {message}", flush=True)
    sys.exit(1)


def log(message):
    print(f"image_upgrade: {message}", flush=True)


def run_tool(args, *words):
    command = [args.tool, *words]
    log("$ " + " ".join(command))
    done = subprocess.run(command, capture_output=True, text=True)
    for line in (done.stdout + done.stderr).splitlines():
        log("  | " + line)
    if done.returncode != 0:
        fail(f"{' '.join(command)} exited with {done.returncode}")
    return done.stdout


def current_version(channel):
    with open(os.path.join(channel, "current")) as f:
        name = f.read().strip()
    if not VERSION_RE.match(name):
        fail(f"{channel}/current names {name!r}, not a version of nfsroot-image build")
    return name


def build(args, image, version, channel, boot_order=None):
    with open(os.path.join(image, "etc", "nfsroot-test-version"), "w") as f:
        f.write(f"{version}\n")
    extra = []
    if boot_order:
        order_file = os.path.join(os.path.dirname(image), "boot-order")
        with open(order_file, "w") as f:
            f.write("".join(path + "\n" for path in boot_order))
        extra = ["--boot-order", order_file]
    run_tool(args, "build", image, args.images, "--name", CHANNEL, *extra)
    return current_version(channel)


def boot_command(args, name, append, expects):
    command = [sys.executable, os.path.join(HERE, "qemu_boot.py"), f"--kernel={args.kernel}",
               f"--initrd={args.initrd}", f"--append={append}", f"--timeout={args.timeout}",
               f"--log={os.path.join(args.logdir, f'image_upgrade.{name}.console.log')}",
               "--reject=TESTROOT: FAIL", "--reject=warning:"]
    return command + [f"--expect={e}" for e in expects]


def expects_for(version, file_name):
    # Version 2 is built with --boot-order: 1 MiB blocks, which /init reads ahead whole; version
    # 1 has the tool's 128 KiB blocks and keeps the kernel's window.
    read_ahead = 1024 if version == 2 else 128
    return [rf"root: image {re.escape(file_name)} \(squashfs, [0-9]+ KiB, current of channel {CHANNEL}\)",
            f"TESTROOT: image-version={version}", "TESTROOT: root-fs=squashfs ro",
            f"TESTROOT: image-export-readahead={read_ahead}", "TESTROOT: all checks passed", "TESTROOT: DONE"]


def boot(args, name, append, expects):
    log(f"client {name.upper()}: booting")
    if subprocess.run(boot_command(args, name, append, expects)).returncode != 0:
        fail(f"client {name.upper()}'s boot failed (see above)")


def passes_in(path):
    try:
        with open(path, errors="replace") as f:
            text = f.read()
    except FileNotFoundError:
        return 0
    found = [int(n) for n in re.findall(r"TESTROOT: hold pass (\d+) ok", text)]
    return max(found, default=0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tool", required=True)
    ap.add_argument("--root", required=True, help="the test root to copy")
    ap.add_argument("--images", required=True, help="the image export's folder on this host")
    ap.add_argument("--export", required=True, help="SERVER:PATH,OPTIONS of that export for nfsroot=")
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--initrd", required=True)
    ap.add_argument("--append-extra", default="console=ttyS0")
    ap.add_argument("--logdir", required=True)
    ap.add_argument("--timeout", type=float, default=150)
    args = ap.parse_args()
    if os.geteuid() != 0:
        fail("needs root (nfsroot-image build mounts)")

    channel = os.path.join(args.images, CHANNEL)
    shutil.rmtree(channel, ignore_errors=True)
    append = f"ip=dhcp root=/dev/nfs ro nfsroot={args.export} nfsroot-init.image={CHANNEL} {args.append_extra}"
    with tempfile.TemporaryDirectory(prefix="image-upgrade-") as work:
        image = os.path.join(work, "image")
        subprocess.run(["cp", "-a", args.root, image], check=True)
        v1 = build(args, image, 1, channel)
        log(f"version 1 is {v1}")

        # A: boots version 1 and reads while version 2 is built.
        a_log = os.path.join(args.logdir, "image_upgrade.a.console.log")
        if os.path.exists(a_log):
            os.unlink(a_log)
        a = subprocess.Popen(boot_command(args, "a", f"{append} nfsroot-test.hold={HOLD_PASSES}",
                                          expects_for(1, v1) + [f"TESTROOT: hold pass {HOLD_PASSES} ok"]))
        deadline = time.monotonic() + args.timeout
        while passes_in(a_log) < 1:
            if a.poll() is not None:
                fail("client A ended before its first pass over the root (see above)")
            if time.monotonic() > deadline:
                a.kill()
                fail(f"client A read no pass over the root in {args.timeout:g} s")
            time.sleep(0.2)  # polling the console log, which qemu_boot.py flushes line by line
        v2 = build(args, image, 2, channel, boot_order=["/sbin/init", "/bin/busybox", "/etc/nfsroot-test-version"])
        built_at_pass = passes_in(a_log)
        log(f"version 2 is {v2}, current switched while client A was at pass {built_at_pass} of {HOLD_PASSES}")
        if v2 == v1:
            fail("version 2 got version 1's name")
        if not os.path.exists(os.path.join(channel, v1)):
            fail(f"building version 2 deleted version 1 ({v1}), which client A runs")
        if a.wait() != 0:
            fail("client A failed while the channel was switched (see above)")
        if HOLD_PASSES - built_at_pass < 3:
            fail(f"client A read only {HOLD_PASSES - built_at_pass} passes after version 2 was built; "
                 "raise HOLD_PASSES")
        log(f"client A read {HOLD_PASSES - built_at_pass} passes after the switch, all the same as before it")

        # B: a boot after the switch gets version 2.
        boot(args, "b", append, expects_for(2, v2))

        # C: after a rollback, version 1 again.
        run_tool(args, "rollback", channel)
        if current_version(channel) != v1:
            fail(f"rollback left current at {current_version(channel)}, not {v1}")
        boot(args, "c", append, expects_for(1, v1))
    shutil.rmtree(channel, ignore_errors=True)
    log("PASS: A kept reading version 1 through the switch, B booted version 2, C version 1 after the rollback")
    return 0


if __name__ == "__main__":
    sys.exit(main())
