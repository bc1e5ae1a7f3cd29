// IPv4 + UDP frames for the packet socket: a captured dnsmasq NAK, our own frames, and every
// reason a frame is refused.
#include "net/udp_frame.h"

#include <catch2/catch.hpp>

#include <string>

using namespace nfsroot;

namespace {

Ipv4Address ip4(const char* text) { return *Ipv4Address::parse(text); }

std::vector<std::byte> from_hex(std::string_view hex) {
  std::vector<std::byte> bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes.push_back(static_cast<std::byte>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return bytes;
}

std::vector<std::byte> text_bytes(std::string_view text) {
  std::vector<std::byte> bytes;
  for (const char c : text) bytes.push_back(static_cast<std::byte>(c));
  return bytes;
}

unsigned at(const std::vector<std::byte>& bytes, std::size_t i) { return std::to_integer<unsigned>(bytes[i]); }

void put16(std::vector<std::byte>& bytes, std::size_t i, unsigned value) {
  bytes[i] = static_cast<std::byte>(value >> 8);
  bytes[i + 1] = static_cast<std::byte>(value & 0xff);
}

// Recomputes the IPv4 header checksum after a test changed the header, so that the check
// under test is the one that fails.
void fix_ip_checksum(std::vector<std::byte>& frame) {
  const std::size_t header_length = (at(frame, 0) & 0x0f) * 4;
  put16(frame, 10, 0);
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < header_length && i + 1 < frame.size(); i += 2) sum += (at(frame, i) << 8) | at(frame, i + 1);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  put16(frame, 10, ~sum & 0xffff);
}

// A NAK captured from dnsmasq 2.90 over a veth pair with checksum offload off:
// 45 c0 0148 (328 bytes) 6ea1 0000 (no fragment) 40 (TTL 64) 11 (UDP) fe42 (checksum)
// 0a000202 (10.0.2.2) ffffffff (broadcast) | 0043 0044 (67 -> 68) 0134 (308) 5e75 (checksum) |
// BOOTREPLY xid 5e6f7081 flags 8000 chaddr 52:54:00:12:34:56 | cookie; 53=6 NAK;
// 54=10.0.2.2; 56="address not available"; END; zero padding.
const std::string kDnsmasqNak =
    "45c001486ea100004011fe420a000202ffffffff0043004401345e7502010600"
    "5e6f708100008000000000000000000000000000000000005254001234560000" + std::string(6 * 64, '0') +
    "00000000000000006382536335010636040a000202381561646472657373206e"
    "6f7420617661696c61626c65ff00000000000000000000000000000000000000"
    "0000000000000000";

}  // namespace

TEST_CASE("udp frame: a captured dnsmasq NAK parses, checksums verified", "[udp_frame]") {
  const auto frame = from_hex(kDnsmasqNak);
  REQUIRE(frame.size() == 328);
  const auto datagram = parse_udp_frame(frame);
  REQUIRE(datagram);
  CHECK(datagram->source == ip4("10.0.2.2"));
  CHECK(datagram->destination == ip4("255.255.255.255"));
  CHECK(datagram->source_port == kDhcpServerPort);
  CHECK(datagram->destination_port == kDhcpClientPort);
  CHECK(datagram->payload.size() == 300);
  CHECK(datagram->payload.data() == frame.data() + 28);  // a view into the frame, not a copy
}

TEST_CASE("udp frame: with checksum offload the UDP sum is not filled in; Skip accepts it", "[udp_frame]") {
  // The same NAK as captured with offload on (TP_STATUS_CSUMNOTREADY): only the
  // pseudo-header sum 0d47 is in the field.
  auto frame = from_hex(kDnsmasqNak);
  put16(frame, 26, 0x0d47);
  const auto verified = parse_udp_frame(frame, UdpChecksum::Verify);
  REQUIRE_FALSE(verified);
  CHECK(verified.error().problem == "bad UDP checksum");
  CHECK(parse_udp_frame(frame, UdpChecksum::Skip));
  // RFC 768: 0 means the sender computed none.
  put16(frame, 26, 0);
  CHECK(parse_udp_frame(frame, UdpChecksum::Verify));
}

TEST_CASE("udp frame: our frame, byte for byte, and back", "[udp_frame]") {
  const auto payload = text_bytes("abc");  // odd length: the checksum pads with a zero byte
  const auto frame = build_udp_frame(Ipv4Address{}, ip4("255.255.255.255"), 68, 67, payload);
  // 45 00 001f (31 bytes) 0000 0000 (id 0, DF unset) 40 (TTL 64) 11 (UDP) 7acf (checksum)
  // 00000000 -> ffffffff | 0044 0043 (68 -> 67) 000b (11) 3aef | "abc" (checksums from a separate RFC 1071 computation)
  CHECK(frame == from_hex("4500001f0000000040117acf00000000ffffffff00440043000b3aef616263"));
  const auto datagram = parse_udp_frame(frame);
  REQUIRE(datagram);
  CHECK(datagram->source.is_unspecified());
  CHECK(datagram->destination == ip4("255.255.255.255"));
  CHECK(datagram->source_port == 68);
  CHECK(datagram->destination_port == 67);
  CHECK(std::vector<std::byte>(datagram->payload.begin(), datagram->payload.end()) == payload);

  for (std::size_t size : {0u, 1u, 300u, 1472u}) {
    const std::vector<std::byte> data(size, std::byte{0xa5});
    const auto round = parse_udp_frame(build_udp_frame(ip4("10.0.2.15"), ip4("10.0.2.2"), 1234, 4321, data));
    REQUIRE(round);
    CHECK(round->payload.size() == size);
  }
}

