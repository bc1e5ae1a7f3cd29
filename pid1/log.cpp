// Writes one record per line to /dev/kmsg with a priority prefix, or to stderr.
#include "pid1/log.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <string>

namespace nfsroot {

namespace {

struct LogState {
  LogTarget target = LogTarget::Stderr;
  int fd = STDERR_FILENO;
  bool debug = false;
  timespec start{};
};

LogState state;  // the logger is the one global; everything else is passed in

long elapsed_ms_since(const timespec& start) {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
}

void write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t written = ::write(fd, text.data(), text.size());
    if (written < 0) return;  // nowhere left to report it
    text.remove_prefix(static_cast<std::size_t>(written));
  }
}

}  // namespace

void log_start(LogTarget target) {
  clock_gettime(CLOCK_MONOTONIC, &state.start);
  state.target = target;
  state.fd = STDERR_FILENO;
}

bool log_use_kmsg() {
  const int fd = ::open("/dev/kmsg", O_WRONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return false;
  state.fd = fd;
  state.target = LogTarget::Kmsg;
  return true;
}

void log_set_debug(bool enabled) { state.debug = enabled; }

long log_elapsed_ms() { return elapsed_ms_since(state.start); }

void log(LogLevel level, std::string_view message) {
  if (level == LogLevel::Debug && !state.debug) return;
  const long ms = elapsed_ms_since(state.start);
  char stamp[32];
  std::snprintf(stamp, sizeof stamp, "[+%ld.%03ld] ", ms / 1000, ms % 1000);
  // /dev/kmsg takes one record per write(2): a multi-line message becomes several records.
  while (true) {
    const auto newline = message.find('\n');
    const std::string_view line = message.substr(0, newline);
    std::string record;
    if (state.target == LogTarget::Kmsg) {
      record += '<';
      record += std::to_string(static_cast<int>(level));
      record += '>';
    }
    record += "nfsroot-init: ";
    record += stamp;
    record += line;
    record += '\n';
    write_all(state.fd, record);
    if (newline == std::string_view::npos || newline + 1 == message.size()) break;
    message.remove_prefix(newline + 1);
  }
}

void log_raw_signal_safe(const char* text, unsigned long length) {
  [[maybe_unused]] const ssize_t ignored = ::write(state.fd, text, length);
}

}  // namespace nfsroot
