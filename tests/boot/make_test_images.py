#!/usr/bin/env python3
"""Builds the image-mode exports of the boot tests from the test root: a squashfs channel and
an EROFS file, with Debian's mksquashfs and mkfs.erofs (as nfsroot-image build will).

  make_test_images.py --root=TESTROOT --output=DIR

DIR/channels/busybox/        a channel: current names v1.squashfs (zstd, 1 MiB blocks), beside it
DIR/channels/busybox/v1.squashfs
DIR/channels/busybox/v1.squashfs.sha256   its checksum, as nfsroot-image build writes it
DIR/badsum/                  a channel whose v1.squashfs (the same image) has a wrong .sha256
DIR/huge.squashfs            that image made sparse to 16 GiB: larger than any test client's RAM
DIR/busybox-v1.erofs         an image named directly (lz4hc)
DIR/broken/current           names a version that is not there (the error test)
DIR/not-an-image.squashfs    text with an image's name (the wrong-magic test)

Each image is rebuilt when the root is newer than it, written beside and renamed into place, so
an export never holds half an image.
"""
import argparse
import hashlib
import os
import shutil
import subprocess
import sys


def newest_mtime(root):
    newest = os.lstat(root).st_mtime
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            newest = max(newest, os.lstat(os.path.join(folder, name)).st_mtime)
    return newest


def build(command, target, root):
    if os.path.exists(target) and os.path.getmtime(target) >= newest_mtime(root):
        print(f"{target}: up to date")
        return
    partial = target + ".partial"
    if os.path.exists(partial):
        os.unlink(partial)
    subprocess.run(command(partial), check=True, stdout=subprocess.DEVNULL)
    os.rename(partial, target)
    print(f"{target}: {os.path.getsize(target)} bytes")


def copy(source, target):
    """Replaces target with a copy of source, renamed into place."""
    shutil.copyfile(source, target + ".partial")
    os.rename(target + ".partial", target)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".partial", "w") as f:
        f.write(text)
    os.rename(path + ".partial", path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", required=True)
    ap.add_argument("--output", required=True)
    args = ap.parse_args()
    root = os.path.realpath(args.root)
    out = args.output
    channel = os.path.join(out, "channels", "busybox")
    os.makedirs(channel, exist_ok=True)
    # 1 MiB blocks, as nfsroot-image build --boot-order makes them: /init reads such an image
    # ahead by its block size (boot.image_squashfs_channel sees the export's read_ahead_kb).
    build(lambda p: ["mksquashfs", root, p, "-noappend", "-comp", "zstd", "-b", "1M", "-no-progress", "-quiet"],
          os.path.join(channel, "v1.squashfs"), root)
    write(os.path.join(channel, "current"), "v1.squashfs\n")
    image = os.path.join(channel, "v1.squashfs")
    with open(image, "rb") as f:
        digest = hashlib.file_digest(f, "sha256").hexdigest()
    write(image + ".sha256", f"{digest}  v1.squashfs\n")
    badsum = os.path.join(out, "badsum")
    os.makedirs(badsum, exist_ok=True)
    copy(image, os.path.join(badsum, "v1.squashfs"))
    write(os.path.join(badsum, "v1.squashfs.sha256"), f"{'0' * 63}1  v1.squashfs\n")
    write(os.path.join(badsum, "current"), "v1.squashfs\n")
    huge = os.path.join(out, "huge.squashfs")
    copy(image, huge)
    os.truncate(huge, 16 << 30)  # sparse: no disk, and the image's magic still at 0
    build(lambda p: ["mkfs.erofs", "-zlz4hc", "--quiet", p, root], os.path.join(out, "busybox-v1.erofs"), root)
    write(os.path.join(out, "broken", "current"), "v9.squashfs\n")
    write(os.path.join(out, "not-an-image.squashfs"), "this is not an image\n" * 100)
    return 0


if __name__ == "__main__":
    sys.exit(main())
