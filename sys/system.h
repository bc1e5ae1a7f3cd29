// The one syscall layer: what the boot's steps (drivers, root mount, unions, hand-off) do to the system,
// behind one interface (the drivers' reads of modules.* and sysfs included). LinuxSystem makes the
// calls; the unit tests' FakeSystem records them as a trace and keeps a clock of its own, so each
// step's order and retries are tested without root.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/unique_fd.h"

namespace nfsroot {

// The root attributes a directory shows: permission bits (07777), owner and group.
struct DirectoryAttributes {
  std::uint32_t mode = 0755;
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  friend bool operator==(const DirectoryAttributes&, const DirectoryAttributes&) = default;
};

// A directory of the new root, held open so that what is mounted on is exactly what was
// resolved, whatever the image's symlinks say later.
struct ResolvedDirectory {
  UniqueFd fd;       // O_PATH; not valid in a fake
  std::string path;  // names exactly this directory for mount(2): "/proc/self/fd/7"
};

struct DirectoryStatus {
  DirectoryAttributes attributes;
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
};

// lstat(2) of an entry of the initramfs (or of what is mounted in it: /sys), for the hand-off's
// delete walk and the drivers' sysfs checks.
struct FileStatus {
  bool directory = false;  // a real directory: a symlink to one is not
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  std::uint64_t links = 0;
  std::uint64_t size = 0;
  bool regular = false;  // a regular file
  bool symlink = false;
};

enum class RemoveKind : std::uint8_t { File, Directory };

// copy_file(): what to do on the way.
struct CopyFileOptions {
  bool sha256 = false;  // hash the bytes copied, with the kernel's crypto API (AF_ALG)
  // ETIMEDOUT when no byte has arrived for this long: a hard NFS mount whose server is gone
  // would otherwise block the read for ever.
  std::chrono::milliseconds stall_limit{std::chrono::minutes(3)};
  // Called on the calling thread with the bytes copied so far, every few MiB and at the end.
  std::function<void(std::uint64_t)> progress;
  std::uint32_t mode = 0444;  // of TARGET; 0555 for a program
};

struct CopiedFile {
  std::uint64_t bytes = 0;
  std::string sha256;  // lower-case hex; empty unless asked for
};

class System {
 public:
  using Clock = std::chrono::steady_clock;

  virtual ~System() = default;

  // --- files and directories of the initramfs, /proc and /sys
  // mkdir -p; a directory that is already there is fine.
  [[nodiscard]] virtual Result<void> make_directories(const std::string& path, std::uint32_t mode) = 0;
  // A whole small file: /proc/filesystems, /proc/meminfo, modules.dep, a device's modalias.
  [[nodiscard]] virtual Result<std::string> read_file(const std::string& path) = 0;
  // At most the first max_bytes of a file (an image's superblock), never following a final
  // symlink and never blocking on a FIFO.
  [[nodiscard]] virtual Result<std::string> read_file_head(const std::string& path, std::size_t max_bytes) = 0;
  // Writes TEXT to a file that exists (a sysfs or procfs setting): never creates one, never
  // through a symlink.
  [[nodiscard]] virtual Result<void> write_existing_file(const std::string& path, std::string_view text) = 0;
  // chown, then chmod (chown clears the set-id bits), of a directory in the initramfs.
  [[nodiscard]] virtual Result<void> set_directory_attributes(const std::string& path,
                                                              const DirectoryAttributes& attributes) = 0;

  // lstat(2): never follows a symlink (a sysfs device's "driver" link is found as a symlink).
  [[nodiscard]] virtual Result<FileStatus> file_status(const std::string& path) = 0;
  // The names in a directory, without "." and "..", in name order.
  [[nodiscard]] virtual Result<std::vector<std::string>> directory_names(const std::string& path) = 0;
  // unlink(2) of a file or symlink, rmdir(2) of a directory.
  [[nodiscard]] virtual Result<void> remove(const std::string& path, RemoveKind kind) = 0;

