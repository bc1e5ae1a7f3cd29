#!/usr/bin/env python3
"""Union builder integration: real tmpfs and overlayfs mounts over a read-only stand-in root.

  unions.py --tool UNION_TOOL SCENARIO

Each scenario builds a small image tree in a temporary directory, then re-runs itself inside a
private mount namespace (`unshare -m --propagation private`): there a read-only bind mount of the
image stands in for the NFS root, union_tool builds the unions from an overlay list, and the
checks run. When the namespace's last process exits its mounts are gone; outside, the test checks
that the image on disk is unchanged and that no mount leaked into the caller's namespace.
Needs root. Scenarios: plain, escape, seed, errors.
"""
import argparse
import hashlib
import os
import shutil
import stat
import subprocess
import sys
import tempfile


class Failure(Exception):
    pass


def expect(condition, message, context=""):
    if not condition:
        raise Failure(message + (f"\n--- context ---\n{context}" if context else ""))


def write(path, text, mode=None, owner=None):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    if mode is not None:
        os.chmod(path, mode)
    if owner is not None:
        os.chown(path, *owner)


def make_dir(path, mode=0o755, owner=(0, 0)):
    os.makedirs(path, exist_ok=True)
    os.chown(path, *owner)
    os.chmod(path, mode)  # after chown, which clears set-id bits


def snapshot(top):
    """Everything about the tree that a union must not change: names, types, modes, owners,
    times, contents, link targets."""
    state = {}
    for directory, dirs, files in os.walk(top):
        for name in sorted(dirs + files):
            path = os.path.join(directory, name)
            st = os.lstat(path)
            entry = (stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid, st.st_mtime_ns)
            if stat.S_ISLNK(st.st_mode):
                entry += (os.readlink(path),)
            elif stat.S_ISREG(st.st_mode):
                with open(path, "rb") as f:
                    entry += (hashlib.sha256(f.read()).hexdigest(),)
            state[os.path.relpath(path, top)] = entry
    return state


def mountinfo():
    """(mount point, fstype, super options) of every mount in this namespace."""
    mounts = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            left, right = line.split(" - ", 1)
            point = left.split()[4].encode().decode("unicode_escape")
            fstype, _source, options = right.split()[:3]
            mounts.append((point, fstype, options))
    return mounts


# --- images ----------------------------------------------------------------------------------------

def debian_like(image):
    make_dir(image)
    make_dir(os.path.join(image, "tmp"), 0o1777)
    make_dir(os.path.join(image, "var"))
    write(os.path.join(image, "var/log/x"), "image log\n")
    write(os.path.join(image, "var/lib/dpkg/status"), "Package: base-files\n")
    make_dir(os.path.join(image, "etc/udev/rules.d"), 0o750, (0, 4321))
    write(os.path.join(image, "etc/udev/rules.d/70-foo.rules"), "# from the image\n")
    make_dir(os.path.join(image, "srv"))
    make_dir(os.path.join(image, "srv/spool"), 0o2750, (1234, 4321))
    write(os.path.join(image, "srv/spool/old"), "covered by the tmpfs\n")


def build_plain(lab):
    debian_like(lab.image)
    return ("/tmp tmpfs size=16M\n"
            "/var overlay size=16M\n"
            "/etc/udev/rules.d overlay size=1M\n"
            "/srv/spool tmpfs size=1M\n")


def build_escape(lab):
    debian_like(lab.image)
    # Real directories outside the stand-in root, where a resolution that follows the image's
    # symlinks on the host would land.
    make_dir(os.path.join(lab.dir, "outside/sub"))
    # Decoys inside the image, where a resolution contained in the root lands instead.
    make_dir(os.path.join(lab.image, "outside/sub"))
    make_dir(os.path.join(lab.image, "run"))
    os.symlink("/", os.path.join(lab.image, "evil"))                        # the root itself
    os.symlink("../outside", os.path.join(lab.image, "up"))                 # one ".." above the root
    os.symlink("../../../../../../../../..", os.path.join(lab.image, "deep"))  # far above it
    os.symlink(os.path.join(lab.dir, "outside"), os.path.join(lab.image, "abs"))  # a host path
    os.symlink("/run", os.path.join(lab.image, "hostrun"))                  # the host's /run
    os.symlink("/proc/self/root", os.path.join(lab.image, "magic"))         # a /proc magic link
    return ("/evil tmpfs size=1M\n"
            "/up/sub overlay size=1M\n"
            "/deep/run tmpfs size=1M\n"
            "/abs/sub overlay size=1M\n"
            "/hostrun tmpfs size=1M\n"
            "/magic/tmp tmpfs size=1M\n")


