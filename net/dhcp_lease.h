// A DHCP lease as the client holds it once bound: the values the boot and the root system use.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/ipv4.h"

namespace nfsroot {

// What the ACK gave, with the defaults filled in.
struct DhcpLease {
  Ipv4Address address;    // yiaddr
  Ipv4Address netmask;    // option 1, else the address's class (classful_netmask)
  Ipv4Address broadcast;  // option 28, else the subnet's last address
  std::vector<Ipv4Address> routers;
  std::vector<Ipv4Address> dns_servers;
  std::vector<Ipv4Address> ntp_servers;
  std::string host_name;
  std::string domain_name;
  std::string root_path;    // option 17 as sent; choose_nfs_root() (mounts/root_path.h) reads it
  std::string boot_file;    // file
  std::string server_name;  // sname
  Ipv4Address server_id;    // option 54 of the ACK
  Ipv4Address next_server;  // siaddr; 0.0.0.0 when the server named none
  std::optional<std::uint16_t> mtu;
  // Seconds; kInfiniteLease when the server said so or sent no lease time at all.
  std::uint32_t lease_seconds = 0;
  std::uint32_t renewal_seconds = 0;    // T1: option 58, else half the lease (RFC 2131 4.4.5)
  std::uint32_t rebinding_seconds = 0;  // T2: option 59, else 7/8 of the lease
};

inline constexpr std::uint32_t kInfiniteLease = 0xffffffff;  // RFC 2132 9.2

}  // namespace nfsroot