  // --- the new root, resolved inside it
  // PATH as the image sees it, resolved inside ROOT: "..", absolute and relative symlinks all
  // stay inside, magic links are refused. Must be a directory.
  [[nodiscard]] virtual Result<ResolvedDirectory> open_directory_in_root(const std::string& root,
                                                                         const std::string& path) = 0;
  // The text of PATH's last component when it is a symlink (the parents resolved inside ROOT),
  // nullopt when it is not a symlink.
  [[nodiscard]] virtual Result<std::optional<std::string>> read_link_in_root(const std::string& root,
                                                                             const std::string& path) = 0;
  // A small regular file of the image, PATH resolved inside ROOT (as open_directory_in_root):
  // nullopt when it does not exist; an error when it is not a regular file (a FIFO must not
  // block the boot, a device must not be read) or holds more than max_bytes.
  [[nodiscard]] virtual Result<std::optional<std::string>> read_file_in_root(const std::string& root,
                                                                           const std::string& path,
                                                                           std::size_t max_bytes) = 0;
  // fstat(2) of a resolved directory.
  [[nodiscard]] virtual Result<DirectoryStatus> stat_directory(const ResolvedDirectory& directory) = 0;

  // --- mounts and the root
  // mount(2); an empty source, type or data is passed as NULL.
  [[nodiscard]] virtual Result<void> mount(const std::string& source, const std::string& target,
                                           const std::string& type, unsigned long flags, const std::string& data) = 0;
  // mount(2) that is stopped at DEADLINE: ETIMEDOUT then, and nothing is mounted. An NFS mount
  // against a server that accepts connections and never answers waits timeo x (retrans + 1) in
  // the kernel, 180 s with TCP's defaults (nfs(5)), whatever the boot's own deadline says.
  [[nodiscard]] virtual Result<void> mount_until(const std::string& source, const std::string& target,
                                                 const std::string& type, unsigned long flags, const std::string& data,
                                                 Clock::time_point deadline) = 0;
  // Attaches IMAGE read-only to a free loop device (LOOP_CONFIGURE with LO_FLAGS_READ_ONLY |
  // LO_FLAGS_AUTOCLEAR, direct I/O off) and mounts that device on TARGET; the device detaches
  // when the mount goes, or at once if the mount fails. Returns the device ("/dev/loop0").
  [[nodiscard]] virtual Result<std::string> mount_loop(const std::string& image, const std::string& target,
                                                       const std::string& type, unsigned long flags) = 0;
  // move_mount(2) of the mount at FROM onto a resolved directory (MS_MOVE onto exactly it).
  [[nodiscard]] virtual Result<void> move_mount(const std::string& from, const ResolvedDirectory& to) = 0;
  // umount2(2) without flags: EBUSY while a file of it is open.
  [[nodiscard]] virtual Result<void> unmount(const std::string& target) = 0;
  // Copies the regular file SOURCE (never a symlink) to TARGET, a new file (O_EXCL, mode 0444),
  // to its end, whatever its size said before; the bytes copied, and their SHA-256 if asked.
  [[nodiscard]] virtual Result<CopiedFile> copy_file(const std::string& source, const std::string& target,
                                                     const CopyFileOptions& options) = 0;
  // statfs(2)'s f_type of the filesystem PATH is on (RAMFS_MAGIC, TMPFS_MAGIC, NFS_SUPER_MAGIC…).
  [[nodiscard]] virtual Result<std::uint64_t> filesystem_type(const std::string& path) = 0;
  [[nodiscard]] virtual Result<void> change_directory(const std::string& path) = 0;  // chdir(2)
  [[nodiscard]] virtual Result<void> change_root(const std::string& path) = 0;       // chroot(2)

  // --- kernel modules
  // Opens the module file at PATH (O_RDONLY | O_CLOEXEC) and gives it to finit_module(2); a
  // compressed one (.ko.xz, .ko.zst, .ko.gz) is decompressed by the kernel: Linux 6.0+ with
  // CONFIG_MODULE_DECOMPRESS, else EOPNOTSUPP. The error names the call that failed: "open"
  // (the file is missing or unreadable) or "finit_module" (the kernel refused it; ENOENT there
  // is an unknown symbol, not a missing file). Safe to call from the background load's thread.
  [[nodiscard]] virtual Result<void> load_module(const std::string& path) = 0;
  // The running kernel's release, uname(2)'s (uname -r): which /lib/modules/ folder is its.
  [[nodiscard]] virtual Result<std::string> kernel_release() = 0;

