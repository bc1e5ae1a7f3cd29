// Fuzzes the files the root system reads: /run/net-IF.conf and resolv.conf. Whatever the
// values, every key is one line that sh reads back to the value (unquote() below parses the
// exact quoting the renderer uses, as sh does), and resolv.conf has one line per nameserver and
// no line a value made. tests/cli runs the real sh on hostile values.
#include <cstddef>
#include <optional>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/text.h"
#include "net/dhcp_lease.h"
#include "net/net_config_file.h"

namespace {

using namespace nfsroot;

void check(bool condition) {
  if (!condition) __builtin_trap();
}

// One value of the file as sh reads it: a run of '...' (anything but ') and \c (c itself).
std::optional<std::string> unquote(std::string_view text) {
  std::string value;
  while (!text.empty()) {
    if (text.front() == '\'') {
      const auto end = text.find('\'', 1);
      if (end == std::string_view::npos) return std::nullopt;
      value += text.substr(1, end - 1);
      text.remove_prefix(end + 1);
    } else if (text.front() == '\\' && text.size() >= 2) {
      value += text[1];
      text.remove_prefix(2);
    } else {
      return std::nullopt;  // an unquoted character: sh would expand or split it
    }
  }
  return value;
}

// What the file may hold for a value: control characters become '?'.
std::string expected(std::string_view value) {
  std::string out(value);
  for (auto& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The first byte: how many nameservers (0..7) and whether there is an MTU; then 32 bytes of
  // addresses (address, netmask, broadcast, gateway, root server, three nameservers), then
  // text fields separated by NUL.
  if (size < 33) return 0;
  const std::size_t servers = data[0] % 8;
  auto address = [&](std::size_t i) {
    const std::uint8_t* at = data + 1 + 4 * i;
    return Ipv4Address{(std::uint32_t{at[0]} << 24) | (std::uint32_t{at[1]} << 16) | (std::uint32_t{at[2]} << 8) | at[3]};
  };
  const auto fields = split(std::string_view(reinterpret_cast<const char*>(data) + 33, size - 33), '\0');
  auto field = [&](std::size_t i) { return i < fields.size() ? std::string(fields[i]) : std::string(); };
  InterfaceConfig config;
  config.device = field(0);
  config.protocol = field(1);
  config.hostname = field(2);
  config.dns_domain = field(3);
  config.nis_domain = field(4);
  config.root_path = field(5);
  config.boot_file = field(6);
  config.address = address(0);
  config.netmask = address(1);
  config.broadcast = address(2);
  if (data[0] & 0x40) config.gateway = address(3);
  if (data[0] & 0x20) config.root_server = address(4);
  for (std::size_t i = 0; i < servers; ++i) config.dns_servers.push_back(address(5 + i % 3));
  if (data[0] & 0x80) config.mtu = static_cast<std::uint16_t>(size);
  config.lease_seconds = static_cast<std::uint32_t>(size * 7);
  config.uptime_seconds = static_cast<long>(size);

  // Every key once, each value what sh reads back (control characters as '?').
  auto dns = [&](std::size_t i) { return i < servers ? config.dns_servers[i].to_string() : std::string("0.0.0.0"); };
  std::map<std::string, std::string, std::less<>> keys{
      {"DEVICE", expected(config.device)},       {"PROTO", expected(config.protocol)},
      {"IPV4ADDR", config.address.to_string()},  {"IPV4BROADCAST", config.broadcast.to_string()},
      {"IPV4NETMASK", config.netmask.to_string()},
      {"IPV4GATEWAY", config.gateway ? config.gateway->to_string() : "0.0.0.0"},
      {"IPV4DNS0", dns(0)},                      {"IPV4DNS1", dns(1)},
      {"HOSTNAME", expected(config.hostname)},   {"DNSDOMAIN", expected(config.dns_domain)},
      {"NISDOMAIN", expected(config.nis_domain)},
      {"ROOTSERVER", config.root_server ? config.root_server->to_string() : "0.0.0.0"},
      {"ROOTPATH", expected(config.root_path)},  {"filename", expected(config.boot_file)},
      {"UPTIME", std::to_string(config.uptime_seconds)}, {"DHCPLEASETIME", std::to_string(config.lease_seconds)},
      {"DOMAINSEARCH", ""}};
  if (config.mtu) keys.emplace("IPV4MTU", std::to_string(*config.mtu));

  const std::string conf = format_net_conf(config);
  check(conf.ends_with('\n'));
  std::set<std::string, std::less<>> seen;
  for (const auto line : split(std::string_view(conf).substr(0, conf.size() - 1), '\n')) {
    const auto equals = line.find('=');
    check(equals != std::string_view::npos);
    const auto name = line.substr(0, equals);
    const auto value = unquote(line.substr(equals + 1));
    check(value.has_value());
    const auto key = keys.find(name);
    check(key != keys.end() && seen.emplace(name).second);
    check(*value == key->second);
  }
  check(seen.size() == keys.size());

  // resolv.conf: the comment, "search" for a valid DNS domain only, then one line per
  // nameserver, in order, at most three (resolv.conf(5) MAXNS); nothing a value could add.
  const std::string resolv = format_resolv_conf(config);
  check(resolv.ends_with('\n') && resolv.starts_with("# written by nfsroot-init"));
  auto lines = split(std::string_view(resolv).substr(0, resolv.size() - 1), '\n');
  std::size_t at = 1;
  if (is_valid_dns_name(config.dns_domain)) {
    check(lines.size() > at && lines[at] == "search " + config.dns_domain);
    ++at;
  }
  check(lines.size() == at + std::min<std::size_t>(servers, 3));
  for (std::size_t i = 0; at + i < lines.size(); ++i) check(lines[at + i] == "nameserver " + config.dns_servers[i].to_string());
  return 0;
}
