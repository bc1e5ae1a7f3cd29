// MOUNT EXPORT call through libnfs' async interface, driven by our own poll with a deadline.
#include "mounts/nfs_exports.h"

// libnfs.h first: it defines what libnfs-raw.h's declarations use.
#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-mount.h>
#include <poll.h>
#include <time.h>

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

long ms_left(const timespec& deadline) {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (deadline.tv_sec - now.tv_sec) * 1000 + (deadline.tv_nsec - now.tv_nsec) / 1000000;
}

}  // namespace

Result<std::vector<NfsExport>> list_nfs_exports(const std::string& server, int timeout_ms) {
  std::unique_ptr<rpc_context, RpcContextDeleter> rpc(rpc_init_context());
  if (!rpc) return std::unexpected(error_with_problem("list exports", server, "out of memory"));
  ExportsCall call;
  if (mount_getexports_async(rpc.get(), server.c_str(), on_exports, &call) != 0) {
    return std::unexpected(error_with_problem("list exports", server, rpc_get_error(rpc.get())));
  }
  timespec deadline{};
  clock_gettime(CLOCK_MONOTONIC, &deadline);
  deadline.tv_sec += timeout_ms / 1000;
  deadline.tv_nsec += static_cast<long>(timeout_ms % 1000) * 1000000;
  while (!call.done) {
    const long left = ms_left(deadline);
    if (left <= 0) return std::unexpected(error_with_problem("list exports", server, "no answer in time"));
    pollfd fd{rpc_get_fd(rpc.get()), static_cast<short>(rpc_which_events(rpc.get())), 0};
    if (::poll(&fd, 1, static_cast<int>(left)) < 0) continue;
    if (rpc_service(rpc.get(), fd.revents) < 0) {
      return std::unexpected(error_with_problem("list exports", server, rpc_get_error(rpc.get())));
    }
  }
  if (call.status != RPC_STATUS_SUCCESS) {
    return std::unexpected(error_with_problem("list exports", server, call.error.empty() ? "RPC failed" : call.error));
  }
  return std::move(call.exports);
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