def build_seed(lab):
    """The seed's image: mkdir -p /aufs/var/{mount,rw}; mv /var /aufs/var/ro;
    ln -s /aufs/var/mount /var; the same for /etc/udev/rules.d."""
    image = lab.image
    make_dir(image)
    make_dir(os.path.join(image, "tmp"), 0o1777)
    for place in ("var", "etc/udev/rules.d"):
        make_dir(os.path.join(image, "aufs", place, "mount"))
        make_dir(os.path.join(image, "aufs", place, "rw"))
        make_dir(os.path.join(image, "aufs", place, "ro"))
    write(os.path.join(image, "aufs/var/ro/log/x"), "image log\n")
    write(os.path.join(image, "aufs/etc/udev/rules.d/ro/70-foo.rules"), "# from the image\n")
    make_dir(os.path.join(image, "etc/udev"))
    os.symlink("/aufs/var/mount", os.path.join(image, "var"))
    os.symlink("/aufs/etc/udev/rules.d/mount", os.path.join(image, "etc/udev/rules.d"))
    return ("/tmp tmpfs size=16M,mode=1777\n"
            "/var overlay size=16M\n"
            "/etc/udev/rules.d overlay size=1M\n")


def build_errors(lab):
    debian_like(lab.image)
    return ("/var overlay size=16M\n"
            "/nope overlay size=1M\n"
            "/srv overlay size=100000G\n"
            "/etc/udev/rules.d union\n"
            "/tmp tmpfs size=16M\n")


BUILDERS = {"plain": build_plain, "escape": build_escape, "seed": build_seed, "errors": build_errors}


# --- checks, inside the namespace -------------------------------------------------------------------

class Inside:
    def __init__(self, lab_dir, tool):
        self.dir = lab_dir
        self.image = os.path.join(lab_dir, "image")
        self.root = os.path.join(lab_dir, "root")
        self.layers = os.path.join(lab_dir, "run/unions")
        self.tool = tool

    def r(self, path):
        return os.path.join(self.root, path.lstrip("/"))

    def run_tool(self):
        result = subprocess.run([self.tool, self.root, self.layers, os.path.join(self.dir, "overlays")],
                                capture_output=True, text=True)
        self.output = result.stdout + result.stderr
        print(self.output, end="")
        return result.returncode

    def fstype(self, path):
        found = [fstype for point, fstype, _ in mountinfo() if point == path]
        return found[-1] if found else None

    def new_mounts(self, before):
        return [m for m in mountinfo() if m not in before]

    def check_contained(self, before):
        """Every mount the tool made is in the stand-in root or the layers directory."""
        made = self.new_mounts(before)
        for point, fstype, _ in made:
            inside = point.startswith(self.root + "/") or point.startswith(self.layers + "/")
            expect(inside, f"a {fstype} mount at {point}: outside the new root and the layers",
                   "\n".join(map(str, made)))
        return made

    def in_root(self, action):
        """Runs action() in a child chrooted into the new root, where the image's absolute
        symlinks mean what they mean to the root's own programs. A Failure there fails here."""
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                os.chroot(self.root)
                os.chdir("/")
                action()
            except Failure as failure:
                print(failure, file=sys.stderr)
                code = 1
            except BaseException as error:  # anything else, with its traceback
                import traceback
                traceback.print_exc()
                code = 2
            os._exit(code)
        _, status = os.waitpid(pid, 0)
        expect(os.waitstatus_to_exitcode(status) == 0, "a check inside the new root failed (see above)")

    def check_read_only_root(self):
        try:
            write(self.r("/written-into-the-image"), "no")
        except OSError as error:
            expect(error.errno == 30, f"writing into the root failed with {error}, not EROFS")
        else:
            raise Failure("the stand-in root is writable")


