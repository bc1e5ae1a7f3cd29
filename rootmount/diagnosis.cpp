// The server's view of a failed root mount (see diagnosis.h).
#include "rootmount/diagnosis.h"

#include <utility>

#include "base/text.h"
#include "rootmount/nfs_exports.h"

namespace nfsroot {

std::string describe_export_list(const Result<std::vector<NfsExport>>& exports) {
  // describe_exports() escapes each name the server sent; its errors are escaped here.
  return exports ? "the server exports: " + describe_exports(*exports)
                 : "could not list the server's exports: " + escape_for_log(describe(exports.error()));
}

Error diagnose_nfs_mount_failure(const NfsMountRequest& request, Error error) {
  const auto exports = list_nfs_exports(request.server, kDiagnosisTimeoutMs);
  if (exports && request.version < 4 && !exports_cover(*exports, request.path)) {
    error.hint = request.server + " does not export " + request.path + ": check nfsroot= or the DHCP root-path";
  }
  error.hint += "; " + describe_export_list(exports);
  // Which versions answer where: the fix for "vers=4.2 not offered" or a wrong port=.
  const auto services = list_rpc_services(request.server, kDiagnosisTimeoutMs);
  error.hint += "; the server's rpcbind lists: " +
                (services ? describe_nfs_services(*services) : escape_for_log(describe(services.error())));
  return error;
}

std::string describe_server_exports(const std::string& server) {
  return describe_export_list(list_nfs_exports(server, kDiagnosisTimeoutMs));
}

}  // namespace nfsroot
