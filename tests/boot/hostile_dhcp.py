#!/usr/bin/env python3
"""A hostile DHCP server for the fault matrix (netns_lab.py runs it inside the lab namespace).

  hostile_dhcp.py --interface br0 --server 10.99.0.1 --address 10.99.0.10
                  [--malformed] [--hostile-values] [--offer-then-stop] [--root-path TEXT]
                  [--log FILE]

Answers every DISCOVER with an OFFER and every REQUEST with an ACK for --address, broadcast to
255.255.255.255:68 from port 67 (a plain UDP socket bound to the interface; no raw frames are
needed, since the client reads with a packet socket). Nothing leaves the namespace it runs in.

--malformed sends, before each valid reply, a burst of replies the client must drop: a
truncated BOOTP header, options cut short, an option whose length runs past the end, and
well-formed replies with a wrong xid, a wrong magic cookie, op BOOTREQUEST or another client's
chaddr. The well-formed decoys offer DECOY_ADDRESS (10.99.0.66): a client that took one shows
that address on its console.

--hostile-values puts attacker-chosen text into the valid replies: a host name with single
quotes, a command substitution and a newline followed by a shell assignment; a domain name
with "..", backquotes, $(...) and a newline followed by a resolv.conf line; an over-long
(255-byte) NIS domain; a boot file name with a quote and $(...); and the root path --root-path
(give it options such as ",rw,mountaddr=..."). Every command in them only creates a file
/run/testroot-ran-WHAT, which the test root's /sbin/init looks for (make_test_root.py).
Without --hostile-values the replies carry ordinary values (host name lab10, domain lab.test).

--offer-then-stop answers the first DISCOVER with an OFFER and then exits, before any REQUEST
can be ACKed: a server that goes away mid-boot (a failover, a restarted dnsmasq). With
--server set to another address than the lab's dhcpd (option 54 is what a client tells the
servers apart by; the datagrams still come from br0's own address), the test shows which
server's lease the client ends with.
"""
import argparse
import ipaddress
import os
import socket
import struct
import sys
import time

COOKIE = b"\x63\x82\x53\x63"
DISCOVER, OFFER, REQUEST, DECLINE, ACK, NAK, RELEASE, INFORM = range(1, 9)
DECOY_ADDRESS = "10.99.0.66"
SO_BINDTODEVICE = getattr(socket, "SO_BINDTODEVICE", 25)

HOSTILE_HOST_NAME = b"evil'$(touch /run/testroot-ran-hostname)'\nIPV4ADDR='6.6.6.6'"
HOSTILE_DOMAIN = (b"../..`touch /run/testroot-ran-domain`;$(touch /run/testroot-ran-domain2)"
                  b"\nnameserver 6.6.6.6")
HOSTILE_NIS_DOMAIN = b"n" * 255
HOSTILE_BOOT_FILE = b"pxelinux.0'$(touch /run/testroot-ran-filename)'"


def log(out, text):
    out.write(f"[{time.monotonic():.3f}] {text}\n")
    out.flush()


def option(code, value):
    assert len(value) <= 255
    return bytes([code, len(value)]) + value


def ip(text):
    return ipaddress.IPv4Address(text).packed


def parse_request(data):
    """(xid, flags, chaddr, message type) of a client's BOOTREQUEST, or None."""
    if len(data) < 240 or data[0] != 1 or data[236:240] != COOKIE:
        return None
    xid, flags = struct.unpack_from(">I2xH", data, 4)
    chaddr = data[28:28 + 16]
    kind, i = None, 240
    while i < len(data) and data[i] != 255:
        if data[i] == 0:
            i += 1
            continue
        if i + 1 >= len(data) or i + 2 + data[i + 1] > len(data):
            return None
        if data[i] == 53 and data[i + 1] == 1:
            kind = data[i + 2]
        i += 2 + data[i + 1]
    return xid, flags, chaddr, kind


