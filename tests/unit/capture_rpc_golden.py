#!/usr/bin/env python3
"""Capture the golden RPC replies of tests/unit/rpc_*_test.cpp from the real servers.

  flock /tmp/nfsroot-boot.lock tests/unit/capture_rpc_golden.py [--state-dir DIR]

Starts rpcbind and nfs-ganesha on 127.0.0.1 with tests/boot/nfs_server.py (its ports: 111,
20048, 20490; hence the lock), with two exports under DIR, the second limited to two clients,
sends each call below over TCP and prints the whole reply record (record mark stripped) as C++
byte rows, then stops the servers. The unit tests keep what it printed, with the decode.
Needs root, rpcbind, ganesha.nfsd (nfs-ganesha, nfs-ganesha-vfs).
"""
import argparse
import os
import socket
import struct
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "boot"))
import nfs_server  # noqa: E402

XID = 0x4e465352  # "NFSR": fixed, so the bytes say which call they answer


def call_bytes(prog, vers, proc, args=b"", rpcvers=2, cred=struct.pack(">II", 0, 0)):
    return struct.pack(">IIIIII", XID, 0, rpcvers, prog, vers, proc) + cred + struct.pack(">II", 0, 0) + args


def exchange(port, message):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(struct.pack(">I", 0x80000000 | len(message)) + message)
        reply = b""
        while True:
            head = recv_exactly(s, 4)
            mark, = struct.unpack(">I", head)
            reply += recv_exactly(s, mark & 0x7FFFFFFF)
            if mark & 0x80000000:
                return reply


def recv_exactly(s, n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            raise ConnectionError("the server closed the connection without a reply")
        data += chunk
    return data


def rows(name, data):
    print(f"// {name}: {len(data)} bytes")
    print(f"constexpr std::uint8_t {name}[] = {{")
    for i in range(0, len(data), 16):
        print("    " + ", ".join(f"0x{b:02x}" for b in data[i:i + 16]) + ",")
    print("};")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--state-dir", default=None)
    args = ap.parse_args()
    base = args.state_dir or tempfile.mkdtemp(prefix="rpc-golden-")
    os.makedirs(os.path.join(base, "srv", "root"), exist_ok=True)
    os.makedirs(os.path.join(base, "srv", "lab"), exist_ok=True)
    root, lab = os.path.realpath(os.path.join(base, "srv", "root")), os.path.realpath(os.path.join(base, "srv", "lab"))

    plain_conf = nfs_server.ganesha_conf

    def conf_with_clients(state_dir, exports):
        # The second export only for a network and a host: ex_groups then has two names.
        text = plain_conf(state_dir, exports)
        marker = f'Path = "{lab}";'
        return text.replace(marker, marker + "\n    CLIENT { Clients = 10.0.2.0/24, 192.168.7.7; Access_Type = RO; }")

    nfs_server.ganesha_conf = conf_with_clients
    state = os.path.join(base, "state")
    nfs_server.cmd_start(state, [f"{root}:/root", f"{lab}:/lab"], 60)
    try:
        print(f"// exports: {root} (everyone), {lab} (10.0.2.0/24, 192.168.7.7)")
        tcp = 6
        rows("kGetportMount3Reply", exchange(111, call_bytes(100000, 2, 3, struct.pack(">IIII", 100005, 3, tcp, 0))))
        rows("kGetportUnregisteredReply", exchange(111, call_bytes(100000, 2, 3, struct.pack(">IIII", 100099, 1, tcp, 0))))
        rows("kDumpReply", exchange(111, call_bytes(100000, 2, 4)))
        rows("kExportReply", exchange(nfs_server.MNT_PORT, call_bytes(100005, 3, 5)))
        rows("kProgMismatchReply", exchange(111, call_bytes(100000, 5, 4)))
        rows("kProcUnavailReply", exchange(111, call_bytes(100000, 2, 99)))
        rows("kGarbageArgsReply", exchange(111, call_bytes(100000, 2, 3, struct.pack(">II", 100005, 3))))
        rows("kProgUnavailReply", exchange(nfs_server.MNT_PORT, call_bytes(100099, 1, 0)))
        rows("kAuthErrorReply", exchange(nfs_server.MNT_PORT, call_bytes(100005, 3, 5, cred=struct.pack(">II", 99, 0))))
        rows("kAuthErrorRpcbindReply", exchange(111, call_bytes(100000, 2, 4, cred=struct.pack(">II", 99, 0))))
        # RPC_MISMATCH: rpcbind (libtirpc) and ganesha close the connection on rpcvers 3 instead
        # of denying it; the unit tests build that reply by hand.
        for name, port, prog, vers in (("rpcbind", 111, 100000, 2), ("ganesha", nfs_server.MNT_PORT, 100005, 3)):
            try:
                rows(f"kRpcMismatchReply_{name}", exchange(port, call_bytes(prog, vers, 0, rpcvers=3)))
            except ConnectionError as e:
                print(f"// rpcvers 3 to {name}: {e}")
    finally:
        nfs_server.cmd_stop(state)


if __name__ == "__main__":
    main()
