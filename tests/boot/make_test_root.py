#!/usr/bin/env python3
"""Build the small root file system that the full-boot tests export over NFS.

  make_test_root.py --output DIR [--seed-output DIR2] [--busybox /bin/busybox [--applets-from BUSYBOX]]
                    [--seed-layout] [--seed-content mount|ro] [--overlays FILE] [--force]
                    [--image-file REL=FILE]... [--image-symlink REL=TARGET]... [--image-fifo REL]...
  make_test_root.py --check DIR...

The tree is a static busybox (/bin/busybox, its applets as relative symlinks, /bin/sh) and two
init scripts:

  /sbin/init        runs as PID 1 once /init has handed off, and prints one console line per fact,
                    "TESTROOT: <fact>", or "TESTROOT: FAIL <what>: <detail>" when a check fails:
                      pid=1, argc=N, argv=/sbin/init ..., cmdline=...
                      proc sys dev mounted, run mounted
                      root-fs=nfs ro (or nfs4; squashfs or erofs in image mode, then image-export=SOURCE TYPE and image-export-readahead=KIB), root-source=..., root-options=..., root rejects writes
                      initramfs gone
                      net conf present /run/net-eth0.conf (+ its DEVICE/IPV4ADDR/... line)
                      net conf sources cleanly, one line per value, names valid, ran nothing;
                        resolv.conf well-formed; hostname valid (the DHCP values are safe to
                        source, read by line and use as names)
                      var|tmp|etc/udev/rules.d: mount=TYPE, owner=U:G mode=OCTAL, writable,
                        shows|hides image file
                      var deletes image file (an overlay whiteout)
                      etc/nfsroot-init empty | etc/nfsroot-init has: ...
                      all checks passed | N checks failed
                    then "TESTROOT: DONE" and `poweroff -f`. It refuses to run unless it is PID 1
                    (TESTROOT_NOT_PID1_OK=1 runs the checks in a chroot, without powering off).
  /sbin/other-init  prints "TESTROOT: other-init ran", pid, argv, DONE and powers off (init= test).

The image's own files that the unions must show (or hide): /var/lib/testroot/marker,
/var/lib/testroot/deletable, /tmp/testroot-image-file, /etc/udev/rules.d/70-image.rules.
Mount points: /proc /sys /dev /run /tmp (1777) /var /etc/udev/rules.d /root (0700);
/etc/nfsroot-init/ is empty unless --overlays FILE puts FILE there as `overlays`.
--image-file, --image-symlink and --image-fifo add a file (a copy of FILE), a symbolic link or a
FIFO at REL inside the image, after everything else: the fault matrix's broken overlay lists
(a symlinked, FIFO or huge /etc/nfsroot-init/overlays).

--seed-layout builds DIR in the seed's old layout, and --seed-output DIR2 builds DIR2 that way
besides DIR: /var is a symbolic link to /aufs/var/mount, with /aufs/var/{mount,ro,rw}; the
image's /var content lives in /aufs/var/mount (--seed-content mount, the default) or, exactly as
the seed's article leaves it, in /aufs/var/ro with an empty mount point /aufs/var/mount
(--seed-content ro).

Idempotent and fast: DIR.stamp (beside DIR, not inside the exported tree) records the inputs and
a manifest of the tree; a run whose inputs match and whose tree still matches its manifest does
nothing. Otherwise the tree is built next to DIR and its entries moved into DIR, which itself is
kept (a running NFS server holds it by file handle). --check DIR... compares each tree with its
manifest (exit 1 on any difference), e.g. to show that the boots left the images untouched.
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys

import mkinitrd  # beside this script: its ELF reader

# Bump when the layout changes in a way the stamp cannot see (the script's own hash covers most).
FORMAT = 1

# The image files the unions must show (overlay) or may hide (tmpfs): path -> content.
MARKERS = {
    "var": ("lib/testroot/marker", "testroot image file: /var\n"),
    "tmp": ("testroot-image-file", "testroot image file: /tmp\n"),
    "etc/udev/rules.d": ("70-image.rules", "# testroot image file: /etc/udev/rules.d\n"),
}
DELETABLE = ("var", "lib/testroot/deletable", "testroot image file: delete me\n")
# Files no check opens, for the copy-to-RAM test: read only after the server is gone, checked
# against their md5sums (usr/share/testroot/unread.md5). Hex text from a hash chain: distinct
# blocks, so no two files share pages.
UNREAD_DIR = "usr/share/testroot/unread"
UNREAD_FILES = 8
UNREAD_BYTES = 128 * 1024

INIT = r"""#!/bin/sh
# /sbin/init of the boot tests' root (written by tests/boot/make_test_root.py; do not edit).
# PID 1 after nfsroot-init's hand-off: one console line per fact, "TESTROOT: FAIL ..." for a
# failed check, then "TESTROOT: DONE" and power off.
PATH=/bin:/sbin:/usr/bin:/usr/sbin
export PATH
failures=0
say() { echo "TESTROOT: $*"; }
fail() { echo "TESTROOT: FAIL $*"; failures=$((failures + 1)); }
# A mount point sits on another device than its parent (busybox here has no `mountpoint`; this
# works before /proc is there).
is_mounted() { [ -d "$1" ] && [ "$(stat -c %d "$1")" != "$(stat -c %d "$1/..")" ]; }

