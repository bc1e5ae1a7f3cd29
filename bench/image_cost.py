#!/usr/bin/env python3
"""The server's cost of one boot, directory mode vs image mode vs copy-to-RAM, and a boot storm.

    sudo bench/image_cost.py [--modes dir,image,sorted,toram] [--boots 1] [--clients 8] [--keep]

Issue 12's measurements, side by side in one run, for the Debian systemd test root
(tests/boot/debian_root.py, cached in .cache/debian-root) booted to multi-user.target:

  dir     ip=dhcp root=/dev/nfs ro nfsroot=10.99.0.1:<copy of the root>
  image   the same root packed by image-tool/nfsroot-image build (squashfs, channel "debian"),
          nfsroot=10.99.0.1:<images> nfsroot-init.image=debian
  sorted  image mode with the same root packed by nfsroot-image build --boot-order, so that the
          files a boot reads come first, in the order it reads them, in 1 MiB blocks
          (--sorted-block); the list is nfsroot-image boot-order's: the atimes of one
          directory-mode boot on the fresh copy, before any image is built (not counted). /init
          reads such an image ahead by its block size (nfsroot-init.image_readahead=).
  toram   image mode plus nfsroot-init.toram (copy the image into a tmpfs, unmount the export)

The bench copies the root into its work folder and adds its probe (bench/image-cost-root/): a
oneshot unit after multi-user.target that prints the client's own NFS counters on the serial
console (/proc/net/rpc/nfs: every RPC the kernel's NFS client sent since boot, by procedure,
also for an export already unmounted; /proc/self/mountstats: per mount, ops by name and bytes),
before the test root's report unit checks the boot and powers the client off. The image is
built from that copy, so both modes boot the same files. Kernel and modules are the root's own
(its /boot/vmlinuz-*, its /lib/modules), the initrd tests/boot/mkinitrd.py's around --init with
8139cp 8139too nfsv3 nfsv4 overlay loop squashfs.

Everything runs in a private network namespace (tests/boot/netns_lab.py's Lab): a bridge at
10.99.0.1 with one tap device per client, dnsmasq giving client j the fixed address 10.99.0.(20+j)
by its MAC (52:54:00:be:00:jj), and nfs-ganesha (tests/boot/nfs_server.py --netns) serving the
root copy and the images folder read-only on 10.99.0.1 (ports 2049, 20048 and rpcbind's 111 of
the namespace: the host's own NFS test server is not touched). QEMU: tests/boot/qemu_boot.py,
-accel tcg, one vCPU, --memory MiB, --nic (default virtio-net-pci) on the tap.

1. Cost: each mode booted --boots times, one client at a time. Per boot: the NFS RPCs by
   procedure (NFSv3 decoded by RFC 1813's numbering; NFSv4 by the names the guest's own
   mountstats gives), their total, the READ payload (mountstats "bytes:" serverreadbytes, where
   the mount is still there at multi-user), the bytes on the wire from the server to the client
   (the tap's tx counter once the probe has read the guest's counters: RPC, TCP/IP, DHCP and ARP
   included), nfs-ganesha's CPU time (utime+stime of its process) and the time to multi-user.
2. Storm: for each mode, --clients QEMU clients powered on at once against the one server, each
   on its own tap, MAC and address. Per client: wall time from power-on until the probe's line
   (and systemd's own multi-user timestamp in the guest), median and max; ganesha's CPU seconds
   from power-on to the last client at multi-user; the NFS ops and wire bytes of all clients.
3. A model from the per-boot cost: clients booted per minute by one server at 1 and 10 Gbit/s
   (wire bytes per boot against the link) and by the ops it serves per CPU second (measured in
   the storm), and where copy-to-RAM pays.

Needs root, qemu-system-x86, nfs-ganesha, rpcbind, dnsmasq, iproute2, squashfs-tools, and the
Debian root (debian_root.py build, or a ctest run of boot.debian_root_image). The work folder
(a copy of the root, about 1 GB, and the image) is removed at the end unless --keep.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import stat
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)
BOOT = os.path.join(SOURCE, "tests", "boot")
TOOL = os.path.join(SOURCE, "image-tool", "nfsroot-image")
PROBE = os.path.join(HERE, "image-cost-root")
PY = sys.executable
sys.path.insert(0, BOOT)
import netns_lab  # noqa: E402  (tests/boot: the namespace, bridge, taps, dnsmasq)
from boot_compare import cpu_model, table  # noqa: E402  (beside this script: the same report helpers)

MODES = ("dir", "image", "sorted", "toram")
SERVER = netns_lab.SERVER_IP
NFS_PORT = 2049  # the namespace's own ports: the standard one, so no port= is needed
# The NICs of --nic (/init loads the one present by its modalias); tests/boot/image.cmake's
# image modules; af_alg and algif_hash: the kernel's SHA-256 for
# nfsroot-init.toram's check of the copy
MODULES = ["virtio_pci", "virtio_net", "8139cp", "8139too", "nfsv3", "nfsv4", "overlay", "loop", "squashfs", "af_alg", "algif_hash"]
CHANNEL = "debian"
SORTED_CHANNEL = "debian-sorted"
API_DIRS = ("proc", "sys", "dev", "run", "tmp")  # image-tool/nfsroot-image's: packed empty
PROBE_UNIT = "nfsroot-bench-counters.service"
MARK = re.compile(r"^BENCH: start", re.M)      # the probe runs: multi-user.target is reached
COUNTED = re.compile(r"^BENCH: counted", re.M)  # the guest's NFS counters are read
END = re.compile(r"^BENCH: END", re.M)

# RFC 1813's procedure numbers: the order of the "proc3" line of /proc/net/rpc/nfs.
NFS3_PROCS = ["NULL", "GETATTR", "SETATTR", "LOOKUP", "ACCESS", "READLINK", "READ", "WRITE",
              "CREATE", "MKDIR", "SYMLINK", "MKNOD", "REMOVE", "RMDIR", "RENAME", "LINK",
              "READDIR", "READDIRPLUS", "FSSTAT", "FSINFO", "PATHCONF", "COMMIT"]


def log(msg):
    print(f"image_cost: {msg}", flush=True)


class Failed(Exception):
    pass


def run(cmd, timeout, **kw):
    """Run a helper; its output is shown only when it fails."""
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=timeout, **kw)
    if p.returncode != 0:
        sys.stdout.write(p.stdout)
        raise Failed(f"failed (exit {p.returncode}): {' '.join(cmd)}")
    return p.stdout


# --- the root, the image, the initrd ---------------------------------------------------------------

def prepare_root(src, dest):
    """A copy of the Debian root with the bench's probe unit enabled."""
    run(["cp", "-a", "--reflink=auto", src, dest], 1800)
    for top, _, files in os.walk(PROBE):
        for name in files:
            path = os.path.join(top, name)
            target = os.path.join(dest, os.path.relpath(path, PROBE))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copy2(path, target)
    run(["systemctl", f"--root={dest}", "enable", PROBE_UNIT], 60)


