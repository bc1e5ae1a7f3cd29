#!/usr/bin/env python3
"""nfsroot-image, for real: mounts, chroot, signals, initrd checks, publishing, image files.

  image_tool_test.py --tool NFSROOT_IMAGE [--image DEBIAN_ROOT --deb PACKAGE] SCENARIO...

Most scenarios use a tiny fake image made here (etc/os-release, a static busybox as bin/sh).
The debian_* scenarios need --image, a debootstrapped Debian root with a kernel, and --deb,
the package (scripts/build-package.sh) that apt-get installs into the image through the tool's
shell; they change the image (nfsroot-init installed and enabled, its initrd rebuilt).

Each scenario re-runs itself in a private mount namespace (`unshare -m --propagation private`),
so even a broken tool cannot leave mounts in the caller's namespace; the checks read
/proc/self/mountinfo of that namespace, the one the tool is started in (a session mounts in a
namespace of its own: nothing of it may show there, during or after the session). `propagation` runs in a
namespace with shared propagation instead (as Debian's / is), to show that the tool's mounts do
not propagate back to /dev. Needs root. Scenarios: see SCENARIOS at the end; `all` runs every
one that the arguments allow.
"""
import argparse
import fcntl
import hashlib
import os
import pty
import re
import select
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time

NS_ENV = "NFSROOT_IMAGE_TEST_NAMESPACE"
ARGS = None


class Failure(Exception):
    pass


def expect(condition, message, context=""):
    if not condition:
        raise Failure(message + (f"\n--- context ---\n{context}" if context else ""))


def log(text):
    print(text, flush=True)


# --- mounts and processes ------------------------------------------------------------------------

def unescape(field):
    return field.encode().decode("unicode_escape") if "\\" in field else field


def mounts():
    """(id, mount point) of every mount of this namespace."""
    result = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            result.append((fields[0], unescape(fields[4])))
    return result


def mounts_under(top):
    return [m for m in mounts() if m[1] == top or m[1].startswith(top + "/")]


# Mounts that other tests running at the same time make and remove on the host: `ip netns add`
# bind-mounts each namespace under /run/netns (the DHCP and fault-matrix tests make their own).
FOREIGN_TEST_MOUNTS = "/run/netns/"


def mounts_outside(top):
    return sorted(m for m in mounts()
                  if not (m[1] == top or m[1].startswith(top + "/") or m[1].startswith(FOREIGN_TEST_MOUNTS)))


def pids_inside(image):
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.path.samefile(f"/proc/{entry}/root", image):
                    found.append(int(entry))
            except OSError:
                pass
    return found


def wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise Failure(f"timed out after {timeout} s waiting for {what}")


def host_intact(before_outside, image):
    """The caller's mounts (everything outside the image) are exactly as before, and /dev and
    /proc still work."""
    after = mounts_outside(image)
    expect(after == before_outside, "mounts outside the image changed",
           f"before: {before_outside}\nafter: {after}")
    expect(stat.S_ISCHR(os.stat("/dev/null").st_mode), "/dev/null is no longer a device")
    expect(os.path.exists("/proc/self/status"), "/proc is no longer mounted")


def nothing_left(image, before_outside):
    left = mounts_under(image)
    expect(not left, f"still mounted under {image}: {left}")
    procs = pids_inside(image)
    expect(not procs, f"processes still inside {image}: {procs}")
    host_intact(before_outside, image)


# --- running the tool ----------------------------------------------------------------------------

def tool(*args, check_rc=None, stdin=subprocess.DEVNULL, timeout=600):
    cmd = [ARGS.tool, *args]
    p = subprocess.run(cmd, stdin=stdin, capture_output=True, text=True, timeout=timeout)
    if check_rc is not None:
        expect(p.returncode == check_rc, f"{' '.join(cmd)}: exit status {p.returncode}, expected {check_rc}",
               f"stdout:\n{p.stdout}\nstderr:\n{p.stderr}")
    return p


def refused(args, rc, *phrases):
    p = tool(*args)
    expect(p.returncode == rc, f"{args}: exit status {p.returncode}, expected {rc}", p.stderr)
    for phrase in phrases:
        expect(phrase in p.stderr, f"{args}: the message does not say '{phrase}'", p.stderr)
    log(f"  refused as expected: {p.stderr.strip().splitlines()[0]}")
    return p


def start_session(image, *command, new_session=False):
    p = subprocess.Popen([ARGS.tool, "shell", image, *command], stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         start_new_session=new_session)
    wait_for(lambda: pids_inside(image) or p.poll() is not None, 20, "the session's command")
    if p.poll() is not None:
        raise Failure(f"the session ended early (status {p.returncode})\n{p.stderr.read()}")
    return p


# --- the fake image ------------------------------------------------------------------------------

APPLETS = ["sh", "sleep", "cat", "readlink", "true", "false", "kill", "ls", "test", "mount",
           "umount", "grep", "mkdir", "cp", "cpio", "gzip", "find", "rm", "trap", "echo"]


def static_busybox():
    for candidate in ("/bin/busybox", "/usr/bin/busybox"):
        if os.path.exists(candidate):
            with open(candidate, "rb") as f:
                data = f.read(1 << 16)
            # ELF64 program headers: a PT_INTERP (3) entry means a dynamic binary, useless in
            # an image that has no libc.
            phoff = int.from_bytes(data[32:40], "little")
            phentsize = int.from_bytes(data[54:56], "little")
            phnum = int.from_bytes(data[56:58], "little")
            types = [int.from_bytes(data[phoff + i * phentsize:phoff + i * phentsize + 4], "little")
                     for i in range(phnum)]
            if 3 not in types:
                return candidate
    raise Failure("no static busybox on this host: apt-get install busybox-static")


def make_fake_image(top, kernels=()):
    for d in ("bin", "etc", "usr/sbin", "usr/lib/nfsroot-init", "tmp", "mnt", "var/log", "boot"):
        os.makedirs(os.path.join(top, d), exist_ok=True)
    os.chmod(os.path.join(top, "tmp"), 0o1777)
    shutil.copy(static_busybox(), os.path.join(top, "bin/busybox"))
    for applet in APPLETS:
        os.symlink("busybox", os.path.join(top, "bin", applet))
    with open(os.path.join(top, "etc/os-release"), "w") as f:
        f.write('ID=fake\nPRETTY_NAME="nfsroot-image test image"\n')
    for k in kernels:
        os.makedirs(os.path.join(top, "lib/modules", k), exist_ok=True)
        with open(os.path.join(top, "boot", f"vmlinuz-{k}"), "wb") as f:
            f.write(f"kernel {k}\n".encode() + os.urandom(4096))
    return top


def tree_state(top):
    """Names, types, modes and contents of the image (without the kernel's virtual folders)."""
    state = {}
    for directory, dirs, files in os.walk(top):
        for name in sorted(dirs + files):
            path = os.path.join(directory, name)
            st = os.lstat(path)
            entry = (stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode))
            if stat.S_ISLNK(st.st_mode):
                entry += (os.readlink(path),)
            elif stat.S_ISREG(st.st_mode):
                with open(path, "rb") as f:
                    entry += (hashlib.sha256(f.read()).hexdigest(),)
            state[os.path.relpath(path, top)] = entry
    return state


# --- scenarios on the fake image -----------------------------------------------------------------

def scenario_refusals(tmp):
    image = make_fake_image(os.path.join(tmp, "image"))
    before = mounts_outside(image)
    not_image = os.path.join(tmp, "not-an-image")
    os.makedirs(os.path.join(not_image, "bin"))
    refused(["shell", not_image, "true"], 125, not_image, "not an image", "os-release", "debootstrap")
    no_shell = os.path.join(tmp, "no-shell")
    os.makedirs(os.path.join(no_shell, "etc"))
    open(os.path.join(no_shell, "etc/os-release"), "w").close()
    refused(["shell", no_shell, "true"], 125, no_shell, "no bin/sh", "install a shell")
    refused(["shell", "/", "true"], 125, "host's own root (/)", "give the image's folder")
    os.symlink("/", os.path.join(tmp, "root-link"))
    refused(["shell", os.path.join(tmp, "root-link"), "true"], 125, "host's own root (/)")
    missing = os.path.join(tmp, "no-such-folder")
    refused(["shell", missing, "true"], 125, missing, "no such folder")
    a_file = os.path.join(tmp, "a-file")
    open(a_file, "w").close()
    refused(["shell", a_file, "true"], 125, a_file, "not a directory")
    # A mount point that is a symlink would lead the mount out of the image.
    os.symlink("/proc", os.path.join(image, "proc"))
    refused(["shell", image, "true"], 125, f"{image}/proc is a symlink", "replace it with an empty directory")
    os.unlink(os.path.join(image, "proc"))
    refused(["shell"], 2, "no IMAGE given")
    refused(["frobnicate"], 2, "unknown command 'frobnicate'")
    nothing_left(image, before)


def scenario_entered(tmp):
    image = make_fake_image(os.path.join(tmp, "image"))
    before = mounts_outside(image)
    first = start_session(image, "sleep", "300")
    inside = mounts_under(image)
    refused(["shell", image, "true"], 125, f"{image} is already entered by another nfsroot-image session",
            "(sleep)", "leave that session first")
    expect(mounts_under(image) == inside, "the refused session changed the first one's mounts")
    # The same image through another path (a symlink) is the same image.
    os.symlink(image, os.path.join(tmp, "alias"))
    refused(["shell", os.path.join(tmp, "alias"), "true"], 125, "already entered")
    first.send_signal(signal.SIGTERM)
    expect(first.wait(20) == 143, f"the first session exited {first.returncode}, expected 143")
    nothing_left(image, before)
    # Mounts left by something else (the seed's script, a session killed with SIGKILL).
    os.makedirs(os.path.join(image, "proc"))
    subprocess.run(["mount", "-t", "proc", "proc", os.path.join(image, "proc")], check=True)
    p = refused(["shell", image, "true"], 125, f"{image} is already entered", f"{image}/proc",
                f"umount {image}/proc")
    expect(len(mounts_under(image)) == 1, "the refused session mounted something", p.stderr)
    subprocess.run(["umount", os.path.join(image, "proc")], check=True)


def scenario_status(tmp):
    image = make_fake_image(os.path.join(tmp, "image"))
    before = mounts_outside(image)
    state = tree_state(image)
    for command, rc in ((["true"], 0), (["false"], 1), (["sh", "-c", "exit 7"], 7),
                        (["sh", "-c", "kill -KILL $$"], 128 + 9), (["no-such-command"], 127)):
        tool("shell", image, *command, check_rc=rc)
        nothing_left(image, before)
        expect(tree_state(image) == state, f"shell {command} left the image changed (policy-rc.d, resolv.conf, mount points)")
        log(f"  shell {' '.join(command)}: exit status {rc}, nothing left mounted")


