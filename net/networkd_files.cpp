// Text of the systemd-networkd and udev runtime files of the hand-off.
#include "net/networkd_files.h"

#include "base/cat.h"

namespace nfsroot {

namespace {

constexpr std::string_view kDirectory = "systemd/network/";

std::string link_file(const InterfaceConfig& config) {
  // udev applies the first .link file that matches, in lexical order over /etc, /run and
  // /usr/lib (systemd.link(5)): 70- sorts before systemd's 73-usb-net-by-mac.link and
  // 99-default.link, and after an admin's usual 10-…50-. NamePolicy= empty and no Name= keep
  // the kernel's name: an interface that is up cannot be renamed, and udev's attempt to do so
  // fails the device. No MACAddressPolicy=: the root's NIC keeps its address.
  return "# written by nfsroot-init: the NFS root lives on " + config.device +
         "; keep its name and address\n"
         "[Match]\n"
         "OriginalName=" + config.device + "\n"
         "\n"
         "[Link]\n"
         "NamePolicy=\n";
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
  return {{stem + ".link", link_file(config)},
          {stem + ".network", network_file(config, networkd_can_renew(config.protocol == "dhcp", client_id))}};
}

}  // namespace nfsroot
