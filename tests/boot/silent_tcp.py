#!/usr/bin/env python3
"""A server that accepts TCP connections and never answers (the fault matrix's silent NFS server).

  silent_tcp.py --address 10.99.0.1 --port 111 --port 20048 --port 20490 [--log FILE]

Listens on each port of --address, accepts every connection, reads and logs what arrives and
sends nothing back: to an NFS client it is a server whose rpcbind, MOUNT and NFS services hang
(a wedged nfsd, a server under a kernel lockup) rather than refuse. netns_lab.py runs it inside
the lab namespace (--silent-nfs); nothing leaves it. The connections stay open until the client
closes them or the process is stopped.
"""
import argparse
import selectors
import socket
import sys
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--address", required=True)
    ap.add_argument("--port", type=int, action="append", required=True)
    ap.add_argument("--log")
    args = ap.parse_args()
    out = open(args.log, "a") if args.log else sys.stdout

    def log(text):
        out.write(f"[{time.monotonic():.3f}] {text}\n")
        out.flush()

    selector = selectors.DefaultSelector()
    for port in args.port:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((args.address, port))
        listener.listen(64)
        selector.register(listener, selectors.EVENT_READ, ("listener", port))
    log(f"listening on {args.address} ports {', '.join(map(str, args.port))}; answering nothing")
    while True:
        for key, _ in selector.select():
            kind, port = key.data
            if kind == "listener":
                conn, peer = key.fileobj.accept()
                selector.register(conn, selectors.EVENT_READ, ("conn", port))
                log(f"port {port}: accepted {peer[0]}:{peer[1]}")
                continue
            try:
                data = key.fileobj.recv(65536)
            except OSError as e:
                data = b""
                log(f"port {port}: {e}")
            if data:
                log(f"port {port}: received {len(data)} bytes, not answering")
            else:
                log(f"port {port}: client closed")
                selector.unregister(key.fileobj)
                key.fileobj.close()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