def scenario_inside(tmp):
    image = make_fake_image(os.path.join(tmp, "image"))
    before = mounts_outside(image)
    state = tree_state(image)
    marker = tempfile.mkdtemp(prefix="nfsroot-image-test.", dir="/run")
    try:
        script = ("test -e /proc/self/status && test -c /dev/null && test -d /dev/pts && "
                  "test -e /sys/kernel && test ! -e " + marker + " && "
                  "test \"$(/usr/sbin/policy-rc.d x start; echo $?)\" = 101 && cat /etc/resolv.conf")
        p = tool("shell", image, "sh", "-c", script, check_rc=0)
    finally:
        os.rmdir(marker)
    with open("/etc/resolv.conf") as f:
        expect(p.stdout == f.read(), "the image does not see the host's resolv.conf", p.stdout)
    nothing_left(image, before)
    expect(tree_state(image) == state, "the session left its files in the image")
    log("  /proc, /dev, /dev/pts, /sys inside; /run private; policy-rc.d says 101; host's resolv.conf seen")

    # The image's own resolv.conf: seen as the host's inside, unchanged afterwards, even when
    # written to inside.
    with open(os.path.join(image, "etc/resolv.conf"), "w") as f:
        f.write("nameserver 192.0.2.1\n")
    state = tree_state(image)
    tool("shell", image, "sh", "-c", "grep -qv 192.0.2.1 /etc/resolv.conf && echo nameserver 192.0.2.99 > /etc/resolv.conf",
         check_rc=0)
    expect(tree_state(image) == state, "the image's resolv.conf changed")
    with open("/etc/resolv.conf") as f:
        expect("192.0.2.99" not in f.read(), "a write inside reached the host's resolv.conf")
    # A symlink into /run (systemd-resolved's layout): served from the private /run.
    os.unlink(os.path.join(image, "etc/resolv.conf"))
    os.symlink("../run/systemd/resolve/stub-resolv.conf", os.path.join(image, "etc/resolv.conf"))
    state = tree_state(image)
    p = tool("shell", image, "cat", "/etc/resolv.conf", check_rc=0)
    with open("/etc/resolv.conf") as f:
        expect(p.stdout == f.read(), "a resolv.conf symlink into /run does not show the host's file", p.stdout)
    expect(tree_state(image) == state, "the resolv.conf symlink case left files in the image")
    # The image's own policy-rc.d is left alone.
    with open(os.path.join(image, "usr/sbin/policy-rc.d"), "w") as f:
        f.write("#!/bin/sh\nexit 0\n")
    os.chmod(os.path.join(image, "usr/sbin/policy-rc.d"), 0o755)
    state = tree_state(image)
    tool("shell", image, "sh", "-c", "/usr/sbin/policy-rc.d", check_rc=0)
    expect(tree_state(image) == state, "the image's own policy-rc.d was changed")
    nothing_left(image, before)
    log("  image's resolv.conf (file, symlink into /run) and policy-rc.d unchanged afterwards")


def interactive_session(image):
    """The default command, a login shell, on a terminal: Ctrl-C stops the shell's job and not
    the session; the shell's exit status is the tool's."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(ARGS.tool, [ARGS.tool, "shell", image])
    out = b""

    def read_until(text, timeout):
        nonlocal out
        deadline = time.monotonic() + timeout
        while text.encode() not in out and time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                try:
                    out += os.read(fd, 4096)
                except OSError:
                    break
        return text.encode() in out

    try:
        expect(read_until("# ", 10), "no shell prompt", out.decode(errors="replace"))
        os.write(fd, b"sleep 60\n")
        time.sleep(1)
        os.write(fd, b"\x03")
        time.sleep(0.5)
        os.write(fd, b"echo alive-$((6*7)) in $(cat /proc/1/comm >/dev/null && echo proc)\n")
        expect(read_until("alive-42 in proc", 10), "the shell did not go on after Ctrl-C",
               out.decode(errors="replace"))
        os.write(fd, b"exit 3\n")
        read_until("never", 3)
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    rc = os.waitstatus_to_exitcode(status)
    expect(rc == 3, f"interactive shell: exit status {rc}, expected 3", out.decode(errors="replace"))
    return out.decode(errors="replace")


def scenario_interactive(tmp):
    image = make_fake_image(os.path.join(tmp, "image"))
    before = mounts_outside(image)
    interactive_session(image)
    nothing_left(image, before)
    log("  login shell on a terminal: Ctrl-C stops its job, the session goes on; exit 3 passed")


def scenario_sigterm(tmp):
    image = make_fake_image(os.path.join(tmp, "image"))
    before = mounts_outside(image)
    p = start_session(image, "sleep", "300")
    expect(pids_inside(image), "no process inside the image during the session")
    started = time.monotonic()
    p.send_signal(signal.SIGTERM)
    rc = p.wait(30)
    took = time.monotonic() - started
    expect(rc == 143, f"SIGTERM: exit status {rc}, expected 143", p.stderr.read())
    expect(took < 5, f"SIGTERM took {took:.1f} s")
    nothing_left(image, before)
    log(f"  SIGTERM mid-command: exit 143 after {took:.2f} s, nothing left")

    # A command that ignores SIGTERM is killed after the grace time.
    p = start_session(image, "sh", "-c", "trap '' TERM; sleep 300")
    started = time.monotonic()
    p.send_signal(signal.SIGTERM)
    rc = p.wait(40)
    took = time.monotonic() - started
    expect(rc == 143, f"SIGTERM on a command ignoring it: exit status {rc}", p.stderr.read())
    nothing_left(image, before)
    log(f"  SIGTERM, command ignoring it: killed, exit 143 after {took:.1f} s, nothing left")


def scenario_sigint(tmp):
    image = make_fake_image(os.path.join(tmp, "image"))
    before = mounts_outside(image)
    # Ctrl-C: SIGINT to the whole foreground process group, tool and command alike.
    p = start_session(image, "sleep", "300", new_session=True)
    os.killpg(p.pid, signal.SIGINT)
    rc = p.wait(30)
    expect(rc == 130, f"Ctrl-C: exit status {rc}, expected 130", p.stderr.read())
    nothing_left(image, before)
    # SIGINT to the tool alone: passed on to the command.
    p = start_session(image, "sleep", "300")
    p.send_signal(signal.SIGINT)
    rc = p.wait(30)
    expect(rc == 130, f"SIGINT to the tool: exit status {rc}, expected 130", p.stderr.read())
    nothing_left(image, before)
    # An interactive shell inside ignores Ctrl-C: the session goes on until the shell exits.
    p = start_session(image, "sh", "-c", "trap 'echo got-int' INT; echo trap-set; sleep 2 & wait; sleep 1; exit 5",
                      new_session=True)
    # The Ctrl-C only after the shell has set its trap: one that comes before it ends the shell,
    # rightly (CI saw this once on a loaded machine: the session was there, its trap not yet).
    ready, _, _ = select.select([p.stdout], [], [], 20)
    expect(ready and p.stdout.readline().strip() == "trap-set", "the command did not say its trap was set")
    os.killpg(p.pid, signal.SIGINT)
    time.sleep(0.5)
    expect(p.poll() is None, "the session ended on a Ctrl-C its command handles")
    rc = p.wait(30)
    expect(rc == 5, f"the command handling Ctrl-C: exit status {rc}, expected 5", p.stderr.read())
    nothing_left(image, before)
    log("  Ctrl-C and SIGINT end the command (130); a command that handles Ctrl-C keeps the session")


def comm_of(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


def scenario_leftovers(tmp):
    image = make_fake_image(os.path.join(tmp, "image"))
    before = mounts_outside(image)
    # A daemon left behind (what a postinst does despite policy-rc.d): stopped, then unmounted.
    p = tool("shell", image, "sh", "-c", "sleep 300 </dev/null >/dev/null 2>&1 & exit 0", check_rc=0)
    expect("stopping what the session left running" in p.stderr, "the leftover is not reported", p.stderr)
    nothing_left(image, before)
    # One that ignores SIGTERM: killed after the grace time, the command's status kept.
    started = time.monotonic()
    p = tool("shell", image, "sh", "-c", "(trap '' TERM; exec sleep 300) </dev/null >/dev/null 2>&1 & exit 4",
             check_rc=4)
    took = time.monotonic() - started
    expect("stopping what the session left running" in p.stderr and "killing what did not stop" in p.stderr,
           "the leftover ignoring SIGTERM is not reported", p.stderr)
    expect(took < 15, f"the leftover ignoring SIGTERM took {took:.1f} s")
    nothing_left(image, before)
    log(f"  a process left running in the image is stopped; one ignoring SIGTERM killed ({took:.1f} s); nothing left")


def scenario_foreign_mounts(tmp):
    """Mounts the command makes are the session's: in its mount namespace, never seen outside,
    gone with it, wherever they are (elsewhere in the image, or under one of the tool's own
    mounts), and they do not change the exit status. A mount made in the image from outside
    during the session is not the session's: left alone."""
    image = make_fake_image(os.path.join(tmp, "image"))
    before = mounts_outside(image)
    p = start_session(image, "sh", "-c", "mount -t tmpfs foreign /mnt && mkdir /run/x && "
                      "mount -t tmpfs foreign /run/x && exec sleep 300")
    wait_for(lambda: any(comm_of(pid) == "sleep" for pid in pids_inside(image)) or p.poll() is not None,
             20, "the command's mounts")
    if p.poll() is not None:
        raise Failure(f"the command mounting tmpfs failed (status {p.returncode})\n{p.stderr.read()}")
    expect(not mounts_under(image), "the session's mounts are seen outside it", str(mounts_under(image)))
    subprocess.run(["mount", "-t", "tmpfs", "outsider", f"{image}/tmp"], check=True)
    p.send_signal(signal.SIGTERM)
    rc = p.wait(30)
    expect(rc == 143, f"SIGTERM: exit status {rc}, expected 143", p.stderr.read())
    left = [m[1] for m in mounts_under(image)]
    expect(left == [f"{image}/tmp"], f"expected only the outside mount {image}/tmp left, got {left}")
    subprocess.run(["umount", f"{image}/tmp"], check=True)
    nothing_left(image, before)
    # Ending by itself after mounting (under the session's /run too): its status, nothing left.
    tool("shell", image, "sh", "-c", "mount -t tmpfs foreign /mnt && mkdir /run/x && mount -t tmpfs foreign /run/x",
         check_rc=0)
    nothing_left(image, before)
    log("  the command's mounts: never seen outside, gone after it, status kept; an outside mount left alone")


