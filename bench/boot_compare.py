#!/usr/bin/env python3
"""Boot nfsroot-init's initrds and initramfs-tools' own BOOT=nfs initrd side by side, and compare.

    sudo bench/boot_compare.py [--boots 3] [--timeout 120] [--baseline-init PATH] [--keep]

One run, same kernel (the test kernel in .cache/kernel), same NFS export (nfs-ganesha on
127.0.0.1, started by tests/boot/nfs_server.py on a test root from tests/boot/make_test_root.py,
in a temporary folder, always stopped at the end), same QEMU settings (tests/boot/qemu_boot.py:
-accel tcg, one vCPU, 512 MiB, rtl8139 on QEMU's user network). The initrds:

  ours-hook   the real mkinitramfs with nfsroot-init's hook and its defaults (NFSROOT_INIT_NICS
              =small, NFSROOT_INIT_SHELL=busybox, zstd) (tests/boot/mkinitramfs_initrd.py)
  ours-rtl    the same with NFSROOT_INIT_NICS="r8169 8139cp 8139too" NFSROOT_INIT_NFS=3
              NFSROOT_INIT_SHELL=none: the seed's Realtek hardware only, NFSv3 only, no shell
  ours-rtl-nfs34  the same with nfsv3 and nfsv4 (the hook's default NFSROOT_INIT_NFS): built
              for its size only, not booted
  ours-min    tests/boot/mkinitrd.py: /init + 8139cp 8139too nfsv3 overlay (gzip)
  ours-min-glibc  ours-min around the glibc flavour (--glibc-init, default build/nfsroot-init),
              so that musl and glibc are timed side by side; every other ours-* uses --init,
              the release /init (build/nfsroot-init-musl when built)
  itools      the real mkinitramfs, MODULES=netboot, zstd, hook disabled: initramfs-tools'
              own init, its nfs script and klibc's ipconfig/nfsmount
  ours-min-base  with --baseline-init PATH: ours-min around another /init (an older build), to
              measure a change to /init side by side

Each is booted --boots times, alternating (hook, rtl, min, min-glibc, itools, hook, ...), with
    ip=dhcp root=/dev/nfs ro nfsroot=10.0.2.2:<export>[,options]
(ours take no options and find the server's ports through rpcbind at 10.0.2.2:111; klibc's
nfsmount needs ",tcp" because the server speaks TCP only). The test root's /sbin/init gets one
extra first line, `echo "BENCH-UPTIME <uptime>"`, so the root's uptime when its init starts is
read from the console; the rest of that script prints whether /var, /tmp and /etc/udev/rules.d
are writable, then powers off.

Prints, per initrd: size compressed and uncompressed (the cpio archives after decompression),
/init's size, the uptime at which the kernel ran /init and at which the root's /sbin/init
started (median, min, max), nfsroot-init's own step timings and CPU time, which of the three folders are
writable; then the ratios ours / initramfs-tools, and issue 13's goals, each met or not: the
hook's initrds' sizes (named NIC list without shell <= 1.2 MiB, defaults <= 3.5 MiB) and the
musl /init's time from /init to the root's init against the glibc one (median, same run, with
a bootstrap interval of their ratio). Needs root (mkinitramfs in a private mount
namespace, rpcbind on port 111), qemu-system-x86, initramfs-tools, nfs-ganesha, zstd.
Only loopback and QEMU's user network are used.
"""

import argparse
import datetime
import lzma
import os
import platform
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)
BOOT = os.path.join(SOURCE, "tests", "boot")
PY = sys.executable

UNIONS = ("var", "tmp", "etc/udev/rules.d")
STEPS = [  # (column, regex on the console)
    ("drivers", r"drivers done in (\d+) ms"),
    ("dhcp", r"network: .*DHCP from carrier to bound (\d+) ms"),
    ("mount", r"root: mounted .* in (\d+) ms"),
    ("unions", r"unions done in (\d+) ms"),
    ("exec", r"exec /sbin/init after (\d+) ms"),
    # /init's own CPU time to the exec (getrusage): user is our code and the libc, system mostly
    # the kernel's module loading on /init's behalf.
    ("cpu user", r"exec /sbin/init after \d+ ms \(CPU: user (\d+) ms"),
    ("cpu system", r"exec /sbin/init after \d+ ms \(CPU: user \d+ ms, system (\d+) ms"),
]
UPTIME_LINE = ('echo "BENCH-UPTIME $(cut -d" " -f1 /proc/uptime 2>/dev/null || '
               '{ mount -t proc proc /proc && cut -d" " -f1 /proc/uptime; })"\n')


