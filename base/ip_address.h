// An address of either family, for what may be named by IPv4 or IPv6 alike: the NFS server
// (nfsroot=10.0.2.2:/srv or dracut's nfsroot=[fd00::1]:/srv) and the sockets that reach it.
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "base/ipv4.h"
#include "base/ipv6.h"

namespace nfsroot {

struct IpAddress {
  std::variant<Ipv4Address, Ipv6Address> value;

  IpAddress() = default;
  IpAddress(Ipv4Address v4) : value(v4) {}  // NOLINT: every IPv4 address is one of these
  IpAddress(Ipv6Address v6) : value(v6) {}  // NOLINT

  // A dotted quad (Ipv4Address::parse) or a bare IPv6 address (Ipv6Address::parse: no
  // brackets, no zone). An IPv4-mapped IPv6 address stays IPv6: it is what was written.
  [[nodiscard]] static std::optional<IpAddress> parse(std::string_view text);
  // The server part of a host:path or host:port text: a dotted quad, or an IPv6 address in
  // brackets (RFC 3986 3.2.2, dracut.cmdline(7) "nfsroot=[fd00::1]:/srv"). Bare IPv6 is refused:
  // its colons could not be told from the separator.
  [[nodiscard]] static std::optional<IpAddress> parse_host(std::string_view text);

  [[nodiscard]] bool is_unspecified() const {
    return std::visit([](const auto& address) { return address.is_unspecified(); }, value);
  }
  [[nodiscard]] bool is_v6() const { return std::holds_alternative<Ipv6Address>(value); }
  [[nodiscard]] const Ipv4Address* v4() const { return std::get_if<Ipv4Address>(&value); }
  [[nodiscard]] const Ipv6Address* v6() const { return std::get_if<Ipv6Address>(&value); }

  [[nodiscard]] std::string to_string() const;       // "10.0.2.2", "fd00::1": what addr= takes
  [[nodiscard]] std::string to_host_text() const;    // "10.0.2.2", "[fd00::1]": before ":path" or ":port"
  auto operator<=>(const IpAddress&) const = default;
};

// TEXT as the host part of "host:rest" when it starts with '[': the bracketed address and the
// length up to and including ']'. nullopt when TEXT does not start with '['; an address of 0
// length when the bracket is not closed.
struct BracketedHost {
  std::string_view address;  // inside the brackets
  std::size_t length = 0;    // of "[…]", 0 when unclosed
};
[[nodiscard]] std::optional<BracketedHost> bracketed_host(std::string_view text);

}  // namespace nfsroot
