#!/usr/bin/env python3
"""Checks the configuration examples of docs/diskless.md with the real tools.

A fenced block whose info string names a file kind (dhcpd.conf, dnsmasq.conf, pxelinux.cfg,
exports, tftpd-hpa) is a file, named by its first line `# /path`; blocks naming the same file
are parts of it, in order. Each file is checked with the tool that reads it where one is
installed here (dhcpd -t, dnsmasq --test), else against its documented format (pxelinux's
keywords and the seed's rules, exports(5)); every pxelinux `append` line must pass
`nfsroot-init explain`. The files must agree with each other (TFTP root, MACs, the exported
path, the clients' addresses). `sh` blocks must pass `bash -n` and shellcheck. Every kernel
command line option the guide names must be in README's option tables, every README link must
name one of its headings, and every failure message quoted in a `console` block must be made
of the string literals the sources print.
"""

import argparse
import ipaddress
import os
import re
import shutil
import subprocess
import sys
import tempfile

FILE_KINDS = ("dhcpd.conf", "dnsmasq.conf", "pxelinux.cfg", "exports", "tftpd-hpa")

# exports(5) of nfs-utils 2.6: options without a value, and options that need one.
EXPORT_FLAGS = {
    "secure", "insecure", "rw", "ro", "async", "sync", "wdelay", "no_wdelay", "hide", "nohide",
    "crossmnt", "subtree_check", "no_subtree_check", "secure_locks", "insecure_locks", "auth_nlm",
    "no_auth_nlm", "nordirplus", "pnfs", "no_pnfs", "security_label", "root_squash",
    "no_root_squash", "all_squash", "no_all_squash", "mountpoint", "mp",
}
EXPORT_VALUES = {"fsid", "refer", "replicas", "sec", "anonuid", "anongid", "mountpoint", "mp"}
EXPORT_CONFLICTS = [("ro", "rw"), ("sync", "async"), ("root_squash", "no_root_squash"),
                    ("subtree_check", "no_subtree_check"), ("all_squash", "no_all_squash")]

# SYSLINUX keywords a pxelinux.cfg may use (syslinux 6.04 doc/syslinux.txt); a typo such as
# "apend" would otherwise be ignored by pxelinux and boot without a root.
PXELINUX_KEYWORDS = {
    "default", "label", "kernel", "linux", "initrd", "append", "ipappend", "sysappend",
    "localboot", "prompt", "timeout", "totaltimeout", "ontimeout", "onerror", "implicit",
    "allowoptions", "say", "display", "serial", "console", "font", "kbdmap", "ui", "menu",
    "text", "endtext", "path", "include", "noescape", "nocomplete", "f1", "f2", "f3", "f4", "f5",
    "f6", "f7", "f8", "f9", "f10", "f11", "f12",
}
TFTPD_HPA_KEYS = {"TFTP_USERNAME", "TFTP_DIRECTORY", "TFTP_ADDRESS", "TFTP_OPTIONS"}

# Variables of other programs' files that the guide names in `code` in its prose: not kernel
# options. The hook's own variables are read from its conf file instead.
OTHER_VARIABLES = {"INTERFACESv4"}  # /etc/default/isc-dhcp-server

SOURCE_DIRS = ("base", "net", "network", "mounts", "rootmount", "overlay", "cmdline", "plan", "drivers", "pid1",
               "cli", "init")


class Report:
    def __init__(self, doc):
        self.doc = doc
        self.problems = []
        self.checked = []

    def fail(self, line, text):
        self.problems.append(f"{self.doc}:{line}: {text}")

    def ok(self, text, since):
        """Records a check as passed when it added no problem since `since`."""
        if len(self.problems) == since:
            self.checked.append(text)


class Block:
    def __init__(self, line, info, text):
        self.line = line  # of the opening fence
        self.info = info
        self.text = text


