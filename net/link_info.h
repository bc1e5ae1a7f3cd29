// One network interface as rtnetlink describes it.
#pragma once

#include <optional>
#include <string>

#include "base/ipv4.h"

namespace nfsroot {

struct LinkInfo {
  int index = 0;
  std::string name;
  std::optional<MacAddress> mac;
  unsigned flags = 0;  // IFF_*, with IFF_LOWER_UP
  unsigned mtu = 0;
  bool ethernet = false;  // ARPHRD_ETHER and not loopback: a boot interface candidate

  // IFF_UP is 0x1 and IFF_LOWER_UP (RFC 2863 "operationally up", the carrier) 0x10000: ABI
  // values, spelled out because <linux/if.h> and <net/if.h> clash.
  [[nodiscard]] bool is_up() const { return (flags & 0x1u) != 0; }
  [[nodiscard]] bool has_carrier() const { return (flags & 0x10000u) != 0; }
};

}  // namespace nfsroot