if [ "$$" != 1 ] && [ -z "$TESTROOT_NOT_PID1_OK" ]; then
    echo "TESTROOT: not PID 1 (pid $$): this is the boot tests' init; refusing to run" >&2
    exit 1
fi

say "pid=$$"
argv=$0
for a in "$@"; do argv="$argv $a"; done
say "argc=$#"
say "argv=$argv"

# --- /proc /sys /dev /run: moved here by /init --------------------------------------------
missing=
for d in proc sys dev; do
    is_mounted /$d || missing="$missing $d"
done
if [ -z "$missing" ]; then
    say "proc sys dev mounted"
else
    fail "not mounted:$missing"
fi
if is_mounted /run; then say "run mounted"; else fail "run not mounted"; fi
if [ ! -r /proc/mounts ]; then
    mount -t proc proc /proc && say "note: mounted /proc myself for the checks"
fi
say "cmdline=$(cat /proc/cmdline 2>/dev/null)"

# --- the root: NFS, read-only -------------------------------------------------------------
# shellcheck disable=SC2046 # split into source, type, options on purpose
set -- $(awk '$2 == "/" { s = $1; t = $3; o = $4 } END { print s, t, o }' /proc/mounts)
root_source=$1 root_type=$2 root_opts=$3
case ",$root_opts," in
    *,ro,*) root_mode=ro ;;
    *) root_mode=rw ;;
esac
say "root-fs=$root_type $root_mode"
say "root-source=$root_source"
say "root-options=$root_opts"
case "$root_type" in
    nfs|nfs4) ;;
    squashfs|erofs)
        # Image mode: the image's export stays mounted where the initramfs put it.
        say "image-export=$(awk '$2 == "/run/nfsroot-init/image" { print $1, $3 }' /proc/mounts)"
        # The NFS mount's backing device is named by its st_dev (MAJOR:MINOR): its read-ahead,
        # which /init sets by the image's block size or nfsroot-init.image_readahead=.
        ra=none
        if is_mounted /run/nfsroot-init/image; then
            dev=$(stat -c %d /run/nfsroot-init/image)  # glibc's dev_t encoding of MAJOR:MINOR
            ra=$(cat "/sys/class/bdi/$(( (dev >> 8) & 0xfff )):$(( (dev & 0xff) | ((dev >> 12) & 0xfff00) ))/read_ahead_kb")
        fi
        say "image-export-readahead=$ra" ;;
    *) fail "root is not NFS: $root_type $root_source" ;;
esac
[ "$root_mode" = ro ] || fail "root is not mounted read-only: $root_opts"
if err=$( { : > /.testroot-probe; } 2>&1); then
    rm -f /.testroot-probe
    fail "root accepts writes"
else
    say "root rejects writes"
fi

# --- the initramfs is gone ----------------------------------------------------------------
left=
for f in /init /nfsroot-init /lib/modules /scripts /conf /.nfsroot-init; do
    if [ -e "$f" ] || [ -L "$f" ]; then left="$left $f"; fi
done
case "$root_type" in
    rootfs|ramfs|tmpfs) left="$left (/ is $root_type)" ;;
esac
if [ -z "$left" ]; then say "initramfs gone"; else fail "initramfs leftovers in /:$left"; fi

# --- network hand-off files ---------------------------------------------------------------
# /run/net-IF.conf for IPv4, /run/net6-IF.conf for a static IPv6 ip= (initramfs-tools' ip6=
# keys); ip=auto6 writes neither, so "net conf none" is said, and each boot's EXPECT names the
# file it must find (ROOT_IS_READY: /run/net-eth0.conf).
found=
for f in /run/net-*.conf /run/net6-*.conf; do
    [ -f "$f" ] || continue
    found=1
    say "net conf present $f"
    line=$(grep -E '^(DEVICE6?|PROTO|IPV4ADDR|IPV4NETMASK|IPV4GATEWAY|IPV6PROTO|IPV6ADDR|IPV6NETMASK|IPV6GATEWAY|HOSTNAME)=' "$f" | tr '\n' ' ')
    say "net conf $f: ${line% }"
done
[ -n "$found" ] || say "net conf none"

