// IPv6 address values, parsed strictly from text (RFC 4291 section 2.2) and written in the one
// canonical form of RFC 5952, so that a message, a hand-off file and a test compare equal.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nfsroot {

struct Ipv6Address {
  std::array<std::uint8_t, 16> octets{};  // network byte order, as in struct in6_addr

  // RFC 4291 2.2: eight groups of 1-4 hex digits separated by ':', one "::" standing for one or
  // more zero groups, the last two groups optionally a dotted quad ("::ffff:10.0.2.15").
  // Rejected: a zone ("fe80::1%eth0": the caller names the interface), brackets, a prefix
  // ("/64"), a fifth hex digit, a second "::", a lone leading or trailing ':'.
  [[nodiscard]] static std::optional<Ipv6Address> parse(std::string_view text);
  // RFC 5952 4: lower case, no leading zeros, the longest run of two or more zero groups as
  // "::" (the first of equal runs); an IPv4-mapped address (::ffff:0:0/96) ends in a dotted quad
  // (RFC 5952 5).
  [[nodiscard]] std::string to_string() const;

  [[nodiscard]] std::uint16_t group(int index) const {
    return static_cast<std::uint16_t>(octets[static_cast<std::size_t>(2 * index)] << 8 |
                                      octets[static_cast<std::size_t>(2 * index + 1)]);
  }
  [[nodiscard]] bool is_unspecified() const { return *this == Ipv6Address{}; }
  [[nodiscard]] bool is_loopback() const;
  [[nodiscard]] bool is_multicast() const { return octets[0] == 0xff; }                                 // ff00::/8
  [[nodiscard]] bool is_link_local() const { return octets[0] == 0xfe && (octets[1] & 0xc0) == 0x80; }  // fe80::/10
  [[nodiscard]] bool is_ipv4_mapped() const;                                                            // ::ffff:0:0/96
  auto operator<=>(const Ipv6Address&) const = default;
};

// Whether the first `prefix_length` bits (0..128) of a and b are the same: b is on a's link.
[[nodiscard]] bool same_ipv6_prefix(const Ipv6Address& a, const Ipv6Address& b, int prefix_length);

// A prefix length 0..128 in decimal ("64"); nullopt otherwise.
[[nodiscard]] std::optional<int> parse_ipv6_prefix_length(std::string_view text);

}  // namespace nfsroot
