// The NetworkManager and ifupdown files of the hand-off (net/manager_files.h).
#include "net/manager_files.h"

#include <catch2/catch.hpp>

using namespace nfsroot;

namespace {
InterfaceConfig configured(const char* device) {
  InterfaceConfig config;
  config.device = device;
  config.protocol = "dhcp";
  config.address = *Ipv4Address::parse("10.0.2.15");
  config.netmask = *Ipv4Address::parse("255.255.255.0");
  return config;
}
}  // namespace

TEST_CASE("NetworkManager file: a device section leaves the interface unmanaged", "[manager_files]") {
  const auto files = networkmanager_runtime_files(configured("eth0"));
  REQUIRE(files.size() == 1);
  CHECK(files[0].path == "NetworkManager/conf.d/70-nfsroot-eth0.conf");
  CHECK(files[0].content ==
        "# written by nfsroot-init: the NFS root lives on eth0; NetworkManager leaves it unmanaged\n"
        "[device-nfsroot-eth0]\n"
        "match-device=interface-name:eth0\n"
        "managed=0\n");
}

TEST_CASE("NetworkManager file: the same for a static ip= and for another name", "[manager_files]") {
  auto config = configured("enp0s3");
  config.protocol = "none";
  const auto files = networkmanager_runtime_files(config);
  REQUIRE(files.size() == 1);
  CHECK(files[0].path == "NetworkManager/conf.d/70-nfsroot-enp0s3.conf");
  CHECK(files[0].content.find("[device-nfsroot-enp0s3]\nmatch-device=interface-name:enp0s3\nmanaged=0\n") !=
        std::string::npos);
}

TEST_CASE("ifupdown state: the interface is up as a logical interface no stanza has", "[manager_files]") {
  const auto files = ifupdown_runtime_files(configured("eth0"));
  REQUIRE(files.size() == 2);
  // ifupdown 0.8's per-interface record: the logical interface it is up as.
  CHECK(files[0].path == "network/ifstate.eth0");
  CHECK(files[0].content == "nfsroot-init\n");
  // and its list, which `ifquery --state` and `ifdown -a` read.
  CHECK(files[1].path == "network/ifstate");
  CHECK(files[1].content == "eth0=nfsroot-init\n");
}

TEST_CASE("manager files: a name that cannot be a file name or one token gets no file", "[manager_files]") {
  for (const char* name : {"", ".", "..", "../x", "eth0;wlan0", "eth*", "eth0=x", "eth 0", "e:0",
                           "averylonginterfacename"}) {
    INFO(name);
    CHECK(networkmanager_runtime_files(configured(name)).empty());
    CHECK(ifupdown_runtime_files(configured(name)).empty());
  }
  for (const char* name : {"eth0", "eth0.100", "br-lan", "wwan_1", "veth@1"}) {
    INFO(name);
    CHECK(networkmanager_runtime_files(configured(name)).size() == 1);
    CHECK(ifupdown_runtime_files(configured(name)).size() == 2);
  }
}

TEST_CASE("manager files: a VLAN's parent is left alone too", "[manager_files]") {
  auto config = configured("eth0.5");
  config.lower_devices = {"eth0"};
  const auto nm = networkmanager_runtime_files(config);
  REQUIRE(nm.size() == 2);
  CHECK(nm[0].path == "NetworkManager/conf.d/70-nfsroot-eth0.5.conf");
  CHECK(nm[1].path == "NetworkManager/conf.d/70-nfsroot-eth0.conf");
  CHECK(nm[1].content ==
        "# written by nfsroot-init: the NFS root lives on eth0.5, which is on eth0; NetworkManager leaves eth0 "
        "unmanaged\n"
        "[device-nfsroot-eth0]\n"
        "match-device=interface-name:eth0\n"
        "managed=0\n");
  const auto ifupdown = ifupdown_runtime_files(config);
  REQUIRE(ifupdown.size() == 3);
  CHECK(ifupdown[0].path == "network/ifstate.eth0.5");
  CHECK(ifupdown[1].path == "network/ifstate.eth0");
  CHECK(ifupdown[1].content == "nfsroot-init\n");
  CHECK(ifupdown[2].path == "network/ifstate");
  CHECK(ifupdown[2].content == "eth0.5=nfsroot-init\neth0=nfsroot-init\n");
  // A lower name that cannot be a file name is left out; the interface itself keeps its files.
  config.lower_devices = {"eth*"};
  CHECK(networkmanager_runtime_files(config).size() == 1);
  CHECK(ifupdown_runtime_files(config).size() == 2);
}
