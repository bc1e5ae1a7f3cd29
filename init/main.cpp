// nfsroot-init: the boot, in order. As PID 1 it boots; run by hand it is the CLI.
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "init/boot_config.h"
#include "init/boot_plan.h"
#include "init/cli.h"
#include "init/failure.h"
#include "init/log.h"
#include "init/module_loader.h"
#include "init/plan_format.h"
#include "init/system.h"
#include "net/network_up.h"

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

void load_drivers(const BootPlan& plan) {
  const long started = log_elapsed_ms();
  auto directory = running_kernel_modules_dir();
  if (!directory) fail_boot("drivers", directory.error(), plan.failure);
  auto index = read_module_index(*directory);
  if (!index) {
    Error error = index.error();
    error.hint = "the initramfs has no modules for this kernel: rebuild it for the running kernel (update-initramfs -u)";
    fail_boot("drivers", error, plan.failure);
  }
  const ModuleSystem system{*directory};
  auto coldplug = coldplug_modules(system, *index);
  if (!coldplug) fail_boot("drivers", coldplug.error(), plan.failure);
  log_info("drivers by modalias: " + coldplug->describe());
  auto named = load_named_modules(system, *index, plan.modules.nfs_modules);
  if (!named) fail_boot("drivers", named.error(), plan.failure);
  log_info("filesystem modules: " + named->describe());
  log_info("drivers done in " + std::to_string(log_elapsed_ms() - started) + " ms");
}

NetworkOutcome bring_up(const BootPlan& plan) {
  const long started = log_elapsed_ms();
  NetworkReporter reporter;
  reporter.info = [](std::string_view line) { log_info(line); };
  reporter.debug = [](std::string_view line) { log_debug(line); };
  auto outcome = bring_up_network(plan.network, NetworkOptions{}, reporter);
  if (!outcome) fail_boot("network", outcome.error(), plan.failure);
  const InterfaceConfig& config = outcome->config;
  log_info("network: " + config.device + " " + config.address.to_string() + "/" +
           std::to_string(prefix_length(config.netmask).value_or(0)) + " (" + config.protocol + ")" +
           (config.gateway ? ", gateway " + config.gateway->to_string() : std::string()) +
           (config.mtu ? ", MTU " + std::to_string(*config.mtu) : std::string()) + "; carrier after " +
           std::to_string(outcome->carrier_wait_ms) + " ms, " +
           (config.protocol == "dhcp" ? "DHCP from carrier to bound " : "configured in ") +
           std::to_string(outcome->configure_ms) + " ms; wrote " + net_conf_path(config.device));
  log_debug("network step took " + std::to_string(log_elapsed_ms() - started) + " ms");
  return std::move(*outcome);
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

  // 3. Drivers: every module a device asks for by modalias, then what the NFS version needs.
  maybe_break(plan, BreakPoint::Modules);
  load_drivers(plan);
  if (plan.poweroff_after == BootStep::Modules) power_off_after(BootStep::Modules);

  // 4. Network: carrier, DHCP or static ip=, address, route, MTU; /run/net-<interface>.conf.
  maybe_break(plan, BreakPoint::Premount);
  const NetworkOutcome network = bring_up(plan);
  if (plan.poweroff_after == BootStep::Network) power_off_after(BootStep::Network);
  (void)network;

  // 5.–7. Root, unions, hand-off: not in this build yet.
  (void)kmsg_limit;  // restored at hand-off, once there is one
  fail_boot("root",
            error_with_problem("boot", "root", "mounting the NFS root is not implemented in this build yet",
                               "use nfsroot-init.poweroff_after=network to test up to here"),
            plan.failure);
}

}  // namespace
}  // namespace nfsroot

int main(int argc, char** argv) {
  if (::getpid() != 1) return nfsroot::run_cli(argc, argv);
  nfsroot::boot();  // never returns: PID 1 must not exit
}
