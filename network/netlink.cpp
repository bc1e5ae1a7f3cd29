// rtnetlink requests and link events on the project's own codec (net/rtnetlink.h).
#include "network/netlink.h"

#include <linux/rtnetlink.h>

#include <algorithm>
#include <array>
#include <cerrno>

#include "base/cat.h"
#include "net/network_step.h"
#include "net/rtnetlink.h"

namespace nfsroot {

namespace {

using rtnetlink::Message;

}  // namespace

Result<RouteNetlink> RouteNetlink::open() {
  auto socket = TRY(LinuxNetlinkSocket::open());
  return RouteNetlink(std::move(socket));
}

Result<int> RouteNetlink::exchange(std::span<std::byte> request, std::string_view what,
                                   std::vector<LinkInfo>* links, std::vector<rtnetlink::Address6Info>* addresses) {
  // The sequence number is the request's header bytes 8..11, already written by the builder.
  TRY(socket_->send(request));
  const auto deadline = socket_->now() + kRequestTimeout;
  for (;;) {
    auto datagram = TRY(socket_->receive(deadline));
    if (!datagram) {
      return std::unexpected(
          error_with_problem(what, "netlink", cat("no answer from the kernel within ", kRequestTimeout.count(), " s")));
    }
    const auto messages = TRY(rtnetlink::parse_messages(*datagram));
    for (const auto& message : messages) {
      // An answer to an earlier request that timed out is not this one's.
      if (message.sequence != sequence_) continue;
      switch (message.kind) {
        case Message::Kind::Ack:
          return 0;
        case Message::Kind::Error:
          return message.error;
        case Message::Kind::Done:
          // The end of a dump: its own error when it failed half-way (the kernel sends no ack
          // after a dump, NLM_F_ACK or not).
          return message.error;
        case Message::Kind::Link:
          if (links) links->push_back(message.link);
          break;
        case Message::Kind::Address6:
          if (addresses) addresses->push_back(message.address6);
          break;
        case Message::Kind::Other:
          break;
      }
    }
  }
}

Result<std::vector<LinkInfo>> RouteNetlink::links() {
  std::array<std::byte, rtnetlink::kMaxRequestSize> buffer{};
  const std::size_t length = TRY(rtnetlink::build_list_links(buffer, ++sequence_));
  std::vector<LinkInfo> found;
  if (const int error = TRY(exchange(std::span(buffer).first(length), "netlink list links", &found)); error != 0) {
    return std::unexpected(error_from_errno("netlink list links", "", error));
  }
  return found;
}

Result<void> RouteNetlink::set_link_up(const LinkInfo& link, bool up) {
  std::array<std::byte, rtnetlink::kMaxRequestSize> buffer{};
  const std::string_view what = up ? "set link up" : "set link down";
  const std::size_t length = TRY(rtnetlink::build_set_link_up(buffer, ++sequence_, link, up));
  int error = TRY(exchange(std::span(buffer).first(length), what));
  if (error == EOPNOTSUPP) {
    // Kernels before 2.6.x's RTM_NEWLINK on existing links: the same change as RTM_SETLINK, as
    // libnl's rtnl_link_change() retries.
    const std::size_t again = TRY(rtnetlink::build_set_link_up(buffer, ++sequence_, link, up));
    rtnetlink::change_to_setlink(std::span(buffer).first(again));
    error = TRY(exchange(std::span(buffer).first(again), what));
  }
  if (error != 0) return std::unexpected(error_from_errno(what, link.name, error));
  return {};
}

Result<void> RouteNetlink::set_mtu(const LinkInfo& link, unsigned mtu) {
  std::array<std::byte, rtnetlink::kMaxRequestSize> buffer{};
  const std::string what = cat("set MTU ", mtu);
  const std::size_t length = TRY(rtnetlink::build_set_mtu(buffer, ++sequence_, link, mtu));
  int error = TRY(exchange(std::span(buffer).first(length), what));
  if (error == EOPNOTSUPP) {
    const std::size_t again = TRY(rtnetlink::build_set_mtu(buffer, ++sequence_, link, mtu));
    rtnetlink::change_to_setlink(std::span(buffer).first(again));
    error = TRY(exchange(std::span(buffer).first(again), what));
  }
  if (error != 0) {
    return std::unexpected(error_from_errno(what, link.name, error, "the NIC or its driver may not support this MTU"));
  }
  return {};
}

Result<void> RouteNetlink::add_vlan(const LinkInfo& parent, std::string_view name, std::uint16_t vlan_id) {
  std::array<std::byte, rtnetlink::kMaxRequestSize> buffer{};
  const std::size_t length = TRY(rtnetlink::build_add_vlan(buffer, ++sequence_, parent.index, name, vlan_id));
  return new_link(std::span(buffer).first(length), "make VLAN", cat(name, " (id ", vlan_id, " on ", parent.name, ", vlan=)"),
                  "8021q");
}

Result<void> RouteNetlink::add_bond(std::string_view name) {
  std::array<std::byte, rtnetlink::kMaxRequestSize> buffer{};
  const std::size_t length = TRY(rtnetlink::build_add_bond(buffer, ++sequence_, name));
  return new_link(std::span(buffer).first(length), "make bond", cat(name, " (bond=)"), "bonding");
}

// EOPNOTSUPP: no such link kind is registered, so its module is not loaded (the kernel's own
// request for rtnl-link-<kind> needs a modprobe the initramfs does not have).
Result<void> RouteNetlink::new_link(std::span<std::byte> request, std::string_view operation, const std::string& what,
                                    std::string_view module) {
  const int error = TRY(exchange(request, operation));
  if (error == EOPNOTSUPP) {
    return std::unexpected(error_from_errno(operation, what, error,
                                            cat(module, " is not loaded: ", kAddNetworkModuleHint)));
  }
  if (error != 0) return std::unexpected(error_from_errno(operation, what, error));
  return {};
}

Result<void> RouteNetlink::set_master(const LinkInfo& link, const LinkInfo& master) {
  std::array<std::byte, rtnetlink::kMaxRequestSize> buffer{};
  const std::size_t length = TRY(rtnetlink::build_set_master(buffer, ++sequence_, link, master.index));
  const std::string what = cat(link.name, " to ", master.name, " (bond=)");
  if (const int error = TRY(exchange(std::span(buffer).first(length), "add slave")); error != 0) {
    return std::unexpected(error_from_errno("add slave", what, error));
  }
  return {};
}

Result<void> RouteNetlink::add_address(const LinkInfo& link, Ipv4Address address, int prefix_length,
                                       Ipv4Address broadcast) {
  std::array<std::byte, rtnetlink::kMaxRequestSize> buffer{};
  const std::string what = cat(address.to_string(), "/", prefix_length, " on ", link.name);
  const std::size_t length =
      TRY(rtnetlink::build_add_address(buffer, ++sequence_, link.index, address, prefix_length, broadcast));
  // EEXIST: the same address is already there (a second run of the CLI, or a retry).
  if (const int error = TRY(exchange(std::span(buffer).first(length), "add address")); error != 0 && error != EEXIST) {
    return std::unexpected(error_from_errno("add address", what, error));
  }
  return {};
}

Result<void> RouteNetlink::add_default_route(const LinkInfo& link, Ipv4Address gateway) {
  std::array<std::byte, rtnetlink::kMaxRequestSize> buffer{};
  const std::string what = "via " + gateway.to_string() + " dev " + link.name;
  const std::size_t length = TRY(rtnetlink::build_add_default_route(buffer, ++sequence_, link.index, gateway));
  if (const int error = TRY(exchange(std::span(buffer).first(length), "add default route"));
      error != 0 && error != EEXIST) {
    return std::unexpected(error_from_errno("add default route", what, error,
                                            "the gateway must be on the interface's subnet"));
  }
  return {};
}

Result<void> RouteNetlink::add_address6(const LinkInfo& link, const Ipv6Address& address, int prefix_length) {
  std::array<std::byte, rtnetlink::kMaxRequestSize> buffer{};
  const std::string what = cat(address.to_string(), "/", prefix_length, " on ", link.name);
  const std::size_t length = TRY(rtnetlink::build_add_address6(buffer, ++sequence_, link.index, address, prefix_length));
  // EEXIST: the same address is already there (a second run of the CLI, or a retry).
  if (const int error = TRY(exchange(std::span(buffer).first(length), "add address")); error != 0 && error != EEXIST) {
    // EACCES: IPv6 is disabled on the link (ip6_add_addr() refuses with disable_ipv6=1).
    return std::unexpected(error_from_errno("add address", what, error,
                                            error == EACCES ? "IPv6 is disabled on the interface: remove ipv6.disable= "
                                                              "or disable_ipv6 from the kernel's settings"
                                                            : ""));
  }
  return {};
}

Result<void> RouteNetlink::add_default_route6(const LinkInfo& link, const Ipv6Address& gateway) {
  std::array<std::byte, rtnetlink::kMaxRequestSize> buffer{};
  const std::string what = "via " + gateway.to_string() + " dev " + link.name;
  const std::size_t length = TRY(rtnetlink::build_add_default_route6(buffer, ++sequence_, link.index, gateway));
  if (const int error = TRY(exchange(std::span(buffer).first(length), "add default route"));
      error != 0 && error != EEXIST) {
    return std::unexpected(error_from_errno("add default route", what, error,
                                            "the gateway must be link-local or in the address's prefix"));
  }
  return {};
}

Result<std::vector<rtnetlink::Address6Info>> RouteNetlink::addresses6() {
  std::array<std::byte, rtnetlink::kMaxRequestSize> buffer{};
  const std::size_t length = TRY(rtnetlink::build_list_addresses6(buffer, ++sequence_));
  std::vector<rtnetlink::Address6Info> found;
  if (const int error = TRY(exchange(std::span(buffer).first(length), "netlink list IPv6 addresses", nullptr, &found));
      error != 0) {
    return std::unexpected(error_from_errno("netlink list IPv6 addresses", "", error));
  }
  return found;
}

Result<std::unique_ptr<LinuxNetlinkSocket>> open_address6_events() {
  const unsigned groups[] = {RTNLGRP_IPV6_IFADDR};
  return LinuxNetlinkSocket::open(groups);
}

Result<std::optional<rtnetlink::Address6Info>> wait_for_address6(RouteNetlink& netlink, NetlinkSocket& events,
                                                                 NetlinkSocket::Clock::time_point deadline,
                                                                 const Address6Check& check) {
  for (;;) {
    if (auto decided = check(TRY(netlink.addresses6()))) {
      if (!*decided) return std::unexpected(std::move(decided->error()));
      return std::optional<rtnetlink::Address6Info>(**decided);
    }
    // Wait for the next event; then take every one already queued, and list once for them all.
    auto datagram = events.receive(deadline);
    if (!datagram && datagram.error().errno_value != ENOBUFS) return std::unexpected(std::move(datagram.error()));
    if (datagram && !*datagram) return std::optional<rtnetlink::Address6Info>{};  // the deadline passed
    for (;;) {
      auto more = events.receive(NetlinkSocket::Clock::time_point{});
      if (more && !*more) break;
      if (!more && more.error().errno_value != ENOBUFS) return std::unexpected(std::move(more.error()));
    }
  }
}

std::optional<Result<rtnetlink::Address6Info>> static_address6_state(
    const std::vector<rtnetlink::Address6Info>& addresses, const LinkInfo& link, const Ipv6Address& address) {
  for (const auto& found : addresses) {
    if (found.link_index != link.index || found.address != address) continue;
    if (found.dad_failed()) {
      // RFC 4862 5.4.5: a duplicate is never used; the kernel keeps it flagged until removed.
      return Result<rtnetlink::Address6Info>(std::unexpected(error_with_problem(
          "duplicate address detection", cat(address.to_string(), "/", found.prefix_length, " on ", link.name),
          "another host on the link has this address (IFA_F_DADFAILED)",
          "give this client another address (in ip=, or in the DHCPv6 server's pool or fixed addresses), or find "
          "the host that has it (ip -6 neigh, the switch's table) and change that one")));
    }
    if (!found.tentative()) return Result<rtnetlink::Address6Info>(found);
  }
  return std::nullopt;
}

std::optional<rtnetlink::Address6Info> autoconf_address6(const std::vector<rtnetlink::Address6Info>& addresses,
                                                         const std::vector<int>& links) {
  for (const auto& found : addresses) {
    if (std::find(links.begin(), links.end(), found.link_index) == links.end()) continue;
    if (found.global() && !found.tentative() && !found.dad_failed()) return found;
  }
  return std::nullopt;
}

std::optional<Result<rtnetlink::Address6Info>> link_local_address6_state(
    const std::vector<rtnetlink::Address6Info>& addresses, const LinkInfo& link) {
  constexpr std::uint8_t kScopeLink = 253;  // RT_SCOPE_LINK
  const rtnetlink::Address6Info* duplicate = nullptr;
  for (const auto& found : addresses) {
    if (found.link_index != link.index || found.scope != kScopeLink) continue;
    if (found.dad_failed()) {
      duplicate = &found;
    } else if (!found.tentative()) {
      return Result<rtnetlink::Address6Info>(found);
    } else {
      return std::nullopt;  // detection still running: wait
    }
  }
  if (!duplicate) return std::nullopt;
  // RFC 4862 5.4.5: a duplicate link-local address disables IPv6 on the interface.
  return Result<rtnetlink::Address6Info>(std::unexpected(error_with_problem(
      "duplicate address detection", cat(duplicate->address.to_string(), " on ", link.name),
      "another host on the link has this link-local address (IFA_F_DADFAILED); DHCPv6 cannot be sent without one",
      "find the host with the same MAC address (or the same stable-privacy secret) on the link and change it")));
}

Result<LinkEvents> LinkEvents::open() {
  const unsigned groups[] = {RTNLGRP_LINK};
  auto socket = TRY(LinuxNetlinkSocket::open(groups));
  return LinkEvents(std::move(socket));
}

Result<LinkEvents::Changes> LinkEvents::read() {
  Changes changes;
  for (;;) {
    // A deadline already past: only what is waiting, never block the step's event loop.
    auto datagram = socket_->receive(NetlinkSocket::Clock::time_point{});
    if (!datagram) {
      // netlink(7): the queue overflowed and events are gone, not the links' state: list again.
      if (datagram.error().errno_value == ENOBUFS) {
        changes.lost = true;
        continue;
      }
      return std::unexpected(std::move(datagram.error()));
    }
    if (!*datagram) return changes;
    // A message we cannot read is dropped: the caller lists the links after every wake-up.
    auto messages = rtnetlink::parse_messages(**datagram);
    if (!messages) {
      changes.lost = true;
      continue;
    }
    for (const auto& message : *messages) {
      if (message.kind == Message::Kind::Link) changes.links.push_back(message.link);
    }
  }
}

}  // namespace nfsroot