# --- the hand-off files as the root's scripts read them -----------------------------------
# initramfs-tools sources the file (". /run/net-$DEVICE.conf"), others read it line by line or
# copy HOSTNAME/DNSDOMAIN into config files. Values come from the DHCP server: sourcing must run
# nothing (the fault matrix's hostile server makes every command create /run/testroot-ran-*),
# every value must sit on its own line, and the names must be names.
# printable TEXT: TEXT with anything but [A-Za-z0-9.:_/,=-] shown as '?', for the console.
printable() { printf '%s' "$1" | tr -c 'A-Za-z0-9.:_/,=-' '?'; }
# valid_name TEXT MAX: empty, or a dotted name of letters, digits and inner '-', <= MAX bytes.
valid_name() {
    [ -z "$1" ] && return 0
    [ "${#1}" -le "$2" ] || return 1
    case "$1" in
        *[!A-Za-z0-9.-]*|.*|*.|*..*|-*|*-|*.-*|*-.*) return 1 ;;
    esac
    return 0
}
for f in /run/net-*.conf /run/net6-*.conf; do
    [ -f "$f" ] || continue
    # shellcheck disable=SC1090 # the file under test
    if out=$( (. "$f") 2>&1 ) && [ -z "$out" ]; then
        say "net conf sources cleanly $f"
    else
        fail "sourcing $f: status or output: $(printable "$out")"
    fi
    names=$(sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p' "$f")
    # shellcheck disable=SC1090,SC2086 # the file under test; names split on purpose
    multi=$( (v=; . "$f"; for n in $names; do
                eval "v=\${$n-}"
                case "$v" in *[![:print:]]*) printf '%s ' "$n" ;; esac
              done) 2>/dev/null)
    dups=$(printf '%s\n' "$names" | sort | uniq -d | tr '\n' ' ')
    if [ -z "$multi" ] && [ -z "$dups" ]; then
        say "net conf one line per value"
    else
        fail "net conf $f: values with control characters (newlines): ${multi:-none}; names twice: ${dups:-none}"
    fi
    # shellcheck disable=SC1090,SC3028 # the file under test; HOSTNAME is klibc's name, not bash's
    bad=$( (. "$f"
            valid_name "${HOSTNAME-}" 64 || echo "HOSTNAME=$(printable "$HOSTNAME")"
            valid_name "${DNSDOMAIN-}" 253 || echo "DNSDOMAIN=$(printable "$DNSDOMAIN")"
            valid_name "${NISDOMAIN-}" 64 || echo "NISDOMAIN=$(printable "$NISDOMAIN")") 2>&1 |
          tr '\n' ' ')
    if [ -z "$bad" ]; then say "net conf names valid"; else fail "net conf $f: not names: $bad"; fi
done
ran=
for m in /run/testroot-ran-*; do
    if [ -e "$m" ]; then ran="$ran ${m#/run/}"; fi
done
if [ -z "$ran" ]; then say "net conf ran nothing"; else fail "commands from the DHCP values ran: $ran"; fi
# The hand-off files for the root's udev and systemd-networkd (nfsroot-init.networkd=, on by
# default): one pair per configured interface, naming it.
for f in /run/net-*.conf /run/net6-*.conf; do
    [ -f "$f" ] || continue
    # shellcheck disable=SC1090 # the file under test
    device=$( (. "$f"; printf '%s' "${DEVICE-${DEVICE6-}}") 2>/dev/null)
    stem=/run/systemd/network/70-nfsroot-$device
    if grep -qx "OriginalName=$device" "$stem.link" 2>/dev/null &&
       grep -qx "Name=$device" "$stem.network" 2>/dev/null &&
       grep -qx "KeepConfiguration=yes" "$stem.network"; then
        say "networkd files for $device"
    else
        fail "networkd files: $stem.link or $stem.network missing or not for $device"
    fi
done
# A VLAN (vlan=): the kernel's own table of VLAN links (8021q's /proc/net/vlan/config: two
# header lines, then "name | id | parent"), the parent up with no IPv4 address of its own, and
# the hand-off files that keep the parent as it is.
if [ -r /proc/net/vlan/config ]; then
    vlans=$(tr -d ' ' < /proc/net/vlan/config | sed -n '3,$s/|/ /gp')
    while read -r name id parent; do
        [ -n "$name" ] || continue
        say "vlan $name id $id on $parent"
        if [ -z "$(ip -4 -o addr show dev "$parent" 2>/dev/null)" ]; then
            say "vlan parent $parent has no IPv4 address"
        else
            fail "vlan parent $parent has an IPv4 address: $(ip -4 -o addr show dev "$parent" | tr -s ' ')"
        fi
        if grep -qx "DHCP=no" "/run/systemd/network/70-nfsroot-$parent.network" 2>/dev/null &&
           grep -qx "$parent=nfsroot-init" /run/network/ifstate 2>/dev/null &&
           grep -qx "managed=0" "/run/NetworkManager/conf.d/70-nfsroot-$parent.conf" 2>/dev/null; then
            say "vlan parent $parent kept by the hand-off files"
        else
            fail "vlan parent $parent: hand-off files missing"
        fi
    done <<VLANS
