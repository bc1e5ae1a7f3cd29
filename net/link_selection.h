// Which interfaces the network step may use, from what the kernel lists and what ip=/BOOTIF= say.
#pragma once

#include <string>
#include <vector>

#include "net/link_info.h"
#include "net/network_step.h"

namespace nfsroot {

// ip= <device> picks that name; BOOTIF= the interface with that MAC; otherwise every Ethernet
// interface (not loopback), in the kernel's order.
[[nodiscard]] std::vector<LinkInfo> select_links(const std::vector<LinkInfo>& links, const NetworkStep& step);

// "eth0 52:54:00:12:34:56, lo": what is there, for a message when nothing matched.
[[nodiscard]] std::string describe_links(const std::vector<LinkInfo>& links);

// "interface eth1" / "the interface with MAC …" / "any Ethernet interface".
[[nodiscard]] std::string describe_choice(const NetworkStep& step);

}  // namespace nfsroot
