// The files NetworkManager and ifupdown read from the root's /run at start, so that neither
// touches the interface the NFS root lives on: /init configured it, and a DHCP client or a
// deconfiguration of theirs would take the address away under the root.
#pragma once

#include <vector>

#include "net/net_config_file.h"
#include "net/runtime_file.h"

namespace nfsroot {

// /run/NetworkManager/conf.d/70-nfsroot-<interface>.conf: the interface unmanaged.
// Empty when the interface name cannot be a file name (is_plain_interface_name()).
[[nodiscard]] std::vector<RuntimeFile> networkmanager_runtime_files(const InterfaceConfig& config);

// /run/network/ifstate.<interface> and /run/network/ifstate: ifupdown's own record that the
// interface is up, under a logical name no interfaces(5) stanza has, so ifup skips it and
// ifdown finds nothing to run for it. Empty when the name cannot be a file name.
[[nodiscard]] std::vector<RuntimeFile> ifupdown_runtime_files(const InterfaceConfig& config);

// The logical interface ifupdown's state names: `ifquery --state` shows <interface>=nfsroot-init.
inline constexpr std::string_view kIfupdownLogicalName = "nfsroot-init";

}  // namespace nfsroot
