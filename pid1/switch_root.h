// The hand-off: find the root's init, move /dev /proc /sys /run into the new root, free the
// initramfs, make the new root "/" and exec init.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/error.h"
#include "sys/system.h"

namespace nfsroot {

// Before the point of no return: the first candidate that is an executable file inside the new
// root, symlinks resolved inside it (/sbin/init -> /lib/systemd/systemd is common).
[[nodiscard]] Result<std::string> find_init(const std::string& new_root, const std::vector<std::string>& candidates);

// statfs(2) magics of the filesystems an initramfs is (linux/magic.h).
inline constexpr std::uint64_t kRamfsMagic = 0x858458f6;
inline constexpr std::uint64_t kTmpfsMagic = 0x01021994;

// Whether "/" is the initramfs (ramfs or tmpfs), as busybox's switch_root and systemd check
// before deleting anything: PID 1 of a container or a machine booted without an initramfs has a
// real root there, which free_initramfs() must never touch.
[[nodiscard]] Result<void> require_initramfs_root(System& system);

// Each mount into the new root: "/" made private first (MS_MOVE fails under shared
// propagation), then each target resolved inside the new root (an image's symlink at /proc or
// /dev cannot send a mount outside it) and the mount moved onto exactly that directory.
[[nodiscard]] Result<void> move_mounts(System& system, const std::string& new_root,
                                       const std::vector<std::string>& mounts);

struct FreedInitramfs {
  std::uint64_t files = 0;
  std::uint64_t bytes = 0;
  unsigned failures = 0;  // entries that could not be removed; reported, not fatal
};

// Deletes everything on the initramfs (rootfs) except the new root's mount point, never
// crossing into another filesystem: that would delete the NFS root or a moved /run.
// Refuses (and deletes nothing) unless require_initramfs_root() holds.
[[nodiscard]] Result<FreedInitramfs> free_initramfs(System& system, const std::string& new_root);

// chdir(new_root), move it onto "/", chroot("."): pivot_root does not work when the old root
// is rootfs, which cannot be unmounted.
[[nodiscard]] Result<void> enter_new_root(System& system, const std::string& new_root);

// execve(init, [init, arguments...], environment). Returns only on failure.
[[nodiscard]] Error exec_init(const std::string& init, const std::vector<std::string>& arguments,
                              char** environment);

}  // namespace nfsroot
