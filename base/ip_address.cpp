// Addresses of either family: parsing from boot-line text and writing them back.
#include "base/ip_address.h"

namespace nfsroot {

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (const auto v4 = Ipv4Address::parse(text)) return IpAddress(*v4);
  if (const auto v6 = Ipv6Address::parse(text)) return IpAddress(*v6);
  return std::nullopt;
}

std::optional<IpAddress> IpAddress::parse_host(std::string_view text) {
  if (const auto host = bracketed_host(text)) {
    if (host->length != text.size()) return std::nullopt;
    if (const auto v6 = Ipv6Address::parse(host->address)) return IpAddress(*v6);
    return std::nullopt;
  }
  if (const auto v4 = Ipv4Address::parse(text)) return IpAddress(*v4);
  return std::nullopt;
}

std::string IpAddress::to_string() const {
  return std::visit([](const auto& address) { return address.to_string(); }, value);
}

std::string IpAddress::to_host_text() const { return is_v6() ? "[" + to_string() + "]" : to_string(); }

std::optional<BracketedHost> bracketed_host(std::string_view text) {
  if (!text.starts_with('[')) return std::nullopt;
  const auto close = text.find(']');
  if (close == std::string_view::npos) return BracketedHost{text.substr(1), 0};
  return BracketedHost{text.substr(1, close - 1), close + 1};
}

}  // namespace nfsroot
