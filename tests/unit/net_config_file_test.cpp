// /run/net-IF.conf in klibc ipconfig's format, and resolv.conf.
#include "net/net_config_file.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include <catch2/catch.hpp>

using namespace nfsroot;

namespace {
Ipv4Address ip4(const char* text) { return *Ipv4Address::parse(text); }

InterfaceConfig qemu_lease() {
  InterfaceConfig config;
  config.device = "eth0";
  config.protocol = "dhcp";
  config.address = ip4("10.0.2.15");
  config.netmask = ip4("255.255.255.0");
  config.broadcast = ip4("10.0.2.255");
  config.gateway = ip4("10.0.2.2");
  config.dns_servers = {ip4("10.0.2.3")};
  config.root_server = ip4("10.0.2.2");
  config.root_path = "/srv/nfsroot";
  config.lease_seconds = 86400;
  config.uptime_seconds = 3;
  return config;
}
}  // namespace

TEST_CASE("net conf: klibc ipconfig's keys, in its order, single-quoted", "[net_config_file]") {
  CHECK(format_net_conf(qemu_lease()) ==
        "DEVICE='eth0'\n"
        "PROTO='dhcp'\n"
        "IPV4ADDR='10.0.2.15'\n"
        "IPV4BROADCAST='10.0.2.255'\n"
        "IPV4NETMASK='255.255.255.0'\n"
        "IPV4GATEWAY='10.0.2.2'\n"
        "IPV4DNS0='10.0.2.3'\n"
        "IPV4DNS1='0.0.0.0'\n"
        "HOSTNAME=''\n"
        "DNSDOMAIN=''\n"
        "NISDOMAIN=''\n"
        "ROOTSERVER='10.0.2.2'\n"
        "ROOTPATH='/srv/nfsroot'\n"
        "filename=''\n"
        "UPTIME='3'\n"
        "DHCPLEASETIME='86400'\n"
        "DOMAINSEARCH=''\n");
  CHECK(net_conf_path("eth0") == "/run/net-eth0.conf");
}

TEST_CASE("net conf: quotes and ! in values cannot break out of the shell quoting", "[net_config_file]") {
  auto config = qemu_lease();
  config.root_path = "/srv/it's!here";
  config.mtu = 9000;
  const auto text = format_net_conf(config);
  CHECK(text.find("ROOTPATH='/srv/it'\\''s'\\!'here'\n") != std::string::npos);
  CHECK(text.ends_with("IPV4MTU='9000'\n"));
}

TEST_CASE("resolv.conf: search domain and at most three nameservers", "[net_config_file]") {
  auto config = qemu_lease();
  config.dns_domain = "lab.example";
  config.dns_servers = {ip4("10.0.0.1"), ip4("10.0.0.2"), ip4("10.0.0.3"), ip4("10.0.0.4")};
  CHECK(format_resolv_conf(config) ==
        "# written by nfsroot-init from the dhcp configuration of eth0\n"
        "search lab.example\n"
        "nameserver 10.0.0.1\n"
        "nameserver 10.0.0.2\n"
        "nameserver 10.0.0.3\n");
}

TEST_CASE("net conf: sh reads every value back exactly as it was", "[net_config_file]") {
  const std::string values[] = {"it's", "a!b", "$(touch /tmp/nfsroot-pwned)", "`touch /tmp/nfsroot-pwned`",
                                "back\\slash", "\"dq\"", "two  blanks", "'", "''", "!", "end'", "${HOME}", "-n",
                                "%s\\n", "'$(touch /tmp/nfsroot-pwned)'", "\\'", "a\nb", "a\rb"};
  ::unlink("/tmp/nfsroot-pwned");
  char name[] = "/tmp/nfsroot-netconf-test-XXXXXX";
  const int fd = ::mkstemp(name);
  REQUIRE(fd >= 0);
  ::close(fd);
  for (const auto& value : values) {
    INFO(value);
    auto config = qemu_lease();
    config.root_path = value;
    FILE* file = std::fopen(name, "w");
    REQUIRE(file);
    const std::string text = format_net_conf(config);
    std::fwrite(text.data(), 1, text.size(), file);
    std::fclose(file);
    const std::string command = std::string("sh -c '. ") + name + "; printf %s \"$ROOTPATH\"'";
    FILE* shell = ::popen(command.c_str(), "r");
    REQUIRE(shell);
    std::string read;
    char buffer[256];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, shell)) > 0;) read.append(buffer, n);
    CHECK(::pclose(shell) == 0);
    // A control character is written as '?' (one key, one line); everything else comes back.
    std::string expected = value;
    std::replace_if(expected.begin(), expected.end(), [](char c) { return c == '\n' || c == '\r'; }, '?');
    CHECK(read == expected);
  }
  CHECK(::access("/tmp/nfsroot-pwned", F_OK) != 0);  // sourcing the file ran nothing
  ::unlink(name);
}

