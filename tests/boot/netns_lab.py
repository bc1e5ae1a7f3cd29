#!/usr/bin/env python3
"""The fault matrix's private network: a namespace, a bridge, tap devices, servers on a clock.

  netns_lab.py --name NAME --state-dir DIR [--tap IFNAME[=MAC][:unbridged|:vlan=ID]]... [--address ADDR]...
               [--ipv6 [--address6 ADDR]... [--ra DELAY | --dhcp6 DELAY]]
               [--dhcpd DELAY [--lease-time SEC]] [--hostile-dhcp DELAY --hostile MODE...]
               [--hostile-server IP] [--hostile-address IP]
               [--dnsmasq DELAY [--client MAC=ROOT-PATH]... [--next-server MAC=ADDR]...]
               [--nfs DELAY --export PATH [--nfs-port PORT] [--nfs-stop DELAY]] [--silent-nfs DELAY]
               [--far-nfs DELAY --far-export PATH [--far-address IP]]
               [--root-path TEXT] [--expect-log FILE:COUNT:REGEX]...
               -- python3 qemu_boot.py QEMU_BOOT_ARGS...

Makes the network namespace nfsroot-lab-NAME with a bridge br0 at 10.99.0.1/24 (and each
--address, 10.99.0.x, on the same bridge: more server addresses a guest can be sent to) and one
tap device per --tap (default tap0=52:54:00:12:34:56), each on the bridge unless ":unbridged"
(up, but connected to nothing) or ":vlan=ID" (a trunk port carrying VLAN ID tagged: vlan_relay.py
moves the guest's frames tagged ID to the bridge untagged and back, and drops the rest; its
log is vlan-IFNAME.log), then runs the qemu_boot.py command after "--" with --netns and
one --tap per device appended, so QEMU itself runs in the namespace on those taps. The address
plan is private to the namespace, which has no route and no link out: no traffic leaves it.
--ipv6 also puts fd00:99::1/64 on br0 (and each --address6, fd00:99::2 to ::9), added nodad so
they are usable before any tap has carrier; IPv6 forwarding stays off and br0 and the taps take
no router advertisements (the lab is the router, never a host); the --nfs server then answers
on every IPv6 address too (nfs_server.py --host ::). ipv6_lab_check.py checks all of this from
a client namespace, without QEMU.

Servers, each started DELAY seconds after QEMU (0: before it), or, with DELAY written
/REGEX/+SEC, SEC seconds after REGEX first appears in the console log (qemu_boot.py's --log=),
which keeps the fault at the same point of the boot on a slow, loaded host; all inside the
namespace:
  --dhcpd DELAY          ISC dhcpd -f on br0; the i-th --tap's MAC has the fixed address
                         10.99.0.(10+i); options: router and DNS 10.99.0.1, domain lab.test,
                         root-path --root-path if given; leases of --lease-time seconds
                         (default 3600; the lease keeper's test renews 20 s ones)
  --hostile-dhcp DELAY   hostile_dhcp.py on br0 offering 10.99.0.10; --hostile malformed,
                         hostile-values and/or offer-then-stop choose what it sends (see that
                         script); --hostile-server and --hostile-address change the server id
                         (option 54) it sends and the address it offers, so that it and dhcpd
                         can be told apart (the "server replaced mid-boot" case)
  --dnsmasq DELAY        dnsmasq on br0 (--no-ping: it offers at once) with one host entry per
                         --client: the j-th gets the fixed address 10.99.0.(20+j) and, through
                         its own tag, its own root-path (option 17, sent whether asked for or
                         not; an empty ROOT-PATH sends none); --next-server MAC=ADDR sets that
                         host's siaddr (dhcp-boot). Router and DNS 10.99.0.1, domain lab.test;
                         other MACs get 10.99.0.100-150 and no root-path
  --ra DELAY             (--ipv6) a second dnsmasq, for IPv6 only, sending router
                         advertisements on br0 for fd00:99::/64: on-link and autonomous (SLAAC),
                         M and O clear, RDNSS fd00:99::1; it answers router solicitations at once.
                         Its files are dnsmasq6.conf and dnsmasq6.log (RTR-ADVERT lines)
  --dhcp6 DELAY          (--ipv6) that dnsmasq with stateful DHCPv6 instead: addresses from
                         fd00:99::100-150 for --lease-time seconds (default 3600; dnsmasq's
                         least is 120), DNS (option 23) fd00:99::1, RAs with M set and the
                         prefix not autonomous, so a client's only global address is its
                         lease; the j-th --client MAC gets the fixed address fd00:99::(20+j)
                         (its DUID-LL or DUID-LLT, or the neighbour table, shows dnsmasq the
                         MAC; DHCPv6 has no root-path: write --client MAC=). DHCPREPLY lines in
                         dnsmasq6.log. Beside --dnsmasq, each runs on its own clock and neither
                         takes the other's port (no v4 range here, no v6 range there)
  --nfs DELAY            nfs_server.py: rpcbind + nfs-ganesha serving --export read-only on
                         every address of the namespace (10.99.0.1 and each --address, with
                         --ipv6 fd00:99::1 and each --address6; NFS port --nfs-port, default
                         20490, MOUNT port 20048, both in rpcbind on 111), in a private /run
  --nfs-stop DELAY       stops that nfs-ganesha and its rpcbind again (the copy-to-RAM test:
                         the guest must go on without its server); DELAY as above
  --silent-nfs DELAY     silent_tcp.py on 10.99.0.1 ports 111, 20048 and 20490: every TCP
                         connection is accepted and never answered (a hung server, not a
                         refusing one)
  --far-nfs DELAY        a second nfs-ganesha serving --far-export, in a namespace of its own
                         (NAME-far) joined to br0 by a veth pair, at --far-address (default
                         10.99.0.5), which is there (and refuses connections) from the start:
                         the lab's own server binds every address of its namespace, so a
                         server with other exports needs a namespace of its own. Started after
                         a console line (/REGEX/+SEC), it comes up after the guest asked every
                         server once (the "first to answer cannot serve" case, in a fixed order)
--expect-log FILE:COUNT:REGEX fails the run (status 1) unless the lab's FILE (dhcpd.log, …)
has at least COUNT lines matching REGEX once QEMU is done: what the servers saw (the renewals of
a lease) checked beside what the guest printed.
Without a server option that server is simply absent (the "no DHCP", "nothing answers NFS"
cases). qemu_boot.py's --set-link pulls and plugs cables (netdevs n0, n1, ... by --tap order).

Every exit path tears everything down: servers are stopped (process groups, nfs_server.py stop),
then every process still in the namespace is killed and the namespace deleted; a namespace left
by an earlier run that was killed is cleared the same way first. Names come from --name, so
tests running in parallel never share a namespace, a state folder or a socket. DIR keeps
lab.log (what started and stopped when) and each server's log; on failure their tails are
printed. Exit status: qemu_boot.py's, or 2 when the lab could not be set up.
"""
import argparse
import ctypes
import glob
import os
import re
import shutil
import signal
import subprocess
import sys
import time

