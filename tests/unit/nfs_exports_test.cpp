// The server's export list: is the asked-for path exported, and how it reads in a message.
#include "rootmount/nfs_exports.h"

#include <catch2/catch.hpp>

using namespace nfsroot;

TEST_CASE("nfs exports: a path is covered by an export equal to it or above it", "[nfs_exports]") {
  const std::vector<NfsExport> exports = {{"/srv/nfsroot", {"10.0.2.0/24"}}, {"/var/lib/nfs/", {}}};
  CHECK(exports_cover(exports, "/srv/nfsroot"));
  CHECK(exports_cover(exports, "/srv/nfsroot/client7"));
  CHECK(exports_cover(exports, "/var/lib/nfs/debian"));
  CHECK_FALSE(exports_cover(exports, "/srv/nfsroot2"));
  CHECK_FALSE(exports_cover(exports, "/srv"));
  CHECK_FALSE(exports_cover({}, "/srv/nfsroot"));
  CHECK(describe_exports(exports) == "/srv/nfsroot (10.0.2.0/24), /var/lib/nfs/ (everyone)");
  CHECK(describe_exports({}) == "none");
}

TEST_CASE("nfs exports: rpcbind's registrations, NFS and MOUNT grouped by port", "[nfs_exports]") {
  const std::vector<RpcService> services = {
      {100000, 2, 6, 111}, {100003, 4, 6, 20490}, {100003, 3, 6, 20490}, {100005, 1, 6, 20048},
      {100005, 3, 6, 20048}, {100005, 3, 17, 20048}, {100003, 3, 6, 20490},
  };
  CHECK(describe_nfs_services(services) == "NFS v3 v4 on tcp 20490; MOUNT v1 v3 on tcp 20048; MOUNT v3 on udp 20048");
  CHECK(describe_nfs_services({{100000, 2, 6, 111}}) == "no NFS registered with rpcbind");
}

TEST_CASE("nfs exports: what the server named is escaped in the message", "[nfs_exports]") {
  const std::vector<NfsExport> exports = {{"/srv/a\nroot: mounted", {"*\x1b[2J"}}};
  CHECK(describe_exports(exports) == "/srv/a\\nroot: mounted (*\\x1b[2J)");
}

TEST_CASE("nfs exports: the server must be an IP address; nothing is looked up", "[nfs_exports]") {
  const auto exports = list_nfs_exports("nfs.example.org", 100);
  REQUIRE_FALSE(exports);
  CHECK(describe(exports.error()) == "list exports nfs.example.org: server nfs.example.org: not an IP address (no DNS at boot)");
  const auto services = list_rpc_services("10.0.2", 100);
  REQUIRE_FALSE(services);
  CHECK(describe(services.error()) == "ask rpcbind 10.0.2: server 10.0.2: not an IP address (no DNS at boot)");
}