def root_kernel(root):
    """(vmlinuz, lib/modules/KVER) of the root's newest kernel."""
    kvers = sorted(k for k in os.listdir(os.path.join(root, "lib", "modules"))
                   if os.path.isfile(os.path.join(root, "boot", f"vmlinuz-{k}")))
    if not kvers:
        raise Failed(f"{root} has no /boot/vmlinuz-KVER with its /lib/modules/KVER")
    k = kvers[-1]
    return os.path.join(root, "boot", f"vmlinuz-{k}"), os.path.join(root, "lib", "modules", k), k


def boot_files(root, since, order_file):
    """The root's regular files read since `since`, in the order first read: the image tool's
    `boot-order` (atimes, which the host's relatime updates on the first read after cp -a gave
    the files a new ctime), kept in `order_file` for `build --boot-order`."""
    p = subprocess.run([TOOL, "boot-order", root, "--since", f"@{since:.9f}"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=600)
    if p.returncode != 0:
        sys.stdout.write(p.stderr)
        raise Failed(f"nfsroot-image boot-order failed (exit {p.returncode})")
    listed = p.stdout
    with open(order_file, "w") as f:
        f.write(listed)
    return [line.lstrip("/") for line in listed.splitlines() if line]


def build_sorted_image(root, images, order_file, block):
    """The same root packed by `nfsroot-image build --boot-order` (the boot's files first, in the
    order it read them, in blocks of `block` bytes), into its own channel."""
    run([TOOL, "build", root, images, "--name", SORTED_CHANNEL, "--keep", "1", "--boot-order", order_file,
         "--block-size", str(block)], 1800)
    with open(os.path.join(images, SORTED_CHANNEL, "current")) as f:
        name = f.read().strip()
    return os.path.getsize(os.path.join(images, SORTED_CHANNEL, name))


def du_bytes(path):
    return int(run(["du", "-sb", path], 600).split()[0])


# --- the console ----------------------------------------------------------------------------------

def parse_console(text, v4_names):
    """What the probe and /init printed: ops by name, bytes, times, the client's address."""
    r = {"ops": {}, "rpc_calls": None, "read_payload": None, "multi_user": None,
         "uptime": None, "root": None, "failed_units": None, "address": None,
         "checks": ("passed" if "DEBIANROOT: all checks passed" in text else
                    "FAILED" if re.search(r"^DEBIANROOT: [0-9]+ checks failed", text, re.M) else "-"),
         "image": None, "toram": None, "v4_names": None}
    for line in re.findall(r"^BENCH: rpc-nfs (.*)$", text, re.M):
        f = line.split()
        if f[0] == "rpc":
            r["rpc_calls"] = int(f[1])
        elif f[0] in ("proc3", "proc4"):
            counts = [int(x) for x in f[2:]]
            names = NFS3_PROCS if f[0] == "proc3" else v4_names
            for i, c in enumerate(counts):
                if c == 0 or i == 0:  # NULL is the transport's ping, not a file system op
                    continue
                name = names[i] if names and i < len(names) else f"#{i}"
                key = f"{name}" if f[0] == "proc3" else f"v4 {name}"
                r["ops"][key] = r["ops"].get(key, 0) + c
    # mountstats: one section per NFS mount; a superblock mounted twice shows twice.
    sections, cur = {}, None
    for line in re.findall(r"^BENCH: mountstats (.*)$", text, re.M):
        m = re.match(r"device (\S+) mounted on (\S+) with fstype (\S+)", line)
        if m:
            cur = {"device": m.group(1), "fstype": m.group(3), "lines": [], "ops": []}
            sections[m.group(2)] = cur
            continue
        if cur is None:
            continue
        cur["lines"].append(line.strip())
        m = re.match(r"\s*([A-Z_0-9]+): (\d+)", line)
        if m and not line.strip().startswith(("bytes:", "events:", "xprt:")):
            cur["ops"].append(m.group(1))
    seen, payload = set(), 0
    for s in sections.values():
        key = (s["device"], tuple(s["lines"]))
        if key in seen:
            continue
        seen.add(key)
        for line in s["lines"]:
            if line.startswith("bytes:"):
                payload += int(line.split()[5])  # serverreadbytes
        if s["fstype"] == "nfs4" and s["ops"]:
            r["v4_names"] = s["ops"]
    if sections:
        r["read_payload"] = payload
    m = re.search(r"^BENCH: multi-user (\d+) us", text, re.M)
    if m and int(m.group(1)) > 0:
        r["multi_user"] = int(m.group(1)) / 1e6
    m = re.search(r"^BENCH: uptime ([0-9.]+) s", text, re.M)
    if m:
        r["uptime"] = float(m.group(1))
    m = re.search(r"^BENCH: root (.*)$", text, re.M)
    if m:
        r["root"] = m.group(1).strip()
    m = re.search(r"^BENCH: failed-units (\d+)", text, re.M)
    if m:
        r["failed_units"] = int(m.group(1))
    m = re.search(r"^BENCH: address \S+ (\d+\.\d+\.\d+\.\d+)", text, re.M)
    if m:
        r["address"] = m.group(1)
    m = re.search(r"root: image (\S+) \((\w+), (\d+) KiB", text)
    if m:
        r["image"] = (m.group(1), m.group(2), int(m.group(3)))
    m = re.search(r"copied to RAM in (\d+) ms \(([^)]*)\)", text)
    if m:
        r["toram"] = (int(m.group(1)), m.group(2))
    r["unmounted"] = bool(re.search(r"root: unmounted .*: the client no longer needs the server", text))
    r["total_ops"] = sum(r["ops"].values())
    return r


# --- the lab: namespace, dnsmasq, ganesha ---------------------------------------------------------

def mac(j):
    return f"52:54:00:be:00:{j:02x}"


def tap(j):
    return f"icost{j}"


class Bench:
    def __init__(self, args, work):
        self.args, self.work = args, work
        self.lab = None
        self.nfs_state = os.path.join(work, "lab", "nfs")
        self.ganesha_pid = None
        self.v4_names = None

    def start_lab(self, root, images):
        n = max(self.args.clients, 1)
        taps = [(tap(j), mac(j), True) for j in range(n)]
        self.lab = netns_lab.Lab(f"imgcost{os.getpid()}", os.path.join(self.work, "lab"), taps)
        self.lab.setup()
        self.lab.dnsmasq([(mac(j), "") for j in range(n)], {})
        self.lab.nfs_started = True  # teardown stops it, whatever happens below
        out = run([PY, os.path.join(BOOT, "nfs_server.py"), "start", f"--state-dir={self.nfs_state}",
                   f"--netns={self.lab.ns}", f"--host={SERVER}", f"--nfs-port={NFS_PORT}",
                   f"--export={root}", f"--export={images}", "--timeout=60"], 120)
        self.lab.log("nfs_server.py start: " + out.strip().replace("\n", "; "))
        with open(os.path.join(self.nfs_state, "state.json")) as f:
            self.ganesha_pid = json.load(f)["ganesha"]["pid"]
        log(f"namespace {self.lab.ns}: dnsmasq and nfs-ganesha (pid {self.ganesha_pid}) on "
            f"{SERVER}, {n} tap(s)")

    def stop_lab(self):
        if self.lab:
            self.lab.teardown()
            self.lab = None

    def ganesha_cpu(self):
        """utime + stime of nfs-ganesha, in seconds (all its threads)."""
        with open(f"/proc/{self.ganesha_pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def tap_bytes(self):
        """{tap: (bytes to the client, bytes from it)} from the namespace's link counters."""
        out = run(["ip", "-n", self.lab.ns, "-s", "-j", "link", "show"], 30)
        res = {}
        for link in json.loads(out):
            st = link.get("stats64") or link.get("stats") or {}
            if "tx" in st:
                res[link["ifname"]] = (st["tx"]["bytes"], st["rx"]["bytes"])
        return res

    def tcp_counters(self):
        """(segments sent, segments retransmitted) by TCP in the namespace: the server's side
        (ganesha, rpcbind; dnsmasq speaks UDP)."""
        out = run(["ip", "netns", "exec", self.lab.ns, "cat", "/proc/net/snmp"], 30).splitlines()
        for names, values in zip(out[::2], out[1::2]):
            if names.startswith("Tcp:"):
                d = dict(zip(names.split()[1:], (int(v) for v in values.split()[1:])))
                return d["OutSegs"], d["RetransSegs"]
        raise Failed("no Tcp: line in the namespace's /proc/net/snmp")

    # --- boots ---------------------------------------------------------------------------------

    def append(self, mode, images, root):
        if mode == "dir":
            return f"ip=dhcp root=/dev/nfs ro nfsroot={SERVER}:{root}"
        channel = SORTED_CHANNEL if mode == "sorted" else CHANNEL
        line = f"ip=dhcp root=/dev/nfs ro nfsroot={SERVER}:{images} nfsroot-init.image={channel}"
        line += " nfsroot-init.toram" if mode == "toram" else ""
        return line + (f" {self.args.image_append}" if self.args.image_append else "")

    def boot_many(self, mode, clients, append, tag):
        """Power on len(clients) QEMU clients at once; wait for all; per-client results."""
        a = self.args
        cpu0, taps0, tcp0, t0 = self.ganesha_cpu(), self.tap_bytes(), self.tcp_counters(), time.monotonic()
        procs = []
        for j in clients:
            logfile = os.path.join(self.work, "logs", f"{tag}.c{j}.console.log")
            cmd = [PY, os.path.join(BOOT, "qemu_boot.py"), f"--kernel={self.kernel}",
                   f"--initrd={self.initrd}", f"--append={append}", f"--log={logfile}",
                   f"--timeout={a.timeout:g}", f"--memory={a.memory}",
                   f"--netns={self.lab.ns}", f"--tap={tap(j)}={mac(j)}",
                   "--expect=^BENCH: END", "--expect=^DEBIANROOT: DONE", f"--nic={a.nic}",
                   # /init gave up (it then waits for ever without a rescue shell): stop at once
                   "--reject=nfsroot-init: .*(root failed|waiting forever)"]
            out = open(os.path.join(self.work, "logs", f"{tag}.c{j}.qemu_boot.out"), "w")
            p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                                 preexec_fn=netns_lab.die_with_parent)
            out.close()
            procs.append({"j": j, "proc": p, "log": logfile, "pos": 0, "text": "",
                          "mark_at": None, "counted": False, "end_at": None, "taps": None, "cpu": None})
        last_mark_cpu = None
        while True:
            pending = False
            for c in procs:
                if c["end_at"] is None:
                    try:
                        with open(c["log"], errors="replace") as f:
                            f.seek(c["pos"])
                            chunk = f.read()
                            c["pos"] = f.tell()
                        c["text"] += chunk
                    except OSError:
                        pass
                    now = time.monotonic()
                    if c["mark_at"] is None and MARK.search(c["text"]):
                        c["mark_at"] = now - t0
                    if not c["counted"] and COUNTED.search(c["text"]):
                        # the wire and the server's CPU up to the guest's own counters
                        c["counted"] = True
                        c["taps"] = self.tap_bytes()[tap(c["j"])]
                        c["cpu"] = self.ganesha_cpu() - cpu0
                    if END.search(c["text"]):
                        c["end_at"] = now - t0
                if c["proc"].poll() is None:
                    pending = True
            if all(c["counted"] or c["proc"].poll() is not None for c in procs) \
                    and last_mark_cpu is None:
                last_mark_cpu = self.ganesha_cpu() - cpu0
                last_mark_t = time.monotonic() - t0
                tcp1 = self.tcp_counters()
            if not pending:
                break
            time.sleep(0.25)
        cpu_all, wall_all = self.ganesha_cpu() - cpu0, time.monotonic() - t0
        results = []
        for c in procs:
            with open(c["log"], errors="replace") as f:
                text = f.read()
            r = parse_console(text, self.v4_names)
            if r["v4_names"] and not self.v4_names:
                self.v4_names = r["v4_names"]
                r = parse_console(text, self.v4_names)
            r["client"] = c["j"]
            r["wall"] = c["mark_at"]
            r["log"] = c["log"]
            r["ok"] = c["proc"].returncode == 0 and c["mark_at"] is not None and r["rpc_calls"] is not None
            before = taps0.get(tap(c["j"]), (0, 0))
            r["wire_in"] = c["taps"][0] - before[0] if c["taps"] else None
            r["wire_out"] = c["taps"][1] - before[1] if c["taps"] else None
            r["server_cpu"] = c["cpu"]
            results.append(r)
            if r["ok"] and mode == "toram" and (r["read_payload"] is not None or not r["toram"]
                                                 or not r["unmounted"]):
                # No copy, or the export still mounted at multi-user: not copy-to-RAM's boot.
                r["ok"] = False
                log(f"{tag} client {c['j']}: /init did not copy to RAM and unmount the export "
                    f"(an /init without nfsroot-init.toram?); see {c['log']}")
            elif not r["ok"]:
                log(f"{tag} client {c['j']}: failed (qemu_boot.py exit {c['proc'].returncode}; "
                    f"see {c['log']})")
        segments, retrans = tcp1[0] - tcp0[0], tcp1[1] - tcp0[1]
        for r in results:  # one client: its own; several: the storm's
            r["tcp"] = (segments, retrans)
        summary = {"cpu_to_last_mark": last_mark_cpu, "wall_to_last_mark": last_mark_t,
                   "tcp": (segments, retrans),
                   "cpu_all": cpu_all, "wall_all": wall_all}
        return results, summary


# --- the report -----------------------------------------------------------------------------------

def mib(n):
    return f"{n / 1048576:.1f}" if n is not None else "-"


def med(values, fmt="{:.1f}"):
    values = [v for v in values if v is not None]
    return fmt.format(statistics.median(values)) if values else "-"


def spread(values, fmt="{:.1f}"):
    values = [v for v in values if v is not None]
    if not values:
        return "-"
    if len(values) == 1:
        return fmt.format(values[0])
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}-{fmt.format(max(values))})"