def read_blocks(text):
    blocks, prose = [], []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        opening = re.match(r"^(\s*)(`{3,})(.*)$", lines[i])
        if not opening:
            prose.append((i + 1, lines[i]))
            i += 1
            continue
        indent, fence, info = opening.groups()
        body = []
        j = i + 1
        while j < len(lines) and not re.match(r"^\s*" + fence + r"\s*$", lines[j]):
            body.append(lines[j][len(indent):] if lines[j].startswith(indent) else lines[j].lstrip())
            j += 1
        if j == len(lines):
            raise SystemExit(f"unterminated code block at line {i + 1}: close it with {fence}")
        blocks.append(Block(i + 1, info.strip().split()[0] if info.strip() else "", "\n".join(body) + "\n"))
        i = j + 1
    return blocks, prose


def run(command, **kwargs):
    return subprocess.run(command, capture_output=True, text=True, timeout=60, **kwargs)


def need_tool(name, package):
    path = shutil.which(name) or (f"/usr/sbin/{name}" if os.path.exists(f"/usr/sbin/{name}") else None)
    if not path:
        raise SystemExit(f"check_doc_examples: {name} not found: install {package} (scripts/setup.sh does)")
    return path


def doc_line(blocks, number):
    """The line of the guide that is line `number` of the file its blocks make."""
    for block in blocks:
        count = len(block.text.splitlines())
        if number <= count:
            return block.line + number
        number -= count
    return blocks[0].line


def tool_failure(blocks, output, path):
    """(the guide's line, the tool's words with its line numbers and file name made the guide's)"""
    lines = [int(n) for n in re.findall(r"\bline (\d+)", output)]
    text = re.sub(r"/tmp/\S+?\.conf", path, output)
    return (doc_line(blocks, lines[0]) if lines else blocks[0].line), text


def with_file(text, suffix, check):
    with tempfile.NamedTemporaryFile("w", suffix=suffix, delete=False) as f:
        f.write(text)
    try:
        return check(f.name)
    finally:
        os.unlink(f.name)


# --- the files --------------------------------------------------------------------------------

def group_files(blocks, report):
    files = {}  # (kind, path) -> [blocks]
    for block in blocks:
        if block.info not in FILE_KINDS:
            continue
        first = block.text.split("\n", 1)[0]
        named = re.match(r"^#\s*(/\S+)", first)
        if not named:
            report.fail(block.line, f"a {block.info} block must start with '# /path/of/the/file'")
            continue
        files.setdefault((block.info, named.group(1).rstrip(",")), []).append(block)
    return files


def check_dhcpd(path, blocks, report, facts):
    since = len(report.problems)
    text = "".join(b.text for b in blocks)
    dhcpd = need_tool("dhcpd", "isc-dhcp-server")
    result = with_file(text, ".conf", lambda name: run([dhcpd, "-4", "-t", "-cf", name]))
    if result.returncode != 0:
        errors = [l for l in (result.stdout + result.stderr).splitlines() if "line" in l or "error" in l.lower()]
        line, text = tool_failure(blocks, " | ".join(errors[:6]), path)
        report.fail(line, f"{path}: dhcpd -t rejects it: {text}")
        return
    for statement in ("allow booting;", "next-server", 'filename "pxelinux.0";'):
        if statement not in text:
            report.fail(blocks[0].line, f"{path}: no '{statement}': PXE firmware needs it")
    facts["macs"].update(m.lower() for m in re.findall(r"hardware ethernet\s+([0-9A-Fa-f:]{17});", text))
    facts["addresses"].update(re.findall(r"fixed-address\s+([\d.]+);", text))
    facts["servers"].update(re.findall(r"next-server\s+([\d.]+);", text))
    report.ok(f"{path}: dhcpd -t accepts it", since)


