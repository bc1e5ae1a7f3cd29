// The systemd-networkd and udev files of the hand-off (net/networkd_files.h).
#include "net/networkd_files.h"

#include <catch2/catch.hpp>

using namespace nfsroot;

namespace {
Ipv4Address ip4(const char* text) { return *Ipv4Address::parse(text); }

InterfaceConfig dhcp_lease() {
  InterfaceConfig config;
  config.device = "eth0";
  config.protocol = "dhcp";
  config.address = ip4("10.0.2.15");
  config.netmask = ip4("255.255.255.0");
  config.gateway = ip4("10.0.2.2");
  config.dns_servers = {ip4("10.0.2.3"), ip4("10.0.2.4")};
  config.lease_seconds = 86400;
  return config;
}
}  // namespace

TEST_CASE("networkd files: a lease is kept and renewed as the same client", "[networkd_files]") {
  const auto files = networkd_runtime_files(dhcp_lease(), std::nullopt);
  REQUIRE(files.size() == 2);
  CHECK(files[0].path == "systemd/network/70-nfsroot-eth0.link");
  CHECK(files[0].content ==
        "# written by nfsroot-init: the NFS root lives on eth0; keep its name and address\n"
        "[Match]\n"
        "OriginalName=eth0\n"
        "\n"
        "[Link]\n"
        "NamePolicy=\n");
  CHECK(files[1].path == "systemd/network/70-nfsroot-eth0.network");
  CHECK(files[1].content ==
        "# written by nfsroot-init: the NFS root lives on eth0\n"
        "[Match]\n"
        "Name=eth0\n"
        "\n"
        "[Network]\n"
        "KeepConfiguration=yes\n"
        "DHCP=ipv4\n"
        "\n"
        "[DHCPv4]\n"
        "ClientIdentifier=mac\n");
  CHECK(networkd_can_renew(true, std::nullopt));
}

TEST_CASE("networkd files: the lease's MTU is kept", "[networkd_files]") {
  auto config = dhcp_lease();
  config.mtu = 1400;
  const auto files = networkd_runtime_files(config, std::nullopt);
  REQUIRE(files.size() == 2);
  CHECK(files[1].content.find("\n[Link]\nMTUBytes=1400\n\n[Network]\n") != std::string::npos);
}

TEST_CASE("networkd files: a static ip= is kept as static", "[networkd_files]") {
  auto config = dhcp_lease();
  config.protocol = "none";
  config.netmask = ip4("255.255.240.0");
  config.lease_seconds = 0;
  CHECK_FALSE(networkd_can_renew(config.protocol == "dhcp", std::nullopt));
  const auto files = networkd_runtime_files(config, std::nullopt);
  REQUIRE(files.size() == 2);
  CHECK(files[1].content ==
        "# written by nfsroot-init: the NFS root lives on eth0\n"
        "[Match]\n"
        "Name=eth0\n"
        "\n"
        "[Network]\n"
        "KeepConfiguration=yes\n"
        "DHCP=no\n"
        "Address=10.0.2.15/20\n"
        "Gateway=10.0.2.2\n"
        "DNS=10.0.2.3\n"
        "DNS=10.0.2.4\n");
}

TEST_CASE("networkd files: a client id networkd cannot send keeps the lease as static", "[networkd_files]") {
  // networkd sends its MAC or a DUID as the identifier: asking with either would be another
  // client to the server, which may hand out another address under the NFS root.
  const DhcpClientId id{0, "rack4-node17"};
  CHECK_FALSE(networkd_can_renew(true, id));
  const auto files = networkd_runtime_files(dhcp_lease(), id);
  REQUIRE(files.size() == 2);
  CHECK(files[1].content.find("DHCP=no\nAddress=10.0.2.15/24\nGateway=10.0.2.2\n") != std::string::npos);
  CHECK(files[1].content.find("[DHCPv4]") == std::string::npos);
}

TEST_CASE("networkd files: no gateway, no DNS", "[networkd_files]") {
  auto config = dhcp_lease();
  config.protocol = "none";
  config.gateway.reset();
  config.dns_servers.clear();
  const auto files = networkd_runtime_files(config, std::nullopt);
  REQUIRE(files.size() == 2);
  CHECK(files[1].content.ends_with("DHCP=no\nAddress=10.0.2.15/24\n"));
}