TEST_CASE("udp frame: a UDP checksum that computes to 0 is sent as ffff (RFC 768)", "[udp_frame]") {
  // Two payload bytes can make the sum anything: find the value that makes it 0.
  bool found = false;
  bool sent_zero = false;
  for (unsigned value = 0; value <= 0xffff; ++value) {
    const std::vector<std::byte> payload{static_cast<std::byte>(value >> 8), static_cast<std::byte>(value & 0xff)};
    const auto frame = build_udp_frame(ip4("10.0.2.15"), ip4("10.0.2.2"), 68, 67, payload);
    if (at(frame, 26) == 0xff && at(frame, 27) == 0xff && !found) {
      found = true;
      CHECK(parse_udp_frame(frame));
    }
    sent_zero = sent_zero || (at(frame, 26) == 0 && at(frame, 27) == 0);
  }
  CHECK(found);
  CHECK_FALSE(sent_zero);
}

TEST_CASE("udp frame: cut short anywhere, it is refused", "[udp_frame]") {
  const auto frame = from_hex(kDnsmasqNak);
  for (std::size_t length = 0; length < frame.size(); ++length) {
    INFO("length " << length);
    CHECK_FALSE(parse_udp_frame(std::span(frame).first(length)));
  }
}

TEST_CASE("udp frame: link-layer padding after the IP packet is ignored; a short UDP length trims", "[udp_frame]") {
  const auto payload = text_bytes("hello");
  auto frame = build_udp_frame(ip4("10.0.2.2"), ip4("10.0.2.15"), 67, 68, payload);
  frame.resize(60, std::byte{0xee});  // Ethernet pads to its 60-byte minimum
  auto datagram = parse_udp_frame(frame);
  REQUIRE(datagram);
  CHECK(datagram->payload.size() == 5);

  put16(frame, 24, 8 + 3);  // UDP says 3 bytes of data; the IP packet holds 5 (Linux trims)
  put16(frame, 26, 0);
  datagram = parse_udp_frame(frame);
  REQUIRE(datagram);
  CHECK(datagram->payload.size() == 3);
}

TEST_CASE("udp frame: each malformed header is refused with what was wrong", "[udp_frame]") {
  struct Case {
    const char* name;
    void (*change)(std::vector<std::byte>&);
    bool fix_checksum;
    const char* problem;
  };
  const Case cases[] = {
      {"IPv6", [](auto& f) { f[0] = std::byte{0x65}; }, true, "IP version 6, not 4"},
      {"IHL 4", [](auto& f) { f[0] = std::byte{0x44}; }, false, "IPv4 header length 16 is below 20"},
      {"IHL past the frame", [](auto& f) { f.resize(40); f[0] = std::byte{0x4f}; }, false,
       "IPv4 header length 60 is past the 40 bytes received"},
      {"header checksum", [](auto& f) { f[8] = std::byte{63}; }, false, "bad IPv4 header checksum"},
      {"total length past the frame", [](auto& f) { put16(f, 2, 329); }, true,
       "IPv4 total length 329 does not fit header 20 and 328 bytes received"},
      {"total length below the header", [](auto& f) { put16(f, 2, 19); }, true, "IPv4 total length 19 does not fit"},
      {"TCP", [](auto& f) { f[9] = std::byte{6}; }, true, "IP protocol 6, not UDP (17)"},
      {"more fragments", [](auto& f) { put16(f, 6, 0x2000); }, true,
       "an IPv4 fragment (offset 0, more fragments); fragments are not reassembled"},
      {"a later fragment", [](auto& f) { put16(f, 6, 0x00b9); }, true,
       "an IPv4 fragment (offset 1480); fragments are not reassembled"},
      {"UDP header cut", [](auto& f) { put16(f, 2, 24); }, true, "UDP header cut short: 4 bytes"},
      {"UDP length below 8", [](auto& f) { put16(f, 24, 7); }, true, "UDP length 7 does not fit"},
      {"UDP length past the packet", [](auto& f) { put16(f, 24, 309); }, true,
       "UDP length 309 does not fit the 308 bytes the IPv4 packet holds"},
      {"UDP checksum", [](auto& f) { f[100] = std::byte{1}; }, false, "bad UDP checksum"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    auto frame = from_hex(kDnsmasqNak);
    c.change(frame);
    if (c.fix_checksum) fix_ip_checksum(frame);
    const auto datagram = parse_udp_frame(frame);
    REQUIRE_FALSE(datagram);
    CHECK(datagram.error().operation == "parse IPv4/UDP frame");
    CHECK(datagram.error().problem.find(c.problem) != std::string::npos);
  }
  // The DF flag alone is not a fragment.
  auto frame = from_hex(kDnsmasqNak);
  put16(frame, 6, 0x4000);
  fix_ip_checksum(frame);
  CHECK(parse_udp_frame(frame));
}
