// The syscall layer on Linux: mkdir(2), mount(2) (in a child with a deadline: fork(2),
// pidfd_open(2), poll(2), kill(2), waitpid(2)), move_mount(2), openat2(2) with RESOLVE_IN_ROOT,
// fstat(2), lstat(2), fchown(2), statfs(2), chdir(2), chroot(2), finit_module(2), clock_nanosleep(2).
#include "sys/system.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/if_alg.h>
#include <linux/loop.h>
#include <linux/module.h>
#include <linux/openat2.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/utsname.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <memory>
#include <type_traits>

#include "base/cat.h"
#include "base/file.h"
#include "sys/wait_for_events.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434  // Linux 5.3; the same number on every architecture since 5.1's unified table
#endif

#ifndef MOVE_MOUNT_T_EMPTY_PATH
#define MOVE_MOUNT_T_EMPTY_PATH 0x00000040  // linux/mount.h, which clashes with sys/mount.h
#endif

namespace nfsroot {

namespace {

UniqueFd open_root(const std::string& root, int& errno_value) {
  UniqueFd fd(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  errno_value = fd.valid() ? 0 : errno;
  return fd;
}

// RESOLVE_IN_ROOT treats ROOT as "/" for the whole walk: ".." stops there and absolute symlinks
// start there, so /var -> / or /var -> ../../.. in the image stay in the image. Magic links
// (/proc/self/root, …) could jump anywhere and are refused. The kernel answers EAGAIN when a
// rename or mount elsewhere raced the walk and it cannot vouch for ".."; trying again is safe.
int openat2_in_root(int root_fd, const std::string& path, std::uint64_t flags) {
  open_how how{};
  how.flags = flags | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  for (int attempt = 0;; ++attempt) {
    const long fd = ::syscall(SYS_openat2, root_fd, path.c_str(), &how, sizeof how);
    if (fd >= 0 || errno != EAGAIN || attempt == 10) return static_cast<int>(fd);
  }
}

}  // namespace

Result<void> LinuxSystem::make_directories(const std::string& path, std::uint32_t mode) {
  for (std::size_t end = 1; end != std::string::npos && end <= path.size();) {
    end = path.find('/', end + 1);
    const std::string prefix = path.substr(0, end);
    const bool last = end == std::string::npos;
    if (::mkdir(prefix.c_str(), last ? mode : 0755) == 0) continue;
    const int error = errno;
    struct stat status {};
    if (error == EEXIST && ::stat(prefix.c_str(), &status) == 0 && S_ISDIR(status.st_mode)) continue;
    return std::unexpected(error_from_errno("mkdir", prefix, error == EEXIST ? ENOTDIR : error));
  }
  return {};
}

Result<void> LinuxSystem::mount(const std::string& source, const std::string& target, const std::string& type,
                                     unsigned long flags, const std::string& data) {
  const auto or_null = [](const std::string& text) { return text.empty() ? nullptr : text.c_str(); };
  if (::mount(or_null(source), target.c_str(), or_null(type), flags, or_null(data)) != 0) {
    return std::unexpected(error_from_errno(type.empty() ? "mount " + source + " onto" : "mount " + type, target, errno));
  }
  return {};
}

namespace {

// The device PATH is on; a mount on PATH changes it.
std::optional<dev_t> device_of(const std::string& path) {
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0) return std::nullopt;
  return status.st_dev;
}

}  // namespace

Result<void> LinuxSystem::mount_until(const std::string& source, const std::string& target, const std::string& type,
                                      unsigned long flags, const std::string& data, Clock::time_point deadline) {
  // Everything the child needs is ready before fork(): it makes one system call and _exit()s,
  // which is safe even while the background module load's thread runs.
  const auto or_null = [](const std::string& text) { return text.empty() ? nullptr : text.c_str(); };
  const char* const source_text = or_null(source);
  const char* const type_text = or_null(type);
  const char* const data_text = or_null(data);
  const std::optional<dev_t> device_before = device_of(target);
  const std::string operation = type.empty() ? "mount " + source + " onto" : "mount " + type;

  const pid_t child = ::fork();
  if (child < 0) return std::unexpected(error_from_errno("fork for " + operation, target, errno));
  if (child == 0) {
    const int result = ::mount(source_text, target.c_str(), type_text, flags, data_text);
    ::_exit(result == 0 ? 0 : errno);  // every errno fits in an exit status
  }

  // A pidfd polls readable when the child exits. Without one (Linux < 5.3) the wait has no
  // deadline of ours, as a plain mount(2) would not.
  const UniqueFd child_fd(static_cast<int>(::syscall(SYS_pidfd_open, child, 0)));
  bool stopped = false;
  if (child_fd.valid()) {
    const auto exited = wait_for_events(child_fd.get(), POLLIN, deadline, "pidfd of " + operation);
    if (!exited || !*exited) {
      stopped = true;  // the deadline (or a poll that cannot wait): stop the attempt
      ::kill(child, SIGKILL);
    }
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) return std::unexpected(error_from_errno("waitpid for " + operation, target, errno));
  }
  if (WIFEXITED(status)) {
    const int error = WEXITSTATUS(status);
    if (error == 0) return {};
    return std::unexpected(error_from_errno(operation, target, error));
  }
  // Killed. The mount may have completed in the instant before SIGKILL: then it is there.
  if (stopped && device_of(target) != device_before) return {};
  return std::unexpected(error_from_errno(operation, target, stopped ? ETIMEDOUT : EINTR,
                                          stopped ? "no answer by the deadline: the attempt was stopped" : ""));
}