def scenario_mount_failure(tmp):
    """The tool's own error half-way (a mount that fails after four succeeded): what it had
    mounted is unmounted, and it exits 125 without running the command."""
    image = make_fake_image(os.path.join(tmp, "image"))
    before = mounts_outside(image)
    wrappers = os.path.join(tmp, "wrappers")
    os.makedirs(wrappers)
    real_mount = shutil.which("mount")
    with open(os.path.join(wrappers, "mount"), "w") as f:
        f.write("#!/bin/sh\n"
                "case \" $* \" in *\" /sys \"*) echo 'mount: injected failure' >&2; exit 32;; esac\n"
                f"exec {real_mount} \"$@\"\n")
    os.chmod(os.path.join(wrappers, "mount"), 0o755)
    env = dict(os.environ, PATH=wrappers + ":" + os.environ["PATH"])
    p = subprocess.run([ARGS.tool, "shell", image, "sh", "-c", "echo ran"], env=env,
                       capture_output=True, text=True, timeout=60)
    expect(p.returncode == 125, f"exit status {p.returncode}, expected 125", p.stderr)
    expect("ran" not in p.stdout, "the command ran although the session could not be set up")
    expect(f"mount --bind /sys {image}/sys failed" in p.stderr, "the message does not name the failed mount", p.stderr)
    nothing_left(image, before)
    log("  a mount failing half-way: exit 125, the command not run, the four earlier mounts undone")


def scenario_propagation(tmp):
    """Runs in a namespace where / and /dev have shared propagation, as on Debian."""
    image = make_fake_image(os.path.join(tmp, "image"))
    shared = [line for line in open("/proc/self/mountinfo") if line.split()[4] == "/dev" and "shared:" in line]
    expect(shared, "the test namespace's /dev is not shared: the test would prove nothing")
    before = mounts_outside(image)
    p = start_session(image, "sleep", "300")
    # Inside: the session's mounts under /dev (pts, shm) must not appear on the host's /dev.
    expect(mounts_outside(image) == before, "the session's mounts propagated out of the image",
           f"before: {before}\nduring: {mounts_outside(image)}")
    p.send_signal(signal.SIGTERM)
    p.wait(30)
    nothing_left(image, before)
    # Control: the seed's plain bind mounts do propagate here (so the check above can fail).
    os.makedirs(f"{image}/dev", exist_ok=True)
    subprocess.run(["mount", "--bind", "/dev", f"{image}/dev"], check=True)
    subprocess.run(["mount", "--bind", "/dev/pts", f"{image}/dev/pts"], check=True)
    leaked = mounts_outside(image) != before
    subprocess.run(["umount", f"{image}/dev/pts"], check=True)
    subprocess.run(["umount", f"{image}/dev"], check=True)
    expect(leaked, "control: plain bind mounts did not propagate to /dev/pts: the namespace is not shared")
    log("  shared propagation: the tool's mounts stay in the image (plain binds, the control, leak to /dev/pts)")


def fake_initramfs_tools(image, enabled, init_source):
    """A stand-in update-initramfs: a gzip'ed cpio whose /init is init_source."""
    with open(os.path.join(image, "usr/sbin/update-initramfs"), "w") as f:
        f.write("#!/bin/sh\n"
                "echo \"$@\" >> /var/log/update-initramfs.calls\n"
                "k=$3\n"
                "rm -rf /tmp/build && mkdir -p /tmp/build && cp " + init_source + " /tmp/build/init || exit 1\n"
                "cd /tmp/build && find . | cpio -o -H newc 2>/dev/null | gzip > /boot/initrd.img-$k\n")
    os.chmod(os.path.join(image, "usr/sbin/update-initramfs"), 0o755)
    os.makedirs(os.path.join(image, "etc/initramfs-tools/conf.d"), exist_ok=True)
    with open(os.path.join(image, "etc/initramfs-tools/initramfs.conf"), "w") as f:
        f.write("MODULES=most\n")
    with open(os.path.join(image, "etc/initramfs-tools/conf.d/nfsroot-init"), "w") as f:
        f.write("NFSROOT_INIT=n\n")
    enable = os.path.join(image, "etc/initramfs-tools/conf.d/nfsroot-init-enable")
    if enabled:
        with open(enable, "w") as f:
            f.write('NFSROOT_INIT="y"   # diskless\n')
    elif os.path.exists(enable):
        os.unlink(enable)


def scenario_initrd_checks(tmp):
    image = make_fake_image(os.path.join(tmp, "image"), kernels=("1.0", "2.0"))
    before = mounts_outside(image)
    binary = os.path.join(image, "usr/lib/nfsroot-init/nfsroot-init")
    with open(binary, "wb") as f:
        f.write(b"\x7fELF stand-in for nfsroot-init\n" + os.urandom(1000))
    with open(os.path.join(image, "etc/other-init"), "w") as f:
        f.write("#!/bin/sh\necho initramfs-tools\n")
    calls = os.path.join(image, "var/log/update-initramfs.calls")

    # Enabled, and the initrd's /init is the binary: 0, one line per kernel; -c, then -u.
    fake_initramfs_tools(image, True, "/usr/lib/nfsroot-init/nfsroot-init")
    p = tool("initrd", image, check_rc=0)
    for k in ("1.0", "2.0"):
        size = os.path.getsize(os.path.join(image, f"boot/initrd.img-{k}"))
        expect(f"{k}: /boot/initrd.img-{k}:" in p.stdout and f"({size} bytes), an nfsroot-init initrd" in p.stdout,
               f"no report for kernel {k}", p.stdout)
    with open(calls) as f:
        expect(f.read() == "-c -k 1.0\n-c -k 2.0\n", "not update-initramfs -c for kernels without an initrd")
    tool("initrd", image, "2.0", check_rc=0)
    with open(calls) as f:
        expect(f.read().splitlines()[-1] == "-u -k 2.0", "not update-initramfs -u for an existing initrd")
    nothing_left(image, before)
    log("  enabled, /init is the binary: exit 0; -c without an initrd, -u with one; sizes reported")

    # Enabled, but /init is something else: 1, with the reason.
    fake_initramfs_tools(image, True, "/etc/other-init")
    p = tool("initrd", image, "1.0", check_rc=1)
    expect("not an nfsroot-init initrd (/init is a script" in p.stdout, "the report does not say so", p.stdout)
    expect("although NFSROOT_INIT=y (/etc/initramfs-tools/conf.d/nfsroot-init-enable)" in p.stderr
           and "is the hook installed" in p.stderr, "the error does not name the setting and the fix", p.stderr)
    # Disabled: initramfs-tools' own /init is what is expected.
    fake_initramfs_tools(image, False, "/etc/other-init")
    p = tool("initrd", image, "1.0", check_rc=0)
    expect("not an nfsroot-init initrd" in p.stdout, "the report does not say it", p.stdout)
    # Enabled without the binary in the image: refused before building.
    fake_initramfs_tools(image, True, "/usr/lib/nfsroot-init/nfsroot-init")
    os.unlink(binary)
    refused(["initrd", image], 1, "NFSROOT_INIT=y", "is missing", "cmake --install")
    refused(["initrd", image, "9.9"], 1, "9.9: no such kernel", "installed: 1.0 2.0")
    # update-initramfs failing: its status is reported, exit 1.
    with open(os.path.join(image, "usr/sbin/update-initramfs"), "w") as f:
        f.write("#!/bin/sh\necho broken >&2\nexit 3\n")
    with open(binary, "wb") as f:
        f.write(b"x")
    refused(["initrd", image, "1.0"], 1, "update-initramfs -u -k 1.0 failed", "status 3")
    nothing_left(image, before)

    # The configuration as the hook reads it, in the image: a file that sources another file of
    # the image (the host has none there), a dpkg leftover that would turn it off (skipped), the
    # packages' conf.d file of the same name (overridden by /etc's) and one that is not (read:
    # it names the binary).
    conf = os.path.join(image, "etc/initramfs-tools")
    expect(not os.path.exists("/etc/initramfs-tools/nfsroot-image-test.conf"), "the host has the test's file")
    with open(os.path.join(conf, "nfsroot-image-test.conf"), "w") as f:
        f.write("NFSROOT_INIT=y\n")
    with open(os.path.join(conf, "conf.d/nfsroot-init-enable"), "w") as f:
        f.write(". /etc/initramfs-tools/nfsroot-image-test.conf\n")
    with open(os.path.join(conf, "conf.d/zz-nfsroot-init.dpkg-old"), "w") as f:
        f.write("NFSROOT_INIT=n\n")
    packages = os.path.join(image, "usr/share/initramfs-tools/conf.d")
    os.makedirs(packages)
    with open(os.path.join(packages, "nfsroot-init-enable"), "w") as f:
        f.write("NFSROOT_INIT_BINARY=/wrong\n")
    with open(os.path.join(packages, "nfsroot-init-binary"), "w") as f:
        f.write("NFSROOT_INIT_BINARY=/usr/lib/nfsroot-init/other\n")
    refused(["initrd", image, "1.0"], 1, "NFSROOT_INIT=y (/etc/initramfs-tools/conf.d/nfsroot-init-enable)",
            f"{image}/usr/lib/nfsroot-init/other is missing")
    nothing_left(image, before)
    log("  mismatch while enabled: exit 1; disabled: exit 0; missing binary, unknown kernel, failing build: exit 1")
    log("  configuration read in the image by the hook's reader: sourced files, dpkg leftovers, conf.d order")


def read(path):
    with open(path, "rb") as f:
        return f.read()


