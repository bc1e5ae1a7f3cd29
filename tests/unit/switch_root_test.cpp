// The hand-off through the FakeSystem: "/" made private, each mount moved onto its directory as
// resolved inside the new root, the initramfs check, the move of the new root onto "/".
// free_initramfs()'s walk over a fake initramfs: what it deletes, what it leaves.
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

namespace {

// The initramfs at the hand-off: device 1; the NFS root mounted on /root is device 7; the moved
// mounts left their empty directories behind; busybox's applets are hard links.
FakeSystem initramfs_at_handoff() {
  FakeSystem system;
  system.filesystem_types["/"] = kRamfsMagic;
  auto directory = [&](const std::string& path, std::uint64_t inode) {
    system.initramfs[path] = FileStatus{true, 1, inode, 2, 0};
  };
  auto file = [&](const std::string& path, std::uint64_t inode, std::uint64_t links, std::uint64_t size) {
    system.initramfs[path] = FileStatus{false, 1, inode, links, size};
  };
  directory("/", 1);
  file("/init", 2, 1, 800 * 1024);
  directory("/bin", 3);
  file("/bin/busybox", 4, 2, 2000 * 1024);
  file("/bin/sh", 4, 2, 2000 * 1024);  // the same file: its bytes count once, with the last name
  system.initramfs["/bin/ash"] = FileStatus{false, 1, 5, 1, 7};  // a symlink: unlinked, never followed
  directory("/lib", 6);
  directory("/lib/modules", 7);
  file("/lib/modules/nfs.ko", 8, 1, 400 * 1024);
  for (const char* moved : {"/dev", "/proc", "/run", "/sys"}) directory(moved, 10 + std::string_view(moved).size());
  system.initramfs["/root"] = FileStatus{true, 7, 1, 20, 0};          // the NFS root: another filesystem
  system.initramfs["/mnt"] = FileStatus{true, 9, 1, 2, 0};            // any other mount point
  system.initramfs["/mnt/keep"] = FileStatus{false, 9, 2, 1, 10};
  return system;
}

}  // namespace

TEST_CASE("hand-off: free_initramfs deletes the initramfs depth first, never crossing a mount or following a link",
          "[switch_root]") {
  FakeSystem system = initramfs_at_handoff();
  const auto freed = free_initramfs(system, "/root");
  REQUIRE(freed);
  CHECK(system.trace == Lines{"statfs(/)", "unlink(/bin/ash)", "unlink(/bin/busybox)", "unlink(/bin/sh)", "rmdir(/bin)",
                              "rmdir(/dev)", "unlink(/init)", "unlink(/lib/modules/nfs.ko)", "rmdir(/lib/modules)",
                              "rmdir(/lib)", "rmdir(/proc)", "rmdir(/run)", "rmdir(/sys)"});
  CHECK(freed->files == 5);
  CHECK(freed->bytes == (800 + 2000 + 400) * 1024 + 7);
  CHECK(freed->failures == 0);
  // What is left: the root, the new root's mount point and the other filesystem's files.
  CHECK(system.initramfs.size() == 4);
  CHECK(system.initramfs.contains("/root"));
  CHECK(system.initramfs.contains("/mnt/keep"));
}

TEST_CASE("hand-off: free_initramfs counts what it cannot remove and goes on; a busy directory is no failure",
          "[switch_root]") {
  FakeSystem system = initramfs_at_handoff();
  system.failing_removes["/init"] = EPERM;
  system.failing_removes["/proc"] = EBUSY;  // a mount point on the initramfs itself
  const auto freed = free_initramfs(system, "/root");
  REQUIRE(freed);
  CHECK(freed->failures == 1);
  CHECK(freed->files == 4);
  CHECK(system.initramfs.contains("/init"));
  CHECK(std::ranges::find(system.trace, "rmdir(/sys)") != system.trace.end());
}

TEST_CASE("hand-off: free_initramfs deletes nothing on a root that is not an initramfs", "[switch_root]") {
  FakeSystem system = initramfs_at_handoff();
  system.filesystem_types["/"] = 0xEF53;  // ext4: a container's or a disk's root
  CHECK_FALSE(free_initramfs(system, "/root"));
  CHECK(system.trace == Lines{"statfs(/)"});  // the check, then nothing
}