def report(args, modes, cost, storm, info):
    print()
    print(f"image_cost: the Debian systemd root to multi-user.target; QEMU TCG, 1 vCPU, "
          f"{args.memory} MiB, {args.nic} on a tap, one bridge; nfs-ganesha (VFS, NFSv3, TCP) in the "
          f"same namespace; kernel {info['kver']}")
    if getattr(args, "image_append", ""):
        print(f"image modes' command line also has: {args.image_append}")
    print(f"date {info['date']}; host {platform.node()}, {os.cpu_count()} CPUs, {cpu_model()}, "
          f"{info['mem_mib']} MiB RAM; load average {info['load0']} at the start, "
          f"{info['load1']} at the end; run took {info['took']:.0f} s")
    print(f"root: {mib(info['root_bytes'])} MiB in {info['root_files']} files; image "
          f"{info['image_name']}: {mib(info['image_bytes'])} MiB squashfs "
          f"(nfsroot-image build {info['build_s']:.0f} s)")
    if info.get("sorted_bytes"):
        n, size = info["boot_files"]
        print(f"sorted image: {mib(info['sorted_bytes'])} MiB squashfs in {info.get('sorted_block', 131072) // 1024} KiB "
              f"blocks, the {n} files ({mib(size)} MiB) a directory-mode boot read first, in the order "
              f"it read them (nfsroot-image boot-order, then build --boot-order)")
    print()

    # 1. cost of one boot
    if cost:
        print(f"1. The server's cost of one boot ({args.boots} boot(s) per mode, one client at a "
              f"time; median over the boots that reached multi-user)")
        kinds = sorted({k for m in modes for r in cost.get(m, []) if r["ok"] for k in r["ops"]},
                       key=lambda k: -max(statistics.median([r["ops"].get(k, 0) for r in cost[m] if r["ok"]] or [0])
                                           for m in modes if cost.get(m)))
        hdr = ["NFS ops by kind"] + list(modes)
        rows = []
        for k in kinds:
            rows.append([k] + [med([r["ops"].get(k, 0) for r in cost.get(m, []) if r["ok"]], "{:.0f}")
                               for m in modes])
        good = {m: [r for r in cost.get(m, []) if r["ok"]] for m in modes}
        rows.append(["total NFS ops"] + [med([r["total_ops"] for r in good[m]], "{:.0f}") for m in modes])
        rows.append(["  of them not READ"] + [med([r["total_ops"] - r["ops"].get("READ", 0) - r["ops"].get("v4 READ", 0)
                                                    for r in good[m]], "{:.0f}") for m in modes])
        rows.append(["RPC calls (rpc line)"] + [med([r["rpc_calls"] for r in good[m]], "{:.0f}") for m in modes])
        rows.append(["READ payload MiB (mountstats)"] + [
            med([r["read_payload"] / 1048576 if r["read_payload"] is not None else None
                 for r in good[m]], "{:.2f}") if m != "toram" else
            f"{info['image_bytes'] / 1048576:.2f} (the image)" for m in modes])
        rows.append(["wire server->client MiB"] + [med([r["wire_in"] / 1048576 if r["wire_in"] is not None else None
                                                         for r in good[m]], "{:.2f}") for m in modes])
        rows.append(["server TCP segments retransmitted"] + [
            med([100 * r["tcp"][1] / r["tcp"][0] if r["tcp"][0] else 0 for r in good[m]], "{:.2f} %")
            for m in modes])
        rows.append(["wire client->server MiB"] + [med([r["wire_out"] / 1048576 if r["wire_out"] is not None else None
                                                         for r in good[m]], "{:.2f}") for m in modes])
        if "toram" in modes:
            rows.append(["copy to RAM ms"] + [
                med([r["toram"][0] for r in good[m] if r["toram"]], "{:.0f}") + (
                    f" ({good[m][0]['toram'][1]})" if good[m] and good[m][0]["toram"] else "")
                if m == "toram" else "-" for m in modes])
        rows.append(["ganesha CPU s to multi-user"] + [med([r["server_cpu"] for r in good[m]], "{:.2f}") for m in modes])
        rows.append(["multi-user at (guest uptime s)"] + [spread([r["multi_user"] for r in good[m]]) for m in modes])
        rows.append(["root"] + [(good[m][0]["root"] or "-").split()[-1] if good[m] else "-" for m in modes])
        rows.append(["report checks"] + [",".join(sorted({r["checks"] for r in cost.get(m, [])})) or "-"
                                         for m in modes])
        rows.append(["boots ok"] + [f"{len(good[m])}/{len(cost.get(m, []))}" for m in modes])
        table(hdr, rows)
        print()
        if "dir" in modes and "image" in modes and good["dir"] and good["image"]:
            d = statistics.median([r["total_ops"] for r in good["dir"]])
            i = statistics.median([r["total_ops"] for r in good["image"]])
            print(f"   ratio dir / image of total NFS ops: {d:.0f} / {i:.0f} = {d / i:.1f}x "
                  f"(goal >= 10x: {'met' if d >= 10 * i else 'NOT met'})")
        for other in ("sorted", "toram"):
            if "dir" in modes and other in modes and good["dir"] and good[other]:
                d = statistics.median([r["total_ops"] for r in good["dir"]])
                t = statistics.median([r["total_ops"] for r in good[other]])
                print(f"   ratio dir / {other} of total NFS ops: {d:.0f} / {t:.0f} = {d / t:.1f}x")
        print()

    # 2. storm
    if storm:
        print(f"2. Boot storm: {args.clients} clients powered on at once against the one server, "
              f"each mode in turn")
        hdr = ["mode", "ok", "to multi-user wall s median", "max", "guest uptime s median", "max",
               "distinct addresses", "report checks passed", "ganesha CPU s", "TCP retransmitted", "storm wall s", "NFS ops (all clients)",
               "wire server->client MiB"]
        rows = []
        for m in modes:
            if m not in storm:
                continue
            rs, s = storm[m]
            g = [r for r in rs if r["ok"]]
            walls = [r["wall"] for r in g]
            ups = [r["multi_user"] for r in g if r["multi_user"] is not None]
            addrs = {r["address"] for r in g if r["address"]}
            rows.append([m, f"{len(g)}/{len(rs)}",
                         f"{statistics.median(walls):.1f}" if walls else "-",
                         f"{max(walls):.1f}" if walls else "-",
                         f"{statistics.median(ups):.1f}" if ups else "-",
                         f"{max(ups):.1f}" if ups else "-",
                         f"{len(addrs)}/{len(rs)}",
                         f"{sum(r['checks'] == 'passed' for r in rs)}/{len(rs)}",
                         f"{s['cpu_to_last_mark']:.2f}" if s["cpu_to_last_mark"] is not None else "-",
                         f"{100 * s['tcp'][1] / s['tcp'][0]:.2f} %" if s["tcp"][0] else "-",
                         f"{s['wall_to_last_mark']:.0f}",
                         str(sum(r["total_ops"] for r in g)),
                         f"{sum(r['wire_in'] or 0 for r in g) / 1048576:.1f}"])
        table(hdr, rows)
        print("   (wall: from power-on of all clients until the client's probe line; guest uptime: "
              "systemd's multi-user.target timestamp;")
        print("    ganesha CPU: utime+stime of the server process from power-on until the last "
              "client reached multi-user)")
        if "dir" in storm and "image" in storm:
            wd = [r["wall"] for r in storm["dir"][0] if r["ok"]]
            wi = [r["wall"] for r in storm["image"][0] if r["ok"]]
            if wd and wi:
                md, mi = statistics.median(wd), statistics.median(wi)
                print(f"   storm median to multi-user, image {mi:.1f} s vs dir {md:.1f} s "
                      f"(goal image below dir: {'met' if mi < md else 'NOT met'})")
        print()

    # 3. model
    model(args, modes, cost, storm, info)