$vlans
VLANS
fi
resolv=/run/nfsroot-init/resolv.conf
if [ -f "$resolv" ]; then
    # shellcheck disable=SC1090 # the DNS servers the lease gave, to compare with
    # (an unmatched glob stays literal, and "." of a missing file ends a non-interactive sh)
    dns=$( (for f in /run/net-*.conf; do [ -f "$f" ] && . "$f" && echo "${IPV4DNS0-} ${IPV4DNS1-}"; done
            for f in /run/net6-*.conf; do [ -f "$f" ] && . "$f" && echo "${IPV6DNS0-} ${IPV6DNS1-}"; done) 2>/dev/null)
    bad=
    while IFS= read -r line; do
        case "$line" in
            "#"*) ;;
            "search "*)
                for d in ${line#search }; do valid_name "$d" 253 || bad="$bad search:$(printable "$d")"; done ;;
            "nameserver "*)
                case " $dns " in
                    *" ${line#nameserver } "*) ;;
                    *) bad="$bad not-from-the-lease:$(printable "$line")" ;;
                esac ;;
            *) bad="$bad line:$(printable "$line")" ;;
        esac
    done < "$resolv"
    if [ -z "$bad" ]; then say "resolv.conf well-formed"; else fail "$resolv:$bad"; fi
fi
host=$(hostname)
if [ "$host" = "(none)" ] || valid_name "$host" 64; then
    say "hostname valid"
else
    fail "kernel host name is not a name: $(printable "$host")"
fi
if [ -d /run/nfsroot-init ]; then
    line=$(ls /run/nfsroot-init | tr '\n' ' ')
    say "run/nfsroot-init has: ${line% }"
    if [ -f /run/nfsroot-init/timings ]; then
        line=$(grep -v '^#' /run/nfsroot-init/timings | tr '\n' ' ')
        say "timings: ${line% }"
    fi
fi

# --- the unions ---------------------------------------------------------------------------
# check_union DIR IMAGE-FILE CONTENT MUST-SHOW WRITE-INTO
check_union() {
    dir=$1 file=$2 want=$3 must_show=$4 into=$5
    if [ -L "/$dir" ]; then say "$dir is a symlink to $(readlink "/$dir")"; fi
    real=$(readlink -f "/$dir")
    say "$dir mount=$(awk -v m="$real" '$2 == m { t = $3 } END { print (t == "" ? "none" : t) }' /proc/mounts)"
    say "$dir owner=$(stat -c %u:%g "$real") mode=$(stat -c %a "$real")"
    if [ -f "$real/$file" ]; then
        got=$(cat "$real/$file")
        if [ "$got" = "$want" ]; then
            say "$dir shows image file"
        else
            fail "$dir image file $file changed: $got"
        fi
    elif [ "$must_show" = yes ]; then
        fail "$dir hides image file $file"
    else
        say "$dir hides image file"
    fi
    probe="$real/$into.testroot-write-$$"
    if err=$( { echo written > "$probe"; } 2>&1) && [ "$(cat "$probe")" = written ]; then
        rm -f "$probe"
        say "$dir writable"
    else
        fail "$dir not writable: $err"
    fi
}
check_union var @VAR_FILE@ '@VAR_TEXT@' yes lib/testroot/
check_union tmp @TMP_FILE@ '@TMP_TEXT@' no ''
check_union etc/udev/rules.d @UDEV_FILE@ '@UDEV_TEXT@' yes ''
if [ -f /var/@DEL_FILE@ ]; then
    if err=$(rm -f /var/@DEL_FILE@ 2>&1) && [ ! -e /var/@DEL_FILE@ ]; then
        say "var deletes image file"
    else
        fail "var cannot delete image file: $err"
    fi
fi

if [ -z "$(ls -A /etc/nfsroot-init 2>/dev/null)" ]; then
    say "etc/nfsroot-init empty"
else
    line=$(ls -A /etc/nfsroot-init | tr '\n' ' ')
    say "etc/nfsroot-init has: ${line% }"
fi
say "hostname=$(hostname)"
# The image upgrade test writes the version into each image it builds.
if [ -f /etc/nfsroot-test-version ]; then say "image-version=$(cat /etc/nfsroot-test-version)"; fi

