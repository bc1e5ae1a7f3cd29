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

// --- IPv6: ip=[<v6 client>]…:none and ip=auto6 -------------------------------------------------

namespace {

Ipv6Address ip6(const char* text) { return *Ipv6Address::parse(text); }

constexpr std::uint32_t kPermanent = 0x80;  // IFA_F_PERMANENT
constexpr std::uint32_t kTentative = 0x40;  // IFA_F_TENTATIVE
constexpr std::uint32_t kDadFailed = 0x08;  // IFA_F_DADFAILED

rtnetlink::Address6Info address6(const char* text, std::uint32_t flags, int link = 3, std::uint8_t scope = 0) {
  rtnetlink::Address6Info info;
  info.link_index = link;
  info.address = ip6(text);
  info.prefix_length = 64;
  info.flags = flags;
  info.scope = scope;
  return info;
}

const rtnetlink::Address6Info kLinkLocal = address6("fe80::5054:ff:fe12:3456", kPermanent, 3, 253);

InterfaceConfig static6_config(bool gateway) {
  InterfaceConfig config;
  config.protocol6 = "none";
  config.address6 = ip6("fd00::5");
  config.prefix6 = 64;
  if (gateway) config.gateway6 = ip6("fe80::1");
  return config;
}

// An event as the kernel sends it to RTNLGRP_IPV6_IFADDR members (sequence 0).
std::vector<std::byte> event(const rtnetlink::Address6Info& address) {
  return FakeNetlinkSocket::address6_message(address, 0);
}

const std::string kAddAddress = "RTM_NEWADDR index=3 prefix=64 scope=0 LOCAL=fd00::5 ADDRESS=fd00::5";
const std::string kListAddresses = "RTM_GETADDR family=10";
const std::string kAddRoute =
    "RTM_NEWROUTE dst_len=0 table=254 protocol=3 scope=0 type=1 DST=:: GATEWAY=fe80::1 OIF=3";

const auto kDadDeadline = std::chrono::seconds(kDuplicateAddressDetectionSeconds);

}  // namespace

TEST_CASE("static IPv6: the address, a wait on its events until DAD clears it, then the route", "[netlink][ipv6]") {
  Rig rig;
  FakeNetlinkSocket events;
  rig.fake->address_dumps = {{kLinkLocal, address6("fd00::5", kPermanent | kTentative)},
                             {kLinkLocal, address6("fd00::5", kPermanent)}};
  events.push_event(event(address6("fd00::5", kPermanent)));
  REQUIRE(configure_link6(rig.netlink, events, eth0(), static6_config(true), events.now() + kDadDeadline));
  // Listed once, woken by the event, listed again: no fixed sleep anywhere.
  CHECK(rig.fake->trace == Lines{kAddAddress, kListAddresses, kListAddresses, kAddRoute});
  CHECK(events.trace.empty());  // the event was waiting: no wait at all
}

TEST_CASE("static IPv6: an address already usable (no DAD on the link) needs no wait, and no gateway no route",
          "[netlink][ipv6]") {
  Rig rig;
  FakeNetlinkSocket events;
  rig.fake->address_dumps = {{address6("fd00::5", kPermanent)}};
  REQUIRE(configure_link6(rig.netlink, events, eth0(), static6_config(false), events.now() + kDadDeadline));
  CHECK(rig.fake->trace == Lines{kAddAddress, kListAddresses});
  CHECK(events.trace.empty());
}

TEST_CASE("static IPv6: other addresses and links that are usable do not end the wait", "[netlink][ipv6]") {
  Rig rig;
  FakeNetlinkSocket events;
  rig.fake->address_dumps = {{address6("fd00::5", kPermanent | kTentative), address6("fd00::5", kPermanent, 4)},
                             {address6("fd00::5", kPermanent | kTentative), address6("fd00::9", kPermanent)}};
  events.push_event(event(address6("fd00::9", kPermanent)));
  const auto result = configure_link6(rig.netlink, events, eth0(), static6_config(true), events.now() + kDadDeadline);
  REQUIRE_FALSE(result);
  CHECK(describe(result.error()).find("still tentative") != std::string::npos);
  CHECK(rig.fake->trace == Lines{kAddAddress, kListAddresses, kListAddresses});
  CHECK(events.trace == Lines{"wait(10s)"});
}

TEST_CASE("static IPv6: events queued together are one more listing, not one each", "[netlink][ipv6]") {
  Rig rig;
  FakeNetlinkSocket events;
  rig.fake->address_dumps = {{address6("fd00::5", kPermanent | kTentative)}, {address6("fd00::5", kPermanent)}};
  for (int i = 0; i < 3; ++i) events.push_event(event(address6("fd00::5", kPermanent)));
  REQUIRE(configure_link6(rig.netlink, events, eth0(), static6_config(true), events.now() + kDadDeadline));
  CHECK(rig.fake->trace == Lines{kAddAddress, kListAddresses, kListAddresses, kAddRoute});
}

TEST_CASE("static IPv6: lost events (ENOBUFS) mean one more listing", "[netlink][ipv6]") {
  Rig rig;
  FakeNetlinkSocket events;
  rig.fake->address_dumps = {{address6("fd00::5", kPermanent | kTentative)}, {address6("fd00::5", kPermanent)}};
  events.overflow_next = true;
  REQUIRE(configure_link6(rig.netlink, events, eth0(), static6_config(false), events.now() + kDadDeadline));
  CHECK(rig.fake->trace == Lines{kAddAddress, kListAddresses, kListAddresses});
  CHECK(events.trace == Lines{"ENOBUFS"});
}

