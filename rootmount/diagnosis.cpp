// The server's view of a failed root mount (see diagnosis.h).
#include "rootmount/diagnosis.h"

#include <utility>

#include "rootmount/nfs_exports.h"

namespace nfsroot {

namespace {

std::string exports_line(const Result<std::vector<NfsExport>>& exports) {
  return exports ? "the server exports: " + describe_exports(*exports)
                 : "could not list the server's exports: " + describe(exports.error());
}

}  // namespace

Error diagnose_nfs_mount_failure(const NfsMountRequest& request, Error error) {
  const auto exports = list_nfs_exports(request.server, kDiagnosisTimeoutMs);
  if (exports && request.version < 4 && !exports_cover(*exports, request.path)) {
    error.hint = request.server + " does not export " + request.path + ": check nfsroot= or the DHCP root-path";
  }
  error.hint += "; " + exports_line(exports);
  // Which versions answer where: the fix for "vers=4.2 not offered" or a wrong port=.
  const auto services = list_rpc_services(request.server, kDiagnosisTimeoutMs);
  error.hint += "; the server's rpcbind lists: " +
                (services ? describe_nfs_services(*services) : describe(services.error()));
  return error;
}

std::string describe_server_exports(const std::string& server) {
  return exports_line(list_nfs_exports(server, kDiagnosisTimeoutMs));
}

}  // namespace nfsroot