def check_dnsmasq(path, blocks, report, facts):
    since = len(report.problems)
    text = "".join(b.text for b in blocks)
    dnsmasq = need_tool("dnsmasq", "dnsmasq-base")
    result = with_file(text, ".conf", lambda name: run([dnsmasq, "--test", f"--conf-file={name}"]))
    if result.returncode != 0:
        line, text = tool_failure(blocks, (result.stdout + result.stderr).strip(), path)
        report.fail(line, f"{path}: dnsmasq --test rejects it: {text}")
        return
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if key == "dhcp-host":
            fields = value.split(",")
            facts["macs"].update(f.lower() for f in fields if re.fullmatch(r"[0-9A-Fa-f:]{17}", f))
            facts["addresses"].update(f for f in fields if re.fullmatch(r"[\d.]+", f))
        elif key == "tftp-root":
            facts["tftp_roots"].append((blocks[0].line, f"{path} tftp-root", value.split(",")[0]))
    report.ok(f"{path}: dnsmasq --test accepts it", since)


def check_tftpd(path, blocks, report, facts):
    since = len(report.problems)
    text = "".join(b.text for b in blocks)
    result = with_file(text, ".sh", lambda name: run(["sh", "-n", name]))
    if result.returncode != 0:
        report.fail(blocks[0].line, f"{path}: not valid shell (the init script sources it): {result.stderr.strip()}")
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        pair = re.fullmatch(r'([A-Z_]+)="([^"]*)"', line.strip())
        if not pair or pair.group(1) not in TFTPD_HPA_KEYS:
            report.fail(blocks[0].line, f"{path}: '{line}': expected KEY=\"value\" with KEY one of {sorted(TFTPD_HPA_KEYS)}")
            continue
        if pair.group(1) == "TFTP_DIRECTORY":
            facts["tftp_roots"].append((blocks[0].line, f"{path} TFTP_DIRECTORY", pair.group(2)))
    report.ok(f"{path}: shell syntax and tftpd-hpa's keys", since)


def parse_exports(text):
    """[(line, path, [(client, [options])], problems)] per exports(5)."""
    entries = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        problems = []
        words = re.findall(r'"[^"]*"|\S+', line)
        path = words[0].strip('"')
        if not path.startswith("/"):
            problems.append(f"'{path}' is not an absolute path")
        clients = []
        for word in words[1:]:
            spec = re.fullmatch(r"([^()\s]*)(?:\(([^()]*)\))?", word)
            if not spec:
                problems.append(f"'{word}' is not CLIENT(OPTIONS)")
                continue
            client, options = spec.group(1), spec.group(2)
            if client == "":
                problems.append(f"'{word}': a space before '(' exports to everyone; write CLIENT(OPTIONS) with no space")
            elif not valid_client(client):
                problems.append(f"'{client}' is no host, network, wildcard or @netgroup")
            opts = options.split(",") if options else []
            for option in opts:
                name, has_value, value = option.partition("=")
                if name not in EXPORT_FLAGS | EXPORT_VALUES:
                    problems.append(f"'{option}' is not an exports(5) option")
                elif has_value and name not in EXPORT_VALUES:
                    problems.append(f"'{option}': {name} takes no value")
                elif name in EXPORT_VALUES - EXPORT_FLAGS and (not has_value or not value):
                    problems.append(f"'{option}': {name} needs a value")
                elif name in ("anonuid", "anongid") and not value.isdigit():
                    problems.append(f"'{option}': a number is needed")
            for a, b in EXPORT_CONFLICTS:
                if a in opts and b in opts:
                    problems.append(f"'{client}({options})': {a} and {b} contradict each other")
            clients.append((client, opts))
        if not clients:
            problems.append(f"'{path}' names no client: add e.g. 192.168.1.0/24(ro,no_root_squash,no_subtree_check)")
        entries.append((number, path, clients, problems))
    return entries


def valid_client(client):
    if client.startswith("@"):
        return bool(re.fullmatch(r"@[\w.-]+", client))
    if re.fullmatch(r"[\d./]+", client):
        try:
            ipaddress.ip_network(client, strict=False)
            return True
        except ValueError:
            return False
    return bool(re.fullmatch(r"[A-Za-z0-9*?.-]+", client))


