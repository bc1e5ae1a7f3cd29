// Fuzzes the files the root system reads: /run/net-IF.conf and resolv.conf. Whatever the
// values, every key is one line that sh-style single-quote parsing reads back to the value,
// and resolv.conf has one line per nameserver and no line a value made.
#include <cstddef>
#include <optional>
#include <cstdint>
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
  if (size < 1) return 0;
  // The first byte: how many nameservers (0..7); the rest: text fields separated by NUL.
  const std::size_t servers = data[0] % 8;
  const auto fields = split(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1), '\0');
  auto field = [&](std::size_t i) { return i < fields.size() ? std::string(fields[i]) : std::string(); };
  InterfaceConfig config;
  config.device = field(0);
  config.protocol = field(1);
  config.hostname = field(2);
  config.dns_domain = field(3);
  config.nis_domain = field(4);
  config.root_path = field(5);
  config.boot_file = field(6);
  for (std::size_t i = 0; i < servers; ++i) config.dns_servers.push_back(Ipv4Address{0x0a000001u + static_cast<std::uint32_t>(i)});
  if (data[0] & 0x80) config.mtu = static_cast<std::uint16_t>(size);

  const std::string conf = format_net_conf(config);
  const std::vector<std::pair<std::string_view, std::string>> keys{
      {"DEVICE", config.device},       {"PROTO", config.protocol},     {"HOSTNAME", config.hostname},
      {"DNSDOMAIN", config.dns_domain}, {"NISDOMAIN", config.nis_domain}, {"ROOTPATH", config.root_path},
      {"filename", config.boot_file}};
  check(conf.ends_with('\n'));
  auto lines = split(std::string_view(conf).substr(0, conf.size() - 1), '\n');
  check(lines.size() == 17u + (config.mtu ? 1u : 0u));
  for (const auto line : lines) {
    const auto equals = line.find('=');
    check(equals != std::string_view::npos);
    const auto name = line.substr(0, equals);
    const auto value = unquote(line.substr(equals + 1));
    check(value.has_value());
    for (const auto& [key, given] : keys) {
      if (key == name) check(*value == expected(given));
    }
  }

  const std::string resolv = format_resolv_conf(config);
  check(resolv.ends_with('\n'));
  std::size_t nameservers = 0, searches = 0;
  for (const auto line : split(std::string_view(resolv).substr(0, resolv.size() - 1), '\n')) {
    if (line.starts_with("nameserver ")) {
      ++nameservers;
      check(Ipv4Address::parse(line.substr(11)).has_value());
    } else if (line.starts_with("search ")) {
      ++searches;
      check(is_valid_dns_name(line.substr(7)));
    } else {
      check(line.starts_with("# written by nfsroot-init"));
    }
  }
  check(nameservers == (servers < 3 ? servers : 3) && searches <= 1);
  check(resolv.starts_with('#'));
  return 0;
}