TEST_CASE("net conf: no value can add a line; a control character is written as ?", "[net_config_file]") {
  auto config = qemu_lease();
  config.hostname = "node7\nROOTSERVER='10.6.6.6'";
  config.root_path = "/srv\r\x1b";
  const auto text = format_net_conf(config);
  CHECK(std::count(text.begin(), text.end(), '\n') == 17);  // one line per key
  CHECK(text.find("HOSTNAME='node7?ROOTSERVER='\\''10.6.6.6'\\'''\n") != std::string::npos);
  CHECK(text.find("ROOTPATH='/srv?" "?'\n") != std::string::npos);
}

TEST_CASE("resolv.conf: a domain that is not a DNS name writes no search line", "[net_config_file]") {
  auto config = qemu_lease();
  for (const char* domain : {"lab\nnameserver 10.6.6.6", "lab example", "lab;x"}) {
    INFO(domain);
    config.dns_domain = domain;
    CHECK(format_resolv_conf(config) ==
          "# written by nfsroot-init from the dhcp configuration of eth0\n"
          "nameserver 10.0.2.3\n");
  }
}

TEST_CASE("net6 conf: initramfs-tools' ip6= keys, as cloud-init reads them, for a static IPv6 address",
          "[net_config_file][ipv6]") {
  InterfaceConfig config;
  config.device = "eth0";
  config.protocol = "none";
  config.protocol6 = "none";
  config.address6 = Ipv6Address::parse("fd00::5");
  config.prefix6 = 64;
  config.gateway6 = Ipv6Address::parse("fe80::1");
  config.hostname = "node7";
  config.uptime_seconds = 4;
  CHECK(format_net6_conf(config) ==
        "DEVICE6='eth0'\n"
        "IPV6PROTO='none'\n"
        "IPV6ADDR='fd00::5'\n"
        "IPV6NETMASK='64'\n"
        "IPV6GATEWAY='fe80::1'\n"
        "IPV6DNS0=''\n"
        "IPV6DNS1=''\n"
        "IPV6DOMAINSEARCH=''\n"
        "HOSTNAME='node7'\n"
        "DNSDOMAIN=''\n"
        "UPTIME='4'\n");
  CHECK(net6_conf_path("eth0") == "/run/net6-eth0.conf");
  config.gateway6.reset();
  CHECK(format_net6_conf(config).find("IPV6GATEWAY=''\n") != std::string::npos);
}

TEST_CASE("net6 conf and resolv.conf from a DHCPv6 lease: its DNS servers and search list",
          "[net_config_file][ipv6]") {
  InterfaceConfig config;
  config.device = "eth0";
  config.protocol = "dhcp6";
  config.protocol6 = "dhcp6";
  config.address6 = Ipv6Address::parse("fd00:99::20");
  config.prefix6 = 128;
  for (const char* server : {"fd00:99::1", "fd00:99::2", "fd00:99::3"}) {
    config.dns_servers6.push_back(*Ipv6Address::parse(server));
  }
  // A name that is not a valid DNS name (a server's hostile list) stays out of resolv.conf;
  // the net6 file quotes it (format_net_conf's quoting).
  config.domain_search6 = {"lab.example", "bad name", "example.org"};
  const std::string net6 = format_net6_conf(config);
  CHECK(net6.find("IPV6PROTO='dhcp6'\n") != std::string::npos);
  CHECK(net6.find("IPV6NETMASK='128'\n") != std::string::npos);
  CHECK(net6.find("IPV6DNS0='fd00:99::1'\nIPV6DNS1='fd00:99::2'\n") != std::string::npos);
  CHECK(net6.find("IPV6DOMAINSEARCH='lab.example bad name example.org'\n") != std::string::npos);
  CHECK(format_resolv_conf(config) ==
        "# written by nfsroot-init from the dhcp6 configuration of eth0\n"
        "search lab.example example.org\n"
        "nameserver fd00:99::1\n"
        "nameserver fd00:99::2\n"
        "nameserver fd00:99::3\n");
  // Both families: the IPv4 servers first, three in all.
  config.dns_servers = {Ipv4Address{0x0a000001}};
  const std::string both = format_resolv_conf(config);
  CHECK(both.find("nameserver 10.0.0.1\nnameserver fd00:99::1\nnameserver fd00:99::2\n") != std::string::npos);
  CHECK(both.find("fd00:99::3") == std::string::npos);
}
