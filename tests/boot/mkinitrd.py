#!/usr/bin/env python3
"""Build a gzip-compressed cpio "newc" initramfs without root and without the cpio tool.

  mkinitrd.py -o OUT --init BINARY [--add SRC:DEST]... [--add-tree SRCDIR:DESTDIR]...
              [--symlink TARGET:DEST]... [--kmod-dir DIR --module NAME...] [--allow-dynamic]
              [--arch amd64|arm64|i386]

The archive is reproducible: uid/gid 0, mtime 0, entries sorted, parent directories implied.
It always holds /dev/console (char 5,1) so the kernel can give /init a console, plus the empty
mount points /dev /proc /sys /run /root.

--kmod-dir points at a depmod'ed lib/modules/KVER tree; each --module NAME is copied with the
modules it depends on (modules.dep) into lib/modules/KVER/, with modules.dep, modules.alias and
modules.order cut down to what is present, so /init never chases a module that is not there.

ELF executables given by --init or --add must be static (the initramfs has no shared
libraries) unless --allow-dynamic is passed, and with --arch ARCH (amd64, arm64, i386) built for
that architecture.
"""
import argparse
import gzip
import os
import stat
import struct
import sys
import tempfile

# Entries: path (no leading '/') -> (mode, payload); payload is a source file path for regular
# files, the link target for symlinks, (major, minor) for devices, None for directories.
DIR_MODE = stat.S_IFDIR | 0o755


class Error(Exception):
    pass


class Archive:
    def __init__(self):
        self.entries = {}
        for d in ("dev", "proc", "sys", "run"):
            self.mkdir(d)
        self.mkdir("root", 0o700)
        self.put("dev/console", stat.S_IFCHR | 0o600, (5, 1))

    @staticmethod
    def norm(dest):
        parts = [p for p in dest.split("/") if p not in ("", ".")]
        if not parts or ".." in parts:
            raise Error(f"bad destination path {dest!r}")
        return "/".join(parts)

    def mkdir(self, dest, perm=0o755):
        self.put(dest, stat.S_IFDIR | perm, None)

    def put(self, dest, mode, payload):
        path = self.norm(dest)
        # Imply parent directories (the kernel does not create them).
        parts = path.split("/")
        for i in range(1, len(parts)):
            parent = "/".join(parts[:i])
            old = self.entries.setdefault(parent, (DIR_MODE, None))
            if not stat.S_ISDIR(old[0]):
                raise Error(f"{parent} is both a directory and a file")
        old = self.entries.get(path)
        if old and stat.S_ISDIR(old[0]) != stat.S_ISDIR(mode):
            raise Error(f"{path} is both a directory and a file")
        self.entries[path] = (mode, payload)  # later additions win

    def add_file(self, src, dest, allow_dynamic=True, perm=None, arch=None):
        st = os.stat(src)  # follows symlinks: --add copies the file itself
        if not stat.S_ISREG(st.st_mode):
            raise Error(f"{src} is not a regular file")
        if not allow_dynamic or arch is not None:
            check_elf(src, allow_dynamic, arch)
        if dest.endswith("/"):
            dest += os.path.basename(src)
        self.put(dest, stat.S_IFREG | (perm or stat.S_IMODE(st.st_mode)), src)

    def add_tree(self, src, dest):
        if not os.path.isdir(src):
            raise Error(f"{src} is not a directory")
        self.put(dest, stat.S_IFDIR | stat.S_IMODE(os.stat(src).st_mode), None)
        for entry in sorted(os.scandir(src), key=lambda e: e.name):
            target = f"{dest}/{entry.name}"
            st = entry.stat(follow_symlinks=False)
            if entry.is_symlink():
                self.put(target, stat.S_IFLNK | 0o777, os.readlink(entry.path))
            elif entry.is_dir(follow_symlinks=False):
                self.add_tree(entry.path, target)
            elif entry.is_file(follow_symlinks=False):
                self.put(target, stat.S_IFREG | stat.S_IMODE(st.st_mode), entry.path)
            else:
                raise Error(f"{entry.path}: special files are not supported in --add-tree")

    def add_modules(self, kmod_dir, names):
        kver = os.path.basename(os.path.normpath(kmod_dir))
        dep_path = os.path.join(kmod_dir, "modules.dep")
        if not os.path.isfile(dep_path):
            raise Error(f"{dep_path} missing (run depmod -b ROOT {kver})")
        deps, by_name = {}, {}
        with open(dep_path) as f:
            for line in f:
                mod, _, rest = line.partition(":")
                deps[mod] = rest.split()
                by_name[modname(mod)] = mod
        wanted, todo = set(), []
        for name in names:
            mod = by_name.get(name.replace("-", "_"))
            if mod is None:
                raise Error(f"module {name} not in {dep_path}")
            todo.append(mod)
        while todo:  # the module and everything it needs, transitively
            mod = todo.pop()
            if mod not in wanted:
                wanted.add(mod)
                todo.extend(deps[mod])
        base = f"lib/modules/{kver}"
        for mod in wanted:
            self.add_file(os.path.join(kmod_dir, mod), f"{base}/{mod}")
        present = {modname(m) for m in wanted}
        self.put_text(f"{base}/modules.dep",
                      "".join(f"{m}:{''.join(' ' + d for d in deps[m])}\n" for m in sorted(wanted)))
        self.put_text(f"{base}/modules.order", filter_lines(
            os.path.join(kmod_dir, "modules.order"), lambda l: l.strip() in wanted))
        self.put_text(f"{base}/modules.alias", filter_lines(
            os.path.join(kmod_dir, "modules.alias"),
            lambda l: l.startswith("alias ") and l.split()[-1] in present))
        # Built-in modules are always "present": keep their lists whole.
        for name in ("modules.builtin", "modules.builtin.modinfo", "modules.softdep"):
            if os.path.isfile(os.path.join(kmod_dir, name)):
                self.add_file(os.path.join(kmod_dir, name), f"{base}/{name}")

    def put_text(self, dest, text):
        self.put(dest, stat.S_IFREG | 0o644, text.encode())

    def write(self, out):
        # Write next to OUT and rename, so a failed run never leaves a half archive behind.
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(out)), prefix=".mkinitrd.")
        try:
            with os.fdopen(fd, "wb") as raw, \
                    gzip.GzipFile(filename="", mode="wb", compresslevel=6, fileobj=raw, mtime=0) as gz:
                for ino, path in enumerate(sorted(self.entries), start=1):
                    mode, payload = self.entries[path]
                    write_entry(gz, ino, path, mode, payload)
                write_entry(gz, 0, "TRAILER!!!", 0, b"")
            os.chmod(tmp, 0o644)
            os.replace(tmp, out)
        except BaseException:
            os.unlink(tmp)
            raise


