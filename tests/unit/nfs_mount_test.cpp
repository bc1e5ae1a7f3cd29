// NFS mount failures: which are worth retrying, what the admin is told, the retry schedule.
#include "rootmount/nfs_mount.h"

#include <cerrno>

#include <catch2/catch.hpp>

using namespace nfsroot;

namespace {
NfsMountRequest request(int version) {
  return plan_nfs_mount(NfsMountInput{"10.0.2.2", "/srv/root", {version >= 4 ? "vers=4.2" : "vers=3"}, 0, true});
}
}  // namespace

TEST_CASE("nfs mount: timeouts, refusals and unreachable servers are retried", "[nfs_mount]") {
  for (const int error : {ETIMEDOUT, ECONNREFUSED, EHOSTUNREACH, ENETUNREACH, EHOSTDOWN, ECONNRESET, EAGAIN, EIO}) {
    INFO(error);
    const auto kind = classify_nfs_mount_errno(error, request(3), "10.0.2.15");
    CHECK(kind.transient);
    CHECK(kind.hint == "is the NFS server 10.0.2.2 up and reachable from this network?");
  }
}

TEST_CASE("nfs mount: permanent failures stop at once with a hint naming the fix", "[nfs_mount]") {
  struct Case {
    int error;
    int version;
    const char* hint;
  };
  const std::vector<Case> cases = {
      {EACCES, 3, "the server refused: check /etc/exports on 10.0.2.2 allows 10.0.2.15 (ro, no_root_squash)"},
      {EPERM, 3, "the server refused: check /etc/exports on 10.0.2.2 allows 10.0.2.15 (ro, no_root_squash)"},
      {ENOENT, 3, "no export /srv/root on 10.0.2.2: check nfsroot= or the DHCP root-path"},
      {ENOENT, 4,
       "no export /srv/root on 10.0.2.2 (NFSv4 paths are relative to the server's pseudo root): check nfsroot= or "
       "the DHCP root-path"},
      {EPROTONOSUPPORT, 4, "vers=4 is not offered by the server; try vers=3 in nfsroot="},
      {EPROTONOSUPPORT, 3, "vers=3 is not offered by the server; try vers=4.2 in nfsroot="},
      {EINVAL, 3,
       "the kernel rejected the options 'proto=tcp,nolock,vers=3,addr=10.0.2.2,mountaddr=10.0.2.2': check the "
       "options in nfsroot="},
      {ENODEV, 3, "the kernel has no nfs filesystem: the nfs modules are not loaded"},
  };
  for (const auto& c : cases) {
    INFO(c.hint);
    const auto kind = classify_nfs_mount_errno(c.error, request(c.version), "10.0.2.15");
    CHECK_FALSE(kind.transient);
    CHECK(kind.hint == c.hint);
  }
}

TEST_CASE("nfs mount: retries wait 1, 2, 4, 8, then 10 s", "[nfs_mount]") {
  CHECK(nfs_retry_delay_seconds(1) == 1);
  CHECK(nfs_retry_delay_seconds(2) == 2);
  CHECK(nfs_retry_delay_seconds(3) == 4);
  CHECK(nfs_retry_delay_seconds(4) == 8);
  CHECK(nfs_retry_delay_seconds(5) == 10);
  CHECK(nfs_retry_delay_seconds(100) == 10);
}