# nfsroot-test.bond_failover=SLAVE (the bond test): the harness pulls the active slave's cable
# once the root is mounted. Wait (up to 30 s, polling) for the bond to make SLAVE active, then
# read the files no check opens from the NFS root: they can only come over SLAVE now.
failover=$(sed -n 's/.*nfsroot-test\.bond_failover=\([A-Za-z0-9._-]*\).*/\1/p' /proc/cmdline)
if [ -n "$failover" ]; then
    bond=
    for f in /proc/net/bonding/*; do [ -f "$f" ] && bond=$f; done
    tries=0
    while [ -n "$bond" ] && [ "$tries" -lt 300 ] && ! grep -qx "Currently Active Slave: $failover" "$bond"; do
        sleep 0.1
        tries=$((tries + 1))
    done
    if [ -n "$bond" ] && grep -qx "Currently Active Slave: $failover" "$bond"; then
        say "bond ${bond##*/} $(sed -n 's/^Bonding Mode: //p' "$bond"): active slave $failover"
    else
        fail "bond: $failover not the active slave after 30 s: $(tr '\n' ' ' < "${bond:-/dev/null}")"
    fi
    sed -n '/^Slave Interface: /{s/^Slave Interface: //;N;s/\nMII Status: / /;p;}' "$bond" |
        while read -r slave status; do say "bond slave $slave $status"; done
    before=$(cat "/sys/class/net/$failover/statistics/rx_bytes")
    if err=$(md5sum -c /usr/share/testroot/unread.md5 2>&1); then
        after=$(cat "/sys/class/net/$failover/statistics/rx_bytes")
        say "bond read $(grep -c . /usr/share/testroot/unread.md5) unopened files, $((after - before)) bytes over $failover"
    else
        fail "bond: reading the unopened files after the failover: $(echo "$err" | tr '\n' ' ')"
    fi
fi

if [ "$failures" = 0 ]; then say "all checks passed"; else say "$failures checks failed"; fi

# nfsroot-test.hold=N (the image upgrade test): N passes over every file of the root, each after
# dropping the page cache so the reads go to the server again, one line a pass; each pass must
# read what the first read, while the server switches the channel to another version.
root_digest() {
    echo 3 > /proc/sys/vm/drop_caches
    find / -xdev -type f | sort | while read -r f; do md5sum "$f" 2>&1 || echo "unreadable $f"; done | md5sum
}
hold=$(sed -n 's/.*nfsroot-test\.hold=\([0-9][0-9]*\).*/\1/p' /proc/cmdline)
if [ -n "$hold" ]; then
    first=$(root_digest)
    pass=1
    while [ "$pass" -le "$hold" ]; do
        if [ "$pass" = 1 ] || [ "$(root_digest)" = "$first" ]; then
            say "hold pass $pass ok"
        else
            fail "hold pass $pass: the root's files read differently than in pass 1"
        fi
        pass=$((pass + 1))
    done
fi
# nfsroot-test.server_gone=HOST:PORT (the copy-to-RAM test): say so, wait until HOST:PORT
# refuses connections (the test stops the NFS server on that line), then read files nothing
# has opened yet: from RAM, with no NFS mount left.
gone=$(sed -n 's/.*nfsroot-test\.server_gone=\([0-9.]*\):\([0-9]*\).*/\1 \2/p' /proc/cmdline)
if [ -n "$gone" ]; then
    set -- $gone
    say "waiting for the server to stop"
    tries=0
    while timeout -s KILL 5 nc -w 2 "$1" "$2" </dev/null >/dev/null 2>&1; do
        tries=$((tries + 1))
        [ "$tries" -ge 120 ] && { fail "$1:$2 still answers after 120 tries"; break; }
        sleep 1
    done
    if grep -q ' nfs4\? ' /proc/mounts; then
        fail "an NFS mount is left: $(grep ' nfs4\? ' /proc/mounts | tr '\n' ' ')"
    else
        say "no NFS mount left"
    fi
    if err=$(md5sum -c /usr/share/testroot/unread.md5 2>&1); then
        say "read $(grep -c . /usr/share/testroot/unread.md5) unopened files after the server stopped"
    else
        fail "unopened files after the server stopped: $(echo "$err" | tr '\n' ' ')"
    fi
