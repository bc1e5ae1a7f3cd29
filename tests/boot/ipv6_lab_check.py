#!/usr/bin/env python3
"""The IPv6 lab of netns_lab.py checked without QEMU: a client namespace on its bridge.

  ipv6_lab_check.py [--state-dir DIR] SCENARIO...     (needs root)

Each scenario runs netns_lab.py --ipv6 with the servers it names and, as the "boot" command
after --, this script's client mode: it makes a namespace of its own (<lab namespace>-client),
puts one end of a veth pair on the lab's br0 and the other in it as eth0 (MAC
52:54:00:12:34:56, forwarding off, accept_ra=1, autoconf=1, as a guest's kernel has them),
checks what a guest would see, and deletes the namespace again; netns_lab.py then stops its
servers and checks the logs it was told to (--expect-log). Scenarios:

  nfs    --nfs 0. eth0 gets fd00:99::10/64 and 10.99.0.10/24 by hand (ip=[v6]::...:none).
         `rpcinfo -p fd00:99::1` lists nfs and mountd on 20490 and 20048, `rpcinfo -s` gives
         both tcp6, `showmount -e fd00:99::1` (when installed) the export; over IPv6 a TCP
         connection to [fd00:99::1]:20490 comes from fd00:99::10, NFS v3 and v4 and MOUNT v3
         answer NULL calls and MOUNT v3 MNT of the export returns a file handle; over IPv4 the
         same server still answers (ganesha listens dual-stack).
  ra     --ra 0 --dnsmasq 0 --nfs 0. A router solicitation is answered by an RA with M and O
         clear, the prefix fd00:99::/64 on-link and autonomous, and RDNSS fd00:99::1; the kernel
         gives eth0 a global SLAAC address within 10 s (the time is printed), from which
         [fd00:99::1]:20490 answers; busybox udhcpc still gets an IPv4 lease from the lab's
         DHCPv4 dnsmasq (the two dnsmasq processes share br0).
  dhcp6  --dhcp6 0 --client 52:54:00:12:34:56= --nfs 0. The RA has M set and the prefix not
         autonomous; a DHCPv6 exchange (SOLICIT, ADVERTISE, REQUEST, REPLY; RFC 8415, a small
         client here: none is installed) with DUID-LL of the --client MAC gets its fixed
         address fd00:99::20 and DNS fd00:99::1, one from a second interface (another MAC) gets
         an address of fd00:99::100-150; no SLAAC address appears; [fd00:99::1]:20490 answers
         from fd00:99::20; dnsmasq6.log shows both replies.
  no_ra  --ipv6 alone (the control for ip=auto6 with no router): no RA within 4 s, no global
         address on eth0.

DIR (default: a temporary folder, removed after) keeps one folder per scenario: the lab's
state (lab.log, dnsmasq6.log, nfs/ganesha.log, ...) and export/, the folder served.
"""
import argparse
import ctypes
import ipaddress
import os
import random
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import nfs_server  # noqa: E402  (its ONC RPC client, beside this script)

SERVER6 = "fd00:99::1"
SERVER4 = "10.99.0.1"
MAC = "52:54:00:12:34:56"
OTHER_MAC = "52:54:00:12:34:99"
NFS_PORT, MNT_PORT = 20490, 20048
CLONE_NEWNET = 0x40000000

SCENARIOS = {
    "nfs": ["--nfs=0"],
    "ra": ["--ra=0", "--dnsmasq=0", "--nfs=0",
           "--expect-log=dnsmasq6.log:1:RTR-ADVERT\\(br0\\) fd00:99::",
           "--expect-log=dnsmasq.log:1:DHCPACK\\(br0\\) 10\\.99\\.0\\.1[0-9][0-9] "],
    "dhcp6": ["--dhcp6=0", f"--client={MAC}=", "--nfs=0",
              "--expect-log=dnsmasq6.log:1:DHCPREPLY\\(br0\\) fd00:99::20 ",
              "--expect-log=dnsmasq6.log:1:DHCPREPLY\\(br0\\) fd00:99::1[0-4][0-9a-f] "],
    "no_ra": [],
}


class Failure(Exception):
    pass


def run(*cmd, check=True):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if check and r.returncode != 0:
        raise Failure(f"{' '.join(cmd)} failed ({r.returncode}): {(r.stderr or r.stdout).strip()}")
    return r


def ok(text):
    print(f"ipv6_lab_check: ok: {text}", flush=True)


def expect(condition, text):
    if not condition:
        raise Failure(text)
    ok(text)