def scenario_publish(tmp):
    image = make_fake_image(os.path.join(tmp, "image"), kernels=("1.0", "2.0", "10.0"))
    for k in ("1.0", "2.0", "10.0"):
        with open(os.path.join(image, f"boot/initrd.img-{k}"), "wb") as f:
            f.write(f"initrd {k}\n".encode() + os.urandom(8192))
    tftp = os.path.join(tmp, "tftp")
    os.makedirs(tftp)

    def published(dest, k):
        for name, src in (("vmlinuz", f"boot/vmlinuz-{k}"), ("initrd.img", f"boot/initrd.img-{k}")):
            path = os.path.join(dest, name)
            st = os.lstat(path)
            expect(stat.S_ISREG(st.st_mode), f"{path} is not a regular file")
            expect(stat.S_IMODE(st.st_mode) == 0o644, f"{path} has mode {oct(st.st_mode)}, expected 0644")
            expect(read(path) == read(os.path.join(image, src)), f"{path} differs from {src}")
        leftovers = [n for n in os.listdir(dest) if n.startswith(".")]
        expect(not leftovers, f"temporary files left in {dest}: {leftovers}")

    # Newest by version (10.0 > 2.0), without an IMAGE/vmlinuz link.
    p = tool("publish", image, tftp, check_rc=0)
    published(tftp, "10.0")
    expect("  kernel vmlinuz\n  initrd initrd.img\n" in p.stdout, "no pxelinux.cfg lines", p.stdout)
    # What IMAGE/vmlinuz points to, into a subfolder; old files (a symlink, stale bytes) replaced.
    os.symlink("boot/vmlinuz-2.0", os.path.join(image, "vmlinuz"))
    dest = os.path.join(tftp, "debian")
    os.makedirs(dest)
    os.symlink(os.path.join(image, "boot/vmlinuz-1.0"), os.path.join(dest, "vmlinuz"))
    with open(os.path.join(dest, "initrd.img"), "wb") as f:
        f.write(b"stale")
    p = tool("publish", image, tftp, "--subdir", "debian", check_rc=0)
    published(dest, "2.0")
    expect("kernel 2.0" in p.stdout and "  kernel debian/vmlinuz\n  initrd debian/initrd.img\n" in p.stdout,
           "wrong kernel or pxelinux.cfg lines", p.stdout)
    p = tool("publish", image, tftp, "--subdir", "debian", check_rc=0)
    expect(p.stdout.count("unchanged") == 2, "a second publish of the same files is not 'unchanged'", p.stdout)
    tool("publish", image, tftp, "--subdir=debian", "--kernel", "1.0", check_rc=0)
    published(dest, "1.0")
    log("  newest kernel, IMAGE/vmlinuz's, --kernel; real files 0644, identical; old ones replaced")

    refused(["publish", image, os.path.join(tmp, "no-tftp")], 1, "no-tftp: no such folder", "TFTP server's root")
    refused(["publish", image, tftp, "--kernel", "7.7"], 1, "vmlinuz-7.7: no such file", "installed kernels: 1.0 2.0 10.0")
    os.unlink(os.path.join(image, "boot/initrd.img-1.0"))
    refused(["publish", image, tftp, "--kernel", "1.0"], 1, "initrd.img-1.0: no such file", "initrd")
    refused(["publish", image, tftp, "--subdir", "../out"], 2, "--subdir '../out'")
    refused(["publish", image], 2, "needs IMAGE and TFTPDIR")
    os.symlink("/", os.path.join(tftp, "escape"))
    refused(["publish", image, tftp, "--subdir", "escape"], 1, "outside", "make")

    # Atomic: a client reading while a big initrd is replaced sees the old or the new file,
    # whole, never a mix, a part or no file at all. Replaced a few times, back and forth.
    versions = [os.urandom(48 << 20), os.urandom(48 << 20)]
    with open(os.path.join(image, "boot/initrd.img-2.0"), "wb") as f:
        f.write(versions[0])
    tool("publish", image, tftp, "--subdir", "big", "--kernel", "2.0", check_rc=0)
    target = os.path.join(tftp, "big/initrd.img")
    # Each read is kept with the time it began: only a read that began after the last publish
    # returned must see the last version (a 48 MiB read may outlast the rename it began before).
    seen, stop = [], threading.Event()

    def reader():
        while not stop.is_set():
            began = time.monotonic()
            try:
                data = read(target)
            except OSError as e:
                seen.append((began, f"unreadable: {e.strerror}"))
                continue
            seen.append((began, next((i for i, v in enumerate(versions) if data == v),
                                     f"{len(data)} bytes, neither version")))

    thread = threading.Thread(target=reader)
    thread.start()
    for i in (1, 0, 1, 0, 1):
        with open(os.path.join(image, "boot/initrd.img-2.0"), "wb") as f:
            f.write(versions[i])
        time.sleep(0.1)
        tool("publish", image, tftp, "--subdir", "big", "--kernel", "2.0", check_rc=0)
    published_at = time.monotonic()
    deadline = published_at + 60
    while not any(began > published_at for began, _ in seen) and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    thread.join()
    bad = [r for _, r in seen if r not in (0, 1)]
    expect(not bad, f"a reader saw {len(bad)} bad files out of {len(seen)} reads: {sorted(set(bad))[:5]}")
    after = [r for began, r in seen if began > published_at]
    expect(after, "no read began after the last publish within 60 s")
    expect(all(r == 1 for r in after), f"reads after the last publish saw {after}, not the last initrd")
    log(f"  a reader during 5 replacements of a 48 MiB initrd: {len(seen)} reads, all whole")


def scenario_help(tmp):
    p = tool("--help", check_rc=0)
    for line in ("shell IMAGE [COMMAND [ARG...]]", "initrd IMAGE [KVER...]",
                 "publish IMAGE TFTPDIR [--kernel KVER] [--subdir NAME]",
                 "build IMAGE EXPORT [--name NAME] [--format squashfs|erofs] [--keep K] [--exclude-host-keys]",
                 "boot-order IMAGE --since TIME", "[--boot-order FILE] [--block-size SIZE]",
                 "list [--verify] EXPORT/NAME", "rollback EXPORT/NAME [VERSION]"):
        expect(line in p.stdout, f"--help does not show '{line}'", p.stdout)
    refused([], 2, "no command given")


# --- build, list, rollback: image files in a channel ----------------------------------------------

VERSION_NAME = re.compile(r"^[0-9]{8}-[0-9]{6}-[0-9a-f]{12}\.(squashfs|erofs)$")
API_DIRS = ("proc", "sys", "dev", "run", "tmp")
API_MODES = {"proc": 0o555, "sys": 0o555, "dev": 0o755, "run": 0o755, "tmp": 0o1777}
HOST_KEYS = ("etc/ssh/ssh_host_ed25519_key", "etc/ssh/ssh_host_ed25519_key.pub")


def make_build_image(top):
    """The fake image with what build must leave out: files in the API folders (each with its
    own mode), a machine-id in /etc and in dbus' folder, SSH host keys beside a config."""
    make_fake_image(top)
    for d in API_DIRS:
        os.makedirs(os.path.join(top, d, "sub"), exist_ok=True)
        with open(os.path.join(top, d, "sub", "leftover"), "w") as f:
            f.write(f"runtime state in {d}\n")
        with open(os.path.join(top, d, "stale"), "w") as f:
            f.write("x\n")
        os.chmod(os.path.join(top, d), API_MODES[d])
    os.makedirs(os.path.join(top, "var/lib/dbus"), exist_ok=True)
    os.makedirs(os.path.join(top, "etc/ssh"), exist_ok=True)
    for path, text, mode in (("etc/machine-id", "0123456789abcdef0123456789abcdef\n", 0o444),
                             ("var/lib/dbus/machine-id", "0123456789abcdef0123456789abcdef\n", 0o644),
                             ("etc/ssh/sshd_config", "PermitRootLogin no\n", 0o644),
                             (HOST_KEYS[0], "private key\n", 0o600), (HOST_KEYS[1], "public key\n", 0o644)):
        with open(os.path.join(top, path), "w") as f:
            f.write(text)
        os.chmod(os.path.join(top, path), mode)
    return top


def expected_tree(image, host_keys_excluded):
    """tree_state of what the image file must hold: the image without what build leaves out."""
    state = tree_state(image)
    for path in list(state):
        if path.split("/")[0] in API_DIRS and "/" in path:
            del state[path]
    kind, mode, _ = state["etc/machine-id"]
    state["etc/machine-id"] = (kind, mode, hashlib.sha256(b"").hexdigest())
    del state["var/lib/dbus/machine-id"]
    if host_keys_excluded:
        for key in HOST_KEYS:
            del state[key]
    return state


def extract(image_file, dest):
    """The image file's tree, unpacked by the format's own tool (as root: modes kept)."""
    head = read(image_file)[:1028]
    if head[:4] == b"hsqs":
        subprocess.run(["unsquashfs", "-q", "-n", "-d", dest, image_file], check=True, stdout=subprocess.DEVNULL)
    elif head[1024:1028] == (0xE0F5E1E2).to_bytes(4, "little"):
        subprocess.run(["fsck.erofs", f"--extract={dest}", image_file], check=True, stdout=subprocess.DEVNULL)
    else:
        raise Failure(f"{image_file}: neither squashfs nor EROFS magic: {head[:4]!r}")
    return tree_state(dest)


def parse_current(text):
    """nfsroot-init's parse_channel_current rule (mounts/image_file.cpp), strictly: build writes
    one plain name and a newline, nothing else."""
    expect(text.endswith("\n") and text.count("\n") == 1, f"current is not one line ending in a newline: {text!r}")
    name = text[:-1]
    expect(re.fullmatch(r"[A-Za-z0-9_+-][A-Za-z0-9._+-]{0,254}", name) is not None,
           f"current does not hold a plain file name: {text!r}")
    return name


def channel_files(channel):
    return sorted(os.listdir(channel))


def check_channel(channel, version=None):
    """current names an existing version (the given one); every version has a matching .sha256;
    mode 0644 (root_squash: the clients read them as nobody); no temporary file left."""
    current = parse_current(read(os.path.join(channel, "current")).decode())
    if version is not None:
        expect(current == version, f"current names {current}, expected {version}")
    names = channel_files(channel)
    hidden = [n for n in names if n.startswith(".")]
    expect(not hidden, f"temporary files left in {channel}: {hidden}")
    versions = [n for n in names if VERSION_NAME.match(n)]
    others = set(names) - set(versions) - {v + ".sha256" for v in versions} - {"current"}
    expect(not others, f"unexpected files in {channel}: {sorted(others)}")
    expect(current in versions, f"current names {current}, which is not a version: {names}")
    for v in versions:
        path = os.path.join(channel, v)
        data = read(path)
        digest = hashlib.sha256(data).hexdigest()
        expect(v.split("-")[2].startswith(digest[:12]), f"{v}: the name does not carry its sha256 {digest[:12]}")
        expect(read(path + ".sha256").decode() == f"{digest}  {v}\n", f"{v}.sha256 does not match the file",
               read(path + ".sha256").decode())
        subprocess.run(["sha256sum", "--check", "--status", v + ".sha256"], cwd=channel, check=True)
        fmt = v.rsplit(".", 1)[1]
        if fmt == "squashfs":
            expect(data[:4] == b"hsqs", f"{v}: no squashfs magic")
        else:
            expect(data[1024:1028] == (0xE0F5E1E2).to_bytes(4, "little"), f"{v}: no EROFS magic")
        for p in (path, path + ".sha256", os.path.join(channel, "current")):
            expect(stat.S_IMODE(os.stat(p).st_mode) == 0o644, f"{p}: mode {oct(os.stat(p).st_mode)}, expected 0644")
    return current, versions


def built_version(p):
    line = p.stdout.splitlines()[0]
    expect(line.startswith("built "), "build does not say what it built", p.stdout)
    return os.path.basename(line[len("built "):])


