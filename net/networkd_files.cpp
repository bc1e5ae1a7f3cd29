// Text of the systemd-networkd and udev runtime files of the hand-off.
#include "net/networkd_files.h"

#include "base/cat.h"

namespace nfsroot {

namespace {

constexpr std::string_view kDirectory = "systemd/network/";

std::string link_file(const InterfaceConfig& config, const std::string& name) {
  // udev applies the first .link file that matches, in lexical order over /etc, /run and
  // /usr/lib (systemd.link(5)): 70- sorts before systemd's 73-usb-net-by-mac.link and
  // 99-default.link, and after an admin's usual 10-…50-. NamePolicy= empty and no Name= keep
  // the kernel's name: an interface that is up cannot be renamed, and udev's attempt to do so
  // fails the device. No MACAddressPolicy=: the root's NIC keeps its address.
  return "# written by nfsroot-init: the NFS root lives on " + config.device +
         (name == config.device ? std::string() : ", which is on " + name) + "; keep its name and address\n"
         "[Match]\n"
         "OriginalName=" + name + "\n"
         "\n"
         "[Link]\n"
         "NamePolicy=\n";
}

// A link under the root's interface (a VLAN's parent, a bond's slave): up with no address of
// its own, as /init left it. No DHCP, no IPv6 link-local address or router advertisements,
// nothing dropped, and KeepMaster=yes (systemd.network(5), since 250: "useful when a netdev
// with a master interface is created by another program"): networkd's
// link_request_to_set_master() asks the kernel to unset the master of a link whose .network
// names no Bond=. Debian 12's networkd 252 kept the slaves even without the key (seen in
// boot.debian_networkd_bond with it removed); it guards the versions that do not. Before 250
// the key is ignored with a warning.
std::string lower_network_file(const InterfaceConfig& config, const std::string& lower) {
  return "# written by nfsroot-init: the NFS root lives on " + config.device + ", which is on " + lower +
         "; keep " + lower + " up and unconfigured\n"
         "[Match]\n"
         "Name=" + lower + "\n"
         "\n"
         "[Network]\n"
         "KeepConfiguration=yes\n"
         "DHCP=no\n"
         "LinkLocalAddressing=no\n"
         "IPv6AcceptRA=no\n"
         "KeepMaster=yes\n";
}

std::string network_file(const InterfaceConfig& config, bool renew) {
  std::string out = "# written by nfsroot-init: the NFS root lives on " + config.device + "\n"
                    "[Match]\n"
                    "Name=" + config.device + "\n\n";
  if (config.mtu) out += cat("[Link]\nMTUBytes=", *config.mtu, "\n\n");
  out += "[Network]\n";
  // KeepConfiguration=yes: networkd neither drops the addresses and routes it finds (they are
  // /init's, "foreign" to it) nor those of an expired lease, and leaves them when it stops
  // (systemd.network(5); the default only when networkd itself sees a network root).
  out += "KeepConfiguration=yes\n";
  if (renew) {
    // /init sent no client identifier: the server knows this client by its MAC (chaddr).
    return out + "DHCP=ipv4\n\n[DHCPv4]\nClientIdentifier=mac\n";
  }
  out += "DHCP=no\n";
  if (config.protocol6 == "dhcp6") {
    // networkd must not run a DHCPv6 client here: when it stops (at power-off), networkd removes
    // its DHCPv6 client's addresses whatever KeepConfiguration= says (networkd-dhcp6.c,
    // dhcp6_handler(): SD_DHCP6_CLIENT_EVENT_STOP -> dhcp6_lease_lost() -> dhcp6_remove(); only
    // DHCPv4 has dhcp-on-stop). The root's /128 would go with the root still mounted. So the
    // lease keeper renews it (choose_lease_keeper()) and networkd only takes advertisements, for
    // the on-link prefix and the default route, without the DHCPv6 client their M flag starts.
    return out + "IPv6AcceptRA=yes\n\n[IPv6AcceptRA]\nDHCPv6Client=no\n";
  }
  if (config.is_ipv6()) {
    // The address the kernel made from a router advertisement is kept, and networkd goes on
    // taking advertisements itself (its own IPv6AcceptRA= handling; it sets accept_ra=0), so the
    // address is renewed before its valid lifetime ends (RFC 4862 5.5.3).
    if (config.protocol6 == "auto6") return out + "IPv6AcceptRA=yes\n";
    out += cat("Address=", config.address6->to_string(), "/", config.prefix6, "\n");
    if (config.gateway6) out += "Gateway=" + config.gateway6->to_string() + "\n";
    return out;
  }
  // A netmask that is not contiguous never gets here: the network step refused it.
  out += cat("Address=", config.address.to_string(), "/", prefix_length(config.netmask).value_or(32), "\n");
  if (config.gateway) out += "Gateway=" + config.gateway->to_string() + "\n";
  for (const auto& server : config.dns_servers) out += "DNS=" + server.to_string() + "\n";
  return out;
}

}  // namespace

bool networkd_can_renew(bool by_dhcp, const std::optional<DhcpClientId>& client_id) {
  return by_dhcp && (!client_id || client_id->value.empty());
}

std::vector<RuntimeFile> networkd_runtime_files(const InterfaceConfig& config,
                                                const std::optional<DhcpClientId>& client_id) {
  if (!is_plain_interface_name(config.device)) return {};
  const std::string stem = std::string(kDirectory) + "70-nfsroot-" + config.device;
  std::vector<RuntimeFile> files{
      {stem + ".link", link_file(config, config.device)},
      {stem + ".network", network_file(config, networkd_can_renew(config.protocol == "dhcp", client_id))}};
  for (const auto& lower : config.lower_devices) {
    if (!is_plain_interface_name(lower)) continue;
    const std::string lower_stem = std::string(kDirectory) + "70-nfsroot-" + lower;
    files.push_back({lower_stem + ".link", link_file(config, lower)});
    files.push_back({lower_stem + ".network", lower_network_file(config, lower)});
  }
  return files;
}

}  // namespace nfsroot
