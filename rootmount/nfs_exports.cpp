// MOUNT EXPORT call through libnfs' async interface, driven by our own poll with a deadline.
#include "rootmount/nfs_exports.h"

// libnfs.h first: it defines what libnfs-raw.h's declarations use.
// libnfs.h uses struct timeval without including its header (glibc brings it in by chance).
#include <sys/time.h>
#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-mount.h>
#include <nfsc/libnfs-raw-portmap.h>
#include <poll.h>

#include <cerrno>
#include <cstdint>
#include <time.h>

#include <algorithm>
#include <map>
#include <tuple>
#include <memory>

namespace nfsroot {

namespace {

struct RpcContextDeleter {
  void operator()(rpc_context* rpc) const { rpc_destroy_context(rpc); }
};

struct ExportsCall {
  bool done = false;
  int status = 0;
  std::string error;
  std::vector<NfsExport> exports;
};

void on_exports(rpc_context*, int status, void* data, void* private_data) {
  auto* call = static_cast<ExportsCall*>(private_data);
  call->done = true;
  call->status = status;
  if (status != RPC_STATUS_SUCCESS) {
    if (data) call->error = static_cast<const char*>(data);
    return;
  }
  for (exportnode* node = *static_cast<exports*>(data); node; node = node->ex_next) {
    NfsExport entry;
    entry.path = node->ex_dir ? node->ex_dir : "";
    for (groupnode* group = node->ex_groups; group; group = group->gr_next) {
      if (group->gr_name) entry.clients.emplace_back(group->gr_name);
    }
    call->exports.push_back(std::move(entry));
  }
}

// 64-bit: tv_sec is a 64-bit time_t on every target (_TIME_BITS=64 on i386), wider than long there.
std::int64_t ms_left(const timespec& deadline) {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (deadline.tv_sec - now.tv_sec) * 1000 + (deadline.tv_nsec - now.tv_nsec) / 1000000;
}

// Drives libnfs' async calls with our own poll until `done` or the deadline: its sync calls
// have no timeout, and a dead server must not stall the failure report.
Result<void> serve_until(rpc_context* rpc, const bool& done, int timeout_ms, std::string_view what,
                         const std::string& server) {
  timespec deadline{};
  clock_gettime(CLOCK_MONOTONIC, &deadline);
  deadline.tv_sec += timeout_ms / 1000;
  deadline.tv_nsec += static_cast<long>(timeout_ms % 1000) * 1000000;
  if (deadline.tv_nsec >= 1000000000) {
    deadline.tv_sec += 1;
    deadline.tv_nsec -= 1000000000;
  }
  while (!done) {
    const std::int64_t left = ms_left(deadline);
    if (left <= 0) return std::unexpected(error_with_problem(what, server, "no answer in time"));
    pollfd fd{rpc_get_fd(rpc), static_cast<short>(rpc_which_events(rpc)), 0};
    if (::poll(&fd, 1, static_cast<int>(left)) < 0) {
      // EINTR: wait again for what is left; anything else would fail the same way at once, and
      // spinning on it until the deadline only burns the CPU the failure report needs.
      if (errno == EINTR) continue;
      return std::unexpected(error_from_errno("poll", std::string(what) + " " + server, errno));
    }
    if (rpc_service(rpc, fd.revents) < 0) return std::unexpected(error_with_problem(what, server, rpc_get_error(rpc)));
  }
  return {};
}

struct ServicesCall {
  bool done = false;
  std::string error;
  std::vector<RpcService> services;
};

void on_dump(rpc_context*, int status, void* data, void* private_data) {
  auto* call = static_cast<ServicesCall*>(private_data);
  call->done = true;
  if (status != RPC_STATUS_SUCCESS) {
    call->error = status == RPC_STATUS_ERROR && data ? static_cast<const char*>(data) : "RPC failed";
    return;
  }
  for (auto* entry = static_cast<pmap2_dump_result*>(data)->list; entry; entry = entry->next) {
    call->services.push_back({entry->map.prog, entry->map.vers, entry->map.prot, entry->map.port});
  }
}

void on_connected(rpc_context* rpc, int status, void* data, void* private_data) {
  auto* call = static_cast<ServicesCall*>(private_data);
  if (status != RPC_STATUS_SUCCESS) {
    call->done = true;
    call->error = status == RPC_STATUS_ERROR && data ? static_cast<const char*>(data) : "cannot reach rpcbind";
    return;
  }
  if (rpc_pmap2_dump_async(rpc, on_dump, call) != 0) {
    call->done = true;
    call->error = rpc_get_error(rpc);
  }
}

}  // namespace

Result<std::vector<NfsExport>> list_nfs_exports(const std::string& server, int timeout_ms) {
  std::unique_ptr<rpc_context, RpcContextDeleter> rpc(rpc_init_context());
  if (!rpc) return std::unexpected(error_with_problem("list exports", server, "out of memory"));
  ExportsCall call;
  if (mount_getexports_async(rpc.get(), server.c_str(), on_exports, &call) != 0) {
    return std::unexpected(error_with_problem("list exports", server, rpc_get_error(rpc.get())));
  }
  TRY(serve_until(rpc.get(), call.done, timeout_ms, "list exports", server));
  if (call.status != RPC_STATUS_SUCCESS) {
    return std::unexpected(error_with_problem("list exports", server, call.error.empty() ? "RPC failed" : call.error));
  }
  return std::move(call.exports);
}

Result<std::vector<RpcService>> list_rpc_services(const std::string& server, int timeout_ms) {
  std::unique_ptr<rpc_context, RpcContextDeleter> rpc(rpc_init_context());
  if (!rpc) return std::unexpected(error_with_problem("ask rpcbind", server, "out of memory"));
  ServicesCall call;
  constexpr int kRpcbindPort = 111;
  if (rpc_connect_async(rpc.get(), server.c_str(), kRpcbindPort, on_connected, &call) != 0) {
    return std::unexpected(error_with_problem("ask rpcbind", server, rpc_get_error(rpc.get())));
  }
  TRY(serve_until(rpc.get(), call.done, timeout_ms, "ask rpcbind", server));
  if (!call.error.empty()) return std::unexpected(error_with_problem("ask rpcbind", server, call.error));
  return std::move(call.services);
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
    for (const auto version : versions) text += " v" + std::to_string(version);
    text += std::string(" on ") + (protocol == 6 ? "tcp" : protocol == 17 ? "udp" : "proto " + std::to_string(protocol)) +
            " " + std::to_string(port);
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

std::string describe_exports(const std::vector<NfsExport>& exports) {
  if (exports.empty()) return "none";
  std::string text;
  for (const auto& entry : exports) {
    if (!text.empty()) text += ", ";
    text += entry.path;
    std::string clients;
    for (const auto& client : entry.clients) clients += (clients.empty() ? "" : " ") + client;
    text += " (" + (clients.empty() ? std::string("everyone") : clients) + ")";
  }
  return text;
}

}  // namespace nfsroot
