#!/usr/bin/env python3
"""Start and stop the NFS server of the boot tests: nfs-ganesha (and rpcbind) on 127.0.0.1.

  nfs_server.py start  --state-dir DIR --export PATH[:PSEUDO]... [--optional-export PATH[:PSEUDO]]...
                       [--timeout SEC] [--netns NS --host ADDR] [--nfs-port PORT]
  nfs_server.py stop   --state-dir DIR
  nfs_server.py status --state-dir DIR
  nfs_server.py run    --state-dir DIR --export PATH[:PSEUDO]...   (foreground until Ctrl-C)

`start` serves each PATH read-only over NFSv3 and NFSv4 (minor versions 0-2), TCP only, on
127.0.0.1 (NFS port 20490, MOUNT port 20048, no NLM, no RQUOTA, Graceless), and returns once
the server really answers: rpcbind maps NFS v3/v4 and MOUNT v3 to those ports, both ports
answer RPC NULL calls, and a MOUNT v3 MNT of every export returns a file handle. An
--optional-export is served only when PATH is a directory by then (the Debian root, which a
slower fixture may have failed to build: the other boots must not depend on it). NFSv3 clients
mount PATH itself (ganesha matches MNT by the export's real Path); NFSv4 clients mount PSEUDO
(default: PATH). QEMU's user network shows 127.0.0.1 to the guest as 10.0.2.2.

ganesha.nfsd runs as a plain foreground process (-F) detached into its own session, with its
output in DIR; `start` leaves it running and exits, so CTest FIXTURES_SETUP / FIXTURES_CLEANUP
tests can call `start` and `stop`. rpcbind is started only when none answers on 127.0.0.1:111;
it gets its listening sockets from this script (systemd's socket-activation protocol), bound to
127.0.0.1:111 and [::1]:111 and /run/rpcbind.sock only, because Debian's rpcbind 1.2.6 binds
every address by default and aborts with a double free when given -h. `stop` ends ganesha, and
rpcbind only if `start` started it; it is idempotent. A `start` on a DIR whose server is still
running (an interrupted test run) stops that server first.

DIR holds ganesha.conf, ganesha.log (ganesha's log), ganesha.out (its stdout/stderr),
rpcbind.log, recovery/ (NFSv4 client records) and state.json (what runs, by pid and start time).
Needs root, ganesha.nfsd with the VFS FSAL (nfs-ganesha, nfs-ganesha-vfs) and rpcbind.

--netns NS --host ADDR serve on ADDR inside the network namespace NS instead (the fault matrix
of netns_lab.py: a guest on a tap device reaches ADDR directly). Both servers then also get a
private mount namespace with its own tmpfs on /run, because rpcbind's /run/rpcbind.sock (which
ganesha registers through) is a path, not a network address: without it the namespace's ganesha
would register with the host's rpcbind. `stop` works from anywhere (it goes by pid). --host
0.0.0.0 serves every address of the namespace (netns_lab.py's servers on several addresses of
one bridge); --nfs-port 2049 there lets a guest mount NFSv4 without port= (the namespace's
ports are its own). --host :: serves every IPv4 and every IPv6 address of the namespace:
ganesha binds [::] (dual stack; with 0.0.0.0 ganesha 4.3 binds [::ffff:0.0.0.0], IPv4 only),
rpcbind gets 0.0.0.0:111 and [::]:111, and `start` also checks that rpcbind maps NFS v3 and
MOUNT v3 for tcp6 (rpcbind v4 GETADDR, as the kernel asks an IPv6 server) and that both ports
answer on [::1].
"""
import argparse
import errno
import fcntl
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time

HOST = "127.0.0.1"  # --host changes it; "::" is every address, IPv4 and IPv6 (see ipv4_host)
NFS_PORT = 20490
MNT_PORT = 20048
RPCBIND_PORT = 111
RPCBIND_SOCK = "/run/rpcbind.sock"