# --- the client namespace --------------------------------------------------------------------------

class Client:
    """A namespace with eth0 (and eth1, on request) on the lab's br0; this process joins it."""

    def __init__(self, lab_ns):
        self.lab_ns = lab_ns
        self.ns = f"{lab_ns}-client"
        self.links = 0

    def __enter__(self):
        if os.path.exists(f"/run/netns/{self.ns}"):
            run("ip", "netns", "del", self.ns)  # left by a run that was killed
        run("ip", "netns", "add", self.ns)
        run("ip", "-n", self.ns, "link", "set", "lo", "up")
        fd = os.open(f"/run/netns/{self.ns}", os.O_RDONLY | os.O_CLOEXEC)
        try:
            if ctypes.CDLL(None, use_errno=True).setns(fd, CLONE_NEWNET) != 0:
                raise Failure(f"setns {self.ns}: {os.strerror(ctypes.get_errno())}")
        finally:
            os.close(fd)
        sysctl("net.ipv6.conf.all.forwarding", 0)
        return self

    def __exit__(self, *exc):
        # The namespace lives on while this process is in it: its veth ends go when it exits.
        run("ip", "netns", "del", self.ns, check=False)

    def link(self, mac):
        """ethN with mac, its peer on br0; down, with a guest kernel's IPv6 settings."""
        name, peer = f"eth{self.links}", f"cl{self.links}br"
        self.links += 1
        run("ip", "-n", self.lab_ns, "link", "add", peer, "type", "veth", "peer", "name", name,
            "netns", self.ns)
        run("ip", "-n", self.lab_ns, "link", "set", peer, "master", "br0")
        run("ip", "-n", self.lab_ns, "link", "set", peer, "up")
        run("ip", "link", "set", name, "address", mac)
        for key, value in (("forwarding", 0), ("accept_ra", 1), ("autoconf", 1)):
            sysctl(f"net.ipv6.conf.{name}.{key}", value)
        return name


def sysctl(key, value):
    with open("/proc/sys/" + key.replace(".", "/"), "w") as f:
        f.write(f"{value}\n")


def addresses6(ifname):
    """(address, prefix length, flags) of ifname's global IPv6 addresses."""
    out = run("ip", "-6", "-o", "addr", "show", "dev", ifname, "scope", "global").stdout
    found = []
    for line in out.splitlines():
        words = line.split()
        address, plen = words[words.index("inet6") + 1].split("/")
        found.append((address, int(plen), words[words.index("inet6") + 2:]))
    return found


def wait_link_local(ifname, deadline):
    """Until ifname's link-local address has passed DAD: a socket can send from it then."""
    while time.monotonic() < deadline:
        out = run("ip", "-6", "-o", "addr", "show", "dev", ifname, "scope", "link").stdout
        if out and "tentative" not in out:
            return
        time.sleep(0.05)
    raise Failure(f"{ifname} has no usable link-local address")


# --- router solicitation and advertisement (RFC 4861 4.1, 4.2, 4.6.2; RFC 8106 5.1) ------------

def solicit_ra(ifname, seconds):
    """Send router solicitations (one a second) until an RA arrives: its decode, or None."""
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, ifname.encode())
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)  # RFC 4861 6.1.2
        deadline = time.monotonic() + seconds
        ifindex = socket.if_nametoindex(ifname)
        while time.monotonic() < deadline:
            s.sendto(struct.pack(">BBHI", 133, 0, 0, 0), ("ff02::2", 0, 0, ifindex))
            next_rs = min(time.monotonic() + 1, deadline)
            while time.monotonic() < next_rs:
                s.settimeout(max(next_rs - time.monotonic(), 0.01))
                try:
                    data, _ = s.recvfrom(2048)
                except socket.timeout:
                    break
                if len(data) >= 16 and data[0] == 134:
                    return decode_ra(data)
        return None
    finally:
        s.close()


def decode_ra(data):
    ra = {"managed": bool(data[5] & 0x80), "other": bool(data[5] & 0x40),
          "router_lifetime": struct.unpack_from(">H", data, 6)[0], "prefixes": [], "rdnss": []}
    pos = 16
    while pos + 2 <= len(data):
        kind, length = data[pos], data[pos + 1] * 8
        if length == 0 or pos + length > len(data):
            break
        option = data[pos:pos + length]
        if kind == 3 and length == 32:  # prefix information
            ra["prefixes"].append({"prefix": f"{ipaddress.IPv6Address(option[16:32])}/{option[2]}",
                                   "on_link": bool(option[3] & 0x80),
                                   "autonomous": bool(option[3] & 0x40)})
        elif kind == 25 and length >= 24:  # recursive DNS servers
            ra["rdnss"] += [str(ipaddress.IPv6Address(option[i:i + 16]))
                            for i in range(8, length - 15, 16)]
        pos += length
    return ra


