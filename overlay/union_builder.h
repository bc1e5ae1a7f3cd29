// The union builder: performs a UnionPlan through the syscall layer (sys/system.h). Every mount point is
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
#include "sys/system.h"

namespace nfsroot {

// An overlay list is a short file an admin writes; a huge one is a mistake or an attack.
inline constexpr std::size_t kMaxOverlayListBytes = 64 * 1024;
inline constexpr std::size_t kMaxOverlayListEntries = 256;

// The overlay list at kOverlayListPath inside ROOT ("/root": the image's; "/": the initramfs'
// copy), resolved inside ROOT, so that a symlink in the image never reads a file of the
// initramfs; nullopt when there is none. A FIFO, a device, more than kMaxOverlayListBytes or
// more than kMaxOverlayListEntries entries is an error naming the file (the caller reports it
// and boots with the other sources).
[[nodiscard]] Result<std::optional<OverlayListFile>> read_overlay_list(System& system, const std::string& root);

// Whether the kernel has aufs now (/proc/filesystems). A module that provides it must be loaded
// before this is asked.
[[nodiscard]] Result<AufsSupport> detect_aufs(System& system);

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
[[nodiscard]] Result<UnionReport> build_unions(System& system, const UnionPlan& plan);

}  // namespace nfsroot
