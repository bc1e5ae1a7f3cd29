// NFS mount failures: which are worth retrying, what the admin is told, the retry schedule.
#include "rootmount/nfs_mount.h"

#include <cerrno>

#include <catch2/catch.hpp>

#include "fake_system.h"

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

// --- the retry loop, through the FakeSystem: its clock moves only when the loop waits ---------

namespace {

using nfsroot::testing::FakeSystem;
using nfsroot::testing::Lines;

const std::string kMount = "mount(10.0.2.2:/srv/root,/root,nfs,ro,proto=tcp,nolock,vers=3,addr=10.0.2.2,mountaddr=10.0.2.2)";

struct Attempt {
  Result<void> result;
  Lines progress;
};

Attempt mount_with(FakeSystem& system, int timeout_seconds) {
  Attempt attempt;
  attempt.result = mount_nfs_root(system, request(3), "/root", timeout_seconds, "10.0.2.15",
                                  [&](std::string_view line) { attempt.progress.emplace_back(line); });
  return attempt;
}

}  // namespace

TEST_CASE("nfs mount retry loop: a server that refuses twice is waited for 1 s, then 2 s, then mounted",
          "[nfs_mount]") {
  FakeSystem system;
  system.mount_errors_in_turn["/root"] = {ECONNREFUSED, ETIMEDOUT, 0};
  const Attempt attempt = mount_with(system, 180);
  CHECK(attempt.result);
  CHECK(system.trace == Lines{"mkdir(/root,0755)", kMount, "wait(1s)", kMount, "wait(2s)", kMount});
  CHECK(attempt.progress ==
        Lines{"mount nfs 10.0.2.2:/srv/root: Connection refused; retrying in 1 s (0 s of 180 s)",
              "mount nfs 10.0.2.2:/srv/root: Connection timed out; retrying in 2 s (1 s of 180 s)"});
}

TEST_CASE("nfs mount retry loop: 1, 2, 4, 8, then every 10 s, and no attempt past the deadline", "[nfs_mount]") {
  FakeSystem system;
  system.failing_mounts["/root"] = EHOSTUNREACH;
  const Attempt attempt = mount_with(system, 30);
  REQUIRE_FALSE(attempt.result);
  // 1 + 2 + 4 + 8 = 15 s waited after four attempts; the next wait (10 s) ends at 25 s, within
  // 30; the one after (10 s more) would end past it, so the sixth attempt is the last.
  CHECK(system.trace == Lines{"mkdir(/root,0755)", kMount, "wait(1s)", kMount, "wait(2s)", kMount, "wait(4s)",
                              kMount, "wait(8s)", kMount, "wait(10s)", kMount});
  CHECK(attempt.progress.size() == 5);
  CHECK(attempt.result.error().errno_value == EHOSTUNREACH);
  CHECK(attempt.result.error().hint ==
        "gave up after 6 attempts in 25 s; is the NFS server 10.0.2.2 up and reachable from this network? "
        "(nfsroot-init.mount_timeout= sets how long to try)");
}

TEST_CASE("nfs mount retry loop: a refusal is never retried", "[nfs_mount]") {
  FakeSystem system;
  system.failing_mounts["/root"] = EACCES;
  const Attempt attempt = mount_with(system, 180);
  REQUIRE_FALSE(attempt.result);
  CHECK(system.trace == Lines{"mkdir(/root,0755)", kMount});
  CHECK(attempt.progress.empty());
  CHECK(attempt.result.error().operation == "mount nfs 10.0.2.2:/srv/root");
}

TEST_CASE("nfs mount retry loop: mount_timeout=0 makes one attempt", "[nfs_mount]") {
  FakeSystem system;
  system.failing_mounts["/root"] = ETIMEDOUT;
  const Attempt attempt = mount_with(system, 0);
  REQUIRE_FALSE(attempt.result);
  CHECK(system.trace == Lines{"mkdir(/root,0755)", kMount});
}

