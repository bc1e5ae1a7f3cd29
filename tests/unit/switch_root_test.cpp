// The hand-off through the FakeSystem: "/" made private, each mount moved onto its directory as
// resolved inside the new root, the initramfs check, the move of the new root onto "/".
// free_initramfs() itself deletes for real and is run only in QEMU (boot tests), never here.
#include "pid1/switch_root.h"

#include <catch2/catch.hpp>
#include <cerrno>

#include "fake_system.h"

using namespace nfsroot;
using nfsroot::testing::FakeSystem;
using nfsroot::testing::Lines;

namespace {

const std::vector<std::string> kMoved = {"/dev", "/proc", "/sys", "/run"};

FakeSystem image_with(const std::vector<std::string>& directories) {
  FakeSystem system;
  for (const auto& directory : directories) system.add_directory(directory);
  return system;
}

}  // namespace

TEST_CASE("hand-off: / private first, then each mount moved onto its directory in the image, in order",
          "[switch_root]") {
  FakeSystem system = image_with({"/dev", "/proc", "/sys", "/run"});
  REQUIRE(move_mounts(system, "/root", kMoved));
  CHECK(system.trace == Lines{"mount(,/,,rec|private,)", "move_mount(/dev,/root/dev)", "move_mount(/proc,/root/proc)",
                              "move_mount(/sys,/root/sys)", "move_mount(/run,/root/run)"});
}

TEST_CASE("hand-off: an image's symlink at /run or /dev lands inside the new root, never outside", "[switch_root]") {
  FakeSystem system = image_with({"/dev", "/proc", "/sys", "/var", "/var/run", "/mnt", "/mnt/dev"});
  system.symlinks["/run"] = "../../../var/run";  // ".." stops at the new root
  system.symlinks["/dev"] = "/mnt/dev";          // absolute: from the new root
  REQUIRE(move_mounts(system, "/root", kMoved));
  CHECK(system.trace == Lines{"mount(,/,,rec|private,)", "move_mount(/dev,/root/mnt/dev)",
                              "move_mount(/proc,/root/proc)", "move_mount(/sys,/root/sys)",
                              "move_mount(/run,/root/var/run)"});
}

TEST_CASE("hand-off: a directory the image lacks stops the moves there, with the fix", "[switch_root]") {
  FakeSystem system = image_with({"/dev", "/proc", "/run"});
  const auto moved = move_mounts(system, "/root", kMoved);
  REQUIRE_FALSE(moved);
  CHECK(moved.error().hint == "create the directory /sys in the image");
  CHECK(system.trace == Lines{"mount(,/,,rec|private,)", "move_mount(/dev,/root/dev)", "move_mount(/proc,/root/proc)"});
}

TEST_CASE("hand-off: a failed private remount moves nothing", "[switch_root]") {
  FakeSystem system = image_with({"/dev", "/proc", "/sys", "/run"});
  system.failing_mounts["/"] = EINVAL;
  REQUIRE_FALSE(move_mounts(system, "/root", kMoved));
  CHECK(system.trace == Lines{"mount(,/,,rec|private,)"});
}

TEST_CASE("hand-off: only a ramfs or tmpfs root is an initramfs that may be emptied", "[switch_root]") {
  struct Case {
    std::uint64_t type;
    bool initramfs;
  };
  for (const Case c : {Case{kRamfsMagic, true}, Case{kTmpfsMagic, true}, Case{0xEF53, false} /* ext4 */,
                       Case{0x6969, false} /* NFS */, Case{0x794c7630, false} /* overlayfs */}) {
    INFO(c.type);
    FakeSystem system;
    system.filesystem_types["/"] = c.type;
    const auto checked = require_initramfs_root(system);
    CHECK(checked.has_value() == c.initramfs);
    if (!checked) {
      CHECK(describe(checked.error()).find("not an initramfs (ramfs or tmpfs)") != std::string::npos);
      CHECK(checked.error().hint.find("nfsroot-init explain") != std::string::npos);
    }
  }
  FakeSystem unknown;  // statfs fails: not known to be an initramfs, so refused
  CHECK_FALSE(require_initramfs_root(unknown));
}

TEST_CASE("hand-off: the new root is entered by moving it onto / and chrooting, not pivot_root", "[switch_root]") {
  FakeSystem system;
  REQUIRE(enter_new_root(system, "/root"));
  CHECK(system.trace == Lines{"chdir(/root)", "mount(/root,/,,move,)", "chroot(.)", "chdir(/)"});
}