# --- a small DHCPv6 client (RFC 8415) ------------------------------------------------------------

def dhcp6_option(code, body):
    return struct.pack(">HH", code, len(body)) + body


def dhcp6_options(data):
    """{code: [body, ...]} of an option area, bounded by its length."""
    found, pos = {}, 0
    while pos + 4 <= len(data):
        code, length = struct.unpack_from(">HH", data, pos)
        if pos + 4 + length > len(data):
            raise Failure(f"DHCPv6 option {code} runs past the end")
        found.setdefault(code, []).append(data[pos + 4:pos + 4 + length])
        pos += 4 + length
    return found


def dhcp6_lease(ifname, mac, seconds=10):
    """SOLICIT, ADVERTISE, REQUEST, REPLY on ifname as DUID-LL(mac): (address, DNS servers)."""
    duid = struct.pack(">HH", 3, 1) + bytes.fromhex(mac.replace(":", ""))  # 11.4: DUID-LL, Ethernet
    iaid = socket.if_nametoindex(ifname)
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, ifname.encode())
        s.bind(("::", 546))
        target = ("ff02::1:2", 547, 0, socket.if_nametoindex(ifname))  # All_DHCP_Relay_Agents_and_Servers
        deadline = time.monotonic() + seconds
        t0 = time.monotonic()

        def exchange(msg_type, want, extra):
            xid = random.getrandbits(24).to_bytes(3, "big")
            while time.monotonic() < deadline:
                elapsed = min(int((time.monotonic() - t0) * 100), 0xFFFF)  # 21.9: hundredths
                s.sendto(bytes([msg_type]) + xid + dhcp6_option(1, duid)
                         + dhcp6_option(8, struct.pack(">H", elapsed))
                         + dhcp6_option(6, struct.pack(">H", 23)) + extra, target)
                resend = min(time.monotonic() + 1, deadline)
                while time.monotonic() < resend:
                    s.settimeout(max(resend - time.monotonic(), 0.01))
                    try:
                        data = s.recv(4096)
                    except socket.timeout:
                        break
                    if len(data) >= 4 and data[0] == want and data[1:4] == xid:
                        options = dhcp6_options(data[4:])
                        if options.get(1, [None])[0] == duid:
                            return options
            raise Failure(f"DHCPv6 on {ifname}: no answer of type {want} within {seconds} s")

        def ia_address(options):
            for ia in options.get(3, []):
                inner = dhcp6_options(ia[12:])
                if 13 in inner and struct.unpack_from(">H", inner[13][0])[0] != 0:
                    raise Failure(f"DHCPv6 IA_NA status {inner[13][0]!r}")
                for body in inner.get(5, []):
                    return body[:24]  # IAADDR: address, preferred and valid lifetimes
            raise Failure(f"DHCPv6 on {ifname}: no IA_NA address in the answer")

        advertise = exchange(1, 2, dhcp6_option(3, struct.pack(">III", iaid, 0, 0)))
        offered = ia_address(advertise)
        reply = exchange(3, 7, dhcp6_option(2, advertise[2][0])
                         + dhcp6_option(3, struct.pack(">III", iaid, 0, 0) + dhcp6_option(5, offered)))
        leased = ia_address(reply)
        dns = [str(ipaddress.IPv6Address(body[i:i + 16]))
               for body in reply.get(23, []) for i in range(0, len(body) - 15, 16)]
        return str(ipaddress.IPv6Address(leased[:16])), dns
    finally:
        s.close()


# --- the checks -----------------------------------------------------------------------------------

def tcp_from(address, port, source=None):
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.settimeout(3)
        if source:
            s.bind((source, 0))
        s.connect((address, port))
        return s.getsockname()[0]