def check_exports(path, blocks, report, facts):
    since = len(report.problems)
    text = "".join(b.text for b in blocks)
    for number, export_path, clients, problems in parse_exports(text):
        for problem in problems:
            report.fail(blocks[0].line + number, f"{path}: {problem}")
        facts["exports"].append((blocks[0].line + number, export_path, clients))
    report.ok(f"{path}: exports(5) syntax and options", since)


def pxelinux_labels(text):
    """(default, {label: {keyword: value}}, [unknown keywords])"""
    default, labels, unknown, current = None, {}, [], None
    for line in text.splitlines():
        words = line.strip().split(None, 1)
        if not words or words[0].startswith("#"):
            continue
        keyword, value = words[0].lower(), (words[1] if len(words) > 1 else "")
        if keyword not in PXELINUX_KEYWORDS:
            unknown.append(words[0])
        elif keyword == "default":
            default = value
        elif keyword == "label":
            current = labels.setdefault(value, {})
        elif current is not None:
            current["kernel" if keyword == "linux" else keyword] = value
    return default, labels, unknown


def check_pxelinux(path, blocks, report, facts, explain):
    text = "".join(b.text for b in blocks)
    line = blocks[0].line
    name = os.path.basename(path)
    mac = None
    by_mac = re.fullmatch(r"01-((?:[0-9a-f]{2}-){5}[0-9a-f]{2})", name)
    if by_mac:
        mac = by_mac.group(1).replace("-", ":")
    elif name != "default" and not re.fullmatch(r"[0-9A-F]{1,8}", name):
        report.fail(line, f"{path}: pxelinux never asks for '{name}': use 01-<mac, lower case, dashes>, "
                          "the address in upper-case hex, or default")
    facts["pxelinux"].append((line, path, mac))
    default, labels, unknown = pxelinux_labels(text)
    for word in unknown:
        report.fail(line, f"{path}: '{word}' is no pxelinux keyword (a typo? pxelinux ignores it)")
    if not labels:
        report.fail(line, f"{path}: no label: add 'label NAME' with kernel, initrd and append")
    if default is None or default not in labels:
        report.fail(line, f"{path}: 'default {default}' names no label; labels: {sorted(labels)}")
    for label, keys in labels.items():
        for keyword in ("kernel", "initrd", "append"):
            if keyword not in keys:
                report.fail(line, f"{path}: label {label} has no {keyword} line")
        append = keys.get("append", "")
        if not append:
            continue
        words = append.split()
        if "root=/dev/nfs" not in words or not any(w.startswith("nfsroot=") for w in words):
            report.fail(line, f"{path}: label {label}: append needs root=/dev/nfs and nfsroot=<server>:<path>")
        facts["appends"].append((line, f"{path} label {label}", append))
        cmdline = append
        # ipappend/sysappend bit 2 makes pxelinux add BOOTIF=01-<mac>: check the line /init gets.
        flags = keys.get("ipappend") or keys.get("sysappend") or "0"
        if flags.isdigit() and int(flags) & 2:
            example = mac or next(iter(sorted(facts["macs"])), "52:54:00:12:34:56")
            cmdline += " BOOTIF=01-" + example.replace(":", "-")
        result = run([explain, "explain", "--cmdline", cmdline])
        warnings = [l for l in result.stdout.splitlines() if l.startswith(("warning:", "error:"))]
        if result.returncode != 0 or warnings:
            report.fail(line, f"{path}: label {label}: nfsroot-init explain --cmdline '{cmdline}' exits "
                              f"{result.returncode}: " + " | ".join(warnings or [result.stderr.strip()]))
        else:
            report.ok(f"{path}: label {label}: explain exits 0 for '{cmdline}'", len(report.problems))
        for field in words:
            if field.startswith("nfsroot=") and ":" in field:
                server, _, rest = field[len("nfsroot="):].partition(":")
                facts["roots"].append((line, f"{path} label {label}", server, rest.split(",")[0]))