PMAP_PROG, NFS_PROG, MNT_PROG = 100000, 100003, 100005
IPPROTO_TCP = 6
AUTH_NONE, AUTH_SYS = 0, 1
MNT3_OK = 0
MNT3_ERRORS = {1: "PERM", 2: "NOENT", 5: "IO", 13: "ACCES", 20: "NOTDIR", 22: "INVAL",
               63: "NAMETOOLONG", 10004: "NOTSUPP", 10006: "SERVERFAULT"}

STOP_GRACE_S = 10  # SIGTERM, then SIGKILL after this long


class Error(Exception):
    pass


def log(msg):
    print(f"nfs_server: {msg}", flush=True)


def ipv4_host():
    """rpcbind's IPv4 address, and the one this script asks: HOST, or for "::" 0.0.0.0."""
    return "0.0.0.0" if HOST == "::" else HOST


def ipv6_host():
    """rpcbind's IPv6 address: loopback only, unless HOST is "::" (every IPv6 address too)."""
    return "::" if HOST == "::" else "::1"


# --- a minimal ONC RPC client over TCP (RFC 5531, record marking) ----------------------------

class Rpc:
    def __init__(self, port, timeout=2.0, host=None):
        self.sock = socket.create_connection((host or ipv4_host(), port), timeout=timeout)
        self.xid = int.from_bytes(os.urandom(4), "big")

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def call(self, prog, vers, proc, args=b"", cred=None):
        self.xid = (self.xid + 1) & 0xFFFFFFFF
        cred = cred or struct.pack(">II", AUTH_NONE, 0)
        msg = struct.pack(">IIIIII", self.xid, 0, 2, prog, vers, proc) + cred \
            + struct.pack(">II", AUTH_NONE, 0) + args
        self.sock.sendall(struct.pack(">I", 0x80000000 | len(msg)) + msg)
        reply = b""
        while True:  # fragments until the last one
            head = self._read(4)
            mark, = struct.unpack(">I", head)
            reply += self._read(mark & 0x7FFFFFFF)
            if mark & 0x80000000:
                break
        r = Xdr(reply)
        xid, mtype, stat = r.u32(), r.u32(), r.u32()
        if xid != self.xid or mtype != 1:
            raise Error(f"RPC reply for prog {prog}: bad xid or message type")
        if stat != 0:
            raise Error(f"RPC call to prog {prog} v{vers} denied (reject_stat {r.u32()})")
        r.u32()  # verifier flavor
        r.opaque()
        accept = r.u32()
        if accept != 0:
            what = {1: "program unavailable", 2: "version mismatch", 3: "procedure unavailable",
                    4: "garbage args", 5: "system error"}.get(accept, str(accept))
            raise Error(f"RPC call to prog {prog} v{vers} proc {proc}: {what}")
        return r

    def _read(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("connection closed by the server")
            data += chunk
        return data


class Xdr:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def u32(self):
        if self.pos + 4 > len(self.data):
            raise Error("short RPC reply")
        v, = struct.unpack_from(">I", self.data, self.pos)
        self.pos += 4
        return v

    def opaque(self):
        n = self.u32()
        if self.pos + n > len(self.data):
            raise Error("short RPC reply")
        v = self.data[self.pos:self.pos + n]
        self.pos += n + (-n % 4)
        return v

    def string(self):
        return self.opaque().decode(errors="replace")


def xdr_string(s):
    b = s.encode()
    return struct.pack(">I", len(b)) + b + b"\0" * (-len(b) % 4)


def auth_sys():
    body = struct.pack(">I", 0) + xdr_string("nfs-server-py") + struct.pack(">IIII", 0, 0, 1, 0)
    return struct.pack(">II", AUTH_SYS, len(body)) + body


def pmap_getport(prog, vers):
    with Rpc(RPCBIND_PORT) as c:
        return c.call(PMAP_PROG, 2, 3, struct.pack(">IIII", prog, vers, IPPROTO_TCP, 0)).u32()


def rpcb_getaddr(prog, vers, netid, host):
    """RPCBPROC_GETADDR (rpcbind v4, RFC 1833) for NETID, asked at host: the port its universal
    address names, or 0 when unregistered. What the kernel's rpcbind client asks for an IPv6
    server (rpcb_clnt.c: versions 4 and 3 for AF_INET6, portmap v2 for AF_INET only)."""
    args = struct.pack(">II", prog, vers) + xdr_string(netid) + xdr_string("") + xdr_string("")
    with Rpc(RPCBIND_PORT, host=host) as c:
        uaddr = c.call(PMAP_PROG, 4, 3, args).string()  # RPCBPROC_GETADDR
    if not uaddr:
        return 0
    parts = uaddr.rsplit(".", 2)  # h.h.h.h.p1.p2 or x:x::x.p1.p2
    try:
        return int(parts[1]) * 256 + int(parts[2])
    except (IndexError, ValueError):
        raise Error(f"rpcbind's address for program {prog} v{vers}/{netid}: {uaddr!r}")


def mnt_exports():
    with Rpc(MNT_PORT) as c:
        r = c.call(MNT_PROG, 3, 5)  # MOUNTPROC3_EXPORT
        out = []
        while r.u32():
            path = r.string()
            while r.u32():
                r.string()  # client groups
            out.append(path)
        return out


def mnt_check(path):
    """MNT then UMNT PATH: proves the export is served (a file handle comes back)."""
    with Rpc(MNT_PORT) as c:
        r = c.call(MNT_PROG, 3, 1, xdr_string(path), cred=auth_sys())  # MOUNTPROC3_MNT
        status = r.u32()
        if status != MNT3_OK:
            raise Error(f"MNT {path}: MNT3ERR_{MNT3_ERRORS.get(status, status)}")
        r.opaque()  # the file handle
        c.call(MNT_PROG, 3, 3, xdr_string(path), cred=auth_sys())  # MOUNTPROC3_UMNT


def rpc_null(port, prog, vers, host=None):
    with Rpc(port, host=host) as c:
        c.call(prog, vers, 0)


# --- a server inside a network namespace -----------------------------------------------------

CLONE_NEWNS, CLONE_NEWNET = 0x00020000, 0x40000000
MS_NOSUID, MS_NODEV, MS_REC, MS_PRIVATE = 0x2, 0x4, 0x4000, 0x40000


def enter_netns(name):
    """Join network namespace NAME (made by `ip netns add`), in a private mount namespace with a
    fresh /run: what this process starts afterwards runs in both."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)

    def check(rc, what):
        if rc != 0:
            e = ctypes.get_errno()
            raise Error(f"{what}: {os.strerror(e)}")
    try:
        fd = os.open(f"/run/netns/{name}", os.O_RDONLY | os.O_CLOEXEC)
    except OSError as e:
        raise Error(f"network namespace {name}: {e.strerror} (make it with ip netns add)")
    try:
        check(libc.setns(fd, CLONE_NEWNET), f"setns {name}")
    finally:
        os.close(fd)
    check(libc.unshare(CLONE_NEWNS), "unshare the mount namespace")
    check(libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "make / private")
    check(libc.mount(b"tmpfs", b"/run", b"tmpfs", MS_NOSUID | MS_NODEV, b"mode=0755"),
          "mount a private /run")


# --- processes --------------------------------------------------------------------------------

def start_time(pid):
    """Field 22 of /proc/PID/stat: tells a pid we started from a later reuse of it."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return None


def alive(proc):
    return bool(proc) and start_time(proc["pid"]) == proc["start_time"] \
        and not zombie(proc["pid"])


def zombie(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except OSError:
        return True


def terminate(proc, name):
    if not alive(proc):
        return None
    pid = proc["pid"]
    t0 = time.monotonic()
    for sig, grace in ((signal.SIGTERM, STOP_GRACE_S), (signal.SIGKILL, 5)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + grace
        while alive(proc) and time.monotonic() < deadline:
            reap(pid)
            time.sleep(0.02)
        if not alive(proc):
            break
        log(f"{name} (pid {pid}) ignored SIGTERM for {grace} s: killing it")
    reap(pid)  # when it is our child; else init reaps it
    if alive(proc):
        raise Error(f"{name} (pid {pid}) does not die")
    return time.monotonic() - t0


def reap(pid):
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def spawn(argv, out_path, pass_socks=(), env=None):
    """Start argv in its own session, output to out_path; pass_socks become fds 3, 4, ..."""
    fds = [s.fileno() for s in pass_socks]

    def child():
        # Out of the way first (the targets 3.. may be taken), then into place; dup2 leaves
        # the new descriptors inheritable, the temporary copies close at exec.
        tmp = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 64) for fd in fds]
        for i, fd in enumerate(tmp):
            os.dup2(fd, 3 + i)

    with open(out_path, "ab") as out:
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                             start_new_session=True, close_fds=False, env=env,
                             preexec_fn=child if fds else None)
    return {"pid": p.pid, "start_time": start_time(p.pid), "argv": argv}


