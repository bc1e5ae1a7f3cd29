// rtnetlink through libnl-route-3: list links, bring them up, set MTU, add an address and
// the default route, and watch link events (interfaces appearing, carrier).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/ipv4.h"
#include "net/link_info.h"

struct nl_sock;

namespace nfsroot {

struct NlSocketDeleter {
  void operator()(nl_sock* socket) const;
};
using NlSocket = std::unique_ptr<nl_sock, NlSocketDeleter>;

// A NETLINK_ROUTE socket for requests, each answered before the call returns.
class RouteNetlink {
 public:
  [[nodiscard]] static Result<RouteNetlink> open();

  [[nodiscard]] Result<std::vector<LinkInfo>> links();
  [[nodiscard]] Result<void> set_link_up(const LinkInfo& link, bool up);
  [[nodiscard]] Result<void> set_mtu(const LinkInfo& link, unsigned mtu);
  // The address with its prefix and broadcast; an identical address already there is fine.
  [[nodiscard]] Result<void> add_address(const LinkInfo& link, Ipv4Address address, int prefix_length,
                                         Ipv4Address broadcast);
  [[nodiscard]] Result<void> add_default_route(const LinkInfo& link, Ipv4Address gateway);

 private:
  explicit RouteNetlink(NlSocket socket) : socket_(std::move(socket)) {}
  NlSocket socket_;
};

// Subscribed to RTNLGRP_LINK: poll fd() for readability, then read() the links that changed.
class LinkEvents {
 public:
  [[nodiscard]] static Result<LinkEvents> open();
  [[nodiscard]] int fd() const;
  [[nodiscard]] Result<std::vector<LinkInfo>> read();

 private:
  explicit LinkEvents(NlSocket socket) : socket_(std::move(socket)) {}
  NlSocket socket_;
};

}  // namespace nfsroot
