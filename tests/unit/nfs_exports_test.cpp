// The server's export list: is the asked-for path exported, and how it reads in a message.
#include "mounts/nfs_exports.h"

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
