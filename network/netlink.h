// rtnetlink for the network step: list links, bring them up or down, set the MTU, add an
// address and the default route, and watch link events (interfaces appearing, carrier). The
// messages are net/rtnetlink.h's; they travel through sys/netlink_socket.h, which the unit
// tests fake.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/ipv4.h"
#include "net/link_info.h"
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

 private:
  // Sends the request and reads until its ack: the errno of a refusal, 0 when acked. Links of
  // a dump's answer go to `links` when given.
  Result<int> exchange(std::span<std::byte> request, std::string_view what, std::vector<LinkInfo>* links = nullptr);
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

}  // namespace nfsroot
