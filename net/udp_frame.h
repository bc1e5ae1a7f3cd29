// IPv4 + UDP headers around a DHCP payload, for the AF_PACKET/SOCK_DGRAM socket (the frame
// starts at the IPv4 header: the kernel adds and strips the Ethernet header).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/error.h"
#include "base/ipv4.h"

namespace nfsroot {

struct UdpDatagram {
  Ipv4Address source;
  Ipv4Address destination;
  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
  std::span<const std::byte> payload;  // points into the frame given to parse_udp_frame()
};

// Skip: the kernel reported TP_STATUS_CSUMNOTREADY (checksum offload on a veth or virtio
// link): the UDP checksum field holds only the pseudo-header sum and cannot be verified.
enum class UdpChecksum : std::uint8_t { Verify, Skip };

// Checks, in order, and says which failed: at least 20 bytes; version 4; IHL >= 5 and within
// the frame; the header checksum (RFC 791); total length >= IHL and <= the bytes received
// (bytes after it are link-layer padding and are ignored); protocol 17; not a fragment (MF or
// an offset: the client never reassembles, and a DHCP reply fits in one frame); the UDP header
// within the packet; UDP length >= 8 and <= what the IP packet holds (a shorter one is
// trimmed to, as Linux udp_rcv() does); the UDP checksum unless it is 0 (RFC 768: "no
// checksum") or `checksum` is Skip.
[[nodiscard]] Result<UdpDatagram> parse_udp_frame(std::span<const std::byte> frame,
                                                  UdpChecksum checksum = UdpChecksum::Verify);

// TTL 64, DF unset, identification 0, no options; both checksums filled in. A payload longer
// than an IPv4 packet can hold (65507 bytes) is cut there; DHCP messages are a few hundred.
[[nodiscard]] std::vector<std::byte> build_udp_frame(Ipv4Address source, Ipv4Address destination,
                                                     std::uint16_t source_port, std::uint16_t destination_port,
                                                     std::span<const std::byte> payload);

inline constexpr std::uint16_t kDhcpServerPort = 67;
inline constexpr std::uint16_t kDhcpClientPort = 68;

}  // namespace nfsroot