TEST_CASE("networkd files: a name that cannot be one file name and one token gets none", "[networkd_files]") {
  for (const char* name : {"", ".", "..", "eth0/../x", "eth 0", "eth0\nName=*", "a234567890123456"}) {
    auto config = dhcp_lease();
    config.device = name;
    CHECK(networkd_runtime_files(config, std::nullopt).empty());
  }
  auto config = dhcp_lease();
  config.device = "enx001122334455";
  CHECK(networkd_runtime_files(config, std::nullopt).size() == 2);
}

TEST_CASE("networkd files: a VLAN's parent is kept up, named and unconfigured", "[networkd_files]") {
  InterfaceConfig config = dhcp_lease();
  config.device = "eth0.5";
  config.lower_devices = {"eth0"};
  const auto files = networkd_runtime_files(config, std::nullopt);
  REQUIRE(files.size() == 4);
  CHECK(files[0].path == "systemd/network/70-nfsroot-eth0.5.link");
  CHECK(files[1].path == "systemd/network/70-nfsroot-eth0.5.network");
  CHECK(files[1].content.find("Name=eth0.5\n\n[Network]\nKeepConfiguration=yes\nDHCP=ipv4\n") != std::string::npos);
  CHECK(files[2].path == "systemd/network/70-nfsroot-eth0.link");
  CHECK(files[2].content ==
        "# written by nfsroot-init: the NFS root lives on eth0.5, which is on eth0; keep its name and address\n"
        "[Match]\n"
        "OriginalName=eth0\n"
        "\n"
        "[Link]\n"
        "NamePolicy=\n");
  CHECK(files[3].path == "systemd/network/70-nfsroot-eth0.network");
  CHECK(files[3].content ==
        "# written by nfsroot-init: the NFS root lives on eth0.5, which is on eth0; keep eth0 up and unconfigured\n"
        "[Match]\n"
        "Name=eth0\n"
        "\n"
        "[Network]\n"
        "KeepConfiguration=yes\n"
        "DHCP=no\n"
        "LinkLocalAddressing=no\n"
        "IPv6AcceptRA=no\n"
        "KeepMaster=yes\n");
}

TEST_CASE("networkd files: a static IPv6 ip= is kept as static, with its IPv6 address and gateway",
          "[networkd_files][ipv6]") {
  InterfaceConfig config;
  config.device = "eth0";
  config.protocol = "none";
  config.protocol6 = "none";
  config.address6 = Ipv6Address::parse("fd00::5");
  config.prefix6 = 64;
  config.gateway6 = Ipv6Address::parse("fe80::1");
  const auto files = networkd_runtime_files(config, std::nullopt);
  REQUIRE(files.size() == 2);
  CHECK(files[1].content ==
        "# written by nfsroot-init: the NFS root lives on eth0\n"
        "[Match]\n"
        "Name=eth0\n"
        "\n"
        "[Network]\n"
        "KeepConfiguration=yes\n"
        "DHCP=no\n"
        "Address=fd00::5/64\n"
        "Gateway=fe80::1\n");
  // ip=auto6: the kernel's address kept, networkd takes the advertisements from there on.
  config.protocol = config.protocol6 = "auto6";
  config.gateway6.reset();
  CHECK(networkd_runtime_files(config, std::nullopt)[1].content ==
        "# written by nfsroot-init: the NFS root lives on eth0\n"
        "[Match]\n"
        "Name=eth0\n"
        "\n"
        "[Network]\n"
        "KeepConfiguration=yes\n"
        "DHCP=no\n"
        "IPv6AcceptRA=yes\n");
}

TEST_CASE("networkd files: after DHCPv6, networkd takes advertisements and runs no DHCPv6 client",
          "[networkd_files][ipv6]") {
  InterfaceConfig config;
  config.device = "eth0";
  config.protocol = config.protocol6 = "dhcp6";
  config.address6 = Ipv6Address::parse("fd00:99::20");
  config.prefix6 = 128;
  CHECK(networkd_runtime_files(config, std::nullopt)[1].content ==
        "# written by nfsroot-init: the NFS root lives on eth0\n"
        "[Match]\n"
        "Name=eth0\n"
        "\n"
        "[Network]\n"
        "KeepConfiguration=yes\n"
        "DHCP=no\n"
        "IPv6AcceptRA=yes\n"
        "\n"
        "[IPv6AcceptRA]\n"
        "DHCPv6Client=no\n");
}
