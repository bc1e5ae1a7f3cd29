// mount(2) of the NFS root with bounded retries.
#include "rootmount/nfs_mount.h"

#include <sys/mount.h>

#include <cerrno>
#include <cstring>

#include "base/cat.h"
#include "mounts/mount_options.h"

namespace nfsroot {

MountFailureKind classify_nfs_mount_errno(int errno_value, const NfsMountRequest& request,
                                          std::string_view client_address) {
  const std::string& server = request.server;
  switch (errno_value) {
    case ETIMEDOUT:
    case ECONNREFUSED:
    case EHOSTUNREACH:
    case ENETUNREACH:
    case EHOSTDOWN:
    case ECONNRESET:
    case EAGAIN:
    case EIO:
      return {true, "is the NFS server " + server + " up and reachable from this network?"};
    case EACCES:
    case EPERM:
      return {false, "the server refused: check /etc/exports on " + server + " allows " +
                         std::string(client_address) + " (ro, no_root_squash)"};
    case ENOENT:
      return {false, "no export " + request.path + " on " + server +
                         (request.version >= 4 ? " (NFSv4 paths are relative to the server's pseudo root)" : "") +
                         ": check nfsroot= or the DHCP root-path"};
    case EPROTONOSUPPORT:
    case EPROTO:
      return {false, cat("vers=", request.version, " is not offered by the server; try ",
                         request.version >= 4 ? "vers=3" : "vers=4.2", " in nfsroot=")};
    case EINVAL:
      return {false, "the kernel rejected the options '" + request.data() + "': check the options in nfsroot="};
    case ENODEV:
      return {false, "the kernel has no " + request.fstype + " filesystem: the nfs modules are not loaded"};
    case ENOTDIR:
      return {false, "the export path " + request.path + " is not a directory on " + server};
    default:
      return {false, "see the server's log for why it refused the mount"};
  }
}

int nfs_retry_delay_seconds(unsigned attempt) {
  if (attempt == 0) return 1;
  if (attempt > 4) return 10;
  return 1 << (attempt - 1);
}

Result<void> mount_nfs_root(System& system, const NfsMountRequest& request, const std::string& target,
                            int timeout_seconds, std::string_view client_address, const MountProgress& progress) {
  TRY(system.make_directories(target, 0755));
  const System::Clock::time_point start = system.now();
  const System::Clock::time_point deadline = start + std::chrono::seconds(timeout_seconds);
  // Generic options the user wrote (nosuid, noatime, …) are mount flags: the NFS client would
  // reject them as unknown parameters.
  const MountOptions split = split_mount_options(request.data());
  const unsigned long flags = split.flags | (request.read_only ? MS_RDONLY : 0);
  const std::string& data = split.data;
  for (unsigned attempt = 1;; ++attempt) {
    // An attempt still waiting for the server at the deadline is stopped there: the kernel alone
    // would wait timeo x (retrans + 1) per attempt. mount_timeout=0 asks for one attempt, bounded
    // by the NFS client's own timeo= and retrans= only.
    auto mounted = timeout_seconds > 0
                       ? system.mount_until(request.source, target, request.fstype, flags, data, deadline)
                       : system.mount(request.source, target, request.fstype, flags, data);
    if (mounted) return {};
    const int error = mounted.error().errno_value;
    const MountFailureKind kind = classify_nfs_mount_errno(error, request, client_address);
    const std::string operation = cat("mount ", request.fstype, " ", request.source);
    if (!kind.transient) return std::unexpected(error_from_errno(operation, "-o " + data, error, kind.hint));
    const int delay = nfs_retry_delay_seconds(attempt);
    const auto waited = std::chrono::duration_cast<std::chrono::seconds>(system.now() - start).count();
    if (timeout_seconds > 0 && system.now() >= deadline) {
      return std::unexpected(error_from_errno(
          operation, "-o " + data, error,
          cat("gave up after ", attempt, attempt == 1 ? " attempt" : " attempts", " in ", waited,
              " s, the last one stopped at the deadline with no answer; ", kind.hint,
              " (nfsroot-init.mount_timeout= sets how long to try; timeo= and retrans= in nfsroot= how long "
              "one attempt waits)")));
    }
    if (waited + delay > timeout_seconds) {
      return std::unexpected(error_from_errno(operation, "-o " + data, error,
                                              cat("gave up after ", attempt, attempt == 1 ? " attempt" : " attempts",
                                                  " in ", waited, " s; ", kind.hint,
                                                  " (nfsroot-init.mount_timeout= sets how long to try)")));
    }
    progress(cat(operation, ": ", std::strerror(error), "; retrying in ", delay, " s (", waited, " s of ",
                 timeout_seconds, " s)"));
    // There is no event that says "the server is up now": this is the retry backoff, bounded by
    // the mount deadline.
    system.wait_until(system.now() + std::chrono::seconds(delay));
  }
}

}  // namespace nfsroot
