// The network step's rtnetlink requests in order (network/netlink.h, configure_link), each
// answered by the fake socket as the kernel would: the link list, the MTU, the address and the
// default route, and what each refusal does.
#include <cerrno>

#include <catch2/catch.hpp>

#include "fake_netlink.h"
#include "network/netlink.h"
#include "network/network_up.h"

using namespace nfsroot;
using nfsroot::testing::FakeNetlinkSocket;
using Lines = std::vector<std::string>;

namespace {

Ipv4Address ip4(const char* text) { return *Ipv4Address::parse(text); }

LinkInfo eth0() {
  LinkInfo link;
  link.index = 3;
  link.name = "eth0";
  link.flags = 0x11043;  // IFF_UP | IFF_BROADCAST | IFF_RUNNING | IFF_MULTICAST | IFF_LOWER_UP
  link.mtu = 1500;
  link.mac = MacAddress::parse("52:54:00:12:34:56");
  link.ethernet = true;
  return link;
}

InterfaceConfig lease_config() {
  InterfaceConfig config;
  config.address = ip4("10.0.2.15");
  config.netmask = ip4("255.255.255.0");
  config.broadcast = ip4("10.0.2.255");
  config.gateway = ip4("10.0.2.2");
  config.mtu = 1400;
  return config;
}

struct Rig {
  FakeNetlinkSocket* fake;
  RouteNetlink netlink;
  Lines info;
  NetworkReporter report;

  Rig() : Rig(std::make_unique<FakeNetlinkSocket>()) {}
  explicit Rig(std::unique_ptr<FakeNetlinkSocket> socket) : fake(socket.get()), netlink(std::move(socket)) {
    report.info = [this](std::string_view line) { info.emplace_back(line); };
    report.debug = [](std::string_view) {};
  }
};

}  // namespace

TEST_CASE("the link list is one dump, read across its datagrams to NLMSG_DONE", "[netlink]") {
  Rig rig;
  LinkInfo lo;
  lo.index = 1;
  lo.name = "lo";
  lo.flags = 0x10049;
  lo.mtu = 65536;
  LinkInfo eth1 = eth0();
  eth1.index = 4;
  eth1.name = "eth1";
  rig.fake->links = {lo, eth0(), eth1};
  const auto links = rig.netlink.links();
  REQUIRE(links);
  CHECK(rig.fake->trace == Lines{"RTM_GETLINK EXT_MASK=1"});
  REQUIRE(links->size() == 3);
  CHECK(links->at(0).name == "lo");
  CHECK_FALSE(links->at(0).ethernet);
  CHECK(links->at(1).name == "eth0");
  CHECK(links->at(1).mac == eth0().mac);
  CHECK(links->at(2).name == "eth1");
  CHECK(links->at(2).index == 4);
}

TEST_CASE("the configuration goes in as MTU, address, default route", "[netlink]") {
  Rig rig;
  InterfaceConfig config = lease_config();
  REQUIRE(configure_link(rig.netlink, eth0(), config, rig.report));
  CHECK(rig.fake->trace == Lines{
      "RTM_NEWLINK index=3 flags=0x0 change=0x0 MTU=1400",
      "RTM_NEWADDR index=3 prefix=24 scope=0 LOCAL=10.0.2.15 ADDRESS=10.0.2.15 BROADCAST=10.0.2.255",
      "RTM_NEWROUTE dst_len=0 table=254 protocol=3 scope=0 type=1 TABLE=254 DST=0.0.0.0 GATEWAY=10.0.2.2 OIF=3",
  });
  CHECK(rig.info.empty());
  CHECK(config.mtu == 1400);
}

TEST_CASE("the same MTU is not set again, and no gateway means no route", "[netlink]") {
  Rig rig;
  InterfaceConfig config = lease_config();
  config.mtu = 1500;
  config.gateway.reset();
  REQUIRE(configure_link(rig.netlink, eth0(), config, rig.report));
  CHECK(rig.fake->trace == Lines{
      "RTM_NEWADDR index=3 prefix=24 scope=0 LOCAL=10.0.2.15 ADDRESS=10.0.2.15 BROADCAST=10.0.2.255"});
}

TEST_CASE("a refused MTU is reported and dropped; the address and route still go in", "[netlink]") {
  Rig rig;
  rig.fake->refusals["RTM_NEWLINK"] = {EINVAL};
  InterfaceConfig config = lease_config();
  config.mtu = 9000;
  REQUIRE(configure_link(rig.netlink, eth0(), config, rig.report));
  CHECK(rig.fake->trace.size() == 3);
  CHECK(rig.info == Lines{"set MTU 9000 eth0: Invalid argument (errno 22); the NIC or its driver may not support "
                          "this MTU, ignoring"});
  CHECK_FALSE(config.mtu);
}

TEST_CASE("an address or route that is already there is fine", "[netlink]") {
  Rig rig;
  rig.fake->refusals["RTM_NEWADDR"] = {EEXIST};
  rig.fake->refusals["RTM_NEWROUTE"] = {EEXIST};
  InterfaceConfig config = lease_config();
  CHECK(configure_link(rig.netlink, eth0(), config, rig.report));
  CHECK(rig.fake->trace.size() == 3);
}

