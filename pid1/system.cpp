// Syscall wrappers for the PID 1 skeleton. They return errors; only main logs.
#include "pid1/system.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>

#include "base/file.h"
#include "base/unique_fd.h"
#include "mounts/mount_options.h"

namespace nfsroot {

std::optional<int> parse_panic_seconds(std::string_view text) {
  if (text.ends_with('\n')) text.remove_suffix(1);
  int seconds = 0;
  const auto [end, status] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (text.empty() || status != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return seconds;
}

std::optional<int> kernel_panic_seconds() {
  const auto text = read_file("/proc/sys/kernel/panic");
  if (!text) return std::nullopt;
  return parse_panic_seconds(*text);
}

Result<void> mount_early(const EarlyMount& mount) {
  if (auto made = make_directories(mount.target); !made) return made;
  const MountOptions options = split_mount_options(mount.options);
  if (::mount(mount.fstype.c_str(), mount.target.c_str(), mount.fstype.c_str(), options.flags,
              options.data.c_str()) != 0) {
    if (errno == EBUSY) return {};
    return std::unexpected(error_from_errno("mount " + mount.fstype, mount.target, errno,
                                            "the kernel needs " + mount.fstype + " built in"));
  }
  return {};
}

void ensure_console_fds() {
  if (::fcntl(STDIN_FILENO, F_GETFD) >= 0) return;
  const int fd = ::open("/dev/console", O_RDWR | O_NOCTTY);  // inherited by the shell: no O_CLOEXEC
  if (fd < 0) return;
  for (int target = 0; target <= 2; ++target) {
    if (fd != target) ::dup2(fd, target);
  }
  if (fd > 2) ::close(fd);
}

Result<std::string> read_kernel_command_line(CommandLineSource source) {
  if (source == CommandLineSource::EnvironmentOrProc) {
    if (const char* override_text = std::getenv("NFSROOT_INIT_CMDLINE")) return std::string(override_text);
  }
  return read_file("/proc/cmdline");
}

std::string unlimit_kmsg() {
  const std::string path = "/proc/sys/kernel/printk_devkmsg";
  auto previous = read_file(path);
  // Fails when printk.devkmsg= is on the command line: the admin's choice stands.
  [[maybe_unused]] auto ignored = write_file(path, "on\n");
  return previous ? *previous : std::string{};
}

void power_off() {
  ::sync();
  ::reboot(RB_POWER_OFF);
  for (;;) ::pause();  // reboot(2) does not return for PID 1; if it did, never exit
}

void reboot_now() {
  ::sync();
  ::reboot(RB_AUTOBOOT);
  for (;;) ::pause();
}

}  // namespace nfsroot
