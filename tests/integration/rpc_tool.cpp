// The RPC client of the root mount's diagnosis, run by hand for tests/integration/rpc_client.py:
//   rpc_tool exports|services SERVER TIMEOUT_MS
// prints the list (one entry a line, then the line the boot would log), or the error and exit 1.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "rootmount/nfs_exports.h"

using namespace nfsroot;

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fputs("usage: rpc_tool exports|services SERVER TIMEOUT_MS\n", stderr);
    return 2;
  }
  const std::string what = argv[1];
  const std::string server = argv[2];
  const int timeout_ms = std::atoi(argv[3]);
  if (what == "exports") {
    const auto exports = list_nfs_exports(server, timeout_ms);
    if (!exports) {
      std::fprintf(stderr, "%s\n", describe(exports.error()).c_str());
      return 1;
    }
    for (const auto& entry : *exports) {
      std::string line = "export " + entry.path;
      for (const auto& client : entry.clients) line += " " + client;
      std::printf("%s\n", line.c_str());
    }
    std::printf("described: %s\n", describe_exports(*exports).c_str());
    return 0;
  }
  if (what == "services") {
    const auto services = list_rpc_services(server, timeout_ms);
    if (!services) {
      std::fprintf(stderr, "%s\n", describe(services.error()).c_str());
      return 1;
    }
    for (const auto& service : *services) {
      std::printf("service %u %u %u %u\n", service.program, service.version, service.protocol, service.port);
    }
    std::printf("described: %s\n", describe_nfs_services(*services).c_str());
    return 0;
  }
  std::fputs("rpc_tool: exports or services\n", stderr);
  return 2;
}