def setup_root(inside):
    """The NFS root's stand-in: a read-only bind mount of the image."""
    subprocess.run(["mount", "--bind", inside.image, inside.root], check=True)
    subprocess.run(["mount", "-o", "remount,bind,ro", inside.root], check=True)


def check_plain(t, before):
    expect(t.run_tool() == 0, "union_tool failed", t.output)
    made = t.check_contained(before)
    expect(t.fstype(t.r("/tmp")) == "tmpfs", "/tmp is not a tmpfs")
    expect(t.fstype(t.r("/var")) == "overlay", "/var is not an overlay")
    expect(t.fstype(t.r("/etc/udev/rules.d")) == "overlay", "/etc/udev/rules.d is not an overlay")
    expect(t.fstype(t.r("/srv/spool")) == "tmpfs", "/srv/spool is not a tmpfs")
    layer = os.path.join(t.layers, "2-var")
    layer_options = [o for p, f, o in made if p == layer]
    expect(layer_options and "size=16384k" in layer_options[0], "the /var layer tmpfs lacks size=16M", str(made))

    # The image shows through; writes land in the layer tmpfs, never in the image.
    with open(t.r("/var/log/x")) as f:
        expect(f.read() == "image log\n", "/var/log/x does not show the image's file")
    write(t.r("/var/log/new"), "written at boot\n")
    expect(os.path.exists(os.path.join(layer, "upper/log/new")), "the new file is not in the upper layer")
    expect(not os.path.exists(os.path.join(t.image, "var/log/new")), "the new file reached the image")
    with open(t.r("/var/lib/dpkg/status"), "a") as f:
        f.write("Package: changed\n")
    expect(os.path.exists(os.path.join(layer, "upper/lib/dpkg/status")), "the changed file was not copied up")

    # Deleting a file of the image: gone from the union, a whiteout (0/0 char device) in upper.
    os.unlink(t.r("/var/log/x"))
    expect(not os.path.exists(t.r("/var/log/x")), "the deleted file is still visible")
    whiteout = os.lstat(os.path.join(layer, "upper/log/x"))
    expect(stat.S_ISCHR(whiteout.st_mode) and whiteout.st_rdev == 0, "no whiteout for the deleted file")
    expect(os.path.exists(os.path.join(t.image, "var/log/x")), "the image's file was deleted")

    # The overlay's root shows the image's attributes, not the upper's defaults.
    rules = os.stat(t.r("/etc/udev/rules.d"))
    expect(stat.S_IMODE(rules.st_mode) == 0o750 and rules.st_gid == 4321,
           f"/etc/udev/rules.d is {oct(rules.st_mode)} gid {rules.st_gid}, not 0750 gid 4321")
    expect(os.path.exists(t.r("/etc/udev/rules.d/70-foo.rules")), "the image's udev rule is not visible")
    write(t.r("/etc/udev/rules.d/71-new.rules"), "# written at boot\n")
    # size= holds: 1M for the rules.
    try:
        write(t.r("/etc/udev/rules.d/big"), "x" * (2 << 20))
    except OSError as error:
        expect(error.errno == 28, f"writing past size=1M failed with {error}, not ENOSPC")
    else:
        raise Failure("2 MiB fit into the 1M layer of /etc/udev/rules.d")

    # kind tmpfs: empty, with the covered directory's mode and owner.
    tmp = os.stat(t.r("/tmp"))
    expect(stat.S_IMODE(tmp.st_mode) == 0o1777, f"/tmp is {oct(tmp.st_mode)}")
    spool = os.stat(t.r("/srv/spool"))
    expect((stat.S_IMODE(spool.st_mode), spool.st_uid, spool.st_gid) == (0o2750, 1234, 4321),
           f"/srv/spool is {oct(spool.st_mode)} {spool.st_uid}:{spool.st_gid}, not 2750 1234:4321")
    expect(os.listdir(t.r("/srv/spool")) == [], "the tmpfs on /srv/spool is not empty")
    write(t.r("/tmp/scratch"), "x")
    t.check_read_only_root()


