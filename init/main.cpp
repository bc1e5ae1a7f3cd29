// nfsroot-init: the boot, in order. As PID 1 it boots; run by hand it is the CLI.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <utility>
#include <vector>

#include "cmdline/boot_config.h"
#include "plan/boot_plan.h"
#include "cli/cli.h"
#include "pid1/failure.h"
#include "pid1/log.h"
#include "drivers/module_loader.h"
#include "plan/plan_format.h"
#include "pid1/system.h"
#include "rootmount/nfs_exports.h"
#include "rootmount/nfs_mount.h"
#include "mounts/root_path.h"
#include "pid1/switch_root.h"
#include "network/network_up.h"
#include "overlay/union_builder.h"
#include "overlay/union_plan.h"

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

// Milliseconds since /init started at the end of each step, for /run/nfsroot-init/timings.
using Timings = std::vector<std::pair<std::string, long>>;

// The end of a step: its time, and the test-only stop nfsroot-init.poweroff_after=.
void finish_step(const BootPlan& plan, BootStep step, Timings& timings) {
  timings.push_back({std::string(to_string(step)), log_elapsed_ms()});
  if (plan.poweroff_after == step) power_off_after(step);
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
  // overlayfs for the unions; without it those unions are skipped with a message, not fatal.
  if (auto overlay = load_named_modules(system, *index, {"overlay"}); overlay) {
    if (!overlay->loaded.empty()) log_info("union modules: " + overlay->describe());
  } else {
    log_warning(describe(overlay.error()) + "; unions of kind overlay will be skipped");
  }
  log_info("drivers done in " + std::to_string(log_elapsed_ms() - started) + " ms");
}

