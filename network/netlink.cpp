// rtnetlink requests and link events, through libnl-route-3 (linked statically in the /init).
#include "network/netlink.h"

#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netlink/cache.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>
#include <netlink/socket.h>

#include <cstring>

namespace nfsroot {

namespace {

template <class T, void (*Free)(T*)>
struct Freer {
  void operator()(T* object) const { Free(object); }
};
using Link = std::unique_ptr<rtnl_link, Freer<rtnl_link, rtnl_link_put>>;
using Cache = std::unique_ptr<nl_cache, Freer<nl_cache, nl_cache_free>>;
using Address = std::unique_ptr<rtnl_addr, Freer<rtnl_addr, rtnl_addr_put>>;
using Route = std::unique_ptr<rtnl_route, Freer<rtnl_route, rtnl_route_put>>;
using NlAddress = std::unique_ptr<nl_addr, Freer<nl_addr, nl_addr_put>>;

// libnl returns -NLE_* codes; nl_geterror() names them.
Error netlink_error(std::string_view operation, std::string_view input, int code, std::string_view hint = {}) {
  return error_with_problem(operation, input, nl_geterror(code), hint);
}

NlAddress ipv4_address(Ipv4Address address, int prefix_length) {
  const std::uint32_t network_order = htonl(address.value);
  NlAddress built(nl_addr_build(AF_INET, &network_order, sizeof network_order));
  if (built) nl_addr_set_prefixlen(built.get(), prefix_length);
  return built;
}

LinkInfo link_info(rtnl_link* link) {
  LinkInfo info;
  info.index = rtnl_link_get_ifindex(link);
  if (const char* name = rtnl_link_get_name(link)) info.name = name;
  info.flags = rtnl_link_get_flags(link);
  info.mtu = rtnl_link_get_mtu(link);
  if (nl_addr* address = rtnl_link_get_addr(link); address && nl_addr_get_len(address) == 6) {
    MacAddress mac;
    std::memcpy(mac.octets.data(), nl_addr_get_binary_addr(address), 6);
    info.mac = mac;
  }
  info.ethernet = rtnl_link_get_arptype(link) == ARPHRD_ETHER && (info.flags & IFF_LOOPBACK) == 0;
  return info;
}

Result<NlSocket> connect_route_socket() {
  NlSocket socket(nl_socket_alloc());
  if (!socket) return std::unexpected(error_with_problem("netlink", "socket", "out of memory"));
  if (const int code = nl_connect(socket.get(), NETLINK_ROUTE); code < 0) {
    return std::unexpected(netlink_error("netlink connect", "NETLINK_ROUTE", code));
  }
  return socket;
}

Result<Link> kernel_link(nl_sock* socket, const LinkInfo& link) {
  rtnl_link* found = nullptr;
  if (const int code = rtnl_link_get_kernel(socket, link.index, nullptr, &found); code < 0) {
    return std::unexpected(netlink_error("netlink get link", link.name, code));
  }
  return Link(found);
}

}  // namespace

void NlSocketDeleter::operator()(nl_sock* socket) const { nl_socket_free(socket); }

Result<RouteNetlink> RouteNetlink::open() {
  return RouteNetlink(TRY(connect_route_socket()));
}

Result<std::vector<LinkInfo>> RouteNetlink::links() {
  nl_cache* raw = nullptr;
  if (const int code = rtnl_link_alloc_cache(socket_.get(), AF_UNSPEC, &raw); code < 0) {
    return std::unexpected(netlink_error("netlink list links", "", code));
  }
  Cache cache(raw);
  std::vector<LinkInfo> links;
  for (nl_object* object = nl_cache_get_first(cache.get()); object; object = nl_cache_get_next(object)) {
    links.push_back(link_info(reinterpret_cast<rtnl_link*>(object)));
  }
  return links;
}

Result<void> RouteNetlink::set_link_up(const LinkInfo& link, bool up) {
  const Link current = TRY(kernel_link(socket_.get(), link));
  Link change(rtnl_link_alloc());
  if (up) {
    rtnl_link_set_flags(change.get(), IFF_UP);
  } else {
    rtnl_link_unset_flags(change.get(), IFF_UP);
  }
  if (const int code = rtnl_link_change(socket_.get(), current.get(), change.get(), 0); code < 0) {
    return std::unexpected(netlink_error(up ? "set link up" : "set link down", link.name, code));
  }
  return {};
}

Result<void> RouteNetlink::set_mtu(const LinkInfo& link, unsigned mtu) {
  const Link current = TRY(kernel_link(socket_.get(), link));
  Link change(rtnl_link_alloc());
  rtnl_link_set_mtu(change.get(), mtu);
  if (const int code = rtnl_link_change(socket_.get(), current.get(), change.get(), 0); code < 0) {
    return std::unexpected(netlink_error("set MTU " + std::to_string(mtu), link.name, code,
                                         "the NIC or its driver may not support this MTU"));
  }
  return {};
}

Result<void> RouteNetlink::add_address(const LinkInfo& link, Ipv4Address address, int prefix_length,
                                       Ipv4Address broadcast) {
  Address request(rtnl_addr_alloc());
  NlAddress local = ipv4_address(address, prefix_length);
  NlAddress broadcast_address = ipv4_address(broadcast, 32);
  if (!request || !local || !broadcast_address) {
    return std::unexpected(error_with_problem("add address", link.name, "out of memory"));
  }
  rtnl_addr_set_ifindex(request.get(), link.index);
  rtnl_addr_set_family(request.get(), AF_INET);
  rtnl_addr_set_local(request.get(), local.get());
  rtnl_addr_set_prefixlen(request.get(), prefix_length);
  rtnl_addr_set_broadcast(request.get(), broadcast_address.get());
  const std::string what = address.to_string() + "/" + std::to_string(prefix_length) + " on " + link.name;
  if (const int code = rtnl_addr_add(socket_.get(), request.get(), 0); code < 0 && code != -NLE_EXIST) {
    return std::unexpected(netlink_error("add address", what, code));
  }
  return {};
}

Result<void> RouteNetlink::add_default_route(const LinkInfo& link, Ipv4Address gateway) {
  Route route(rtnl_route_alloc());
  NlAddress everywhere = ipv4_address(Ipv4Address{}, 0);
  NlAddress via = ipv4_address(gateway, 32);
  rtnl_nexthop* hop = rtnl_route_nh_alloc();
  if (!route || !everywhere || !via || !hop) {
    if (hop) rtnl_route_nh_free(hop);
    return std::unexpected(error_with_problem("add default route", link.name, "out of memory"));
  }
  rtnl_route_set_family(route.get(), AF_INET);
  rtnl_route_set_table(route.get(), RT_TABLE_MAIN);
  rtnl_route_set_protocol(route.get(), RTPROT_BOOT);
  rtnl_route_set_scope(route.get(), RT_SCOPE_UNIVERSE);
  rtnl_route_set_type(route.get(), RTN_UNICAST);
  rtnl_route_set_dst(route.get(), everywhere.get());
  rtnl_route_nh_set_ifindex(hop, link.index);
  rtnl_route_nh_set_gateway(hop, via.get());
  rtnl_route_add_nexthop(route.get(), hop);  // the route owns the hop from here
  const std::string what = "via " + gateway.to_string() + " dev " + link.name;
  if (const int code = rtnl_route_add(socket_.get(), route.get(), 0); code < 0 && code != -NLE_EXIST) {
    return std::unexpected(netlink_error("add default route", what, code,
                                         "the gateway must be on the interface's subnet"));
  }
  return {};
}

Result<LinkEvents> LinkEvents::open() {
  NlSocket socket(nl_socket_alloc());
  if (!socket) return std::unexpected(error_with_problem("netlink", "events", "out of memory"));
  // Events carry no sequence numbers of ours.
  nl_socket_disable_seq_check(socket.get());
  if (const int code = nl_connect(socket.get(), NETLINK_ROUTE); code < 0) {
    return std::unexpected(netlink_error("netlink connect", "RTNLGRP_LINK", code));
  }
  if (const int code = nl_socket_add_membership(socket.get(), RTNLGRP_LINK); code < 0) {
    return std::unexpected(netlink_error("netlink subscribe", "RTNLGRP_LINK", code));
  }
  if (const int code = nl_socket_set_nonblocking(socket.get()); code < 0) {
    return std::unexpected(netlink_error("netlink nonblocking", "RTNLGRP_LINK", code));
  }
  return LinkEvents(std::move(socket));
}

int LinkEvents::fd() const { return nl_socket_get_fd(socket_.get()); }

Result<std::vector<LinkInfo>> LinkEvents::read() {
  std::vector<LinkInfo> changed;
  auto on_message = [](nl_msg* message, void* argument) -> int {
    nl_msg_parse(
        message,
        [](nl_object* object, void* inner) {
          if (std::strcmp(nl_object_get_type(object), "route/link") != 0) return;
          static_cast<std::vector<LinkInfo>*>(inner)->push_back(link_info(reinterpret_cast<rtnl_link*>(object)));
        },
        argument);
    return NL_OK;
  };
  nl_socket_modify_cb(socket_.get(), NL_CB_VALID, NL_CB_CUSTOM, on_message, &changed);
  nl_cb* callbacks = nl_socket_get_cb(socket_.get());
  for (;;) {
    // Returns how many messages it handled; 0 or -NLE_AGAIN once the socket is drained.
    const int code = nl_recvmsgs_report(socket_.get(), callbacks);
    if (code > 0) continue;
    if (code == 0 || code == -NLE_AGAIN) break;
    // A full receive buffer loses events, not state: the caller re-lists the links.
    if (code == -NLE_NOMEM) break;
    nl_cb_put(callbacks);
    return std::unexpected(netlink_error("netlink receive", "link events", code));
  }
  nl_cb_put(callbacks);
  return changed;
}

}  // namespace nfsroot
