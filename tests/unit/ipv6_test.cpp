// IPv6 address values, checked against the C library's inet_pton/inet_ntop as the reference.
#include "base/ipv6.h"

#include <arpa/inet.h>

#include <cstring>
#include <random>

#include <catch2/catch.hpp>

using nfsroot::Ipv6Address;

namespace {

std::string reference_format(const Ipv6Address& address) {
  char text[INET6_ADDRSTRLEN];
  REQUIRE(inet_ntop(AF_INET6, address.octets.data(), text, sizeof text));
  return text;
}

// glibc and musl write ::a.b.c.d for the deprecated IPv4-compatible form; RFC 5952 5 recommends
// mixed notation only for the mapped form (::ffff:a.b.c.d), which we follow.
bool ipv4_compatible(const Ipv6Address& address) {
  for (int i = 0; i < 12; ++i) {
    if (address.octets[static_cast<std::size_t>(i)] != 0) return false;
  }
  return address.group(6) != 0;
}

}  // namespace

TEST_CASE("ipv6: RFC 4291 forms parse", "[ipv6]") {
  const auto loopback = Ipv6Address::parse("::1");
  REQUIRE(loopback);
  CHECK(loopback->is_loopback());
  CHECK(Ipv6Address::parse("::")->is_unspecified());
  CHECK(Ipv6Address::parse("fd00:0:0:0:0:0:0:1")->to_string() == "fd00::1");
  CHECK(Ipv6Address::parse("FD00::A:B")->to_string() == "fd00::a:b");
  CHECK(Ipv6Address::parse("2001:db8::")->to_string() == "2001:db8::");
  CHECK(Ipv6Address::parse("::ffff:10.0.2.15")->to_string() == "::ffff:10.0.2.15");
  CHECK(Ipv6Address::parse("::ffff:10.0.2.15")->is_ipv4_mapped());
  CHECK(Ipv6Address::parse("64:ff9b::192.0.2.33")->to_string() == "64:ff9b::c000:221");
  CHECK(Ipv6Address::parse("fe80::5054:ff:fe12:3456")->is_link_local());
  CHECK(Ipv6Address::parse("ff02::1")->is_multicast());
  CHECK(Ipv6Address::parse("1:2:3:4:5:6:7::")->to_string() == "1:2:3:4:5:6:7:0");
  CHECK(Ipv6Address::parse("::2:3:4:5:6:7:8")->to_string() == "0:2:3:4:5:6:7:8");
  for (const char* bad : {"", ":", ":::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1::2::3", ":1::2", "1::2:", "12345::",
                          "g::1", "fe80::1%eth0", "[fd00::1]", "fd00::/64", "::1.2.3", "::1.2.3.4.5", "1.2.3.4::",
                          "::256.0.0.1", "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", " ::1", "::1 ", "10.0.2.15",
                          "1:2:3:4:5:6:1.2.3.4:5"}) {
    INFO(bad);
    CHECK_FALSE(Ipv6Address::parse(bad));
  }
}

TEST_CASE("ipv6: RFC 5952 canonical text", "[ipv6]") {
  // 4.2.2: one zero group is not "::"; 4.2.3: the longest run, then the first of equal runs.
  CHECK(Ipv6Address::parse("2001:db8:0:1:1:1:1:1")->to_string() == "2001:db8:0:1:1:1:1:1");
  CHECK(Ipv6Address::parse("2001:0:0:1:0:0:0:1")->to_string() == "2001:0:0:1::1");
  CHECK(Ipv6Address::parse("2001:db8:0:0:1:0:0:1")->to_string() == "2001:db8::1:0:0:1");
  // 4.1: no leading zeros; 4.3: lower case.
  CHECK(Ipv6Address::parse("2001:0DB8:00AA::0001")->to_string() == "2001:db8:aa::1");
}

TEST_CASE("ipv6: agrees with inet_pton and inet_ntop", "[ipv6]") {
  std::mt19937 random(6);
  for (int round = 0; round < 20000; ++round) {
    Ipv6Address address;
    for (auto& octet : address.octets) {
      // Mostly zero groups, so that every "::" placement is tried.
      octet = random() % 3 == 0 ? static_cast<std::uint8_t>(random()) : 0;
    }
    if (round % 7 == 0) {
      address.octets[10] = 0xff;
      address.octets[11] = 0xff;
    }
    const std::string text = address.to_string();
    INFO(text);
    const auto parsed = Ipv6Address::parse(text);
    REQUIRE(parsed);
    CHECK(*parsed == address);
    unsigned char reference[16];
    REQUIRE(inet_pton(AF_INET6, text.c_str(), reference) == 1);
    CHECK(std::memcmp(reference, address.octets.data(), 16) == 0);
    if (!ipv4_compatible(address)) CHECK(reference_format(address) == text);
  }
}

TEST_CASE("ipv6: prefix length 0 to 128", "[ipv6]") {
  CHECK(nfsroot::parse_ipv6_prefix_length("64") == 64);
  CHECK(nfsroot::parse_ipv6_prefix_length("0") == 0);
  CHECK(nfsroot::parse_ipv6_prefix_length("128") == 128);
  for (const char* bad : {"", "129", "-1", "+64", "064x", "1000"}) {
    INFO(bad);
    CHECK_FALSE(nfsroot::parse_ipv6_prefix_length(bad));
  }
}

TEST_CASE("ipv6: same_ipv6_prefix compares the first bits only", "[ipv6]") {
  using nfsroot::same_ipv6_prefix;
  const auto a = *Ipv6Address::parse("fd00:0:0:1::5");
  CHECK(same_ipv6_prefix(a, *Ipv6Address::parse("fd00:0:0:1::1"), 64));
  CHECK_FALSE(same_ipv6_prefix(a, *Ipv6Address::parse("fd00:0:0:2::1"), 64));
  CHECK(same_ipv6_prefix(a, *Ipv6Address::parse("fd00:0:0:2::1"), 48));
  // Group 3 is 0x0001 against 0x0003: the two differ in bit 62 (from the top) only.
  CHECK(same_ipv6_prefix(a, *Ipv6Address::parse("fd00:0:0:3::1"), 62));
  CHECK_FALSE(same_ipv6_prefix(a, *Ipv6Address::parse("fd00:0:0:3::1"), 63));
  CHECK(same_ipv6_prefix(a, *Ipv6Address::parse("::"), 0));
  CHECK(same_ipv6_prefix(a, a, 128));
  CHECK_FALSE(same_ipv6_prefix(a, *Ipv6Address::parse("fd00:0:0:1::4"), 128));
  CHECK(same_ipv6_prefix(a, *Ipv6Address::parse("fd00:0:0:1::4"), 126));
}
