#!/usr/bin/env python3
"""The /init's RPC client (rpc/ + rootmount/) against real and hostile servers.

  rpc_client.py --tool BUILD/tests/integration/rpc_tool real --state-dir DIR
  rpc_client.py --tool ... silent|oversized|huge_record|unregistered

real: the boot tests' rpcbind + nfs-ganesha on 127.0.0.1 (the nfs_server fixture, whose state
DIR holds ganesha.conf): our DUMP, over IPv4 and over IPv6 ([::1]), must list what
`rpcinfo -p` lists from the same address, and our EXPORT
list must be the config's EXPORT Paths (no CLIENT blocks there: no groups).

The others run in a network namespace of their own (made and removed here) against a fake
server of this script on its 127.0.0.1:111 (and a fake mountd), so they need no lock of the
fixture's ports but root:
  silent        rpcbind accepts and never answers: the tool gives up at its timeout, not later;
  oversized     GETPORT says mountd is on 20048, whose EXPORT reply has a 5000-byte ex_dir;
  huge_record   rpcbind's record mark announces a 1 GiB fragment;
  unregistered  GETPORT answers port 0 (no MOUNT v3 over TCP registered).
"""
import argparse
import os
import re
import socket
import struct
import subprocess
import sys
import time

RPCINFO = "/usr/sbin/rpcinfo"


def fail(message):
    sys.exit(f"rpc_client: FAIL: {message}")


def run_tool(tool, args, netns=None):
    argv = ([ "ip", "netns", "exec", netns] if netns else []) + [tool] + args
    t0 = time.monotonic()
    p = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr.strip(), time.monotonic() - t0


def real(tool, state_dir):
    # rpcinfo -p: "program vers proto port service" rows. The fixture's rpcbind also listens on
    # [::1]:111 (nfs_server.py), which is where our client's IPv6 socket is checked.
    for host in ("127.0.0.1", "::1"):
        out = subprocess.run([RPCINFO, "-p", host], capture_output=True, text=True, check=True).stdout
        protos = {"tcp": 6, "udp": 17}
        want = sorted((int(f[0]), int(f[1]), protos[f[2]], int(f[3]))
                      for f in (line.split() for line in out.splitlines()) if f and f[0].isdigit())
        rc, stdout, stderr, _ = run_tool(tool, ["services", host, "3000"])
        if rc != 0:
            fail(f"services {host}: {stderr}")
        got = sorted(tuple(int(x) for x in line.split()[1:])
                     for line in stdout.splitlines() if line.startswith("service "))
        if got != want:
            fail(f"our DUMP from {host} {got} is not rpcinfo -p's {want}")
        print(f"rpc_client: DUMP from {host}: the {len(got)} registrations rpcinfo -p lists; "
              + stdout.splitlines()[-1])

    with open(os.path.join(state_dir, "ganesha.conf")) as f:
        conf = f.read()
    paths = sorted(re.findall(r'^\s*Path\s*=\s*"([^"]*)";', conf, re.M))
    rc, stdout, stderr, _ = run_tool(tool, ["exports", "127.0.0.1", "3000"])
    if rc != 0:
        fail(f"exports: {stderr}")
    listed = sorted(line[len("export "):] for line in stdout.splitlines() if line.startswith("export "))
    if listed != paths:
        fail(f"our EXPORT list {listed} is not ganesha.conf's Paths {paths}")
    print(f"rpc_client: EXPORT: the {len(paths)} Paths of ganesha.conf, no groups; " + stdout.splitlines()[-1])


# --- fake servers in a namespace of our own ---------------------------------------------------

def read_call(conn):
    mark, = struct.unpack(">I", recv_exactly(conn, 4))
    body = recv_exactly(conn, mark & 0x7FFFFFFF)
    xid, _, _, prog, vers, proc = struct.unpack(">6I", body[:24])
    return xid, prog, vers, proc


def recv_exactly(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def accepted(xid, results):
    return struct.pack(">6I", xid, 1, 0, 0, 0, 0) + results


def record(message):
    return struct.pack(">I", 0x80000000 | len(message)) + message


def serve(mode):
    """Runs inside the namespace: rpcbind on 111 (and mountd on 20048), one connection each."""
    def listener(port):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        s.listen(4)
        return s
    rpcbind, mountd = listener(111), listener(20048)
    print("ready", flush=True)
    conn, _ = rpcbind.accept()
    xid, prog, vers, proc = read_call(conn)
    if mode == "silent":
        time.sleep(30)  # the client must give up first
        return
    if mode == "huge_record":
        conn.sendall(struct.pack(">I", 0x80000000 | (1 << 30)) + b"\0" * 64)
        time.sleep(5)
        return
    port = 0 if mode == "unregistered" else 20048
    conn.sendall(record(accepted(xid, struct.pack(">I", port))))
    conn.close()
    if mode == "oversized":
        conn, _ = mountd.accept()
        xid, prog, vers, proc = read_call(conn)
        path = b"/" * 5000
        conn.sendall(record(accepted(xid, struct.pack(">II", 1, len(path)) + path + struct.pack(">II", 0, 0))))
        time.sleep(5)


def fake(tool, mode):
    netns = f"nfsroot-rpc-{os.getpid()}"
    subprocess.run(["ip", "netns", "add", netns], check=True)
    server = None
    try:
        subprocess.run(["ip", "netns", "exec", netns, "ip", "link", "set", "lo", "up"], check=True)
        server = subprocess.Popen(["ip", "netns", "exec", netns, sys.executable, os.path.abspath(__file__),
                                   "--serve", mode], stdout=subprocess.PIPE, text=True)
        if server.stdout.readline().strip() != "ready":
            fail("the fake server did not start")
        what = "services" if mode == "huge_record" else "exports"
        rc, stdout, stderr, took = run_tool(tool, [what, "127.0.0.1", "700"], netns)
        print(f"rpc_client: {mode}: rc {rc} after {took:.2f} s: {stderr or stdout.strip()}")
        expected = {
            "silent": r"^list exports 127\.0\.0\.1: portmap v2 GETPORT 127\.0\.0\.1:111: no answer in time$",
            "oversized": r"^list exports 127\.0\.0\.1: MOUNT v3 EXPORT result export 1 ex_dir: length 5000 is over its limit of 1024$",
            "huge_record": r"^ask rpcbind 127\.0\.0\.1: RPC record record mark: a fragment of 1073741824 bytes after 0 takes the record over its cap of 262144 bytes$",
            "unregistered": r"^list exports 127\.0\.0\.1: portmap v2 GETPORT result port: 0: program 100005 version 3 is not registered over TCP$",
        }[mode]
        if rc != 1 or not re.search(expected, stderr):
            fail(f"{mode}: wanted rc 1 and /{expected}/")
        if mode == "silent" and not 0.7 <= took < 3:
            fail(f"silent: the tool took {took:.2f} s for a 0.7 s timeout")
    finally:
        if server:
            server.kill()
            server.wait()
        subprocess.run(["ip", "netns", "delete", netns], check=False)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool")
    ap.add_argument("--state-dir")
    ap.add_argument("--serve", metavar="MODE", help=argparse.SUPPRESS)
    ap.add_argument("scenario", nargs="?")
    args = ap.parse_args()
    if args.serve:
        serve(args.serve)
        return
    if args.scenario == "real":
        real(args.tool, args.state_dir)
    else:
        fake(args.tool, args.scenario)
    print(f"rpc_client: ok {args.scenario}")


if __name__ == "__main__":
    main()
