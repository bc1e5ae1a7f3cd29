#!/usr/bin/env python3
"""DHCP integration: `nfsroot-init network` against real dnsmasq and ISC dhcpd.

  dhcp_servers.py --binary NFSROOT_INIT SCENARIO

Each scenario builds its own network namespaces ("server" and "client", joined by veth pairs
on 10.199.0.0/24), starts the real server inside the server namespace, runs our client inside
the client namespace as an ordinary process, checks the lease, the interface, the route and the
files, and always tears everything down. Needs root. No traffic leaves the namespaces.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

CLIENT_MAC = "52:54:00:aa:bb:01"
SERVER_IP = "10.199.0.1"


def run(*cmd, check=True, **kw):
    result = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({result.returncode}): {result.stderr.strip()}")
    return result


class Failure(Exception):
    pass


def expect(condition, message, context=""):
    if not condition:
        raise Failure(message + (f"\n--- context ---\n{context}" if context else ""))


class Lab:
    """Two namespaces and veth links between them; removed on exit, whatever happened."""

    def __init__(self):
        tag = f"nri{os.getpid() % 100000}"
        self.server, self.client = f"{tag}s", f"{tag}c"
        self.tag = tag
        self.processes = []
        self.dir = tempfile.mkdtemp(prefix="nfsroot-dhcp-")
        self.links = 0

    def __enter__(self):
        run("ip", "netns", "add", self.server)
        run("ip", "netns", "add", self.client)
        run("ip", "-n", self.server, "link", "set", "lo", "up")
        run("ip", "-n", self.client, "link", "set", "lo", "up")
        return self

    def link(self, client_name, mac, server_address=None):
        """A veth pair: client_name in the client namespace (left down: the client brings it
        up), its peer in the server namespace, addressed and up."""
        self.links += 1
        peer = f"srv{self.links}"
        host_a, host_b = f"{self.tag}a{self.links}", f"{self.tag}b{self.links}"
        run("ip", "link", "add", host_a, "type", "veth", "peer", "name", host_b)
        run("ip", "link", "set", host_a, "netns", self.client, "name", client_name)
        run("ip", "link", "set", host_b, "netns", self.server, "name", peer)
        run("ip", "-n", self.client, "link", "set", client_name, "address", mac)
        if server_address:
            run("ip", "-n", self.server, "addr", "add", server_address, "dev", peer)
        run("ip", "-n", self.server, "link", "set", peer, "up")
        return peer

    def start(self, *cmd, log_name):
        log = open(os.path.join(self.dir, log_name), "w")
        process = subprocess.Popen(["ip", "netns", "exec", self.server, *cmd], stdout=log, stderr=subprocess.STDOUT)
        self.processes.append((process, log))
        return process

    def log(self, name):
        path = os.path.join(self.dir, name)
        return open(path).read() if os.path.exists(path) else ""

    def __exit__(self, *exc):
        for process, log in self.processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(5)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            log.close()
        run("ip", "netns", "del", self.client, check=False)
        run("ip", "netns", "del", self.server, check=False)
        if exc[0] is None:
            shutil.rmtree(self.dir, ignore_errors=True)
        else:
            print(f"files kept in {self.dir}")
        return False


def dnsmasq(lab, peer, *extra):
    leases = os.path.join(lab.dir, "dnsmasq.leases")
    return lab.start("dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--port=0", "--user=root", "--group=root",
                     f"--interface={peer}", "--bind-interfaces", "--log-dhcp",
                     f"--dhcp-leasefile={leases}", f"--pid-file={os.path.join(lab.dir, 'dnsmasq.pid')}",
                     "--dhcp-range=10.199.0.50,10.199.0.60,255.255.255.0,1h",
                     f"--dhcp-option=option:router,{SERVER_IP}",
                     "--dhcp-option=option:dns-server,10.199.0.53",
                     "--dhcp-option=option:domain-name,lab.test",
                     f"--dhcp-option=option:root-path,{SERVER_IP}:/srv/nfsroot",
                     "--dhcp-option=option:mtu,1400",
                     f"--dhcp-host={CLIENT_MAC},10.199.0.55,client7",
                     *extra, log_name="dnsmasq.log")


ISC_CONF = """
authoritative;
default-lease-time 3600;
max-lease-time 7200;
option domain-name "isc.test";
option domain-name-servers 10.199.0.54;
option root-path "10.199.0.1:/srv/isc";
class "lab-gateways" {
  match if option vendor-class-identifier = "lab-gw";
  option root-path "10.199.0.1:/srv/lab-gateways";
}
subnet 10.199.0.0 netmask 255.255.255.0 {
  range 10.199.0.100 10.199.0.110;
  option routers 10.199.0.1;
  next-server 10.199.0.1;
  filename "pxelinux.0";
}
host client7 {
  hardware ethernet %s;
  fixed-address 10.199.0.77;
  option host-name "isc7";
}
""" % CLIENT_MAC


def isc_dhcpd(lab, peer, lease_seconds=None, server_id=None, log_name="dhcpd.log"):
    conf = os.path.join(lab.dir, "dhcpd.conf")
    leases = os.path.join(lab.dir, "dhcpd.leases")
    text = ISC_CONF
    if lease_seconds:
        text = text.replace("default-lease-time 3600;\nmax-lease-time 7200;",
                            f"default-lease-time {lease_seconds};\nmax-lease-time {lease_seconds};\n"
                            f"min-lease-time {lease_seconds};")
    if server_id:
        text = text.replace("authoritative;", f"authoritative;\nserver-identifier {server_id};")
    with open(conf, "w") as f:
        f.write(text)
    if not os.path.exists(leases):
        open(leases, "w").close()
    return lab.start("dhcpd", "-f", "-d", "-4", "-cf", conf, "-lf", leases, "-pf", os.path.join(lab.dir, "dhcpd.pid"),
                     peer, log_name=log_name)


def start_keeper(lab, binary, run_dir, interface="eth0"):
    """`nfsroot-init keep-lease` in the client namespace, as /init leaves it running."""
    log = open(os.path.join(lab.dir, "keeper.log"), "w")
    process = subprocess.Popen(["ip", "netns", "exec", lab.client, binary, "keep-lease", interface, "--run-dir", run_dir,
                                "--debug"], stdout=log, stderr=subprocess.STDOUT)
    lab.processes.append((process, log))
    return process


def stop_keeper(lab, keeper):
    keeper.terminate()
    keeper.wait(10)
    return lab.log("keeper.log")


def lease_file(run_dir, interface="eth0"):
    path = os.path.join(run_dir, "nfsroot-init", f"lease-{interface}")
    return dict(re.findall(r"^(\w+)=(.*)$", open(path).read(), re.M))


def client(lab, binary, cmdline, *, set_hostname=False, timeout=60):
    run_dir = os.path.join(lab.dir, "run")
    os.makedirs(run_dir, exist_ok=True)
    cmd = [binary, "network", "--cmdline", cmdline, "--run-dir", run_dir]
    if set_hostname:
        # A private UTS namespace: the host's own name is never touched.
        cmd = ["unshare", "--uts", "sh", "-c", '"$@" --set-hostname && echo "UTS_HOSTNAME=$(hostname)"', "sh", *cmd]
    started = time.monotonic()
    result = subprocess.run(["ip", "netns", "exec", lab.client, *cmd], capture_output=True, text=True, timeout=timeout)
    result.elapsed = time.monotonic() - started
    result.run_dir = run_dir
    return result


def values(text):
    return dict(re.findall(r"^(\w+)='([^']*)'$", text, re.M))


def check_interface(lab, name, address, gateway=None, mtu=None):
    shown = run("ip", "-n", lab.client, "-4", "-o", "addr", "show", "dev", name).stdout
    expect(address in shown, f"{name} does not have {address}", shown)
    if gateway:
        routes = run("ip", "-n", lab.client, "route", "show", "default").stdout
        expect(f"via {gateway} dev {name}" in routes, f"no default route via {gateway} on {name}", routes)
    if mtu:
        link = run("ip", "-n", lab.client, "link", "show", "dev", name).stdout
        expect(f"mtu {mtu} " in link, f"{name} MTU is not {mtu}", link)


def scenario_dnsmasq(lab, binary):
    peer = lab.link("eth0", CLIENT_MAC, f"{SERVER_IP}/24")
    dnsmasq(lab, peer)
    result = client(lab, binary, "ip=dhcp root=/dev/nfs nfsroot=auto", set_hostname=True)
    context = result.stdout + result.stderr + lab.log("dnsmasq.log")
    expect(result.returncode == 0, "client failed", context)
    got = values(result.stdout)
    for key, want in {"DEVICE": "eth0", "PROTO": "dhcp", "IPV4ADDR": "10.199.0.55", "IPV4NETMASK": "255.255.255.0",
                      "IPV4BROADCAST": "10.199.0.255", "IPV4GATEWAY": SERVER_IP, "IPV4DNS0": "10.199.0.53",
                      "HOSTNAME": "client7", "DNSDOMAIN": "lab.test", "ROOTPATH": f"{SERVER_IP}:/srv/nfsroot",
                      "IPV4MTU": "1400", "DHCPLEASETIME": "3600"}.items():
        expect(got.get(key) == want, f"{key} is {got.get(key)!r}, expected {want!r}", context)
    expect("UTS_HOSTNAME=client7" in result.stdout, "the host name was not set from the lease", context)
    check_interface(lab, "eth0", "10.199.0.55/24 brd 10.199.0.255", SERVER_IP, 1400)
    conf = open(os.path.join(result.run_dir, "net-eth0.conf")).read()
    expect(values(conf) == {k: v for k, v in got.items() if k not in ("CARRIER_MS", "CONFIGURE_MS")},
           "net-eth0.conf differs from what was printed", conf)
    resolv = open(os.path.join(result.run_dir, "nfsroot-init", "resolv.conf")).read()
    expect("nameserver 10.199.0.53\n" in resolv and "search lab.test\n" in resolv, "resolv.conf is wrong", resolv)
    # The hand-off files for the root's networkd and udev: this interface, the lease's MTU, DHCP.
    networkd = os.path.join(result.run_dir, "systemd", "network", "70-nfsroot-eth0")
    network = open(networkd + ".network").read()
    for line in ("Name=eth0", "MTUBytes=1400", "KeepConfiguration=yes", "DHCP=ipv4", "ClientIdentifier=mac"):
        expect(line in network.splitlines(), f"70-nfsroot-eth0.network lacks {line}", network)
    link = open(networkd + ".link").read()
    expect("OriginalName=eth0" in link.splitlines(), "70-nfsroot-eth0.link does not match eth0", link)
    # NetworkManager leaves it unmanaged; ifupdown's state has it up as a logical interface of ours.
    nm = open(os.path.join(result.run_dir, "NetworkManager", "conf.d", "70-nfsroot-eth0.conf")).read()
    for line in ("match-device=interface-name:eth0", "managed=0"):
        expect(line in nm.splitlines(), f"70-nfsroot-eth0.conf lacks {line}", nm)
    ifstate = open(os.path.join(result.run_dir, "network", "ifstate")).read()
    expect(ifstate == "eth0=nfsroot-init\n", "network/ifstate does not record eth0", ifstate)
    print(f"dnsmasq lease in {result.elapsed:.1f} s (carrier {got['CARRIER_MS']} ms, DHCP {got['CONFIGURE_MS']} ms)")


def scenario_isc_dhcpd(lab, binary):
    peer = lab.link("eth0", CLIENT_MAC, f"{SERVER_IP}/24")
    isc_dhcpd(lab, peer)
    result = client(lab, binary, "ip=dhcp root=/dev/nfs")
    context = result.stdout + result.stderr + lab.log("dhcpd.log")
    expect(result.returncode == 0, "client failed", context)
    got = values(result.stdout)
    for key, want in {"IPV4ADDR": "10.199.0.77", "IPV4GATEWAY": SERVER_IP, "IPV4DNS0": "10.199.0.54",
                      "HOSTNAME": "isc7", "DNSDOMAIN": "isc.test", "ROOTSERVER": SERVER_IP,
                      "ROOTPATH": "10.199.0.1:/srv/isc", "filename": "pxelinux.0"}.items():
        expect(got.get(key) == want, f"{key} is {got.get(key)!r}, expected {want!r}", context)
    check_interface(lab, "eth0", "10.199.0.77/24", SERVER_IP)
    # dhcpclass= is option 60: a dhcpd.conf class matches it and gives its own root-path.
    run("ip", "-n", lab.client, "addr", "flush", "dev", "eth0")
    run("ip", "-n", lab.client, "link", "set", "eth0", "down")
    result = client(lab, binary, "ip=dhcp dhcpclass=lab-gw")
    got = values(result.stdout)
    expect(got.get("ROOTPATH") == "10.199.0.1:/srv/lab-gateways", "the dhcpclass= class did not match",
           result.stdout + result.stderr + lab.log("dhcpd.log"))
    print(f"ISC dhcpd lease in {result.elapsed:.1f} s")


def scenario_nak(lab, binary):
    # ip=<address>::::::dhcp asks for that address first (INIT-REBOOT, as klibc's ipconfig
    # does); an authoritative server that knows better answers NAK, and the client must start
    # over with a DISCOVER and take the address it is offered.
    peer = lab.link("eth0", CLIENT_MAC, f"{SERVER_IP}/24")
    dnsmasq(lab, peer, "--dhcp-authoritative")
    result = client(lab, binary, "ip=10.199.0.99::::::dhcp debug")
    context = result.stdout + result.stderr + lab.log("dnsmasq.log")
    expect(result.returncode == 0, "client failed", context)
    expect("DHCPNAK" in lab.log("dnsmasq.log"), "the server sent no NAK", context)
    expect(values(result.stdout).get("IPV4ADDR") == "10.199.0.55", "no lease after the NAK", context)
    print(f"NAK then lease in {result.elapsed:.1f} s")


def scenario_late_server(lab, binary):
    peer = lab.link("eth0", CLIENT_MAC, f"{SERVER_IP}/24")
    run_dir = os.path.join(lab.dir, "run")
    os.makedirs(run_dir)
    started = time.monotonic()
    process = subprocess.Popen(["ip", "netns", "exec", lab.client, binary, "network", "--cmdline", "ip=dhcp debug",
                                "--run-dir", run_dir], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(5)  # the point of the scenario: the server comes up while the client retransmits
    dnsmasq(lab, peer)
    out, err = process.communicate(timeout=60)
    elapsed = time.monotonic() - started
    context = out + err + lab.log("dnsmasq.log")
    expect(process.returncode == 0, "client failed", context)
    expect(values(out).get("IPV4ADDR") == "10.199.0.55", "no lease", context)
    expect(elapsed >= 5, "the lease came before the server started?", context)
    print(f"lease {elapsed:.1f} s after start, server started at 5 s")


def scenario_two_interfaces(lab, binary):
    # eth0 leads nowhere (its peer is up, no server); eth1 has the server. The lease on eth1
    # wins and eth0 is taken back down.
    lab.link("eth0", "52:54:00:aa:bb:02")
    peer = lab.link("eth1", CLIENT_MAC, f"{SERVER_IP}/24")
    dnsmasq(lab, peer)
    result = client(lab, binary, "ip=dhcp")
    context = result.stdout + result.stderr + lab.log("dnsmasq.log")
    expect(result.returncode == 0, "client failed", context)
    expect(values(result.stdout).get("DEVICE") == "eth1", "the lease is not on eth1", context)
    check_interface(lab, "eth1", "10.199.0.55/24", SERVER_IP)
    eth0 = run("ip", "-n", lab.client, "link", "show", "dev", "eth0").stdout
    expect("state DOWN" in eth0 and ",UP" not in eth0, "eth0 was not taken back down", eth0)
    print(f"lease on eth1 in {result.elapsed:.1f} s")


def scenario_link_refuses_up(lab, binary):
    # eth0 will not come up: a VXLAN interface (an Ethernet one to us) whose UDP port a process
    # of the namespace already holds, so IFF_UP fails (EADDRINUSE), as a NIC without its
    # firmware fails open. It is reported and left out; eth1, with the server, boots.
    holder = subprocess.Popen(
        ["ip", "netns", "exec", lab.client, "python3", "-c",
         "import socket, sys, time\n"
         "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('0.0.0.0', 4790))\n"
         "print('bound', flush=True); time.sleep(120)"],
        stdout=subprocess.PIPE, text=True)
    lab.processes.append((holder, open(os.devnull, "w")))
    expect(holder.stdout.readline().strip() == "bound", "the port holder did not start")
    run("ip", "-n", lab.client, "link", "add", "eth0", "type", "vxlan", "id", "7", "dstport", "4790")
    peer = lab.link("eth1", CLIENT_MAC, f"{SERVER_IP}/24")
    dnsmasq(lab, peer)
    result = client(lab, binary, "ip=dhcp")
    context = result.stdout + result.stderr + lab.log("dnsmasq.log")
    expect(result.returncode == 0, "one interface that will not come up stopped the network step", context)
    expect(re.search(r"eth0: set link up eth0: .*; going on without it", result.stderr),
           "eth0's failure is not reported", context)
    expect(values(result.stdout).get("DEVICE") == "eth1", "the lease is not on eth1", context)
    check_interface(lab, "eth1", "10.199.0.55/24", SERVER_IP)
    # With eth1 gone too, no interface is left: the step fails at once and says why.
    run("ip", "-n", lab.client, "link", "del", "eth1")
    result = client(lab, binary, "ip=dhcp")
    context = result.stdout + result.stderr
    expect(result.returncode == 1, "the client did not fail without a usable interface", context)
    expect("no interface came up: eth0: " in result.stderr and result.elapsed < 20,
           "the failure does not name the interface and its error, at once", context)
    print(f"eth0 left out, lease on eth1; alone, failed in {result.elapsed:.1f} s")


def scenario_no_server_times_out(lab, binary):
    lab.link("eth0", CLIENT_MAC, f"{SERVER_IP}/24")
    result = client(lab, binary, "ip=dhcp nfsroot-init.dhcp_timeout=4")
    context = result.stdout + result.stderr
    expect(result.returncode == 1, "the client did not fail", context)
    expect("network failed: " in result.stderr and "OFFER" in result.stderr.upper(),
           "the failure does not say that no offer came", context)
    print(f"gave up after {result.elapsed:.1f} s")


def scenario_keep_lease(lab, binary):
    # A 20 s lease (T1 10 s): the keeper renews it by unicast to the server, as the same
    # client with the same vendor class (dhcpd's class matches again), three times or more in
    # 45 s; SIGTERM stops it without a RELEASE and the address stays.
    peer = lab.link("eth0", CLIENT_MAC, f"{SERVER_IP}/24")
    isc_dhcpd(lab, peer, lease_seconds=20)
    result = client(lab, binary, "ip=dhcp dhcpclass=lab-gw")
    expect(result.returncode == 0, "client failed", result.stdout + result.stderr + lab.log("dhcpd.log"))
    held = lease_file(result.run_dir)
    expect(held.get("LEASE_SECONDS") == "20" and held.get("SERVER") == SERVER_IP and held.get("RENEWALS") == "0",
           "the boot's lease file is not the 20 s lease from the server", str(held))
    keeper = start_keeper(lab, binary, result.run_dir)
    deadline = time.monotonic() + 10
    pid_file = os.path.join(result.run_dir, "nfsroot-init", "keep-lease-eth0.pid")
    while not os.path.exists(pid_file) and time.monotonic() < deadline:
        time.sleep(0.1)
    expect(os.path.exists(pid_file), "the keeper wrote no PID file", lab.log("keeper.log"))
    second = subprocess.run(["ip", "netns", "exec", lab.client, binary, "keep-lease", "eth0", "--run-dir",
                             result.run_dir], capture_output=True, text=True, timeout=10)
    expect(second.returncode == 1 and "already kept by PID" in second.stderr,
           "a second keeper of eth0 started", second.stderr)
    time.sleep(45)  # the test's subject is the passing of time: four T1s of the 20 s lease
    expect(keeper.poll() is None, "the keeper exited", lab.log("keeper.log"))
    log = stop_keeper(lab, keeper)
    context = log + lab.log("dhcpd.log")
    expect(keeper.returncode == 0, f"the keeper exited with {keeper.returncode} on SIGTERM", context)
    renewed = log.count("eth0: renewed 10.199.0.77 from 10.199.0.1 for 20 s")
    expect(renewed >= 3, f"{renewed} renewals in 45 s of a 20 s lease", context)
    # dhcpd names no server in a renewal's line (RFC 2131: no option 54 in RENEWING), unlike
    # the boot's "DHCPREQUEST for 10.199.0.77 (10.199.0.1) from".
    requests = lab.log("dhcpd.log").count(f"DHCPREQUEST for 10.199.0.77 from {CLIENT_MAC}")
    acks = lab.log("dhcpd.log").count(f"DHCPACK on 10.199.0.77 to {CLIENT_MAC}")
    expect(requests >= renewed and acks >= 1 + renewed, "the server did not see every renewal", context)
    expect("DHCPRELEASE" not in lab.log("dhcpd.log"), "the keeper released the lease", context)
    expect("stopped by signal 15" in log, "the keeper did not say why it stopped", context)
    expect(not os.path.exists(pid_file), "the PID file is left", context)
    held = lease_file(result.run_dir)
    expect(int(held.get("RENEWALS", "0")) == renewed and held.get("STATE") == "bound",
           "the lease file does not show the renewals", str(held))
    check_interface(lab, "eth0", "10.199.0.77/24", SERVER_IP)
    print(f"{renewed} renewals in 45 s, {requests} REQUESTs at the server")


def scenario_keep_lease_rebind(lab, binary):
    # The server that granted the lease goes; another (10.199.0.2) comes up: the unicast
    # renewals at T1 go unanswered, and at T2 the broadcast REQUEST reaches the new server,
    # whose ACK the keeper takes, and renews with it afterwards.
    peer = lab.link("eth0", CLIENT_MAC, f"{SERVER_IP}/24")
    first = isc_dhcpd(lab, peer, lease_seconds=20)
    result = client(lab, binary, "ip=dhcp")
    expect(result.returncode == 0, "client failed", result.stdout + result.stderr + lab.log("dhcpd.log"))
    first.terminate()
    first.wait(5)
    # The first server's host is gone: its address no longer answers ARP, so the unicast
    # renewals never leave the client (the second dhcpd would see them on the link).
    run("ip", "-n", lab.server, "addr", "del", f"{SERVER_IP}/24", "dev", peer)
    run("ip", "-n", lab.server, "addr", "add", "10.199.0.2/24", "dev", peer)
    run("ip", "-n", lab.client, "neigh", "flush", "dev", "eth0")
    isc_dhcpd(lab, peer, lease_seconds=20, server_id="10.199.0.2", log_name="dhcpd2.log")
    keeper = start_keeper(lab, binary, result.run_dir)
    # T1 (10 s) unanswered, T2 (17.5 s) rebinds, the next T1 (27.5 s) renews; the lease file
    # follows the state (read every 0.2 s: the test's subject is the passing of time).
    states = []
    deadline = time.monotonic() + 33
    while time.monotonic() < deadline:
        try:
            state = lease_file(result.run_dir).get("STATE")
        except OSError:  # between the keeper's write and its rename
            state = None
        if state and (not states or states[-1] != state):
            states.append(state)
        time.sleep(0.2)
    log = stop_keeper(lab, keeper)
    context = log + lab.log("dhcpd2.log")
    expect("sending REQUEST for 10.199.0.77 to 10.199.0.1 (renewing" in log, "no unicast renewal to the first server",
           context)
    expect("sending REQUEST for 10.199.0.77 to 255.255.255.255 (rebinding" in log, "no broadcast at T2", context)
    expect("eth0: renewed 10.199.0.77 from 10.199.0.2 for 20 s" in log, "the second server's ACK was not taken",
           context)
    expect("sending REQUEST for 10.199.0.77 to 10.199.0.2 (renewing" in log, "the next renewal did not go to 10.199.0.2",
           context)
    expect(lease_file(result.run_dir).get("SERVER") == "10.199.0.2", "the lease file still names the old server",
           context)
    # renewing for the 7.5 s from T1 to T2; rebinding lasts only until the second server's ACK,
    # milliseconds, so the 0.2 s reads may miss it.
    expect(states[:2] == ["bound", "renewing"] and "bound" in states[2:],
           f"the lease file's STATE went {states}, not bound, renewing, (rebinding,) bound", context)
    expect("renewed 10.199.0.77 from 10.199.0.1" not in log, "the first server answered after it went", context)
    check_interface(lab, "eth0", "10.199.0.77/24")
    print("rebound to 10.199.0.2 at T2")


# --- IPv6 (ip=[<v6 client>]…:none, ip=auto6): the kernel's DAD and SLAAC, no server program --------

# A router advertisement every 0.5 s with one on-link, autonomous /64 (RFC 4861 4.2 and 4.6.2),
# sent from the peer's link-local address (errors while that is still tentative are retried).
RA_SENDER = r"""
import socket, struct, sys, time
ifname, prefix = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, ifname.encode())
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
index = socket.if_nametoindex(ifname)
ra = struct.pack("!BBHBBHII", 134, 0, 0, 64, 0, 1800, 0, 0)
pio = struct.pack("!BBBBIII", 3, 4, 64, 0xC0, 86400, 14400, 0) + socket.inet_pton(socket.AF_INET6, prefix)
while True:
    try:
        s.sendto(ra + pio, ("ff02::1", 0, 0, index))
    except OSError:
        pass
    time.sleep(0.5)