fi
# nfsroot-test.lease_hold=N (the lease keeper test): the keeper /init left running, then, N s
# later, the lease it kept: renewed by the server, the address still on eth0.
lease_hold=$(sed -n 's/.*nfsroot-test\.lease_hold=\([0-9][0-9]*\).*/\1/p' /proc/cmdline)
if [ -n "$lease_hold" ]; then
    lease=/run/nfsroot-init/lease-eth0
    keeper=$(cat /run/nfsroot-init/keep-lease-eth0.pid 2>/dev/null)
    if [ -n "$keeper" ] && [ -r "/proc/$keeper/cmdline" ]; then
        say "lease keeper running: $(tr '\0' ' ' < "/proc/$keeper/cmdline")"
    else
        fail "no lease keeper: /run/nfsroot-init/keep-lease-eth0.pid is '$keeper'"
    fi
    address=$(sed -n 's/^ADDRESS=//p' "$lease")
    sleep "$lease_hold"  # the subject is the passing of time: several lifetimes of the lease
    say "lease after $lease_hold s: renewals=$(sed -n 's/^RENEWALS=//p' "$lease") state=$(sed -n 's/^STATE=//p' "$lease")"
    if ip -4 addr show dev eth0 | grep -q "inet $address/"; then
        say "eth0 still has $address"
    else
        fail "eth0 lost $address: $(ip -4 addr show dev eth0 | tr '\n' ' ')"
    fi
    [ -r "/proc/$keeper/cmdline" ] && say "lease keeper still running"
fi
say "DONE"
[ "$$" = 1 ] && poweroff -f
exit 0
"""

OTHER_INIT = r"""#!/bin/sh
# /sbin/other-init of the boot tests' root (make_test_root.py): proves init= was honoured.
PATH=/bin:/sbin:/usr/bin:/usr/sbin
export PATH
if [ "$$" != 1 ] && [ -z "$TESTROOT_NOT_PID1_OK" ]; then
    echo "TESTROOT: not PID 1 (pid $$): this is the boot tests' init; refusing to run" >&2
    exit 1
