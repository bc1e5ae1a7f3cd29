// Asking the NFS server what it exports (MOUNT protocol via rpcbind, with libnfs), to explain a
// failed mount: the path that was asked for beside the paths that exist.
#pragma once

#include <string>
#include <vector>

#include "base/error.h"

namespace nfsroot {

struct NfsExport {
  std::string path;
  std::vector<std::string> clients;  // the export's groups: hosts, networks, "*"
};

// Bounded by `timeout_ms`: a dead server must not stall the failure report.
[[nodiscard]] Result<std::vector<NfsExport>> list_nfs_exports(const std::string& server, int timeout_ms);

// Whether `path` is one of the exports or below one (servers may allow mounting a subdirectory).
// A server that says "access denied" for a path it does not export (nfs-ganesha answers
// MNT3ERR_ACCES, not NOENT) is told apart from a real refusal this way.
[[nodiscard]] bool exports_cover(const std::vector<NfsExport>& exports, const std::string& path);

// "/srv/a (10.0.2.0/24), /srv/b (*)"
[[nodiscard]] std::string describe_exports(const std::vector<NfsExport>& exports);

}  // namespace nfsroot