"""


def ipv6_addresses(lab, name):
    return run("ip", "-n", lab.client, "-6", "-o", "addr", "show", "dev", name).stdout


def scenario_static_ipv6(lab, binary):
    lab.link("eth0", CLIENT_MAC, "fd00:199::1/64")
    result = client(lab, binary, "ip=[fd00:199::5]::[fd00:199::1]:64:node7:eth0:none")
    context = result.stdout + result.stderr
    expect(result.returncode == 0, "the client failed", context)
    expect("waiting for duplicate address detection" in result.stderr, "no DAD wait reported", context)
    line = next((l for l in ipv6_addresses(lab, "eth0").splitlines() if "fd00:199::5/64" in l), "")
    expect(line and "tentative" not in line, "fd00:199::5 missing or still tentative", line)
    routes = run("ip", "-n", lab.client, "-6", "route", "show", "default").stdout
    expect("via fd00:199::1 dev eth0" in routes, "no IPv6 default route", routes)
    conf = values(open(os.path.join(result.run_dir, "net6-eth0.conf")).read())
    expect(conf.get("IPV6ADDR") == "fd00:199::5" and conf.get("IPV6NETMASK") == "64" and
           conf.get("IPV6PROTO") == "none", "net6-eth0.conf is not the static address", str(conf))
    expect(not os.path.exists(os.path.join(result.run_dir, "net-eth0.conf")), "an IPv4 net-eth0.conf was written")
    print(f"configured with DAD in {result.elapsed:.1f} s")


def scenario_static_ipv6_duplicate(lab, binary):
    peer = lab.link("eth0", CLIENT_MAC)
    # The peer already has the address, past its own DAD (nodad): were both tentative at once,
    # which one the kernel fails would be a race.
    run("ip", "-n", lab.server, "addr", "add", "fd00:199::5/64", "dev", peer, "nodad")
    result = client(lab, binary, "ip=[fd00:199::5]:::64::eth0:none")
    context = result.stdout + result.stderr
    expect(result.returncode == 1, "the client did not fail", context)
    expect("fd00:199::5/64 on eth0" in result.stderr and "another host on the link has this address" in result.stderr,
           "the failure does not name the duplicate", context)


def scenario_auto6(lab, binary):
    peer = lab.link("eth0", CLIENT_MAC)
    # A kernel that would ignore advertisements: /init must turn them on before the link is up.
    run("ip", "netns", "exec", lab.client, "sh", "-c", "echo 0 > /proc/sys/net/ipv6/conf/eth0/accept_ra")
    lab.start("python3", "-c", RA_SENDER, peer, "2001:db8:199::", log_name="ra.log")
    result = client(lab, binary, "ip=eth0:auto6 rd.net.timeout.dhcp=20")
    context = result.stdout + result.stderr
    expect(result.returncode == 0, "the client failed", context)
    shown = ipv6_addresses(lab, "eth0")
    expect("2001:db8:199:0:" in shown, "no address from the advertised prefix", shown)
    expect("from a router advertisement" in result.stderr, "the address was not reported", context)
    expect(not os.path.exists(os.path.join(result.run_dir, "net6-eth0.conf")), "auto6 wrote a net6 file")
    print(f"autoconfigured in {result.elapsed:.1f} s")


def scenario_auto6_no_router_times_out(lab, binary):
    lab.link("eth0", CLIENT_MAC)
    result = client(lab, binary, "ip=eth0:auto6 rd.net.timeout.dhcp=3")
    context = result.stdout + result.stderr
    expect(result.returncode == 1, "the client did not fail", context)
    expect("no router advertisement gave a global address within 3 s" in result.stderr,
           "the failure does not say that no advertisement came", context)
    print(f"gave up after {result.elapsed:.1f} s")


# --- DHCPv6 (ip=dhcp6): dnsmasq's stateful DHCPv6 and its router advertisements --------------------

# One TCP connection accepted on [ADDRESS]:PORT, its peer logged ("accepted <address>").
TCP_PEER_LOGGER = r"""
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(1)
connection, peer = s.accept()
print("accepted", peer[0], flush=True)
"""

# Connects to [ADDRESS]:PORT, retrying for 10 s while the listener starts.
TCP_CONNECT = r"""
import socket, sys, time
deadline = time.monotonic() + 10
while True:
    try:
        socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5).close()
        break
    except OSError:
        if time.monotonic() > deadline:
            raise
        time.sleep(0.2)
