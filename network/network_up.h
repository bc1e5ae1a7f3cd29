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

// The runtime files of the hand-off (net/networkd_files.h, net/manager_files.h) under run_dir:
// the directories made as needed, each file written whole.
[[nodiscard]] Result<void> write_runtime_files(const std::string& run_dir, const std::vector<RuntimeFile>& files);

[[nodiscard]] Result<NetworkOutcome> bring_up_network(const NetworkStep& step, const NetworkOptions& options,
                                                      const NetworkReporter& report);

}  // namespace nfsroot