from qemu_boot import kill_group  # beside this script: SIGTERM, then SIGKILL, to the group

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER_IP = "10.99.0.1"
PREFIX = 24
SUBNET = "10.99.0."  # every address of the lab is in 10.99.0.0/24
SERVER_IP6 = "fd00:99::1"  # with --ipv6: br0's IPv6 address (ULA, RFC 4193), on fd00:99::/64
PREFIX6 = 64
SUBNET6 = "fd00:99::"
# The servers' logs in the state folder (report() shows their ends; --expect-log reads them).
SERVER_LOGS = ("dhcpd.log", "dnsmasq.log", "dnsmasq6.log", "hostile_dhcp.log", "silent_tcp.log",
               "nfs/ganesha.log", "nfs-far/ganesha.log")
BRIDGE = "br0"
DEFAULT_MAC = "52:54:00:12:34:56"


class Error(Exception):
    pass


def die_with_parent():
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def run(*cmd, check=True):
    result = subprocess.run(cmd, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise Error(f"{' '.join(cmd)} failed ({result.returncode}): "
                    f"{(result.stderr or result.stdout).strip()}")
    return result


def tail(path, lines=25):
    try:
        with open(path, errors="replace") as f:
            return f.read().splitlines()[-lines:]
    except OSError:
        return []


class Lab:
    def __init__(self, name, state_dir, taps, addresses=(), far=None, ipv6=False, addresses6=()):
        if not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", name):
            raise Error(f"--name {name!r}: letters, digits, '_', '.', '-' only")
        self.ns = f"nfsroot-lab-{name}"
        self.far_ns = f"{self.ns}-far"
        self.far = far          # the second server's address, in a namespace of its own
        self.far_started = False
        self.dir = state_dir
        self.taps = taps
        self.addresses = list(addresses)  # more addresses of the servers, on br0
        self.ipv6 = ipv6        # br0 also has SERVER_IP6 and each of addresses6
        self.addresses6 = list(addresses6)
        self.groups = []        # (what, Popen) started in their own process group
        self.nfs_started = False
        self.plan = []          # what is not started yet (see at)
        self.console_log = None  # qemu_boot.py's --log, for starts after a console line
        self.t0 = time.monotonic()
        os.makedirs(self.dir, exist_ok=True)
        # The servers append to their logs (spawn(): one may start twice in a run), so a previous
        # run's lines go first: --expect-log counts this run's only.
        for name in SERVER_LOGS:
            if os.path.lexists(os.path.join(self.dir, name)):
                os.unlink(os.path.join(self.dir, name))
        for path in glob.glob(os.path.join(self.dir, "vlan-*.log")):  # vlan_relay.py's, a tap each
            os.unlink(path)
        self.log_file = open(os.path.join(self.dir, "lab.log"), "w")

    def log(self, text):
        line = f"[{time.monotonic() - self.t0:7.2f}] {text}"
        self.log_file.write(line + "\n")
        self.log_file.flush()

    # --- the namespace -------------------------------------------------------------------------
    def clear_leftovers(self):
        for state in ("nfs", "nfs-far"):
            if os.path.exists(os.path.join(self.dir, state, "state.json")):
                subprocess.run([sys.executable, os.path.join(HERE, "nfs_server.py"), "stop",
                                f"--state-dir={os.path.join(self.dir, state)}"],
                               capture_output=True, text=True)
        for ns in (self.far_ns, self.ns):
            if os.path.exists(f"/run/netns/{ns}"):
                self.log(f"clearing namespace {ns} left by an earlier run")
                self.kill_namespace_processes(ns)
                run("ip", "netns", "del", ns, check=False)

    def kill_namespace_processes(self, ns=None):
        ns = ns or self.ns
        pids = run("ip", "netns", "pids", ns, check=False).stdout.split()
        for pid in pids:
            try:
                os.kill(int(pid), signal.SIGKILL)
                self.log(f"killed pid {pid} still in the namespace")
            except (ProcessLookupError, ValueError):
                pass
        deadline = time.monotonic() + 5
        while pids and time.monotonic() < deadline:
            pids = run("ip", "netns", "pids", ns, check=False).stdout.split()
            time.sleep(0.05)

    def setup(self):
        self.clear_leftovers()
        run("ip", "netns", "add", self.ns)
        ns = ("ip", "-n", self.ns)
        if self.ipv6:
            # The lab is the router, never a host: no forwarding (the namespace's default,
            # written out), and br0 and the taps, made after this, take no RA (the lab's own
            # dnsmasq would otherwise give br0 a second, SLAAC address).
            run("ip", "netns", "exec", self.ns, "sysctl", "-q", "-w",
                "net.ipv6.conf.all.forwarding=0", "net.ipv6.conf.default.forwarding=0",
                "net.ipv6.conf.default.accept_ra=0", "net.ipv6.conf.default.autoconf=0")
        run(*ns, "link", "set", "lo", "up")
        run(*ns, "link", "add", BRIDGE, "type", "bridge", "stp_state", "0", "forward_delay", "0")
        run(*ns, "addr", "add", f"{SERVER_IP}/{PREFIX}", "dev", BRIDGE)
        for address in self.addresses:  # secondaries: 10.99.0.1 stays the primary (DHCP's server id)
            run(*ns, "addr", "add", f"{address}/{PREFIX}", "dev", BRIDGE)
        if self.ipv6:
            # nodad: usable at once. With DAD the address stays tentative (unbindable) until
            # br0 has carrier, which it gets only once QEMU opens a tap, after the servers start.
            for address in [SERVER_IP6] + self.addresses6:
                run(*ns, "addr", "add", f"{address}/{PREFIX6}", "dev", BRIDGE, "nodad")
        run(*ns, "link", "set", BRIDGE, "up")
        for name, _, bridged, vlan in self.taps:
            run(*ns, "tuntap", "add", "dev", name, "mode", "tap")
            if bridged and vlan is None:
                run(*ns, "link", "set", name, "master", BRIDGE)
            run(*ns, "link", "set", name, "up")
            if vlan is not None:
                self.vlan_port(name, vlan)
        if self.far:
            self.setup_far(self.far)
        self.log(f"namespace {self.ns}: {BRIDGE} " + ", ".join(
            [f"{a}/{PREFIX}" for a in [SERVER_IP] + self.addresses]
            + [f"{a}/{PREFIX6}" for a in ([SERVER_IP6] + self.addresses6 if self.ipv6 else [])])
            + ", taps " + ", ".join(
            f"{n}{'' if b else ' (unbridged)'}{'' if v is None else f' (VLAN {v} tagged)'}"
            for n, _, b, v in self.taps))

    def vlan_port(self, tap, vlan):
        # The relay's untagged side: a veth pair, one end on br0, the other read by the relay.
        access, bridged = f"{tap}v", f"{tap}vbr"  # tap names have at most 12 characters
        ns = ("ip", "-n", self.ns)
        run(*ns, "link", "add", bridged, "type", "veth", "peer", "name", access)
        run(*ns, "link", "set", bridged, "master", BRIDGE)
        for link in (bridged, access):
            run(*ns, "link", "set", link, "up")
        self.spawn(f"vlan_relay.py {tap}", [sys.executable, os.path.join(HERE, "vlan_relay.py"), tap, access,
                                            str(vlan), BRIDGE, bridged, access], f"vlan-{tap}.log")

    def setup_far(self, address):
        run("ip", "netns", "add", self.far_ns)
        run("ip", "-n", self.far_ns, "link", "set", "lo", "up")
        run("ip", "-n", self.ns, "link", "add", "farbr", "type", "veth", "peer", "name", "fareth",
            "netns", self.far_ns)
        run("ip", "-n", self.ns, "link", "set", "farbr", "master", BRIDGE)
        run("ip", "-n", self.ns, "link", "set", "farbr", "up")
        run("ip", "-n", self.far_ns, "addr", "add", f"{address}/{PREFIX}", "dev", "fareth")
        run("ip", "-n", self.far_ns, "link", "set", "fareth", "up")
        self.log(f"namespace {self.far_ns}: {address}/{PREFIX} on br0 through a veth pair")

    def far_nfs(self, export, nfs_port):
        self.far_started = True
        self.start_nfs("nfs-far", self.far_ns, export, nfs_port)

    def teardown(self):
        if self.plan:
            self.log("never started: " + ", ".join(p["what"] for p in self.plan))
            self.plan = []
        for what, proc in reversed(self.groups):
            if proc.poll() is None:
                kill_group(proc)
                self.log(f"stopped {what} (pid {proc.pid})")
        for started, state in ((self.nfs_started, "nfs"), (self.far_started, "nfs-far")):
            if not started:
                continue
            r = subprocess.run([sys.executable, os.path.join(HERE, "nfs_server.py"), "stop",
                                f"--state-dir={os.path.join(self.dir, state)}"],
                               capture_output=True, text=True)
            self.log(f"nfs_server.py stop ({state}): " + (r.stdout + r.stderr).strip().replace("\n", "; "))
        for ns in (self.far_ns, self.ns):
            if os.path.exists(f"/run/netns/{ns}"):
                self.kill_namespace_processes(ns)
                r = run("ip", "netns", "del", ns, check=False)
                self.log(f"deleted namespace {ns}" if r.returncode == 0
                         else f"ip netns del {ns} failed: {r.stderr.strip()}")
        self.log_file.close()

    # --- servers -------------------------------------------------------------------------------
    def at(self, when, what, start):
        """Plan start() for `when`: seconds after QEMU's start (0: at once), or (REGEX, SEC):
        SEC seconds after REGEX first appears in the console log, which keeps the fault at the
        same point of the boot however slow a loaded host makes the guest. The main thread
        starts everything itself (run_until): a child's PR_SET_PDEATHSIG fires when the
        *thread* that forked it ends, so a timer thread would take its server with it."""
        regex, delay = when if isinstance(when, tuple) else (None, when)
        self.plan.append({"what": what, "start": start, "after": regex, "delay": delay,
                          "due": None if regex else delay})
        if regex:
            self.log(f"{what} starts {delay:g} s after /{regex.pattern}/ is on the console")
        elif delay > 0:
            self.log(f"{what} starts in {delay:g} s")

    def fire_due(self):
        elapsed = time.monotonic() - self.t0
        if any(p["due"] is None for p in self.plan):
            console = ""
            if self.console_log:
                try:
                    with open(self.console_log, errors="replace") as f:
                        console = f.read()
                except OSError:
                    pass
            for p in self.plan:
                if p["due"] is None and p["after"].search(console):
                    p["due"] = elapsed + p["delay"]
                    self.log(f"/{p['after'].pattern}/ seen: {p['what']} in {p['delay']:g} s")
        for p in [p for p in self.plan if p["due"] is not None and elapsed >= p["due"]]:
            self.plan.remove(p)
            try:
                p["start"]()
            except (Error, OSError) as e:
                self.log(f"starting {p['what']} failed: {e}")

    def run_until(self, proc):
        """Start the planned servers on time while proc runs; its exit status."""
        while True:
            self.fire_due()
            try:
                return proc.wait(0.2)
            except subprocess.TimeoutExpired:
                pass

    def spawn(self, what, argv, log_name):
        out = open(os.path.join(self.dir, log_name), "ab")
        proc = subprocess.Popen(["ip", "netns", "exec", self.ns, *argv], stdin=subprocess.DEVNULL,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                                preexec_fn=die_with_parent)
        out.close()
        self.groups.append((what, proc))
        self.log(f"started {what} (pid {proc.pid}): {' '.join(argv)}")
        return proc

    def dhcpd(self, root_path, lease_seconds=None):
        conf = os.path.join(self.dir, "dhcpd.conf")
        leases = os.path.join(self.dir, "dhcpd.leases")
        hosts = "".join(f"host client{i} {{ hardware ethernet {mac}; fixed-address 10.99.0.{10 + i}; }}\n"
                        for i, (_, mac, _, _) in enumerate(self.taps))
        root = f'  option root-path "{root_path}";\n' if root_path else ""
        with open(conf, "w") as f:
            f.write(f"""# netns_lab.py: the fault matrix's DHCP server, inside {self.ns} only
authoritative;
default-lease-time {lease_seconds or 3600};
max-lease-time {lease_seconds or 7200};
min-lease-time {lease_seconds or 0};
ping-check false;
subnet 10.99.0.0 netmask 255.255.255.0 {{
  range 10.99.0.100 10.99.0.150;
  option routers {SERVER_IP};
  option domain-name-servers {SERVER_IP};
  option domain-name "lab.test";
{root}}}
{hosts}""")
        open(leases, "w").close()
        self.spawn("dhcpd", ["dhcpd", "-f", "-d", "-4", "-cf", conf, "-lf", leases,
                             "-pf", os.path.join(self.dir, "dhcpd.pid"), BRIDGE], "dhcpd.log")

    def dnsmasq(self, clients, next_servers):
        """dnsmasq as a dracut user's DHCP server: one dhcp-host per client MAC, each tagged, and
        the tag's own root-path and next-server."""
        conf = os.path.join(self.dir, "dnsmasq.conf")
        lines = [f"# netns_lab.py: the lab's dnsmasq, inside {self.ns} only",
                 "port=0", "user=root", "group=root", f"interface={BRIDGE}", "bind-interfaces",
                 "no-resolv", "no-hosts", "log-dhcp", "dhcp-authoritative",
                 # dnsmasq pings an address for about 3 s before it offers it (dnsmasq(8) --no-ping)
                 "no-ping",
                 f"dhcp-leasefile={os.path.join(self.dir, 'dnsmasq.leases')}",
                 f"dhcp-range={SUBNET}100,{SUBNET}150,255.255.255.0,1h",
                 f"dhcp-option=option:router,{SERVER_IP}",
                 f"dhcp-option=option:dns-server,{SERVER_IP}",
                 "dhcp-option=option:domain-name,lab.test"]
        for j, (mac, root_path) in enumerate(clients):
            tag = f"client{j}"
            lines.append(f"dhcp-host={mac},{SUBNET}{20 + j},set:{tag}")
            if root_path:
                # -force: sent even when the client's parameter request list lacks 17, as
                # dracut-era configurations do; the quotes keep its commas in one string.
                lines.append(f'dhcp-option-force=tag:{tag},option:root-path,"{root_path}"')
            if mac in next_servers:
                lines.append(f"dhcp-boot=tag:{tag},pxelinux.0,boot,{next_servers[mac]}")
        with open(conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        open(os.path.join(self.dir, "dnsmasq.leases"), "w").close()
        self.spawn("dnsmasq", ["dnsmasq", "--keep-in-foreground", "--log-facility=-",
                               f"--conf-file={conf}",
                               f"--pid-file={os.path.join(self.dir, 'dnsmasq.pid')}"], "dnsmasq.log")

    def dnsmasq6(self, mode, clients, lease_seconds=None):
        """A second dnsmasq for IPv6 only, so that it starts on its own clock and --dnsmasq's
        configuration stays as it is (neither binds the other's port: this one has no DHCPv4
        range, so no port 67; that one no IPv6 range, so no 547 and no RAs). mode "ra": router
        advertisements alone (SLAAC: the prefix autonomous, M and O clear), RDNSS SERVER_IP6.
        mode "dhcp6": stateful DHCPv6 from fd00:99::100-150 and RAs with M set and the prefix
        not autonomous, so a client's only global address is its lease; the j-th --client MAC
        has the fixed address fd00:99::(20+j), written like 10.99.0.(20+j)."""
        conf = os.path.join(self.dir, "dnsmasq6.conf")
        leases = os.path.join(self.dir, "dnsmasq6.leases")
        lines = [f"# netns_lab.py: the lab's IPv6 dnsmasq ({mode}), inside {self.ns} only",
                 "port=0", "user=root", "group=root", f"interface={BRIDGE}", "bind-interfaces",
                 "no-resolv", "no-hosts", "log-dhcp", "dhcp-authoritative", "enable-ra",
                 f"dhcp-leasefile={leases}",
                 # the RA's RDNSS and DHCPv6 option 23: with port=0 dnsmasq has no DNS of its own
                 f"dhcp-option=option6:dns-server,[{SERVER_IP6}]"]
        if mode == "ra":
            lines.append(f"dhcp-range={SUBNET6},ra-only,{PREFIX6}")
        else:
            # dnsmasq raises a lease shorter than 120 s to 120 s
            lines.append(f"dhcp-range={SUBNET6}100,{SUBNET6}150,{PREFIX6},{lease_seconds or 3600}")
            for j, (mac, _) in enumerate(clients):
                # dnsmasq finds a DHCPv6 client's MAC in its DUID (types 1 and 3) or neighbour table
                lines.append(f"dhcp-host={mac},[{SUBNET6}{20 + j}]")
        with open(conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        open(leases, "w").close()
        self.spawn(f"dnsmasq ({mode})", ["dnsmasq", "--keep-in-foreground", "--log-facility=-",
                                         f"--conf-file={conf}",
                                         f"--pid-file={os.path.join(self.dir, 'dnsmasq6.pid')}"],
                   "dnsmasq6.log")

    def hostile_dhcp(self, modes, root_path, server, address):
        argv = [sys.executable, os.path.join(HERE, "hostile_dhcp.py"), f"--interface={BRIDGE}",
                f"--server={server}", f"--address={address}",
                f"--log={os.path.join(self.dir, 'hostile_dhcp.log')}"]
        argv += [f"--{m}" for m in modes]
        if root_path:
            argv.append(f"--root-path={root_path}")
        self.spawn("hostile_dhcp.py", argv, "hostile_dhcp.out")

    def silent_nfs(self):
        self.spawn("silent_tcp.py", [sys.executable, os.path.join(HERE, "silent_tcp.py"),
                                     f"--address={SERVER_IP}", "--port=111", "--port=20048",
                                     "--port=20490",
                                     f"--log={os.path.join(self.dir, 'silent_tcp.log')}"],
                   "silent_tcp.out")

    def nfs(self, export, nfs_port):
        self.nfs_started = True
        self.start_nfs("nfs", self.ns, export, nfs_port, "::" if self.ipv6 else "0.0.0.0")

    def start_nfs(self, state, ns, export, nfs_port, host="0.0.0.0"):
        # 0.0.0.0 inside the namespace: 10.99.0.1 and every --address, so the server a guest
        # picked shows in its mounts; "::" (--ipv6) every IPv6 address as well.
        r = subprocess.run([sys.executable, os.path.join(HERE, "nfs_server.py"), "start",
                            f"--state-dir={os.path.join(self.dir, state)}", f"--netns={ns}",
                            f"--host={host}", f"--export={export}", f"--nfs-port={nfs_port}",
                            "--timeout=30"],
                           capture_output=True, text=True)
        self.log(f"nfs_server.py start ({state}): " + (r.stdout + r.stderr).strip().replace("\n", "; "))
        if r.returncode != 0:
            raise Error(f"nfs_server.py start ({state}) failed")

    def nfs_stop(self):
        r = subprocess.run([sys.executable, os.path.join(HERE, "nfs_server.py"), "stop",
                            f"--state-dir={os.path.join(self.dir, 'nfs')}"],
                           capture_output=True, text=True)
        self.log("nfs_server.py stop: " + (r.stdout + r.stderr).strip().replace("\n", "; "))
        if r.returncode != 0:
            raise Error("nfs_server.py stop failed")

    def report(self):
        print(f"netns_lab: {self.ns}, files in {self.dir}:")
        for name in ("lab.log", *SERVER_LOGS):
            lines = tail(os.path.join(self.dir, name), 15 if name != "lab.log" else 40)
            if lines:
                print(f"  --- {name} (last lines) ---")
                for line in lines:
                    print(f"  | {line}")


def parse_tap(text, index):
    """(name, mac, bridged, vlan id or None)."""
    m = re.fullmatch(r"([A-Za-z0-9_-]{1,12})(?:=([0-9a-fA-F:]{17}))?(:unbridged|:vlan=([0-9]{1,4}))?", text)
    if not m or (m.group(4) and not 1 <= int(m.group(4)) <= 4094):
        raise Error(f"--tap {text!r}: write it as tap0, tap0=52:54:00:12:34:56, tap0=MAC:unbridged or "
                    "tap0=MAC:vlan=ID (ID 1-4094; names of up to 12 characters)")
    mac = m.group(2) or "52:54:00:12:34:%02x" % (0x56 + index)
    return m.group(1), mac.lower(), m.group(3) != ":unbridged", int(m.group(4)) if m.group(4) else None


def lab_address(text):
    m = re.fullmatch(r"10\.99\.0\.([0-9]{1,3})", text)
    if not m or not 2 <= int(m.group(1)) <= 9:
        raise argparse.ArgumentTypeError(f"{text!r}: give a server address 10.99.0.2 to 10.99.0.9 "
                                         "(10.99.0.1 is br0's own, the clients' start at .10)")
    return text


def lab_address6(text):
    m = re.fullmatch(r"fd00:99::([0-9])", text)
    if not m or not 2 <= int(m.group(1)) <= 9:
        raise argparse.ArgumentTypeError(f"{text!r}: give a server address fd00:99::2 to fd00:99::9 "
                                         f"({SERVER_IP6} is br0's own, the clients' start at ::10)")
    return text


def log_expectation(text):
    m = re.fullmatch(r"([A-Za-z0-9_.-]+):([0-9]+):(.+)", text)
    if not m:
        raise argparse.ArgumentTypeError(f"{text!r}: give FILE:COUNT:REGEX")
    try:
        return m.group(1), int(m.group(2)), re.compile(m.group(3))
    except re.error as e:
        raise argparse.ArgumentTypeError(f"{text!r}: {e}")


def check_logs(lab, expectations):
    """The lab's files against --expect-log; a line per expectation, False when one fails."""
    good = True
    for name, count, regex in expectations:
        try:
            with open(os.path.join(lab.dir, name), errors="replace") as f:
                found = sum(1 for line in f if regex.search(line))
        except OSError:
            found = 0
        ok = found >= count
        good = good and ok
        print(f"netns_lab: {'' if ok else 'FAIL '}{name}: {found} lines match /{regex.pattern}/, "
              f"at least {count} expected")
        lab.log(f"{name}: {found} lines match /{regex.pattern}/ (at least {count} expected)")
    return good


def mac_and_value(text):
    """MAC=VALUE, the value taken as written (a root-path holds ':', ',' and '=')."""
    m = re.fullmatch(r"([0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5})=(.*)", text, re.S)
    if not m or any(c in m.group(2) for c in '"\\\n'):
        raise argparse.ArgumentTypeError(f"{text!r}: write MAC=VALUE, the value without quotes, "
                                         "backslashes or newlines")
    return m.group(1).lower(), m.group(2)


def when(text):
    """DELAY: SEC, or /REGEX/+SEC (SEC after REGEX first appears on the console)."""
    m = re.fullmatch(r"/(.+)/\+([0-9]+(?:\.[0-9]+)?)", text)
    if m:
        return re.compile(m.group(1), re.M), float(m.group(2))
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: write SEC or /REGEX/+SEC")


def main():
    argv = sys.argv[1:]
    if "--" not in argv:
        sys.exit("netns_lab: give the qemu_boot.py command after --")
    split = argv.index("--")
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--name", required=True)
    ap.add_argument("--state-dir", required=True)
    ap.add_argument("--tap", action="append", default=[])
    ap.add_argument("--dhcpd", type=when, metavar="DELAY")
    ap.add_argument("--lease-time", type=int, metavar="SEC")
    ap.add_argument("--hostile-dhcp", type=when, metavar="DELAY")
    ap.add_argument("--hostile", action="append", default=[],
                    choices=("malformed", "hostile-values", "offer-then-stop"))
    ap.add_argument("--hostile-server", default=SERVER_IP)
    ap.add_argument("--hostile-address", default="10.99.0.10")
    ap.add_argument("--silent-nfs", type=when, metavar="DELAY")
    ap.add_argument("--dnsmasq", type=when, metavar="DELAY")
    ap.add_argument("--client", type=mac_and_value, action="append", default=[],
                    metavar="MAC=ROOT-PATH")
    ap.add_argument("--next-server", type=mac_and_value, action="append", default=[],
                    metavar="MAC=ADDR")
    ap.add_argument("--address", type=lab_address, action="append", default=[])
    ap.add_argument("--ipv6", action="store_true")
    ap.add_argument("--address6", type=lab_address6, action="append", default=[])
    ap.add_argument("--ra", type=when, metavar="DELAY")
    ap.add_argument("--dhcp6", type=when, metavar="DELAY")
    ap.add_argument("--nfs", type=when, metavar="DELAY")
    ap.add_argument("--nfs-port", type=int, default=20490)
    ap.add_argument("--nfs-stop", type=when, metavar="DELAY")
    ap.add_argument("--export")
    ap.add_argument("--far-nfs", type=when, metavar="DELAY")
    ap.add_argument("--far-export")
    ap.add_argument("--far-address", type=lab_address, default="10.99.0.5")
    ap.add_argument("--root-path")
    ap.add_argument("--expect-log", type=log_expectation, action="append", default=[],
                    metavar="FILE:COUNT:REGEX")
    args = ap.parse_args(argv[:split])
    boot_args = argv[split + 1:]
    if args.nfs is not None and not args.export:
        ap.error("--nfs needs --export")
    if args.far_nfs is not None and not args.far_export:
        ap.error("--far-nfs needs --far-export")
    if args.far_nfs is not None and args.far_address in [SERVER_IP] + args.address:
        ap.error(f"--far-address {args.far_address}: the lab's own server has it")
    if args.nfs_stop is not None and args.nfs is None:
        ap.error("--nfs-stop needs --nfs")
    if (args.address6 or args.ra is not None or args.dhcp6 is not None) and not args.ipv6:
        ap.error("--address6, --ra and --dhcp6 need --ipv6 (br0's IPv6 address)")
    if args.ra is not None and args.dhcp6 is not None:
        ap.error("--ra or --dhcp6: --dhcp6 sends the router advertisements itself (M set)")
    if args.next_server and args.dnsmasq is None:
        ap.error("--next-server is dnsmasq's: give --dnsmasq")
    if args.client and args.dnsmasq is None and args.dhcp6 is None:
        ap.error("--client is dnsmasq's: give --dnsmasq or --dhcp6")
    clients = dict(args.client)
    if len(clients) != len(args.client):
        ap.error("--client: a MAC twice")
    next_servers = dict(args.next_server)
    for mac, address in next_servers.items():
        if mac not in clients:
            ap.error(f"--next-server {mac}: not a --client")
        if address != SERVER_IP and address not in args.address:
            ap.error(f"--next-server {mac}={address}: neither {SERVER_IP} nor an --address")
    if os.geteuid() != 0:
        sys.exit("netns_lab: needs root (network namespaces, tap devices, servers)")
    packages = {"ip": "iproute2", "dhcpd": "isc-dhcp-server", "dnsmasq": "dnsmasq-base"}
    tools = ["ip"] + (["dhcpd"] if args.dhcpd is not None else []) \
        + (["dnsmasq"] if any(d is not None for d in (args.dnsmasq, args.ra, args.dhcp6)) else [])
    for tool in tools:
        if not shutil.which(tool, path="/usr/sbin:/sbin:" + os.environ.get("PATH", "")):
            sys.exit(f"netns_lab: {tool} not found (apt-get install {packages[tool]})")

    # SIGTERM (ctest's timeout, a killed job) ends as an exception, so the teardown runs.
    def stop(signum, _frame):
        raise SystemExit(128 + signum)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, stop)

    try:
        taps = [parse_tap(t, i) for i, t in enumerate(args.tap or ["tap0=" + DEFAULT_MAC])]
        far = args.far_address if args.far_nfs is not None else None
        lab = Lab(args.name, os.path.abspath(args.state_dir), taps, args.address, far,
                  args.ipv6, args.address6)
    except Error as e:
        sys.exit(f"netns_lab: {e}")
    status = 2
    try:
        lab.setup()
        if not boot_args:
            raise Error("no qemu_boot.py command after --")
        logs = [a.split("=", 1)[1] for a in boot_args if a.startswith("--log=")]
        lab.console_log = logs[-1] if logs else None
        if lab.console_log and os.path.exists(lab.console_log):
            os.unlink(lab.console_log)  # an earlier run's lines must not start a server
        qemu = boot_args + [f"--netns={lab.ns}"] + [f"--tap={n}={mac}" for n, mac, _, _ in taps]
        lab.log("QEMU starts now: the servers' delays count from here")
        lab.t0 = time.monotonic()
        if args.dhcpd is not None:
            lab.at(args.dhcpd, "dhcpd", lambda: lab.dhcpd(args.root_path, args.lease_time))
        if args.dnsmasq is not None:
            lab.at(args.dnsmasq, "dnsmasq", lambda: lab.dnsmasq(list(clients.items()), next_servers))
        if args.ra is not None:
            lab.at(args.ra, "dnsmasq (ra)", lambda: lab.dnsmasq6("ra", [], None))
        if args.dhcp6 is not None:
            lab.at(args.dhcp6, "dnsmasq (dhcp6)",
                   lambda: lab.dnsmasq6("dhcp6", list(clients.items()), args.lease_time))
        if args.hostile_dhcp is not None:
            lab.at(args.hostile_dhcp, "hostile_dhcp.py",
                   lambda: lab.hostile_dhcp(args.hostile, args.root_path, args.hostile_server,
                                            args.hostile_address))
        if args.far_nfs is not None:
            lab.at(args.far_nfs, "nfs-ganesha (far)", lambda: lab.far_nfs(args.far_export, args.nfs_port))
        if args.silent_nfs is not None:
            lab.at(args.silent_nfs, "silent_tcp.py", lab.silent_nfs)
        if args.nfs is not None:
            lab.at(args.nfs, "nfs-ganesha", lambda: lab.nfs(args.export, args.nfs_port))
        if args.nfs_stop is not None:
            lab.at(args.nfs_stop, "stopping nfs-ganesha", lab.nfs_stop)
        lab.log(" ".join(qemu))
        lab.fire_due()  # the servers that start at once, before the guest looks for them
        proc = subprocess.Popen(qemu, preexec_fn=die_with_parent)
        try:
            status = lab.run_until(proc)
        finally:
            if proc.poll() is None:
                proc.terminate()
                proc.wait()
        lab.log(f"qemu_boot.py exited with status {status}")
        if status == 0 and not check_logs(lab, args.expect_log):
            status = 1
    except Error as e:
        print(f"netns_lab: {e}")
        status = 2
    finally:
        lab.teardown()
        if status != 0:
            lab.report()
    return status


if __name__ == "__main__":
    sys.exit(main())
