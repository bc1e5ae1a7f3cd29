// Writes one record per line to /dev/kmsg with a priority prefix, or to stderr.
#include "pid1/log.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "pid1/log_record.h"

namespace nfsroot {

namespace {

struct LogState {
  LogTarget target = LogTarget::Stderr;
  int fd = STDERR_FILENO;
  int console_fd = STDERR_FILENO;
  bool debug = false;
  timespec start{};
  rusage cpu_start{};  // PID 1's rusage counts the kernel's own boot work done before /init ran
};

LogState state;  // the logger is the one global; everything else is passed in

long elapsed_ms_since(const timespec& start) {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  // time_t is 64-bit everywhere (_TIME_BITS=64 on i386); a boot's milliseconds fit a 32-bit long
  // for 24 days, and the logger lives only until the hand-off (or one CLI command).
  return static_cast<long>((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000);
}

// False when a write failed; what was not written is lost.
bool write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t written = ::write(fd, text.data(), text.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    text.remove_prefix(static_cast<std::size_t>(written));
  }
  return true;
}

}  // namespace

void log_start(LogTarget target) {
  clock_gettime(CLOCK_MONOTONIC, &state.start);
  getrusage(RUSAGE_SELF, &state.cpu_start);
  state.target = target;
  state.fd = STDERR_FILENO;
  state.console_fd = STDERR_FILENO;
}

bool log_use_kmsg() {
  const int fd = ::open("/dev/kmsg", O_WRONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return false;
  state.fd = fd;
  state.target = LogTarget::Kmsg;
  return true;
}

void log_use_kmsg_fd(int kmsg_fd, int console_fd) {
  state.fd = kmsg_fd;
  state.console_fd = console_fd;
  state.target = LogTarget::Kmsg;
}

void log_set_debug(bool enabled) { state.debug = enabled; }

long log_elapsed_ms() { return elapsed_ms_since(state.start); }

CpuMilliseconds log_cpu_ms() {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return {};
  const auto ms = [](const timeval& t) { return static_cast<long>(t.tv_sec * 1000 + t.tv_usec / 1000); };
  return {ms(usage.ru_utime) - ms(state.cpu_start.ru_utime), ms(usage.ru_stime) - ms(state.cpu_start.ru_stime)};
}

void log(LogLevel level, std::string_view message) {
  if (level == LogLevel::Debug && !state.debug) return;
  const long ms = elapsed_ms_since(state.start);
  // "[+1.234] ", as printk stamps its own lines. Written by hand: snprintf was the /init's only
  // use of printf, whose engine (with floating point) costs about 9 KB of the static binary.
  const std::string millis = std::to_string(1000 + ms % 1000);  // "1234": the leading 1 pads
  const std::string stamp = "[+" + std::to_string(ms / 1000) + "." + millis.substr(1) + "] ";
  // /dev/kmsg takes one record per write(2), up to kKmsgRecordMax bytes: a multi-line message
  // becomes several records, and a long line several marked pieces (split_log_message).
  const std::string priority =
      state.target == LogTarget::Kmsg ? "<" + std::to_string(static_cast<int>(level)) + ">" : std::string();
  const std::string prefix = std::string("nfsroot-init: ") + stamp;
  const std::size_t budget = kKmsgRecordMax - priority.size() - prefix.size() - 1;  // 1: the newline
  for (const auto& piece : split_log_message(message, budget)) {
    std::string record = prefix;
    if (piece.continuation) record += kContinuationMarker;
    record += piece.text;
    record += '\n';
    if (state.target != LogTarget::Kmsg) {
      write_all(state.fd, record);
    } else if (!write_all(state.fd, priority + record)) {
      // /dev/kmsg refused it (EINVAL for a record it finds too long, or the device is gone):
      // the console still shows it, without the priority the kernel would have read.
      write_all(state.console_fd, record);
    }
  }
}

void log_raw_signal_safe(const char* text, unsigned long length) {
  [[maybe_unused]] const ssize_t ignored = ::write(state.fd, text, length);
}

}  // namespace nfsroot