def check_agreement(report, facts):
    """The files of one setup must name the same things."""
    roots = {root for _, _, root in facts["tftp_roots"]}
    if len(roots) > 1:
        report.fail(facts["tftp_roots"][0][0], "the TFTP roots differ: " +
                    ", ".join(f"{where} {root}" for _, where, root in facts["tftp_roots"]))
    for line, path, mac in facts["pxelinux"]:
        for root in roots:
            if not path.startswith(root.rstrip("/") + "/pxelinux.cfg/"):
                report.fail(line, f"{path} is not in {root}/pxelinux.cfg/, where pxelinux looks")
        if mac and mac not in facts["macs"]:
            report.fail(line, f"{path}: no DHCP host entry has MAC {mac}; known: {sorted(facts['macs'])}")
    for line, where, server, root_path in facts["roots"]:
        if facts["servers"] and server not in facts["servers"]:
            report.fail(line, f"{where}: nfsroot= server {server} is not the next-server {sorted(facts['servers'])}")
        covering = [e for e in facts["exports"] if root_path == e[1] or root_path.startswith(e[1].rstrip("/") + "/")]
        if not covering:
            report.fail(line, f"{where}: {root_path} is in no /etc/exports line of the guide")
        for address in sorted(facts["addresses"]):
            allowed = any(client_allows(client, address) for _, _, clients in covering for client, _ in clients)
            if covering and not allowed:
                report.fail(line, f"{where}: the client {address} (DHCP) is not allowed by the export of {root_path}")


def client_allows(client, address):
    if re.fullmatch(r"[\d./]+", client):
        return ipaddress.ip_address(address) in ipaddress.ip_network(client, strict=False)
    return True  # names, wildcards and netgroups: cannot tell here


# --- shell blocks, options, links, messages --------------------------------------------------

def check_shell(blocks, report):
    since = len(report.problems)
    shellcheck = need_tool("shellcheck", "shellcheck")
    for block in (b for b in blocks if b.info == "sh"):
        text = "#!/bin/bash\n" + block.text
        syntax = with_file(text, ".sh", lambda name: run(["bash", "-n", name]))
        if syntax.returncode != 0:
            report.fail(block.line, f"sh block: bash -n: {syntax.stderr.strip()}")
            continue
        lint = with_file(text, ".sh", lambda name: run([shellcheck, "-s", "bash", "-f", "gcc", name]))
        for finding in lint.stdout.splitlines():
            # file:LINE:COLUMN: ...; line 1 is the shebang added above, line 2 the block's first.
            where = re.match(r"^[^:]+:(\d+):\d+: (.*)$", finding)
            if where:
                report.fail(block.line + int(where.group(1)) - 1, f"sh block: shellcheck: {where.group(2)}")
        if lint.returncode != 0 and not lint.stdout.strip():
            report.fail(block.line, f"sh block: shellcheck failed: {lint.stderr.strip()}")
        for source in re.findall(r"(?<![\w$])(/usr/lib/\S+)", block.text):
            if not os.path.exists(source):
                report.fail(block.line, f"sh block: {source} does not exist here: is the package moved, or not installed?")
    report.ok("sh blocks: bash -n, shellcheck, the /usr/lib files they copy exist", since)


def readme_options(readme):
    """Option names in the two tables of README's "Kernel command line" section."""
    section = re.search(r"^## Kernel command line\n(.*?)^## ", readme, re.S | re.M)
    if not section:
        raise SystemExit("check_doc_examples: README has no '## Kernel command line' section")
    names = set()
    for row in re.findall(r"^\| (.*?) \|", section.group(1), re.M):
        for span in re.findall(r"`([^`]+)`", row):
            names.add(option_name(span))
    return names


def option_name(word):
    return word.split("=", 1)[0] + "=" if "=" in word else word


