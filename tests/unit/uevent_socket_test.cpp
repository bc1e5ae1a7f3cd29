// The uevent socket for real (no root needed to listen): an empty queue is no news, and a
// message that claims to be a uevent but comes from a process, not the kernel, loads nothing.
#include "drivers/uevent_socket.h"

#include <linux/netlink.h>
#include <sys/socket.h>

#include <catch2/catch.hpp>
#include <string_view>

#include "base/unique_fd.h"
#include "fake_system.h"

using namespace nfsroot;
using namespace std::string_view_literals;

namespace {

// An index whose one alias matches the forged message, and an insert that must never run.
ModuleIndex forged_index() {
  auto index = parse_module_index("kernel/drivers/net/usb/cdc_ether.ko:\n",
                                  "alias usb:v0525pA4A2d*dc*dsc*dp*ic02isc06ip*in* cdc_ether\n", "", "");
  REQUIRE(index);
  return *index;
}

}  // namespace

TEST_CASE("uevent socket: nothing queued is an empty report; a process's forged uevent is dropped", "[uevent_socket]") {
  auto socket = UeventSocket::open();
  REQUIRE(socket);
  testing::FakeSystem kernel;
  const ModuleSystem system{kernel, "/nonexistent", "/nonexistent"};
  const ModuleIndex index = forged_index();

  // A unicast from another socket of the family to ours: allowed for any user, but its sender
  // port is not 0, the kernel's.
  sockaddr_nl own{};
  socklen_t length = sizeof own;
  REQUIRE(::getsockname(socket->fd(), reinterpret_cast<sockaddr*>(&own), &length) == 0);
  const UniqueFd forger(::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT));
  REQUIRE(forger.valid());
  constexpr auto kForged =
      "add@/devices/x/1-1:2.0\0ACTION=add\0DEVPATH=/devices/x/1-1:2.0\0SUBSYSTEM=usb\0"
      "MODALIAS=usb:v0525pA4A2d0000dc02dsc00dp00ic02isc06ip00in00\0SEQNUM=1\0"sv;
  sockaddr_nl to{};
  to.nl_family = AF_NETLINK;
  to.nl_pid = own.nl_pid;
  REQUIRE(::sendto(forger.get(), kForged.data(), kForged.size(), 0, reinterpret_cast<const sockaddr*>(&to),
                   sizeof to) == static_cast<ssize_t>(kForged.size()));

  const auto report = socket->handle(system, index);
  REQUIRE(report);
  CHECK(report->modules.devices == 0);
  CHECK(report->new_interfaces.empty());
  CHECK_FALSE(report->rescanned);
  CHECK(kernel.trace.empty());  // no finit_module
}
