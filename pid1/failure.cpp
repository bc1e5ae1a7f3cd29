// Failure policy, rescue shell and crash handlers of PID 1.
#include "pid1/failure.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <exception>
#include <string>

#include "base/cat.h"
#include "pid1/log.h"
#include "pid1/system.h"

namespace nfsroot {

namespace {

volatile sig_atomic_t crash_action = static_cast<int>(FailurePolicy::Action::RescueShell);
volatile sig_atomic_t crash_delay_seconds = 0;

// Waits out a delay the admin asked for (panic=N); this is a policy, not a guess at an event.
void wait_seconds(long seconds) {
  timespec deadline{};
  clock_gettime(CLOCK_MONOTONIC, &deadline);
  deadline.tv_sec += seconds;
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, nullptr) == EINTR) {
  }
}

// Runs /bin/sh on the console as a session leader with the console as controlling terminal,
// so Ctrl-C works there; returns when it exits.
bool run_shell(std::string_view banner) {
  if (!path_exists(kRescueShell)) return false;
  log_notice(banner);
  const pid_t child = ::fork();
  if (child < 0) {
    log_error("fork for the rescue shell failed: " + describe(error_from_errno("fork", kRescueShell, errno)));
    return false;
  }
  if (child == 0) {
    ::setsid();
    const int console = ::open("/dev/console", O_RDWR);
    if (console >= 0) {
      ::ioctl(console, TIOCSCTTY, 1);
      for (int fd = 0; fd <= 2; ++fd) ::dup2(console, fd);
      if (console > 2) ::close(console);
    }
    const char* argv[] = {"sh", "-i", nullptr};
    const char* envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "PS1=(nfsroot-init) # ", "TERM=linux", nullptr};
    ::execve(kRescueShell, const_cast<char* const*>(argv), const_cast<char* const*>(envp));
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  return true;
}

[[noreturn]] void wait_forever() {
  for (;;) ::pause();
}

[[noreturn]] void follow_policy(const FailurePolicy& policy) {
  switch (policy.action) {
    case FailurePolicy::Action::RebootAfterDelay:
      log_error(cat("rebooting in ", policy.delay_seconds, " s (panic=", policy.delay_seconds, ")"));
      wait_seconds(policy.delay_seconds);
      reboot_now();
    case FailurePolicy::Action::RebootNow:
      log_error("rebooting now (panic= is negative)");
      reboot_now();
    case FailurePolicy::Action::RescueShell:
      if (run_shell("starting a rescue shell on the console; exit it to reboot (set panic=N to reboot after N s)")) {
        log_notice("rescue shell exited; rebooting");
        reboot_now();
      }
      log_error("no rescue shell (/bin/sh) in the initramfs: waiting forever; set panic=N to reboot after N s");
      wait_forever();
  }
  wait_forever();
}

void write_signal_safe(const char* text) {
  unsigned long length = 0;
  while (text[length] != '\0') ++length;
  log_raw_signal_safe(text, length);
}

void on_fatal_signal(int signal_number) {
  // Only async-signal-safe calls from here on.
  switch (signal_number) {
    case SIGSEGV: write_signal_safe("<2>nfsroot-init: crashed: SIGSEGV (invalid memory access)\n"); break;
    case SIGBUS: write_signal_safe("<2>nfsroot-init: crashed: SIGBUS\n"); break;
    case SIGILL: write_signal_safe("<2>nfsroot-init: crashed: SIGILL\n"); break;
    case SIGFPE: write_signal_safe("<2>nfsroot-init: crashed: SIGFPE\n"); break;
    default: write_signal_safe("<2>nfsroot-init: crashed: SIGABRT\n"); break;
  }
  write_signal_safe("<2>nfsroot-init: please report this with the log above\n");
  if (crash_action == static_cast<int>(FailurePolicy::Action::RebootNow)) {
    ::reboot(RB_AUTOBOOT);
  } else if (crash_action == static_cast<int>(FailurePolicy::Action::RebootAfterDelay)) {
    // clock_gettime is async-signal-safe; clock_nanosleep is not on POSIX's list, but glibc and
    // musl make it a plain system call, with no lock a crashed thread could hold.
    wait_seconds(crash_delay_seconds);
    ::reboot(RB_AUTOBOOT);
  }
  // A crashed process cannot safely start a shell; PID 1 must not exit either.
  for (;;) ::pause();
}

}  // namespace

void fail_boot(BootStep step, const Error& error, const FailurePolicy& policy) {
  log_error(std::string(step_title(step)) + " failed: " + describe(error));
  follow_policy(policy);
}

bool run_break_shell(std::string_view point) {
  const std::string banner = "break=" + std::string(point) + ": starting a shell; exit it to continue the boot";
  if (run_shell(banner)) return true;
  log_warning("break=" + std::string(point) + ": no /bin/sh in the initramfs, continuing");
  return false;
}

void set_crash_policy(const FailurePolicy& policy) {
  crash_action = static_cast<int>(policy.action);
  crash_delay_seconds = policy.delay_seconds;
}

void install_crash_handlers() {
  // A stack overflow raises SIGSEGV with no stack left to run the handler on: without a stack of
  // its own the kernel kills PID 1 ("Attempted to kill init") and the message is lost.
  static char alternate_stack[64 * 1024];
  stack_t stack{};
  stack.ss_sp = alternate_stack;
  stack.ss_size = sizeof alternate_stack;
  if (::sigaltstack(&stack, nullptr) != 0) log_warning("sigaltstack failed; a stack overflow would go unreported");
  struct sigaction action {};
  action.sa_handler = on_fatal_signal;
  action.sa_flags = SA_ONSTACK;
  sigemptyset(&action.sa_mask);
  for (const int signal_number : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT}) sigaction(signal_number, &action, nullptr);
  std::set_terminate([] {
    log_error("internal error: std::terminate called (an allocation failed?)");
    ::raise(SIGABRT);
    for (;;) ::pause();
  });
}

}  // namespace nfsroot