def check_nfs_over_ipv6(export):
    out = run("rpcinfo", "-p", SERVER6).stdout
    rows = {(w[0], w[1], w[2], w[3], w[4]) for w in (line.split() for line in out.splitlines()[1:])
            if len(w) == 5}
    expect(("100003", "3", "tcp", str(NFS_PORT), "nfs") in rows
           and ("100005", "3", "tcp", str(MNT_PORT), "mountd") in rows,
           f"rpcinfo -p {SERVER6} lists nfs v3 on {NFS_PORT} and mountd v3 on {MNT_PORT}")
    out = run("rpcinfo", "-s", SERVER6).stdout
    netids = {w[3]: w[2].split(",") for w in (line.split() for line in out.splitlines()[1:])
              if len(w) >= 4}
    expect("tcp6" in netids.get("nfs", []) and "tcp6" in netids.get("mountd", []),
           f"rpcinfo -s {SERVER6}: nfs and mountd registered for tcp6 ({netids})")
    if shutil.which("showmount", path="/usr/sbin:/sbin:" + os.environ.get("PATH", "")):
        out = run("showmount", "-e", SERVER6).stdout
        expect(any(line.split()[:1] == [export] for line in out.splitlines()[1:]),
               f"showmount -e {SERVER6} lists {export}")
    else:
        print("ipv6_lab_check: showmount not installed (nfs-common): not checked")
    with nfs_server.Rpc(NFS_PORT, host=SERVER6) as c:
        c.call(nfs_server.NFS_PROG, 3, 0)
        c.call(nfs_server.NFS_PROG, 4, 0)
    with nfs_server.Rpc(MNT_PORT, host=SERVER6) as c:
        c.call(nfs_server.MNT_PROG, 3, 0)
        r = c.call(nfs_server.MNT_PROG, 3, 1, nfs_server.xdr_string(export), cred=nfs_server.auth_sys())
        status = r.u32()
        handle = r.opaque() if status == 0 else b""
        c.call(nfs_server.MNT_PROG, 3, 3, nfs_server.xdr_string(export), cred=nfs_server.auth_sys())
    expect(status == 0 and handle,
           f"over IPv6: NFS v3, v4 and MOUNT v3 answer NULL, MNT {export} gives a "
           f"{len(handle)}-byte file handle")


def scenario_nfs(client, export):
    eth0 = client.link(MAC)
    run("ip", "addr", "add", "fd00:99::10/64", "dev", eth0, "nodad")
    run("ip", "addr", "add", "10.99.0.10/24", "dev", eth0)
    run("ip", "link", "set", eth0, "up")
    source = tcp_from(SERVER6, NFS_PORT)
    expect(source == "fd00:99::10", f"TCP [{SERVER6}]:{NFS_PORT} connects from [{source}]")
    check_nfs_over_ipv6(export)
    expect(tcp_from(SERVER4, NFS_PORT) == "10.99.0.10",
           f"TCP {SERVER4}:{NFS_PORT} connects too (IPv4 on the dual-stack listener)")
    out = run("rpcinfo", "-p", SERVER4).stdout
    expect(f"{NFS_PORT}  nfs" in out, f"rpcinfo -p {SERVER4} lists nfs")


def scenario_ra(client, export):
    eth0 = client.link(MAC)
    t0 = time.monotonic()
    run("ip", "link", "set", eth0, "up")
    slaac, deadline = None, t0 + 10
    while not slaac and time.monotonic() < deadline:
        slaac = next((a for a, plen, flags in addresses6(eth0)
                      if a.startswith("fd00:99:") and plen == 64 and "dynamic" in flags
                      and "tentative" not in flags), None)
        time.sleep(0.05)
    expect(slaac, f"SLAAC: {eth0} has {slaac}/64 (past DAD) "
                  f"{time.monotonic() - t0:.2f} s after the link came up")
    wait_link_local(eth0, time.monotonic() + 5)
    ra = solicit_ra(eth0, 5)
    expect(ra is not None, f"a router solicitation is answered: {ra}")
    expect(not ra["managed"] and not ra["other"], "the RA has M and O clear (SLAAC only)")
    expect({"prefix": "fd00:99::/64", "on_link": True, "autonomous": True} in ra["prefixes"],
           "the RA's prefix fd00:99::/64 is on-link and autonomous")
    expect(ra["rdnss"] == [SERVER6], f"the RA's RDNSS is {SERVER6}")
    source = tcp_from(SERVER6, NFS_PORT, slaac)
    expect(source == slaac, f"TCP [{SERVER6}]:{NFS_PORT} connects from the SLAAC address")
    busybox = shutil.which("busybox") or "/bin/busybox"
    out = run(busybox, "udhcpc", "-i", eth0, "-f", "-q", "-n", "-t", "5", "-T", "1",
              "-s", "/bin/true")
    text = out.stdout + out.stderr
    expect("lease of 10.99.0.1" in text and "obtained" in text,
           "busybox udhcpc gets a DHCPv4 lease from the other dnsmasq: "
           + next((line for line in text.splitlines() if "lease of" in line), "?"))


