#!/usr/bin/env python3
"""Boot one scenario in QEMU and check the guest's serial console.

  qemu_boot.py --kernel VMLINUZ --initrd INITRD --append CMDLINE --log FILE
               [--expect REGEX]... [--reject REGEX]... [--timeout SEC] [--memory MiB]
               [--qemu-arg ARG]... [--expect-exit | --no-expect-exit] [--nic MODEL]
               [--arch amd64|arm64|i386]
               [--netns NS --tap IFNAME[=MAC]... [--set-link NETDEV:on|off@SEC]...]
  qemu_boot.py --pxe TFTPDIR [--bootfile pxelinux.0] [--mac 52:54:00:12:34:56] --log FILE ...

Give values that may start with '-' as --opt=VALUE (e.g. --qemu-arg=-s).

--arch is the guest's Debian architecture (default amd64): amd64 runs qemu-system-x86_64, i386
qemu-system-i386 (a PC as well: serial console ttyS0), arm64 qemu-system-aarch64 -M virt with a
Cortex-A57, whose serial port is a PL011 (console ttyAMA0) and whose default NIC is
virtio-net-pci (a virt board has no ISA or legacy PCI NIC of its own). Always TCG.

--nic MODEL is the guest's one NIC on QEMU's user network (default rtl8139): any -device NIC
model (virtio-net-pci, e1000, e1000e, vmxnet3, ...), or usb-net, which comes behind a qemu-xhci
host controller (a USB device needs a bus).

Passes when every --expect regex matched the console, no --reject regex did (kernel panics
are always rejected) and, with --expect-exit (the default), QEMU exited by itself: the guest
powered off or rebooted (-no-reboot turns a reboot into an exit). With --no-expect-exit the
guest is stopped a moment after the last expectation matched.
The console is streamed to --log as it arrives, so a hang can be read while it happens.

--pxe boots the whole chain instead: firmware PXE (iPXE from ipxe-qemu) gets its lease and
--bootfile from QEMU's own DHCP and TFTP server, which serves TFTPDIR (see make_tftp_root.py);
the kernel, initrd and command line are whatever pxelinux.cfg/ says there. Their console reaches
the serial port only if the config's append line has console=ttyS0: it is checked before the
boot. pxelinux itself needs no "serial" line here, because SeaBIOS copies the BIOS text screen
to the serial port when QEMU runs with -nographic. The NIC gets --mac explicitly, because
pxelinux picks its config file by it.

Real networks (the fault matrix, netns_lab.py): --tap IFNAME[=MAC] replaces QEMU's user network
with one rtl8139 NIC per --tap, on netdevs n0, n1, ... (-netdev tap,ifname=IFNAME,script=no,
downscript=no), and --netns NS runs QEMU itself inside that network namespace (ip netns exec),
where the tap devices already exist. --set-link NETDEV:off@0 pulls a cable before the guest
runs (QEMU starts with -S, the command goes to its monitor on a private unix socket, then
`cont`); NETDEV:on@SEC plugs it SEC seconds after that, NETDEV:on@/REGEX/+SEC SEC seconds after
REGEX first appears on the console. Each change is written to the log.
"""
import argparse
import codecs
import ctypes
import os
import re
import select
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import make_tftp_root  # beside this script: the config file name pxelinux looks for

# Debian architecture -> QEMU system emulator with its machine options, serial console, default NIC.
ARCHES = {
    "amd64": (["qemu-system-x86_64"], "ttyS0", "rtl8139"),
    "i386": (["qemu-system-i386"], "ttyS0", "rtl8139"),
    "arm64": (["qemu-system-aarch64", "-M", "virt", "-cpu", "cortex-a57"], "ttyAMA0", "virtio-net-pci"),
}
DEFAULT_REJECTS = [r"Kernel panic", r"Attempted to kill init", r"not syncing"]
# CSI sequences, OSC strings, and two-byte escapes such as SeaBIOS's "ESC c" (reset).
ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[ -/]*[0-~])")
# With --pxe, the firmware's and pxelinux's ways of failing, each with what to check.
PXE_REJECTS = {
    r"No bootable device": "the firmware found nothing to boot: is the NIC's PXE ROM there "
                           "(package ipxe-qemu, /usr/lib/ipxe/qemu/pxe-rtl8139.rom)?",
    r"Unable to locate configuration file": "pxelinux found no config: the TFTP root needs "
                                            "{config} for this MAC (or pxelinux.cfg/default)",
    r"Could not find kernel image": "the config's kernel line names a file the TFTP root "
                                    "does not have",
    r"Boot failed: press a key": "pxelinux gave up; the lines before say why",
}
SETTLE_S = 2.0  # after a verdict, keep reading this long to catch what follows (panic trace)


