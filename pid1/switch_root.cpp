// switch_root for an initramfs: the root is rootfs, so it is emptied and over-mounted.
#include "pid1/switch_root.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/text.h"
#include "base/unique_fd.h"

namespace nfsroot {

namespace {

std::string to_hex(std::uint64_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  do {
    text.insert(text.begin(), kDigits[value & 0xf]);
    value >>= 4;
  } while (value != 0);
  return text;
}

// openat2(2) with RESOLVE_IN_ROOT: ".." and absolute symlinks stay inside `root_fd`.
int open_in_root(int root_fd, const std::string& path, std::uint64_t flags) {
  open_how how{};
  how.flags = flags | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT;
  return static_cast<int>(::syscall(SYS_openat2, root_fd, path.c_str(), &how, sizeof how));
}

// Path by path, through the syscall layer: only PID 1 runs now, and the walk recurses only into
// what lstat calls a directory, so no symlink is followed.
void delete_below(System& system, const std::string& directory, const FileStatus& top, const FileStatus& new_root,
                  FreedInitramfs& freed) {
  auto names = system.directory_names(directory);
  if (!names) {
    ++freed.failures;
    return;
  }
  for (const auto& name : *names) {
    const std::string path = directory == "/" ? "/" + name : directory + "/" + name;
    const auto status = system.file_status(path);
    if (!status) {
      ++freed.failures;
      continue;
    }
    if (status->device != top.device) continue;  // a mount point: another filesystem, leave it
    if (status->directory) {
      if (status->device == new_root.device && status->inode == new_root.inode) continue;
      delete_below(system, path, top, new_root, freed);
      // EBUSY: a mount point of this filesystem (a bind), left in place.
      if (auto removed = system.remove(path, RemoveKind::Directory); !removed && removed.error().errno_value != EBUSY) {
        ++freed.failures;
      }
    } else if (system.remove(path, RemoveKind::File)) {
      ++freed.files;
      // A file's bytes are freed with its last name (busybox has hundreds of hard links).
      if (status->links <= 1) freed.bytes += status->size;
    } else {
      ++freed.failures;
    }
  }
}

}  // namespace

Result<std::string> find_init(const std::string& new_root, const std::vector<std::string>& candidates) {
  UniqueFd root(::open(new_root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid()) return std::unexpected(error_from_errno("open new root", new_root, errno));
  std::string tried;
  for (const auto& candidate : candidates) {
    UniqueFd file(open_in_root(root.get(), candidate, O_PATH));
    struct stat status {};
    if (file.valid() && ::fstat(file.get(), &status) == 0 && S_ISREG(status.st_mode) &&
        (status.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)) != 0) {
      return candidate;
    }
    tried += (tried.empty() ? "" : ", ") + candidate;
  }
  return std::unexpected(error_with_problem("find init in " + new_root, tried, "no executable init there",
                                            "install an init in the image, or name one with init="));
}

Result<void> require_initramfs_root(System& system) {
  const std::uint64_t type = TRY(system.filesystem_type("/"));
  if (type == kRamfsMagic || type == kTmpfsMagic) return {};
  return std::unexpected(error_with_problem(
      "/", "filesystem type 0x" + to_hex(type), "not an initramfs (ramfs or tmpfs); the hand-off would delete it",
      "run nfsroot-init as the /init of an initramfs; to see what it would do, run nfsroot-init explain"));
}

Result<void> move_mounts(System& system, const std::string& new_root, const std::vector<std::string>& mounts) {
  TRY(system.mount("", "/", "", MS_REC | MS_PRIVATE, ""));
  for (const auto& mount_point : mounts) {
    auto target = system.open_directory_in_root(new_root, mount_point);
    if (!target) {
      Error error = target.error();
      if (error.errno_value == ENOENT || error.errno_value == ENOTDIR) {
        error.hint = "create the directory " + mount_point + " in the image";
      }
      return std::unexpected(error);
    }
    TRY(system.move_mount(mount_point, *target));
  }
  return {};
}

Result<FreedInitramfs> free_initramfs(System& system, const std::string& new_root) {
  TRY(require_initramfs_root(system));
  FreedInitramfs freed;
  const auto top = system.file_status("/");
  const auto root = system.file_status(new_root);
  if (!top || !root) {
    ++freed.failures;
    return freed;
  }
  delete_below(system, "/", *top, *root, freed);
  return freed;
}

Result<void> enter_new_root(System& system, const std::string& new_root) {
  // pivot_root(2) does not work when the old root is rootfs, which cannot be unmounted: move the
  // new root over it and chroot into it, as busybox's switch_root and systemd do.
  if (auto entered = system.change_directory(new_root); !entered) return entered;
  if (auto moved = system.mount(new_root, "/", "", MS_MOVE, ""); !moved) return moved;
  if (auto rooted = system.change_root("."); !rooted) return rooted;
  return system.change_directory("/");
}

Error exec_init(const std::string& init, const std::vector<std::string>& arguments, char** environment) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(init.c_str()));
  for (const auto& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
  argv.push_back(nullptr);
  ::execve(init.c_str(), argv.data(), environment);
  return error_from_errno("exec", init, errno, "the file exists but the kernel cannot run it (interpreter? architecture?)");
}

}  // namespace nfsroot