def build_and_check(image, export, fmt, tmp):
    before = mounts_outside(image)
    state = tree_state(image)
    channel = os.path.join(export, "image")
    args = [] if fmt == "squashfs" else ["--format", "erofs"]
    started = time.monotonic()
    p = tool("build", image, export, *args, check_rc=0)
    took = time.monotonic() - started
    version = built_version(p)
    expect(VERSION_NAME.match(version) and version.endswith("." + fmt), f"version name {version}")
    expect(version[:8] == time.strftime("%Y%m%d", time.gmtime()), f"{version}: not named by today's UTC date")
    check_channel(channel, version)
    for phrase in (f"format:    {fmt}", "size:", "time:", "excluded:  the contents of proc sys dev run tmp",
                   "excluded:  etc/machine-id", "excluded:  var/lib/dbus/machine-id", f"current:   {version}\n",
                   "deleted:   nothing", "  nfsroot-init.image=image\n"):
        expect(phrase in p.stdout, f"build's report does not say '{phrase}'", p.stdout)
    expect("host keys" in p.stderr and "--exclude-host-keys" in p.stderr, "no note about the packed host keys", p.stderr)
    got = extract(os.path.join(channel, version), os.path.join(tmp, "x1"))
    want = expected_tree(image, host_keys_excluded=False)
    diff = sorted(set(got.items()) ^ set(want.items()))
    expect(got == want, "the image file does not hold the image minus the exclusions", f"difference: {diff[:10]}")
    for d in API_DIRS:
        expect(got[d] == (stat.S_IFDIR, API_MODES[d]), f"{d} in the image file: {got.get(d)}")
    expect(tree_state(image) == state, "build changed the image folder")
    host_intact(before, image)
    expect(not mounts_under(image), f"build left mounts under {image}: {mounts_under(image)}")
    size = os.path.getsize(os.path.join(channel, version))
    log(f"  {version}: {size} bytes in {took:.1f} s; the API folders empty (modes kept), machine-id empty, "
        "dbus' machine-id out, host keys in; current, .sha256, 0644; the image folder unchanged")

    # --exclude-host-keys, into another channel (--name).
    p = tool("build", image, export, *args, "--name", "nokeys", "--exclude-host-keys", check_rc=0)
    keyless = built_version(p)
    expect("excluded:  etc/ssh/ssh_host_* (--exclude-host-keys: ssh_host_ed25519_key ssh_host_ed25519_key.pub)" in p.stdout,
           "the report does not name the excluded host keys", p.stdout)
    expect("  nfsroot-init.image=nokeys\n" in p.stdout, "the command line fragment does not name the channel", p.stdout)
    check_channel(os.path.join(export, "nokeys"), keyless)
    got = extract(os.path.join(export, "nokeys", keyless), os.path.join(tmp, "x2"))
    want = expected_tree(image, host_keys_excluded=True)
    expect(got == want, "--exclude-host-keys: the image file is not the image minus the exclusions",
           f"difference: {sorted(set(got.items()) ^ set(want.items()))[:10]}")
    expect("etc/ssh/sshd_config" in got, "the SSH config went with the host keys")
    log("  --exclude-host-keys --name nokeys: the keys out, sshd_config in")
    return channel, version


def current_reader(path, seen, stop):
    """Reads `current` as a booting client does, as fast as it can."""
    while not stop.is_set():
        try:
            seen.append(read(path).decode())
        except OSError as e:
            seen.append(f"unreadable: {e.strerror}")


def scenario_build(tmp):
    image = make_build_image(os.path.join(tmp, "image"))
    export = os.path.join(tmp, "export")
    os.makedirs(export)
    channel, first = build_and_check(image, export, "squashfs", tmp)

    # --keep: the newest K stay (with their .sha256), the current one is the newest; a client
    # reading current meanwhile always gets one whole, valid name.
    seen, stop = [], threading.Event()
    reader = threading.Thread(target=current_reader, args=(os.path.join(channel, "current"), seen, stop))
    reader.start()
    versions = [first]
    try:
        for i in range(3):
            with open(os.path.join(image, "etc/os-release"), "a") as f:
                f.write(f"BUILD={i}\n")
            p = tool("build", image, export, "--keep", "2", check_rc=0)
            versions.append(built_version(p))
            current, present = check_channel(channel, versions[-1])
            expect(present == versions[-2:], f"--keep 2 after build {i + 2}: {present}, expected {versions[-2:]}")
            gone = [v for v in versions[:-2]]
            expect(f"current:   {versions[-1]} (was {versions[-2]})" in p.stdout, "the report does not say the old current", p.stdout)
            if i == 1:
                expect(f"deleted:   {versions[0]} (--keep 2)\n" in p.stdout, "the report does not say what was deleted", p.stdout)
            for v in gone:
                expect(not os.path.exists(os.path.join(channel, v + ".sha256")), f"{v}.sha256 was left")
    finally:
        stop.set()
        reader.join()
    expect(versions == sorted(versions) and len(set(versions)) == 4, f"the version names do not sort by time: {versions}")
    bad = [s for s in seen if s not in {v + "\n" for v in versions}]
    expect(not bad, f"a reader of current saw {len(bad)} bad contents out of {len(seen)}: {sorted(set(bad))[:5]}")
    p = tool("build", image, export, "--keep=1", check_rc=0)
    current, present = check_channel(channel, built_version(p))
    expect(present == [current], f"--keep 1: {present}")
    log(f"  --keep 2 over 3 builds, then --keep 1: oldest deleted with their .sha256; {len(seen)} reads of current, all whole")


def scenario_build_erofs(tmp):
    image = make_build_image(os.path.join(tmp, "image"))
    export = os.path.join(tmp, "export")
    os.makedirs(export)
    channel, version = build_and_check(image, export, "erofs", tmp)
    rows = list_rows(tool("list", channel, check_rc=0).stdout)
    expect([(r[0], r[1], r[2]) for r in rows] == [(True, version, "erofs")], f"list of the EROFS channel: {rows}")
    # Both formats in one channel, by name order; what is mounted inside the image (in the
    # caller's namespace) does not come along: the image's own folder is packed.
    mnt = os.path.join(image, "mnt")
    subprocess.run(["mount", "-t", "tmpfs", "test-mounted", mnt], check=True)
    try:
        with open(os.path.join(mnt, "mounted-file"), "w") as f:
            f.write("not the image's\n")
        for fmt in ("squashfs", "erofs"):
            p = tool("build", image, export, "--format", fmt, check_rc=0)
            check_channel(channel, built_version(p))
            expect(built_version(p) > version, f"the {fmt} version does not sort after {version}")
            version = built_version(p)
            got = extract(os.path.join(channel, version), os.path.join(tmp, "x-" + fmt))
            expect("mnt/mounted-file" not in got and "mnt" in got, f"{fmt}: a mount inside the image was packed")
    finally:
        subprocess.run(["umount", mnt], check=True)
    log("  squashfs and EROFS versions in one channel, in order; a mount inside the image not packed")


def list_rows(stdout):
    """(current?, name, format, rest) of each version line of list."""
    rows = []
    for line in stdout.splitlines()[1:]:
        if line.startswith("current:") or line.strip() == "(no versions)":
            continue
        fields = line[2:].split()
        fmt = "not an image" if line[2:].split()[1:3] == ["not", "an"] else fields[1]
        rows.append((line[0] == "*", fields[0], fmt, line))
    return rows


def scenario_rollback_list(tmp):
    image = make_build_image(os.path.join(tmp, "image"))
    export = os.path.join(tmp, "export")
    os.makedirs(export)
    os.chmod(tmp, 0o755)
    channel = os.path.join(export, "image")
    versions = []
    for fmt in ("squashfs", "erofs", "squashfs"):
        with open(os.path.join(image, "etc/os-release"), "a") as f:
            f.write(f"V={len(versions)}\n")
        versions.append(built_version(tool("build", image, export, "--format", fmt, check_rc=0)))
    check_channel(channel, versions[2])

    # list, as an ordinary user: name order, format by magic, the current one marked.
    p = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", ARGS.tool, "list", "--verify", channel],
                       capture_output=True, text=True)
    expect(p.returncode == 0, f"list --verify as nobody: exit status {p.returncode}", p.stdout + p.stderr)
    rows = list_rows(p.stdout)
    expect([r[1] for r in rows] == versions, "list: not the versions in name order", p.stdout)
    expect([r[2] for r in rows] == ["squashfs", "erofs", "squashfs"], "list: wrong formats", p.stdout)
    expect([r[0] for r in rows] == [False, False, True], "list: the current one is not marked", p.stdout)
    expect(all("sha256 ok" in r[3] for r in rows), "list --verify: not all ok", p.stdout)
    expect(f"current: {versions[2]}\n" in p.stdout, "list does not name the current version", p.stdout)
    # The format is the magic's, not the name's.
    shutil.copyfile(os.path.join(channel, versions[1]), os.path.join(channel, "by-hand.squashfs"))
    with open(os.path.join(channel, "junk.erofs"), "w") as f:
        f.write("not an image\n" * 200)
    rows = {r[1]: r for r in list_rows(tool("list", channel, check_rc=0).stdout)}
    expect(rows["by-hand.squashfs"][2] == "erofs" and rows["junk.erofs"][2] == "not an image",
           f"list does not read the magic: {rows}")
    log("  list (as nobody): name order, format by magic, current marked, --verify ok")

    # rollback: one step back at a time, then refused at the oldest, current untouched.
    p = tool("rollback", channel, check_rc=0)
    expect(f"current: {versions[1]} (was {versions[2]})" in p.stdout, "rollback's report", p.stdout)
    check_channel_current(channel, versions[1])
    tool("rollback", channel, check_rc=0)
    check_channel_current(channel, versions[0])
    refused(["rollback", channel], 1, "no version older than the current", versions[0])
    check_channel_current(channel, versions[0])
    # To a named version (forward again), and refusals: not in the channel, damaged, no .sha256.
    tool("rollback", channel, versions[2], check_rc=0)
    check_channel_current(channel, versions[2])
    refused(["rollback", channel, "20200101-000000-000000000000.squashfs"], 1, "is not a version in", channel)
    refused(["rollback", channel, "../image/current"], 1, "is not a version in")
    with open(os.path.join(channel, versions[1]), "r+b") as f:
        f.seek(4096)
        f.write(b"bit rot")
    refused(["rollback", channel], 1, f"{versions[1]} does not match its .sha256", "not switched")
    check_channel_current(channel, versions[2])
    p = tool("list", "--verify", channel, check_rc=1)
    expect([r[3].split()[-1] for r in list_rows(p.stdout) if r[1] == versions[1]] == ["MISMATCH"],
           "list --verify does not report the damaged version", p.stdout)
    os.unlink(os.path.join(channel, versions[0] + ".sha256"))
    refused(["rollback", channel, versions[0]], 1, "has no .sha256", "not switched")
    check_channel_current(channel, versions[2])
    refused(["rollback", channel, "by-hand.squashfs"], 1, "has no .sha256")
    refused(["rollback", channel, "junk.erofs"], 1, "not a squashfs or EROFS image")
    check_channel_current(channel, versions[2])
    log("  rollback: back one version at a time, refused at the oldest; to VERSION; refused: unknown, damaged, no .sha256")

    # A current naming a missing file: list reports it broken; rollback goes to the newest
    # version before it.
    with open(os.path.join(channel, "current"), "w") as f:
        f.write("20991231-000000-aaaaaaaaaaaa.squashfs\n")
    p = tool("list", channel, check_rc=1)
    expect("current: 20991231-000000-aaaaaaaaaaaa.squashfs: broken" in p.stdout, "list does not report a broken current", p.stdout)
    expect(all(not r[0] for r in list_rows(p.stdout)), "list marks a version as current", p.stdout)
    tool("rollback", channel, check_rc=0)
    check_channel_current(channel, versions[2])
    with open(os.path.join(channel, "current"), "w") as f:
        f.write("../../etc/passwd\n")
    p = tool("list", channel, check_rc=1)
    expect("current: broken: current does not hold a plain file name" in p.stdout, "list accepts a path in current", p.stdout)
    refused(["rollback", channel], 1, "does not hold a plain file name", "name the VERSION")
    tool("rollback", channel, versions[2], check_rc=0)
    check_channel_current(channel, versions[2])
    os.unlink(os.path.join(channel, "by-hand.squashfs"))
    os.unlink(os.path.join(channel, "junk.erofs"))

    # One build or rollback at a time: the channel's flock held by someone else.
    fd = os.open(channel, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        refused(["rollback", channel], 1, "another nfsroot-image build or rollback is working on this channel")
    finally:
        os.close(fd)
    check_channel_current(channel, versions[2])
    refused(["list", os.path.join(export, "nope")], 1, "no such channel folder")
    refused(["list"], 2, "needs one channel")
    refused(["rollback"], 2, "needs a channel")
    log("  a broken current (missing file, a path) reported and rolled back from; a held channel lock refuses rollback")


def check_channel_current(channel, version):
    expect(parse_current(read(os.path.join(channel, "current")).decode()) == version,
           f"current is {read(os.path.join(channel, 'current'))!r}, expected {version}")
    expect(not [n for n in os.listdir(channel) if n.startswith(".")], "temporary files left in the channel")


def fake_tools(tmp, name, script):
    """A folder to put first on PATH with `name` replaced by a script."""
    folder = os.path.join(tmp, "fake-" + name)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "w") as f:
        f.write(script)
    os.chmod(os.path.join(folder, name), 0o755)
    return folder