def log(msg):
    print(f"boot_compare: {msg}", flush=True)


def run(cmd, timeout, **kw):
    """Run a helper; its output goes to our stdout only on failure."""
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=timeout, **kw)
    if p.returncode != 0:
        sys.stdout.write(p.stdout)
        raise SystemExit(f"boot_compare: failed (exit {p.returncode}): {' '.join(cmd)}")
    return p.stdout


# --- initrd sizes: compressed, uncompressed cpio, /init ----------------------------------------

def parse_cpio(data, off, entries):
    """Parse one newc cpio archive from data[off:]; return the offset after its trailer."""
    while True:
        if data[off:off + 6] not in (b"070701", b"070702"):
            raise ValueError(f"no cpio header at {off}")
        hdr = data[off:off + 110]
        fsize = int(hdr[54:62], 16)
        nsize = int(hdr[94:102], 16)
        name = data[off + 110:off + 110 + nsize - 1].decode(errors="replace")
        off = (off + 110 + nsize + 3) & ~3
        if name == "TRAILER!!!":
            return off
        entries[name.lstrip("./") or "."] = fsize
        off = (off + fsize + 3) & ~3


def decompress(data):
    """Decompress the first compressed stream of data; return (plain bytes, rest of data)."""
    if data[:2] == b"\x1f\x8b":
        d = zlib.decompressobj(wbits=31)
        return d.decompress(data) + d.flush(), d.unused_data
    if data[:6] == b"\xfd7zXZ\x00":
        d = lzma.LZMADecompressor()
        return d.decompress(data), d.unused_data
    for magic, tool in ((b"\x28\xb5\x2f\xfd", "zstd"), (b"\x04\x22\x4d\x18", "lz4"),
                        (b"\x02\x21\x4c\x18", "lz4")):
        if data[:4] == magic:
            p = subprocess.run([tool, "-dc"], input=data, stdout=subprocess.PIPE, check=True)
            return p.stdout, b""  # the tool reads concatenated frames to the end
    raise ValueError(f"unknown compression (magic {data[:6].hex()})")


def initrd_sizes(path):
    """(compressed bytes, uncompressed cpio bytes, /init bytes, file count) of an initrd."""
    data = open(path, "rb").read()
    entries, plain_total = {}, 0
    while data:
        if data[0] == 0:  # padding between segments
            data = data.lstrip(b"\0")
            continue
        if data[:5] == b"07070":
            end = parse_cpio(data, 0, entries)
            plain_total += end
            data = data[end:]
            continue
        plain, data = decompress(data)
        plain_total += len(plain)
        off = 0
        while off < len(plain):
            if plain[off] == 0:
                off += 1
                continue
            off = parse_cpio(plain, off, entries)
    return os.path.getsize(path), plain_total, entries.get("init"), len(entries)


# --- the console --------------------------------------------------------------------------------

def parse_console(text):
    r = {"uptime": None, "run_init": None, "steps": {}, "unions": {}}
    m = re.search(r"^BENCH-UPTIME ([0-9.]+)", text, re.M)
    if m:
        r["uptime"] = float(m.group(1))
    m = re.search(r"\[\s*([0-9.]+)\] Run /init as init process", text)
    if m:
        r["run_init"] = float(m.group(1))
    for name, rx in STEPS:
        m = re.search(rx, text)
        if m:
            r["steps"][name] = int(m.group(1))
    for u in UNIONS:
        if re.search(rf"^TESTROOT: {re.escape(u)} writable$", text, re.M):
            r["unions"][u] = "rw"
        elif re.search(rf"^TESTROOT: FAIL {re.escape(u)} not writable", text, re.M):
            r["unions"][u] = "ro"
    return r


