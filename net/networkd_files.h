// The files systemd-networkd and udev read from the root's /run at start, so that the root's
// network manager keeps the interface the NFS root lives on as /init configured it: no rename,
// no address dropped, the lease renewed as the same client. The image needs no file of its own.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "net/dhcp_client_id.h"
#include "net/net_config_file.h"
#include "net/runtime_file.h"

namespace nfsroot {

// /run/systemd/network/70-nfsroot-<interface>.link and .network for config (systemd.link(5),
// systemd.network(5): /run/systemd/network is read by udev and networkd, below /etc).
// client_id is what /init sent (none: the server knows the client by its MAC). Empty when
// the interface name cannot be a file name (is_plain_interface_name(); never for a kernel name).
[[nodiscard]] std::vector<RuntimeFile> networkd_runtime_files(const InterfaceConfig& config,
                                                              const std::optional<DhcpClientId>& client_id);

// Whether networkd can renew the lease /init took: it asks as its MAC ("ClientIdentifier=mac"),
// which the server matches to a lease made without an identifier (RFC 2131 4.2: the client is
// known by chaddr), but it cannot send the identifier of ip=dhcp,<type>,<value>: with one, the
// .network keeps the address as static and nothing renews the lease.
// by_dhcp: the address came from a lease (explain asks before there is one).
[[nodiscard]] bool networkd_can_renew(bool by_dhcp, const std::optional<DhcpClientId>& client_id);

}  // namespace nfsroot