def check_escape(t, before):
    t.run_tool()  # some entries are meant to fail
    made = t.check_contained(before)
    out = t.output
    expect("/evil tmpfs 1M (" in out and "it is the new root itself" in out, "/evil was not refused", out)
    # "../outside" from the root stays in the root: the image's /outside/sub, not the host's.
    expect(t.fstype(t.r("/outside/sub")) == "overlay", "/up/sub did not land on the image's /outside/sub", out)
    expect(t.fstype(os.path.join(t.dir, "outside/sub")) is None, "a mount landed on the host's outside/sub")
    # Any number of ".." stops at the root: /deep/run is the image's /run.
    expect(t.fstype(t.r("/run")) == "tmpfs", "/deep/run did not land on the image's /run", out)
    # An absolute host path means that path inside the image, where it does not exist.
    expect("union: /abs/sub overlay on tmpfs 1M" in out and "No such file or directory" in out,
           "/abs/sub was not skipped", out)
    # /proc/self/root in the image is the image's own /proc (a plain directory or nothing).
    expect("union: /magic/tmp tmpfs 1M" in out and "skipped" in out.split("union: /magic/tmp", 1)[1].split("\n")[0],
           "/magic/tmp was not skipped", out)
    expect(t.fstype("/run") == dict((p, f) for p, f, _ in before).get("/run"), "the host's /run was mounted over")
    # /hostrun -> /run: the image's /run again, already a tmpfs from /deep/run; now stacked.
    points = [p for p, _, _ in made]
    expect(points.count(t.r("/run")) == 2, "/hostrun did not land on the image's /run", "\n".join(points))
    t.check_read_only_root()


def check_seed(t, before):
    expect(t.run_tool() == 0, "union_tool failed", t.output)
    t.check_contained(before)
    expect("the seed's layout" in t.output, "the report does not mention the seed's layout", t.output)
    mount_dir = t.r("/aufs/var/mount")
    expect(t.fstype(mount_dir) == "overlay", "no overlay on the image's /aufs/var/mount")
    expect(t.fstype("/aufs/var/mount") is None, "a mount at /aufs/var/mount outside the new root")

    # /var is an absolute symlink: it means /aufs/var/mount only to the root's own programs, so
    # these checks run chrooted into the new root.
    def as_the_root_sees_it():
        with open("/var/log/x") as f:
            expect(f.read() == "image log\n", "/var/log/x does not show /aufs/var/ro/log/x")
        write("/var/log/new", "written at boot\n")
        os.unlink("/var/log/x")
        expect(not os.path.exists("/var/log/x"), "the deleted file is still visible")
        expect(os.path.exists("/etc/udev/rules.d/70-foo.rules"), "the udev rules of the seed's layout are missing")
        write("/etc/udev/rules.d/71-new.rules", "# written at boot\n")
    t.in_root(as_the_root_sees_it)
    expect(os.path.exists(os.path.join(t.layers, "2-var/upper/log/new")), "the new file is not in the upper layer")
    expect(os.path.exists(os.path.join(t.layers, "3-etc-udev-rules.d/upper/71-new.rules")),
           "the new rule is not in the upper layer")
    expect(os.path.exists(os.path.join(t.image, "aufs/var/ro/log/x")), "the image's file was deleted")
    t.check_read_only_root()