def clean(text):
    return ANSI.sub("", text.replace("\r", ""))


def die_with_parent():
    # QEMU runs in its own process group (so a timeout can kill all of it); also make the
    # kernel kill it if this script dies, e.g. when ctest kills us on its own timeout.
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def kill_group(proc):
    for sig, wait in ((signal.SIGTERM, 3), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(wait)
            break
        except subprocess.TimeoutExpired:
            pass


def qemu_opt(value):
    # QEMU's option syntax: a comma inside a value is written twice.
    return value.replace(",", ",,")


class Monitor:
    """QEMU's human monitor on a unix socket: one command at a time, answers up to the prompt."""

    PROMPT = b"(qemu) "

    def __init__(self, path, deadline_s=10.0):
        end = time.monotonic() + deadline_s
        while True:  # QEMU creates the socket a moment after it starts
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                self.sock.connect(path)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                self.sock.close()
                if time.monotonic() > end:
                    raise RuntimeError(f"QEMU's monitor {path} does not answer")
                time.sleep(0.05)
        self.sock.settimeout(deadline_s)
        self._read_prompt()

    def _read_prompt(self):
        data = b""
        while not data.endswith(self.PROMPT):
            chunk = self.sock.recv(4096)
            if not chunk:
                raise RuntimeError("QEMU's monitor closed the connection")
            data += chunk
        return clean(data.decode(errors="replace"))

    def command(self, text):
        self.sock.sendall(text.encode() + b"\n")
        answer = self._read_prompt()
        # The monitor echoes the command as it is typed (with line-editing redraws); the
        # commands used here print nothing on success, so look only for what errors say.
        lines = [ln.strip() for ln in answer.splitlines()
                 if re.search(r"error|unknown command|not found|invalid", ln, re.I)]
        if lines:
            raise RuntimeError(f"{text}: {' '.join(lines)}")

    def close(self):
        self.sock.close()


class LinkEvent:
    """--set-link NETDEV:on|off@SEC (SEC after the guest starts) or NETDEV:on|off@/REGEX/+SEC
    (SEC after REGEX first matches the console: robust against a slow, loaded host)."""

    def __init__(self, text, netdevs):
        m = re.fullmatch(r"(n[0-9]+):(on|off)@(?:([0-9]+(?:\.[0-9]+)?)|/(.+)/\+([0-9]+(?:\.[0-9]+)?))",
                         text)
        if not m:
            sys.exit(f"qemu_boot: --set-link {text!r}: write it as n0:off@0, n0:on@8.5 or "
                     "n0:on@/bringing the link up/+8")
        if m.group(1) not in netdevs:
            sys.exit(f"qemu_boot: --set-link {text!r}: no netdev {m.group(1)} (the --tap options "
                     f"make {', '.join(netdevs) or 'none'})")
        self.text, self.netdev, self.state = text, m.group(1), m.group(2)
        self.after = re.compile(m.group(4), re.M) if m.group(4) else None
        self.delay = float(m.group(5) if self.after else m.group(3))
        self.due = None if self.after else self.delay  # seconds after the start

    def before_start(self):
        return self.after is None and self.delay == 0

    def update(self, text, elapsed):
        if self.due is None and self.after.search(text):
            self.due = elapsed + self.delay


def pxe_config_name(mac):
    return "pxelinux.cfg/" + make_tftp_root.config_name(mac)


def check_pxe_root(tftp_dir, bootfile, mac):
    """Fail before booting when the TFTP root cannot give a boot with a serial console."""
    if not re.match(r"^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$", mac):
        sys.exit(f"qemu_boot: --mac {mac!r}: not a MAC address: write it as 52:54:00:12:34:56")
    if not os.path.isfile(os.path.join(tftp_dir, bootfile)):
        sys.exit(f"qemu_boot: --pxe {tftp_dir}: no {bootfile} in it: build the folder with "
                 "tests/boot/make_tftp_root.py (or fix --bootfile)")
    config = os.path.join(tftp_dir, pxe_config_name(mac))
    if not os.path.isfile(config):
        # pxelinux then tries other names (IP in hex, "default"); that may be meant.
        print(f"qemu_boot: note: no {config}: pxelinux falls back to other names "
              "(pxelinux.cfg/C0A8..., pxelinux.cfg/default)", file=sys.stderr)
        return
    with open(config, encoding="utf-8", errors="replace") as f:
        appends = [line for line in f if re.match(r"\s*append\s", line, re.I)]
    if appends and not any(re.search(r"(^|\s)console=ttyS0\b", a) for a in appends):
        sys.exit(f"qemu_boot: {config}: no append line has console=ttyS0, so the kernel's "
                 "console would not reach the serial port this test reads: add console=ttyS0 "
                 "to the append line")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kernel")
    ap.add_argument("--initrd")
    ap.add_argument("--append")
    ap.add_argument("--pxe", metavar="TFTPDIR", help="boot from the network: -boot n, TFTP root")
    ap.add_argument("--bootfile", default="pxelinux.0", help="with --pxe: the file DHCP names")
    ap.add_argument("--mac", default="52:54:00:12:34:56", help="with --pxe: the NIC's MAC")
    ap.add_argument("--expect", action="append", default=[], metavar="REGEX")
    ap.add_argument("--reject", action="append", default=[], metavar="REGEX")
    ap.add_argument("--span", metavar="FROM=>TO<=SECONDS",
                    help="TO must appear at most SECONDS after FROM (host time, to the 0.2 s the "
                         "console is matched at): a power-off that must not hang")
    ap.add_argument("--timeout", type=float, default=180)
    ap.add_argument("--log", required=True)
    ap.add_argument("--memory", type=int, default=512, metavar="MiB")
    ap.add_argument("--qemu-arg", action="append", default=[], metavar="ARG")
    ap.add_argument("--expect-exit", action=argparse.BooleanOptionalAction, default=True)
    ap.add_argument("--netns", metavar="NS", help="run QEMU inside this network namespace")
    ap.add_argument("--tap", action="append", default=[], metavar="IFNAME[=MAC]",
                    help="one NIC (of --nic's model) on this tap device (netdevs n0, n1, ... in order)")
    ap.add_argument("--set-link", action="append", default=[], metavar="NETDEV:on|off@SEC",
                    help="cable change SEC s after the guest starts (@0: before it runs)")
    ap.add_argument("--nic", metavar="MODEL",
                    help="the NIC's QEMU model (not with --pxe; default rtl8139, on arm64 "
                         "virtio-net-pci); usb-* models get a qemu-xhci")
    ap.add_argument("--arch", choices=sorted(ARCHES), default="amd64",
                    help="the guest's architecture (default amd64)")
    args = ap.parse_args()
    qemu, console, default_nic = ARCHES[args.arch]
    args.nic = args.nic or default_nic
    if args.pxe is not None and args.arch == "arm64":
        ap.error("--pxe boots a PC's PXE ROM (SeaBIOS, pxelinux): not with --arch arm64")
    if args.pxe is not None:
        if args.kernel or args.initrd or args.append:
            ap.error("--pxe takes the kernel, initrd and command line from TFTPDIR's "
                     "pxelinux.cfg: drop --kernel, --initrd and --append")
    elif not (args.kernel and args.initrd and args.append is not None):
        ap.error("give --kernel, --initrd and --append (or --pxe TFTPDIR)")
    if args.tap and args.pxe is not None:
        ap.error("--tap works with --kernel/--initrd only (--pxe uses QEMU's user network)")
    taps = []
    for i, text in enumerate(args.tap):
        name, _, mac = text.partition("=")
        if not re.fullmatch(r"[A-Za-z0-9_.-]{1,15}", name) or (
                mac and not re.fullmatch(r"[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}", mac)):
            ap.error(f"--tap {text!r}: write it as tap0 or tap0=52:54:00:12:34:56")
        taps.append((f"n{i}", name, mac))
    link_events = [LinkEvent(t, [n for n, _, _ in taps]) for t in args.set_link]

    # Always TCG: nested KVM hangs on this kind of machine even when /dev/kvm exists.
    monitor_dir = tempfile.mkdtemp(prefix="qemu-boot-") if link_events else None
    monitor_path = os.path.join(monitor_dir, "monitor.sock") if monitor_dir else None
    cmd = ["ip", "netns", "exec", args.netns] if args.netns else []
    cmd += [*qemu, "-accel", "tcg", "-nographic", "-display", "none",
            "-monitor", f"unix:{monitor_path},server,nowait" if monitor_path else "none",
            "-serial", "stdio", "-no-reboot", "-m", str(args.memory), "-smp", "1"]
    if any(e.before_start() for e in link_events):
        cmd.append("-S")  # the cable is pulled before the guest runs
    if args.pxe is not None:
        check_pxe_root(args.pxe, args.bootfile, args.mac)
        cmd += ["-boot", "n",
                "-netdev", f"user,id=n0,tftp={qemu_opt(os.path.abspath(args.pxe))},"
                           f"bootfile={qemu_opt(args.bootfile)}",
                "-device", f"rtl8139,netdev=n0,mac={args.mac}", *args.qemu_arg]
    else:
        append = args.append
        if not re.search(rf"(^|\s)console={console}\b", append):
            append += f" console={console}"
        cmd += ["-kernel", args.kernel, "-initrd", args.initrd, "-append", append]
        if args.nic.startswith("usb-"):
            cmd += ["-device", "qemu-xhci"]
        if not taps:
            cmd += ["-netdev", "user,id=n0", "-device", f"{args.nic},netdev=n0"]
        for netdev, name, mac in taps:
            cmd += ["-netdev", f"tap,id={netdev},ifname={name},script=no,downscript=no",
                    "-device", f"{args.nic},netdev={netdev}" + (f",mac={mac}" if mac else "")]
        cmd += args.qemu_arg
        for path in (args.kernel, args.initrd):
            if not os.path.isfile(path):
                sys.exit(f"qemu_boot: {path}: no such file")
    span = None
    if args.span:
        m = re.fullmatch(r"(.+)=>(.+)<=([0-9.]+)", args.span)
        if not m:
            ap.error(f"--span {args.span!r}: write it as FROM=>TO<=SECONDS")
        span = {"from": re.compile(m.group(1), re.M), "to": re.compile(m.group(2), re.M),
                "max": float(m.group(3)), "text": args.span, "from_at": None, "to_at": None}
    expects = [(p, re.compile(p, re.M)) for p in args.expect]
    rejects = [(p, re.compile(p, re.M)) for p in DEFAULT_REJECTS + args.reject]
    if args.pxe is not None:
        rejects += [(p, re.compile(p, re.M)) for p in PXE_REJECTS]

    os.makedirs(os.path.dirname(os.path.abspath(args.log)), exist_ok=True)
    log = open(args.log, "wb")
    log.write(f"# {shlex.join(cmd)}\n".encode())
    log.flush()

    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True,
                            preexec_fn=die_with_parent)
    monitor = None
    failures = []

    def note(text):  # harness events go into the log between console lines
        log.write(f"\n# qemu_boot: {text}\n".encode())
        log.flush()

    if link_events:
        try:
            monitor = Monitor(monitor_path)
            for e in [e for e in link_events if e.before_start()]:
                link_events.remove(e)
                monitor.command(f"set_link {e.netdev} {e.state}")
                note(f"set_link {e.netdev} {e.state} before the guest runs")
            monitor.command("cont")
        except (OSError, RuntimeError) as e:
            failures.append(f"QEMU monitor: {e}")
            link_events = []
        start = time.monotonic()  # the schedule counts from here
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    raw_text = ""
    timed_out, exited = False, False
    verdict_at = None  # when the outcome became known without waiting for QEMU to exit
    checked_at = 0.0
    fd = proc.stdout.fileno()
    try:
        while True:
            now = time.monotonic()
            if now - start >= args.timeout:
                timed_out = True
                break
            if verdict_at is not None and now - verdict_at >= SETTLE_S:
                break
            for e in [e for e in link_events if e.due is not None and now - start >= e.due]:
                link_events.remove(e)
                try:
                    monitor.command(f"set_link {e.netdev} {e.state}")
                    note(f"set_link {e.netdev} {e.state} at {now - start:.1f} s ({e.text})")
                except (OSError, RuntimeError) as err:
                    failures.append(f"QEMU monitor at {now - start:.1f} s: {err}")
                    link_events = []
            ready, _, _ = select.select([fd], [], [], min(0.25, args.timeout - (now - start)))
            if ready:
                data = os.read(fd, 65536)
                if not data:  # QEMU closed its output: it exited
                    break
                log.write(data.replace(b"\r", b""))
                log.flush()
                raw_text += decoder.decode(data)
            # The serial console arrives in small pieces: match at most 5 times a second.
            if verdict_at is None and now - checked_at >= 0.2:
                checked_at = now
                text = clean(raw_text)
                for e in link_events:
                    if e.due is None:
                        e.update(text, now - start)
                if span and span["from_at"] is None and span["from"].search(text):
                    span["from_at"] = now
                if span and span["to_at"] is None and span["to"].search(text):
                    span["to_at"] = now
                if any(r.search(text) for _, r in rejects) or (
                        not args.expect_exit and all(r.search(text) for _, r in expects)):
                    verdict_at = now
    finally:
        if proc.poll() is None:
            try:  # it may be exiting right now
                proc.wait(0.5 if not timed_out and verdict_at is None else 0)
            except subprocess.TimeoutExpired:
                pass
        if proc.poll() is None:
            kill_group(proc)
        else:
            exited = True
        raw_text += decoder.decode(proc.stdout.read() or b"", final=True)
        proc.stdout.close()
        if monitor:
            monitor.close()
        if monitor_dir:
            shutil.rmtree(monitor_dir, ignore_errors=True)
    ended = time.monotonic()
    elapsed = ended - start
    text = clean(raw_text)
    if span:
        # A line that came with QEMU's last output was seen when QEMU ended.
        for key in ("from", "to"):
            if span[key + "_at"] is None and span[key].search(text):
                span[key + "_at"] = ended

    if link_events:
        failures.append("the guest ended before the planned cable changes: " +
                        ", ".join(e.text for e in link_events))
    if timed_out:
        failures.append(f"timeout after {args.timeout:g} s" + (
            " (every expectation matched, but the guest did not power off)"
            if args.expect_exit and all(r.search(text) for _, r in expects) else ""))
    for pattern, r in expects:
        if not r.search(text):
            failures.append(f"expected /{pattern}/ did not appear")
    if span:
        if span["from_at"] is None or span["to_at"] is None:
            failures.append(f"--span {span['text']}: " + ("FROM" if span["from_at"] is None else "TO") +
                            " did not appear")
        elif span["to_at"] - span["from_at"] > span["max"]:
            failures.append(f"--span {span['text']}: {span['to_at'] - span['from_at']:.1f} s")
        else:
            note(f"span {span['text']}: {span['to_at'] - span['from_at']:.1f} s")
    for pattern, r in rejects:
        m = r.search(text)
        if m:
            hint = ""
            if args.pxe is not None and pattern in PXE_REJECTS:
                hint = " (" + PXE_REJECTS[pattern].format(config=pxe_config_name(args.mac)) + ")"
            failures.append(f"rejected /{pattern}/ appeared: {text[m.start():].splitlines()[0]!r}{hint}")
    if args.expect_exit and not exited and not timed_out and verdict_at is None:
        failures.append("QEMU did not exit by itself (the guest neither powered off nor rebooted)")
    if exited and proc.returncode != 0:
        failures.append(f"QEMU exited with status {proc.returncode}")

    result = "FAIL: " + "; ".join(failures) if failures else "PASS"
    log.write(f"\n# {result} ({elapsed:.1f} s)\n".encode())
    log.close()
    if failures:
        print("boot test FAILED:")
        for f in failures:
            print(f"  - {f}")
        print(f"QEMU command: {shlex.join(cmd)}")
        print(f"console log: {os.path.abspath(args.log)}")
        print("last console lines:")
        for line in text.splitlines()[-40:]:
            print(f"  | {line}")
        return 1
    print(f"boot test passed in {elapsed:.1f} s (console log: {args.log})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
