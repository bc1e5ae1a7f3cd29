// The boot log: /dev/kmsg (so dmesg and journalctl -b show it later), else stderr.
// Its state is global (the crash policy in failure.cpp is the other); only the main thread logs:
// the module-loading thread hands its reports back instead.
#pragma once

#include <string_view>

namespace nfsroot {

// syslog(3) priorities, as /dev/kmsg takes them in "<N>".
enum class LogLevel : int { Emergency = 0, Error = 3, Warning = 4, Notice = 5, Info = 6, Debug = 7 };

enum class LogTarget : int { Stderr, Kmsg };

// Call first thing: the clock for "+seconds since /init started" starts here.
void log_start(LogTarget target);
// After /dev is mounted: send records to /dev/kmsg. Returns false if it cannot be opened.
bool log_use_kmsg();
// The same with an fd already open: records go to kmsg_fd in /dev/kmsg's format, and to
// console_fd when a write there fails. For tests (a pipe, /dev/full); the boot uses log_use_kmsg().
void log_use_kmsg_fd(int kmsg_fd, int console_fd);
// debug=: also log Debug records.
void log_set_debug(bool enabled);

void log(LogLevel level, std::string_view message);
inline void log_error(std::string_view message) { log(LogLevel::Error, message); }
inline void log_warning(std::string_view message) { log(LogLevel::Warning, message); }
inline void log_notice(std::string_view message) { log(LogLevel::Notice, message); }
inline void log_info(std::string_view message) { log(LogLevel::Info, message); }
inline void log_debug(std::string_view message) { log(LogLevel::Debug, message); }

// Milliseconds since log_start(), for step timings.
[[nodiscard]] long log_elapsed_ms();

// The CPU time of this process (all its threads) since log_start(), getrusage(2): as PID 1 it
// was the kernel's init thread, whose boot work before /init is left out. Wall time under TCG is
// mostly the kernel's and the network's; `user` is what our code and the libc cost, `system`
// mostly the kernel's finit_module work done on our behalf.
struct CpuMilliseconds {
  long user = 0;
  long system = 0;
};
[[nodiscard]] CpuMilliseconds log_cpu_ms();

// For signal handlers: one write(2) of a fixed text to the log's fd, async-signal-safe.
void log_raw_signal_safe(const char* text, unsigned long length);

}  // namespace nfsroot
