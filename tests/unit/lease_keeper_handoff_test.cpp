// The lease keeper at the hand-off through the FakeSystem: the root's networkd found by its
// enablement link, /init's program kept in /run, the keeper started with its arguments.
#include "pid1/lease_keeper_handoff.h"

#include <catch2/catch.hpp>
#include <cerrno>

#include "fake_system.h"

using namespace nfsroot;
using nfsroot::testing::FakeSystem;

TEST_CASE("root_enables_networkd: a systemd-networkd.service link in a .wants folder of /etc/systemd/system",
          "[lease_keeper]") {
  FakeSystem bare;
  CHECK_FALSE(root_enables_networkd(bare, "/root"));  // no /etc/systemd/system: not systemd, or nothing enabled

  FakeSystem other;
  other.add_initramfs_symlink("/root/etc/systemd/system/multi-user.target.wants/ssh.service");
  other.add_initramfs_symlink("/root/etc/systemd/system/systemd-networkd.service");  // not in a .wants: an alias
  CHECK_FALSE(root_enables_networkd(other, "/root"));

  FakeSystem enabled;
  enabled.add_initramfs_symlink("/root/etc/systemd/system/multi-user.target.wants/systemd-networkd.service");
  CHECK(root_enables_networkd(enabled, "/root"));
}

TEST_CASE("keep_own_program copies /init into /run as a program; start_lease_keeper runs it from there",
          "[lease_keeper]") {
  FakeSystem system;
  system.add_initramfs_file("/init", "ELF");
  REQUIRE(keep_own_program(system, "/init", "/run"));
  CHECK(system.files.at("/run/nfsroot-init/nfsroot-init") == "ELF");
  CHECK(std::find(system.trace.begin(), system.trace.end(), "copy(/init,/run/nfsroot-init/nfsroot-init,0555)") !=
        system.trace.end());

  const auto pid = start_lease_keeper(system, "eth0", false);
  REQUIRE(pid);
  CHECK(*pid == 4242);
  CHECK(system.trace.back() == "start(/run/nfsroot-init/nfsroot-init,nfsroot-init,keep-lease,eth0,--kmsg)");
  static_cast<void>(start_lease_keeper(system, "eth1", true));
  CHECK(system.trace.back() == "start(/run/nfsroot-init/nfsroot-init,nfsroot-init,keep-lease,eth1,--kmsg,--debug)");

  system.failing_start = EAGAIN;
  const auto failed = start_lease_keeper(system, "eth0", false);
  REQUIRE_FALSE(failed);
  CHECK(describe(failed.error()).find("fork") != std::string::npos);

  FakeSystem missing;
  CHECK_FALSE(keep_own_program(missing, "/init", "/run"));
}
