// The failure policy, in one place: a failed step is reported once, then panic= decides.
#pragma once

#include <string_view>

#include "base/error.h"
#include "plan/boot_plan.h"

namespace nfsroot {

inline constexpr const char* kRescueShell = "/bin/sh";

// Logs "<step title> failed: <error>" and then: panic=N>0 reboot after N s; N<0 reboot at once;
// otherwise a rescue shell when the initramfs has /bin/sh (reboot when it exits), else wait
// forever. Never returns, so PID 1 never exits.
[[noreturn]] void fail_boot(BootStep step, const Error& error, const FailurePolicy& policy);

// break=: a shell on the console, then the boot goes on. Returns false when there is no shell.
bool run_break_shell(std::string_view point);

// Fatal signals and std::terminate in PID 1 would panic the kernel with no context: report
// them to the log first, then follow the policy known at that moment.
void install_crash_handlers();
void set_crash_policy(const FailurePolicy& policy);

}  // namespace nfsroot