def boot(args, kernel, initrd, append, logfile):
    cmd = [PY, os.path.join(BOOT, "qemu_boot.py"), f"--kernel={kernel}", f"--initrd={initrd}",
           f"--append={append}", f"--log={logfile}", f"--timeout={args.timeout:g}",
           f"--memory={args.memory}", "--expect=^BENCH-UPTIME ", "--expect=^TESTROOT: DONE"]
    start = time.monotonic()
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           timeout=args.timeout + 60)
        out, rc = p.stdout, p.returncode
    except subprocess.TimeoutExpired:
        out, rc = "qemu_boot.py itself did not return", -1
    wall = time.monotonic() - start
    text = open(logfile, errors="replace").read() if os.path.exists(logfile) else ""
    r = parse_console(text)
    r["wall"] = wall
    r["ok"] = rc == 0 and r["uptime"] is not None
    if not r["ok"]:
        r["error"] = ("timeout" if "timeout after" in out else "failed") + f" (see {logfile})"
    return r


# --- the table ----------------------------------------------------------------------------------

def mib(n):
    return f"{n / 1048576:.2f} MiB" if n is not None else "-"


def stats(values):
    if not values:
        return "-"
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def report(variants, results, sizes, args):
    print()
    print(f"boot_compare: {args.boots} boot(s) each, alternating; QEMU TCG, 1 vCPU, "
          f"{args.memory} MiB, rtl8139, user network; kernel {args.kver}")
    print(f"date {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}; host {platform.node()}, "
          f"{os.cpu_count()} CPUs, {cpu_model()}")
    print()
    hdr = ["initrd", "compressed", "uncompressed", "files", "/init", "kernel runs /init s",
           "root /sbin/init s", "/init to root init s", "ok"]
    rows = []
    for name in sizes:
        if name not in results:  # built for its size only
            comp, plain, init, files = sizes[name]
            rows.append([name, mib(comp), mib(plain), str(files),
                         f"{init / 1024:.0f} KiB" if init is not None else "-", "-", "-", "-",
                         "not booted"])
    for name, _, _ in variants:
        comp, plain, init, files = sizes[name]
        rs = results[name]
        good = [r for r in rs if r["ok"]]
        rows.append([name, mib(comp), mib(plain), str(files),
                     f"{init / 1024:.0f} KiB" if init is not None else "-",
                     stats([r["run_init"] for r in good if r["run_init"] is not None]),
                     stats([r["uptime"] for r in good]), stats(phase(good)),
                     f"{len(good)}/{len(rs)}"])
    table(hdr, rows)
    print("  (uptime in s: median (min-max) over the boots that reached the root's /sbin/init;")
    print("   the itools /init is initramfs-tools' shell script, which runs busybox and klibc tools)")
    print()
    hdr = ["initrd"] + [f"{n} ms" for n, _ in STEPS]
    rows = []
    for name, _, _ in variants:
        good = [r for r in results[name] if r["ok"]]
        row = [name]
        for step, _ in STEPS:
            vals = [r["steps"][step] for r in good if step in r["steps"]]
            row.append(f"{statistics.median(vals):.0f} ({min(vals)}-{max(vals)})" if vals else "-")
        rows.append(row)
    print("nfsroot-init's steps (median (min-max)): drivers done in / DHCP from carrier to bound /")
    print("root mounted in / unions done in / exec /sbin/init after / /init's CPU time to the exec")
    table(hdr, rows)
    print()
    hdr = ["initrd"] + [f"/{u}" for u in UNIONS]
    rows = []
    for name, _, _ in variants:
        row = [name]
        for u in UNIONS:
            seen = {r["unions"].get(u, "?") for r in results[name] if r["ok"]}
            row.append({"rw": "writable", "ro": "read-only"}.get(seen.pop(), "?") if len(seen) == 1
                       else ("mixed" if seen else "-"))
        rows.append(row)
    print("writable after the boot (the test root's TESTROOT lines)")
    table(hdr, rows)
    print()
    ref = "itools"
    rc, rp, ri, _ = sizes[ref]
    ru = [r["uptime"] for r in results.get(ref, []) if r["ok"]]
    hdr = ["ratio", "compressed", "uncompressed", "root /sbin/init uptime", "/init to root init"]
    rows = []
    for name, _, _ in variants:
        if name == ref:
            continue
        c, p, i, _ = sizes[name]
        u = [r["uptime"] for r in results[name] if r["ok"]]
        rows.append([f"{name} / {ref}", f"{c / rc:.3f}", f"{p / rp:.3f}",
                     f"{statistics.median(u) / statistics.median(ru):.3f}" if u and ru else "-",
                     ratio(phase([r for r in results[name] if r["ok"]]),
                           phase([r for r in results.get(ref, []) if r["ok"]]))])
    table(hdr, rows)
    print()
    goals(results, sizes, args)
    failed = [(n, i + 1, r["error"]) for n, _, _ in variants for i, r in enumerate(results[n])
              if not r["ok"]]
    if failed:
        print()
        for n, i, e in failed:
            print(f"  {n} boot {i}: {e}")


