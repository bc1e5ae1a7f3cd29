// IPv4 + UDP header encoding and checked parsing; every read is bounded by the received length.
#include "net/udp_frame.h"

#include <algorithm>
#include <string>

#include "base/cat.h"
#include "base/network_order.h"

namespace nfsroot {

namespace {

constexpr std::size_t kIpv4MinimumHeader = 20;
constexpr std::size_t kUdpHeader = 8;
constexpr std::size_t kIpv4MaximumPacket = 65535;
constexpr std::uint8_t kProtocolUdp = 17;
constexpr std::uint8_t kDefaultTtl = 64;  // Linux's net.ipv4.ip_default_ttl
constexpr std::uint16_t kMoreFragments = 0x2000;
constexpr std::uint16_t kFragmentOffsetMask = 0x1fff;

void store16(std::span<std::byte> bytes, std::size_t at, std::uint16_t value) {
  bytes[at] = static_cast<std::byte>(value >> 8);
  bytes[at + 1] = static_cast<std::byte>(value & 0xff);
}

void store32(std::span<std::byte> bytes, std::size_t at, std::uint32_t value) {
  store16(bytes, at, static_cast<std::uint16_t>(value >> 16));
  store16(bytes, at + 2, static_cast<std::uint16_t>(value & 0xffff));
}

// RFC 1071: the 16-bit one's complement sum, folded; an odd last byte is padded with zero.
std::uint32_t add_to_sum(std::uint32_t sum, std::span<const std::byte> bytes) {
  std::size_t i = 0;
  for (; i + 1 < bytes.size(); i += 2) sum += load_be16(bytes, i);
  if (i < bytes.size()) sum += std::to_integer<std::uint32_t>(bytes[i]) << 8;
  return sum;
}

std::uint16_t fold(std::uint32_t sum) {
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(sum);
}

// RFC 768: the UDP sum covers a pseudo-header (addresses, protocol, UDP length) and the datagram.
std::uint32_t udp_pseudo_header_sum(Ipv4Address source, Ipv4Address destination, std::size_t udp_length) {
  return (source.value >> 16) + (source.value & 0xffff) + (destination.value >> 16) + (destination.value & 0xffff) +
         kProtocolUdp + static_cast<std::uint32_t>(udp_length);
}

Error frame_error(std::string problem) {
  return error_with_problem("parse IPv4/UDP frame", {}, problem);
}

}  // namespace

Result<UdpDatagram> parse_udp_frame(std::span<const std::byte> frame, UdpChecksum checksum) {
  const std::size_t received = frame.size();
  if (received < kIpv4MinimumHeader) {
    return std::unexpected(frame_error(cat(received, " bytes, shorter than an IPv4 header (20)")));
  }
  const unsigned version = std::to_integer<unsigned>(frame[0]) >> 4;
  if (version != 4) return std::unexpected(frame_error(cat("IP version ", version, ", not 4")));
  const std::size_t header_length = (std::to_integer<std::size_t>(frame[0]) & 0x0f) * 4;
  if (header_length < kIpv4MinimumHeader) {
    return std::unexpected(frame_error(cat("IPv4 header length ", header_length, " is below 20")));
  }
  if (header_length > received) {
    return std::unexpected(
        frame_error(cat("IPv4 header length ", header_length, " is past the ", received, " bytes received")));
  }
  // A correct header sums to 0xffff, its checksum field included (RFC 791, RFC 1071).
  if (fold(add_to_sum(0, frame.first(header_length))) != 0xffff) {
    return std::unexpected(frame_error("bad IPv4 header checksum"));
  }
  const std::size_t total_length = load_be16(frame, 2);
  if (total_length < header_length || total_length > received) {
    return std::unexpected(frame_error(cat("IPv4 total length ", total_length, " does not fit header ",
                                           header_length, " and ", received, " bytes received")));
  }
  const std::uint8_t protocol = std::to_integer<std::uint8_t>(frame[9]);
  if (protocol != kProtocolUdp) {
    return std::unexpected(frame_error(cat("IP protocol ", protocol, ", not UDP (17)")));
  }
  const std::uint16_t fragment = load_be16(frame, 6);
  if ((fragment & (kMoreFragments | kFragmentOffsetMask)) != 0) {
    return std::unexpected(frame_error(cat("an IPv4 fragment (offset ", (fragment & kFragmentOffsetMask) * 8,
                                           (fragment & kMoreFragments) != 0 ? ", more fragments" : "",
                                           "); fragments are not reassembled")));
  }
  const auto packet = frame.first(total_length);  // what follows is Ethernet padding
  const auto udp = packet.subspan(header_length);
  if (udp.size() < kUdpHeader) {
    return std::unexpected(frame_error(cat("UDP header cut short: ", udp.size(), " bytes")));
  }
  const std::size_t udp_length = load_be16(udp, 4);
  if (udp_length < kUdpHeader || udp_length > udp.size()) {
    return std::unexpected(
        frame_error(cat("UDP length ", udp_length, " does not fit the ", udp.size(), " bytes the IPv4 packet holds")));
  }
  UdpDatagram datagram;
  datagram.source = Ipv4Address{load_be32(frame, 12)};
  datagram.destination = Ipv4Address{load_be32(frame, 16)};
  datagram.source_port = load_be16(udp, 0);
  datagram.destination_port = load_be16(udp, 2);
  const auto datagram_bytes = udp.first(udp_length);
  if (checksum == UdpChecksum::Verify && load_be16(udp, 6) != 0) {
    const std::uint32_t sum =
        add_to_sum(udp_pseudo_header_sum(datagram.source, datagram.destination, udp_length), datagram_bytes);
    if (fold(sum) != 0xffff) return std::unexpected(frame_error("bad UDP checksum"));
  }
  datagram.payload = datagram_bytes.subspan(kUdpHeader);
  return datagram;
}

std::vector<std::byte> build_udp_frame(Ipv4Address source, Ipv4Address destination, std::uint16_t source_port,
                                       std::uint16_t destination_port, std::span<const std::byte> payload) {
  payload = payload.first(std::min(payload.size(), kIpv4MaximumPacket - kIpv4MinimumHeader - kUdpHeader));
  const std::size_t udp_length = kUdpHeader + payload.size();
  const std::size_t total_length = kIpv4MinimumHeader + udp_length;
  std::vector<std::byte> frame(total_length);
  const std::span<std::byte> bytes(frame);
  bytes[0] = std::byte{0x45};  // version 4, IHL 5: no options
  store16(bytes, 2, static_cast<std::uint16_t>(total_length));
  bytes[8] = std::byte{kDefaultTtl};
  bytes[9] = std::byte{kProtocolUdp};
  store32(bytes, 12, source.value);
  store32(bytes, 16, destination.value);
  store16(bytes, 10, static_cast<std::uint16_t>(~fold(add_to_sum(0, bytes.first(kIpv4MinimumHeader)))));

  const auto udp = bytes.subspan(kIpv4MinimumHeader);
  store16(udp, 0, source_port);
  store16(udp, 2, destination_port);
  store16(udp, 4, static_cast<std::uint16_t>(udp_length));
  std::copy(payload.begin(), payload.end(), udp.begin() + kUdpHeader);
  std::uint16_t udp_checksum =
      static_cast<std::uint16_t>(~fold(add_to_sum(udp_pseudo_header_sum(source, destination, udp_length), udp)));
  if (udp_checksum == 0) udp_checksum = 0xffff;  // RFC 768: a computed 0 is sent as all ones
  store16(udp, 6, udp_checksum);
  return frame;
}

}  // namespace nfsroot
