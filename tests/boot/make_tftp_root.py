#!/usr/bin/env python3
"""Build a TFTP root folder for a PXE boot through pxelinux.

  make_tftp_root.py --output DIR --kernel VMLINUZ --initrd INITRD --append CMDLINE
                    [--mac 52:54:00:12:34:56] [--label playground]
                    [--pxelinux /usr/lib/PXELINUX/pxelinux.0]
                    [--ldlinux /usr/lib/syslinux/modules/bios/ldlinux.c32]

Give values that may start with '-' as --opt=VALUE.

DIR gets pxelinux.0 (Debian package pxelinux), ldlinux.c32 (syslinux-common), the kernel and
the initrd copied as the regular files vmlinuz and initrd.img, and
pxelinux.cfg/01-<mac, lowercase, dashes>, the file pxelinux looks for first, in the seed's
format:

  default playground

  label playground
  kernel vmlinuz
  initrd initrd.img
  append <CMDLINE>

Copies, not symlinks: a chrooted TFTP server (in.tftpd -s) cannot follow links that point
outside its root. DIR is replaced as a whole on every run, so a config for an old MAC cannot
linger and catch a client; a folder this tool did not make is never touched.
"""
import argparse
import os
import re
import shutil
import sys
import tempfile

MARKER = ".made-by-make_tftp_root"
PACKAGE_OF = {"--pxelinux": "pxelinux", "--ldlinux": "syslinux-common"}
MAC = re.compile(r"^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){5}$")


class Error(Exception):
    pass


def config_name(mac):
    if not MAC.match(mac):
        raise Error(f"--mac {mac!r}: not a MAC address: give six hex bytes, "
                    "e.g. 52:54:00:12:34:56")
    # "01" is the ARP hardware type of Ethernet, as pxelinux prefixes it.
    return "01-" + mac.lower().replace(":", "-")


def config_text(label, append):
    return (f"default {label}\n"
            "\n"
            f"label {label}\n"
            "kernel vmlinuz\n"
            "initrd initrd.img\n"
            f"append {append}\n")


def check_args(args):
    if not args.label or re.search(r"\s", args.label):
        raise Error(f"--label {args.label!r}: a label is one word without spaces, "
                    "e.g. playground")
    if "\n" in args.append or "\r" in args.append:
        raise Error("--append: must be one line (pxelinux reads the rest of the line only)")
    if not args.append.strip():
        raise Error("--append: empty; give the kernel command line, e.g. "
                    "'ip=dhcp root=/dev/nfs ro nfsroot=SERVER:/PATH'")
    for opt, path in (("--kernel", args.kernel), ("--initrd", args.initrd)):
        if not os.path.isfile(path):
            raise Error(f"{opt} {path}: no such file: give the path of a real file")
    for opt, path in (("--pxelinux", args.pxelinux), ("--ldlinux", args.ldlinux)):
        if not os.path.isfile(path):
            raise Error(f"{opt} {path}: no such file: apt-get install {PACKAGE_OF[opt]} "
                        f"(or give {opt}=PATH)")


def prepare_output(out):
    """Refuse a folder that holds something this tool did not write."""
    if os.path.lexists(out):
        if not os.path.isdir(out) or os.path.islink(out):
            raise Error(f"--output {out}: exists and is not a folder: choose a new path")
        if os.listdir(out) and not os.path.exists(os.path.join(out, MARKER)):
            raise Error(f"--output {out}: a folder not made by make_tftp_root.py; choose an "
                        "empty or new folder (this tool replaces its output as a whole)")


def build(args):
    check_args(args)
    name = config_name(args.mac)
    out = os.path.abspath(args.output)
    prepare_output(out)
    parent = os.path.dirname(out)
    os.makedirs(parent, exist_ok=True)
    # Build beside the output and swap it in, so a failed run leaves the old root intact.
    tmp = tempfile.mkdtemp(prefix=".tftp-", dir=parent)
    try:
        # copyfile follows symlinks (e.g. /vmlinuz -> boot/vmlinuz-VER) and writes real files.
        for src, dest in ((args.pxelinux, "pxelinux.0"), (args.ldlinux, "ldlinux.c32"),
                          (args.kernel, "vmlinuz"), (args.initrd, "initrd.img")):
            shutil.copyfile(src, os.path.join(tmp, dest))
            os.chmod(os.path.join(tmp, dest), 0o644)
        os.mkdir(os.path.join(tmp, "pxelinux.cfg"))
        with open(os.path.join(tmp, "pxelinux.cfg", name), "w", encoding="ascii") as f:
            f.write(config_text(args.label, args.append))
        with open(os.path.join(tmp, MARKER), "w", encoding="ascii") as f:
            f.write("make_tftp_root.py replaces this folder as a whole on every run\n")
        os.chmod(tmp, 0o755)
        if os.path.isdir(out):
            old = tempfile.mkdtemp(prefix=".tftp-old-", dir=parent)
            os.rename(out, os.path.join(old, "root"))
            os.rename(tmp, out)
            shutil.rmtree(old)
        else:
            os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out, name


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--output", required=True, metavar="DIR", help="TFTP root to write")
    ap.add_argument("--kernel", required=True, help="kernel image, copied as vmlinuz")
    ap.add_argument("--initrd", required=True, help="initramfs, copied as initrd.img")
    ap.add_argument("--append", required=True, metavar="CMDLINE",
                    help="the kernel command line for the config's append line")
    ap.add_argument("--mac", default="52:54:00:12:34:56",
                    help="the client's MAC: names pxelinux.cfg/01-<mac> (default: QEMU's)")
    ap.add_argument("--label", default="playground", help="the label (default: playground)")
    ap.add_argument("--pxelinux", default="/usr/lib/PXELINUX/pxelinux.0", metavar="PATH")
    ap.add_argument("--ldlinux", default="/usr/lib/syslinux/modules/bios/ldlinux.c32",
                    metavar="PATH")
    args = ap.parse_args(argv)
    try:
        out, name = build(args)
    except Error as e:
        sys.exit(f"make_tftp_root: {e}")
    except OSError as e:
        sys.exit(f"make_tftp_root: {e.filename}: {e.strerror}")
    print(f"make_tftp_root: {out}: pxelinux.0, ldlinux.c32, vmlinuz, initrd.img, "
          f"pxelinux.cfg/{name}:")
    for line in config_text(args.label, args.append).splitlines():
        print(f"  | {line}")


if __name__ == "__main__":
    main()
