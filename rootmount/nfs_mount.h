// Mounting the NFS root with mount(2): retries for what may pass, a hint for what will not.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "base/error.h"
#include "mounts/nfs_options.h"
#include "sys/system.h"

namespace nfsroot {

struct MountFailureKind {
  bool transient = false;  // worth retrying until the deadline: the server may come up
  std::string hint;        // what to change, for a permanent failure
};

// errno of mount(2) for an NFS mount -> retry or stop, and what the admin should check.
// ETIMEDOUT, ECONNREFUSED, EHOSTUNREACH, ENETUNREACH, EHOSTDOWN, ECONNRESET, EAGAIN and EIO
// are transient; EINVAL (a bad option), EACCES/EPERM (refused), ENOENT (no such export),
// EPROTONOSUPPORT (version not offered) and ENODEV (no nfs in the kernel) are not.
[[nodiscard]] MountFailureKind classify_nfs_mount_errno(int errno_value, const NfsMountRequest& request,
                                                        std::string_view client_address);

// The wait before attempt `attempt` (1-based after the first): 1, 2, 4, 8, then 10 s.
[[nodiscard]] int nfs_retry_delay_seconds(unsigned attempt);

using MountProgress = std::function<void(std::string_view)>;

// Mounts `request` on `target`, retrying transient failures until `timeout_seconds` have
// passed, with a progress line per failed attempt. A permanent failure returns at once.
// mkdir -p of the target first. Through `system`, so a fake clock tests the retry loop.
[[nodiscard]] Result<void> mount_nfs_root(System& system, const NfsMountRequest& request, const std::string& target,
                                          int timeout_seconds, std::string_view client_address,
                                          const MountProgress& progress);

}  // namespace nfsroot