def path_without(tmp, *names):
    """A PATH folder with every command of the usual ones but `names`."""
    folder = os.path.join(tmp, "without-" + "-".join(names))
    os.makedirs(folder)
    for d in ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"):
        if not os.path.isdir(d):
            continue
        for n in os.listdir(d):
            if n not in names and not os.path.lexists(os.path.join(folder, n)):
                os.symlink(os.path.join(d, n), os.path.join(folder, n))
    return folder


def tool_env(env, *args):
    return subprocess.run([ARGS.tool, *args], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          env=dict(os.environ, **env), timeout=600)


def scenario_build_refusals(tmp):
    image = make_build_image(os.path.join(tmp, "image"))
    export = os.path.join(tmp, "export")
    os.makedirs(export)
    channel = os.path.join(export, "image")
    good = built_version(tool("build", image, export, check_rc=0))

    def untouched(what):
        check_channel_current(channel, good)
        expect(channel_files(channel) == sorted([good, good + ".sha256", "current"]),
               f"{what}: the channel changed: {channel_files(channel)}")
        expect(not mounts_under(image), f"{what}: mounts left under the image")

    refused(["build", image], 2, "needs IMAGE and EXPORT")
    refused(["build", image, export, "--format", "ext4"], 2, "--format 'ext4'")
    refused(["build", image, export, "--keep", "0"], 2, "--keep '0'")
    refused(["build", image, export, "--name", ".hidden"], 2, "channel name '.hidden'")
    refused(["build", image, export, "--name", "a/b"], 2, "channel name 'a/b'")
    refused(["build", image, export, "--bogus"], 2, "unknown option '--bogus'")
    refused(["build", os.path.join(tmp, "export"), export], 1, "not an image")
    refused(["build", image, os.path.join(tmp, "no-export")], 1, "no-export: no such folder")
    # The default NAME with the image's parent as EXPORT: the channel would be the image itself.
    refused(["build", image, tmp], 1, "inside the image", "another --name")
    refused(["build", image, os.path.join(image, "mnt"), "--name", "x"], 1, "inside the image")
    untouched("usage errors")

    # A shell session in the image: build refused, saying so.
    session = start_session(image, "sleep", "300")
    try:
        refused(["build", image, export], 1, "is entered by an nfsroot-image shell session", "(sleep)", "leave that session first")
    finally:
        session.send_signal(signal.SIGTERM)
        session.wait(20)
    untouched("build during a session")
    # Another build or rollback holding the channel.
    fd = os.open(channel, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        refused(["build", image, export], 1, "another nfsroot-image build or rollback is working on this channel")
    finally:
        os.close(fd)
    untouched("build with the channel locked")
    log("  usage errors (2); not an image, no EXPORT, the channel inside the image, a session, a held channel: 1, current untouched")

    # The packer missing, or failing after writing part of the image.
    for fmt, packer, package in (("squashfs", "mksquashfs", "squashfs-tools"), ("erofs", "mkfs.erofs", "erofs-utils")):
        p = tool_env({"PATH": path_without(tmp, packer)}, "build", image, export, "--format", fmt)
        expect(p.returncode == 1 and f"{packer} is missing" in p.stderr and f"apt-get install {package}" in p.stderr,
               f"{packer} missing: exit status {p.returncode}", p.stderr)
        untouched(f"{packer} missing")
    fake = fake_tools(tmp, "mksquashfs", "#!/bin/sh\nfor last; do :; done\n"
                      "printf 'hsqs partial image' > \"$2\"\necho 'mksquashfs: write failed: No space left on device' >&2\nexit 1\n")
    failing_tmp = os.path.join(tmp, "tmpdir-failing")
    os.makedirs(failing_tmp)
    p = tool_env({"PATH": fake + ":" + os.environ["PATH"], "TMPDIR": failing_tmp}, "build", image, export)
    expect(p.returncode == 1 and "packing failed (mksquashfs" in p.stderr and "current unchanged" in p.stderr,
           f"a failing mksquashfs: exit status {p.returncode}", p.stderr)
    untouched("a failing mksquashfs")
    expect(not os.listdir(failing_tmp), f"a failing mksquashfs: files left in TMPDIR: {os.listdir(failing_tmp)}")
    p = tool_env({"PATH": fake + ":" + os.environ["PATH"]}, "build", image, export, "--name", "fresh")
    expect(p.returncode == 1 and not os.path.exists(os.path.join(export, "fresh")),
           "a failing first build left its new channel folder", p.stderr)
    log("  mksquashfs / mkfs.erofs missing (the package named), mksquashfs failing half-way: 1, nothing left, current untouched")

    # A read-only export, and a full one.
    subprocess.run(["mount", "--bind", export, export], check=True)
    subprocess.run(["mount", "-o", "remount,bind,ro", export], check=True)
    try:
        refused(["build", image, export], 1, "cannot create a file there")
        refused(["build", image, export, "--name", "new"], 1, "cannot create the channel folder")
    finally:
        subprocess.run(["umount", export], check=True)
    untouched("a read-only export")
    full = os.path.join(tmp, "full")
    os.makedirs(full)
    # Room for the channel as it is and a quarter of a new version.
    room = sum(os.path.getsize(os.path.join(channel, n)) for n in os.listdir(channel)) // 1024 + 64 + \
        os.path.getsize(os.path.join(channel, good)) // 4096
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={room}k", "test-full", full], check=True)
    try:
        shutil.copytree(channel, os.path.join(full, "image"))
        before = channel_files(os.path.join(full, "image"))
        p = tool("build", image, full)
        expect(p.returncode == 1 and "current unchanged" in p.stderr, f"a full export: exit status {p.returncode}", p.stderr)
        check_channel_current(os.path.join(full, "image"), good)
        expect(channel_files(os.path.join(full, "image")) == before, "a full export: files left")
        log(f"  a read-only export, a full one: 1, current untouched; the full one's message: {p.stderr.strip().splitlines()[-1]}")
    finally:
        subprocess.run(["umount", full], check=True)

    # Meanwhile a slow build: a second one and a session are refused; SIGTERM stops it cleanly.
    slow = fake_tools(tmp, "mksquashfs", "#!/bin/sh\nexec sleep 60\n")
    private_tmp = os.path.join(tmp, "tmpdir")
    os.makedirs(private_tmp)
    build = subprocess.Popen([ARGS.tool, "build", image, export], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True,
                             env=dict(os.environ, PATH=slow + ":" + os.environ["PATH"], TMPDIR=private_tmp))
    try:
        wait_for(lambda: any(n.startswith(".build.") for n in os.listdir(channel)), 20, "the build's temporary file")
        refused(["build", image, export], 1, "another nfsroot-image build or rollback is working on this channel")
        refused(["rollback", channel], 1, "another nfsroot-image build or rollback")
        refused(["shell", image, "true"], 125, "nfsroot-image build")
        # A build of the same image into another channel may run (both only read it).
        tool("build", image, export, "--name", "other", check_rc=0)
        build.send_signal(signal.SIGTERM)
        rc = build.wait(20)
    finally:
        if build.poll() is None:
            build.kill()
    expect(rc == 143, f"SIGTERM during build: exit status {rc}", build.stderr.read())
    untouched("SIGTERM during build")
    expect(not os.listdir(private_tmp), f"SIGTERM during build: files left in TMPDIR: {os.listdir(private_tmp)}")
    log("  a running build: a second one, a rollback and a shell refused, another channel built; "
        "SIGTERM: 143, nothing left")


# --- build --boot-order, boot-order ----------------------------------------------------------------

# Files of 1 MiB of random bytes: mksquashfs stores their blocks uncompressed (zstd cannot shrink
# them), so each one's first bytes are found as they are in the image file, where its data went.
BOOT_LISTED = ["usr/lib/boot/z-first", "usr/lib/boot/with space", "etc/#not-a-comment",
               "usr/lib/boot/back\\slash", "usr/lib/boot/tab\there", "usr/lib/boot/ctl\x01char"]
BOOT_UNLISTED = ["aaa-unlisted", "usr/lib/boot/a-unlisted"]


def make_boot_image(top):
    make_build_image(top)
    os.symlink("usr/lib", os.path.join(top, "lib"))
    for rel in BOOT_LISTED + BOOT_UNLISTED:
        os.makedirs(os.path.dirname(os.path.join(top, rel)), exist_ok=True)
        with open(os.path.join(top, rel), "wb") as f:
            f.write(os.urandom(1 << 20))
    return top


def data_offsets(image_file, image, rels):
    """Where each file's data starts in the image file (its first 64 bytes, stored as they are)."""
    data = read(image_file)
    offsets = []
    for rel in rels:
        with open(os.path.join(image, rel), "rb") as f:
            head = f.read(64)
        at = data.find(head)
        expect(at >= 0 and data.find(head, at + 1) < 0, f"{rel}: its data is not found once, uncompressed, in {image_file}")
        offsets.append(at)
    return offsets


def squashfs_block_size(image_file):
    """The superblock's block_size (little-endian u32 at byte 12, after magic, inodes, mkfs_time)."""
    head = read(image_file)[:16]
    expect(head[:4] == b"hsqs", f"{image_file}: no squashfs magic")
    return int.from_bytes(head[12:16], "little")


def scenario_build_boot_order(tmp):
    image = make_boot_image(os.path.join(tmp, "image"))
    before = mounts_outside(image)
    export = os.path.join(tmp, "export")
    os.makedirs(export)
    channel = os.path.join(export, "image")
    state = tree_state(image)

    # The control: a plain build writes in directory order (aaa-unlisted first), 128 KiB blocks.
    p = tool("build", image, export, check_rc=0)
    plain = os.path.join(channel, built_version(p))
    offsets = data_offsets(plain, image, BOOT_UNLISTED + BOOT_LISTED)
    expect(offsets[0] == min(offsets), f"a plain build does not put aaa-unlisted first: {offsets}")
    expect(squashfs_block_size(plain) == 131072, f"a plain build: block size {squashfs_block_size(plain)}")
    expect("blocks:    128 KiB\n" in p.stdout and "order:" not in p.stdout, "the plain build's report", p.stdout)

    # The list: the files in an order unlike the directory's, absolute and relative, one through
    # the image's lib -> usr/lib symlink, names with a space, a backslash, a tab, a control
    # character, a leading #; comments, blank lines, a duplicate, and paths to leave out.
    order = os.path.join(tmp, "boot-order.list")
    left_out = ["/no/such/file", "/usr/lib", "/tmp/sub/leftover", "../etc/os-release", "/usr/../etc/os-release"]
    lines = ["# recorded by hand", "", BOOT_LISTED[0], "/lib/boot/with space", "  # indented comment",
             "/" + BOOT_LISTED[2], left_out[0], "/" + BOOT_LISTED[3], left_out[1], "/" + BOOT_LISTED[4],
             left_out[2], left_out[3], "/" + BOOT_LISTED[0], BOOT_LISTED[5], left_out[4]]
    with open(order, "w") as f:
        f.write("\n".join(lines) + "\n")
    p = tool("build", image, export, "--boot-order", order, check_rc=0)
    version = built_version(p)
    check_channel(channel, version)
    sorted_file = os.path.join(channel, version)
    offsets = data_offsets(sorted_file, image, BOOT_LISTED + BOOT_UNLISTED)
    listed = offsets[:len(BOOT_LISTED)]
    expect(listed == sorted(listed) and max(listed) < min(offsets[len(BOOT_LISTED):]),
           "--boot-order: the listed files are not first, in the list's order",
           "\n".join(f"{o:>10} {r!r}" for o, r in sorted(zip(offsets, BOOT_LISTED + BOOT_UNLISTED))))
    expect(squashfs_block_size(sorted_file) == 1 << 20, f"--boot-order: block size {squashfs_block_size(sorted_file)}, expected 1 MiB")
    for phrase in ("blocks:    1.0 MiB (--boot-order's default)\n", f"order:     {len(BOOT_LISTED)} files first, as {order} lists them\n"):
        expect(phrase in p.stdout, f"build --boot-order's report does not say '{phrase.strip()}'", p.stdout)
    warnings = [l for l in p.stderr.splitlines() if "left out" in l]
    expect(len(warnings) == 1 and f"{len(left_out)} of its {len(lines) - 3} paths left out" in warnings[0]
           and "/no/such/file (no such file)" in warnings[0] and "/usr/lib (not a regular file)" in warnings[0]
           and "/tmp/sub/leftover (in /tmp" in warnings[0] and "; ..." in warnings[0],
           "the paths left out are not summed up in one warning line", p.stderr)
    got = extract(sorted_file, os.path.join(tmp, "x1"))
    want = expected_tree(image, host_keys_excluded=False)
    expect(got == want, "--boot-order: the image file is not the image minus the exclusions",
           f"difference: {sorted(set(got.items()) ^ set(want.items()))[:10]}")
    log(f"  --boot-order: {len(BOOT_LISTED)} files first in the list's order (data offsets), 1 MiB blocks, "
        f"{len(left_out)} paths left out in one warning, contents whole")

    # --block-size, with and without a list; the spellings.
    for args, size in ((["--boot-order", order, "--block-size", "64K"], 65536), (["--block-size=131072"], 131072),
                       (["--block-size", "1M"], 1 << 20), (["--block-size", "4k"], 4096)):
        p = tool("build", image, export, "--keep", "9", *args, check_rc=0)
        built = os.path.join(channel, built_version(p))
        expect(squashfs_block_size(built) == size, f"{args}: block size {squashfs_block_size(built)}, expected {size}")
        if "--boot-order" in args:
            offsets = data_offsets(built, image, BOOT_LISTED + BOOT_UNLISTED)
            expect(offsets[:len(BOOT_LISTED)] == sorted(offsets[:len(BOOT_LISTED)]) and
                   max(offsets[:len(BOOT_LISTED)]) < min(offsets[len(BOOT_LISTED):]), f"{args}: not in boot order: {offsets}")
    log("  --block-size 64K with --boot-order, 131072, 1M, 4k: the superblock's block size")

    # Refusals: nothing built, current unchanged.
    current = read(os.path.join(channel, "current"))
    files = channel_files(channel)
    fix = "boot-order IMAGE --since TIME"
    missing = os.path.join(tmp, "no-such-list")
    refused(["build", image, export, "--boot-order", missing], 1, f"--boot-order {missing}: cannot read it", fix)
    refused(["build", image, export, "--boot-order", tmp], 1, f"--boot-order {tmp}: a directory", fix)
    useless = os.path.join(tmp, "useless.list")
    with open(useless, "w") as f:
        f.write("# only comments and paths that are no files\n\n/usr/lib\n/no/such/file\n../etc/os-release\n")
    refused(["build", image, export, "--boot-order", useless], 1, f"--boot-order {useless}: no regular file of {image}",
            "paths: 3", fix)
    with open(useless, "w") as f:
        f.write("# nothing\n")
    refused(["build", image, export, "--boot-order", useless], 1, "no regular file", fix)
    # A file on a file system mounted inside the image is not in the packer's view.
    mnt = os.path.join(image, "mnt")
    subprocess.run(["mount", "-t", "tmpfs", "test-mounted", mnt], check=True)
    try:
        with open(os.path.join(mnt, "mounted-file"), "w") as f:
            f.write("not the image's\n")
        with open(useless, "w") as f:
            f.write("/mnt/mounted-file\n")
        refused(["build", image, export, "--boot-order", useless], 1,
                "/mnt/mounted-file (on a file system mounted at /mnt, not packed)")
    finally:
        subprocess.run(["umount", mnt], check=True)
    for bad in ("3K", "2M", "100000", "0", "abc", "64KiB", "-4K", "99999999999"):
        refused(["build", image, export, "--block-size", bad], 2, f"--block-size '{bad}'", "a power of two from 4K to 1M")
    refused(["build", image, export, "--block-size"], 2, "--block-size needs a SIZE")
    refused(["build", image, export, "--boot-order"], 2, "--boot-order needs a FILE")
    refused(["build", image, export, "--format", "erofs", "--boot-order", order], 2,
            "--boot-order with --format erofs", "erofs-utils 1.5", "--format squashfs")
    refused(["build", image, export, "--format", "erofs", "--block-size", "1M"], 2,
            "--block-size with --format erofs", "--format squashfs")
    expect(read(os.path.join(channel, "current")) == current and channel_files(channel) == files,
           f"a refused build changed the channel: {channel_files(channel)}")
    expect(not [n for n in os.listdir(tempfile.gettempdir()) if n.startswith("nfsroot-image.sort.")],
           "a sort file left in the temporary folder")
    expect(tree_state(image) == state, "build changed the image folder")
    nothing_left(image, before)
    log("  refused: an unreadable list, a directory, a list with no file (1); a bad --block-size, erofs (2); channel unchanged")

    # boot-order: atimes set here (later than anything the test reads), so the order is known.
    base = int(time.time()) + 100000
    timed = [("usr/lib/boot/tab\there", 0), ("etc/os-release", 10), ("usr/lib/boot/with space", 20),
             ("bin/busybox", 30), ("etc/#not-a-comment", 30), ("usr/lib/boot/ctl\x01char", 40)]
    for rel, t in timed:
        os.utime(os.path.join(image, rel), ns=(base * 10**9 + t * 10**9, os.lstat(os.path.join(image, rel)).st_mtime_ns))
    # Read too, but not listed: a file in tmp, a directory, a symlink, one on another file system.
    for rel in ("tmp/sub/leftover", "usr/lib/boot", "usr"):
        os.utime(os.path.join(image, rel), ns=(base * 10**9 + 5 * 10**9, os.lstat(os.path.join(image, rel)).st_mtime_ns))
    os.utime(os.path.join(image, "lib"), ns=((base + 5) * 10**9, 0), follow_symlinks=False)
    mnt = os.path.join(image, "mnt")
    subprocess.run(["mount", "-t", "tmpfs", "test-mounted", mnt], check=True)
    try:
        with open(os.path.join(mnt, "other-fs"), "w") as f:
            f.write("x\n")
        os.utime(os.path.join(mnt, "other-fs"), (base + 5, base + 5))
        p = tool("boot-order", image, "--since", f"@{base}", check_rc=0)
    finally:
        subprocess.run(["umount", mnt], check=True)
    want = ["/" + rel for rel, _ in sorted(timed, key=lambda e: (e[1], "/" + e[0]))]
    expect(p.stdout.split("\n")[:-1] == want, "boot-order does not list the files read, oldest first",
           f"got:\n{p.stdout}\nwant:\n" + "\n".join(want))
    # The cut is at or after TIME, to the nanosecond; date -d's forms.
    p = tool("boot-order", image, "--since", f"@{base + 20}", check_rc=0)
    expect(p.stdout.split("\n")[:-1] == want[2:], f"--since @{base + 20}: not the files read at or after it", p.stdout)
    p = tool("boot-order", image, "--since", f"@{base + 20}.000000001", check_rc=0)
    expect(p.stdout.split("\n")[:-1] == want[3:], f"--since @{base + 20}.000000001: the file read at @{base + 20} listed", p.stdout)
    stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(base + 30))
    p = tool("boot-order", image, "--since", stamp, check_rc=0)
    expect(p.stdout.split("\n")[:-1] == want[3:], f"--since '{stamp}': {p.stdout}")
    # Its output is a list for build --boot-order.
    recorded = os.path.join(tmp, "recorded.list")
    with open(recorded, "w") as f:
        f.write(tool("boot-order", image, "--since", f"@{base}", check_rc=0).stdout)
    p = tool("build", image, export, "--boot-order", recorded, check_rc=0)
    offsets = data_offsets(os.path.join(channel, built_version(p)), image, [w[1:] for w in want if "boot/" in w or "#" in w])
    expect(offsets == sorted(offsets), f"build --boot-order from boot-order's list: not in its order: {offsets}")
    expect("left out" not in p.stderr, "boot-order's list has paths build leaves out", p.stderr)
    log(f"  boot-order: {len(want)} files oldest first (not tmp, directories, symlinks, another file system), "
        "the --since cut to the ns, a date; its list builds in its order")

    # Nothing read since TIME; a bad TIME; noatime.
    refused(["boot-order", image, "--since", f"@{base + 1000}"], 1, "no file read since",
            "boot one client in directory mode", "noatime")
    refused(["boot-order", image, "--since", "2200-01-01 00:00 UTC"], 1, "no file read since")
    refused(["boot-order", image, "--since", "2999-01-01 00:00 UTC"], 2, "too far in the future")
    refused(["boot-order", image, "--since", "not a time"], 2, "--since 'not a time'")
    refused(["boot-order", image], 2, "needs --since TIME")
    refused(["boot-order", os.path.join(tmp, "export"), "--since", "@0"], 1, "not an image")
    subprocess.run(["mount", "--bind", image, image], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,bind,noatime", image], check=True)
        p = tool("boot-order", image, "--since", f"@{base}", check_rc=0)
        expect("mounted noatime" in p.stderr and "no boot is recorded" in p.stderr, "no warning about noatime", p.stderr)
    finally:
        subprocess.run(["umount", image], check=True)
    nothing_left(image, before)
    log("  nothing read since TIME: 1 with what to do; a bad TIME: 2; noatime: a warning")


# --- scenarios on a Debian image -----------------------------------------------------------------

def debian_image():
    image = os.path.realpath(ARGS.image)
    expect(os.path.exists(os.path.join(image, "etc/os-release")),
           f"{ARGS.image}: no Debian image there: build it first (the debian_root fixture, or debootstrap)")
    return image


def kernel_of(image):
    kernels = sorted(n[len("vmlinuz-"):] for n in os.listdir(os.path.join(image, "boot")) if n.startswith("vmlinuz-"))
    expect(kernels, f"{image}/boot has no kernel: install linux-image-amd64 into the image")
    return kernels[-1]


def scenario_debian_shell(tmp):
    image = debian_image()
    before = mounts_outside(image)
    resolv_before = os.lstat(os.path.join(image, "etc/resolv.conf")) if os.path.lexists(os.path.join(image, "etc/resolv.conf")) else None
    resolv_bytes = read(os.path.join(image, "etc/resolv.conf")) if resolv_before and os.path.isfile(os.path.join(image, "etc/resolv.conf")) else None
    policy = os.path.lexists(os.path.join(image, "usr/sbin/policy-rc.d"))
    p = tool("shell", image, "sh", "-c",
             "test -e /proc/self/status && test -c /dev/null && test -d /dev/pts && "
             "/usr/sbin/policy-rc.d x start; echo policy=$?; cat /etc/resolv.conf; "
             "dpkg-query -W -f='${Status}' dash", check_rc=0)
    with open("/etc/resolv.conf") as f:
        expect(f.read() in p.stdout, "the host's resolv.conf is not seen inside", p.stdout)
    expect("policy=101" in p.stdout and "install ok installed" in p.stdout, "policy-rc.d or dpkg inside", p.stdout)
    tool("shell", image, "false", check_rc=1)
    nothing_left(image, before)
    transcript = interactive_session(image)
    expect("(nfsroot-image:" in transcript, "the prompt does not say it is inside the image", transcript)
    nothing_left(image, before)
    if resolv_bytes is not None:
        expect(read(os.path.join(image, "etc/resolv.conf")) == resolv_bytes, "the image's resolv.conf changed")
    expect(os.path.lexists(os.path.join(image, "usr/sbin/policy-rc.d")) == policy, "policy-rc.d left behind or removed")
    log(f"  {image}: /proc, /dev inside, policy-rc.d 101, host resolv.conf, dpkg works; status 1 passed; bash on a terminal; nothing left")


def scenario_debian_initrd(tmp):
    image = debian_image()
    before = mounts_outside(image)
    expect(ARGS.deb and os.path.isfile(ARGS.deb),
           f"debian_initrd needs --deb PACKAGE (scripts/build-package.sh makes it), not {ARGS.deb}")
    # As an admin installs it: the image's apt, inside the tool's shell, from a local file.
    staged = os.path.join(image, "tmp", os.path.basename(ARGS.deb))
    shutil.copyfile(ARGS.deb, staged)
    try:
        tool("shell", image, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-q",
             "--no-install-recommends", "/tmp/" + os.path.basename(ARGS.deb), check_rc=0, timeout=900)
    finally:
        os.unlink(staged)
    with open(os.path.join(image, "etc/initramfs-tools/conf.d/nfsroot-init-enable"), "w") as f:
        f.write("NFSROOT_INIT=y\n")
    k = kernel_of(image)
    started = time.monotonic()
    p = tool("initrd", image, check_rc=0, timeout=900)
    took = time.monotonic() - started
    initrd = os.path.join(image, f"boot/initrd.img-{k}")
    size = os.path.getsize(initrd)
    expect(f"{k}: /boot/initrd.img-{k}:" in p.stdout and f"({size} bytes), an nfsroot-init initrd" in p.stdout,
           "the report does not say it is an nfsroot-init initrd", p.stdout + p.stderr)
    # Checked here too, independently of the tool: the initrd's /init is the image's binary.
    unpacked = os.path.join(tmp, "unpacked")
    subprocess.run(["unmkinitramfs", initrd, unpacked], check=True)
    init = os.path.join(unpacked, "main/init") if os.path.exists(os.path.join(unpacked, "main/init")) else os.path.join(unpacked, "init")
    expect(read(init) == read(os.path.join(image, "usr/lib/nfsroot-init/nfsroot-init")),
           "the rebuilt initrd's /init is not the image's nfsroot-init")
    nothing_left(image, before)
    log(f"  {image}: initrd of {k} rebuilt in {took:.1f} s, {size} bytes, /init is nfsroot-init")
    log("  tool output:\n    " + "\n    ".join(p.stdout.strip().splitlines()))


def scenario_debian_publish(tmp):
    image = debian_image()
    k = kernel_of(image)
    tftp = os.path.join(tmp, "tftp")
    os.makedirs(tftp)
    p = tool("publish", image, tftp, "--subdir", "debian", check_rc=0)
    for name, src in (("vmlinuz", f"boot/vmlinuz-{k}"), ("initrd.img", f"boot/initrd.img-{k}")):
        path = os.path.join(tftp, "debian", name)
        expect(stat.S_ISREG(os.lstat(path).st_mode), f"{path} is not a regular file")
        expect(read(path) == read(os.path.join(image, src)), f"{path} differs from {src}")
    log("  " + "\n  ".join(p.stdout.strip().splitlines()))


def scenario_debian_build(tmp):
    """build on the Debian image: what its image file holds, by unsquashfs' listing (the image
    is too big to unpack here), and the size and time, for the README."""
    image = debian_image()
    before = mounts_outside(image)
    export = os.path.join(tmp, "export")
    os.makedirs(export)
    dbus = os.path.join(image, "var/lib/dbus/machine-id")
    dbus_regular = os.path.isfile(dbus) and not os.path.islink(dbus)
    p = tool("build", image, export, "--name", "debian", "--exclude-host-keys", check_rc=0, timeout=1800)
    version = built_version(p)
    channel = os.path.join(export, "debian")
    check_channel(channel, version)
    listing = subprocess.run(["unsquashfs", "-lls", os.path.join(channel, version)], capture_output=True,
                             text=True, check=True).stdout.splitlines()
    paths = {line.split(" squashfs-root", 1)[1]: line for line in listing if " squashfs-root" in line}
    for d in API_DIRS:
        if os.path.isdir(os.path.join(image, d)) and not os.path.islink(os.path.join(image, d)):
            inside = [q for q in paths if q.startswith(f"/{d}/")]
            expect(f"/{d}" in paths and not inside, f"/{d} in the image file: {inside[:5]}")
    if os.path.isfile(os.path.join(image, "etc/machine-id")):
        expect(paths["/etc/machine-id"].split()[2] == "0", "etc/machine-id is not empty", paths["/etc/machine-id"])
    expect(not (dbus_regular and "/var/lib/dbus/machine-id" in paths), "var/lib/dbus/machine-id was packed")
    keys = [q for q in paths if q.startswith("/etc/ssh/ssh_host_")]
    expect(not keys, f"host keys packed: {keys}")
    expect("/usr/lib/os-release" in paths or "/etc/os-release" in paths, "no os-release in the image file")
    nothing_left(image, before)
    log("  " + "\n  ".join(p.stdout.strip().splitlines()))


SCENARIOS = {
    "help": scenario_help,
    "refusals": scenario_refusals,
    "entered": scenario_entered,
    "status": scenario_status,
    "inside": scenario_inside,
    "interactive": scenario_interactive,
    "sigterm": scenario_sigterm,
    "sigint": scenario_sigint,
    "leftovers": scenario_leftovers,
    "foreign_mounts": scenario_foreign_mounts,
    "mount_failure": scenario_mount_failure,
    "propagation": scenario_propagation,
    "initrd_checks": scenario_initrd_checks,
    "publish": scenario_publish,
    "build": scenario_build,
    "build_erofs": scenario_build_erofs,
    "rollback_list": scenario_rollback_list,
    "build_refusals": scenario_build_refusals,
    "build_boot_order": scenario_build_boot_order,
    "debian_shell": scenario_debian_shell,
    "debian_initrd": scenario_debian_initrd,
    "debian_publish": scenario_debian_publish,
    "debian_build": scenario_debian_build,
}


def run_in_namespace(name):
    """Re-runs this script for one scenario in a fresh mount namespace."""
    propagation = "shared" if name == "propagation" else "private"
    cmd = ["unshare", "-m", "--propagation", propagation, sys.executable, os.path.abspath(__file__),
           "--tool", ARGS.tool] + (["--image", ARGS.image] if ARGS.image else []) + \
          (["--deb", ARGS.deb] if ARGS.deb else []) + [name]
    return subprocess.run(cmd, env=dict(os.environ, **{NS_ENV: name})).returncode


def main():
    global ARGS
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tool", required=True, help="the nfsroot-image script")
    parser.add_argument("--image", help="a debootstrapped Debian root (for debian_*)")
    parser.add_argument("--deb", help="the package to install into the image (for debian_initrd)")
    parser.add_argument("scenarios", nargs="+", help="scenario names, or all")
    ARGS = parser.parse_args()
    ARGS.tool = os.path.abspath(ARGS.tool)
    if os.geteuid() != 0:
        print("image_tool_test.py: needs root (mount namespaces, mounts, chroot): run it as root")
        return 1
    names = ARGS.scenarios
    if names == ["all"]:
        names = [n for n in SCENARIOS if ARGS.image or not n.startswith("debian_")]
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario(s) {unknown}; known: {', '.join(SCENARIOS)}")

    if os.environ.get(NS_ENV) is None:
        failed = []
        for name in names:
            started = time.monotonic()
            log(f"== {name}")
            rc = run_in_namespace(name)
            log(f"== {name}: {'ok' if rc == 0 else 'FAILED'} ({time.monotonic() - started:.1f} s)")
            if rc != 0:
                failed.append(name)
        if failed:
            log(f"failed: {' '.join(failed)}")
        return 1 if failed else 0

    tmp = tempfile.mkdtemp(prefix=f"nfsroot-image-test.{names[0]}.")
    try:
        SCENARIOS[names[0]](tmp)
        return 0
    except Failure as e:
        print(f"FAIL {names[0]}: {e}")
        return 1
    finally:
        # Never remove files through a mount a failed test left behind.
        if not mounts_under(tmp):
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