TEST_CASE("static IPv6: DADFAILED names the address, the interface and the fix, and adds no route",
          "[netlink][ipv6]") {
  Rig rig;
  FakeNetlinkSocket events;
  rig.fake->address_dumps = {{address6("fd00::5", kPermanent | kTentative)},
                             {address6("fd00::5", kPermanent | kTentative | kDadFailed)}};
  events.push_event(event(address6("fd00::5", kPermanent | kTentative | kDadFailed)));
  const auto result = configure_link6(rig.netlink, events, eth0(), static6_config(true), events.now() + kDadDeadline);
  REQUIRE_FALSE(result);
  const std::string text = describe(result.error());
  CHECK(text.find("fd00::5/64 on eth0") != std::string::npos);
  CHECK(text.find("another host on the link has this address") != std::string::npos);
  CHECK(text.find("give this client another address (in ip=, or in the DHCPv6 server's pool") != std::string::npos);
  CHECK(rig.fake->trace == Lines{kAddAddress, kListAddresses, kListAddresses});
}

TEST_CASE("static IPv6: an address still tentative at the deadline is an error, after one wait", "[netlink][ipv6]") {
  Rig rig;
  FakeNetlinkSocket events;
  rig.fake->address_dumps = {{address6("fd00::5", kPermanent | kTentative)}};
  const auto result = configure_link6(rig.netlink, events, eth0(), static6_config(true), events.now() + kDadDeadline);
  REQUIRE_FALSE(result);
  CHECK(describe(result.error()).find("still tentative after 10 s") != std::string::npos);
  CHECK(describe(result.error()).find("dad_transmits") != std::string::npos);
  CHECK(events.trace == Lines{"wait(10s)"});
  CHECK(rig.fake->trace == Lines{kAddAddress, kListAddresses});
}

TEST_CASE("static IPv6: a refused address or route stops with the kernel's errno; EEXIST is fine",
          "[netlink][ipv6]") {
  SECTION("IPv6 disabled on the link") {
    Rig rig;
    FakeNetlinkSocket events;
    rig.fake->refusals["RTM_NEWADDR"] = {EACCES};
    const auto result = configure_link6(rig.netlink, events, eth0(), static6_config(true), events.now() + kDadDeadline);
    REQUIRE_FALSE(result);
    CHECK(result.error().errno_value == EACCES);
    CHECK(result.error().input == "fd00::5/64 on eth0");
    CHECK(result.error().hint.find("IPv6 is disabled") != std::string::npos);
  }
  SECTION("the route") {
    Rig rig;
    FakeNetlinkSocket events;
    rig.fake->address_dumps = {{address6("fd00::5", kPermanent)}};
    rig.fake->refusals["RTM_NEWROUTE"] = {ENETUNREACH};
    const auto result = configure_link6(rig.netlink, events, eth0(), static6_config(true), events.now() + kDadDeadline);
    REQUIRE_FALSE(result);
    CHECK(result.error().errno_value == ENETUNREACH);
    CHECK(result.error().input == "via fe80::1 dev eth0");
  }
  SECTION("already there") {
    Rig rig;
    FakeNetlinkSocket events;
    rig.fake->address_dumps = {{address6("fd00::5", kPermanent)}};
    rig.fake->refusals["RTM_NEWADDR"] = {EEXIST};
    rig.fake->refusals["RTM_NEWROUTE"] = {EEXIST};
    CHECK(configure_link6(rig.netlink, events, eth0(), static6_config(true), events.now() + kDadDeadline));
  }
}

TEST_CASE("auto6: the first global address that is no longer tentative, on a link that is a candidate",
          "[netlink][ipv6]") {
  const std::vector<int> links{3};
  CHECK_FALSE(autoconf_address6({kLinkLocal}, links));  // link-local: every link has one
  CHECK_FALSE(autoconf_address6({address6("2001:db8::5054:ff:fe12:3456", kTentative)}, links));
  CHECK_FALSE(autoconf_address6({address6("2001:db8::5054:ff:fe12:3456", kTentative | kDadFailed)}, links));
  CHECK_FALSE(autoconf_address6({address6("2001:db8::1", 0, 4)}, links));  // another link's
  const auto found = autoconf_address6({kLinkLocal, address6("2001:db8::5054:ff:fe12:3456", 0)}, links);
  REQUIRE(found);
  CHECK(found->address.to_string() == "2001:db8::5054:ff:fe12:3456");
  CHECK(found->prefix_length == 64);
}

TEST_CASE("auto6: wait_for_address6 waits on events for the router's prefix, up to the deadline",
          "[netlink][ipv6]") {
  const Address6Check check = [](const std::vector<rtnetlink::Address6Info>& addresses) {
    const auto found = autoconf_address6(addresses, {3});
    return found ? std::optional<Result<rtnetlink::Address6Info>>(*found) : std::nullopt;
  };
  SECTION("the advertisement comes") {
    Rig rig;
    FakeNetlinkSocket events;
    rig.fake->address_dumps = {{kLinkLocal}, {kLinkLocal, address6("2001:db8::5054:ff:fe12:3456", 0)}};
    events.push_event(event(address6("2001:db8::5054:ff:fe12:3456", 0)));
    const auto found = wait_for_address6(rig.netlink, events, events.now() + std::chrono::seconds(30),
                                         check);
    REQUIRE(found);
    REQUIRE(*found);
    CHECK((*found)->address.to_string() == "2001:db8::5054:ff:fe12:3456");
  }
  SECTION("none comes") {
    Rig rig;
    FakeNetlinkSocket events;
    rig.fake->address_dumps = {{kLinkLocal}};
    const auto found = wait_for_address6(rig.netlink, events, events.now() + std::chrono::seconds(30),
                                         check);
    REQUIRE(found);
    CHECK_FALSE(*found);
    CHECK(events.trace == Lines{"wait(30s)"});
  }
}
