// The network step: wait for the interface(s), carrier, DHCP or static ip=, configure the
// link, and leave /run/net-<interface>.conf for the root system.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "net/dhcp_client.h"
#include "net/net_config_file.h"
#include "net/network_step.h"
#include "net/runtime_file.h"
#include "network/netlink.h"

namespace nfsroot {

struct NetworkReporter {
  std::function<void(std::string_view)> info;   // progress a person wants on the console
  std::function<void(std::string_view)> debug;  // packets ignored and why
  std::function<void(std::string_view)> warning;  // lease values refused; info when unset
};

// One more descriptor the step's poll(2) watches while it waits; on_readable runs on the
// step's thread when it is readable. The boot gives it the drivers step's uevent socket, so a
// USB NIC that enumerates after the coldplug still gets its driver while the step waits.
struct NetworkEventSource {
  int fd = -1;
  std::function<void()> on_readable;
};

// What the boot can say when no interface appeared: the network devices the kernel sees
// without a driver, and the fix.
struct MissingDrivers {
  std::string devices;  // "pci 8086:100e (Ethernet controller, …)", or "none"
  std::string hint;     // empty: the step's own
};

struct NetworkOptions {
  std::string run_dir = "/run";  // where net-<interface>.conf goes; tests point it elsewhere
  std::string sys_dir = "/sys";  // where a bond's options are written (class/net/<bond>/bonding/)
  std::string proc_dir = "/proc";  // where ip=auto6 lets a link take router advertisements
  bool set_hostname = true;      // the CLI leaves the host's name alone unless asked
  std::optional<NetworkEventSource> hotplug;
  std::function<MissingDrivers()> missing_drivers;  // unset: the message lists no devices
};

struct NetworkOutcome {
  InterfaceConfig config;
  std::optional<DhcpLease> lease;  // for the root step's root-path precedence
  long carrier_wait_ms = 0;  // from the start of the step to carrier on the chosen interface
  long configure_ms = 0;     // from carrier to a lease (or the static configuration)
};

// The chosen link's configuration through rtnetlink, in order: the MTU when the config asks
// for another (a refusal is reported and the MTU dropped from the config), the address with
// its prefix and broadcast, then the default route when there is a gateway, which must be on
// the address's subnet.
[[nodiscard]] Result<void> configure_link(RouteNetlink& netlink, const LinkInfo& link, InterfaceConfig& config,
                                          const NetworkReporter& report);

// A static IPv6 configuration (ip=[<v6 client>]…:none) through rtnetlink: the address, then a
// wait on `events` (subscribed to RTNLGRP_IPV6_IFADDR before the address went in) until the
// kernel's duplicate address detection clears it, at most until `deadline` on events' clock;
// then the default route when there is a gateway (RFC 4862 5.4: a tentative address cannot be a
// route's source). A duplicate or a detection that never ends is an error naming the address.
[[nodiscard]] Result<void> configure_link6(RouteNetlink& netlink, NetlinkSocket& events, const LinkInfo& link,
                                           const InterfaceConfig& config, NetlinkSocket::Clock::time_point deadline);

// ip=auto6: the link takes router advertisements and forms its address from them (RFC 4862 5.5):
// /proc/sys/net/ipv6/conf/<link>/accept_ra and autoconf under proc_dir set to 1 where they are 0
// (a higher accept_ra, 2 = "even when forwarding", is left). Done before the link comes up, so
// that its first Router Solicitation is not lost.
[[nodiscard]] Result<void> allow_router_advertisements(const std::string& proc_dir, const LinkInfo& link);

// The runtime files of the hand-off (net/networkd_files.h, net/manager_files.h) under run_dir:
// the directories made as needed, each file written whole.
[[nodiscard]] Result<void> write_runtime_files(const std::string& run_dir, const std::vector<RuntimeFile>& files);

[[nodiscard]] Result<NetworkOutcome> bring_up_network(const NetworkStep& step, const NetworkOptions& options,
                                                      const NetworkReporter& report);

}  // namespace nfsroot