  // --- processes
  // fork(2), then in the child: a session of its own (setsid: no console signals), stdin,
  // stdout and stderr on /dev/null, every signal unblocked and at its default, execve(2) of
  // PATH with ARGUMENTS (argv[0] first) and no environment. The child's PID; an exec that
  // fails ends the child with status 127, which only its parent (PID 1) sees.
  [[nodiscard]] virtual Result<long> start_process(const std::string& path, const std::vector<std::string>& arguments) = 0;

  // --- time: every wait has a deadline on the monotonic clock
  [[nodiscard]] virtual Clock::time_point now() = 0;
  // Returns at the deadline (a signal does not cut it short).
  virtual void wait_until(Clock::time_point deadline) = 0;
};

// The real one. Mounts onto a ResolvedDirectory go to "/proc/self/fd/N" of its O_PATH
// descriptor, so /proc must be mounted; move_mount() takes the descriptor itself.
class LinuxSystem final : public System {
 public:
  [[nodiscard]] Result<void> make_directories(const std::string& path, std::uint32_t mode) override;
  [[nodiscard]] Result<std::string> read_file(const std::string& path) override;
  [[nodiscard]] Result<std::string> read_file_head(const std::string& path, std::size_t max_bytes) override;
  [[nodiscard]] Result<void> write_existing_file(const std::string& path, std::string_view text) override;
  [[nodiscard]] Result<void> set_directory_attributes(const std::string& path,
                                                      const DirectoryAttributes& attributes) override;
  [[nodiscard]] Result<FileStatus> file_status(const std::string& path) override;
  [[nodiscard]] Result<std::vector<std::string>> directory_names(const std::string& path) override;
  [[nodiscard]] Result<void> remove(const std::string& path, RemoveKind kind) override;
  [[nodiscard]] Result<ResolvedDirectory> open_directory_in_root(const std::string& root,
                                                                 const std::string& path) override;
  [[nodiscard]] Result<std::optional<std::string>> read_link_in_root(const std::string& root,
                                                                     const std::string& path) override;
  [[nodiscard]] Result<std::optional<std::string>> read_file_in_root(const std::string& root, const std::string& path,
                                                                   std::size_t max_bytes) override;
  [[nodiscard]] Result<DirectoryStatus> stat_directory(const ResolvedDirectory& directory) override;
  [[nodiscard]] Result<void> mount(const std::string& source, const std::string& target, const std::string& type,
                                   unsigned long flags, const std::string& data) override;
  // The mount(2) runs in a child process (same mount namespace) that is killed at the deadline:
  // the NFS client's RPC waits are killable (TASK_KILLABLE), so SIGKILL ends the call.
  [[nodiscard]] Result<void> mount_until(const std::string& source, const std::string& target, const std::string& type,
                                         unsigned long flags, const std::string& data,
                                         Clock::time_point deadline) override;
  [[nodiscard]] Result<std::string> mount_loop(const std::string& image, const std::string& target,
                                               const std::string& type, unsigned long flags) override;
  [[nodiscard]] Result<void> move_mount(const std::string& from, const ResolvedDirectory& to) override;
  [[nodiscard]] Result<void> unmount(const std::string& target) override;
  // The copy runs in a child process that reports its progress through a pipe and is killed
  // when it stalls (an NFS read is killable, TASK_KILLABLE, as the mount is); the hash is
  // the kernel's (socket(AF_ALG) "hash"/"sha256", modules af_alg and algif_hash).
  [[nodiscard]] Result<CopiedFile> copy_file(const std::string& source, const std::string& target,
                                             const CopyFileOptions& options) override;
  [[nodiscard]] Result<std::uint64_t> filesystem_type(const std::string& path) override;
  [[nodiscard]] Result<void> change_directory(const std::string& path) override;
  [[nodiscard]] Result<void> change_root(const std::string& path) override;
  [[nodiscard]] Result<void> load_module(const std::string& path) override;
  [[nodiscard]] Result<std::string> kernel_release() override;
  [[nodiscard]] Result<long> start_process(const std::string& path, const std::vector<std::string>& arguments) override;
  [[nodiscard]] Clock::time_point now() override;
  void wait_until(Clock::time_point deadline) override;
};

}  // namespace nfsroot