NetworkOutcome bring_up(const BootPlan& plan) {
  const long started = log_elapsed_ms();
  NetworkReporter reporter;
  reporter.info = [](std::string_view line) { log_info(line); };
  reporter.debug = [](std::string_view line) { log_debug(line); };
  reporter.warning = [](std::string_view line) { log_warning(line); };
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

// The server and path: the command line, the lease's root-path and the defaults, in the
// kernel's precedence; %s becomes the hostname or the address.
NfsMountRequest root_request(const BootPlan& plan, const NetworkOutcome& network) {
  const RootStep& step = plan.root;
  const DhcpLease* lease = network.lease ? &*network.lease : nullptr;
  const RootPathChoice choice = choose_nfs_root(step.requested, step.ip_server, lease);
  for (const auto& warning : choice.warnings) log_warning("DHCP root-path: " + warning);
  if (!choice.server) {
    fail_boot("root", error_with_problem("NFS server", "", "neither the command line nor DHCP names one",
                                         "write nfsroot=<server-ip>:<path>, or have the DHCP server send "
                                         "next-server or a root-path"),
              plan.failure);
  }
  NfsMountInput input;
  input.server = choice.server->to_string();
  input.path = expand_root_path(choice.path, network.config.hostname, network.config.address.to_string());
  input.user_options = choice.options;
  input.version_hint = step.requested.version;
  input.read_only = step.mount.read_only;
  NfsMountRequest request = plan_nfs_mount(input);
  log_info("root: " + request.source + " (server from " + choice.server_source + ", path from " + choice.path_source +
           "), type " + request.fstype + ", " + (request.read_only ? "read-only" : "read-write") + ", options " +
           request.data());
  return request;
}

void mount_root(const BootPlan& plan, const NetworkOutcome& network) {
  const long started = log_elapsed_ms();
  const NfsMountRequest request = root_request(plan, network);
  const std::string server = request.source.substr(0, request.source.find(':'));
  auto mounted = mount_nfs_root(request, plan.root.target, plan.root.timeout_seconds,
                                network.config.address.to_string(), [](std::string_view line) { log_info(line); });
  if (!mounted || plan.root.debug) {
    // The server's own list, beside the path that was asked for, says most of what went wrong.
    auto exports = list_nfs_exports(server, 3000);
    const std::string listed = exports ? "the server exports: " + describe_exports(*exports)
                                       : "could not list the server's exports: " + describe(exports.error());
    if (!mounted) {
      Error error = mounted.error();
      const std::string path = request.source.substr(request.source.find(':') + 1);
      if (exports && request.version < 4 && !exports_cover(*exports, path)) {
        error.hint = server + " does not export " + path + ": check nfsroot= or the DHCP root-path";
      }
      error.hint += "; " + listed;
      // Which versions answer where: the fix for "vers=4.2 not offered" or a wrong port=.
      auto services = list_rpc_services(server, 3000);
      error.hint += "; the server's rpcbind lists: " +
                    (services ? describe_nfs_services(*services) : describe(services.error()));
      fail_boot("root", error, plan.failure);
    }
    log_info("root: " + listed);
  }
  log_info("root: mounted " + request.source + " on " + plan.root.target + " in " +
           std::to_string(log_elapsed_ms() - started) + " ms");
}

std::optional<OverlayListFile> overlay_file(const std::string& path) {
  if (!path_exists(path)) return std::nullopt;
  auto text = read_file(path);
  if (!text) {
    log_warning(describe(text.error()) + ", ignoring");
    return std::nullopt;
  }
  return OverlayListFile{path, std::move(*text)};
}

// The overlay list from all its sources; a bad line or an entry whose directory the image
// lacks is reported and skipped, the rest is built (README: "The overlay list").
void build_writable_unions(const BootPlan& plan) {
  const long started = log_elapsed_ms();
  OverlaySources sources;
  sources.command_line = plan.unions.command_line;
  sources.root_file = overlay_file(plan.root.target + std::string(kOverlayListPath));
  sources.initramfs_file = overlay_file(std::string(kOverlayListPath));
  const MergedOverlayList merged = merge_overlay_sources(sources);
  for (const auto& error : merged.errors) log_warning("overlay list: " + describe(error) + ", skipping it");
  LinuxUnionSystem system;
  auto aufs = detect_aufs(system);
  if (!aufs) fail_boot("unions", aufs.error(), plan.failure);
  auto union_plan = plan_union_steps(merged.entries, UnionLayout{plan.root.target, "/run/nfsroot-init/unions", *aufs});
  if (!union_plan) fail_boot("unions", union_plan.error(), plan.failure);
  auto report = build_unions(system, *union_plan);
  if (!report) fail_boot("unions", report.error(), plan.failure);
  for (const auto& notice : report->notices) log_notice("unions: " + notice);
  for (const auto& result : report->unions) {
    if (result.status == UnionStatus::Done) {
      log_info("union " + result.line);
    } else {
      log_warning("union " + result.line);
    }
  }
  log_info("unions done in " + std::to_string(log_elapsed_ms() - started) + " ms");
}

// Per-step times since /init started, for the root system to read (and bench/ to collect).
void write_timings(const Timings& timings) {
  std::string text = "# milliseconds since nfsroot-init started, at the end of each step\n";
  for (const auto& [step, ms] : timings) text += step + " " + std::to_string(ms) + "\n";
  if (::mkdir("/run/nfsroot-init", 0755) != 0 && errno != EEXIST) return;
  if (auto written = write_file("/run/nfsroot-init/timings", text); !written) {
    log_warning(describe(written.error()) + ", ignoring");
  }
}

[[noreturn]] void hand_off(const BootPlan& plan, Timings& timings,
                           const std::string& kmsg_limit, int argc, char** argv) {
  const std::string& new_root = plan.root.target;
  auto init = find_init(new_root, plan.handoff.init_candidates);
  if (!init) fail_boot("hand-off", init.error(), plan.failure);
  // What the kernel passed us (words it did not know, "--" arguments) goes on to the real init.
  std::vector<std::string> arguments(argv + 1, argv + argc);
  timings.push_back({"hand-off", log_elapsed_ms()});
  write_timings(timings);
  if (!kmsg_limit.empty()) {
    [[maybe_unused]] auto restored = write_file("/proc/sys/kernel/printk_devkmsg", kmsg_limit);
  }
  if (auto moved = move_mounts(new_root, plan.handoff.move_mounts); !moved) fail_boot("hand-off", moved.error(), plan.failure);
  // Point of no return: the initramfs goes, and with it any rescue shell.
  const FreedInitramfs freed = free_initramfs(new_root);
  log_info("hand-off: freed the initramfs (" + std::to_string(freed.files) + " files, " +
           std::to_string(freed.bytes / 1024) + " KiB" +
           (freed.failures ? ", " + std::to_string(freed.failures) + " entries left" : std::string()) +
           "); exec " + *init + " after " + std::to_string(log_elapsed_ms()) + " ms");
  if (auto entered = enter_new_root(new_root); !entered) fail_boot("hand-off", entered.error(), plan.failure);
  fail_boot("hand-off", exec_init(*init, arguments, environ), plan.failure);
}

[[noreturn]] void boot(int argc, char** argv) {
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
  Timings timings;
  finish_step(plan, BootStep::Plan, timings);

  // 3. Drivers: every module a device asks for by modalias, then what the NFS version needs.
  maybe_break(plan, BreakPoint::Modules);
  load_drivers(plan);
  finish_step(plan, BootStep::Modules, timings);

  // 4. Network: carrier, DHCP or static ip=, address, route, MTU; /run/net-<interface>.conf.
  maybe_break(plan, BreakPoint::Premount);
  const NetworkOutcome network = bring_up(plan);
  finish_step(plan, BootStep::Network, timings);

  // 5. Root: the NFS export, read-only unless rw.
  maybe_break(plan, BreakPoint::Mount);
  mount_root(plan, network);
  finish_step(plan, BootStep::Root, timings);

  // 6. Unions: the writable directories of the read-only image, mounted in place.
  maybe_break(plan, BreakPoint::Bottom);
  build_writable_unions(plan);
  finish_step(plan, BootStep::Unions, timings);

  // 7. Hand-off to the root's init.
  maybe_break(plan, BreakPoint::Init);
  hand_off(plan, timings, kmsg_limit, argc, argv);
}

}  // namespace
}  // namespace nfsroot

int main(int argc, char** argv) {
  if (::getpid() != 1) return nfsroot::run_cli(argc, argv);
  nfsroot::boot(argc, argv);  // never returns: PID 1 must not exit
}