def modname(path):
    return os.path.basename(path)[:-len(".ko")].replace("-", "_")


def filter_lines(path, keep):
    if not os.path.isfile(path):
        return ""
    with open(path) as f:
        return "".join(line for line in f if keep(line))


# Debian architecture -> ELF e_machine of its executables.
ELF_MACHINES = {"amd64": 62, "arm64": 183, "i386": 3}  # EM_X86_64, EM_AARCH64, EM_386


def elf_info(path):
    """(e_machine, dynamic) of a little-endian ELF executable of either class, or None when
    PATH is not ELF (a script). dynamic: it has a PT_INTERP header (asks for a loader)."""
    with open(path, "rb") as f:
        ident = f.read(64)
        if ident[:4] != b"\x7fELF":
            return None
        if ident[4] not in (1, 2) or ident[5] != 1:
            raise Error(f"{path}: only little-endian ELF (32- or 64-bit) is checked")
        machine, = struct.unpack_from("<H", ident, 18)
        if ident[4] == 2:  # ELFCLASS64
            phoff, = struct.unpack_from("<Q", ident, 32)
            phentsize, phnum = struct.unpack_from("<HH", ident, 54)
        else:  # ELFCLASS32
            phoff, = struct.unpack_from("<I", ident, 28)
            phentsize, phnum = struct.unpack_from("<HH", ident, 42)
        f.seek(phoff)
        table = f.read(phentsize * phnum)
    dynamic = any(struct.unpack_from("<I", table, i * phentsize)[0] == 3  # PT_INTERP
                  for i in range(phnum))
    return machine, dynamic


