// Addresses of either family: the boot line's host forms and the socket addresses made of them.
#include "base/ip_address.h"

#include <arpa/inet.h>

#include <cstring>

#include <catch2/catch.hpp>

#include "base/socket_address.h"

using namespace nfsroot;

TEST_CASE("ip address: a dotted quad or a bare IPv6 address, written back canonically", "[ip_address][ipv6]") {
  CHECK(IpAddress::parse("10.0.2.2") == IpAddress(*Ipv4Address::parse("10.0.2.2")));
  CHECK_FALSE(IpAddress::parse("10.0.2.2")->is_v6());
  const auto v6 = IpAddress::parse("FD00:0:0::01");
  REQUIRE(v6);
  CHECK(v6->is_v6());
  CHECK(v6->to_string() == "fd00::1");
  CHECK(v6->to_host_text() == "[fd00::1]");
  CHECK(IpAddress::parse("10.0.2.2")->to_host_text() == "10.0.2.2");
  // Written as IPv6, it stays IPv6: the socket is the one the admin asked for.
  CHECK(IpAddress::parse("::ffff:10.0.2.2")->is_v6());
  for (const char* bad : {"", "[fd00::1]", "fd00::1%eth0", "fd00::1/64", "server.lab", "10.0.2", "10.0.2.2:2049"}) {
    INFO(bad);
    CHECK_FALSE(IpAddress::parse(bad));
  }
  CHECK(IpAddress::parse("0.0.0.0")->is_unspecified());
  CHECK(IpAddress::parse("::")->is_unspecified());
  CHECK_FALSE(IpAddress::parse("fd00::1")->is_unspecified());
}

TEST_CASE("ip address: the host of host:path is a dotted quad or IPv6 in brackets", "[ip_address][ipv6]") {
  CHECK(IpAddress::parse_host("[fd00::1]") == IpAddress::parse("fd00::1"));
  CHECK(IpAddress::parse_host("10.0.2.2") == IpAddress::parse("10.0.2.2"));
  for (const char* bad : {"fd00::1", "[fd00::1", "[fd00::1]x", "[10.0.2.2]", "[]", "[fd00::1%eth0]", "[[fd00::1]]"}) {
    INFO(bad);
    CHECK_FALSE(IpAddress::parse_host(bad));
  }
  CHECK_FALSE(bracketed_host("fd00::1"));
  CHECK(bracketed_host("[fd00::1]:/srv")->address == "fd00::1");
  CHECK(bracketed_host("[fd00::1]:/srv")->length == 9);
  CHECK(bracketed_host("[fd00::1:/srv")->length == 0);
}

TEST_CASE("socket address: sockaddr_in or sockaddr_in6 with the port in network order", "[ip_address][ipv6]") {
  const SocketAddress v4 = socket_address(*IpAddress::parse("10.0.2.2"), 111);
  REQUIRE(v4.family() == AF_INET);
  REQUIRE(v4.length == sizeof(sockaddr_in));
  sockaddr_in in4{};
  std::memcpy(&in4, &v4.storage, sizeof in4);
  CHECK(in4.sin_port == htons(111));
  char text[INET6_ADDRSTRLEN] = {};
  CHECK(std::string(::inet_ntop(AF_INET, &in4.sin_addr, text, sizeof text)) == "10.0.2.2");

  const SocketAddress v6 = socket_address(*IpAddress::parse("fd00:99::1"), 20048);
  REQUIRE(v6.family() == AF_INET6);
  REQUIRE(v6.length == sizeof(sockaddr_in6));
  sockaddr_in6 in6{};
  std::memcpy(&in6, &v6.storage, sizeof in6);
  CHECK(in6.sin6_port == htons(20048));
  CHECK(in6.sin6_scope_id == 0);
  CHECK(std::string(::inet_ntop(AF_INET6, &in6.sin6_addr, text, sizeof text)) == "fd00:99::1");
}
