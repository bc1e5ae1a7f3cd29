// The files the root system reads to keep the network its root lives on:
// /run/net-<interface>.conf (klibc ipconfig's format) and a resolv.conf.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/ipv4.h"

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
};

// initramfs-tools' scripts source this file (". /run/net-eth0.conf"): every value is single-
// quoted, with ' and ! escaped outside the quotes ('\'' and '\!'), so sh reads each value back
// exactly; a control character (never in a checked lease) is written as '?', so every key is one
// line; unset addresses are written as 0.0.0.0.
[[nodiscard]] std::string format_net_conf(const InterfaceConfig& config);

// "nameserver" lines (at most 3, resolv.conf(5)) and "search" for the DNS domain when it is a
// valid DNS name (is_valid_dns_name).
[[nodiscard]] std::string format_resolv_conf(const InterfaceConfig& config);

// Where format_net_conf's text goes: /run/net-<device>.conf.
[[nodiscard]] std::string net_conf_path(std::string_view device);

}  // namespace nfsroot
