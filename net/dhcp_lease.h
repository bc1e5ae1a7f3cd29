// A DHCP lease as the client holds it once bound: the values the boot and the root system use.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
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
  // Values the server sent that the lease does not take (lease_host_name() and the others
  // below), one line each with the value escaped, for the log.
  std::vector<std::string> warnings;
};

inline constexpr std::uint32_t kInfiniteLease = 0xffffffff;  // RFC 2132 9.2

// RFC 2131 4.4.5: without options 58 and 59, T1 is half the lease and T2 7/8 of it (an
// infinite lease has infinite times).
[[nodiscard]] std::uint32_t default_renewal_seconds(std::uint32_t lease_seconds);
[[nodiscard]] std::uint32_t default_rebinding_seconds(std::uint32_t lease_seconds);

// --- the checks a server's values pass before they enter the lease --------------------------
// Each returns what the lease keeps and, for what it refuses, appends a line to `warnings`
// naming the option and the escaped value. A refused value is as if the server had sent none.

// RFC 1123 2.1 (and RFC 952): labels of letters, digits and hyphens, 1 to 63 bytes, not
// starting or ending with a hyphen; at most 253 bytes in all; one final dot (the absolute
// form) is allowed.
[[nodiscard]] bool is_valid_dns_name(std::string_view name);

// Option 12. The lease's host name is one label: it is set with sethostname() and replaces
// %s in the NFS path, where a dot, a slash or ".." must never appear. A valid name with dots
// ("node7.lab.example", as ISC dhcpd may send) gives its first label ("node7"), as systemd
// shortens an over-long name at the first dot; an invalid one, or "localhost" (systemd refuses
// it too), is refused, and %s then becomes the client address, as the kernel does without a
// name.
[[nodiscard]] std::string lease_host_name(std::string_view sent, std::vector<std::string>& warnings);

// Option 15: a valid DNS name (sd-dhcp-lease's lease_parse_domain() refuses the others),
// without its final dot; it goes to resolv.conf's "search" and DNSDOMAIN.
[[nodiscard]] std::string lease_domain_name(std::string_view sent, std::vector<std::string>& warnings);

// Root path (17), boot file (file), server name (sname): text the root system reads from
// /run/net-IF.conf, so no control character (a newline would add a line for line-based
// readers); and at most `max_size` bytes.
[[nodiscard]] std::string lease_text(std::string_view sent, std::string_view what, std::size_t max_size,
                                     std::vector<std::string>& warnings);

// The kernel's NFS path limit (NFS_MAXPATHLEN): a longer root-path cannot be mounted.
inline constexpr std::size_t kMaxRootPathSize = 1024;

// Option 26: RFC 791 says every host must take 576-byte datagrams, so a link MTU below that
// breaks the NFS mount in ways hard to see; systemd-networkd raises such values to 576. We
// ignore them and keep the driver's MTU. (Option 26 is 16 bits, so never above 65535; a value
// the driver cannot take is refused by the kernel and reported when it is applied.)
inline constexpr std::uint16_t kMinimumLeaseMtu = 576;
[[nodiscard]] std::optional<std::uint16_t> lease_mtu(std::optional<std::uint16_t> sent,
                                                     std::vector<std::string>& warnings);

}  // namespace nfsroot
