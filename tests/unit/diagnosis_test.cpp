// The failed-mount diagnosis prints the server's own bytes (export paths, client names, its
// errors): escaped, so a server cannot put control characters or fake lines on the console.
#include "rootmount/diagnosis.h"

#include <catch2/catch.hpp>

using namespace nfsroot;

TEST_CASE("diagnosis: the server's export list is escaped before it is logged", "[diagnosis]") {
  const std::vector<NfsExport> exports = {
      {"/srv/root\n[    0.000] nfsroot-init: root: mounted", {"10.0.2.0/24\r\x1b[2J"}},
      {"/srv/plain", {}},
  };
  const std::string line = describe_export_list(exports);
  CHECK(line == "the server exports: /srv/root\\n[    0.000] nfsroot-init: root: mounted (10.0.2.0/24\\r\\x1b[2J), "
                "/srv/plain (everyone)");
  CHECK(line.find('\n') == std::string::npos);
  CHECK(line.find('\x1b') == std::string::npos);
}

TEST_CASE("diagnosis: an export list that could not be read says why, escaped", "[diagnosis]") {
  const Result<std::vector<NfsExport>> failed =
      std::unexpected(error_with_problem("MOUNT EXPORT", "10.0.2.2", "server said \"no\nway\""));
  CHECK(describe_export_list(failed) == "could not list the server's exports: MOUNT EXPORT 10.0.2.2: server said \"no\\nway\"");
}
