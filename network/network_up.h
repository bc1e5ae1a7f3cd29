// The network step: wait for the interface(s), carrier, DHCP or static ip=, configure the
// link, and leave /run/net-<interface>.conf for the root system.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "base/error.h"
#include "net/dhcp_client.h"
#include "net/net_config_file.h"
#include "net/network_step.h"

namespace nfsroot {

struct NetworkReporter {
  std::function<void(std::string_view)> info;   // progress a person wants on the console
  std::function<void(std::string_view)> debug;  // packets ignored and why
  std::function<void(std::string_view)> warning;  // lease values refused; info when unset
};

struct NetworkOptions {
  std::string run_dir = "/run";  // where net-<interface>.conf goes; tests point it elsewhere
  bool set_hostname = true;      // the CLI leaves the host's name alone unless asked
};

struct NetworkOutcome {
  InterfaceConfig config;
  std::optional<DhcpLease> lease;  // for the root step's root-path precedence
  long carrier_wait_ms = 0;  // from the start of the step to carrier on the chosen interface
  long configure_ms = 0;     // from carrier to a lease (or the static configuration)
};

[[nodiscard]] Result<NetworkOutcome> bring_up_network(const NetworkStep& step, const NetworkOptions& options,
                                                      const NetworkReporter& report);

}  // namespace nfsroot