Result<ResolvedDirectory> LinuxSystem::open_directory_in_root(const std::string& root, const std::string& path) {
  int error = 0;
  const UniqueFd root_fd = open_root(root, error);
  if (!root_fd.valid()) return std::unexpected(error_from_errno("open", root, error));
  UniqueFd fd(openat2_in_root(root_fd.get(), path, O_PATH | O_DIRECTORY));
  if (!fd.valid()) return std::unexpected(error_from_errno("openat2", path + " in " + root, errno));
  std::string proc_path = "/proc/self/fd/" + std::to_string(fd.get());
  return ResolvedDirectory{std::move(fd), std::move(proc_path)};
}

Result<std::optional<std::string>> LinuxSystem::read_link_in_root(const std::string& root,
                                                                       const std::string& path) {
  int error = 0;
  const UniqueFd root_fd = open_root(root, error);
  if (!root_fd.valid()) return std::unexpected(error_from_errno("open", root, error));
  // O_PATH | O_NOFOLLOW opens a final symlink itself; readlinkat(fd, "") reads it.
  const UniqueFd fd(openat2_in_root(root_fd.get(), path, O_PATH | O_NOFOLLOW));
  if (!fd.valid()) return std::unexpected(error_from_errno("openat2", path + " in " + root, errno));
  struct stat status {};
  if (::fstat(fd.get(), &status) != 0) return std::unexpected(error_from_errno("fstat", path, errno));
  if (!S_ISLNK(status.st_mode)) return std::optional<std::string>{};
  std::string text(PATH_MAX, '\0');
  const ssize_t size = ::readlinkat(fd.get(), "", text.data(), text.size());
  if (size < 0) return std::unexpected(error_from_errno("readlinkat", path, errno));
  text.resize(static_cast<std::size_t>(size));
  return std::optional<std::string>(std::move(text));
}

