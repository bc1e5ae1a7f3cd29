// Error formatting: one line naming the operation, the input, the cause and the fix.
#include "base/error.h"

#include <cerrno>

#include <catch2/catch.hpp>

TEST_CASE("error: describe names operation, input, errno and hint", "[error]") {
  const auto error = nfsroot::error_from_errno("mount nfs", "/root", ENOENT, "check the export path");
  CHECK(nfsroot::describe(error) == "mount nfs /root: No such file or directory (errno 2); check the export path");
  const auto problem = nfsroot::error_with_problem("ip=", "off", "network disabled", "use ip=dhcp");
  CHECK(nfsroot::describe(problem) == "ip= off: network disabled; use ip=dhcp");
}