def scenario_dhcp6(client, export):
    eth0 = client.link(MAC)
    eth1 = client.link(OTHER_MAC)
    t0 = time.monotonic()
    for name in (eth0, eth1):
        run("ip", "link", "set", name, "up")
    wait_link_local(eth0, t0 + 5)
    wait_link_local(eth1, t0 + 5)
    ra = solicit_ra(eth0, 5)
    expect(ra is not None, f"a router solicitation is answered: {ra}")
    expect(ra["managed"], "the RA has M set (addresses by DHCPv6)")
    expect({"prefix": "fd00:99::/64", "on_link": True, "autonomous": False} in ra["prefixes"],
           "the RA's prefix fd00:99::/64 is on-link and not autonomous (no SLAAC)")
    address, dns = dhcp6_lease(eth0, MAC)
    expect(address == "fd00:99::20" and dns == [SERVER6],
           f"DHCPv6 for {MAC} (a --client): {address} (its fixed address), DNS {dns}, "
           f"{time.monotonic() - t0:.2f} s after the link came up")
    other, _ = dhcp6_lease(eth1, OTHER_MAC)
    expect(ipaddress.IPv6Address("fd00:99::100") <= ipaddress.IPv6Address(other)
           <= ipaddress.IPv6Address("fd00:99::150"), f"DHCPv6 for {OTHER_MAC}: {other} from the pool")
    expect(not any("dynamic" in flags for name in (eth0, eth1) for _, _, flags in addresses6(name)),
           "no SLAAC address on either link")
    run("ip", "addr", "add", f"{address}/128", "dev", eth0, "nodad")
    source = tcp_from(SERVER6, NFS_PORT, address)
    expect(source == address, f"TCP [{SERVER6}]:{NFS_PORT} connects from the leased {address}")


def scenario_no_ra(client, export):
    eth0 = client.link(MAC)
    t0 = time.monotonic()
    run("ip", "link", "set", eth0, "up")
    wait_link_local(eth0, t0 + 5)
    ra = solicit_ra(eth0, 4)
    expect(ra is None, "no router advertisement within 4 s of soliciting")
    expect(addresses6(eth0) == [], f"{eth0} has no global IPv6 address")


def client_main(argv):
    ap = argparse.ArgumentParser(prog="ipv6_lab_check.py client")
    ap.add_argument("scenario", choices=sorted(SCENARIOS))
    ap.add_argument("--export", required=True)
    ap.add_argument("--netns", required=True)  # appended by netns_lab.py, as for qemu_boot.py
    ap.add_argument("--tap", action="append", default=[])  # the lab's taps: unused here
    args = ap.parse_args(argv)
    try:
        with Client(args.netns) as client:
            globals()[f"scenario_{args.scenario}"](client, args.export)
    except (Failure, OSError, nfs_server.Error) as e:
        print(f"ipv6_lab_check: FAIL: {args.scenario}: {e}", flush=True)
        return 1
    print(f"ipv6_lab_check: {args.scenario}: every check passed", flush=True)
    return 0


def main():
    if sys.argv[1:2] == ["client"]:
        return client_main(sys.argv[2:])
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--state-dir", help="keep each scenario's files here (default: removed)")
    ap.add_argument("scenario", nargs="+", choices=sorted(SCENARIOS))
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("ipv6_lab_check: needs root (network namespaces, servers)")
    base = os.path.abspath(args.state_dir) if args.state_dir else tempfile.mkdtemp(prefix="ipv6-lab-")
    failed = []
    try:
        for scenario in args.scenario:
            top = os.path.join(base, scenario)
            export = os.path.join(top, "export")
            os.makedirs(export, exist_ok=True)
            with open(os.path.join(export, "served-over-ipv6"), "w") as f:
                f.write("the lab's export\n")
            cmd = [sys.executable, os.path.join(HERE, "netns_lab.py"), f"--name=ipv6-check-{scenario}",
                   f"--state-dir={os.path.join(top, 'lab')}", "--ipv6", f"--export={export}",
                   *SCENARIOS[scenario], "--",
                   sys.executable, os.path.abspath(__file__), "client", scenario, f"--export={export}"]
            print("ipv6_lab_check: " + " ".join(cmd), flush=True)
            if subprocess.run(cmd).returncode != 0:
                failed.append(scenario)
    finally:
        if not args.state_dir:
            shutil.rmtree(base, ignore_errors=True)
    passed = len(args.scenario) - len(failed)
    print(f"{passed} passed, {len(failed)} failed" + (f": {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
