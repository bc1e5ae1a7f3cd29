#!/usr/bin/env python3
"""An 802.1Q switch port in user space, for the lab's VLAN boots (netns_lab.py --tap …:vlan=ID).

  vlan_relay.py TRUNK ACCESS VID [PLAIN...]

TRUNK is the guest's tap device, ACCESS one end of a veth pair whose other end is on the lab's
bridge. Frames the guest sends tagged with VID leave ACCESS untagged; frames arriving on ACCESS
go to the guest tagged with VID. Untagged frames from the guest, and frames of other VLANs, are
dropped and counted, as a switch port that carries only VID tagged would do: a guest that does
not tag reaches nothing.

Why in user space: the host kernel of this lab has no 8021q and no bridge VLAN filtering, so
neither a VLAN device nor a VLAN-aware bridge can terminate the tag. A packet socket still sees
the tag: the kernel moves it out of the frame (skb_vlan_untag() in __netif_receive_skb_core())
before packet sockets get it, and PACKET_AUXDATA hands it back (packet(7), tpacket_auxdata).

A packet socket reads a frame as the sending device left it: with offloads, a TCP segment of
the lab's servers leaves br0 with its checksum not filled in and as one super-frame of up to
64 KiB, which no guest would take. So the relay first turns off checksum, segmentation and GRO
offloads on each PLAIN device (the bridge the servers send from, the veth ends), through the
ethtool ioctl (SIOCETHTOOL, the legacy ETHTOOL_S* commands): the kernel then fills in every
checksum and cuts every segment to the MTU before a frame reaches the relay.

Each relayed frame's first 20 in each direction, and every 100th, are printed with the running
counts, so netns_lab.py's --expect-log can check what crossed while the guest still runs.
Runs until SIGTERM.
"""
import array
import fcntl
import select
import signal
import socket
import struct
import sys

ETH_P_ALL = 0x0003
ETH_P_8021Q = 0x8100
SOL_PACKET = 263
PACKET_AUXDATA = 8
PACKET_OUTGOING = 4
TP_STATUS_VLAN_VALID = 0x10
# struct tpacket_auxdata: u32 status, len, snaplen; u16 mac, net, vlan_tci, vlan_tpid
AUXDATA = struct.Struct("=IIIHHHH")


SIOCETHTOOL = 0x8946
# include/uapi/linux/ethtool.h: struct ethtool_value { u32 cmd; u32 data; }
ETHTOOL_OFF = {"tx-checksum": 0x17, "scatter-gather": 0x19, "tso": 0x1f, "gso": 0x24, "gro": 0x2c}


def offloads_off(ifname):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for name, command in ETHTOOL_OFF.items():
            value = array.array("I", [command, 0])
            request = struct.pack("16sP", ifname.encode(), value.buffer_info()[0])
            try:
                fcntl.ioctl(s.fileno(), SIOCETHTOOL, request)
            except OSError as e:
                print(f"vlan_relay: {ifname}: {name} offload stays on: {e}", flush=True)


def packet_socket(ifname):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    s.bind((ifname, ETH_P_ALL))
    return s


def receive(s):
    """One frame the device received (not one it sent) and its VLAN id, or None."""
    data, ancdata, _flags, address = s.recvmsg(65535, socket.CMSG_SPACE(AUXDATA.size))
    if address[2] == PACKET_OUTGOING:
        return None, None
    vid = None
    for level, kind, payload in ancdata:
        if level == SOL_PACKET and kind == PACKET_AUXDATA and len(payload) >= AUXDATA.size:
            status, _, _, _, _, tci, _ = AUXDATA.unpack_from(payload)
            if status & TP_STATUS_VLAN_VALID:
                vid = tci & 0x0fff
    # A tag the kernel left in the frame (it does when it cannot parse past it) counts the same.
    if vid is None and len(data) >= 18 and struct.unpack_from("!H", data, 12)[0] == ETH_P_8021Q:
        vid = struct.unpack_from("!H", data, 14)[0] & 0x0fff
        data = data[:12] + data[16:]
    return data, vid


def describe(frame):
    kind = struct.unpack_from("!H", frame, 12)[0] if len(frame) >= 14 else 0
    return f"{frame[6:12].hex(':')} > {frame[0:6].hex(':')} type 0x{kind:04x} len {len(frame)}"


def main():
    if len(sys.argv) < 4 or not sys.argv[3].isdigit() or not 1 <= int(sys.argv[3]) <= 4094:
        sys.exit("usage: vlan_relay.py TRUNK ACCESS VID (1-4094) [PLAIN...]")
    trunk_name, access_name, vid = sys.argv[1], sys.argv[2], int(sys.argv[3])
    for plain in sys.argv[4:]:
        offloads_off(plain)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    trunk, access = packet_socket(trunk_name), packet_socket(access_name)
    tag = struct.pack("!HH", ETH_P_8021Q, vid)
    counts = {"up": 0, "down": 0, "untagged": 0, "other-vlan": 0}

    def note(what, frame):
        n = counts[what]
        if n <= 20 or n % 100 == 0:
            print(f"{what} {n}: {describe(frame)} (tagged from the guest {counts['up']}, to it "
                  f"{counts['down']}; dropped untagged {counts['untagged']}, other VLANs "
                  f"{counts['other-vlan']})", flush=True)

    print(f"vlan_relay: {trunk_name} carries VLAN {vid} tagged; {access_name} untagged", flush=True)
    while True:
        readable, _, _ = select.select([trunk, access], [], [])
        if trunk in readable:
            frame, frame_vid = receive(trunk)
            if frame is not None:
                if frame_vid == vid:
                    access.send(frame)
                    counts["up"] += 1
                    note("up", frame)
                else:
                    what = "untagged" if frame_vid is None else "other-vlan"
                    counts[what] += 1
                    note(what, frame)
        if access in readable:
            frame, frame_vid = receive(access)
            if frame is not None and frame_vid is None and len(frame) >= 14:
                trunk.send(frame[:12] + tag + frame[12:])
                counts["down"] += 1
                note("down", frame)


if __name__ == "__main__":
    try:
        main()
    except OSError as e:
        sys.exit(f"vlan_relay: {e}")
