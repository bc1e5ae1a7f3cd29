// Text of /run/net-<interface>.conf and resolv.conf.
#include "net/net_config_file.h"

#include "base/cat.h"
#include "base/text.h"
#include "net/dhcp_lease.h"

namespace nfsroot {

namespace {

void write_option(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += "='";
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      // The file is one NAME='value' per line, and some readers go line by line (grep, a
      // while-read loop): a newline inside the quotes would be a line of its own. Values are
      // checked where they enter (net/dhcp_lease.h); this keeps the format whatever comes.
      out += '?';
    } else if (c == '\'' || c == '!') {
      // Close the quote, escape the character, reopen: safe for sh and for history expansion.
      out += "'\\";
      out += c;
      out += '\'';
    } else {
      out += c;
    }
  }
  out += "'\n";
}

std::string address_text(const std::optional<Ipv4Address>& address) {
  return address ? address->to_string() : std::string("0.0.0.0");
}

}  // namespace

std::string format_net_conf(const InterfaceConfig& config) {
  std::string out;
  write_option(out, "DEVICE", config.device);
  write_option(out, "PROTO", config.protocol);
  write_option(out, "IPV4ADDR", config.address.to_string());
  write_option(out, "IPV4BROADCAST", config.broadcast.to_string());
  write_option(out, "IPV4NETMASK", config.netmask.to_string());
  write_option(out, "IPV4GATEWAY", address_text(config.gateway));
  for (std::size_t i = 0; i < 2; ++i) {
    write_option(out, "IPV4DNS" + std::to_string(i),
                 i < config.dns_servers.size() ? config.dns_servers[i].to_string() : "0.0.0.0");
  }
  write_option(out, "HOSTNAME", config.hostname);
  write_option(out, "DNSDOMAIN", config.dns_domain);
  write_option(out, "NISDOMAIN", config.nis_domain);
  write_option(out, "ROOTSERVER", address_text(config.root_server));
  write_option(out, "ROOTPATH", config.root_path);
  write_option(out, "filename", config.boot_file);
  write_option(out, "UPTIME", std::to_string(config.uptime_seconds));
  write_option(out, "DHCPLEASETIME", std::to_string(config.lease_seconds));
  write_option(out, "DOMAINSEARCH", "");
  // Not in klibc's file; read by our docs' recipes (MTU is what the lease set on the link).
  if (config.mtu) write_option(out, "IPV4MTU", std::to_string(*config.mtu));
  return out;
}

std::string format_net6_conf(const InterfaceConfig& config) {
  std::string out;
  write_option(out, "DEVICE6", config.device);
  // cloud-init takes none, dhcp and dhcp6 and refuses the file for any other word.
  write_option(out, "IPV6PROTO", config.protocol6);
  write_option(out, "IPV6ADDR", config.address6 ? config.address6->to_string() : std::string());
  write_option(out, "IPV6NETMASK", std::to_string(config.prefix6));
  write_option(out, "IPV6GATEWAY", config.gateway6 ? config.gateway6->to_string() : std::string());
  // cloud-init reads IPV6DNS0 and IPV6DNS1 (the first two; "::" or empty: none).
  for (std::size_t i = 0; i < 2; ++i) {
    write_option(out, cat("IPV6DNS", i),
                 i < config.dns_servers6.size() ? config.dns_servers6[i].to_string() : std::string());
  }
  write_option(out, "IPV6DOMAINSEARCH", join(config.domain_search6, " "));
  write_option(out, "HOSTNAME", config.hostname);
  write_option(out, "DNSDOMAIN", config.dns_domain);
  write_option(out, "UPTIME", std::to_string(config.uptime_seconds));
  return out;
}

std::string format_resolv_conf(const InterfaceConfig& config) {
  // The kernel's interface names hold no blank or newline (dev_valid_name()); escaped anyway,
  // so the comment stays one line whatever the name.
  std::string out = "# written by nfsroot-init from the " + escape_for_log(config.protocol) + " configuration of " +
                    escape_for_log(config.device) + "\n";
  // resolv.conf(5) reads "search" up to the end of the line as a list of names: only a DNS
  // name may go there, or a newline in it would add a nameserver line.
  std::vector<std::string> search;
  if (is_valid_dns_name(config.dns_domain)) search.push_back(config.dns_domain);
  for (const auto& domain : config.domain_search6) {
    if (is_valid_dns_name(domain)) search.push_back(domain);
  }
  if (!search.empty()) out += "search " + join(search, " ") + "\n";
  std::vector<std::string> servers;
  for (const auto& server : config.dns_servers) servers.push_back(server.to_string());
  for (const auto& server : config.dns_servers6) servers.push_back(server.to_string());
  for (std::size_t i = 0; i < servers.size() && i < 3; ++i) out += "nameserver " + servers[i] + "\n";
  return out;
}

std::string net_conf_path(std::string_view device) { return "/run/net-" + std::string(device) + ".conf"; }

std::string net6_conf_path(std::string_view device) { return "/run/net6-" + std::string(device) + ".conf"; }

}  // namespace nfsroot
