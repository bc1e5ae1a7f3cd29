#!/usr/bin/env python3
"""The planted bugs of the build/list/rollback/boot-order scenarios: each is put into a copy of
nfsroot-image, and the scenario named beside it must fail against that copy.

  plant_bugs.py [WORD...]     (as root; WORD picks the plants whose name contains it)

Not a ctest test (a run takes a few minutes): run it after changing the tool or the scenarios.
A plant whose text is no longer in the tool is reported, to be brought up to date.
"""
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.path.join(HERE, "../../image-tool/nfsroot-image")
TEST = os.path.join(HERE, "image_tool_test.py")

# (name, text in the tool, its replacement, the scenario that must fail)
PLANTS = [
 ("tmp not hidden", 'for d in "$@"; do\n\t\tmode=', 'for d in "$@"; do\n\t\t[ "$d" = tmp ] && continue\n\t\tmode=', "build"),
 ("tmpfs mode fixed", '-o "mode=$mode,', '-o "mode=0755,', "build"),
 ("machine-id not bound", '[ -n "$machine_id" ] && do_mount', '[ -n "$machine_id" ] && false && do_mount', "build"),
 ("dbus machine-id packed (squashfs)", 'patterns+=(var/lib/dbus/machine-id)', 'true', "build"),
 ("host keys packed (squashfs)", "patterns+=('etc/ssh/ssh_host_*')", "patterns+=('etc/ssh/host_*')", "build"),
 ("host keys packed (erofs)", "'--exclude-regex=^etc/ssh/ssh_host_'", "'--exclude-regex=^ssh_host_'", "build_erofs"),
 ("dbus machine-id packed (erofs)", "args+=(--exclude-path=var/lib/dbus/machine-id)", "true", "build_erofs"),
 ("recursive bind", 'do_mount "$view" --bind "$img"', 'do_mount "$view" --rbind "$img"', "build_erofs"),
 ("current without newline", "printf '%s\\n' \"$3\" >\"$tmp\"", "printf '%s' \"$3\" >\"$tmp\"", "build"),
 ("current not atomic", '\t{ printf \'%s\\n\' "$3" >"$tmp" &&', '\t[ "$name" = current ] && { : >"$dir/$name"; sleep 0.02; }\n\t{ printf \'%s\\n\' "$3" >"$tmp" &&', "build"),
 ("keep one too many", 'for ((i = 0; i < ${#versions[@]} - keep; i++))', 'for ((i = 0; i < ${#versions[@]} - keep - 1; i++))', "build"),
 ("keep leaves .sha256", 'rm -f -- "$chan/${versions[i]}" "$chan/${versions[i]}.sha256"', 'rm -f -- "$chan/${versions[i]}"', "build"),
 ("image mode 0600", 'if ! { chmod 0644 -- "$out" && sync', 'if ! { chmod 0600 -- "$out" && sync', "build"),
 ("sha256 file one space", '"$hash  $version"', '"$hash $version"', "build"),
 ("rollback to the oldest", '[[ $v < $CURRENT ]] && target=$v', '[[ $v < $CURRENT ]] && [ -z "$target" ] && target=$v', "rollback_list"),
 ("rollback unchecked", '\tcheck_sha256 "$CHAN" "$target"\n', '\ttrue\n', "rollback_list"),
 ("list by extension", 'fmt=$(image_format "$f") || fmt="not an image"', 'fmt=${n##*.}', "rollback_list"),
 ("list misses a broken current", "elif [ ! -f \"$CHAN/$CURRENT\" ] || [ -L \"$CHAN/$CURRENT\" ]; then", "elif false; then", "rollback_list"),
 ("no channel lock", '\tflock -n 7 ||', '\ttrue ||', "build_refusals"),
 ("no image lock", 'if ! flock -s -n 8; then', 'if false; then', "build_refusals"),
 ("failure leaves temp", '\tcleanup_temp\n\t[ -n "$CREATED_CHANNEL" ]', '\t[ -n "$CREATED_CHANNEL" ]', "build_refusals"),
 ("current switched before packing", '\tsay "packing $IMG', '\twrite_atomic "$chan" current "x.squashfs"\n\tsay "packing $IMG', "build_refusals"),
 ("channel inside image allowed", 'if [ "$chan" = "$IMG" ] || [[ $chan/ == "$IMG"/* ]]; then', 'if false; then', "build_refusals"),
 ("missing packer unchecked", 'command -v "$packer" >/dev/null ||', 'true ||', "build_refusals"),
 ("boot order ignored", '[ -n "$sort_file" ] && args+=(-sort "$sort_file")', 'true', "build_boot_order"),
 ("boot order reversed", '$((n < 32766 ? 32767 - n : 1))', '$((n < 32766 ? n + 2 : 1))', "build_boot_order"),
 ("boot order names unquoted", '[[ $c == [[:space:]] ]] && entry+=', '[[ $c == [[:space:]] ]] && true ||', "build_boot_order"),
 ("boot order lists mounted files", '[[ $rel/ == "$m"/* ]] && why=', 'false && why=', "build_boot_order"),
 ("block size ignored", '[ -n "$block" ] && args+=(-b "$block")', 'true', "build_boot_order"),
 ("boot order keeps 128K", '\t\tBLOCK=1048576\n', '\t\tBLOCK=""\n', "build_boot_order"),
 ("boot-order lists tmp", 'prune+=(-path "./$p" -o)', 'true', "build_boot_order"),
 ("boot-order crosses mounts", 'find . -xdev \\(', 'find . \\(', "build_boot_order"),
 ("boot-order newest first", "sort -t $'\\t' -k1,1n -k2", "sort -t $'\\t' -k1,1nr -k2", "build_boot_order"),
 ("boot-order cut strict", '[ "$ns" -ge "$since_ns" ]', '[ "$ns" -gt "$since_ns" ]', "build_boot_order"),
 ("SIGTERM as failure", '\tif [ "$rc" -ge 128 ] && [ "$rc" -lt 160 ]; then\n\t\tsay "interrupted (status $rc): nothing', '\tif false; then\n\t\tsay "interrupted (status $rc): nothing', "build_refusals"),
]
only = sys.argv[1:]
missed = 0
for name, old, new, scenario in PLANTS:
    if only and not any(o in name for o in only): continue
    src = open(TOOL).read()
    n = src.count(old)
    if n != 1:
        print(f"PLANT {name}: its text is in the tool {n} times, not once: update it"); missed += 1; continue
    d = tempfile.mkdtemp(prefix="nfsroot-image-plant.")
    os.chmod(d, 0o755)  # list runs as nobody
    t = d + '/nfsroot-image'
    open(t, 'w').write(src.replace(old, new)); os.chmod(t, 0o755)
    # TMPDIR: what a planted bug leaves in the temporary folder goes with the copy.
    p = subprocess.run([sys.executable, TEST, '--tool', t, scenario], capture_output=True, text=True,
                       env=dict(os.environ, TMPDIR=d))
    shutil.rmtree(d)
    fail = [l for l in p.stdout.splitlines() if l.startswith('FAIL')]
    missed += p.returncode == 0
    print(f"{'CAUGHT' if p.returncode else 'MISSED'} {name} [{scenario}]: {(fail[0] if fail else p.stdout[-300:])[:230]}", flush=True)
sys.exit(1 if missed else 0)