# Issue 13's goals for the hook's initrds (real mkinitramfs, its default compression settings
# with the hook's conf-hook) and for the musl /init against the glibc one, same run.
SIZE_GOALS = [("ours-rtl", "named NIC list, NFSv3 only, no shell", 1.2),
              ("ours-rtl-nfs34", "named NIC list, NFSv3 and v4, no shell", 1.2),
              ("ours-hook", "hook defaults", 3.5)]


def goals(results, sizes, args):
    print("goals (issue 13)")
    for name, what, limit in SIZE_GOALS:
        if name not in sizes:
            continue
        comp = sizes[name][0]
        print(f"  {name} ({what}): {comp} bytes = {comp / 1048576:.2f} MiB <= {limit} MiB: "
              + ("met" if comp <= limit * 1048576 else "NOT met"))
    if "ours-min-glibc" in results:
        musl = phase([r for r in results.get("ours-min", []) if r["ok"]])
        glibc = phase([r for r in results["ours-min-glibc"] if r["ok"]])
        if musl and glibc:
            m, g = statistics.median(musl), statistics.median(glibc)
            low, high = median_ratio_interval(musl, glibc)
            print(f"  /init to root init, ours-min {os.path.basename(args.init)} vs ours-min-glibc "
                  f"{os.path.basename(args.glibc_init)}: median {m:.2f} s vs {g:.2f} s "
                  f"(ratio {m / g:.3f}, 95 % interval {low:.3f}-{high:.3f}; min {min(musl):.2f} vs "
                  f"{min(glibc):.2f}): musl " + ("not slower: met" if m <= g else "slower: NOT met"))
            for step in ("cpu user", "cpu system"):
                mv = [r["steps"][step] for r in results["ours-min"] if r["ok"] and step in r["steps"]]
                gv = [r["steps"][step] for r in results["ours-min-glibc"] if r["ok"] and step in r["steps"]]
                if mv and gv:
                    print(f"  /init's {step} time to the exec: median {statistics.median(mv):.0f} ms vs "
                          f"{statistics.median(gv):.0f} ms (sum {sum(mv)} vs {sum(gv)} ms over "
                          f"{len(mv)} and {len(gv)} boots)")
        else:
            print("  musl vs glibc: not measured (a flavour reached the root's init in no boot)")


def median_ratio_interval(a, b, rounds=2000):
    """A percentile bootstrap 95 % interval of median(a) / median(b): how far apart the two
    medians could be from boot-to-boot noise alone. Seeded, so a report is reproducible."""
    rng = random.Random(13)
    ratios = sorted(statistics.median(rng.choices(a, k=len(a))) / statistics.median(rng.choices(b, k=len(b)))
                    for _ in range(rounds))
    return ratios[int(rounds * 0.025)], ratios[int(rounds * 0.975) - 1]


def phase(good):
    """Seconds from the kernel running /init to the root's /sbin/init, per boot."""
    return [r["uptime"] - r["run_init"] for r in good if r["run_init"] is not None]


def ratio(a, b):
    return f"{statistics.median(a) / statistics.median(b):.3f}" if a and b else "-"


def table(hdr, rows):
    widths = [max(len(str(x)) for x in col) for col in zip(hdr, *rows)]
    line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"
    print(line(hdr))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print(line(r))


def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


