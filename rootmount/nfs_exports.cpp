// The server's exports and rpcbind registrations, asked over TCP with our own RPC client (rpc/
// for the bytes, rpc_connection for the socket), as libnfs' mount_getexports did before.
#include "rootmount/nfs_exports.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "base/cat.h"
#include "base/ip_address.h"
#include "base/text.h"
#include "rootmount/rpc_connection.h"
#include "rpc/mount_export.h"
#include "rpc/portmap.h"

namespace nfsroot {

namespace {

Result<IpAddress> server_address(const std::string& server) {
  const auto address = IpAddress::parse(server);
  if (!address) return std::unexpected(error_with_problem("server", server, "not an IP address (no DNS at boot)"));
  return *address;
}

// rpcbind first (RFC 1833 3: GETPORT of MOUNT v3 over TCP, what libnfs 4.0 asked), then a
// second connection to that port for MOUNTPROC3_EXPORT. Neither call is privileged: no
// reserved source port is needed (rpc.mountd and ganesha answer EXPORT from any port).
Result<std::vector<ExportNode>> ask_exports(const std::string& server, RpcClock::time_point deadline) {
  const IpAddress address = TRY(server_address(server));
  std::uint32_t xid = initial_rpc_xid();
  std::uint16_t mount_port = 0;
  {
    auto rpcbind = TRY(RpcConnection::connect(address, kPortmapPort, deadline));
    const RpcCall getport{xid++, kPortmapProgram, kPortmapVersion, kPortmapGetport};
    const auto results =
        TRY(rpcbind.call(getport, encode_getport_arguments(kMountProgram, kMountVersion3, kIpProtoTcp), deadline));
    mount_port = TRY(decode_getport_result(results, kMountProgram, kMountVersion3));
  }
  auto mountd = TRY(RpcConnection::connect(address, mount_port, deadline));
  const auto results = TRY(mountd.call(RpcCall{xid, kMountProgram, kMountVersion3, kMountExport}, {}, deadline));
  return decode_export_result(results);
}

Result<std::vector<PortMapping>> ask_rpcbind(const std::string& server, RpcClock::time_point deadline) {
  const IpAddress address = TRY(server_address(server));
  auto rpcbind = TRY(RpcConnection::connect(address, kPortmapPort, deadline));
  const auto results =
      TRY(rpcbind.call(RpcCall{initial_rpc_xid(), kPortmapProgram, kPortmapVersion, kPortmapDump}, {}, deadline));
  return decode_dump_result(results);
}

RpcClock::time_point deadline_after(int timeout_ms) {
  return RpcClock::now() + std::chrono::milliseconds(std::max(timeout_ms, 0));
}

}  // namespace

Result<std::vector<NfsExport>> list_nfs_exports(const std::string& server, int timeout_ms) {
  auto nodes = ask_exports(server, deadline_after(timeout_ms));
  if (!nodes) return std::unexpected(error_with_problem("list exports", server, describe(nodes.error())));
  std::vector<NfsExport> exports;
  exports.reserve(nodes->size());
  for (auto& node : *nodes) exports.push_back({std::move(node.directory), std::move(node.groups)});
  return exports;
}

Result<std::vector<RpcService>> list_rpc_services(const std::string& server, int timeout_ms) {
  const auto mappings = ask_rpcbind(server, deadline_after(timeout_ms));
  if (!mappings) return std::unexpected(error_with_problem("ask rpcbind", server, describe(mappings.error())));
  std::vector<RpcService> services;
  services.reserve(mappings->size());
  for (const auto& mapping : *mappings) services.push_back({mapping.program, mapping.version, mapping.protocol, mapping.port});
  return services;
}

std::string describe_nfs_services(const std::vector<RpcService>& services) {
  // (program, protocol, port) -> versions, in a stable order.
  std::map<std::tuple<unsigned, unsigned, unsigned>, std::vector<unsigned>> grouped;
  for (const auto& service : services) {
    if (service.program != 100003 && service.program != 100005) continue;
    auto& versions = grouped[{service.program, service.protocol, service.port}];
    if (std::find(versions.begin(), versions.end(), service.version) == versions.end()) versions.push_back(service.version);
  }
  if (grouped.empty()) return "no NFS registered with rpcbind";
  std::string text;
  for (auto& [key, versions] : grouped) {
    const auto& [program, protocol, port] = key;
    std::sort(versions.begin(), versions.end());
    if (!text.empty()) text += "; ";
    text += program == 100003 ? "NFS" : "MOUNT";
    for (const auto version : versions) text += cat(" v", version);
    text += cat(" on ", protocol == 6 ? "tcp" : protocol == 17 ? "udp" : cat("proto ", protocol), " ", port);
  }
  return text;
}

bool exports_cover(const std::vector<NfsExport>& exports, const std::string& path) {
  for (const auto& entry : exports) {
    if (path == entry.path) return true;
    const std::string parent = entry.path.ends_with('/') ? entry.path : entry.path + "/";
    if (path.starts_with(parent)) return true;
  }
  return false;
}

// The names are the server's bytes: escaped, so that none can add a line to the console.
std::string describe_exports(const std::vector<NfsExport>& exports) {
  if (exports.empty()) return "none";
  std::string text;
  for (const auto& entry : exports) {
    if (!text.empty()) text += ", ";
    text += escape_for_log(entry.path);
    std::string clients;
    for (const auto& client : entry.clients) clients += (clients.empty() ? "" : " ") + escape_for_log(client);
    text += " (" + (clients.empty() ? std::string("everyone") : clients) + ")";
  }
  return text;
}

}  // namespace nfsroot
