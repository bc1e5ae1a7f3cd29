// BootConfig: everything the kernel command line says about this boot, typed and checked.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "cmdline/cmdline.h"
#include "base/ip_address.h"
#include "base/ipv4.h"
#include "base/ipv6.h"
#include "mounts/image_file.h"
#include "mounts/nfs_options.h"
#include "net/network_step.h"

namespace nfsroot {

// The <autoconf> field of ip= (nfsroot.rst), or the whole ip= value when it is one word.
// Auto6 and Dhcp6 are dracut's: the kernel's own stateless autoconfiguration from router
// advertisements, and stateful DHCPv6 (RFC 8415).
enum class IpAutoconf : std::uint8_t { Unset, Off, On, Dhcp, Bootp, Rarp, Both, Auto6, Dhcp6 };

// ip=<client-ip>:<server-ip>:<gw-ip>:<netmask>:<hostname>:<device>:<autoconf>:<dns0-ip>:<dns1-ip>:<ntp0-ip>
struct IpConfig {
  bool given = false;  // an ip= or nfsaddrs= was on the line
  std::optional<Ipv4Address> client;
  std::optional<Ipv4Address> server;
  std::optional<Ipv4Address> gateway;
  std::optional<Ipv4Address> netmask;
  std::string hostname;
  std::string nis_domain;  // the part after the first '.' of <hostname>
  std::string device;
  IpAutoconf autoconf = IpAutoconf::Unset;
  std::optional<Ipv4Address> dns0;
  std::optional<Ipv4Address> dns1;
  std::optional<Ipv4Address> ntp0;
  std::optional<DhcpClientId> client_id;  // ip=dhcp,<type>,<value>
  // dracut's static IPv6 form (dracut.cmdline(7)):
  // ip=[<v6 client>]:[<v6 server>]:[<v6 gw>]:<prefix>:<hostname>:<device>:none
  std::optional<Ipv6Address> client6;
  std::optional<Ipv6Address> server6;
  std::optional<Ipv6Address> gateway6;
  int prefix6 = 0;  // 0..128, with client6

