// rtnetlink for the network step: list links, bring them up or down, set the MTU, add an
// address and the default route, and watch link events (interfaces appearing, carrier). The
// messages are net/rtnetlink.h's; they travel through sys/netlink_socket.h, which the unit
// tests fake.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/ipv4.h"
#include "base/ipv6.h"
#include "net/link_info.h"
#include "net/rtnetlink.h"
#include "sys/netlink_socket.h"

namespace nfsroot {

// Requests on one NETLINK_ROUTE socket, each answered (acked, or refused with an errno) before
// the call returns.
class RouteNetlink {
 public:
  // The kernel answers a link change once the driver's open has run, which may wait for
  // firmware (the user-mode helper fallback waits up to 60 s); the deadline only guards against
  // an answer that never comes.
  static constexpr std::chrono::seconds kRequestTimeout{90};

  [[nodiscard]] static Result<RouteNetlink> open();
  explicit RouteNetlink(std::unique_ptr<NetlinkSocket> socket) : socket_(std::move(socket)) {}

  [[nodiscard]] Result<std::vector<LinkInfo>> links();
  [[nodiscard]] Result<void> set_link_up(const LinkInfo& link, bool up);
  [[nodiscard]] Result<void> set_mtu(const LinkInfo& link, unsigned mtu);
  // The 802.1Q link `name` on `parent` (down; rtnetlink::build_add_vlan).
  [[nodiscard]] Result<void> add_vlan(const LinkInfo& parent, std::string_view name, std::uint16_t vlan_id);
  // The bond `name` (down, the driver's defaults; rtnetlink::build_add_bond).
  [[nodiscard]] Result<void> add_bond(std::string_view name);
  // `link` joins the bond `master` (the kernel opens it; it must be down).
  [[nodiscard]] Result<void> set_master(const LinkInfo& link, const LinkInfo& master);
  // The address with its prefix and broadcast; an identical address already there is fine.
  [[nodiscard]] Result<void> add_address(const LinkInfo& link, Ipv4Address address, int prefix_length,
                                         Ipv4Address broadcast);
  [[nodiscard]] Result<void> add_default_route(const LinkInfo& link, Ipv4Address gateway);
  // The same for IPv6: the address goes in tentative while the kernel runs duplicate address
  // detection (wait_for_address6 waits it out); a link-local gateway is fine.
  [[nodiscard]] Result<void> add_address6(const LinkInfo& link, const Ipv6Address& address, int prefix_length);
  [[nodiscard]] Result<void> add_default_route6(const LinkInfo& link, const Ipv6Address& gateway);
  // Every IPv6 address of every link, with its flags (tentative, DAD failed) and scope.
  [[nodiscard]] Result<std::vector<rtnetlink::Address6Info>> addresses6();

 private:
  // Sends the request and reads until its ack: the errno of a refusal, 0 when acked. Links and
  // IPv6 addresses of a dump's answer go to `links` and `addresses` when given.
  Result<int> exchange(std::span<std::byte> request, std::string_view what, std::vector<LinkInfo>* links = nullptr,
                       std::vector<rtnetlink::Address6Info>* addresses = nullptr);
  // Sends a request that makes a link of a kind `module` registers; its errno as an error.
  Result<void> new_link(std::span<std::byte> request, std::string_view operation, const std::string& what,
                        std::string_view module);
  std::unique_ptr<NetlinkSocket> socket_;
  std::uint32_t sequence_ = 0;
};

// Subscribed to RTNLGRP_LINK: poll fd() for readability, then read() the links that changed.
class LinkEvents {
 public:
  [[nodiscard]] static Result<LinkEvents> open();
  [[nodiscard]] int fd() const { return socket_->fd(); }
  // The links the waiting events describe. When the socket's queue overflowed (ENOBUFS) events
  // were lost: `lost` is set and the caller lists the links again.
  struct Changes {
    std::vector<LinkInfo> links;
    bool lost = false;
  };
  [[nodiscard]] Result<Changes> read();

 private:
  explicit LinkEvents(std::unique_ptr<LinuxNetlinkSocket> socket) : socket_(std::move(socket)) {}
  std::unique_ptr<LinuxNetlinkSocket> socket_;
};

// A socket subscribed to RTNLGRP_IPV6_IFADDR: every IPv6 address added, changed (DAD done or
// failed) or removed wakes it. Its messages only say "look again": wait_for_address6 lists the
// addresses after each wake-up, so a lost event (ENOBUFS) costs nothing.
[[nodiscard]] Result<std::unique_ptr<LinuxNetlinkSocket>> open_address6_events();

// What wait_for_address6 looks for in each listing of the addresses: nullopt to wait on, an
// address when done, an error to stop with (DAD failed).
using Address6Check =
    std::function<std::optional<Result<rtnetlink::Address6Info>>(const std::vector<rtnetlink::Address6Info>&)>;

// Lists the IPv6 addresses, and again after every event on `events`, until `check` decides or
// `deadline` (on events' clock) passes: then nullopt. Subscribe `events` before the change that
// is waited for, so that no event falls before the first listing.
[[nodiscard]] Result<std::optional<rtnetlink::Address6Info>> wait_for_address6(
    RouteNetlink& netlink, NetlinkSocket& events, NetlinkSocket::Clock::time_point deadline,
    const Address6Check& check);

// A static address's state in a listing (RFC 4862 5.4): there and no longer tentative, the
// address; flagged DADFAILED, the error naming it, the interface and the fix; else nullopt.
[[nodiscard]] std::optional<Result<rtnetlink::Address6Info>> static_address6_state(
    const std::vector<rtnetlink::Address6Info>& addresses, const LinkInfo& link, const Ipv6Address& address);

// The first global, usable address (not tentative, not DAD-failed) on one of `links`: what the
// kernel forms from a router advertisement's prefix (RFC 4862 5.5.3).
[[nodiscard]] std::optional<rtnetlink::Address6Info> autoconf_address6(
    const std::vector<rtnetlink::Address6Info>& addresses, const std::vector<int>& links);

// The link's link-local address (fe80::/10, scope link) once it is usable: the source of every
// DHCPv6 message (RFC 8415 13.1), which cannot be sent while the address is tentative (the
// kernel's source selection skips it). nullopt while there is none or it is tentative; an error
// naming the link when its only link-local addresses failed DAD.
[[nodiscard]] std::optional<Result<rtnetlink::Address6Info>> link_local_address6_state(
    const std::vector<rtnetlink::Address6Info>& addresses, const LinkInfo& link);

}  // namespace nfsroot
