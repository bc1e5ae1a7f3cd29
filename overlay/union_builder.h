// The union builder: performs a UnionPlan through a small syscall interface. Every mount point is
// resolved inside the new root, so a symlink in the image never sends a mount anywhere else.
// Returns what happened, one result per union; only init/ logs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/unique_fd.h"
#include "overlay/union_plan.h"

namespace nfsroot {

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

// The syscalls the builder makes; the tests give it a fake that records a trace.
class UnionSystem {
 public:
  virtual ~UnionSystem() = default;

  // mkdir -p in the initramfs; a directory that is already there is fine.
  [[nodiscard]] virtual Result<void> make_directories(const std::string& path, std::uint32_t mode) = 0;
  // mount(2).
  [[nodiscard]] virtual Result<void> mount(const std::string& source, const std::string& target,
                                           const std::string& type, unsigned long flags, const std::string& data) = 0;
  // PATH as the image sees it, resolved inside ROOT: "..", absolute and relative symlinks all
  // stay inside, magic links are refused. Must be a directory.
  [[nodiscard]] virtual Result<ResolvedDirectory> open_directory_in_root(const std::string& root,
                                                                         const std::string& path) = 0;
  // The text of PATH's last component when it is a symlink (the parents resolved inside ROOT),
  // nullopt when it is not a symlink.
  [[nodiscard]] virtual Result<std::optional<std::string>> read_link_in_root(const std::string& root,
                                                                             const std::string& path) = 0;
  // fstat(2) of a resolved directory.
  [[nodiscard]] virtual Result<DirectoryStatus> stat_directory(const ResolvedDirectory& directory) = 0;
  // chown, then chmod (chown clears the set-id bits), of a directory in the initramfs.
  [[nodiscard]] virtual Result<void> set_directory_attributes(const std::string& path,
                                                              const DirectoryAttributes& attributes) = 0;
  // A whole small file: /proc/filesystems, /proc/meminfo.
  [[nodiscard]] virtual Result<std::string> read_file(const std::string& path) = 0;
};

// The real one: mkdir(2), mount(2), openat2(2) with RESOLVE_IN_ROOT, fstat(2), fchown(2).
// Mounts go onto "/proc/self/fd/N" of the resolved O_PATH descriptor, so /proc must be mounted.
class LinuxUnionSystem final : public UnionSystem {
 public:
  [[nodiscard]] Result<void> make_directories(const std::string& path, std::uint32_t mode) override;
  [[nodiscard]] Result<void> mount(const std::string& source, const std::string& target, const std::string& type,
                                   unsigned long flags, const std::string& data) override;
  [[nodiscard]] Result<ResolvedDirectory> open_directory_in_root(const std::string& root,
                                                                 const std::string& path) override;
  [[nodiscard]] Result<std::optional<std::string>> read_link_in_root(const std::string& root,
                                                                     const std::string& path) override;
  [[nodiscard]] Result<DirectoryStatus> stat_directory(const ResolvedDirectory& directory) override;
  [[nodiscard]] Result<void> set_directory_attributes(const std::string& path,
                                                      const DirectoryAttributes& attributes) override;
  [[nodiscard]] Result<std::string> read_file(const std::string& path) override;
};

// Whether the kernel has aufs now (/proc/filesystems). A module that provides it must be loaded
// before this is asked.
[[nodiscard]] Result<AufsSupport> detect_aufs(UnionSystem& system);

enum class UnionStatus : std::uint8_t { Done, Skipped };

struct UnionResult {
  std::string mount_point;
  std::string origin;
  UnionStatus status = UnionStatus::Done;
  std::optional<Error> error;  // why it was skipped; names the entry and its origin
  // For the log: "/var overlay on tmpfs 128M (built-in default)", or
  // "/srv skipped: union /srv (FILE:3): …".
  std::string line;
};

struct UnionReport {
  std::vector<UnionResult> unions;   // in plan order
  std::vector<std::string> notices;  // the plan's (aufs fallback, …) and the builder's

  [[nodiscard]] std::vector<std::string> lines() const;
  [[nodiscard]] bool all_done() const;
};

// Performs the plan. Fails as a whole only when the setup steps fail (no layers directory: no
// union can be built). Otherwise each union is done or skipped on its own: the first failing
// step (a mount point the image lacks, a size above the machine's RAM, a mount(2) error) skips
// the rest of that union, and the others are still built. Whether a skipped union stops the boot
// is the caller's policy. A layer tmpfs already mounted for a skipped union stays: it holds
// nothing and shows how far the attempt came.
[[nodiscard]] Result<UnionReport> build_unions(UnionSystem& system, const UnionPlan& plan);

}  // namespace nfsroot
