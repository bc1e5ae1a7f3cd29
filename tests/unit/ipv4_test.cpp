// IPv4 and MAC address values.
#include "base/ipv4.h"

#include <catch2/catch.hpp>

using nfsroot::Ipv4Address;
using nfsroot::MacAddress;

TEST_CASE("ipv4: only four decimal octets 0..255 parse", "[ipv4]") {
  CHECK(Ipv4Address::parse("10.0.2.15")->value == 0x0a00020fu);
  CHECK(Ipv4Address::parse("255.255.255.255")->value == 0xffffffffu);
  CHECK(Ipv4Address::parse("0.0.0.0")->is_unspecified());
  for (const char* bad : {"", "10.0.2", "10.0.2.15.1", "256.0.0.1", "10..2.15", "10.0.2.15 ", "a.b.c.d", "1.2.3.-4",
                          "1.2.3.0004", "+1.2.3.4", "1.2.3.4:"}) {
    INFO(bad);
    CHECK_FALSE(Ipv4Address::parse(bad));
  }
  CHECK(Ipv4Address::parse("192.168.1.1")->to_string() == "192.168.1.1");
}

TEST_CASE("ipv4: classful netmask and prefix length", "[ipv4]") {
  CHECK(nfsroot::classful_netmask(*Ipv4Address::parse("10.1.2.3")).to_string() == "255.0.0.0");
  CHECK(nfsroot::classful_netmask(*Ipv4Address::parse("172.16.0.9")).to_string() == "255.255.0.0");
  CHECK(nfsroot::classful_netmask(*Ipv4Address::parse("192.168.1.9")).to_string() == "255.255.255.0");
  CHECK(nfsroot::prefix_length(*Ipv4Address::parse("255.255.255.0")) == 24);
  CHECK(nfsroot::prefix_length(*Ipv4Address::parse("255.255.255.255")) == 32);
  CHECK(nfsroot::prefix_length(*Ipv4Address::parse("0.0.0.0")) == 0);
  CHECK_FALSE(nfsroot::prefix_length(*Ipv4Address::parse("255.0.255.0")));
  CHECK(nfsroot::broadcast_address(*Ipv4Address::parse("10.0.2.15"), *Ipv4Address::parse("255.255.255.0")).to_string() ==
        "10.0.2.255");
}

TEST_CASE("mac: six hex octets with ':' or '-'", "[ipv4]") {
  CHECK(MacAddress::parse("52:54:00:12:34:56")->to_string() == "52:54:00:12:34:56");
  CHECK(MacAddress::parse("52-54-00-AB-cd-EF")->to_string() == "52:54:00:ab:cd:ef");
  for (const char* bad : {"", "52:54:00:12:34", "52:54:00:12:34:5g", "52:54-00:12:34:56", "525400123456"}) {
    INFO(bad);
    CHECK_FALSE(MacAddress::parse(bad));
  }
}
