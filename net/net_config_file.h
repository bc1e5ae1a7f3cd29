// The files the root system reads to keep the network its root lives on:
// /run/net-<interface>.conf (klibc ipconfig's format) and a resolv.conf.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/ipv4.h"
#include "base/ipv6.h"

namespace nfsroot {

// What was configured on the interface, however it was obtained.
struct InterfaceConfig {
  std::string device;
  // The links under it, up but unconfigured (a VLAN's parent): the hand-off files keep them too.
  std::vector<std::string> lower_devices;
  std::string protocol;  // "dhcp" or "none" (static), as klibc ipconfig names them
  Ipv4Address address;
  Ipv4Address netmask;
  Ipv4Address broadcast;
  std::optional<Ipv4Address> gateway;
  std::vector<Ipv4Address> dns_servers;
  std::string hostname;
  std::string dns_domain;
  std::string nis_domain;
  std::optional<Ipv4Address> root_server;
  std::string root_path;
  std::string boot_file;
  std::optional<std::uint16_t> mtu;
  std::uint32_t lease_seconds = 0;  // 0: static, no lease
  long uptime_seconds = 0;          // when it was configured
  // An IPv6 boot (ip=[<v6 client>]…:none, ip=auto6, ip=dhcp6) has these instead of the IPv4
  // values above: protocol6 "none" (static), "auto6" (the kernel's autoconfiguration from
  // router advertisements) or "dhcp6" (a DHCPv6 lease, /128: the prefix comes from the RA);
  // empty for an IPv4 boot.
  std::string protocol6;
  std::optional<Ipv6Address> address6;
  int prefix6 = 0;
  std::optional<Ipv6Address> gateway6;
  std::vector<Ipv6Address> dns_servers6;  // DHCPv6 option 23, or none
  std::vector<std::string> domain_search6;  // DHCPv6 option 24
  [[nodiscard]] bool is_ipv6() const { return !protocol6.empty(); }
};

// initramfs-tools' scripts source this file (". /run/net-eth0.conf"): every value is single-
// quoted, with ' and ! escaped outside the quotes ('\'' and '\!'), so sh reads each value back
// exactly; a control character (never in a checked lease) is written as '?', so every key is one
// line; unset addresses are written as 0.0.0.0.
[[nodiscard]] std::string format_net_conf(const InterfaceConfig& config);

// /run/net6-<interface>.conf, the IPv6 half of the same hand-off: the keys initramfs-tools'
// ip6= writes from dhclient -6 (DEVICE6, IPV6PROTO, IPV6ADDR, IPV6NETMASK holding the prefix
// length, IPV6DNS0, IPV6DOMAINSEARCH, HOSTNAME, DNSDOMAIN), which cloud-init's
// cloudinit/net/cmdline.py reads beside /run/net-*.conf; plus IPV6GATEWAY, which that reader
// takes as the subnet's gateway. Quoted as format_net_conf quotes.
[[nodiscard]] std::string format_net6_conf(const InterfaceConfig& config);

// "nameserver" lines (at most 3 in all, resolv.conf(5); the IPv4 servers, then the IPv6 ones)
// and "search" with the DNS domain and the DHCPv6 search list, those that are valid DNS names
// (is_valid_dns_name).
[[nodiscard]] std::string format_resolv_conf(const InterfaceConfig& config);

// Where format_net_conf's text goes: /run/net-<device>.conf; format_net6_conf's:
// /run/net6-<device>.conf.
[[nodiscard]] std::string net_conf_path(std::string_view device);
[[nodiscard]] std::string net6_conf_path(std::string_view device);

}  // namespace nfsroot
