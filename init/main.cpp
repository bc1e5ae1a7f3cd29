// nfsroot-init: the boot, in order. As PID 1 it boots; run by hand it is the CLI.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/cat.h"
#include "base/text.h"
#include "cli/cli.h"
#include "cmdline/boot_config.h"
#include "drivers/background_load.h"
#include "drivers/module_loader.h"
#include "drivers/network_devices.h"
#include "drivers/uevent_socket.h"
#include "network/network_up.h"
#include "overlay/union_builder.h"
#include "pid1/failure.h"
#include "pid1/lease_keeper_handoff.h"
#include "pid1/log.h"
#include "pid1/switch_root.h"
#include "pid1/system.h"
#include "plan/boot_plan.h"
#include "plan/plan_format.h"
#include "plan/resolve.h"
#include "rootmount/diagnosis.h"
#include "rootmount/image_root.h"
#include "rootmount/nfs_mount.h"
#include "rootmount/server_choice.h"
#include "sys/system.h"

namespace nfsroot {
namespace {

void maybe_break(const BootPlan& plan, BreakPoint point) {
  for (const auto requested : plan.breaks) {
    if (requested == point) run_break_shell(to_string(point));
  }
}

// Milliseconds since /init started at the end of each step, for /run/nfsroot-init/timings; the
// root step's parts as "root.servers", "root.nfs", "root.copy" before its own end.
using Timings = std::vector<std::pair<std::string, long>>;

// The end of a step: its time, and the test-only stop nfsroot-init.poweroff_after=.
void finish_step(const BootPlan& plan, BootStep step, Timings& timings) {
  timings.push_back({std::string(to_string(step)), log_elapsed_ms()});
  if (plan.poweroff_after == step) {
    log_notice(cat("powering off after step ", to_string(step), " (nfsroot-init.poweroff_after=)"));
    power_off();
  }
}

long milliseconds(std::chrono::steady_clock::duration duration) {
  return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(duration).count());
}

// The module index and where it lives; the background load reads it until it is joined.
struct Drivers {
  ModuleSystem system;
  ModuleIndex index;
  long started_ms = 0;
  std::optional<UeventSocket> uevents;  // devices that appear after the coldplug
  // The USB host controller's driver the coldplug loaded, and when: a USB NIC enumerates from then.
  std::optional<std::pair<std::string, std::chrono::steady_clock::time_point>> usb_host;
};

// xhci_pci, ehci_pci, ohci_pci, uhci_hcd (and xhci_hcd, …): the drivers that start USB enumeration.
bool is_usb_host_driver(std::string_view module) {
  return module.ends_with("hci_pci") || module.ends_with("hci_hcd");
}

enum class AppearedInterfaces : std::uint8_t { Quiet, Logged };

// Devices that appeared since the last look: their modules, and how long a USB NIC's
// interface took from the host controller's driver. `own_links` are the links the network
// step makes itself (vlan=, bond=): their appearing is no news.
void handle_hotplug(const Drivers& drivers, AppearedInterfaces appeared, std::span<const std::string> own_links = {}) {
  if (!drivers.uevents) return;
  auto report = drivers.uevents->handle(drivers.system, drivers.index);
  if (!report) {
    log_warning(describe(report.error()) + ", ignoring");
    return;
  }
  if (report->rescanned) log_info("hotplug: uevents were lost (socket overflow); sysfs read again");
  // A replayed modalias finds its modules loaded already; only news is worth a line.
  ModuleLoadReport news;
  news.loaded = std::move(report->modules.loaded);
  for (auto& failure : report->modules.failed) {
    if (failure.error.errno_value != ENODEV) news.failed.push_back(std::move(failure));
  }
  if (!news.loaded.empty() || !news.failed.empty()) log_info("hotplug: " + news.describe());
  if (appeared == AppearedInterfaces::Quiet) return;
  for (const auto& name : report->new_interfaces) {
    if (std::find(own_links.begin(), own_links.end(), name) != own_links.end()) continue;
    std::string line = "hotplug: interface " + name + " appeared";
    if (drivers.usb_host) {
      line += cat(" ", milliseconds(drivers.system.system.now() - drivers.usb_host->second), " ms after ",
                  drivers.usb_host->first, " loaded");
    }
    log_info(line);
  }
}

// The NIC drivers, by modalias: the network step needs them now.
Drivers load_nic_drivers(System& system, const BootPlan& plan) {
  const long started = log_elapsed_ms();
  auto directory = running_kernel_modules_dir(system);
  if (!directory) fail_boot(BootStep::Drivers, directory.error(), plan.failure);
  ModuleSystem modules{system, *directory};
  auto index = read_module_index(modules);
  if (!index) {
    Error error = index.error();
    error.hint = "the initramfs has no modules for this kernel: rebuild it for the running kernel (update-initramfs -u)";
    fail_boot(BootStep::Drivers, error, plan.failure);
  }
  Drivers drivers{std::move(modules), std::move(*index), started, std::nullopt, std::nullopt};
  // Subscribed before sysfs is read, so that a device appearing in between is in the queue.
  if (auto uevents = UeventSocket::open(); uevents) {
    drivers.uevents.emplace(std::move(*uevents));
  } else {
    log_warning(describe(uevents.error()) + "; devices that appear after the coldplug (USB NICs) get no driver");
  }
  auto coldplug = coldplug_modules(drivers.system, drivers.index);
  if (!coldplug) fail_boot(BootStep::Drivers, coldplug.error(), plan.failure);
  log_info("drivers by modalias: " + coldplug->describe());
  for (const auto& module : coldplug->loaded) {
    if (is_usb_host_driver(module.name)) drivers.usb_host.emplace(module.name, module.finished);
  }
  // What appeared while the coldplug ran; its interfaces are the coldplug's own, not late ones.
  handle_hotplug(drivers, AppearedInterfaces::Quiet);
  if (!plan.modules.network_modules.empty()) {
    auto links = load_named_modules(drivers.system, drivers.index, plan.modules.network_modules);
    if (!links) {
      Error error = links.error();
      error.hint = cat("the network step needs it (vlan=, bond=): ", kAddNetworkModuleHint);
      fail_boot(BootStep::Drivers, error, plan.failure);
    }
    log_info("link modules: " + links->describe());
  }
  return drivers;
}

// The filesystem and union modules, loaded alongside the network step: their reports, and
// how much of their loading the network step's time covered.
void finish_filesystem_modules(const BootPlan& plan, const Drivers& drivers, BackgroundModuleLoad& load,
                               std::chrono::steady_clock::duration network_time) {
  BackgroundModuleLoad::Outcome outcome = load.join();
  const Result<ModuleLoadReport>& filesystems = outcome.reports.at(0);
  if (!filesystems) fail_boot(BootStep::Drivers, filesystems.error(), plan.failure);
  log_info("filesystem modules: " + filesystems->describe());
  // overlayfs for the unions; without it those unions are skipped with a message, not fatal.
  if (const Result<ModuleLoadReport>& unions = outcome.reports.at(1); unions) {
    if (!unions->loaded.empty()) log_info("union modules: " + unions->describe());
  } else {
    log_warning(describe(unions.error()) + "; unions of kind overlay will be skipped");
  }
  if (const Result<ModuleLoadReport>& optional = outcome.reports.at(2); !optional) {
    log_notice(describe(optional.error()) + "; a DHCP root-path with nfs4: could not be mounted, ignoring");
  } else if (!optional->loaded.empty()) {
    log_info("for a DHCP root-path with nfs4: " + optional->describe());
  }
  // Image mode: loop, squashfs, erofs. A missing one matters only if the image needs it; the
  // image mount then names it.
  for (std::size_t set = 3; set < outcome.reports.size(); ++set) {
    const Result<ModuleLoadReport>& image = outcome.reports[set];
    if (!image) {
      log_notice(describe(image.error()) + "; an image that needs it cannot be mounted");
    } else if (!image->loaded.empty()) {
      log_info("image modules: " + image->describe());
    }
  }
  const auto loading = outcome.finished - outcome.started;
  log_info(cat("drivers done in ", log_elapsed_ms() - drivers.started_ms, " ms; filesystem modules ",
               milliseconds(loading), " ms alongside the network step's ", milliseconds(network_time), " ms (",
               milliseconds(std::min(loading, network_time)), " ms overlapped)"));
}

// The sets the background load takes, in the order finish_filesystem_modules() reads them:
// NFS, unions, the optional nfsv4, then one set per image module (each may be missing; the
// image's format decides which one the mount needs).
std::vector<std::vector<std::string>> filesystem_module_sets(const BootPlan& plan) {
  std::vector<std::vector<std::string>> sets{plan.modules.nfs_modules, plan.modules.union_modules,
                                             plan.modules.optional_nfs_modules};
  for (const auto& module : plan.modules.image_modules) sets.push_back({module});
  return sets;
}

NetworkOutcome bring_up(const BootPlan& plan, const Drivers& drivers) {
  const long started = log_elapsed_ms();
  NetworkReporter reporter;
  reporter.info = [](std::string_view line) { log_info(line); };
  reporter.debug = [](std::string_view line) { log_debug(line); };
  reporter.warning = [](std::string_view line) { log_warning(line); };
  NetworkOptions options;
  // The step waits on the uevents too: a USB NIC's modalias appears only once the host
  // controller has enumerated it, after the coldplug.
  if (drivers.uevents) {
    std::vector<std::string> own_links;
    if (plan.network.vlan) own_links.push_back(plan.network.vlan->name);
    if (plan.network.bond) own_links.push_back(plan.network.bond->name);
    options.hotplug = NetworkEventSource{drivers.uevents->fd(), [&drivers, own_links = std::move(own_links)] {
                                           handle_hotplug(drivers, AppearedInterfaces::Logged, own_links);
                                         }};
  }
  options.missing_drivers = [&drivers] {
    auto modaliases = read_unbound_modaliases(drivers.system);
    if (!modaliases) return MissingDrivers{"unknown (" + describe(modaliases.error()) + ")", ""};
    DriverlessNetworkDevices found = describe_driverless_network_devices(*modaliases, drivers.index);
    return MissingDrivers{std::move(found.devices), std::move(found.hint)};
  };
  auto outcome = bring_up_network(plan.network, options, reporter);
  if (!outcome) fail_boot(BootStep::Network, outcome.error(), plan.failure);
  const InterfaceConfig& config = outcome->config;
  if (config.is_ipv6()) {
    log_info(cat("network: ", config.device, ' ', config.address6->to_string(), '/', config.prefix6, " (",
                 config.protocol6 == "auto6"   ? "router advertisement"
                 : config.protocol6 == "dhcp6" ? "DHCPv6"
                                               : "static IPv6",
                 ')', config.gateway6 ? cat(", gateway ", config.gateway6->to_string()) : std::string(),
                 "; carrier after ", outcome->carrier_wait_ms, " ms, configured in ", outcome->configure_ms, " ms",
                 config.protocol6 != "auto6" ? "; wrote " + net6_conf_path(config.device) : std::string()));
    log_debug(cat("network step took ", log_elapsed_ms() - started, " ms"));
    return std::move(*outcome);
  }
  log_info(cat("network: ", config.device, ' ', config.address.to_string(), '/',
               prefix_length(config.netmask).value_or(0), " (", config.protocol, ')',
               config.gateway ? cat(", gateway ", config.gateway->to_string()) : std::string(),
               config.mtu ? cat(", MTU ", *config.mtu) : std::string(), "; carrier after ", outcome->carrier_wait_ms,
               " ms, ", config.protocol == "dhcp" ? "DHCP from carrier to bound " : "configured in ",
               outcome->configure_ms, " ms; wrote ", net_conf_path(config.device)));
  log_debug(cat("network step took ", log_elapsed_ms() - started, " ms"));
  return std::move(*outcome);
}

void mount_root(System& system, const BootPlan& plan, const NetworkOutcome& network, Timings& timings) {
  const long started = log_elapsed_ms();
  // nfsroot.rst's %s in a root path: the hostname, else the client's address (IPv6 on an IPv6 boot).
  const ClientIdentity client{network.config.hostname, network.config.is_ipv6()
                                                           ? network.config.address6->to_string()
                                                           : network.config.address.to_string()};
  auto root = resolve_root(plan.root, network.lease ? &*network.lease : nullptr, client);
  if (!root) fail_boot(BootStep::Root, root.error(), plan.failure);
  for (const auto& warning : root->warnings) log_warning("DHCP root-path: " + warning);
  NfsMountRequest request = root->request;
  log_info(cat("root: ", request.source, " (server from ", root->server_source, ", path from ", root->path_source,
               ", version from ", root->version_source, "), type ", request.fstype, ", ", request.read_only ? "read-only" : "read-write", ", options ",
               request.data()));
  if (root->jitter_max_ms > 0) {
    const auto mac = system.read_file(cat("/sys/class/net/", network.config.device, "/address"));
    const int jitter = mount_jitter_ms(mac ? trim(*mac) : std::string_view(client.address), root->jitter_max_ms);
    log_info(cat("root: waiting ", jitter, " ms before the first attempt (0 to ", root->jitter_max_ms, " by the ",
                 mac ? "MAC" : "address", ", nfsroot-init.mount_jitter=)"));
    system.wait_until(system.now() + std::chrono::milliseconds(jitter));
  }
  // Image mode mounts the export where the image is read from; directory mode, as the root.
  const bool image_mode = !plan.root.image.empty();
  const std::string& nfs_target = image_mode ? plan.root.image_source : plan.root.target;
  if (image_mode) {
    if (auto made = system.make_directories(plan.root.target, 0755); !made) {
      fail_boot(BootStep::Root, made.error(), plan.failure);
    }
  }
  std::optional<RamCopy> copy;
  if (plan.root.copy_to_ram) {
    copy.emplace();
    copy->option = plan.root.copy_to_ram_option;
    copy->directory = plan.root.ram_dir;
    copy->stall_limit = std::chrono::seconds(std::max(plan.root.timeout_seconds, 10));
    copy->report = [](std::string_view line) { log_info(line); };
  }
  const NfsMountRequest requested = request;
  std::optional<ImageRoot> image;
  long image_started = 0;
  // One server's try: the NFS mount, then in image mode the image on it; a failed image leaves
  // the export unmounted again, so the next server's can go to the same place.
  const RootAttempt attempt = [&](const std::string& server, int timeout_seconds) -> Result<void> {
    request = with_server(requested, server);
    auto mounted = mount_nfs_root(system, request, nfs_target, timeout_seconds, client.address,
                                  [](std::string_view line) { log_info(line); });
    if (!mounted) return std::unexpected(diagnose_nfs_mount_failure(request, mounted.error()));
    if (plan.root.debug) log_info("root: " + describe_server_exports(request.server));
    log_info(cat("root: mounted ", request.source, " on ", nfs_target, " in ", log_elapsed_ms() - started, " ms"));
    if (!image_mode) return {};
    timings.push_back({"root.nfs", log_elapsed_ms()});
    image_started = log_elapsed_ms();
    auto mounted_image = mount_image_root(system, plan.root.image_source, plan.root.image, plan.root.target,
                                          copy ? &*copy : nullptr, plan.root.image_read_ahead_kib);
    if (!mounted_image) {
      if (auto unmounted = system.unmount(nfs_target); !unmounted) log_warning(cat("root: ", describe(unmounted.error())));
      return std::unexpected(with_context(mounted_image.error(), "image root"));
    }
    image = std::move(*mounted_image);
    return {};
  };
  if (root->servers.size() > 1) {
    const std::vector<std::string>& servers = root->servers;
    const std::uint16_t port = probe_port(request);
    ServerProbe last;
    bool chosen_once = false;
    auto served = serve_root_from_servers(
        system, servers, port, plan.root.timeout_seconds,
        [&](const std::vector<std::string>& left, std::chrono::steady_clock::time_point deadline) {
          auto probe = probe_servers(left, port, deadline);
          if (probe) last = *probe;
          return probe;
        },
        [&](const std::string& server, int timeout_seconds) {
          log_info(cat("root: servers ", join(servers, ", "), " (port ", port, "): ", describe_server_probe(last),
                       "; mounting from ", server));
          if (!chosen_once) timings.push_back({"root.servers", log_elapsed_ms()});
          chosen_once = true;
          return attempt(server, timeout_seconds);
        },
        [](std::string_view line) { log_info(line); });
    if (!served) fail_boot(BootStep::Root, served.error(), plan.failure);
  } else if (auto served = attempt(request.server, plan.root.timeout_seconds); !served) {
    fail_boot(BootStep::Root, served.error(), plan.failure);
  }
  if (!image_mode) return;
  if (image->read_ahead_error) {
    log_warning(cat("root: ", describe(*image->read_ahead_error), "; the image is read with the kernel's read-ahead"));
  } else if (image->read_ahead_kib > 0) {
    log_info(cat("root: the export reads ahead ", image->read_ahead_kib, " KiB (", image->read_ahead_setting, ")"));
  }
  if (!image->copy.empty()) timings.push_back({"root.copy", image_started + image->copy_milliseconds});
  const std::string copied =
      image->copy.empty() ? std::string()
                          : cat(", copied to RAM in ", image->copy_milliseconds, " ms (",
                                image->checksum_checked ? "SHA-256 checked" : "unchecked", ")");
  log_info(cat("root: image ", image->version, " (", to_string(image->format), ", ", image->size / 1024, " KiB",
               image->channel.empty() ? std::string() : cat(", current of channel ", image->channel), ") from ",
               request.source, copied, ", on ", image->device, ", mounted read-only on ", plan.root.target));
  if (image->export_unmounted) log_info(cat("root: unmounted ", request.source, ": the client no longer needs the server"));
}

// A list that cannot be read is reported and left out: the other sources still apply.
std::optional<OverlayListFile> overlay_list_or_none(System& system, const std::string& root) {
  auto list = read_overlay_list(system, root);
  if (list) return std::move(*list);
  log_warning("overlay list: " + describe(list.error()) + ", ignoring it");
  return std::nullopt;
}

// The overlay list from all its sources; a bad line or an entry whose directory the image
// lacks is reported and skipped, the rest is built (README: "The overlay list").
void build_writable_unions(System& system, const BootPlan& plan) {
  const long started = log_elapsed_ms();
  auto aufs = detect_aufs(system);
  if (!aufs) fail_boot(BootStep::Unions, aufs.error(), plan.failure);
  auto unions = resolve_unions(plan.unions, overlay_list_or_none(system, plan.unions.new_root),
                               overlay_list_or_none(system, "/"), *aufs);
  if (!unions) fail_boot(BootStep::Unions, unions.error(), plan.failure);
  for (const auto& error : unions->skipped) log_warning("overlay list: " + describe(error) + ", skipping it");
  auto report = build_unions(system, unions->plan);
  if (!report) fail_boot(BootStep::Unions, report.error(), plan.failure);
  for (const auto& notice : report->notices) log_notice("unions: " + notice);
  for (const auto& result : report->unions) {
    if (result.status == UnionStatus::Done) {
      log_info("union " + result.line);
    } else {
      log_warning("union " + result.line);
    }
  }
  log_info(cat("unions done in ", log_elapsed_ms() - started, " ms"));
}

// Per-step times since /init started, for the root system to read (and bench/ to collect).
void write_timings(const Timings& timings) {
  std::string text = "# milliseconds since nfsroot-init started, at the end of each step\n";
  for (const auto& [step, ms] : timings) text += cat(step, ' ', ms, '\n');
  if (::mkdir("/run/nfsroot-init", 0755) != 0 && errno != EEXIST) return;
  if (auto written = write_file("/run/nfsroot-init/timings", text); !written) {
    log_warning(describe(written.error()) + ", ignoring");
  }
}

// The lease keeper, decided before the point of no return: the root's files are still where
// the boot mounted them, and the program to keep is still in the initramfs.
std::optional<std::string> prepare_lease_keeper(System& system, const BootPlan& plan, const NetworkOutcome& network,
                                                const std::string& self) {
  // A DHCPv4 lease, or a DHCPv6 one (its valid lifetime, config_from_lease6()).
  const bool v6 = network.config.protocol6 == "dhcp6";
  const std::optional<std::uint32_t> lease_seconds =
      network.lease || v6 ? std::optional(network.config.lease_seconds) : std::nullopt;
  // The root's /etc is read over NFS only when the answer decides (auto, with a lease).
  const bool root_networkd = lease_seconds && plan.handoff.lease_keeper == LeaseKeeperMode::Auto &&
                             root_enables_networkd(system, plan.root.target);
  const LeaseKeeperChoice choice =
      choose_lease_keeper(plan.handoff.lease_keeper, plan.network, lease_seconds, root_networkd);
  if (!choice.start) {
    if (lease_seconds) log_info("lease keeper: not started: " + choice.reason);
    return std::nullopt;
  }
  if (auto kept = keep_own_program(system, self, "/run"); !kept) {
    log_warning(cat(describe(kept.error()), "; no lease keeper: nothing renews the lease of ",
                    v6 ? network.config.address6->to_string() : network.config.address.to_string(),
                    " when it runs out in ", *lease_seconds, " s"));
    return std::nullopt;
  }
  return "lease keeper for " + network.config.device + ": " + choice.reason;
}

[[noreturn]] void hand_off(System& system, const BootPlan& plan, const NetworkOutcome& network, const std::string& self,
                           Timings& timings, const std::string& kmsg_limit) {
  const std::string& new_root = plan.root.target;
  auto init = find_init(new_root, plan.handoff.init_candidates);
  if (!init) fail_boot(BootStep::Handoff, init.error(), plan.failure);
  const auto keeper = prepare_lease_keeper(system, plan, network, self);
  timings.push_back({std::string(to_string(BootStep::Handoff)), log_elapsed_ms()});
  write_timings(timings);
  if (!kmsg_limit.empty()) {
    [[maybe_unused]] auto restored = write_file("/proc/sys/kernel/printk_devkmsg", kmsg_limit);
  }
  if (auto moved = move_mounts(system, new_root, plan.handoff.move_mounts); !moved) {
    fail_boot(BootStep::Handoff, moved.error(), plan.failure);
  }
  // Point of no return: the initramfs goes, and with it any rescue shell.
  auto freed = free_initramfs(system, new_root);
  if (!freed) fail_boot(BootStep::Handoff, freed.error(), plan.failure);
  const CpuMilliseconds cpu = log_cpu_ms();
  log_info(cat("hand-off: freed the initramfs (", freed->files, " files, ", freed->bytes / 1024, " KiB",
               freed->failures ? cat(", ", freed->failures, " entries left") : std::string(), "); exec ", *init,
               " after ", log_elapsed_ms(), " ms (CPU: user ", cpu.user, " ms, system ", cpu.system, " ms)"));
  if (auto entered = enter_new_root(system, new_root); !entered) {
    fail_boot(BootStep::Handoff, entered.error(), plan.failure);
  }
  // In the root system now: the keeper starts there, from the copy in its /run.
  if (keeper) {
    if (auto pid = start_lease_keeper(system, network.config.device, plan.debug); pid) {
      log_info(cat(*keeper, "; started as PID ", *pid, " (", keeper_program_path("/run"), ")"));
    } else {
      log_warning(cat(describe(pid.error()), "; no ", *keeper));
    }
  }
  fail_boot(BootStep::Handoff, exec_init(*init, plan.handoff.init_arguments, environ), plan.failure);
}

[[noreturn]] void boot(int argc, char** argv) {
  log_start(LogTarget::Stderr);
  install_crash_handlers();
  ::umask(022);
  FailurePolicy before_command_line = failure_policy(std::nullopt);
  LinuxSystem system;
  // Before the first write: a PID 1 whose "/" is a real root (a container, init= on a disk root)
  // is not ours to boot, and the hand-off would delete it.
  if (auto initramfs = require_initramfs_root(system); !initramfs) {
    fail_boot(BootStep::Early, initramfs.error(), before_command_line);
  }

  // 1. Early mounts: /proc for the command line, /dev for the console and /dev/kmsg. Once
  //    /proc is there, panic= is known from the kernel, so a failing /sys, /dev or /run mount
  //    reboots as the admin asked instead of waiting.
  for (const auto& mount : early_mounts()) {
    if (auto mounted = mount_early(mount); !mounted) fail_boot(BootStep::Early, mounted.error(), before_command_line);
    if (mount.target == "/proc") before_command_line = failure_policy(kernel_panic_seconds());
  }
  ensure_console_fds();
  const bool kmsg = log_use_kmsg();
  const std::string kmsg_limit = unlimit_kmsg();
  log_info("nfsroot-init " NFSROOT_INIT_VERSION " running as PID 1");
  if (!kmsg) log_warning("cannot open /dev/kmsg; logging to the console only");

  // 2. Configuration: the kernel command line, turned into the plan.
  auto command_line = read_kernel_command_line(CommandLineSource::ProcOnly);
  if (!command_line) fail_boot(BootStep::Plan, command_line.error(), before_command_line);
  BootPlan plan = plan_boot(parse_boot_config(*command_line));
  // The kernel's own split of what goes to init is the truth: it adds the words it did not know.
  plan.handoff.init_arguments.assign(argv + 1, argv + argc);
  set_crash_policy(plan.failure);
  log_set_debug(plan.debug);
  for (const auto& warning : plan.warnings) log_warning(warning);
  log_info("boot plan:\n" + format_plan(plan));
  if (!plan.errors.empty()) {
    for (std::size_t i = 1; i < plan.errors.size(); ++i) log_error(describe(plan.errors[i]));
    fail_boot(BootStep::Plan, plan.errors.front(), plan.failure);
  }
  maybe_break(plan, BreakPoint::Top);
  Timings timings;
  finish_step(plan, BootStep::Plan, timings);

  // 3. Drivers: the NIC's by modalias now; the filesystem modules on a thread of their own,
  //    alongside the network step, joined before the mount.
  maybe_break(plan, BreakPoint::Modules);
  const Drivers drivers = load_nic_drivers(system, plan);
  BackgroundModuleLoad filesystem_modules(drivers.system, drivers.index,
                                          filesystem_module_sets(plan));

  // 4. Network: carrier, DHCP or static ip=, address, route, MTU; /run/net-<interface>.conf.
  maybe_break(plan, BreakPoint::Premount);
  const auto network_started = std::chrono::steady_clock::now();
  const NetworkOutcome network = bring_up(plan, drivers);
  finish_filesystem_modules(plan, drivers, filesystem_modules, std::chrono::steady_clock::now() - network_started);
  finish_step(plan, BootStep::Drivers, timings);
  finish_step(plan, BootStep::Network, timings);

  // 5. Root: the NFS export, read-only unless rw.
  maybe_break(plan, BreakPoint::Mount);
  mount_root(system, plan, network, timings);
  finish_step(plan, BootStep::Root, timings);

  // 6. Unions: the writable directories of the read-only image, mounted in place.
  maybe_break(plan, BreakPoint::Bottom);
  build_writable_unions(system, plan);
  finish_step(plan, BootStep::Unions, timings);

  // 7. Hand-off to the root's init.
  maybe_break(plan, BreakPoint::Init);
  // The kernel runs /init by the path it was given (rdinit=, /init by default).
  const std::string self = argv[0] != nullptr && argv[0][0] == '/' ? argv[0] : "/init";
  hand_off(system, plan, network, self, timings, kmsg_limit);
}

}  // namespace
}  // namespace nfsroot

int main(int argc, char** argv) {
  if (::getpid() != 1) return nfsroot::run_cli(argc, argv);
  nfsroot::boot(argc, argv);  // never returns: PID 1 must not exit
}
