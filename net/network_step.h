// The network step of the boot plan: which interface, DHCP or static, with what values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/ipv4.h"
#include "base/ipv6.h"
#include "net/dhcp_client_id.h"

namespace nfsroot {

// What the network step does, derived from ip= (see IpConfig::mode()). Static6 and Auto6 are
// IPv6 only (dracut's ip=[<v6 client>]…:none and ip=auto6): no IPv4 address at all.
enum class NetworkMode : std::uint8_t { Dhcp, Static, Off, Static6, Auto6, Dhcp6 };

[[nodiscard]] inline bool is_ipv6_mode(NetworkMode mode) {
  return mode == NetworkMode::Static6 || mode == NetworkMode::Auto6 || mode == NetworkMode::Dhcp6;
}

enum class InterfaceChoice : std::uint8_t { ByName, ByMac, EveryEthernet };

// nfsroot-init.lease_keeper=: whether the hand-off leaves the lease keeper running
// (network/lease_keeper.h). Auto: unless the root system enables systemd-networkd and the
// networkd files let it renew the lease (net/networkd_files.h: networkd_can_renew()).
enum class LeaseKeeperMode : std::uint8_t { Auto, Always, Never };

// The fix when a module the network step needs (8021q for vlan=, bonding for bond=) is not in
// the initramfs: the drivers step and the link request both say it.
inline constexpr std::string_view kAddNetworkModuleHint =
    "add it to NFSROOT_INIT_MODULES (initramfs.conf or conf.d) and rebuild the initramfs";

// dracut's vlan=<name>:<phys> (dracut.cmdline(7)): an 802.1Q link made on the physical
// interface, which the network step then configures instead of it.
struct VlanLink {
  std::string name;    // "eth0.5", "vlan0005"
  std::string parent;  // "eth0"
  std::uint16_t id = 0;  // 1-4094
};

// dracut's bond=<name>[:<slaves>[:<options>[:<mtu>]]] (dracut.cmdline(7)): a bond made of the
// slaves, which the network step then configures instead of them.
struct BondLink {
  std::string name;                 // "bond0"
  std::vector<std::string> slaves;  // "eth0", "eth1"
  // The bonding driver's options by their sysfs names (Documentation/networking/bonding.rst),
  // in the order given: "mode" = "active-backup", "miimon" = "100".
  std::vector<std::pair<std::string, std::string>> options;
  std::optional<std::uint32_t> mtu;
};

// How long a static IPv6 address may stay tentative. RFC 4862 5.4: one Neighbor Solicitation
// (DupAddrDetectTransmits 1) and RetransTimer 1 s (RFC 4861 10), after a random delay of up to
// 1 s (5.4.2); the rest is margin for a slow link.
inline constexpr int kDuplicateAddressDetectionSeconds = 10;

struct NetworkStep {
  NetworkMode mode = NetworkMode::Dhcp;
  InterfaceChoice choice = InterfaceChoice::EveryEthernet;
  std::string device;               // ByName (with a VLAN: the VLAN link's name)
  std::optional<VlanLink> vlan;     // made on its parent, which is brought up but not configured
  std::optional<BondLink> bond;     // made of its slaves, which are not configured themselves
  std::optional<MacAddress> mac;    // ByMac
  int carrier_timeout_seconds = 0;
  int interface_timeout_seconds = 0;  // no candidate interface at all: fail after this (or carrier_timeout)
  // DHCP
  std::string vendor_class;
  std::optional<DhcpClientId> client_id;
  int dhcp_timeout_seconds = 0;
  std::optional<Ipv4Address> requested_address;  // ip=<client>::…:dhcp: ask for it first (INIT-REBOOT)
  // Static, and what ip= gives DHCP to keep (hostname, DNS)
  std::optional<Ipv4Address> address;
  std::optional<Ipv4Address> netmask;  // classful when ip= had none
  std::optional<Ipv4Address> gateway;
  std::optional<Ipv4Address> server;  // ip= <server-ip>: ROOTSERVER in /run/net-<interface>.conf
  std::vector<Ipv4Address> dns;
  // Static6: the address, its prefix length and the default route's gateway (link-local is
  // fine); server6 is ip='s <server> field: the NFS server when nfsroot= names none.
  std::optional<Ipv6Address> address6;
  int prefix6 = 0;
  std::optional<Ipv6Address> gateway6;
  std::optional<Ipv6Address> server6;
  std::string hostname;
  std::string nis_domain;
  // The hand-off to the root's network managers (net/networkd_files.h, net/manager_files.h).
  bool networkd_files = true;
  bool networkmanager_files = true;
  bool ifupdown_files = true;
};

}  // namespace nfsroot