fi
argv=$0
for a in "$@"; do argv="$argv $a"; done
echo "TESTROOT: other-init ran"
echo "TESTROOT: pid=$$"
echo "TESTROOT: argv=$argv"
echo "TESTROOT: DONE"
[ "$$" = 1 ] && poweroff -f
exit 0
"""


class Error(Exception):
    pass


def check_static(path):
    """The root has no shared libraries: refuse an ELF with a PT_INTERP program header."""
    info = mkinitrd.elf_info(path)  # little-endian ELF of either class (i386's is 32-bit)
    if info is None:
        raise Error(f"{path}: not an ELF executable")
    if info[1]:
        raise Error(f"{path} is dynamically linked; the test root needs a static busybox: "
                    "apt-get install busybox-static (initramfs-tools' recommends replace it "
                    "with the dynamic busybox), or pass --busybox")


def busybox_version(path):
    """The "BusyBox v1.35.0 (Debian 1:1.35.0-4+b3)" banner inside the binary, read without
    running it (another architecture's busybox cannot run here)."""
    with open(path, "rb") as f:
        m = re.search(rb"BusyBox v[0-9][^\0\n]*\)", f.read())
    if not m:
        raise Error(f"{path}: no BusyBox version banner in it: is it busybox?")
    return m.group(0).decode(errors="replace")


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def init_text():
    values = {
        "VAR_FILE": MARKERS["var"][0], "VAR_TEXT": MARKERS["var"][1].rstrip("\n"),
        "TMP_FILE": MARKERS["tmp"][0], "TMP_TEXT": MARKERS["tmp"][1].rstrip("\n"),
        "UDEV_FILE": MARKERS["etc/udev/rules.d"][0],
        "UDEV_TEXT": MARKERS["etc/udev/rules.d"][1].rstrip("\n"),
        "DEL_FILE": DELETABLE[1],
    }
    text = INIT
    for key, value in values.items():
        assert "'" not in value
        text = text.replace(f"@{key}@", value)
    return text


def applets(busybox):
    # busybox is the build machine's (--applets-from for a guest of another architecture).
    out = subprocess.run([busybox, "--list-full"], check=True, capture_output=True, text=True)
    names = [line.strip() for line in out.stdout.splitlines() if line.strip()]
    if "bin/sh" not in names:
        raise Error(f"{busybox} --list-full has no bin/sh")
    # /linuxrc is not wanted; /sbin/init is our script; /bin/busybox is the binary itself.
    return [n for n in names if n not in ("linuxrc", "sbin/init", "bin/busybox") and "/" in n]


def write(root, rel, text, mode=0o644):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def mkdir(root, rel, mode=0o755):
    path = os.path.join(root, rel)
    os.makedirs(path, exist_ok=True)
    os.chmod(path, mode)  # not subject to the umask


def build(root, args, seed_layout):
    for d in ("bin", "sbin", "usr/bin", "usr/sbin", "proc", "sys", "dev", "run", "etc",
              "etc/udev/rules.d", "etc/nfsroot-init", "lib"):
        mkdir(root, d)
    mkdir(root, "tmp", 0o1777)
    mkdir(root, "root", 0o700)

    shutil.copyfile(args.busybox, os.path.join(root, "bin/busybox"))
    os.chmod(os.path.join(root, "bin/busybox"), 0o755)
    for name in applets(args.applets_from or args.busybox):
        link = os.path.join(root, name)
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink(os.path.relpath("bin/busybox", os.path.dirname(name)), link)
    write(root, "sbin/init", init_text(), 0o755)
    write(root, "sbin/other-init", OTHER_INIT, 0o755)

    write(root, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\n")
    write(root, "etc/group", "root:x:0:\n")
    write(root, "etc/os-release", 'NAME="nfsroot-init test root"\nID=nfsroot-testroot\n')
    if args.overlays:
        shutil.copyfile(args.overlays, os.path.join(root, "etc/nfsroot-init/overlays"))
        os.chmod(os.path.join(root, "etc/nfsroot-init/overlays"), 0o644)

    # /var: the real directory, or the seed's symlink to /aufs/var/mount.
    if seed_layout:
        for d in ("aufs", "aufs/var", "aufs/var/mount", "aufs/var/ro", "aufs/var/rw"):
            mkdir(root, d)
        os.symlink("/aufs/var/mount", os.path.join(root, "var"))
        var = "aufs/var/" + args.seed_content
    else:
        mkdir(root, "var")
        var = "var"
    for d in ("lib", "lib/testroot", "log", "cache"):
        mkdir(root, f"{var}/{d}")
    mkdir(root, f"{var}/tmp", 0o1777)
    for top, (rel, text) in MARKERS.items():
        write(root, f"{var if top == 'var' else top}/{rel}", text)
    write(root, f"{var}/{DELETABLE[1]}", DELETABLE[2])
    sums = []
    for n in range(UNREAD_FILES):
        block, parts = hashlib.sha256(f"unread {n}".encode()).digest(), []
        while sum(map(len, parts)) < UNREAD_BYTES:
            block = hashlib.sha256(block).digest()
            parts.append(block.hex())
        text = "".join(parts)[:UNREAD_BYTES]
        write(root, f"{UNREAD_DIR}/part-{n}", text)
        sums.append(f"{hashlib.md5(text.encode()).hexdigest()}  /{UNREAD_DIR}/part-{n}\n")
    write(root, "usr/share/testroot/unread.md5", "".join(sums))

    for rel, source in args.image_file:
        os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
        shutil.copyfile(source, os.path.join(root, rel))
        os.chmod(os.path.join(root, rel), 0o644)
    for rel, target in args.image_symlink:
        os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
        os.symlink(target, os.path.join(root, rel))
    for rel in args.image_fifo:
        os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
        os.mkfifo(os.path.join(root, rel), 0o644)
        os.chmod(os.path.join(root, rel), 0o644)


def manifest(root):
    """Every entry under root: type, mode, and content hash or link target."""
    entries = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            st = os.lstat(path)
            mode = stat.S_IMODE(st.st_mode)
            if stat.S_ISLNK(st.st_mode):
                entries[rel] = ["link", os.readlink(path)]
            elif stat.S_ISDIR(st.st_mode):
                entries[rel] = ["dir", oct(mode)]
            elif stat.S_ISREG(st.st_mode):
                entries[rel] = ["file", oct(mode), st.st_size, sha256(path)]
            else:
                entries[rel] = ["other", oct(st.st_mode)]
    return entries


def differences(root, expected):
    if not os.path.isdir(root):
        return [f"{root}: missing"]
    actual = manifest(root)
    out = []
    for rel in sorted(set(expected) | set(actual)):
        if rel not in actual:
            out.append(f"missing: {rel}")
        elif rel not in expected:
            out.append(f"added: {rel}")
        elif actual[rel] != expected[rel]:
            out.append(f"changed: {rel}: {expected[rel]} -> {actual[rel]}")
    return out


def stamp_path(root):
    return root.rstrip("/") + ".stamp"


def read_stamp(root):
    try:
        with open(stamp_path(root)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def inputs(args, seed_layout):
    with open(__file__, "rb") as f:
        me = hashlib.sha256(f.read()).hexdigest()
    return {
        "format": FORMAT,
        "script": me,
        "busybox": sha256(args.busybox),
        "seed_layout": seed_layout,
        "seed_content": args.seed_content if seed_layout else None,
        "overlays": sha256(args.overlays) if args.overlays else None,
        "image_file": [[rel, sha256(source)] for rel, source in args.image_file],
        "image_symlink": [list(pair) for pair in args.image_symlink],
        "image_fifo": list(args.image_fifo),
    }


def make(root, args, seed_layout):
    root = os.path.abspath(root)
    want = inputs(args, seed_layout)
    old = read_stamp(root)
    if (not args.force and old and old.get("inputs") == want
            and not differences(root, old.get("manifest", {}))):
        print(f"make_test_root: {root} is up to date")
        return
    parent = os.path.dirname(root)
    os.makedirs(parent, exist_ok=True)
    new = f"{root}.new.{os.getpid()}"
    shutil.rmtree(new, ignore_errors=True)
    try:
        os.mkdir(new, 0o755)
        os.chmod(new, 0o755)
        build(new, args, seed_layout)
        entries = manifest(new)
        if os.path.isdir(root) and not os.path.islink(root):
            # Keep the top directory itself: a running NFS server holds it by file handle
            # (replacing it leaves the server exporting a deleted directory: ESTALE).
            for name in os.listdir(root):
                path = os.path.join(root, name)
                if os.path.isdir(path) and not os.path.islink(path):
                    shutil.rmtree(path)
                else:
                    os.unlink(path)
            for name in os.listdir(new):
                os.rename(os.path.join(new, name), os.path.join(root, name))
            os.chmod(root, 0o755)
            os.rmdir(new)
        else:
            if os.path.lexists(root):
                os.unlink(root)
            os.rename(new, root)
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    tmp = stamp_path(root) + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"inputs": want, "manifest": entries}, f, indent=0, sort_keys=True)
    os.replace(tmp, stamp_path(root))
    print(f"make_test_root: built {root} ({len(entries)} entries"
          f"{', seed layout, /var content in /aufs/var/' + args.seed_content if seed_layout else ''})")


def check(root):
    root = os.path.abspath(root)
    old = read_stamp(root)
    if not old:
        raise Error(f"{stamp_path(root)}: missing or unreadable; build {root} first")
    diff = differences(root, old["manifest"])
    for line in diff:
        print(f"make_test_root: {root}: {line}")
    if diff:
        return 1
    print(f"make_test_root: {root} matches its manifest ({len(old['manifest'])} entries)")
    return 0


def image_rel(text):
    """REL: a relative path inside the image, without .. (it must stay inside the tree)."""
    parts = text.split("/")
    if not text or text.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise argparse.ArgumentTypeError(f"{text!r}: write a relative path inside the image, "
                                         "such as etc/nfsroot-init/overlays")
    return text


def image_pair(text):
    rel, sep, value = text.partition("=")
    if not sep or not value:
        raise argparse.ArgumentTypeError(f"{text!r}: write REL=VALUE")
    return image_rel(rel), value


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n", 2)[2])
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("-o", "--output", metavar="DIR", help="the root to build (or keep)")
    mode.add_argument("--check", metavar="DIR", nargs="+",
                      help="compare each DIR with its manifest and exit")
    ap.add_argument("--busybox", default="/bin/busybox", help="static busybox to install")
    ap.add_argument("--applets-from", metavar="BUSYBOX",
                    help="list the applets with this busybox (the build machine's) when --busybox "
                         "is another architecture's and cannot run here; both must be the same "
                         "BusyBox version")
    ap.add_argument("--seed-layout", action="store_true",
                    help="build --output with /var as the seed's symlink to /aufs/var/mount")
    ap.add_argument("--seed-output", metavar="DIR2", help="also build DIR2 in the seed's layout")
    ap.add_argument("--seed-content", choices=("mount", "ro"), default="mount",
                    help="with --seed-layout: where the image's /var content lives")
    ap.add_argument("--overlays", metavar="FILE", help="install FILE as /etc/nfsroot-init/overlays")
    ap.add_argument("--image-file", metavar="REL=FILE", type=image_pair, action="append", default=[],
                    help="put a copy of FILE at REL in the image")
    ap.add_argument("--image-symlink", metavar="REL=TARGET", type=image_pair, action="append",
                    default=[], help="put a symbolic link to TARGET at REL in the image")
    ap.add_argument("--image-fifo", metavar="REL", type=image_rel, action="append", default=[],
                    help="put a FIFO at REL in the image")
    ap.add_argument("--force", action="store_true", help="rebuild even when up to date")
    args = ap.parse_args(argv)
    try:
        if args.check:
            return max(check(d) for d in args.check)
        if not os.path.isfile(args.busybox):
            raise Error(f"{args.busybox}: no such file; install busybox-static or pass --busybox")
        check_static(args.busybox)
        if args.applets_from:
            mine, theirs = busybox_version(args.busybox), busybox_version(args.applets_from)
            if mine != theirs:
                raise Error(f"--applets-from {args.applets_from} is {theirs}, --busybox "
                            f"{args.busybox} is {mine}: their applets may differ; use the same "
                            "busybox-static version for both")
        make(args.output, args, args.seed_layout)
        if args.seed_output:
            make(args.seed_output, args, True)
        return 0
    except Error as e:
        sys.exit(f"make_test_root: {e}")
    except (OSError, subprocess.CalledProcessError) as e:
        sys.exit(f"make_test_root: {e}")


if __name__ == "__main__":
    sys.exit(main())
