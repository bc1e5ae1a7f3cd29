// Interface selection: ip= device, then BOOTIF=, then every Ethernet interface.
#include "net/link_selection.h"

#include <catch2/catch.hpp>

using namespace nfsroot;

namespace {
LinkInfo link(int index, const char* name, const char* mac, bool ethernet) {
  LinkInfo info;
  info.index = index;
  info.name = name;
  if (mac) info.mac = MacAddress::parse(mac);
  info.ethernet = ethernet;
  return info;
}
const std::vector<LinkInfo> kLinks = {
    link(1, "lo", "00:00:00:00:00:00", false),
    link(2, "eth0", "52:54:00:12:34:56", true),
    link(3, "eth1", "52:54:00:12:34:57", true),
    link(4, "wwan0", nullptr, false),
};
std::vector<std::string> names(const std::vector<LinkInfo>& links) {
  std::vector<std::string> out;
  for (const auto& l : links) out.push_back(l.name);
  return out;
}
}  // namespace

TEST_CASE("link selection: every Ethernet interface by default, never loopback", "[link_selection]") {
  NetworkStep step;
  CHECK(names(select_links(kLinks, step)) == std::vector<std::string>{"eth0", "eth1"});
  CHECK(describe_choice(step) == "an Ethernet interface");
}

TEST_CASE("link selection: ip= device by name, BOOTIF= by MAC", "[link_selection]") {
  NetworkStep by_name;
  by_name.choice = InterfaceChoice::ByName;
  by_name.device = "eth1";
  CHECK(names(select_links(kLinks, by_name)) == std::vector<std::string>{"eth1"});
  by_name.device = "eth9";
  CHECK(select_links(kLinks, by_name).empty());

  NetworkStep by_mac;
  by_mac.choice = InterfaceChoice::ByMac;
  by_mac.mac = MacAddress::parse("52:54:00:12:34:57");
  CHECK(names(select_links(kLinks, by_mac)) == std::vector<std::string>{"eth1"});
  CHECK(describe_choice(by_mac) == "the interface with MAC 52:54:00:12:34:57 (BOOTIF=)");
}

TEST_CASE("link selection: what is there, for the message when nothing matched", "[link_selection]") {
  CHECK(describe_links(kLinks) == "lo 00:00:00:00:00:00, eth0 52:54:00:12:34:56, eth1 52:54:00:12:34:57, wwan0");
  CHECK(describe_links({}) == "none");
}
