// Asking the NFS server what it exports (MOUNT protocol via rpcbind, our RPC client), to explain a
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

// One registration in the server's rpcbind (portmapper v2 DUMP).
struct RpcService {
  unsigned program = 0;  // 100003 NFS, 100005 MOUNT
  unsigned version = 0;
  unsigned protocol = 0;  // IPPROTO_TCP (6) or IPPROTO_UDP (17)
  unsigned port = 0;
  auto operator<=>(const RpcService&) const = default;
};

// What the server's rpcbind says it runs, bounded by `timeout_ms`. NFSv4-only servers may
// register nothing: an empty list is an answer, not an error.
[[nodiscard]] Result<std::vector<RpcService>> list_rpc_services(const std::string& server, int timeout_ms);

// "NFS v3 v4 on tcp 2049; MOUNT v3 on tcp 20048" (only NFS and MOUNT, grouped by port), or
// "no NFS registered with rpcbind".
[[nodiscard]] std::string describe_nfs_services(const std::vector<RpcService>& services);

// Whether `path` is one of the exports or below one (servers may allow mounting a subdirectory).
// A server that says "access denied" for a path it does not export (nfs-ganesha answers
// MNT3ERR_ACCES, not NOENT) is told apart from a real refusal this way.
[[nodiscard]] bool exports_cover(const std::vector<NfsExport>& exports, const std::string& path);

// "/srv/a (10.0.2.0/24), /srv/b (*)"; what the server sent is escaped (escape_for_log).
[[nodiscard]] std::string describe_exports(const std::vector<NfsExport>& exports);

}  // namespace nfsroot
