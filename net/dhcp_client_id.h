// The DHCP client identifier (RFC 2132 9.14, option 61), as ip=dhcp,<type>,<value> gives it.
#pragma once

#include <compare>
#include <cstdint>
#include <string>

namespace nfsroot {

struct DhcpClientId {
  std::uint8_t type = 0;  // RFC 2132 9.14: 0 = opaque text, 1 = Ethernet address, …
  std::string value;
  auto operator<=>(const DhcpClientId&) const = default;
};

}  // namespace nfsroot
