// The rtnetlink codec (net/rtnetlink.h): each request against the bytes libnl 3.7 sent for the
// same call (captured with strace -xx of a libnl program in a network namespace), and the parser
// against replies the kernel (6.1) sent there, then every reason a reply is refused.
#include "net/rtnetlink.h"

#include <catch2/catch.hpp>

#include <array>
#include <cstring>
#include <string>
#include <vector>

using namespace nfsroot;
using namespace nfsroot::rtnetlink;

namespace {

Ipv4Address ip4(const char* text) { return *Ipv4Address::parse(text); }

std::vector<std::byte> from_hex(std::string_view hex) {
  std::vector<std::byte> bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes.push_back(static_cast<std::byte>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return bytes;
}

std::string to_hex(std::span<const std::byte> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (const auto b : bytes) {
    hex += kDigits[std::to_integer<unsigned>(b) >> 4];
    hex += kDigits[std::to_integer<unsigned>(b) & 0xf];
  }
  return hex;
}

// The golden bytes are little-endian (x86-64, where they were captured); netlink is host-endian.
bool little_endian() {
  const std::uint16_t one = 1;
  std::uint8_t first = 0;
  std::memcpy(&first, &one, 1);
  return first == 1;
}

template <class Build>
std::string built(Build build) {
  std::array<std::byte, kMaxRequestSize> buffer{};
  const auto length = build(std::span(buffer));
  REQUIRE(length);
  return to_hex(std::span(buffer).first(*length));
}

LinkInfo eth0() {
  LinkInfo link;
  link.index = 3;
  link.name = "eth0";
  link.flags = 0x1002;  // IFF_BROADCAST | IFF_MULTICAST
  link.mtu = 1500;
  link.ethernet = true;
  return link;
}

// The kernel's RTM_NEWLINK for a veth named eth0 (a dump part, 1496 bytes; only the fields we
// read decoded):
//   nlmsghdr  d8050000 len 1496 | 1000 RTM_NEWLINK | 0200 NLM_F_MULTI | 07000000 seq 7 | ba0f0000 port
//   ifinfomsg 00 AF_UNSPEC 00 | 0100 ARPHRD_ETHER | 03000000 index 3 | 02100000 IFF_BROADCAST|IFF_MULTICAST | 00000000
//   0900 0300 "eth0\0" (+3 padding) IFLA_IFNAME ... 0800 0400 78050000 IFLA_MTU 1400 ...
//   0a00 0100 525400123456 (+2) IFLA_ADDRESS ... 0a00 0200 ffffffffffff IFLA_BROADCAST ...
//   then IFLA_STATS64, IFLA_AF_SPEC and the other attributes a link dump carries.
const char* const kEth0Dump =
    "d80500001000020007000000ba0f00000000010003000000021000000000000009000300657468300000000008000d00"
    "e80300000500100002000000050011000000000005004300000000000800040078050000080032004400000008003300"
    "ffff000008001b000000000008001e000000000008003d000000000008001f000200000008002800ffff000008002900"
    "0000010008003a000000010008003f0000000100080040000000010008003b00f8ff070008003c00ffff000008004200"
    "0000000008002000020000000500210000000000080023000300000008002f0001000000080030000200000006004400"
    "00000000060045000000000005002700000000000a00010052540012345600000a000200ffffffffffff0000cc001700"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000064000700000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000c002b000500020000000000100012000900010076657468000000000800050002000000"
    "0c0006006e6f71756575650030031a008c00020088000100000000000000000000000000010000000100000001000000"
    "010000000000000001000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000010270000e80300000000000000000000"
    "000000000000000001000000a0020a00080001000000000014000500ffff00005ced0700dc5e0000e8030000f4000200"
    "00000000400000007805000001000000010000000100000001000000ffffffffa00f0000e803000000000000803a0900"
    "805101000300000058020000100000000000000001000000010000000100000060ea0000000000000000000000000000"
    "00000000000000000000000001000000000000000000000010270000e803000001000000000000000000000001000000"
    "0000000000000000010000000000000000000000000000000000000080ee360000000000000000000100000000000000"
    "000000000000000000000000000000000004000000000000ffff0000ffffffff01000000000000000000000000000000"
    "340103002600000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "00000000000000000000000000000000000000003c000600070000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000014000700000000000000000000000000"
    "00000000050008000000000024000e000000000000000000000000000000000000000000000000000000000000000000"
    "04003e8004004180";

}  // namespace

TEST_CASE("requests are the bytes libnl sent for the same call", "[rtnetlink]") {
  if (!little_endian()) {
    WARN("golden bytes captured on a little-endian host");
    return;
  }

  // nlmsghdr len 40, RTM_GETLINK (18), NLM_F_REQUEST|NLM_F_ACK|NLM_F_DUMP (0x305), seq 7, port 0 |
  // ifinfomsg AF_UNSPEC, all zero | IFLA_EXT_MASK (29) len 8 = RTEXT_FILTER_VF (1)
  CHECK(built([](auto b) { return build_list_links(b, 7); }) ==
        "28000000" "1200" "0503" "07000000" "00000000"
        "00000000" "00000000" "00000000" "00000000"
        "0800" "1d00" "01000000");

  // len 32, RTM_NEWLINK (16), NLM_F_REQUEST|NLM_F_ACK | ifinfomsg index 3, flags 0x1003 (the
  // link's flags with IFF_UP), change IFF_UP | no attributes
  CHECK(built([](auto b) { return build_set_link_up(b, 8, eth0(), true); }) ==
        "20000000" "1000" "0500" "08000000" "00000000"
        "00000000" "03000000" "03100000" "01000000");
  // ... and down: the flags without IFF_UP, change IFF_UP
  LinkInfo up = eth0();
  up.flags |= 0x10041;  // IFF_UP | IFF_RUNNING | IFF_LOWER_UP
  CHECK(built([&](auto b) { return build_set_link_up(b, 9, up, false); }) ==
        "20000000" "1000" "0500" "09000000" "00000000"
        "00000000" "03000000" "42100100" "01000000");

  // len 40, RTM_NEWLINK | ifinfomsg index 3, no flag change | IFLA_MTU (4) = 1400
  CHECK(built([](auto b) { return build_set_mtu(b, 10, eth0(), 1400); }) ==
        "28000000" "1000" "0500" "0a000000" "00000000"
        "00000000" "03000000" "00000000" "00000000"
        "0800" "0400" "78050000");

  // len 48, RTM_NEWADDR (20), NLM_F_REQUEST|NLM_F_ACK|NLM_F_CREATE (0x405) |
  // ifaddrmsg AF_INET, /24, flags 0, scope universe, index 3 |
  // IFA_LOCAL (2) 10.0.2.15 | IFA_ADDRESS (1) 10.0.2.15 | IFA_BROADCAST (4) 10.0.2.255
  CHECK(built([](auto b) { return build_add_address(b, 11, 3, ip4("10.0.2.15"), 24, ip4("10.0.2.255")); }) ==
        "30000000" "1400" "0504" "0b000000" "00000000"
        "02180000" "03000000"
        "0800" "0200" "0a00020f" "0800" "0100" "0a00020f" "0800" "0400" "0a0002ff");

  // len 60, RTM_NEWROUTE (24), NLM_F_REQUEST|NLM_F_ACK|NLM_F_CREATE |
  // rtmsg AF_INET, dst_len 0, src_len 0, tos 0, table main (254), protocol boot (3), scope
  // universe, type unicast, flags 0 | RTA_TABLE (15) 254 | RTA_DST (1) 0.0.0.0 |
  // RTA_GATEWAY (5) 10.0.2.2 | RTA_OIF (4) 3
  CHECK(built([](auto b) { return build_add_default_route(b, 12, 3, ip4("10.0.2.2")); }) ==
        "3c000000" "1800" "0504" "0c000000" "00000000"
        "02000000" "fe030001" "00000000"
        "0800" "0f00" "fe000000" "0800" "0100" "00000000" "0800" "0500" "0a000202" "0800" "0400" "03000000");
}

TEST_CASE("a VLAN, a bond and a slave joining it: the bytes iproute2 sends for them", "[rtnetlink]") {
  if (!little_endian()) {
    WARN("golden bytes captured on a little-endian host");
    return;
  }
  // strace -xx of `ip link add link dummy0 name dummy0.5 type vlan id 5` (iproute2 6.1), dummy0
  // being link 3: len 80, RTM_NEWLINK, NLM_F_REQUEST|NLM_F_ACK|NLM_F_EXCL|NLM_F_CREATE (0x605) |
  // ifinfomsg all zero | IFLA_LINK (5) 3 | IFLA_IFNAME (3) "dummy0.5\0", padded |
  // IFLA_LINKINFO (18) { IFLA_INFO_KIND (1) "vlan" | IFLA_INFO_DATA (2) { IFLA_VLAN_ID (1) 5 } }
  CHECK(built([](auto b) { return build_add_vlan(b, 13, 3, "dummy0.5", 5); }) ==
        "50000000" "1000" "0506" "0d000000" "00000000"
        "00000000" "00000000" "00000000" "00000000"
        "0800" "0500" "03000000"
        "0d00" "0300" "64756d6d79302e3500" "000000"
        "1800" "1200" "0800" "0100" "766c616e" "0c00" "0200" "0600" "0100" "0500" "0000");
  // `ip link add bond0 type bond`: len 56 | ifinfomsg all zero | IFLA_IFNAME "bond0\0", padded |
  // IFLA_LINKINFO { IFLA_INFO_KIND "bond" }
  CHECK(built([](auto b) { return build_add_bond(b, 14, "bond0"); }) ==
        "38000000" "1000" "0506" "0e000000" "00000000"
        "00000000" "00000000" "00000000" "00000000"
        "0a00" "0300" "626f6e643000" "0000"
        "0c00" "1200" "0800" "0100" "626f6e64");
  // `ip link set dummy0 master br9`, dummy0 being link 3 and br9 link 4: len 40, RTM_NEWLINK,
  // NLM_F_REQUEST|NLM_F_ACK | ifinfomsg index 3 | IFLA_MASTER (10) 4
  CHECK(built([](auto b) { return build_set_master(b, 15, eth0(), 4); }) ==
        "28000000" "1000" "0500" "0f000000" "00000000"
        "00000000" "03000000" "00000000" "00000000"
        "0800" "0a00" "04000000");
  // The longest name fits kMaxRequestSize; what the kernel would refuse is refused here.
  std::array<std::byte, kMaxRequestSize> buffer{};
  CHECK(build_add_vlan(buffer, 1, 2, "enp0s31f6.4094", 4094));
  CHECK_FALSE(build_add_vlan(buffer, 1, 2, "", 5));
  CHECK_FALSE(build_add_vlan(buffer, 1, 2, "abcdefghijklmnop", 5));
  CHECK_FALSE(build_add_vlan(buffer, 1, 2, "eth0.0", 0));
  CHECK_FALSE(build_add_vlan(buffer, 1, 2, "eth0.4095", 4095));
  CHECK_FALSE(build_add_bond(buffer, 1, "bond0123456789ab"));
}

TEST_CASE("an IPv6 address and default route: the bytes iproute2 sends, but for NLM_F_EXCL", "[rtnetlink]") {
  if (!little_endian()) {
    WARN("golden bytes captured on a little-endian host");
    return;
  }
  const auto ip6 = [](std::string_view text) { return *nfsroot::Ipv6Address::parse(text); };
  // strace -xx -e write=3 of `ip -6 addr add fd00::2/64 dev d0` (iproute2 6.1), d0 being link 3:
  // len 64, RTM_NEWADDR, NLM_F_REQUEST|NLM_F_ACK|NLM_F_CREATE (iproute2 adds NLM_F_EXCL, 0x605) |
  // ifaddrmsg AF_INET6 (10), /64, flags 0, scope 0, index 3 | IFA_LOCAL (2) fd00::2 |
  // IFA_ADDRESS (1) fd00::2
  CHECK(built([&](auto b) { return build_add_address6(b, 16, 3, ip6("fd00::2"), 64); }) ==
        "40000000" "1400" "0504" "10000000" "00000000"
        "0a400000" "03000000"
        "1400" "0200" "fd000000000000000000000000000002" "1400" "0100" "fd000000000000000000000000000002");
  // `ip -6 route add default via fd00::1 dev d0`: len 76, RTM_NEWROUTE | rtmsg AF_INET6, dst_len 0,
  // table main, protocol boot, scope universe, type unicast | RTA_DST (1) :: | RTA_GATEWAY (5)
  // fd00::1 | RTA_OIF (4) 3
  CHECK(built([&](auto b) { return build_add_default_route6(b, 17, 3, ip6("fd00::1")); }) ==
        "4c000000" "1800" "0504" "11000000" "00000000"
        "0a000000" "fe030001" "00000000"
        "1400" "0100" "00000000000000000000000000000000" "1400" "0500" "fd000000000000000000000000000001"
        "0800" "0400" "03000000");
  std::array<std::byte, kMaxRequestSize> buffer{};
  CHECK(build_add_address6(buffer, 1, 3, ip6("fe80::1"), 128));
  CHECK_FALSE(build_add_address6(buffer, 1, 3, ip6("fd00::2"), 129));
  CHECK_FALSE(build_add_address6(buffer, 1, 3, ip6("fd00::2"), -1));
  std::array<std::byte, 75> short_buffer{};
  CHECK_FALSE(build_add_default_route6(short_buffer, 1, 3, ip6("fd00::1")));
}

TEST_CASE("a loopback address gets host scope, as libnl guessed it", "[rtnetlink]") {
  std::array<std::byte, kMaxRequestSize> buffer{};
  REQUIRE(build_add_address(buffer, 1, 1, ip4("127.0.0.2"), 8, ip4("127.255.255.255")));
  CHECK(std::to_integer<unsigned>(buffer[16 + 3]) == 254);  // RT_SCOPE_HOST
}

TEST_CASE("RTM_SETLINK replaces RTM_NEWLINK for the old kernels' retry", "[rtnetlink]") {
  std::array<std::byte, kMaxRequestSize> buffer{};
  const auto length = build_set_mtu(buffer, 1, eth0(), 9000);
  REQUIRE(length);
  change_to_setlink(std::span(buffer).first(*length));
  CHECK(std::to_integer<unsigned>(buffer[4]) == 19);  // RTM_SETLINK
  const auto parsed = parse_messages(std::span(buffer).first(*length));
  REQUIRE(parsed);
  CHECK(parsed->at(0).kind == Message::Kind::Other);
}

TEST_CASE("a buffer too small for a request is an error, and nothing is written past it", "[rtnetlink]") {
  for (std::size_t size = 0; size < 60; ++size) {
    std::vector<std::byte> buffer(size + 8, std::byte{0xee});
    const auto length = build_add_default_route(std::span(buffer).first(size), 1, 3, ip4("10.0.2.2"));
    INFO(size);
    CHECK_FALSE(length);
    for (std::size_t i = size; i < buffer.size(); ++i) CHECK(buffer[i] == std::byte{0xee});
  }
  std::array<std::byte, 60> exact{};
  CHECK(build_add_default_route(exact, 1, 3, ip4("10.0.2.2")) == 60u);
  std::array<std::byte, 64> out{};
  CHECK_FALSE(build_add_address(out, 1, 3, ip4("10.0.2.15"), 33, ip4("10.0.2.255")));
}

TEST_CASE("IPv6 addresses from the kernel's dump: tentative, done, link-local", "[rtnetlink]") {
  if (!little_endian()) {
    WARN("golden bytes captured on a little-endian host");
    return;
  }
  // `ip -6 addr` asks: len 24, RTM_GETADDR (22), NLM_F_REQUEST|NLM_F_ACK|NLM_F_DUMP | ifaddrmsg AF_INET6
  CHECK(built([](auto b) { return build_list_addresses6(b, 7); }) ==
        "18000000" "1600" "0503" "07000000" "00000000" "0a000000" "00000000");
  // Linux 6.1's answers to that dump on a veth, link 3 (a raw netlink socket in a namespace):
  // fd00::2/64 right after `ip -6 addr add` (IFA_F_PERMANENT | IFA_F_TENTATIVE, 0xc0), the same
  // once duplicate address detection is done (0x80), and the link-local address (scope link,
  // 253) that also carries IFA_PROTO (11). Each: ifaddrmsg, IFA_ADDRESS, IFA_CACHEINFO, IFA_FLAGS.
  const auto datagram = from_hex(
      "480000001400020007000000f04e00000a40c0000300000014000100fd00000000000000000000000000000214000600ffffffff"
      "ffffffff182d0800182d080008000800c0000000"
      "480000001400020007000000ab4e00000a4080000300000014000100fd00000000000000000000000000000214000600ffffffff"
      "ffffffff4d2808004d2808000800080080000000"
      "500000001400020007000000ab4e00000a4080fd0300000014000100fe800000000000004c4aa9fffee4f87214000600ffffffff"
      "ffffffff4b2808004b280800080008008000000005000b0003000000");
  const auto parsed = parse_messages(datagram);
  REQUIRE(parsed);
  REQUIRE(parsed->size() == 3);
  for (const auto& message : *parsed) {
    CHECK(message.kind == Message::Kind::Address6);
    CHECK(message.address6.link_index == 3);
    CHECK(message.address6.prefix_length == 64);
  }
  const auto& tentative = parsed->at(0).address6;
  CHECK(tentative.address.to_string() == "fd00::2");
  CHECK(tentative.tentative());
  CHECK_FALSE(tentative.dad_failed());
  CHECK(tentative.global());
  CHECK_FALSE(parsed->at(1).address6.tentative());
  const auto& link_local = parsed->at(2).address6;
  CHECK(link_local.address.to_string() == "fe80::4c4a:a9ff:fee4:f872");
  CHECK_FALSE(link_local.global());
  // An IPv4 address is not read; an IPv6 one with a short address or past its message is refused.
  const auto ipv4 = parse_messages(from_hex("200000001400020007000000000000000218800003000000" "08000100" "0a00020f"));
  REQUIRE(ipv4);
  CHECK(ipv4->at(0).kind == Message::Kind::Other);
  CHECK_FALSE(parse_messages(from_hex("240000001400020007000000000000000a40800003000000" "0c000100" "fd00000000000000")));
  CHECK_FALSE(parse_messages(from_hex("180000001400020007000000000000000a40800003000000")));  // no address at all
  CHECK_FALSE(parse_messages(from_hex("180000001400020007000000000000000a81800003000000")));  // /129
}

TEST_CASE("the kernel's link dump, its end, an ack and a refusal", "[rtnetlink]") {
  if (!little_endian()) {
    WARN("golden bytes captured on a little-endian host");
    return;
  }
  const auto dump = from_hex(kEth0Dump);
  REQUIRE(dump.size() == 1496);
  const auto links = parse_messages(dump);
  REQUIRE(links);
  REQUIRE(links->size() == 1);
  const Message& message = links->front();
  CHECK(message.kind == Message::Kind::Link);
  CHECK(message.sequence == 7);
  CHECK(message.flags == 0x2);  // NLM_F_MULTI
  CHECK(message.link.index == 3);
  CHECK(message.link.name == "eth0");
  CHECK(message.link.mtu == 1400);
  CHECK(message.link.flags == 0x1002);
  REQUIRE(message.link.mac);
  CHECK(message.link.mac->to_string() == "52:54:00:12:34:56");
  CHECK(message.link.ethernet);

  // NLMSG_DONE (3), NLM_F_MULTI, seq 7, error 0
  const auto done = parse_messages(from_hex("14000000" "0300" "0200" "07000000" "ba0f0000" "00000000"));
  REQUIRE(done);
  CHECK(done->at(0).kind == Message::Kind::Done);
  CHECK(done->at(0).error == 0);

  // NLMSG_ERROR (2), NLM_F_CAPPED (0x100), seq 8, error 0: the ack of an RTM_NEWADDR, whose
  // header follows (len 48, type 20, flags 0x405, seq 8, port 0x1053)
  const auto ack = parse_messages(from_hex("24000000" "0200" "0001" "08000000" "53100000" "00000000"
                                           "30000000" "1400" "0504" "08000000" "00000000"));
  REQUIRE(ack);
  CHECK(ack->at(0).kind == Message::Kind::Ack);
  CHECK(ack->at(0).sequence == 8);

  // NLMSG_ERROR, seq 9, error -17 (EEXIST), then the whole request (the same address again)
  const auto refused = parse_messages(from_hex(
      "44000000" "0200" "0000" "09000000" "53100000" "efffffff"
      "30000000" "1400" "0504" "09000000" "00000000" "02180000" "03000000"
      "080002000a000210" "080001000a000210" "080004000a0002ff"));
  REQUIRE(refused);
  CHECK(refused->at(0).kind == Message::Kind::Error);
  CHECK(refused->at(0).error == 17);
}

TEST_CASE("several messages in one datagram, the last one's padding cut off", "[rtnetlink]") {
  LinkInfo lo;
  lo.index = 1;
  lo.name = "lo";
  lo.flags = 0x49;  // IFF_UP | IFF_LOOPBACK | IFF_RUNNING
  lo.mtu = 65536;
  LinkInfo nic = eth0();
  nic.name = "enp0s31f6";
  nic.mac = MacAddress::parse("52:54:00:12:34:57");
  std::vector<std::byte> datagram = encode_link_message(lo, 5, 0x2);
  const auto second = encode_link_message(nic, 5, 0x2);
  datagram.insert(datagram.end(), second.begin(), second.end());
  const auto parsed = parse_messages(datagram);
  REQUIRE(parsed);
  REQUIRE(parsed->size() == 2);
  CHECK(parsed->at(0).link.name == "lo");
  CHECK_FALSE(parsed->at(0).link.ethernet);  // loopback: never a boot interface
  CHECK_FALSE(parsed->at(0).link.mac);
  CHECK(parsed->at(1).link.name == "enp0s31f6");
  CHECK(parsed->at(1).link.ethernet);
  CHECK(parsed->at(1).link.mac == nic.mac);

  // An Ethernet hardware type with IFF_LOOPBACK set is still not a candidate (as before).
  LinkInfo odd = eth0();
  auto bytes = encode_link_message(odd, 1);
  std::uint32_t flags = 0x1002 | 0x8;
  std::memcpy(bytes.data() + 24, &flags, 4);
  const auto loopback = parse_messages(bytes);
  REQUIRE(loopback);
  CHECK_FALSE(loopback->at(0).link.ethernet);
}

TEST_CASE("every malformed reply is refused with where and why", "[rtnetlink]") {
  if (!little_endian()) {
    WARN("hand-made bytes are little-endian");
    return;
  }
  struct Case {
    const char* hex;
    const char* problem;
  };
  const Case cases[] = {
      {"1400000003000200", "shorter than a header"},
      {"0c000000030002000700000000000000", "message length 12"},
      {"18000000030002000700000000000000", "message length 24 with 16 bytes left"},
      {"10000000020000000700000000000000", "NLMSG_ERROR without an error code"},
      {"14000000020000000700000000000000" "01000000", "code 1 is not an errno"},
      {"14000000020000000700000000000000" "00f0ffff", "is not an errno"},
      {"14000000030002000700000000000000" "05000000", "NLMSG_DONE code 5"},
      {"18000000100002000700000000000000" "0000010003000000", "RTM_NEWLINK of 8 bytes, shorter than ifinfomsg"},
      // an attribute of length 2, one that runs past the message, trailing bytes
      {"24000000100002000700000000000000" "00000100030000000210000000000000" "02000300", "of length 2"},
      {"28000000100002000700000000000000" "00000100030000000210000000000000" "0c000300" "65746830",
       "attribute 3 of length 12 does not fit"},
      {"22000000100002000700000000000000" "00000100030000000210000000000000" "0000", "trailing bytes"},
      // IFLA_IFNAME: empty, 16 bytes without a NUL; IFLA_MTU of 2 bytes
      {"28000000100002000700000000000000" "00000100030000000210000000000000" "05000300" "00000000",
       "interface name of 0 bytes"},
      {"34000000100002000700000000000000" "00000100030000000210000000000000" "14000300"
       "41414141414141414141414141414141", "interface name of 16 bytes"},
      {"28000000100002000700000000000000" "00000100030000000210000000000000" "06000400" "dc050000",
       "IFLA_MTU shorter than 4 bytes"},
      {"28000000100002000700000000000000" "00000100030000000210000000000000" "08000400" "dc050000",
       "RTM_NEWLINK without IFLA_IFNAME"},
  };
  for (const auto& c : cases) {
    INFO(c.hex);
    const auto parsed = parse_messages(from_hex(c.hex));
    REQUIRE_FALSE(parsed);
    CHECK_THAT(describe(parsed.error()), Catch::Contains(c.problem));
  }
  // A 15-byte name is the longest there is; attribute types carry NLA_F_NESTED in their top bits.
  const auto longest = parse_messages(from_hex(
      "34000000100002000700000000000000" "00000100030000000210000000000000" "13000380"
      "41414141414141414141414141414100"));
  REQUIRE(longest);
  CHECK(longest->at(0).link.name == std::string(15, 'A'));
  // A hardware address that is not 6 bytes is no MAC (an InfiniBand one is 20, this one 8).
  const auto infiniband = parse_messages(from_hex(
      "34000000100002000700000000000000" "00000100030000000210000000000000" "0c000100"
      "0102030405060708" "08000300" "69623000"));
  REQUIRE(infiniband);
  CHECK_FALSE(infiniband->at(0).link.mac);
  CHECK(parse_messages({}).value().empty());
}

TEST_CASE("a link survives encode and parse", "[rtnetlink]") {
  LinkInfo link = eth0();
  link.mac = MacAddress::parse("02:00:00:00:00:99");
  link.mtu = 9000;
  const auto parsed = parse_messages(encode_link_message(link, 42, 0x2));
  REQUIRE(parsed);
  REQUIRE(parsed->size() == 1);
  CHECK(parsed->at(0).sequence == 42);
  CHECK(parsed->at(0).link.index == link.index);
  CHECK(parsed->at(0).link.name == link.name);
  CHECK(parsed->at(0).link.flags == link.flags);
  CHECK(parsed->at(0).link.mtu == link.mtu);
  CHECK(parsed->at(0).link.mac == link.mac);
  CHECK(parsed->at(0).link.ethernet);
}
