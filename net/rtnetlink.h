// The few rtnetlink messages the boot needs (rtnetlink(7), netlink(7)), as a pure codec:
// requests are built into a buffer the caller owns, replies are parsed from the bytes one
// recv() returned, every field read with an explicit bounded load. No I/O here: the socket
// that carries them is sys/netlink_socket.h, the requests in order are network/netlink.cpp.
//
// Netlink is host-endian (the kernel's own struct layout); only the IPv4 addresses inside the
// attributes are in network byte order. The message and attribute layouts are the kernel's UAPI
// (include/uapi/linux/netlink.h, rtnetlink.h, if_link.h, if_addr.h) and never change.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/ipv4.h"
#include "base/ipv6.h"
#include "net/link_info.h"

namespace nfsroot::rtnetlink {

// The largest request below, a VLAN's: nlmsghdr 16 + ifinfomsg 16 + IFLA_LINK 8 + IFLA_IFNAME
// up to 20 + IFLA_LINKINFO 24 = 84 bytes.
inline constexpr std::size_t kMaxRequestSize = 96;

// Each builder writes one request with NLM_F_REQUEST | NLM_F_ACK (libnl's nl_send_auto() adds
// both; the ack is how the caller learns the errno) and returns its length, or an error when
// the buffer is too small. `sequence` is what the ack will carry back.
//
// RTM_GETLINK dump of every link: ifinfomsg AF_UNSPEC, IFLA_EXT_MASK = RTEXT_FILTER_VF, as
// libnl's link cache asks.
[[nodiscard]] Result<std::size_t> build_list_links(std::span<std::byte> buffer, std::uint32_t sequence);

// RTM_NEWLINK that sets IFF_UP or clears it: ifi_change = IFF_UP, ifi_flags = the link's
// current flags with IFF_UP set or cleared (libnl's rtnl_link_change(); the kernel applies only
// the ifi_change bits, dev_change_flags()). No attributes.
[[nodiscard]] Result<std::size_t> build_set_link_up(std::span<std::byte> buffer, std::uint32_t sequence,
                                                    const LinkInfo& link, bool up);
// RTM_NEWLINK with IFLA_MTU and no flag change.
[[nodiscard]] Result<std::size_t> build_set_mtu(std::span<std::byte> buffer, std::uint32_t sequence,
                                                const LinkInfo& link, std::uint32_t mtu);
// RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, that makes the 802.1Q link `name` with `vlan_id` on
// the link `parent_index`, down (as `ip link add link eth0 name eth0.5 type vlan id 5` does):
// IFLA_LINK, IFLA_IFNAME, then IFLA_LINKINFO nesting IFLA_INFO_KIND "vlan" and IFLA_INFO_DATA
// with IFLA_VLAN_ID (include/uapi/linux/if_link.h; the protocol is the default 802.1Q): the
// bytes iproute2 6.1 sends for it.
[[nodiscard]] Result<std::size_t> build_add_vlan(std::span<std::byte> buffer, std::uint32_t sequence,
                                                 int parent_index, std::string_view name, std::uint16_t vlan_id);
// RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, that makes the bond `name`, down, with the bonding
// driver's defaults (`ip link add bond0 type bond`): IFLA_IFNAME, IFLA_LINKINFO nesting
// IFLA_INFO_KIND "bond". Its options are set through sysfs before a slave joins.
[[nodiscard]] Result<std::size_t> build_add_bond(std::span<std::byte> buffer, std::uint32_t sequence,
                                                 std::string_view name);
// RTM_NEWLINK with IFLA_MASTER: `link` joins the bond (or bridge) `master_index`, as
// `ip link set eth0 master bond0` asks.
[[nodiscard]] Result<std::size_t> build_set_master(std::span<std::byte> buffer, std::uint32_t sequence,
                                                   const LinkInfo& link, int master_index);
// Some old kernels answer RTM_NEWLINK on an existing link with EOPNOTSUPP; libnl then sends the
// same request again as RTM_SETLINK. This turns a built RTM_NEWLINK into that.
void change_to_setlink(std::span<std::byte> message);

// RTM_NEWADDR, NLM_F_CREATE (no NLM_F_EXCL or NLM_F_REPLACE: the kernel answers EEXIST for an
// identical address, which the caller accepts): ifaddrmsg AF_INET with the prefix length, flags
// 0, scope universe (host for 127/8, libnl's rule), then IFA_LOCAL, IFA_ADDRESS (the same
// address: no peer) and IFA_BROADCAST.
[[nodiscard]] Result<std::size_t> build_add_address(std::span<std::byte> buffer, std::uint32_t sequence,
                                                    int link_index, Ipv4Address address, int prefix_length,
                                                    Ipv4Address broadcast);

// RTM_NEWROUTE, NLM_F_CREATE: 0.0.0.0/0 in the main table, protocol boot, scope universe,
// type unicast; RTA_TABLE 254, RTA_DST 0.0.0.0, RTA_GATEWAY, RTA_OIF, the order libnl's
// rtnl_route_build_msg() puts them in.
[[nodiscard]] Result<std::size_t> build_add_default_route(std::span<std::byte> buffer, std::uint32_t sequence,
                                                          int link_index, Ipv4Address gateway);

// The same for IPv6, the bytes `ip -6 addr add fd00::2/64 dev eth0` (iproute2 6.1) sends but
// for NLM_F_EXCL: ifaddrmsg AF_INET6 with the prefix length, flags 0 (so the kernel runs
// duplicate address detection: the address is tentative until it is done), scope 0 (the kernel
// derives it), then IFA_LOCAL and IFA_ADDRESS.
[[nodiscard]] Result<std::size_t> build_add_address6(std::span<std::byte> buffer, std::uint32_t sequence,
                                                     int link_index, const Ipv6Address& address, int prefix_length);
// ::/0 via `gateway`, as `ip -6 route add default via fd00::1 dev eth0` sends it (but for
// NLM_F_EXCL): rtmsg AF_INET6 in the main table, protocol boot, type unicast; RTA_DST ::,
// RTA_GATEWAY, RTA_OIF. A link-local gateway (fe80::…) is valid: RTA_OIF names its link.
[[nodiscard]] Result<std::size_t> build_add_default_route6(std::span<std::byte> buffer, std::uint32_t sequence,
                                                           int link_index, const Ipv6Address& gateway);

// RTM_GETADDR dump of every IPv6 address: ifaddrmsg AF_INET6, all else zero, as `ip -6 addr`
// asks.
[[nodiscard]] Result<std::size_t> build_list_addresses6(std::span<std::byte> buffer, std::uint32_t sequence);

// One IPv6 address of a link, from RTM_NEWADDR (include/uapi/linux/if_addr.h).
struct Address6Info {
  int link_index = 0;
  Ipv6Address address;
  int prefix_length = 0;
  std::uint32_t flags = 0;  // IFA_F_*: IFA_FLAGS when sent, else ifa_flags
  std::uint8_t scope = 0;   // RT_SCOPE_UNIVERSE 0, RT_SCOPE_LINK 253, RT_SCOPE_HOST 254
  // Duplicate address detection is running: the address cannot be bound yet (IFA_F_TENTATIVE).
  [[nodiscard]] bool tentative() const { return (flags & 0x40u) != 0; }
  // Another host on the link has it (IFA_F_DADFAILED): it will never be usable.
  [[nodiscard]] bool dad_failed() const { return (flags & 0x08u) != 0; }
  [[nodiscard]] bool global() const { return scope == 0; }
};

// One message of a reply datagram.
struct Message {
  enum class Kind : std::uint8_t {
    Ack,      // NLMSG_ERROR with error 0
    Error,    // NLMSG_ERROR with a negative errno: `error` holds it as a positive errno
    Done,     // NLMSG_DONE: the end of a dump (`error` set when the dump itself failed)
    Link,     // RTM_NEWLINK: `link`
    Address6, // RTM_NEWADDR of an IPv6 address: `address6` (an IPv4 one is Other)
    Other,    // anything else (RTM_DELLINK, NLMSG_NOOP, other families' messages): skipped
  };
  Kind kind = Kind::Other;
  std::uint16_t type = 0;
  std::uint16_t flags = 0;  // NLM_F_MULTI on the parts of a dump
  std::uint32_t sequence = 0;
  int error = 0;
  LinkInfo link;
  Address6Info address6;
};

// Every message of one datagram, each length and attribute checked against what is left of
// the datagram (NLMSG_OK / RTA_OK of netlink(7) and rtnetlink(3), by hand). A message that
// does not fit, an attribute that runs past its message, a link without a name or an error code
// that is no errno makes the whole datagram an error: the kernel never sends one.
[[nodiscard]] Result<std::vector<Message>> parse_messages(std::span<const std::byte> datagram);

// An RTM_NEWLINK message as the kernel sends it, for the tests and the fuzzer's round trip:
// ifinfomsg (ifi_type ARPHRD_ETHER when `link.ethernet`, else ARPHRD_LOOPBACK with IFF_LOOPBACK
// kept in the flags) then IFLA_ADDRESS, IFLA_IFNAME and IFLA_MTU.
[[nodiscard]] std::vector<std::byte> encode_link_message(const LinkInfo& link, std::uint32_t sequence,
                                                         std::uint16_t flags = 0);

}  // namespace nfsroot::rtnetlink