TEST_CASE("nfs mount retry loop: an attempt still waiting at the deadline is stopped there, not after timeo x retrans",
          "[nfs_mount]") {
  // A server that accepts and never answers: the kernel alone would wait 180 s (TCP's timeo=600,
  // retrans=2). mount_timeout=15 ends the step at 15 s.
  FakeSystem system;
  system.slow_mounts["/root"] = std::chrono::seconds(180);
  const auto start = system.now();
  const Attempt attempt = mount_with(system, 15);
  REQUIRE_FALSE(attempt.result);
  CHECK(system.trace == Lines{"mkdir(/root,0755)", kMount, "stopped(after 15s)"});
  CHECK(system.now() - start == std::chrono::seconds(15));
  CHECK(attempt.progress.empty());
  CHECK(attempt.result.error().errno_value == ETIMEDOUT);
  CHECK(attempt.result.error().hint ==
        "gave up after 1 attempt in 15 s, the last one stopped at the deadline with no answer; is the NFS server "
        "10.0.2.2 up and reachable from this network? (nfsroot-init.mount_timeout= sets how long to try; timeo= and "
        "retrans= in nfsroot= how long one attempt waits)");
}

TEST_CASE("nfs mount retry loop: every attempt has the step's one deadline; a slow answer before it is taken",
          "[nfs_mount]") {
  FakeSystem system;
  system.slow_mounts["/root"] = std::chrono::seconds(3);
  system.mount_errors_in_turn["/root"] = {ETIMEDOUT, ETIMEDOUT, 0};
  const auto start = system.now();
  const Attempt attempt = mount_with(system, 60);
  CHECK(attempt.result);
  // 3 s per attempt and the 1 s, 2 s waits between them: mounted at 3 + 1 + 3 + 2 + 3 = 12 s.
  CHECK(system.trace == Lines{"mkdir(/root,0755)", kMount, "wait(1s)", kMount, "wait(2s)", kMount});
  CHECK(system.now() - start == std::chrono::seconds(12));
  CHECK(system.mount_deadlines ==
        std::vector<FakeSystem::Clock::time_point>(3, start + std::chrono::seconds(60)));
  CHECK(attempt.progress ==
        Lines{"mount nfs 10.0.2.2:/srv/root: Connection timed out; retrying in 1 s (3 s of 60 s)",
              "mount nfs 10.0.2.2:/srv/root: Connection timed out; retrying in 2 s (7 s of 60 s)"});
}

TEST_CASE("nfs mount retry loop: the attempt that runs into the deadline is stopped, after the retries before it",
          "[nfs_mount]") {
  // Each attempt takes 4 s to be refused; the fourth starts at 4+1+4+2+4+4 = 19 s and would be
  // answered at 23 s, past the 20 s deadline.
  FakeSystem system;
  system.slow_mounts["/root"] = std::chrono::seconds(4);
  system.failing_mounts["/root"] = ECONNREFUSED;
  const Attempt attempt = mount_with(system, 20);
  REQUIRE_FALSE(attempt.result);
  CHECK(system.trace == Lines{"mkdir(/root,0755)", kMount, "wait(1s)", kMount, "wait(2s)", kMount, "wait(4s)", kMount,
                              "stopped(after 1s)"});
  CHECK(attempt.progress.size() == 3);
  CHECK(attempt.result.error().hint.starts_with(
      "gave up after 4 attempts in 20 s, the last one stopped at the deadline with no answer; "));
}

TEST_CASE("nfs mount retry loop: mount_timeout=0 leaves the one attempt to the NFS client's own timeo/retrans",
          "[nfs_mount]") {
  FakeSystem system;
  system.slow_mounts["/root"] = std::chrono::seconds(180);
  const Attempt attempt = mount_with(system, 0);
  CHECK(attempt.result);
  CHECK(system.mount_deadlines.empty());
  CHECK(system.trace == Lines{"mkdir(/root,0755)", kMount});
}
