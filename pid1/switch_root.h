// The hand-off: find the root's init, move /dev /proc /sys /run into the new root, free the
// initramfs, make the new root "/" and exec init.
#pragma once

#include <string>
#include <vector>

#include "base/error.h"

namespace nfsroot {

// Before the point of no return: the first candidate that is an executable file inside the new
// root, symlinks resolved inside it (/sbin/init -> /lib/systemd/systemd is common).
[[nodiscard]] Result<std::string> find_init(const std::string& new_root, const std::vector<std::string>& candidates);

// MS_MOVE of each mount into the new root; the target directory must exist in the image.
[[nodiscard]] Result<void> move_mounts(const std::string& new_root, const std::vector<std::string>& mounts);

struct FreedInitramfs {
  unsigned long files = 0;
  unsigned long bytes = 0;
  unsigned failures = 0;  // entries that could not be removed; reported, not fatal
};

// Deletes everything on the initramfs (rootfs) except the new root's mount point, never
// crossing into another filesystem: that would delete the NFS root or a moved /run.
[[nodiscard]] FreedInitramfs free_initramfs(const std::string& new_root);

// chdir(new_root), move it onto "/", chroot("."): pivot_root does not work when the old root
// is rootfs, which cannot be unmounted.
[[nodiscard]] Result<void> enter_new_root(const std::string& new_root);

// execve(init, [init, arguments...], environment). Returns only on failure.
[[nodiscard]] Error exec_init(const std::string& init, const std::vector<std::string>& arguments,
                              char** environment);

}  // namespace nfsroot
