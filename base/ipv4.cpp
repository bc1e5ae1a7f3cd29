// IPv4 and Ethernet address parsing and formatting.
#include "base/ipv4.h"

#include "base/text.h"

namespace nfsroot {

std::optional<Ipv4Address> Ipv4Address::parse(std::string_view text) {
  const auto octets = split(text, '.');
  if (octets.size() != 4) return std::nullopt;
  std::uint32_t value = 0;
  for (const auto octet : octets) {
    if (octet.empty() || octet.size() > 3) return std::nullopt;
    const auto number = parse_decimal<unsigned>(octet);
    if (!number || *number > 255) return std::nullopt;
    value = (value << 8) | *number;
  }
  return Ipv4Address{value};
}

std::string Ipv4Address::to_string() const {
  std::string text;
  for (int shift = 24; shift >= 0; shift -= 8) {
    if (!text.empty()) text += '.';
    text += std::to_string((value >> shift) & 0xff);
  }
  return text;
}

Ipv4Address classful_netmask(Ipv4Address address) {
  const std::uint32_t first = address.value >> 24;
  if (first < 128) return Ipv4Address{0xff000000};  // class A
  if (first < 192) return Ipv4Address{0xffff0000};  // class B
  return Ipv4Address{0xffffff00};                   // class C (and what the kernel does above it)
}

Ipv4Address broadcast_address(Ipv4Address address, Ipv4Address netmask) {
  return Ipv4Address{(address.value & netmask.value) | ~netmask.value};
}

std::optional<int> prefix_length(Ipv4Address netmask) {
  const std::uint32_t inverted = ~netmask.value;
  if ((inverted & (inverted + 1)) != 0) return std::nullopt;  // ones must all be on the left
  int length = 0;
  for (std::uint32_t bits = netmask.value; bits != 0; bits <<= 1) ++length;
  return length;
}

namespace {

std::optional<std::uint8_t> parse_hex_octet(std::string_view text) {
  if (text.size() != 2) return std::nullopt;
  std::uint8_t value = 0;
  auto [end, status] = std::from_chars(text.data(), text.data() + 2, value, 16);
  if (status != std::errc{} || end != text.data() + 2) return std::nullopt;
  return value;
}

}  // namespace

std::optional<MacAddress> MacAddress::parse(std::string_view text) {
  if (text.size() != 17) return std::nullopt;
  const char separator = text[2];
  if (separator != ':' && separator != '-') return std::nullopt;
  const auto parts = split(text, separator);
  if (parts.size() != 6) return std::nullopt;
  MacAddress mac;
  for (std::size_t i = 0; i < 6; ++i) {
    const auto octet = parse_hex_octet(parts[i]);
    if (!octet) return std::nullopt;
    mac.octets[i] = *octet;
  }
  return mac;
}

std::string MacAddress::to_string() const {
  static constexpr char digits[] = "0123456789abcdef";
  std::string text;
  for (const auto octet : octets) {
    if (!text.empty()) text += ':';
    text += digits[octet >> 4];
    text += digits[octet & 0xf];
  }
  return text;
}

}  // namespace nfsroot
