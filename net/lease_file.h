// The lease /init took, as it leaves it for its lease keeper and the admin:
// /run/nfsroot-init/lease-<interface>, one KEY=value a line. The keeper reads it at start and
// writes it again after every renewal, so the file always says the lease in force. A DHCPv6
// lease is the same file with its own keys: ADDRESS is the IPv6 address (which tells the two
// apart), SERVER_ID_HEX, CLIENT_ID_HEX (the DUID), IAID and PREFERRED_SECONDS; LEASE_SECONDS is
// the valid lifetime; no SERVER, VENDOR_CLASS_HEX or HOST_NAME_HEX.
#pragma once

#include <string>
#include <string_view>

#include "base/error.h"
#include "net/dhcp6_client.h"
#include "net/dhcp_lease.h"
#include "net/lease_renewal.h"
#include "net/network_step.h"

namespace nfsroot {

// The boot's lease as the keeper holds it: the address and times of the ACK, the identity the
// boot's client sent (net/dhcp_exchange.h's dhcp_client_config: the MAC, the step's client
// identifier, vendor class and host name), bound at `bound_at`.
[[nodiscard]] HeldLease lease_to_keep(const DhcpLease& lease, std::string_view interface, const MacAddress& mac,
                                      const NetworkStep& step, Uptime bound_at);

// A DHCPv6 lease (config_from_lease6's): the REPLY's address, lifetimes, T1/T2, server, and the
// boot's DUID-LL of `mac` and IAID, bound at `bound_at`.
[[nodiscard]] HeldLease lease6_to_keep(const Dhcp6Lease& lease, std::string_view interface, const MacAddress& mac,
                                       Uptime bound_at);

// Where the file of an interface goes under the run directory (/run at the boot).
[[nodiscard]] std::string lease_file_path(std::string_view run_dir, std::string_view interface);

// Strings the client sent (vendor class, host name, client identifier) are written in hex:
// the file never needs quoting, and a value with a newline cannot add a key.
[[nodiscard]] std::string format_lease_file(const HeldLease& lease, RenewalState state);

// Every key format_lease_file() writes for the lease's kind (the ADDRESS says which) but STATE,
// RENEWALS and DHCPv4's strings must be there, each once; an unknown key, a key of the other
// kind, a malformed value or an interface name that is not the file's is an error naming the
// file, the line and the fix.
[[nodiscard]] Result<HeldLease> parse_lease_file(std::string_view text, std::string_view path);

}  // namespace nfsroot
