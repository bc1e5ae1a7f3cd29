// nfsroot-init: the boot, in order. As PID 1 it boots; run by hand it is the CLI.
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "init/boot_config.h"
#include "init/boot_plan.h"
#include "init/cli.h"
#include "init/failure.h"
#include "init/log.h"
#include "init/plan_format.h"
#include "init/system.h"

namespace nfsroot {
namespace {

void maybe_break(const BootPlan& plan, BreakPoint point) {
  for (const auto requested : plan.breaks) {
    if (requested == point) run_break_shell(to_string(point));
  }
}

[[noreturn]] void power_off_after(BootStep step) {
  log_notice("powering off after step " + std::string(to_string(step)) + " (nfsroot-init.poweroff_after=)");
  power_off();
}

[[noreturn]] void boot() {
  log_start(LogTarget::Stderr);
  install_crash_handlers();
  ::umask(022);
  const FailurePolicy before_command_line = failure_policy(std::nullopt);

  // 1. Early mounts: /proc for the command line, /dev for the console and /dev/kmsg.
  for (const auto& mount : early_mounts()) {
    if (auto mounted = mount_early(mount); !mounted) fail_boot("early mounts", mounted.error(), before_command_line);
  }
  ensure_console_fds();
  const bool kmsg = log_use_kmsg();
  const std::string kmsg_limit = unlimit_kmsg();
  log_info("nfsroot-init " NFSROOT_INIT_VERSION " running as PID 1");
  if (!kmsg) log_warning("cannot open /dev/kmsg; logging to the console only");

  // 2. Configuration: the kernel command line, turned into the plan.
  auto command_line = read_kernel_command_line();
  if (!command_line) fail_boot("reading the kernel command line", command_line.error(), before_command_line);
  const BootPlan plan = plan_boot(parse_boot_config(*command_line));
  set_crash_policy(plan.failure);
  log_set_debug(plan.debug);
  for (const auto& warning : plan.warnings) log_warning(warning);
  log_info("boot plan:\n" + format_plan(plan));
  if (!plan.errors.empty()) {
    for (std::size_t i = 1; i < plan.errors.size(); ++i) log_error(describe(plan.errors[i]));
    fail_boot("boot plan", plan.errors.front(), plan.failure);
  }
  maybe_break(plan, BreakPoint::Top);
  if (plan.poweroff_after == BootStep::Plan) power_off_after(BootStep::Plan);

  // 3.–7. Drivers, network, root, unions, hand-off: not in this build yet.
  maybe_break(plan, BreakPoint::Modules);
  (void)kmsg_limit;  // restored at hand-off, once there is one
  fail_boot("drivers",
            error_with_problem("boot", "drivers", "loading NIC drivers is not implemented in this build yet",
                               "use nfsroot-init.poweroff_after=plan to test the plan"),
            plan.failure);
}

}  // namespace
}  // namespace nfsroot

int main(int argc, char** argv) {
  if (::getpid() != 1) return nfsroot::run_cli(argc, argv);
  nfsroot::boot();  // never returns: PID 1 must not exit
}