def hook_variables(source_dir):
    path = os.path.join(source_dir, "initramfs-hook", "hooks", "nfsroot-init")
    with open(path) as f:
        return set(re.findall(r"\b(NFSROOT_INIT\w*)", f.read()))


def check_options(prose, facts, readme, source_dir, report):
    since = len(report.problems)
    known = readme_options(readme)
    for line, where, append in facts["appends"]:
        for word in append.split():
            if option_name(word) not in known:
                report.fail(line, f"{where}: '{option_name(word)}' is in neither option table of README")
    others = hook_variables(source_dir) | OTHER_VARIABLES | EXPORT_FLAGS | EXPORT_VALUES
    for line, text in prose:
        for span in re.findall(r"`([^`]+)`", text):
            word = span.split()[0]
            if not re.match(r"^(nfsroot-init\.[\w.]*|[A-Za-z][\w.]*=)", word):
                continue
            name = option_name(word)
            if name.rstrip("=") in others:
                continue
            if name not in known:
                report.fail(line, f"'{name}' is in neither option table of README: fix the name, or document it there")
    report.ok(f"options: every one named is in README's tables ({len(known)} there)", since)


def github_anchor(heading):
    anchor = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return anchor.replace(" ", "-")


def check_links(prose, readme, report):
    since = len(report.problems)
    anchors = {github_anchor(h) for h in re.findall(r"^#+ (.*)$", readme, re.M)}
    for line, text in prose:
        for anchor in re.findall(r"\]\(\.\./README\.md#([^)]+)\)", text):
            if anchor not in anchors:
                report.fail(line, f"README has no heading for #{anchor}")
    report.ok("links: every README anchor names a heading", since)


# A quoted failure is the sources' literals around values: these are the values.
VALUE = re.compile(
    r"…"
    r"|(?<=-o )\S+?(?=: )"                                          # the mount data
    r"|(?<=mount )nfs4?\b"                                          # its filesystem type
    r"|(?<=')[^'\s]+(?=')"                                          # quoted values
    r"|\b[a-z][\w.-]*= \S+?(?=:)"                                   # "OPTION= VALUE:" (describe())
    r"|\d{1,3}(?:\.\d{1,3}){3}(?:/\d+)?(?::/[\w./-]*)?"             # addresses, server:/path
    r"|[0-9a-f]{2}(?::[0-9a-f]{2}){5}"                              # MACs
    r"|/[\w.-]+(?:/[\w.-]+)*"                                       # paths
    r"|\b(?:lo|eth\d+|enp\d+s\d+)\b"                                # interface names
    r"|\d+(?:\.\d+)?")                                              # counts, seconds


def source_literals(source_dir):
    literals = set()
    for folder in SOURCE_DIRS:
        for root, _, names in os.walk(os.path.join(source_dir, folder)):
            for name in names:
                if name.endswith((".cpp", ".h")):
                    with open(os.path.join(root, name), encoding="utf-8") as f:
                        for literal in re.findall(r'"((?:[^"\\\n]|\\.)*)"', f.read()):
                            literals.add(literal.replace('\\"', '"').replace("\\\\", "\\"))
    literals.update(os.strerror(n) for n in range(1, 134))  # what std::strerror prints
    return literals


class Literals:
    def __init__(self, literals):
        self.whole = literals
        self.prefixes = {l[:n] for l in literals for n in range(1, len(l) + 1)}
        self.suffixes = {l[n:] for l in literals for n in range(len(l))}
        self.joined = "\x00".join(sorted(literals))


