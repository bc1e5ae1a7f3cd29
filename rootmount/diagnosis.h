// Why the root mount failed, in the server's own words: its export list beside the path that
// was asked for, and the NFS and MOUNT versions its rpcbind offers where.
#pragma once

#include <string>

#include "base/error.h"
#include "mounts/nfs_options.h"
#include "rootmount/nfs_exports.h"

namespace nfsroot {

// Each question to the server is bounded: a dead server must not stall the failure report.
inline constexpr int kDiagnosisTimeoutMs = 3000;

// `error` (from mount_nfs_root) with the server's view added to its hint. For NFSv3 a path the
// export list does not cover is named as such: nfs-ganesha answers MNT3ERR_ACCES for it, which
// alone reads like a refused client.
[[nodiscard]] Error diagnose_nfs_mount_failure(const NfsMountRequest& request, Error error);

// "the server exports: …" or "could not list the server's exports: …", escaped: the paths and
// client names are the server's bytes, and no control character may reach the console.
[[nodiscard]] std::string describe_export_list(const Result<std::vector<NfsExport>>& exports);

// For nfsrootdebug after a mount that worked: "the server exports: …", or why it could not say.
[[nodiscard]] std::string describe_server_exports(const std::string& server);

}  // namespace nfsroot
