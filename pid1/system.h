// The thin layer of syscalls the PID 1 skeleton makes: mounts, files, console, power.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"
#include "base/file.h"
#include "plan/boot_plan.h"

namespace nfsroot {

// mkdir -p of the target (mode 0755), then mount(2). A target that already has this
// filesystem (EBUSY) counts as mounted.
[[nodiscard]] Result<void> mount_early(const EarlyMount& mount);

// The kernel's own copy of panic= (kernel-parameters.txt: "panic=" sets the panic timeout that
// /proc/sys/kernel/panic shows): the failure policy of the early mounts after /proc, before the
// command line is read. nullopt when /proc/sys/kernel/panic cannot be read or holds no number.
[[nodiscard]] std::optional<int> kernel_panic_seconds();
// Its text: a decimal number with an optional sign and a newline.
[[nodiscard]] std::optional<int> parse_panic_seconds(std::string_view text);

// The kernel opens /dev/console as fds 0-2 for init when the initramfs has it; if it could
// not, open it now that devtmpfs is mounted.
void ensure_console_fds();

// PID 1 reads /proc/cmdline only: the kernel turns unknown NAME=value words of the command line
// into PID 1's environment, so NFSROOT_INIT_CMDLINE=… there must not replace the command line.
// The CLI (explain) also takes $NFSROOT_INIT_CMDLINE, for tests and for checking a line by hand.
enum class CommandLineSource : std::uint8_t { ProcOnly, EnvironmentOrProc };
[[nodiscard]] Result<std::string> read_kernel_command_line(CommandLineSource source);

// /dev/kmsg drops userspace lines past 10 per 5 s unless printk_devkmsg is "on". Turns it on
// and returns the previous setting, to be restored before the root's init starts.
[[nodiscard]] std::string unlimit_kmsg();

[[noreturn]] void power_off();
[[noreturn]] void reboot_now();

}  // namespace nfsroot