def check_elf(path, allow_dynamic=False, arch=None):
    """Refuse an ELF executable that asks for a dynamic loader (the initramfs has no shared
    libraries) or, with ARCH, one built for another architecture than the guest's."""
    info = elf_info(path)
    if info is None:
        return  # scripts and data are fine
    machine, dynamic = info
    if dynamic and not allow_dynamic:
        raise Error(f"{path} is dynamically linked, but the initramfs has no shared libraries;"
                    " use a static build (for busybox: the busybox-static package)")
    if arch is not None and machine != ELF_MACHINES[arch]:
        names = {v: k for k, v in ELF_MACHINES.items()}
        raise Error(f"{path} is built for {names.get(machine, f'ELF machine {machine}')}, the guest is "
                    f"{arch}: use that architecture's build (build-{arch}/, .cache/busybox-{arch}/)")


def pad4(n):
    return -n % 4


def write_entry(out, ino, path, mode, payload):
    if stat.S_ISREG(mode) and isinstance(payload, str):
        size = os.path.getsize(payload)
    elif stat.S_ISLNK(mode):
        payload = payload.encode()
        size = len(payload)
    elif isinstance(payload, bytes):
        size = len(payload)
    else:
        size = 0
    rdev = payload if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else (0, 0)
    name = path.encode() + b"\0"
    nlink = 2 if stat.S_ISDIR(mode) else 1
    # newc: magic + 13 fields of 8 hex digits: ino mode uid gid nlink mtime filesize
    # devmajor devminor rdevmajor rdevminor namesize check.
    header = "070701" + "".join(f"{v:08x}" for v in (
        ino, mode, 0, 0, nlink, 0, size, 0, 0, rdev[0], rdev[1], len(name), 0))
    out.write(header.encode() + name + b"\0" * pad4(110 + len(name)))  # name padded to 4
    if isinstance(payload, str) and stat.S_ISREG(mode):
        with open(payload, "rb") as f:
            left = size
            while left:
                chunk = f.read(min(left, 1 << 20))
                if not chunk:
                    raise Error(f"{payload} shrank while being read")
                out.write(chunk)
                left -= len(chunk)
    elif isinstance(payload, bytes):
        out.write(payload)
    out.write(b"\0" * pad4(size))  # data padded to 4


def pair(text, what):
    # Split on the last ':' so a source path may contain colons.
    src, sep, dest = text.rpartition(":")
    if not sep or not src or not dest:
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
    return src, dest


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--output", required=True, help="initrd to write (gzip'ed newc cpio)")
    ap.add_argument("--init", required=True, help="file to install as /init, mode 0755")
    ap.add_argument("--add", action="append", default=[], metavar="SRC:DEST",
                    type=lambda s: pair(s, "SRC:DEST"), help="one file, mode kept")
    ap.add_argument("--add-tree", action="append", default=[], metavar="SRCDIR:DESTDIR",
                    type=lambda s: pair(s, "SRCDIR:DESTDIR"), help="a directory tree")
    ap.add_argument("--symlink", action="append", default=[], metavar="TARGET:DEST",
                    type=lambda s: pair(s, "TARGET:DEST"), help="a symbolic link DEST -> TARGET")
    ap.add_argument("--kmod-dir", metavar="DIR", help="lib/modules/KVER to take --module from")
    ap.add_argument("--module", action="append", default=[], metavar="NAME",
                    help="kernel module to include with its dependencies")
    ap.add_argument("--allow-dynamic", action="store_true",
                    help="accept dynamically linked ELF files for --init and --add")
    ap.add_argument("--arch", choices=sorted(ELF_MACHINES),
                    help="the guest's architecture: ELF files of --init and --add must be built for it")
    args = ap.parse_args(argv)
    if args.module and not args.kmod_dir:
        ap.error("--module needs --kmod-dir")
    try:
        a = Archive()
        for src, dest in args.add_tree:
            a.add_tree(src, dest)
        for src, dest in args.add:
            a.add_file(src, dest, args.allow_dynamic, arch=args.arch)
        for target, dest in args.symlink:
            a.put(dest, stat.S_IFLNK | 0o777, target)
        if args.kmod_dir:
            a.add_modules(args.kmod_dir, args.module)
        a.add_file(args.init, "init", args.allow_dynamic, perm=0o755, arch=args.arch)
        a.write(args.output)
    except Error as e:
        sys.exit(f"mkinitrd: {e}")
    except OSError as e:
        sys.exit(f"mkinitrd: {e.filename}: {e.strerror}")


if __name__ == "__main__":
    main()
