// The network step's writer of the hand-off's runtime files (network/network_up.h), on a
// temporary directory standing for /run.
#include "network/network_up.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "net/manager_files.h"
#include "net/networkd_files.h"

using namespace nfsroot;
namespace fs = std::filesystem;

namespace {

class TemporaryRun {
 public:
  TemporaryRun() {
    char name[] = "/tmp/network_up_test.XXXXXX";
    REQUIRE(::mkdtemp(name) != nullptr);
    path = name;
  }
  ~TemporaryRun() { fs::remove_all(path); }
  std::string read(const std::string& file) const {
    std::ifstream in(path / file);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  fs::path path;
};

InterfaceConfig eth0() {
  InterfaceConfig config;
  config.device = "eth0";
  config.protocol = "dhcp";
  config.address = *Ipv4Address::parse("10.0.2.15");
  config.netmask = *Ipv4Address::parse("255.255.255.0");
  return config;
}

}  // namespace

TEST_CASE("runtime files: each manager's directories are made and each file written whole", "[network_up]") {
  TemporaryRun run;
  const auto config = eth0();
  for (const auto& files : {networkd_runtime_files(config, std::nullopt), networkmanager_runtime_files(config),
                            ifupdown_runtime_files(config)}) {
    REQUIRE(write_runtime_files(run.path.string(), files));
  }
  CHECK(fs::is_regular_file(run.path / "systemd/network/70-nfsroot-eth0.link"));
  CHECK(fs::is_regular_file(run.path / "systemd/network/70-nfsroot-eth0.network"));
  CHECK(run.read("NetworkManager/conf.d/70-nfsroot-eth0.conf") == networkmanager_runtime_files(config)[0].content);
  CHECK(run.read("network/ifstate.eth0") == "nfsroot-init\n");
  CHECK(run.read("network/ifstate") == "eth0=nfsroot-init\n");
  // Nothing under systemd/system: that directory tells every program systemd runs (sd_booted()).
  CHECK_FALSE(fs::exists(run.path / "systemd/system"));
}

TEST_CASE("runtime files: a second write replaces a file whole, a failure is an error", "[network_up]") {
  TemporaryRun run;
  REQUIRE(write_runtime_files(run.path.string(), {{"network/ifstate", "eth1=nfsroot-init\nlo=lo\n"}}));
  REQUIRE(write_runtime_files(run.path.string(), ifupdown_runtime_files(eth0())));
  CHECK(run.read("network/ifstate") == "eth0=nfsroot-init\n");
  // A file where a directory must go.
  REQUIRE(write_runtime_files(run.path.string(), {{"NetworkManager", "not a directory\n"}}));
  CHECK_FALSE(write_runtime_files(run.path.string(), networkmanager_runtime_files(eth0())));
}

TEST_CASE("auto6: accept_ra and autoconf go to 1 where the kernel has 0; a higher accept_ra stays",
          "[network_up][ipv6]") {
  TemporaryRun proc;
  const fs::path conf = proc.path / "sys/net/ipv6/conf/eth0";
  fs::create_directories(conf);
  const auto write = [&](const char* name, const char* value) { std::ofstream(conf / name) << value; };
  LinkInfo eth0;
  eth0.index = 3;
  eth0.name = "eth0";
  write("accept_ra", "0\n");
  write("autoconf", "0\n");
  REQUIRE(allow_router_advertisements(proc.path.string(), eth0));
  // Written as the kernel takes a sysctl, whole and without O_TRUNC: a plain file keeps the "\n".
  CHECK(proc.read("sys/net/ipv6/conf/eth0/accept_ra") == "1\n");
  CHECK(proc.read("sys/net/ipv6/conf/eth0/autoconf") == "1\n");
  write("accept_ra", "2\n");  // "even when forwarding": already takes them
  write("autoconf", "1\n");
  REQUIRE(allow_router_advertisements(proc.path.string(), eth0));
  CHECK(proc.read("sys/net/ipv6/conf/eth0/accept_ra") == "2\n");
  CHECK(proc.read("sys/net/ipv6/conf/eth0/autoconf") == "1\n");
  // No IPv6 on the interface (ipv6.disable=1): the error says so.
  eth0.name = "eth1";
  const auto missing = allow_router_advertisements(proc.path.string(), eth0);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().input == (proc.path / "sys/net/ipv6/conf/eth1/accept_ra").string());
  CHECK(missing.error().hint.find("ipv6.disable=1") != std::string::npos);
}