def uncovered(fragment, literals, value_before, value_after):
    """The part of fragment that no sequence of the sources' literals makes, or None.

    The sources build a message by concatenating literals and values, so each piece must be a
    whole literal; only where VALUE cut a literal (a value the regex took from inside one, such
    as "/etc/exports") may the piece next to that value be part of a literal.
    """
    end = len(fragment)
    if value_before and value_after and fragment in literals.joined:
        return None
    reach, best = {0}, 0
    for i in range(end):
        if i not in reach:
            continue
        best = i
        for j in range(i + 1, end + 1):
            piece = fragment[i:j]
            # Short words ("no ", "OFFER") are literals somewhere, so inside a fragment they would
            # let reordered or altered sentences through; only a plural "s" (count()) or
            # punctuation may be short there.
            short_ok = len(piece) >= 6 or i == 0 or j == end or piece == "s" or not re.search(r"\w", piece)
            if ((piece in literals.whole and short_ok) or (i == 0 and value_before and piece in literals.suffixes)
                    or (j == end and value_after and piece in literals.prefixes)):
                reach.add(j)
    return None if end in reach else fragment[best:best + 40]


def check_messages(blocks, source_dir, report):
    since = len(report.problems)
    literals = Literals(source_literals(source_dir))
    count = 0
    for block in (b for b in blocks if b.info == "console"):
        for offset, line in enumerate(block.text.splitlines(), 1):
            message = re.sub(r"^(?:\[\s*[\d.]+\] )?nfsroot-init: \[\+[\d.]+\] ", "", line)
            # The failures (and retries) are what the guide quotes word for word.
            if message == line or not re.search(r"failed|retry", message):
                continue
            count += 1
            fragments = VALUE.split(message)
            for k, fragment in enumerate(fragments):
                missing = uncovered(fragment, literals, k > 0, k < len(fragments) - 1) if fragment else None
                if missing is not None:
                    report.fail(block.line + offset, f"this message is not what the sources print: '{missing}…' is in "
                                                     f"no string literal of {', '.join(SOURCE_DIRS)}; copy it from a "
                                                     "boot log or the source")
                    break
    report.ok(f"messages: {count} quoted failure lines of /init are made of the sources' literals", since)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--doc", required=True, help="docs/diskless.md")
    ap.add_argument("--readme", required=True, help="README.md with the option tables")
    ap.add_argument("--explain", required=True, help="the nfsroot-init binary whose explain checks append lines")
    args = ap.parse_args()
    source_dir = os.path.dirname(os.path.abspath(args.readme))
    with open(args.doc, encoding="utf-8") as f:
        doc = f.read()
    with open(args.readme, encoding="utf-8") as f:
        readme = f.read()
    report = Report(args.doc)
    blocks, prose = read_blocks(doc)
    facts = {"macs": set(), "addresses": set(), "servers": set(), "tftp_roots": [], "exports": [],
             "pxelinux": [], "appends": [], "roots": []}
    files = group_files(blocks, report)
    order = {"dhcpd.conf": 0, "dnsmasq.conf": 1, "tftpd-hpa": 2, "exports": 3, "pxelinux.cfg": 4}
    for (kind, path), parts in sorted(files.items(), key=lambda item: order[item[0][0]]):
        if kind == "dhcpd.conf":
            check_dhcpd(path, parts, report, facts)
        elif kind == "dnsmasq.conf":
            check_dnsmasq(path, parts, report, facts)
        elif kind == "tftpd-hpa":
            check_tftpd(path, parts, report, facts)
        elif kind == "exports":
            check_exports(path, parts, report, facts)
        else:
            check_pxelinux(path, parts, report, facts, args.explain)
    for kind in FILE_KINDS:
        if not any(k == kind for k, _ in files):
            report.fail(1, f"no {kind} example: the guide must show one (a block ```{kind} starting '# /path')")
    check_agreement(report, facts)
    check_shell(blocks, report)
    check_options(prose, facts, readme, source_dir, report)
    check_links(prose, readme, report)
    check_messages(blocks, source_dir, report)
    for line in report.checked:
        print(f"ok: {line}")
    for line in report.problems:
        print(f"FAIL: {line}")
    if report.problems:
        print(f"{len(report.problems)} problem(s) in {args.doc}'s examples")
        return 1
    print(f"all {len(report.checked)} checks of {args.doc} passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