"""


def dnsmasq6(lab, peer):
    """dnsmasq as the link's router and DHCPv6 server: RAs with M set and the prefix on-link but
    not autonomous (so the client's only global address is its lease), DNS and a search list,
    the client's DUID-LL MAC given a fixed address."""
    leases = os.path.join(lab.dir, "dnsmasq6.leases")
    return lab.start("dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--port=0", "--user=root", "--group=root",
                     f"--interface={peer}", "--bind-interfaces", "--log-dhcp", "--enable-ra",
                     f"--dhcp-leasefile={leases}", f"--pid-file={os.path.join(lab.dir, 'dnsmasq6.pid')}",
                     "--dhcp-range=fd00:199::100,fd00:199::150,64,1h",
                     "--dhcp-option=option6:dns-server,[fd00:199::53]",
                     "--dhcp-option=option6:domain-search,lab.test,example.org",
                     f"--dhcp-host={CLIENT_MAC},[fd00:199::77]",
                     log_name="dnsmasq6.log")


def scenario_dhcp6(lab, binary):
    peer = lab.link("eth0", CLIENT_MAC, "fd00:199::1/64")
    dnsmasq6(lab, peer)
    result = client(lab, binary, "ip=eth0:dhcp6 rd.net.timeout.dhcp=30")
    context = result.stdout + result.stderr + lab.log("dnsmasq6.log")
    expect(result.returncode == 0, "the client failed", context)
    expect("DHCPv6 solicit from fe80::" in result.stderr, "the exchange's start was not reported", context)
    line = next((l for l in ipv6_addresses(lab, "eth0").splitlines() if "fd00:199::77/128" in l), "")
    expect(line and "tentative" not in line, "fd00:199::77/128 missing or still tentative", ipv6_addresses(lab, "eth0"))
    conf = values(open(os.path.join(result.run_dir, "net6-eth0.conf")).read())
    for key, want in {"DEVICE6": "eth0", "IPV6PROTO": "dhcp6", "IPV6ADDR": "fd00:199::77", "IPV6NETMASK": "128",
                      "IPV6DNS0": "fd00:199::53", "IPV6DOMAINSEARCH": "lab.test example.org"}.items():
        expect(conf.get(key) == want, f"net6-eth0.conf: {key} is {conf.get(key)!r}, expected {want!r}", str(conf))
    expect(not os.path.exists(os.path.join(result.run_dir, "net-eth0.conf")), "an IPv4 net-eth0.conf was written")
    resolv = open(os.path.join(result.run_dir, "nfsroot-init", "resolv.conf")).read()
    expect("nameserver fd00:199::53\n" in resolv and "search lab.test example.org\n" in resolv,
           "resolv.conf is wrong", resolv)
    network = open(os.path.join(result.run_dir, "systemd", "network", "70-nfsroot-eth0.network")).read()
    # networkd takes advertisements but runs no DHCPv6 client: it would remove the address when
    # it stops (net/networkd_files.cpp); the lease keeper renews the lease.
    for want in ("KeepConfiguration=yes", "DHCP=no", "IPv6AcceptRA=yes", "DHCPv6Client=no"):
        expect(want in network.splitlines(), f"70-nfsroot-eth0.network lacks {want}", network)
    # The server is reached from the lease's address (the on-link prefix came from the RA): a
    # TCP connection to a listener on [fd00:199::1], which logs the peer it accepted.
    lab.start("python3", "-c", TCP_PEER_LOGGER, "fd00:199::1", "2049", log_name="listener.log")
    connect = run("ip", "netns", "exec", lab.client, "python3", "-c", TCP_CONNECT, "fd00:199::1", "2049", check=False)
    expect(connect.returncode == 0, "no TCP connection to [fd00:199::1]:2049", connect.stdout + connect.stderr)
    expect("accepted fd00:199::77" in lab.log("listener.log"), "the connection did not come from the lease's address",
           lab.log("listener.log"))
    log = lab.log("dnsmasq6.log")
    expect("DHCPREPLY(" in log and "fd00:199::77" in log, "dnsmasq did not log its reply", log)
    print(f"DHCPv6 lease in {result.elapsed:.1f} s")


def scenario_dhcp6_no_server_times_out(lab, binary):
    lab.link("eth0", CLIENT_MAC)
    result = client(lab, binary, "ip=eth0:dhcp6 rd.net.timeout.dhcp=4")
    context = result.stdout + result.stderr
    expect(result.returncode == 1, "the client did not fail", context)
    expect("DHCPv6" in result.stderr and "nfsroot-init.dhcp_timeout=" in result.stderr,
           "the failure does not say that no DHCPv6 server answered", context)
    print(f"gave up after {result.elapsed:.1f} s")


# ISC dhcpd -6 with short lifetimes (RFC 8415 21.4: T1 and T2 not configured, the client takes
# 0.5 and 0.8 of the preferred lifetime: 5 s and 8 s) for the lease keeper's RENEW and REBIND.
# No router advertisement: the RENEW and REBIND go from the link-local address to
# [ff02::1:2]:547, and dhcpd needs only a subnet6 for the address on its own link.
ISC6_CONF = """
authoritative;
default-lease-time 20;
max-lease-time 20;
preferred-lifetime 10;
%s
subnet6 fd00:199::/64 {
  range6 fd00:199::100 fd00:199::150;
}
"""


def isc_dhcpd6(lab, peer, server_duid="", log_name="dhcpd6.log"):
    conf = os.path.join(lab.dir, "dhcpd6.conf")
    leases = os.path.join(lab.dir, "dhcpd6.leases")
    with open(conf, "w") as f:
        f.write(ISC6_CONF % server_duid)
    if not os.path.exists(leases):
        open(leases, "w").close()
    return lab.start("dhcpd", "-f", "-d", "-6", "-cf", conf, "-lf", leases, "-pf", os.path.join(lab.dir, "dhcpd6.pid"),
                     peer, log_name=log_name)


def dhcp6_boot_then_keeper(lab, binary, server_duid=""):
    """ip=eth0:dhcp6 against dhcpd -6, the lease file checked, then the keeper started on it."""
    peer = lab.link("eth0", CLIENT_MAC, "fd00:199::1/64")
    server = isc_dhcpd6(lab, peer, server_duid)
    result = client(lab, binary, "ip=eth0:dhcp6 rd.net.timeout.dhcp=30")
    expect(result.returncode == 0, "client failed", result.stdout + result.stderr + lab.log("dhcpd6.log"))
    held = lease_file(result.run_dir)
    address = held.get("ADDRESS", "")
    expect(address.startswith("fd00:199::1") and held.get("LEASE_SECONDS") == "20" and
           held.get("PREFERRED_SECONDS") == "10" and held.get("CLIENT_ID_HEX") == "00030001" + CLIENT_MAC.replace(":", "")
           and held.get("IAID") == str(0x00aabb01) and held.get("RENEWALS") == "0" and "SERVER" not in held,
           "the boot's lease file is not dhcpd's DHCPv6 lease", str(held))
    keeper = start_keeper(lab, binary, result.run_dir)
    return peer, server, result, held, address, keeper


def scenario_keep_lease6(lab, binary):
    # A DHCPv6 lease valid 20 s, preferred 10 s (T1 5 s, T2 8 s): the keeper RENEWs it at each
    # T1, naming dhcpd's DUID, as the same DUID-LL and IAID; dhcpd's log shows each RENEW and
    # its REPLY; SIGTERM stops the keeper and the address stays.
    peer, server, result, held, address, keeper = dhcp6_boot_then_keeper(lab, binary)
    time.sleep(25)  # the test's subject is the passing of time: several T1s of the 20 s lease
    expect(keeper.poll() is None, "the keeper exited", lab.log("keeper.log"))
    log = stop_keeper(lab, keeper)
    server_log = lab.log("dhcpd6.log")
    context = log + server_log
    expect(keeper.returncode == 0, f"the keeper exited with {keeper.returncode} on SIGTERM", context)
    expect(f"eth0: keeping the DHCPv6 lease of {address} from {held['SERVER_ID_HEX']}" in log,
           "the keeper did not start on the DHCPv6 lease", context)
    renewed = log.count(f"eth0: renewed {address} from {held['SERVER_ID_HEX']} for 20 s")
    expect(renewed >= 2, f"{renewed} renewals in 25 s of a 20 s lease", context)
    expect("(rebinding" not in log, "the keeper had to REBIND although the server answered", context)
    renews = server_log.count("Renew message from fe80::")
    replies = len(re.findall(rf"Reply NA: address {re.escape(address)} to client with duid [0-9a-f:]+ iaid = \d+ "
                             r"valid for 20 seconds", server_log))
    expect(renews >= renewed and replies >= 1 + renewed, f"the server saw {renews} RENEWs, replied {replies} times",
           context)
    expect("Release message" not in server_log, "the keeper released the lease", context)
    held = lease_file(result.run_dir)
    expect(int(held.get("RENEWALS", "0")) == renewed and held.get("STATE") == "bound" and held.get("ADDRESS") == address,
           "the lease file does not show the renewals", str(held))
    line = next((l for l in ipv6_addresses(lab, "eth0").splitlines() if f"{address}/128" in l), "")
    expect(line, f"{address}/128 left eth0", ipv6_addresses(lab, "eth0"))
    print(f"{renewed} renewals in 25 s, {renews} RENEWs at the server")


def scenario_keep_lease6_rebind(lab, binary):
    # The server that granted the lease is replaced by one with another DUID (its binding
    # database kept, as after a reinstall): the RENEWs at T1 name the old server and go
    # unanswered (RFC 8415 18.3.4), the REBIND at T2 names none and the new server answers it;
    # the next RENEW names the new server.
    peer, server, result, held, address, keeper = dhcp6_boot_then_keeper(lab, binary)
    stop_keeper(lab, keeper)  # started after the new server, below
    server.terminate()
    server.wait(5)
    old = held["SERVER_ID_HEX"]
    # dhcpd takes its DUID from the lease file before the configuration: the new server keeps
    # the bindings and not the DUID.
    leases = os.path.join(lab.dir, "dhcpd6.leases")
    text = open(leases).read()
    open(leases, "w").write(re.sub(r"^server-duid .*\n", "", text, flags=re.M))
    isc_dhcpd6(lab, peer, 'server-duid EN 2495 "nfsroot-rebind";', log_name="dhcpd6-new.log")
    new = "0002000009bf" + b"nfsroot-rebind".hex()
    keeper = start_keeper(lab, binary, result.run_dir)
    # T1 5 s, T2 8 s from the boot's REPLY; then RENEW again 5 s after the new server's REPLY.
    time.sleep(18)  # the test's subject is the passing of time
    log = stop_keeper(lab, keeper)
    context = log + lab.log("dhcpd6-new.log")
    expect(f"sending RENEW for {address} to ff02::1:2 (renewing" in log, "no RENEW at T1", context)
    expect(f"sending REBIND for {address} to ff02::1:2 (rebinding" in log, "no REBIND at T2", context)
    expect(f"eth0: renewed {address} from {old}" not in log, "the old server's DUID answered", context)
    expect(f"eth0: renewed {address} from {new} for 20 s" in log, "the new server's REPLY to the REBIND was not taken",
           context)
    rebound = log.index(f"eth0: renewed {address} from {new}")
    expect("(renewing" in log[rebound:], "no RENEW after the REBIND's REPLY", context)
    expect(log.count(f"eth0: renewed {address} from {new}") >= 2, "the RENEW to the new server was not answered",
           context)
    expect("Discarding Renew from fe80::" in lab.log("dhcpd6-new.log") and
           "not our server identifier" in lab.log("dhcpd6-new.log"),
           "the new server did not see (and discard) a RENEW naming the old one", context)
    expect("Rebind message from fe80::" in lab.log("dhcpd6-new.log"), "the new server saw no REBIND", context)
    expect(lease_file(result.run_dir).get("SERVER_ID_HEX") == new, "the lease file still names the old server",
           context)
    line = next((l for l in ipv6_addresses(lab, "eth0").splitlines() if f"{address}/128" in l), "")
    expect(line, f"{address}/128 left eth0", ipv6_addresses(lab, "eth0"))
    print(f"rebound to {new} at T2")


SCENARIOS = {name[len("scenario_"):]: f for name, f in globals().items() if name.startswith("scenario_")}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", required=True)
    ap.add_argument("scenario", choices=sorted(SCENARIOS))
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("dhcp_servers.py: needs root (network namespaces); run the tests as root")
    for tool in ("ip", "dnsmasq", "dhcpd", "unshare"):
        if not shutil.which(tool):
            sys.exit(f"dhcp_servers.py: {tool} not found: run scripts/setup.sh")
    try:
        with Lab() as lab:
            SCENARIOS[args.scenario](lab, os.path.abspath(args.binary))
    except (Failure, RuntimeError, subprocess.TimeoutExpired) as error:
        print(f"FAILED: {error}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