def model(args, modes, cost, storm, info):
    good = {m: [r for r in cost.get(m, []) if r["ok"]] for m in modes} if cost else {}
    if not any(good.values()):
        return
    # The server's CPU per boot: from the storm (its CPU over its clients: more ticks, less
    # rounding), else the single boots; ops per CPU second, as a rate to compare with others.
    cpu = {}
    for m in modes:
        if storm and m in storm:
            rs, s = storm[m]
            n = sum(r["ok"] for r in rs)
            if n and s["cpu_to_last_mark"]:
                cpu[m] = (s["cpu_to_last_mark"] / n, f"{m} storm")
        if m not in cpu and good.get(m):
            vals = [r["server_cpu"] for r in good[m] if r["server_cpu"] is not None]
            if vals:
                cpu[m] = (statistics.median(vals), f"single {m} boots")
    print("3. Model: clients one server boots per minute, from the per-boot cost above")
    for m in modes:
        if m in cpu and good.get(m):
            o = statistics.median([r["total_ops"] for r in good[m]])
            print(f"   {m}: ganesha {cpu[m][0]:.3f} CPU s per boot ({cpu[m][1]}), "
                  f"{o / cpu[m][0]:,.0f} NFS ops per CPU second" if cpu[m][0] else
                  f"   {m}: ganesha CPU per boot below the clock tick")
    if args.server_ops_per_s:
        print(f"   server: {args.server_ops_per_s:,.0f} NFS ops per second (--server-ops-per-s)")
    hdr = ["mode", "wire MiB per boot", "ops per boot", "boots/min at 1 Gbit/s", "at 10 Gbit/s",
           "boots/min by server CPU (1 core)", "bound at 1 Gbit/s", "bound at 10 Gbit/s"]
    rows = []
    per = {}
    for m in modes:
        g = good.get(m)
        if not g:
            continue
        b = statistics.median([r["wire_in"] for r in g if r["wire_in"] is not None])
        o = statistics.median([r["total_ops"] for r in g])
        per[m] = (b, o)
        link = {rate_bits: 60 * rate_bits / 8 / b for rate_bits in (1e9, 10e9)}
        if args.server_ops_per_s:
            by_cpu = 60 * args.server_ops_per_s / o
        else:
            by_cpu = 60 / cpu[m][0] if m in cpu and cpu[m][0] else None
        bound = lambda x: (f"{min(x, by_cpu):,.0f} ({'link' if x < by_cpu else 'server'})" if by_cpu
                           else f"{x:,.0f} (link)")
        rows.append([m, f"{b / 1048576:.1f}", f"{o:.0f}", f"{link[1e9]:,.0f}", f"{link[10e9]:,.0f}",
                     f"{by_cpu:,.0f}" if by_cpu else "-", bound(link[1e9]), bound(link[10e9])])
    table(hdr, rows)
    print("   (link: the wire bytes from the server per boot against the whole link rate, no other "
          "traffic; server CPU: one core of this host")
    print("    busy with nothing but ganesha's work per boot, as measured; the bound is the smaller)")
    if "image" in per and "toram" in per:
        bi, oi = per["image"]
        bt, ot = per["toram"]
        extra = bt - bi
        image = info.get("image_bytes") or bt
        print("   Where copy-to-RAM pays:")
        print(f"   - bytes: it reads {bt / 1048576:.1f} MiB per boot (the whole image, once), image mode "
              f"{bi / 1048576:.1f} MiB (what the boot touches): {extra / 1048576:.0f} MiB more. Image")
        print(f"     mode makes that up only as a client goes on reading blocks it has not read (at most "
              f"the {max(image - bi, 0) / 1048576:.0f} MiB the boot left unread)")
        print("     or reads again what its page cache dropped: in bytes copy-to-RAM pays only for "
              "clients that end up using nearly all of the image, or that")
        print("     are short of RAM to cache it (then it also needs that RAM for the copy).")
        if ot < oi:
            print(f"   - ops: at once, {ot:.0f} against {oi:.0f} per boot (the copy's 1 MiB sequential "
                  "READs against one READ per squashfs block read at a random offset), and none after the boot.")
        else:
            print(f"   - ops: {ot:.0f} against {oi:.0f} per boot; none after the boot, so it pays once "
                  "the later reads of image mode make up the difference.")
        print("   - the server: after the copy the client needs none (a restart, an outage, an upgrade "
              "that deletes the version are invisible to it).")
        print(f"   - the link: the copy holds it {8 * bt / 1e9:.1f} s per client at 1 Gbit/s, "
              f"{8 * bt / 1e10:.2f} s at 10 Gbit/s (N clients at once: N times that); image mode")
        print(f"     {8 * bi / 1e9:.2f} s. So a storm at 1 Gbit/s boots {60 * 1e9 / 8 / bt:,.0f} clients a "
              f"minute copied to RAM against {60 * 1e9 / 8 / bi:,.0f} in image mode; at 10 Gbit/s "
              f"{60 * 1e10 / 8 / bt:,.0f} against {60 * 1e10 / 8 / bi:,.0f}.")
        print(f"     Copy-to-RAM keeps up with image mode's server-CPU bound only from a link of "
              f"{8 * bt * (60 / cpu['image'][0]) / 60 / 1e9:.0f} Gbit/s on." if "image" in cpu and cpu["image"][0]
              else "")
    print()