  // No ip= at all means DHCP, as initramfs-tools does for an NFS root. A client address with
  // autoconf empty, off or none is a static configuration; off or none without one disables
  // configuration; every dynamic protocol is DHCP here. An IPv6 client address is Static6,
  // auto6 is Auto6.
  [[nodiscard]] NetworkMode mode() const;
};

enum class RootKind : std::uint8_t { Nfs, Other };

// The initramfs-tools break points, in boot order; dracut's names map onto them.
enum class BreakPoint : std::uint8_t { Top, Modules, Premount, Mount, Bottom, Init };
inline constexpr int kBreakPointCount = 6;

// The steps of the boot, in order. One name each (to_string): in failure messages, in
// /run/nfsroot-init/timings and for the test-only nfsroot-init.poweroff_after= (which stops after
// plan, drivers, network, root or unions).
enum class BootStep : std::uint8_t { Early, Plan, Drivers, Network, Root, Unions, Handoff };

struct BootConfig {
  IpConfig ip;
  RootKind root_kind = RootKind::Nfs;
  std::string root_argument;  // root= as given, for messages
  NfsRootSpec nfs;
  bool read_only = true;  // the kernel mounts root read-only unless rw
  std::string init;       // init=; empty: search the usual places
  std::optional<int> panic_seconds;
  std::vector<BreakPoint> breaks;  // sorted, unique
  bool debug = false;
  bool quiet = false;
  std::optional<MacAddress> boot_interface;  // BOOTIF=01-…, from pxelinux IPAPPEND 2
  std::string dhcp_class;                    // dhcpclass=, DHCP option 60
  int carrier_timeout_seconds = 120;         // carrier_timeout=, the kernel's default
  // nfsroot-init.interface_timeout=: how long to wait for a network interface to exist at all.
  // Short: a NIC's driver makes its interface within a second or two of loading (a USB adapter
  // enumerates in about one under TCG), so a longer wait only delays the message that no driver
  // claimed the NIC. Never longer than carrier_timeout=.
  int interface_timeout_seconds = 10;
  bool nfs_debug = false;                    // nfsrootdebug
  int mount_timeout_seconds = 180;           // nfsroot-init.mount_timeout= / rootdelay=
  // nfsroot-init.servers=: more servers of the same root, after the one nfsroot= or DHCP names;
  // all are asked at once and the first to answer is mounted.
  std::vector<IpAddress> extra_servers;
  // nfsroot-init.mount_jitter=: the most milliseconds the first attempt waits, by the MAC;
  // nullopt: 300 with several servers, else 0.
  std::optional<int> mount_jitter_ms;
  int dhcp_timeout_seconds = 120;            // nfsroot-init.dhcp_timeout=
  std::vector<std::string> overlay_entries;  // nfsroot-init.overlay=, in order
  // nfsroot-init.image=: image mode, the root is this squashfs/EROFS file (or channel folder)
  // inside the NFS export; empty: the export itself is the root (directory mode).
  std::string image;
  std::string image_option = "nfsroot-init.image=";  // or "root=live:" (dracut's livenet form)
  // nfsroot-init.toram (or dracut's rd.live.ram): copy the image into RAM, checked against its
  // .sha256, then unmount the export; image mode only.
  bool copy_to_ram = false;
  std::string copy_to_ram_option = "nfsroot-init.toram";
  // nfsroot-init.image_readahead=: the image export's read-ahead in KiB (0: the kernel's own);
  // image mode only; unset: by the image's block size (image_read_ahead_kib, mounts/image_file.h).
  std::optional<std::uint32_t> image_read_ahead_kib;
  // nfsroot-init.networkd=: write /run/systemd/network/70-nfsroot-<interface>.{link,network}
  // at the hand-off, so the root's networkd and udev keep the interface (net/networkd_files.h).
  bool networkd_files = true;
  // nfsroot-init.networkmanager=: write /run/NetworkManager/conf.d/70-nfsroot-<interface>.conf,
  // so the root's NetworkManager leaves the interface unmanaged (net/manager_files.h).
  bool networkmanager_files = true;
  // nfsroot-init.ifupdown=: record the interface as up in /run/network/ifstate.<interface> and
  // /run/network/ifstate, so the root's ifup and ifdown leave it (net/manager_files.h).
  bool ifupdown_files = true;
  std::optional<BootStep> poweroff_after;    // nfsroot-init.poweroff_after=, for tests
  // nfsroot-init.lease_keeper=auto|yes|no: the lease keeper at the hand-off (net/network_step.h).
  LeaseKeeperMode lease_keeper = LeaseKeeperMode::Auto;
  // What dracut's command line asks that nfsroot-init cannot do (an IPv6 server it cannot
  // reach, a vlan= it cannot make): each stops the plan with its own error, instead of a root
  // path made of the rest or a boot on another network.
  std::vector<Error> unsupported;
  // vlan=<name>:<phys>: the network step makes this 802.1Q link on <phys> and configures it.
  std::optional<VlanLink> vlan;
  // bond=<name>[:<slaves>[:<options>[:<mtu>]]]: the network step makes this bond of the slaves
  // and configures it.
  std::optional<BondLink> bond;
  // The links dracut's bridge= and team= would make, which nfsroot-init does not make yet: ip=
  // naming one of them stops the plan (the boot would wait for a link that never comes);
  // otherwise each is a warning.
  struct VirtualLink {
    std::string name;    // "br0"
    std::string option;  // "bridge=br0:eth0", as given
  };
  std::vector<VirtualLink> virtual_links;
  std::vector<std::string> init_arguments;   // after "--"
};

inline constexpr std::string_view kDefaultDhcpClass = "nfsroot-init";

struct ParsedBootConfig {
  BootConfig config;
  // One line per malformed value: the option, the value, what is wrong and what is used instead.
  std::vector<std::string> warnings;
};

[[nodiscard]] ParsedBootConfig parse_boot_config(const KernelCommandLine& line);
[[nodiscard]] ParsedBootConfig parse_boot_config(std::string_view command_line);

[[nodiscard]] std::string_view to_string(BreakPoint point);
[[nodiscard]] std::string_view to_string(BootStep step);
// The step as a failure message names it: "boot plan failed: …", "drivers failed: …".
[[nodiscard]] std::string_view step_title(BootStep step);
[[nodiscard]] std::string_view to_string(IpAutoconf autoconf);

}  // namespace nfsroot