# ganesha logs these at CRIT/MAJ/WARN on every start here; they do not matter for the tests.
NOISE = ("DBUS", "krb5", "keytab", "realm", "gssd", "RADOS")


def problems(path):
    """ganesha's own complaints (CRIT, MAJ, FATAL, WARN), without the harmless ones."""
    return [line for line in tail(path, 10 ** 6)
            if any(f":{level} :" in line for level in ("FATAL", "CRIT", "MAJ", "WARN"))
            and not any(n in line for n in NOISE)]


def config_failed(path):
    return any(":CONFIG :CRIT :" in line or "Could not create export" in line
               for line in problems(path))


def tail(path, lines=40):
    try:
        with open(path, errors="replace") as f:
            text = f.read().splitlines()[-lines:]
    except OSError as e:
        return [f"({path}: {e.strerror})"]
    return text or [f"({path} is empty)"]


# --- rpcbind ------------------------------------------------------------------------------------

def rpcbind_answers():
    try:
        with Rpc(RPCBIND_PORT, timeout=1.0) as c:
            c.call(PMAP_PROG, 2, 0)
        return True
    except (ConnectionRefusedError, FileNotFoundError):
        return False
    except (OSError, Error) as e:
        raise Error(f"something holds {ipv4_host()}:{RPCBIND_PORT} but does not answer as rpcbind: {e}")