Result<std::optional<std::string>> LinuxSystem::read_file_in_root(const std::string& root, const std::string& path,
                                                                  std::size_t max_bytes) {
  int error = 0;
  const UniqueFd root_fd = open_root(root, error);
  if (!root_fd.valid()) return std::unexpected(error_from_errno("open", root, error));
  // O_NONBLOCK: opening a FIFO must not wait for a writer that never comes.
  const UniqueFd fd(openat2_in_root(root_fd.get(), path, O_RDONLY | O_NONBLOCK | O_NOCTTY));
  if (!fd.valid()) {
    if (errno == ENOENT) return std::optional<std::string>{};
    return std::unexpected(error_from_errno("openat2", path + " in " + root, errno));
  }
  struct stat status {};
  if (::fstat(fd.get(), &status) != 0) return std::unexpected(error_from_errno("fstat", path, errno));
  if (!S_ISREG(status.st_mode)) {
    return std::unexpected(error_with_problem(root + path, "", "not a regular file", "make it a plain text file"));
  }
  std::string text;
  char buffer[4096];
  for (;;) {
    const ssize_t got = ::read(fd.get(), buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return std::unexpected(error_from_errno("read", root + path, errno));
    if (got == 0) break;
    text.append(buffer, static_cast<std::size_t>(got));
    if (text.size() > max_bytes) {
      return std::unexpected(error_with_problem(root + path, "", cat("larger than ", max_bytes, " bytes"),
                                                "keep it to the entries it needs"));
    }
  }
  return std::optional<std::string>(std::move(text));
}

Result<DirectoryStatus> LinuxSystem::stat_directory(const ResolvedDirectory& directory) {
  struct stat status {};
  if (::fstat(directory.fd.get(), &status) != 0) {
    return std::unexpected(error_from_errno("fstat", directory.path, errno));
  }
  if (!S_ISDIR(status.st_mode)) return std::unexpected(error_from_errno("fstat", directory.path, ENOTDIR));
  return DirectoryStatus{{static_cast<std::uint32_t>(status.st_mode & 07777), status.st_uid, status.st_gid},
                         static_cast<std::uint64_t>(status.st_dev),
                         static_cast<std::uint64_t>(status.st_ino)};
}

Result<void> LinuxSystem::set_directory_attributes(const std::string& path,
                                                        const DirectoryAttributes& attributes) {
  const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) return std::unexpected(error_from_errno("open", path, errno));
  if (::fchown(fd.get(), attributes.uid, attributes.gid) != 0) {
    return std::unexpected(error_from_errno("fchown", path, errno));
  }
  if (::fchmod(fd.get(), static_cast<mode_t>(attributes.mode & 07777)) != 0) {
    return std::unexpected(error_from_errno("fchmod", path, errno));
  }
  return {};
}


Result<std::string> LinuxSystem::read_file(const std::string& path) { return nfsroot::read_file(path); }

Result<std::string> LinuxSystem::read_file_head(const std::string& path, std::size_t max_bytes) {
  const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (!fd.valid()) return std::unexpected(error_from_errno("open", path, errno));
  std::string head(max_bytes, '\0');
  std::size_t filled = 0;
  while (filled < max_bytes) {
    const ssize_t got = ::read(fd.get(), head.data() + filled, max_bytes - filled);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return std::unexpected(error_from_errno("read", path, errno));
    if (got == 0) break;
    filled += static_cast<std::size_t>(got);
  }
  head.resize(filled);
  return head;
}

Result<void> LinuxSystem::write_existing_file(const std::string& path, std::string_view text) {
  return nfsroot::write_existing_file(path, text);
}

