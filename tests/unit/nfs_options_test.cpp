// The NFS root mount request: defaults, user overrides, version, and %s expansion.
#include "mounts/nfs_options.h"

#include <catch2/catch.hpp>

using namespace nfsroot;

namespace {
NfsMountRequest plan(std::vector<std::string> options, int version_hint = 0, bool read_only = true) {
  return plan_nfs_mount(NfsMountInput{"10.0.2.2", "/srv/root", std::move(options), version_hint, read_only});
}
}  // namespace

TEST_CASE("nfs options: NFSv3 over TCP without locking by default, with the server address", "[nfs_options]") {
  const auto request = plan({});
  CHECK(request.source == "10.0.2.2:/srv/root");
  CHECK(request.fstype == "nfs");
  CHECK(request.version == 3);
  CHECK(request.read_only);
  CHECK(request.data() == "vers=3,proto=tcp,nolock,addr=10.0.2.2,mountaddr=10.0.2.2");
}

TEST_CASE("nfs options: the user's options replace the defaults they contradict, in order", "[nfs_options]") {
  struct Case {
    std::vector<std::string> options;
    const char* data;
    int version;
  };
  const std::vector<Case> cases = {
      {{"vers=4.2", "port=20490"}, "proto=tcp,vers=4.2,port=20490,addr=10.0.2.2", 4},
      {{"nfsvers=3", "lock"}, "proto=tcp,nfsvers=3,lock,addr=10.0.2.2,mountaddr=10.0.2.2", 3},
      {{"udp"}, "vers=3,nolock,udp,addr=10.0.2.2,mountaddr=10.0.2.2", 3},
      {{"v4.1"}, "proto=tcp,v4.1,addr=10.0.2.2", 4},
      {{"port=20490", "mountport=20048", "mountproto=tcp"},
       "vers=3,proto=tcp,nolock,port=20490,mountport=20048,mountproto=tcp,addr=10.0.2.2,mountaddr=10.0.2.2", 3},
      {{"mountaddr=10.0.0.9"}, "vers=3,proto=tcp,nolock,mountaddr=10.0.0.9,addr=10.0.2.2", 3},
      {{"timeo=14", "timeo=30"}, "vers=3,proto=tcp,nolock,timeo=30,addr=10.0.2.2,mountaddr=10.0.2.2", 3},
      {{"ac", "noac"}, "vers=3,proto=tcp,nolock,noac,addr=10.0.2.2,mountaddr=10.0.2.2", 3},
  };
  for (const auto& c : cases) {
    INFO(c.data);
    const auto request = plan(c.options);
    CHECK(request.data() == c.data);
    CHECK(request.version == c.version);
    CHECK(request.fstype == (c.version >= 4 ? "nfs4" : "nfs"));
  }
}

TEST_CASE("nfs options: root=nfs4: means NFSv4 unless an option says otherwise", "[nfs_options]") {
  CHECK(plan({}, 4).data() == "vers=4,proto=tcp,addr=10.0.2.2");
  CHECK(plan({"vers=3"}, 4).version == 3);
}

TEST_CASE("nfs options: ro and rw set the flag, not the data", "[nfs_options]") {
  CHECK_FALSE(plan({"rw"}).read_only);
  CHECK(plan({"ro"}, 0, false).read_only);
  CHECK(plan({"rw"}).data().find("rw") == std::string::npos);
}

TEST_CASE("nfs options: %s becomes the hostname, else the client address", "[nfs_options]") {
  CHECK(expand_root_path("/tftpboot/%s", "client7", "10.0.0.5") == "/tftpboot/client7");
  CHECK(expand_root_path("/tftpboot/%s", "", "10.0.0.5") == "/tftpboot/10.0.0.5");
  CHECK(expand_root_path("/a/%s/b/%s", "h", "") == "/a/h/b/h");
  CHECK(expand_root_path("/plain", "h", "") == "/plain");
}