def reply(args, xid, chaddr, kind, *, address=None, op=2, cookie=COOKIE, hostile=None,
          options_tail=b"\xff"):
    hostile = args.hostile_values if hostile is None else hostile
    file_field = HOSTILE_BOOT_FILE if hostile else b"pxelinux.0"
    head = struct.pack(">BBBBIHH4s4s4s4s16s64s128s", op, 1, 6, 0, xid, 0, 0x8000,
                       b"\0" * 4, ip(address or args.address), ip(args.server), b"\0" * 4,
                       chaddr, b"", file_field)
    opts = option(53, bytes([kind])) + option(54, ip(args.server)) \
        + option(51, struct.pack(">I", 3600)) + option(1, ip("255.255.255.0")) \
        + option(3, ip(args.server)) + option(6, ip(args.server))
    if hostile:
        opts += option(12, HOSTILE_HOST_NAME) + option(15, HOSTILE_DOMAIN) \
            + option(40, HOSTILE_NIS_DOMAIN)
    else:
        opts += option(12, b"lab10") + option(15, b"lab.test")
    if args.root_path:
        opts += option(17, args.root_path.encode())
    return head + cookie + opts + options_tail


def malformed(args, xid, chaddr, kind):
    """(what, bytes) for each reply the client must drop, in the order they are sent."""
    good = reply(args, xid, chaddr, kind, address=DECOY_ADDRESS, hostile=False)
    other_mac = bytes.fromhex("020000000099") + b"\0" * 10
    return [
        ("empty datagram", b""),
        ("truncated BOOTP header (100 bytes)", good[:100]),
        ("header without a magic cookie (236 bytes)", good[:236]),
        ("options cut short inside an option", good[:240 + 3 + 6 + 4]),
        ("option 12 length 200 runs past the end",
         good[:240] + option(53, bytes([kind])) + bytes([12, 200]) + b"short"),
        ("option 53 with length 0", good[:240] + bytes([53, 0, 255])),
        ("wrong xid", reply(args, xid ^ 0xFFFFFFFF, chaddr, kind, address=DECOY_ADDRESS,
                            hostile=False)),
        ("wrong magic cookie", reply(args, xid, chaddr, kind, address=DECOY_ADDRESS,
                                     cookie=b"\x63\x82\x53\x64", hostile=False)),
        ("op BOOTREQUEST", reply(args, xid, chaddr, kind, address=DECOY_ADDRESS, op=1,
                                 hostile=False)),
        ("another client's chaddr", reply(args, xid, other_mac, kind, address=DECOY_ADDRESS,
                                          hostile=False)),
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--interface", required=True)
    ap.add_argument("--server", required=True, help="this server's address (on --interface)")
    ap.add_argument("--address", required=True, help="the address every client is offered")
    ap.add_argument("--malformed", action="store_true")
    ap.add_argument("--hostile-values", action="store_true")
    ap.add_argument("--offer-then-stop", action="store_true")
    ap.add_argument("--root-path")
    ap.add_argument("--log")
    args = ap.parse_args()
    out = open(args.log, "a") if args.log else sys.stdout

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    sock.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, args.interface.encode())
    sock.bind(("0.0.0.0", 67))
    log(out, f"listening on {args.interface}:67 as server {args.server} (malformed={args.malformed}, "
             f"hostile_values={args.hostile_values}, offer_then_stop={args.offer_then_stop}, "
             f"root_path={args.root_path!r})")
    while True:
        data, peer = sock.recvfrom(4096)
        request = parse_request(data)
        if not request:
            log(out, f"ignored {len(data)} bytes from {peer}")
            continue
        xid, _, chaddr, kind = request
        answer = {DISCOVER: OFFER, REQUEST: ACK}.get(kind)
        mac = chaddr[:6].hex(":")
        log(out, f"message type {kind} xid {xid:#010x} from {mac}")
        if not answer:
            continue
        if args.malformed:
            for what, packet in malformed(args, xid, chaddr, answer):
                sock.sendto(packet, ("255.255.255.255", 68))
                log(out, f"  sent malformed: {what} ({len(packet)} bytes)")
                time.sleep(0.01)  # in order, and not one burst the NIC may drop
        sock.sendto(reply(args, xid, chaddr, answer), ("255.255.255.255", 68))
        log(out, f"  sent {'OFFER' if answer == OFFER else 'ACK'} of {args.address}")
        if args.offer_then_stop and answer == OFFER:
            log(out, "stopping after the first OFFER (--offer-then-stop): no ACK will come")
            return


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