# --- main -----------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 2)[2])
    ap.add_argument("--modes", default=",".join(MODES),
                    help=f"comma-separated, of {', '.join(MODES)} (default: all)")
    ap.add_argument("--boots", type=int, default=1,
                    help="cost boots per mode, one client at a time (default 1; 0: none)")
    ap.add_argument("--clients", type=int, default=8,
                    help="clients of the storm (default 8; 0: no storm)")
    ap.add_argument("--timeout", type=float, default=1200,
                    help="seconds per QEMU boot (default 1200: a storm under TCG is slow)")
    ap.add_argument("--memory", type=int, default=1024,
                    help="guest MiB (default 1024: copy-to-RAM holds the image in a tmpfs)")
    ap.add_argument("--nic", default="virtio-net-pci",
                    help="the clients' NIC (default virtio-net-pci: QEMU's rtl8139 under TCG drops "
                         "about half the frames of a bulk read and TCP sends them again, so the "
                         "wire bytes would measure QEMU; rtl8139 is the seed's)")
    ap.add_argument("--debian-dir", default=os.path.join(SOURCE, ".cache", "debian-root"),
                    help="debian_root.py's --dir (its root/ is copied; default .cache/debian-root)")
    ap.add_argument("--init", default=None,
                    help="the /init (default build/nfsroot-init-musl, else build/nfsroot-init)")
    ap.add_argument("--sorted-block", type=lambda t: int(t[:-1]) << {"K": 10, "M": 20}[t[-1].upper()]
                    if t[-1:].upper() in ("K", "M") else int(t), default=1 << 20, metavar="SIZE",
                    help="the sorted image's squashfs block size (4K to 1M; default 1M, against the "
                         "image tool's 128K: fewer, larger reads)")
    ap.add_argument("--image-append", default="", metavar="WORDS",
                    help="more command-line words for the image modes, for example "
                         "nfsroot-init.image_readahead=128 to compare read-ahead windows")
    ap.add_argument("--server-ops-per-s", type=float,
                    help="the model's server op rate (default: ganesha's CPU seconds per boot, measured)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder (root copy, image, logs)")
    ap.add_argument("--report-from", metavar="RESULTS_JSON",
                    help="print the report again from a kept run's results.json; boot nothing")
    args = ap.parse_args()
    if args.report_from:
        with open(args.report_from) as f:
            saved = json.load(f)
        vars(args).update(saved["args"])
        modes = [m for m in MODES if m in saved["cost"] or m in saved["storm"]]
        report(args, modes, saved["cost"], saved["storm"], saved["info"])
        return 0
    modes = [m for m in args.modes.split(",") if m]
    bad = [m for m in modes if m not in MODES]
    if bad or not modes:
        ap.error(f"--modes: {','.join(bad) or 'none'}: give some of {','.join(MODES)}")
    if os.geteuid() != 0:
        sys.exit("image_cost: needs root (network namespace, tap devices, nfs-ganesha, nfsroot-image build)")
    for tool in ("qemu-system-x86_64", "ganesha.nfsd", "rpcbind", "dnsmasq", "ip", "mksquashfs", "cp"):
        if not shutil.which(tool, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin"):
            sys.exit(f"image_cost: {tool} missing (scripts/setup.sh installs what the tests need)")
    if args.init is None:
        musl = os.path.join(SOURCE, "build", "nfsroot-init-musl")
        args.init = musl if os.path.isfile(musl) else os.path.join(SOURCE, "build", "nfsroot-init")
    args.init = os.path.abspath(args.init)
    if not os.path.isfile(args.init):
        sys.exit(f"image_cost: {args.init} missing: build the project first (or --init PATH)")
    src_root = os.path.join(os.path.abspath(args.debian_dir), "root")
    if not os.path.isfile(os.path.join(src_root, "etc", "os-release")):
        sys.exit(f"image_cost: no Debian root in {src_root}: run "
                 f"'tests/boot/debian_root.py build --dir {args.debian_dir}'")

    def stop(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)

    started = time.monotonic()
    info = {"date": f"{datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
            "load0": f"{os.getloadavg()[0]:.1f}",
            "mem_mib": os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 1048576}
    work = tempfile.mkdtemp(prefix="image-cost-", dir="/var/tmp")
    os.makedirs(os.path.join(work, "logs"))
    bench = Bench(args, work)
    status = 0
    try:
        log(f"work folder {work}; /init {args.init}")
        root, images = os.path.join(work, "root"), os.path.join(work, "images")
        log(f"copying {src_root} and adding the probe ({PROBE_UNIT})")
        prepare_root(src_root, root)
        info["root_bytes"] = du_bytes(root)
        info["root_files"] = int(run(["sh", "-c", f"find '{root}' -xdev | wc -l"], 600))
        bench.kernel, kmods, info["kver"] = root_kernel(root)
        bench.initrd = os.path.join(work, "initrd.img")
        cmd = [PY, os.path.join(BOOT, "mkinitrd.py"), "-o", bench.initrd, "--init", args.init,
               "--kmod-dir", kmods]
        for module in MODULES:
            cmd += ["--module", module]
        run(cmd, 300)
        os.makedirs(images)
        bench.start_lab(root, images)  # the images come into the export below
        if "sorted" in modes:
            log("recording the boot's files: one directory-mode boot (not counted)")
            since = time.time()
            rs, _ = bench.boot_many("dir", [0], bench.append("dir", images, root), "record-dir")
            order_file = os.path.join(work, "boot-order")
            files = boot_files(root, since, order_file)
            if not rs[0]["ok"] or "usr/lib/systemd/systemd" not in files:
                raise Failed(f"the recording boot {'failed' if not rs[0]['ok'] else 'left no atime'}"
                             f" ({len(files)} files read; is {root}'s file system mounted noatime?)")
            info["boot_files"] = (len(files), sum(os.path.getsize(os.path.join(root, f)) for f in files))
        info.update(build_s=0, image_name="-", image_bytes=None, sorted_bytes=None)
        if any(m != "dir" for m in modes):
            log("packing the image: nfsroot-image build")
            t = time.monotonic()
            run([TOOL, "build", root, images,
                 "--name", CHANNEL, "--keep", "1"], 1800)
            info["build_s"] = time.monotonic() - t
            with open(os.path.join(images, CHANNEL, "current")) as f:
                info["image_name"] = f.read().strip()
            info["image_bytes"] = os.path.getsize(os.path.join(images, CHANNEL, info["image_name"]))
        if "sorted" in modes:
            log(f"packing the sorted image: nfsroot-image build --boot-order --block-size {args.sorted_block}, "
                f"the boot's {len(files)} files first")
            info["sorted_bytes"] = build_sorted_image(root, images, order_file, args.sorted_block)
            info["sorted_block"] = args.sorted_block

        cost = {}
        for i in range(args.boots):
            for m in modes:
                rs, _ = bench.boot_many(m, [0], bench.append(m, images, root), f"cost-{m}-{i + 1}")
                cost.setdefault(m, []).extend(rs)
                r = rs[0]
                log(f"cost boot {i + 1}/{args.boots} {m}: " + (
                    f"multi-user at {r['wall']:.1f} s, {r['total_ops']} NFS ops, "
                    f"{mib(r['wire_in'])} MiB from the server" if r["ok"] else "FAILED"))
        storm = {}
        if args.clients > 0:
            for m in modes:
                log(f"storm {m}: {args.clients} clients at once")
                rs, s = bench.boot_many(m, list(range(args.clients)), bench.append(m, images, root),
                                        f"storm-{m}")
                storm[m] = (rs, s)
                log(f"storm {m}: {sum(r['ok'] for r in rs)}/{len(rs)} at multi-user, the last at "
                    f"{s['wall_to_last_mark']:.0f} s; ganesha CPU {s['cpu_to_last_mark']:.2f} s")
        info["took"] = time.monotonic() - started
        info["load1"] = f"{os.getloadavg()[0]:.1f}"
        with open(os.path.join(work, "results.json"), "w") as f:  # the raw numbers, for --keep
            json.dump({"info": info, "cost": cost, "storm": storm,
                       "args": {k: getattr(args, k) for k in ("boots", "clients", "memory", "nic")}},
                      f, indent=1)
        report(args, modes, cost, storm, info)
        print("command lines: " + "\n               ".join(
            f"{m}: {bench.append(m, images, root)}" for m in modes))
        if any(not r["ok"] for rs in cost.values() for r in rs) or \
                any(not r["ok"] for rs, _ in storm.values() for r in rs):
            status = 1
    except KeyboardInterrupt as e:
        log(f"interrupted ({e or 'Ctrl-C'})")
        status = 130
    except (Failed, netns_lab.Error, OSError, subprocess.TimeoutExpired) as e:
        log(f"error: {e}")
        status = 2
    finally:
        bench.stop_lab()
        if args.keep or status not in (0, 130):
            log(f"kept {work} (root copy, image, console logs, lab/ with the servers' logs)")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