def check_errors(t, before):
    expect(t.run_tool() == 1, "union_tool did not report skipped unions", t.output)
    made = t.check_contained(before)
    out = t.output
    overlays = os.path.join(t.dir, "overlays")
    expect(f"error: {overlays}:4 /etc/udev/rules.d union: unknown kind 'union'" in out,
           "the bad line is not named", out)
    expect(f"/nope overlay on tmpfs 1M ({overlays}:2) skipped: openat2 /nope in {t.root}: No such file or directory"
           in out, "the missing mount point is not reported with its origin", out)
    expect(f"/srv overlay on tmpfs 100000G ({overlays}:3) skipped: tmpfs size=100000G: more than this machine's RAM"
           in out, "the size above RAM is not reported", out)
    # The others are built; nothing was made for the skipped ones.
    expect(t.fstype(t.r("/var")) == "overlay", "/var is not an overlay")
    expect(t.fstype(t.r("/tmp")) == "tmpfs", "/tmp is not a tmpfs")
    points = [p for p, _, _ in made]
    expect(not any("nope" in p or p.endswith("-srv") for p in points), "a tmpfs was mounted for a skipped union",
           "\n".join(points))
    expect(not os.path.exists(os.path.join(t.layers, "2-nope")), "a layer directory was made for /nope")


CHECKS = {"plain": check_plain, "escape": check_escape, "seed": check_seed, "errors": check_errors}


def inside_main(lab_dir, tool, scenario, caller_namespace):
    # Refuse to mount anything unless this really is another mount namespace.
    if os.readlink("/proc/self/ns/mnt") == caller_namespace:
        print("not in a private mount namespace: refusing to mount", file=sys.stderr)
        return 2
    t = Inside(lab_dir, tool)
    setup_root(t)
    before = mountinfo()
    try:
        CHECKS[scenario](t, before)
    except Failure as failure:
        print(f"FAIL {scenario}: {failure}", file=sys.stderr)
        return 1
    print(f"PASS {scenario}")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tool", required=True)
    parser.add_argument("--inside", help=argparse.SUPPRESS)
    parser.add_argument("--caller-namespace", help=argparse.SUPPRESS)
    parser.add_argument("scenario", choices=sorted(BUILDERS))
    args = parser.parse_args()
    if args.inside:
        return inside_main(args.inside, os.path.abspath(args.tool), args.scenario, args.caller_namespace)

    if os.geteuid() != 0:
        print("needs root (mounts in a private mount namespace)", file=sys.stderr)
        return 1
    lab_dir = tempfile.mkdtemp(prefix="nfsroot-unions-")
    os.chmod(lab_dir, 0o755)
    image = os.path.join(lab_dir, "image")
    os.makedirs(os.path.join(lab_dir, "root"))
    os.makedirs(os.path.join(lab_dir, "run"))

    class Lab:
        pass
    lab = Lab()
    lab.dir, lab.image = lab_dir, image
    with open(os.path.join(lab_dir, "overlays"), "w") as f:
        f.write(BUILDERS[args.scenario](lab))
    image_before = snapshot(image)
    mounts_before = mountinfo()

    namespace = os.readlink("/proc/self/ns/mnt")
    result = subprocess.run(["unshare", "-m", "--propagation", "private", sys.executable, os.path.abspath(__file__),
                             "--tool", os.path.abspath(args.tool), "--inside", lab_dir,
                             "--caller-namespace", namespace, args.scenario])
    status = result.returncode
    # Outside again: the image on disk is as it was, and nothing leaked into this namespace.
    if status == 0 and snapshot(image) != image_before:
        changed = sorted(k for k in set(snapshot(image)) | set(image_before)
                         if snapshot(image).get(k) != image_before.get(k))
        print(f"FAIL {args.scenario}: the image changed on disk: {changed}", file=sys.stderr)
        status = 1
    # Network namespaces that other tests make at the same time show up in /run/netns.
    leaked = [m for m in mountinfo() if m not in mounts_before and not m[0].startswith("/run/netns/")]
    if leaked:
        print(f"FAIL {args.scenario}: mounts appeared in the caller's namespace: {leaked}", file=sys.stderr)
        status = 1
    if status == 0:
        shutil.rmtree(lab_dir, ignore_errors=True)
    else:
        print(f"files kept in {lab_dir}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
