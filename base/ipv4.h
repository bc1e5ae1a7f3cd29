// IPv4 and Ethernet address values, parsed strictly from text.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nfsroot {

struct Ipv4Address {
  std::uint32_t value = 0;  // host byte order: 10.0.2.15 is 0x0a00020f

  // Exactly four decimal octets 0..255 ("10.0.2.15"); the kernel's in_aton() is laxer, but a
  // typo in a boot line should be reported, not turned into a different address.
  [[nodiscard]] static std::optional<Ipv4Address> parse(std::string_view text);
  [[nodiscard]] std::string to_string() const;
  [[nodiscard]] bool is_unspecified() const { return value == 0; }
  auto operator<=>(const Ipv4Address&) const = default;
};

// net/ipv4/ipconfig.c: without a netmask, the class of the address decides it.
[[nodiscard]] Ipv4Address classful_netmask(Ipv4Address address);

// The subnet's last address: what a DHCP server without option 28, or a static ip=, implies.
[[nodiscard]] Ipv4Address broadcast_address(Ipv4Address address, Ipv4Address netmask);

// The prefix length of a contiguous netmask (255.255.255.0 -> 24); nullopt when not contiguous.
[[nodiscard]] std::optional<int> prefix_length(Ipv4Address netmask);

struct MacAddress {
  std::array<std::uint8_t, 6> octets{};

  // Six hex octets separated by ':' or '-' ("52:54:00:12:34:56", "52-54-00-12-34-56").
  [[nodiscard]] static std::optional<MacAddress> parse(std::string_view text);
  [[nodiscard]] std::string to_string() const;  // lower-case, ':' separated
  auto operator<=>(const MacAddress&) const = default;
};

}  // namespace nfsroot