def unix_socket_answers(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(path)
        return True
    except OSError:
        return False
    finally:
        s.close()


def listening_sockets():
    """The sockets rpcbind would otherwise bind on every address: loopback only, or with --host
    0.0.0.0 or :: (in a namespace) every IPv4 address, and with :: every IPv6 one as well."""
    socks = []
    try:
        if os.path.lexists(RPCBIND_SOCK):
            os.unlink(RPCBIND_SOCK)  # stale: nothing answered on it
        u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        socks.append(u)
        u.bind(RPCBIND_SOCK)
        os.chmod(RPCBIND_SOCK, 0o666)
        u.listen(128)
        for family, addr in ((socket.AF_INET, ipv4_host()), (socket.AF_INET6, ipv6_host())):
            for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
                try:
                    s = socket.socket(family, kind)
                except OSError:
                    if family == socket.AF_INET6 and addr == "::1":
                        break  # no IPv6 at all: rpcbind cannot bind it either
                    raise
                socks.append(s)
                if family == socket.AF_INET6:
                    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                if kind == socket.SOCK_STREAM:
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    s.bind((addr, RPCBIND_PORT))
                except OSError as e:
                    if addr == "::1" and e.errno == errno.EADDRNOTAVAIL:
                        socks.pop().close()
                        log("no ::1 on lo: rpcbind may bind [::]:111 (IPv6 wildcard) itself")
                        break
                    raise Error(f"cannot bind {addr}:{RPCBIND_PORT} for rpcbind: {e.strerror}")
                if kind == socket.SOCK_STREAM:
                    s.listen(128)
        return socks
    except BaseException:
        for s in socks:
            s.close()
        raise


def start_rpcbind(state_dir):
    if rpcbind_answers():
        log(f"rpcbind already answers on {ipv4_host()}:{RPCBIND_PORT}: using it")
        return None
    if unix_socket_answers(RPCBIND_SOCK):
        raise Error(f"an rpcbind answers on {RPCBIND_SOCK} but not on {ipv4_host()}:{RPCBIND_PORT}; "
                    "the guest needs the TCP port: stop that rpcbind first")
    exe = shutil.which("rpcbind", path="/usr/sbin:/sbin:" + os.environ.get("PATH", ""))
    if not exe:
        raise Error("rpcbind not found: apt-get install rpcbind")
    os.makedirs("/run/rpcbind", exist_ok=True)  # its warm-start files (Debian's tmpfiles.d)
    socks = listening_sockets()
    try:
        # sd_listen_fds() wants LISTEN_PID == its own pid: the shell's pid survives its exec.
        env = dict(os.environ, LISTEN_FDS=str(len(socks)))
        env.pop("LISTEN_PID", None)
        env.pop("LISTEN_FDNAMES", None)
        proc = spawn(["/bin/sh", "-c", 'LISTEN_PID=$$; export LISTEN_PID; exec "$0" -f', exe],
                     os.path.join(state_dir, "rpcbind.log"), socks, env)
    finally:
        for s in socks:
            s.close()
    proc["argv"] = [exe, "-f"]
    deadline = time.monotonic() + 10
    while True:
        if not alive(proc):
            raise Error("rpcbind exited at once:\n  " +
                        "\n  ".join(tail(os.path.join(state_dir, "rpcbind.log"))))
        try:
            if rpcbind_answers():
                break
        except Error:
            pass
        if time.monotonic() > deadline:
            terminate(proc, "rpcbind")
            raise Error("rpcbind does not answer within 10 s")
        time.sleep(0.02)
    log(f"started rpcbind (pid {proc['pid']}) on {ipv4_host()}:{RPCBIND_PORT}, "
        f"[{ipv6_host()}]:{RPCBIND_PORT}, "
        f"{RPCBIND_SOCK}")
    return proc


# --- ganesha -----------------------------------------------------------------------------------

def parse_export(text):
    path, sep, pseudo = text.partition(":")
    path = os.path.abspath(path)
    pseudo = pseudo if sep else path
    if not os.path.isdir(path):
        raise Error(f"export {path}: not a directory")
    if not pseudo.startswith("/"):
        raise Error(f"export {text}: the pseudo path must be absolute")
    for s in (path, pseudo):
        if '"' in s or "\n" in s:
            raise Error(f"export {text}: quotes and newlines are not supported")
    return path, pseudo


def ganesha_conf(state_dir, exports):
    blocks = []
    for i, (path, pseudo) in enumerate(exports, start=1):
        blocks.append(f"""EXPORT {{
    Export_Id = {i};
    Path = "{path}";
    Pseudo = "{pseudo}";
    Access_Type = RO;
    Squash = No_Root_Squash;
    SecType = sys;
    Protocols = 3, 4;
    Transports = TCP;
    # Files change behind ganesha's back (nfsroot-image build switches a channel's current):
    # its attribute cache (60 s by default) would serve the old current meanwhile.
    Attr_Expiration_Time = 0;
    FSAL {{ Name = VFS; }}
}}
""")
    # ganesha 4.3 listens on AF_INET6 sockets whatever Bind_addr is: 0.0.0.0 becomes
    # [::ffff:0.0.0.0], which takes IPv4 connections only. "::" is the dual-stack wildcard (the
    # namespace's bindv6only is 0): every IPv4 address, mapped, and every IPv6 one. ganesha
    # takes the address bare (a quoted one is "Expected an IP address").
    return f"""# Written by tests/boot/nfs_server.py: the boot tests' NFS server, loopback only.
NFS_CORE_PARAM {{
    Bind_addr = {HOST};
    NFS_Port = {NFS_PORT};
    MNT_Port = {MNT_PORT};
    Protocols = 3, 4;
    Enable_UDP = false;
    Enable_NLM = false;
    Enable_RQUOTA = false;
}}
NFSV4 {{
    Graceless = true;
    Minor_Versions = 0, 1, 2;
    # The client has no idmapd: uids and gids go as numbers, as they are in the image.
    Only_Numeric_Owners = true;
    RecoveryBackend = fs;
    RecoveryRoot = "{os.path.join(state_dir, 'recovery')}";
}}
NFS_KRB5 {{
    Active_krb5 = false;
}}
{''.join(blocks)}"""


def port_free(port):
    s = socket.socket(socket.AF_INET6 if ":" in HOST else socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind((HOST, port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def who_listens(port):
    try:
        out = subprocess.run(["ss", "-Hltnp", f"sport = :{port}"], capture_output=True,
                             text=True, timeout=5).stdout.strip()
        return out or "(ss shows nothing)"
    except (OSError, subprocess.SubprocessError):
        return "(ss not available)"


def ready(exports):
    """None when the server answers for every export, else what is still missing."""
    try:
        for prog, vers, port in ((NFS_PROG, 3, NFS_PORT), (NFS_PROG, 4, NFS_PORT),
                                 (MNT_PROG, 3, MNT_PORT)):
            got = pmap_getport(prog, vers)
            if got != port:
                return f"rpcbind maps program {prog} v{vers}/tcp to port {got}, not yet {port}"
        rpc_null(NFS_PORT, NFS_PROG, 3)
        rpc_null(NFS_PORT, NFS_PROG, 4)
        rpc_null(MNT_PORT, MNT_PROG, 3)
        if HOST == "::":  # and what an IPv6 client sees: rpcbind's tcp6 entries, both ports
            for prog, vers, port in ((NFS_PROG, 3, NFS_PORT), (MNT_PROG, 3, MNT_PORT)):
                got = rpcb_getaddr(prog, vers, "tcp6", "::1")
                if got != port:
                    return (f"rpcbind maps program {prog} v{vers}/tcp6 to port {got}, "
                            f"not yet {port}")
                rpc_null(port, prog, vers, host="::1")
        listed = mnt_exports()
        for path, _ in exports:
            if path not in listed:
                return f"export list {listed} lacks {path}"
            mnt_check(path)
    except (OSError, Error) as e:
        return str(e)
    return None


def start_ganesha(state_dir, exports, timeout):
    exe = shutil.which("ganesha.nfsd", path="/usr/bin:/usr/sbin:" + os.environ.get("PATH", ""))
    if not exe:
        raise Error("ganesha.nfsd not found: apt-get install nfs-ganesha nfs-ganesha-vfs")
    for port in (NFS_PORT, MNT_PORT):
        if not port_free(port):
            raise Error(f"{ipv4_host()}:{port} is taken, another NFS server runs (another build tree's "
                        f"test run?): {who_listens(port)}")
    os.makedirs(os.path.join(state_dir, "recovery"), exist_ok=True)
    conf = os.path.join(state_dir, "ganesha.conf")
    with open(conf, "w") as f:
        f.write(ganesha_conf(state_dir, exports))
    log_path = os.path.join(state_dir, "ganesha.log")
    out_path = os.path.join(state_dir, "ganesha.out")
    for p in (log_path, out_path):
        if os.path.exists(p):
            os.replace(p, p + ".old")
    t0 = time.monotonic()
    proc = spawn([exe, "-F", "-L", log_path, "-f", conf,
                  "-p", os.path.join(state_dir, "ganesha.nfsd.pid")], out_path)
    deadline = t0 + timeout

    def report():  # read before stopping it, so the tail is about the start
        found = problems(log_path)
        return ("\n  ".join(["its complaints:"] + found[:20] + ["its log ends:"]) if found
                else "its log ends:") + "\n  " + "\n  ".join(tail(log_path, 15) +
                                                              tail(out_path, 10))
    while True:
        reap(proc["pid"])
        if not alive(proc):
            raise Error(f"ganesha.nfsd exited during start-up; {report()}")
        missing = ready(exports)
        if missing is None:
            break
        failed = config_failed(log_path)
        if failed or time.monotonic() > deadline:
            why = "rejected its configuration" if failed else f"not ready within {timeout:g} s"
            text = report()
            terminate(proc, "ganesha.nfsd")
            raise Error(f"ganesha.nfsd {why} ({missing}); {text}")
        time.sleep(0.05)
    return proc, time.monotonic() - t0


# --- commands ----------------------------------------------------------------------------------

def state_path(state_dir):
    return os.path.join(state_dir, "state.json")


def read_state(state_dir):
    try:
        with open(state_path(state_dir)) as f:
            return json.load(f)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        raise Error(f"{state_path(state_dir)}: {e}")


def write_state(state_dir, state):
    tmp = state_path(state_dir) + ".tmp"
    with open(tmp, "w") as f:
        json.dump(state, f, indent=2)
    os.replace(tmp, state_path(state_dir))


def cmd_stop(state_dir, quiet=False):
    state = read_state(state_dir)
    if not state:
        if not quiet:
            log(f"nothing to stop ({state_path(state_dir)} absent)")
        return
    g, r = state.get("ganesha"), state.get("rpcbind")
    took = terminate(g, "ganesha.nfsd")
    if took is not None:
        log(f"stopped ganesha.nfsd (pid {g['pid']}) in {took:.2f} s")
    elif not quiet:
        log("ganesha.nfsd was not running")
    if r:  # only ever set when start started it
        took = terminate(r, "rpcbind")
        if took is not None:
            log(f"stopped rpcbind (pid {r['pid']}) in {took:.2f} s")
        if not state.get("netns") and os.path.exists(RPCBIND_SOCK) \
                and not unix_socket_answers(RPCBIND_SOCK):
            os.unlink(RPCBIND_SOCK)  # ours, and rpcbind leaves it behind
    os.unlink(state_path(state_dir))


def cmd_start(state_dir, export_args, timeout, optional_args=(), netns=None):
    if os.geteuid() != 0:
        raise Error("needs root (rpcbind registration, ganesha's VFS FSAL uses open_by_handle_at)")
    exports = [parse_export(e) for e in export_args]
    for text in optional_args:
        if os.path.isdir(text.partition(":")[0]):
            exports.append(parse_export(text))
        else:
            log(f"optional export {text}: not a directory, not served")
    pseudos = [p for _, p in exports]
    if len(set(pseudos)) != len(pseudos):
        raise Error(f"two exports share a pseudo path: {pseudos}")
    os.makedirs(state_dir, exist_ok=True)
    # One start at a time per state dir (CTest's RESOURCE_LOCK covers one ctest run only).
    lock = open(os.path.join(state_dir, "lock"), "w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    if read_state(state_dir):
        log("a server from an earlier start is recorded here: stopping it first")
        cmd_stop(state_dir, quiet=True)
    t0 = time.monotonic()
    if netns:
        enter_netns(netns)
    rpcbind = start_rpcbind(state_dir)
    state = {"rpcbind": rpcbind, "ganesha": None, "exports": exports, "netns": netns}
    write_state(state_dir, state)
    try:
        ganesha, took = start_ganesha(state_dir, exports, timeout)
    except BaseException:
        cmd_stop(state_dir, quiet=True)
        raise
    state["ganesha"] = ganesha
    write_state(state_dir, state)
    where = f"[{HOST}]" if ":" in HOST else HOST
    log(f"ganesha.nfsd (pid {ganesha['pid']}) answers on {where}:{NFS_PORT} (NFS v3, v4.0-4.2) and "
        f"{where}:{MNT_PORT} (MOUNT v3) after {took:.2f} s; {time.monotonic() - t0:.2f} s in all")
    for path, pseudo in exports:
        guest = {"127.0.0.1": "10.0.2.2", "0.0.0.0": "<any address of the namespace>",
                 "::": "<any IPv4 or IPv6 address of the namespace>"}.get(HOST, HOST)
        log(f"export {path} (NFSv4: {pseudo}), read-only; guest: {guest}:{path}")


def cmd_status(state_dir):
    state = read_state(state_dir)
    if not state:
        log("not started")
        return 1
    g, r = state.get("ganesha"), state.get("rpcbind")
    log(f"ganesha.nfsd: {'running, pid %d' % g['pid'] if alive(g) else 'not running'}")
    log(f"rpcbind: {('running, pid %d' % r['pid']) if alive(r) else 'not running'}" if r
        else "rpcbind: not ours")
    missing = ready([tuple(e) for e in state["exports"]])
    log("answers for every export" if missing is None else f"not answering: {missing}")
    return 0 if alive(g) and missing is None else 1


def main(argv=None):
    global HOST, NFS_PORT
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n", 2)[2])
    ap.add_argument("command", choices=("start", "stop", "status", "run"))
    ap.add_argument("--state-dir", required=True, help="config, logs and pids live here")
    ap.add_argument("--export", action="append", default=[], metavar="PATH[:PSEUDO]",
                    help="a directory to serve read-only; PSEUDO is its NFSv4 path")
    ap.add_argument("--optional-export", action="append", default=[], metavar="PATH[:PSEUDO]",
                    help="the same, served only if PATH is a directory at start")
    ap.add_argument("--timeout", type=float, default=60, help="seconds to wait for the server")
    ap.add_argument("--netns", metavar="NS", help="serve inside this network namespace")
    ap.add_argument("--host", default=HOST, metavar="ADDR", help="the address to serve on")
    ap.add_argument("--nfs-port", type=int, default=NFS_PORT, metavar="PORT",
                    help=f"the NFS port (default {NFS_PORT}); only with --netns")
    args = ap.parse_args(argv)
    HOST = args.host
    NFS_PORT = args.nfs_port
    if NFS_PORT != 20490 and not args.netns:
        ap.error("--nfs-port is for a server inside a namespace: the host's tests expect 20490")
    if args.netns and args.host == "127.0.0.1":
        ap.error("--netns needs --host: the address the guest reaches inside the namespace")
    state_dir = os.path.abspath(args.state_dir)
    if args.command in ("start", "run") and not args.export:
        ap.error(f"{args.command} needs at least one --export")
    try:
        if args.command == "stop":
            cmd_stop(state_dir)
        elif args.command == "status":
            return cmd_status(state_dir)
        else:
            cmd_start(state_dir, args.export, args.timeout, args.optional_export, args.netns)
            if args.command == "run":
                log("serving; Ctrl-C stops")
                signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
                signal.signal(signal.SIGINT, signal.default_int_handler)  # even if inherited ignored
                try:
                    while alive(read_state(state_dir)["ganesha"]):
                        time.sleep(1)
                    log("ganesha.nfsd exited")
                except KeyboardInterrupt:
                    pass
                finally:
                    cmd_stop(state_dir)
        return 0
    except Error as e:
        sys.exit(f"nfs_server: {args.command} failed: {e}")


if __name__ == "__main__":
    sys.exit(main())
