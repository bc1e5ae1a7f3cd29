// switch_root for an initramfs: the root is rootfs, so it is emptied and over-mounted.
#include "pid1/switch_root.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/unique_fd.h"

namespace nfsroot {

namespace {

// openat2(2) with RESOLVE_IN_ROOT: ".." and absolute symlinks stay inside `root_fd`.
int open_in_root(int root_fd, const std::string& path, std::uint64_t flags) {
  open_how how{};
  how.flags = flags | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT;
  return static_cast<int>(::syscall(SYS_openat2, root_fd, path.c_str(), &how, sizeof how));
}

void delete_below(int directory_fd, dev_t device, const struct stat& root_status, FreedInitramfs& freed) {
  DIR* directory = ::fdopendir(directory_fd);
  if (!directory) {
    ::close(directory_fd);
    ++freed.failures;
    return;
  }
  while (const dirent* entry = ::readdir(directory)) {
    const std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    struct stat status {};
    if (::fstatat(::dirfd(directory), name.c_str(), &status, AT_SYMLINK_NOFOLLOW) != 0) {
      ++freed.failures;
      continue;
    }
    if (status.st_dev != device) continue;  // a mount point: another filesystem, leave it
    if (S_ISDIR(status.st_mode)) {
      if (status.st_dev == root_status.st_dev && status.st_ino == root_status.st_ino) continue;
      const int child = ::openat(::dirfd(directory), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (child < 0) {
        ++freed.failures;
        continue;
      }
      delete_below(child, device, root_status, freed);
      if (::unlinkat(::dirfd(directory), name.c_str(), AT_REMOVEDIR) != 0 && errno != EBUSY) ++freed.failures;
    } else {
      if (::unlinkat(::dirfd(directory), name.c_str(), 0) == 0) {
        ++freed.files;
        // A file's bytes are freed with its last name (busybox has hundreds of hard links).
        if (status.st_nlink <= 1) freed.bytes += static_cast<unsigned long>(status.st_size);
      } else {
        ++freed.failures;
      }
    }
  }
  ::closedir(directory);
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

Result<void> move_mounts(const std::string& new_root, const std::vector<std::string>& mounts) {
  // MS_MOVE fails under shared propagation; the initramfs has no reason to share anything.
  ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr);
  for (const auto& mount_point : mounts) {
    const std::string target = new_root + mount_point;
    if (::mount(mount_point.c_str(), target.c_str(), nullptr, MS_MOVE, nullptr) != 0) {
      const int error = errno;
      return std::unexpected(error_from_errno("move " + mount_point + " to", target, error,
                                              error == ENOENT ? "create " + mount_point + " in the image"
                                                              : std::string()));
    }
  }
  return {};
}

FreedInitramfs free_initramfs(const std::string& new_root) {
  FreedInitramfs freed;
  struct stat root_status {};
  struct stat top {};
  if (::stat(new_root.c_str(), &root_status) != 0 || ::stat("/", &top) != 0) {
    ++freed.failures;
    return freed;
  }
  const int directory = ::open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (directory < 0) {
    ++freed.failures;
    return freed;
  }
  delete_below(directory, top.st_dev, root_status, freed);
  return freed;
}

Result<void> enter_new_root(const std::string& new_root) {
  if (::chdir(new_root.c_str()) != 0) return std::unexpected(error_from_errno("chdir", new_root, errno));
  if (::mount(new_root.c_str(), "/", nullptr, MS_MOVE, nullptr) != 0) {
    return std::unexpected(error_from_errno("move " + new_root + " onto", "/", errno));
  }
  if (::chroot(".") != 0) return std::unexpected(error_from_errno("chroot", new_root, errno));
  if (::chdir("/") != 0) return std::unexpected(error_from_errno("chdir", "/", errno));
  return {};
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
