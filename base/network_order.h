// Loads of big-endian (network order) fields from received bytes: the DHCP, DHCPv6 and IP/UDP
// codecs share them. Callers check the bounds first; these only assemble the bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace nfsroot {

[[nodiscard]] inline std::uint8_t byte_at(std::span<const std::byte> bytes, std::size_t at) {
  return std::to_integer<std::uint8_t>(bytes[at]);
}

[[nodiscard]] inline std::uint16_t load_be16(std::span<const std::byte> bytes, std::size_t at) {
  return static_cast<std::uint16_t>((byte_at(bytes, at) << 8) | byte_at(bytes, at + 1));
}

[[nodiscard]] inline std::uint32_t load_be32(std::span<const std::byte> bytes, std::size_t at) {
  return (std::uint32_t{load_be16(bytes, at)} << 16) | load_be16(bytes, at + 2);
}

}  // namespace nfsroot