# --- main ---------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 2)[2])
    ap.add_argument("--boots", type=int, default=3, help="boots per initrd (default 3)")
    ap.add_argument("--timeout", type=float, default=120, help="seconds per boot (default 120)")
    ap.add_argument("--memory", type=int, default=512, help="guest MiB (default 512)")
    ap.add_argument("--init", default=None,
                    help="the static nfsroot-init of every ours-* initrd (default: the release one, "
                         "build/nfsroot-init-musl, else build/nfsroot-init)")
    ap.add_argument("--glibc-init", default=os.path.join(SOURCE, "build", "nfsroot-init"),
                    help="the glibc flavour for ours-min-glibc (default build/nfsroot-init; "
                         "\"\" leaves that row out)")
    ap.add_argument("--baseline-init", metavar="PATH",
                    help="another nfsroot-init (e.g. an older commit's build/nfsroot-init): adds "
                         "ours-min-base, ours-min with it, booted alternating with the others")
    ap.add_argument("--kernel-dir", default=os.path.join(SOURCE, ".cache", "kernel"))
    ap.add_argument("--itools-nfs-options", default="tcp",
                    help="nfsroot= options for initramfs-tools' klibc nfsmount (default: tcp)")
    ap.add_argument("--only", metavar="NAMES",
                    help="boot only these initrds (comma-separated, e.g. ours-min,ours-min-glibc, "
                         "for more repetitions of one comparison); all are still built and sized")
    ap.add_argument("--keep", action="store_true", help="keep the work folder (initrds, logs)")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("boot_compare: needs root (mkinitramfs in a mount namespace, rpcbind on port 111)")
    if args.boots < 1:
        sys.exit("boot_compare: --boots must be at least 1")
    for tool in ("qemu-system-x86_64", "mkinitramfs", "ganesha.nfsd", "zstd"):
        if not shutil.which(tool, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin"):
            sys.exit(f"boot_compare: {tool} missing (scripts/setup.sh installs what the tests need)")
    if args.init is None:
        musl = os.path.join(SOURCE, "build", "nfsroot-init-musl")
        args.init = musl if os.path.isfile(musl) else os.path.join(SOURCE, "build", "nfsroot-init")
    args.init = os.path.abspath(args.init)
    kdir = os.path.abspath(args.kernel_dir)
    try:
        args.kver = open(os.path.join(kdir, "version")).read().split()[0]
    except OSError:
        sys.exit(f"boot_compare: no test kernel in {kdir}: run scripts/setup.sh")
    kernel = os.path.join(kdir, "root", "boot", f"vmlinuz-{args.kver}")
    kmods = os.path.join(kdir, "root", "lib", "modules", args.kver)
    if not os.path.isfile(args.init):
        sys.exit(f"boot_compare: {args.init} missing: build the project first")
    if args.baseline_init:
        args.baseline_init = os.path.abspath(args.baseline_init)
        if not os.path.isfile(args.baseline_init):
            sys.exit(f"boot_compare: --baseline-init {args.baseline_init}: no such file")
    if args.glibc_init:
        args.glibc_init = os.path.abspath(args.glibc_init)
        if not os.path.isfile(args.glibc_init):
            sys.exit(f"boot_compare: --glibc-init {args.glibc_init}: no such file (build the "
                     "nfsroot-init target, or --glibc-init= to leave ours-min-glibc out)")
        if args.glibc_init == args.init:
            args.glibc_init = None  # --init is the glibc one already: nothing to compare

    # SIGTERM/SIGHUP unwind like Ctrl-C, so the NFS server is always stopped.
    def stop(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)

    work = tempfile.mkdtemp(prefix="boot-compare-")
    state = os.path.join(work, "nfs")
    server_started = False
    try:
        log(f"work folder {work}")
        root = os.path.join(work, "root")
        run([PY, os.path.join(BOOT, "make_test_root.py"), "-o", root], 120)
        init_path = os.path.join(root, "sbin", "init")
        text = open(init_path).read()
        nl = text.index("\n") + 1
        with open(init_path, "w") as f:
            f.write(text[:nl] + UPTIME_LINE + text[nl:])

        img = {n: os.path.join(work, f"{n}.img") for n in ("ours-hook", "ours-rtl", "ours-min", "itools")}
        log("building ours-hook (mkinitramfs + nfsroot-init's hook)")
        run([PY, os.path.join(BOOT, "mkinitramfs_initrd.py"), f"--init={args.init}",
             f"--output={img['ours-hook']}", f"--kernel-dir={kdir}"], 600)
        log("building ours-rtl (the hook, Realtek PCI drivers only, NFSv3 only, no shell)")
        run([PY, os.path.join(BOOT, "mkinitramfs_initrd.py"), f"--init={args.init}",
             f"--output={img['ours-rtl']}", f"--kernel-dir={kdir}", "--nics=r8169 8139cp 8139too",
             "--nfs=3", "--shell=none"], 600)
        img["ours-rtl-nfs34"] = os.path.join(work, "ours-rtl-nfs34.img")
        log("building ours-rtl-nfs34 (the same with nfsv3 and nfsv4, the hook's default; size only)")
        run([PY, os.path.join(BOOT, "mkinitramfs_initrd.py"), f"--init={args.init}",
             f"--output={img['ours-rtl-nfs34']}", f"--kernel-dir={kdir}",
             "--nics=r8169 8139cp 8139too", "--shell=none"], 600)
        minimal = {"ours-min": args.init}
        if args.glibc_init:
            img["ours-min-glibc"] = os.path.join(work, "ours-min-glibc.img")
            minimal["ours-min-glibc"] = args.glibc_init
        if args.baseline_init:
            img["ours-min-base"] = os.path.join(work, "ours-min-base.img")
            minimal["ours-min-base"] = args.baseline_init
        for name, init in minimal.items():
            log(f"building {name} (mkinitrd.py, /init {init})")
            run([PY, os.path.join(BOOT, "mkinitrd.py"), "-o", img[name], "--init", init,
                 "--kmod-dir", kmods, "--module", "8139cp", "--module", "8139too",
                 "--module", "nfsv3", "--module", "overlay"], 300)
        log("building itools (mkinitramfs, MODULES=netboot, zstd, hook disabled)")
        run([PY, os.path.join(BOOT, "mkinitramfs_initrd.py"), f"--init={args.init}",
             f"--output={img['itools']}", f"--kernel-dir={kdir}", "--modules=netboot",
             "--compress=zstd", "--extra-conf=NFSROOT_INIT=n", "--no-check"], 600)
        sizes = {n: initrd_sizes(p) for n, p in img.items()}
        if sizes["itools"][2] == sizes["ours-hook"][2] and \
                open(img["itools"], "rb").read() == open(img["ours-hook"], "rb").read():
            sys.exit("boot_compare: the initramfs-tools initrd equals ours (hook not disabled?)")

        log("starting the NFS server")
        server_started = True
        run([PY, os.path.join(BOOT, "nfs_server.py"), "start", "--state-dir", state,
             "--export", root, "--timeout", "30"], 90)
        line = f"ip=dhcp root=/dev/nfs ro nfsroot=10.0.2.2:{root}"
        opts = f",{args.itools_nfs_options}" if args.itools_nfs_options else ""
        variants = [("ours-hook", img["ours-hook"], line), ("ours-rtl", img["ours-rtl"], line),
                    ("ours-min", img["ours-min"], line), ("itools", img["itools"], line + opts)]
        for extra in ("ours-min-base", "ours-min-glibc"):
            if extra in img:
                variants.insert(3, (extra, img[extra], line))
        if args.only:
            wanted = set(args.only.split(","))
            unknown = wanted - {n for n, _, _ in variants}
            if unknown:
                sys.exit(f"boot_compare: --only: no initrd {', '.join(sorted(unknown))}")
            variants = [v for v in variants if v[0] in wanted]
        results = {n: [] for n, _, _ in variants}
        for i in range(args.boots):
            for name, initrd, append in variants:
                logfile = os.path.join(work, f"{name}.{i + 1}.console.log")
                r = boot(args, kernel, initrd, append, logfile)
                results[name].append(r)
                log(f"boot {i + 1}/{args.boots} {name}: " + (
                    f"root /sbin/init at {r['uptime']:.2f} s uptime ({r['wall']:.1f} s wall)"
                    if r["ok"] else r["error"]))
        report(variants, results, sizes, args)
        print(f"\ncommand lines: ours: {line}\n               itools: {line + opts}")
    except KeyboardInterrupt as e:
        log(f"interrupted ({e or 'Ctrl-C'})")
        return 130
    finally:
        if server_started:
            subprocess.run([PY, os.path.join(BOOT, "nfs_server.py"), "stop", "--state-dir", state],
                           stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, timeout=60)
        if args.keep:
            log(f"kept {work} (initrds, console logs, NFS server logs)")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