Result<std::string> LinuxSystem::mount_loop(const std::string& image, const std::string& target,
                                            const std::string& type, unsigned long flags) {
  const UniqueFd file(::open(image.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!file.valid()) return std::unexpected(error_from_errno("open", image, errno));
  const UniqueFd control(::open("/dev/loop-control", O_RDWR | O_CLOEXEC));
  if (!control.valid()) {
    return std::unexpected(error_from_errno("open", "/dev/loop-control", errno, "is the loop module loaded?"));
  }
  // Another process may configure the free device first (EBUSY): ask for the next free one.
  for (int attempt = 0; attempt < 8; ++attempt) {
    const int number = ::ioctl(control.get(), LOOP_CTL_GET_FREE);
    if (number < 0) return std::unexpected(error_from_errno("LOOP_CTL_GET_FREE", "/dev/loop-control", errno));
    const std::string device = "/dev/loop" + std::to_string(number);
    // Read-only: the kernel makes the device read-only too when its fd cannot write (loop.c).
    const UniqueFd loop(::open(device.c_str(), O_RDONLY | O_CLOEXEC));
    if (!loop.valid()) return std::unexpected(error_from_errno("open", device, errno));
    loop_config config{};
    config.fd = static_cast<std::uint32_t>(file.get());
    config.info.lo_flags = LO_FLAGS_READ_ONLY | LO_FLAGS_AUTOCLEAR;
    const std::size_t name_size = std::min(image.size(), sizeof config.info.lo_file_name - 1);
    std::copy_n(image.data(), name_size, reinterpret_cast<char*>(config.info.lo_file_name));
    // LOOP_CONFIGURE (Linux 5.8) sets the file and its flags in one call, so no other process
    // ever sees the device half configured.
    if (::ioctl(loop.get(), LOOP_CONFIGURE, &config) != 0) {
      if (errno == EBUSY) continue;
      return std::unexpected(error_from_errno("LOOP_CONFIGURE", device + " with " + image, errno));
    }
    // Mounted while `loop` is still open: with LO_FLAGS_AUTOCLEAR, the last close detaches it.
    if (::mount(device.c_str(), target.c_str(), type.c_str(), flags, nullptr) != 0) {
      return std::unexpected(error_from_errno("mount " + type + " " + device, target, errno));
    }
    return device;
  }
  return std::unexpected(error_from_errno("LOOP_CONFIGURE", image, EBUSY, "every free loop device was taken"));
}

Result<void> LinuxSystem::move_mount(const std::string& from, const ResolvedDirectory& to) {
  // The raw syscall: glibc's move_mount() wrapper is its own (2.36), musl has none.
  if (::syscall(SYS_move_mount, AT_FDCWD, from.c_str(), to.fd.get(), "", MOVE_MOUNT_T_EMPTY_PATH) != 0) {
    return std::unexpected(error_from_errno("move mount " + from + " to", to.path, errno));
  }
  return {};
}

Result<void> LinuxSystem::unmount(const std::string& target) {
  if (::umount2(target.c_str(), 0) != 0) return std::unexpected(error_from_errno("umount", target, errno));
  return {};
}

namespace {

// What the copy child tells its parent, one atomic pipe write each (well under PIPE_BUF).
struct CopyReport {
  enum Kind : std::uint32_t { Progress, Done, Failed };
  std::uint64_t bytes = 0;
  Kind kind = Progress;
  std::int32_t error = 0;  // Failed: the errno
  std::uint32_t step = 0;  // Failed: which call (kCopySteps)
  unsigned char digest[32] = {};
};
constexpr const char* kCopySteps[] = {"read", "write", "send to AF_ALG", "read from AF_ALG"};

// A socket of the kernel's hash "sha256", ready for data (Documentation/crypto/userspace-if.rst).
Result<UniqueFd> open_sha256() {
  const UniqueFd algorithm(::socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
  if (!algorithm.valid()) {
    return std::unexpected(error_from_errno("socket(AF_ALG)", "", errno,
                                            "the kernel has no crypto user API (CONFIG_CRYPTO_USER_API_HASH): is "
                                            "the af_alg module in the initramfs?"));
  }
  sockaddr_alg address{};
  address.salg_family = AF_ALG;
  std::copy_n("hash", 5, reinterpret_cast<char*>(address.salg_type));
  std::copy_n("sha256", 7, reinterpret_cast<char*>(address.salg_name));
  if (::bind(algorithm.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    return std::unexpected(error_from_errno("bind AF_ALG", "hash sha256", errno,
                                            "is the algif_hash module in the initramfs?"));
  }
  UniqueFd operation(::accept4(algorithm.get(), nullptr, nullptr, SOCK_CLOEXEC));
  if (!operation.valid()) return std::unexpected(error_from_errno("accept AF_ALG", "hash sha256", errno));
  return operation;
}

// The child's whole work: system calls only, then _exit (the parent may have threads).
[[noreturn]] void copy_in_child(int source, int target, int hash, int report_fd, char* buffer, std::size_t size) {
  CopyReport report;
  const auto fail = [&](std::uint32_t step) {
    report.kind = CopyReport::Failed;
    report.error = errno;
    report.step = step;
    [[maybe_unused]] const ssize_t written = ::write(report_fd, &report, sizeof report);
    ::_exit(1);
  };
  std::uint64_t reported = 0;
  for (;;) {
    const ssize_t got = ::read(source, buffer, size);
    if (got < 0) {
      if (errno == EINTR) continue;
      fail(0);
    }
    if (got == 0) break;
    for (ssize_t done = 0; done < got;) {
      const ssize_t put = ::write(target, buffer + done, static_cast<std::size_t>(got - done));
      if (put < 0 && errno != EINTR) fail(1);
      if (put > 0) done += put;
    }
    // MSG_MORE: the hash goes on over the next send; the read at the end finishes it.
    for (ssize_t done = 0; hash >= 0 && done < got;) {
      const ssize_t put = ::send(hash, buffer + done, static_cast<std::size_t>(got - done), MSG_MORE);
      if (put < 0 && errno != EINTR) fail(2);
      if (put > 0) done += put;
    }
    report.bytes += static_cast<std::uint64_t>(got);
    if (report.bytes - reported >= 4 * size) {
      reported = report.bytes;
      [[maybe_unused]] const ssize_t written = ::write(report_fd, &report, sizeof report);
    }
  }
  if (hash >= 0 && ::read(hash, report.digest, sizeof report.digest) != sizeof report.digest) fail(3);
  report.kind = CopyReport::Done;
  [[maybe_unused]] const ssize_t written = ::write(report_fd, &report, sizeof report);
  ::_exit(0);
}

std::string hex(const unsigned char* bytes, std::size_t size) {
  constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  for (std::size_t i = 0; i < size; ++i) {
    text += kDigits[bytes[i] >> 4];
    text += kDigits[bytes[i] & 0xf];
  }
  return text;
}

}  // namespace

Result<CopiedFile> LinuxSystem::copy_file(const std::string& source, const std::string& target,
                                          const CopyFileOptions& options) {
  // O_NONBLOCK: a FIFO put there meanwhile must not hold the open; it is refused below.
  const UniqueFd from(::open(source.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!from.valid()) return std::unexpected(error_from_errno("open", source, errno));
  struct stat source_status {};
  if (::fstat(from.get(), &source_status) != 0) return std::unexpected(error_from_errno("fstat", source, errno));
  if (!S_ISREG(source_status.st_mode)) return std::unexpected(error_with_problem("copy", source, "not a regular file"));
  UniqueFd hash;
  if (options.sha256) hash = TRY(open_sha256());
  const UniqueFd to(::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, options.mode));
  if (!to.valid()) return std::unexpected(error_from_errno("create", target, errno));
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return std::unexpected(error_from_errno("pipe2", "for the copy", errno));
  UniqueFd reports(pipe_fds[0]);
  UniqueFd report_writer(pipe_fds[1]);
  // 1 MiB: an NFS READ is up to rsize (1 MiB with ganesha and the kernel's maximum), so one
  // read(2) keeps the client's readahead busy.
  constexpr std::size_t kBuffer = 1 << 20;
  const std::unique_ptr<char[]> buffer(new char[kBuffer]);
  const std::string operation = "copy " + source + " to";

  const pid_t child = ::fork();
  if (child < 0) return std::unexpected(error_from_errno("fork for " + operation, target, errno));
  if (child == 0) {
    copy_in_child(from.get(), to.get(), hash.valid() ? hash.get() : -1, report_writer.get(), buffer.get(), kBuffer);
  }
  report_writer.reset();  // the pipe's end of file is then the child's exit

  CopyReport last;
  std::size_t held = 0;  // bytes of a report read in part
  alignas(CopyReport) unsigned char pending[sizeof(CopyReport)];
  bool stalled = false;
  Result<void> failure;
  for (;;) {
    const auto ready = wait_for_events(reports.get(), POLLIN, now() + options.stall_limit, "copy reports");
    if (!ready) {
      failure = std::unexpected(ready.error());
      break;
    }
    if (!*ready) {
      stalled = true;
      break;
    }
    const ssize_t got = ::read(reports.get(), pending + held, sizeof pending - held);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;  // the child has exited
    held += static_cast<std::size_t>(got);
    if (held < sizeof pending) continue;
    held = 0;
    std::memcpy(&last, pending, sizeof last);
    if (last.kind == CopyReport::Failed) break;
    if (options.progress) options.progress(last.bytes);  // the last one at the end of the file
    if (last.kind == CopyReport::Done) break;
  }
  if (stalled || !failure) ::kill(child, SIGKILL);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (!failure) return std::unexpected(failure.error());
  if (stalled) {
    return std::unexpected(error_from_errno(
        operation, target, ETIMEDOUT,
        cat("no data for ", std::chrono::duration_cast<std::chrono::seconds>(options.stall_limit).count(),
            " s after ", last.bytes, " bytes: is the server up?")));
  }
  if (last.kind == CopyReport::Failed) {
    const std::uint32_t step = std::min<std::uint32_t>(last.step, std::size(kCopySteps) - 1);
    const std::string& file = step == 0 ? source : step == 1 ? target : std::string("hash sha256");
    return std::unexpected(with_context(error_from_errno(kCopySteps[step], file, last.error),
                                        cat(operation, ' ', target, " after ", last.bytes, " bytes")));
  }
  if (last.kind != CopyReport::Done) {
    return std::unexpected(error_with_problem(operation, target, "the copying process ended without a word"));
  }
  CopiedFile copied;
  copied.bytes = last.bytes;
  if (hash.valid()) copied.sha256 = hex(last.digest, sizeof last.digest);
  return copied;
}

Result<std::uint64_t> LinuxSystem::filesystem_type(const std::string& path) {
  struct statfs status {};
  if (::statfs(path.c_str(), &status) != 0) return std::unexpected(error_from_errno("statfs", path, errno));
  // f_type is a signed word: 64 bits on amd64 and arm64, 32 on i386, where magics with the top
  // bit set (RAMFS_MAGIC 0x858458f6) read as negative and would sign-extend to
  // 0xffffffff858458f6. Read it as the unsigned word it is, then widen.
  return static_cast<std::uint64_t>(static_cast<std::make_unsigned_t<decltype(status.f_type)>>(status.f_type));
}

Result<void> LinuxSystem::change_directory(const std::string& path) {
  if (::chdir(path.c_str()) != 0) return std::unexpected(error_from_errno("chdir", path, errno));
  return {};
}

Result<void> LinuxSystem::change_root(const std::string& path) {
  if (::chroot(path.c_str()) != 0) return std::unexpected(error_from_errno("chroot", path, errno));
  return {};
}

Result<FileStatus> LinuxSystem::file_status(const std::string& path) {
  struct stat status {};
  if (::lstat(path.c_str(), &status) != 0) return std::unexpected(error_from_errno("lstat", path, errno));
  return FileStatus{S_ISDIR(status.st_mode), status.st_dev, status.st_ino, status.st_nlink,
                    static_cast<std::uint64_t>(status.st_size), S_ISREG(status.st_mode), S_ISLNK(status.st_mode)};
}

Result<std::vector<std::string>> LinuxSystem::directory_names(const std::string& path) {
  // opendir(3) opens with O_CLOEXEC in glibc and musl.
  const std::unique_ptr<DIR, int (*)(DIR*)> directory(::opendir(path.c_str()), ::closedir);
  if (!directory) return std::unexpected(error_from_errno("opendir", path, errno));
  std::vector<std::string> names;
  errno = 0;
  while (const dirent* entry = ::readdir(directory.get())) {
    const std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
    errno = 0;
  }
  if (errno != 0) return std::unexpected(error_from_errno("readdir", path, errno));
  std::ranges::sort(names);
  return names;
}

Result<void> LinuxSystem::remove(const std::string& path, RemoveKind kind) {
  const int flags = kind == RemoveKind::Directory ? AT_REMOVEDIR : 0;
  if (::unlinkat(AT_FDCWD, path.c_str(), flags) != 0) {
    return std::unexpected(error_from_errno(kind == RemoveKind::Directory ? "rmdir" : "unlink", path, errno));
  }
  return {};
}

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4  // Linux 5.17 uapi; older headers lack it
#endif

Result<std::string> LinuxSystem::kernel_release() {
  struct utsname names {};
  if (::uname(&names) != 0) return std::unexpected(error_from_errno("uname", "", errno));
  return std::string(names.release);
}

Result<long> LinuxSystem::start_process(const std::string& path, const std::vector<std::string>& arguments) {
  // Everything the child needs is built before fork(): between fork() and execve() it may only
  // make async-signal-safe calls (no allocation: another thread may have held malloc's lock).
  std::vector<char*> argv;
  for (const auto& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
  argv.push_back(nullptr);
  char* no_environment[] = {nullptr};
  sigset_t all;
  sigfillset(&all);
  const pid_t pid = ::fork();
  if (pid < 0) return std::unexpected(error_from_errno("fork", path, errno));
  if (pid == 0) {
    ::setsid();
    const int null = ::open("/dev/null", O_RDWR);
    if (null >= 0) {
      for (int fd = 0; fd <= 2; ++fd) ::dup2(null, fd);
      if (null > 2) ::close(null);
    }
    // execve() resets caught signals but keeps ignored ones ignored and the mask as it is.
    for (int signal = 1; signal < NSIG; ++signal) {
      if (signal != SIGKILL && signal != SIGSTOP) ::signal(signal, SIG_DFL);
    }
    ::sigprocmask(SIG_UNBLOCK, &all, nullptr);
    ::execve(path.c_str(), argv.data(), no_environment);
    ::_exit(127);
  }
  return static_cast<long>(pid);
}

Result<void> LinuxSystem::load_module(const std::string& path) {
  // Only local state: the background load's thread calls this while the boot goes on.
  const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return std::unexpected(error_from_errno("open", path, errno));
  const std::string_view name = path;
  const bool compressed = name.ends_with(".ko.xz") || name.ends_with(".ko.zst") || name.ends_with(".ko.gz");
  const int flags = compressed ? MODULE_INIT_COMPRESSED_FILE : 0;
  if (::syscall(SYS_finit_module, fd.get(), "", flags) != 0) {
    return std::unexpected(error_from_errno("finit_module", path, errno));
  }
  return {};
}

System::Clock::time_point LinuxSystem::now() { return Clock::now(); }

void LinuxSystem::wait_until(Clock::time_point deadline) {
  // steady_clock is CLOCK_MONOTONIC in libstdc++ and libc++: its epoch is that clock's.
  const auto since_epoch = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline.time_since_epoch()).count();
  timespec due{};
  due.tv_sec = static_cast<time_t>(since_epoch / 1'000'000'000);
  due.tv_nsec = static_cast<long>(since_epoch % 1'000'000'000);
  while (::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, nullptr) == EINTR) {
  }
}

}  // namespace nfsroot