TEST_CASE("a refused address or route stops the step with the kernel's errno", "[netlink]") {
  SECTION("address") {
    Rig rig;
    rig.fake->refusals["RTM_NEWADDR"] = {EACCES};
    InterfaceConfig config = lease_config();
    const auto result = configure_link(rig.netlink, eth0(), config, rig.report);
    REQUIRE_FALSE(result);
    CHECK(describe(result.error()) == "add address 10.0.2.15/24 on eth0: Permission denied (errno 13)");
    CHECK(rig.fake->trace.size() == 2);  // no route after it
  }
  SECTION("route") {
    Rig rig;
    rig.fake->refusals["RTM_NEWROUTE"] = {ENETUNREACH};
    InterfaceConfig config = lease_config();
    const auto result = configure_link(rig.netlink, eth0(), config, rig.report);
    REQUIRE_FALSE(result);
    CHECK(describe(result.error()) == "add default route via 10.0.2.2 dev eth0: Network is unreachable (errno 101); "
                                      "the gateway must be on the interface's subnet");
  }
  SECTION("a gateway off the subnet is never sent") {
    Rig rig;
    InterfaceConfig config = lease_config();
    config.gateway = ip4("10.0.3.1");
    const auto result = configure_link(rig.netlink, eth0(), config, rig.report);
    REQUIRE_FALSE(result);
    CHECK_THAT(describe(result.error()), Catch::Contains("the gateway is not in 10.0.2.15/24"));
    CHECK(rig.fake->trace.size() == 2);
  }
}

TEST_CASE("bringing a link up or down changes IFF_UP only", "[netlink]") {
  Rig rig;
  LinkInfo down = eth0();
  down.flags = 0x1002;
  REQUIRE(rig.netlink.set_link_up(down, true));
  REQUIRE(rig.netlink.set_link_up(eth0(), false));
  CHECK(rig.fake->trace == Lines{"RTM_NEWLINK index=3 flags=0x1003 change=0x1",
                                 "RTM_NEWLINK index=3 flags=0x11042 change=0x1"});
}

TEST_CASE("a link that will not come up reports the kernel's errno", "[netlink]") {
  Rig rig;
  rig.fake->refusals["RTM_NEWLINK"] = {EADDRINUSE};
  const auto up = rig.netlink.set_link_up(eth0(), true);
  REQUIRE_FALSE(up);
  CHECK(describe(up.error()) == "set link up eth0: Address already in use (errno 98)");
}

TEST_CASE("EOPNOTSUPP to RTM_NEWLINK is tried again as RTM_SETLINK, as libnl did", "[netlink]") {
  Rig rig;
  rig.fake->refusals["RTM_NEWLINK"] = {EOPNOTSUPP};
  REQUIRE(rig.netlink.set_mtu(eth0(), 1400));
  CHECK(rig.fake->trace == Lines{"RTM_NEWLINK index=3 flags=0x0 change=0x0 MTU=1400",
                                 "RTM_SETLINK index=3 flags=0x0 change=0x0 MTU=1400"});
}

TEST_CASE("a VLAN, a bond and its slaves: the requests and what a missing module says", "[netlink]") {
  Rig rig;
  LinkInfo bond0;
  bond0.index = 7;
  bond0.name = "bond0";
  REQUIRE(rig.netlink.add_vlan(eth0(), "eth0.5", 5));
  REQUIRE(rig.netlink.add_bond("bond0"));
  REQUIRE(rig.netlink.set_master(eth0(), bond0));
  CHECK(rig.fake->trace == Lines{"RTM_NEWLINK index=0 flags=0x0 change=0x0 create LINK=3 IFNAME=eth0.5 "
                                 "LINKINFO={KIND=vlan VLAN_ID=5}",
                                 "RTM_NEWLINK index=0 flags=0x0 change=0x0 create IFNAME=bond0 LINKINFO={KIND=bond}",
                                 "RTM_NEWLINK index=3 flags=0x0 change=0x0 MASTER=7"});
  // No "vlan" or "bond" kind registered: the module is not loaded, and the fix says how.
  rig.fake->refusals["RTM_NEWLINK"] = {EOPNOTSUPP, EOPNOTSUPP, EBUSY};
  const auto vlan = rig.netlink.add_vlan(eth0(), "eth0.5", 5);
  REQUIRE_FALSE(vlan);
  CHECK(describe(vlan.error()) ==
        "make VLAN eth0.5 (id 5 on eth0, vlan=): Operation not supported (errno 95); 8021q is not loaded: add it to "
        "NFSROOT_INIT_MODULES (initramfs.conf or conf.d) and rebuild the initramfs");
  const auto bond = rig.netlink.add_bond("bond0");
  REQUIRE_FALSE(bond);
  CHECK(describe(bond.error()).find("bonding is not loaded: add it to NFSROOT_INIT_MODULES") != std::string::npos);
  const auto slave = rig.netlink.set_master(eth0(), bond0);
  REQUIRE_FALSE(slave);
  CHECK(describe(slave.error()) == "add slave eth0 to bond0 (bond=): Device or resource busy (errno 16)");
}

TEST_CASE("an answer to another request is skipped; no answer ends at the deadline", "[netlink]") {
  SECTION("stale") {
    Rig rig;
    rig.fake->stale_answer_first = true;
    rig.fake->refusals["RTM_NEWADDR"] = {EACCES};
    // The stale ack (an older sequence number) must not be taken for this request's.
    CHECK_FALSE(rig.netlink.add_address(eth0(), ip4("10.0.2.15"), 24, ip4("10.0.2.255")));
  }
  SECTION("silent") {
    Rig rig;
    rig.fake->silent = true;
    const auto result = rig.netlink.add_default_route(eth0(), ip4("10.0.2.2"));
    REQUIRE_FALSE(result);
    CHECK(describe(result.error()) == "add default route netlink: no answer from the kernel within 90 s");
    CHECK(rig.fake->trace.back() == "wait(90s)");
  }
}
