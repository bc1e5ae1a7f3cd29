// The crash handler reports a stack overflow: it runs on a stack of its own (sigaltstack), since
// the overflowed one has no room left for the handler's frame. Without it the kernel cannot
// deliver the SIGSEGV, kills the process (PID 1: "Attempted to kill init") and the message is lost.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cerrno>
#include <string>

#include "pid1/failure.h"
#include "pid1/log.h"

namespace nfsroot {
namespace {

volatile bool keep_recursing = true;

// Not a tail call and not provably endless (the flag is volatile), so neither the optimiser nor
// -Winfinite-recursion removes it: each frame holds a buffer it uses after the call.
int overflow_stack(int depth) {
  volatile char frame[1024];
  frame[0] = static_cast<char>(depth);
  int below = 0;
  if (keep_recursing) below = overflow_stack(depth + 1);
  frame[1] = static_cast<char>(below);
  return frame[0] + frame[1];
}

struct CrashOutcome {
  std::string log;      // what the handler wrote to the log's fd
  int status = 0;       // the child's wait status
};

// Forks a child that logs to a pipe, installs the crash handlers as PID 1 does and overflows its
// stack. The child starts with no alternate stack, as PID 1 does (the test runner's and the
// sanitizer's are inherited through fork and would hide a missing sigaltstack).
// drop_alternate_stack: disable the handlers' stack again after installing them.
CrashOutcome overflow_in_child(bool drop_alternate_stack) {
  int pipe_fds[2];
  REQUIRE(::pipe2(pipe_fds, O_CLOEXEC) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::close(pipe_fds[0]);
    const rlimit no_core{0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);
    stack_t off{};
    off.ss_flags = SS_DISABLE;
    ::sigaltstack(&off, nullptr);
    log_use_kmsg_fd(pipe_fds[1], pipe_fds[1]);
    install_crash_handlers();
    if (drop_alternate_stack) ::sigaltstack(&off, nullptr);
    overflow_stack(0);
    ::_exit(0);  // not reached
  }
  ::close(pipe_fds[1]);
  CrashOutcome outcome;
  // Read until the handler's last line or end of file (the child died), within a deadline.
  timespec start{};
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (;;) {
    if (outcome.log.find("please report this") != std::string::npos) break;
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    const long left_ms = 20000 - ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000);
    if (left_ms <= 0) break;
    pollfd ready{pipe_fds[0], POLLIN, 0};
    const int polled = ::poll(&ready, 1, static_cast<int>(left_ms));
    if (polled < 0 && errno == EINTR) continue;
    if (polled <= 0) break;
    char buffer[512];
    const ssize_t got = ::read(pipe_fds[0], buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    outcome.log.append(buffer, static_cast<std::size_t>(got));
  }
  ::close(pipe_fds[0]);
  // After its message the handler waits forever (PID 1 must not exit); a child that died
  // already is only reaped.
  ::kill(child, SIGKILL);
  while (::waitpid(child, &outcome.status, 0) < 0 && errno == EINTR) {
  }
  return outcome;
}

}  // namespace

TEST_CASE("crash handler: a stack overflow is reported, on the handler's own stack", "[failure]") {
  const auto outcome = overflow_in_child(false);
  CHECK(outcome.log.find("nfsroot-init: crashed: SIGSEGV (invalid memory access)\n") != std::string::npos);
  CHECK(outcome.log.find("nfsroot-init: please report this with the log above\n") != std::string::npos);
  // It was still waiting (as PID 1 must) when the test killed it.
  REQUIRE(WIFSIGNALED(outcome.status));
  CHECK(WTERMSIG(outcome.status) == SIGKILL);
}

TEST_CASE("crash handler: without the alternate stack the overflow kills silently", "[failure]") {
  // The control for the case above: the same overflow with the handlers but no sigaltstack dies
  // of the SIGSEGV itself and writes nothing, so the message above comes from that stack.
  const auto outcome = overflow_in_child(true);
  CHECK(outcome.log.empty());
  REQUIRE(WIFSIGNALED(outcome.status));
  CHECK(WTERMSIG(outcome.status) == SIGSEGV);
}

}  // namespace nfsroot
