// The host-side command line: check an append line before rebooting a fleet on it.
#include "cli/cli.h"

#include <unistd.h>

#include <optional>
#include <string>
#include <string_view>

#include "base/cat.h"
#include "cmdline/boot_config.h"
#include "plan/boot_plan.h"
#include "plan/plan_format.h"
#include "pid1/system.h"
#include "network/lease_keeper.h"
#include "network/network_up.h"
#include "pid1/log.h"

namespace nfsroot {

namespace {

constexpr std::string_view kUsage =
    "usage: nfsroot-init explain [--cmdline 'APPEND LINE'] [--overlays FILE]\n"
    "       nfsroot-init network [--cmdline 'APPEND LINE'] [--run-dir DIR] [--set-hostname]\n"
    "       nfsroot-init keep-lease INTERFACE [--run-dir DIR] [--kmsg] [--debug]\n"
    "       nfsroot-init --help | --version\n"
    "\n"
    "As PID 1 (the /init of an initramfs) it boots a diskless client from an NFS root.\n"
    "Run by hand, 'explain' prints the boot plan it would follow for a kernel command line:\n"
    "the one given with --cmdline, else $NFSROOT_INIT_CMDLINE, else /proc/cmdline. --overlays\n"
    "FILE merges FILE as the image's /etc/nfsroot-init/overlays would be, with its origins.\n"
    "Exit status: 0 the plan is good, 1 the boot would fail (errors listed), 2 usage error.\n"
    "\n"
    "'network' runs the boot's network step for real (as root): the interfaces, carrier, DHCP or\n"
    "static ip=, address, route and MTU, then writes DIR/net-<interface>.conf (default /run) and\n"
    "prints it. The host name is set only with --set-hostname. Exit status 1 when it fails.\n"
    "\n"
    "'keep-lease' renews the DHCP or DHCPv6 lease the boot took on INTERFACE (DIR/nfsroot-init/\n"
    "lease-INTERFACE, default /run) as the same client, at T1 and T2 (DHCPv6: RENEW, REBIND), for\n"
    "as long as it runs; /init starts it at the hand-off when nothing in the root system would.\n"
    "It logs to stderr, or with --kmsg to the kernel log; --debug adds every message it sends.\n"
    "SIGTERM stops it and leaves the address as it is; its PID is in DIR/nfsroot-init/keep-lease-\n"
    "INTERFACE.pid. Exit status 1 when it cannot start.\n";

void print(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t written = ::write(fd, text.data(), text.size());
    if (written <= 0) return;
    text.remove_prefix(static_cast<std::size_t>(written));
  }
}

int usage_error(std::string_view message) {
  print(STDERR_FILENO, "nfsroot-init: " + std::string(message) + "\n\n" + std::string(kUsage));
  return 2;
}

struct CommonArguments {
  std::string command_line;
  std::string overlays;
  std::string run_dir = "/run";
  bool set_hostname = false;
};

// --cmdline for every command; --run-dir and --set-hostname where `network` is true.
std::optional<CommonArguments> parse_arguments(int argc, char** argv, bool network, int& status) {
  CommonArguments arguments;
  bool given = false;
  for (int i = 2; i < argc; ++i) {
    const std::string_view argument = argv[i];
    if (argument == "--cmdline" && i + 1 < argc) {
      arguments.command_line = argv[++i];
      given = true;
    } else if (argument.starts_with("--cmdline=")) {
      arguments.command_line = std::string(argument.substr(10));
      given = true;
    } else if (!network && argument == "--overlays" && i + 1 < argc) {
      arguments.overlays = argv[++i];
    } else if (network && argument == "--run-dir" && i + 1 < argc) {
      arguments.run_dir = argv[++i];
    } else if (network && argument == "--set-hostname") {
      arguments.set_hostname = true;
    } else {
      status = usage_error(std::string(argv[1]) + ": unexpected argument '" + std::string(argument) + "'");
      return std::nullopt;
    }
  }
  if (!given) {
    auto read = read_kernel_command_line(CommandLineSource::EnvironmentOrProc);
    if (!read) {
      print(STDERR_FILENO, "nfsroot-init: " + describe(read.error()) + "\n");
      status = 2;
      return std::nullopt;
    }
    arguments.command_line = std::move(*read);
  }
  while (!arguments.command_line.empty() && arguments.command_line.back() == '\n') arguments.command_line.pop_back();
  return arguments;
}

int explain(int argc, char** argv) {
  int status = 0;
  const auto arguments = parse_arguments(argc, argv, false, status);
  if (!arguments) return status;
  BootPlan plan = plan_boot(parse_boot_config(arguments->command_line));
  if (!arguments->overlays.empty()) {
    auto text = read_file(arguments->overlays);
    if (!text) {
      print(STDERR_FILENO, "nfsroot-init: " + describe(text.error()) + "\n");
      return 2;
    }
    add_overlay_file(plan, OverlayListFile{arguments->overlays, std::move(*text)});
  }
  print(STDOUT_FILENO, "Boot plan for: " + arguments->command_line + "\n\n" + format_plan(plan));
  return plan.errors.empty() ? 0 : 1;
}

int network(int argc, char** argv) {
  int status = 0;
  const auto arguments = parse_arguments(argc, argv, true, status);
  if (!arguments) return status;
  const BootPlan plan = plan_boot(parse_boot_config(arguments->command_line));
  for (const auto& warning : plan.warnings) print(STDERR_FILENO, "warning: " + warning + "\n");
  if (plan.network.mode == NetworkMode::Off) {
    print(STDERR_FILENO, "nfsroot-init: network: ip= turns the network off; nothing to do\n");
    return 1;
  }
  NetworkOptions options;
  options.run_dir = arguments->run_dir;
  options.set_hostname = arguments->set_hostname;
  NetworkReporter reporter;
  reporter.info = [](std::string_view line) { print(STDERR_FILENO, "nfsroot-init: " + std::string(line) + "\n"); };
  reporter.debug = plan.debug ? reporter.info : [](std::string_view) {};
  reporter.warning = [](std::string_view line) {
    print(STDERR_FILENO, "nfsroot-init: warning: " + std::string(line) + "\n");
  };
  auto outcome = bring_up_network(plan.network, options, reporter);
  if (!outcome) {
    print(STDERR_FILENO, "nfsroot-init: network failed: " + describe(outcome.error()) + "\n");
    return 1;
  }
  const InterfaceConfig& config = outcome->config;
  print(STDOUT_FILENO, cat(config.is_ipv6() ? format_net6_conf(config) : format_net_conf(config), "CARRIER_MS='", outcome->carrier_wait_ms,
                           "'\nCONFIGURE_MS='", outcome->configure_ms, "'\n"));
  return 0;
}

int keep_lease_command(int argc, char** argv) {
  std::string interface;
  std::string run_dir = "/run";
  bool kmsg = false;
  bool debug = false;
  for (int i = 2; i < argc; ++i) {
    const std::string_view argument = argv[i];
    if (argument == "--run-dir" && i + 1 < argc) {
      run_dir = argv[++i];
    } else if (argument == "--kmsg") {
      kmsg = true;
    } else if (argument == "--debug") {
      debug = true;
    } else if (interface.empty() && !argument.starts_with("-")) {
      interface = argument;
    } else {
      return usage_error("keep-lease: unexpected argument '" + std::string(argument) + "'");
    }
  }
  if (interface.empty()) return usage_error("keep-lease: which interface? (the one the boot configured, eth0)");
  log_start(LogTarget::Stderr);
  if (kmsg && !log_use_kmsg()) log_warning("keep-lease: cannot open /dev/kmsg; logging to stderr");
  log_set_debug(debug);
  KeeperLog keeper_log;
  keeper_log.info = [](std::string_view line) { log_info(line); };
  keeper_log.error = [](std::string_view line) { log_error(line); };
  keeper_log.debug = [](std::string_view line) { log_debug(line); };
  return keep_lease(run_dir, interface, keeper_log);
}

}  // namespace

int run_cli(int argc, char** argv) {
  if (argc < 2) return usage_error("no command given");
  const std::string_view command = argv[1];
  if (command == "--help" || command == "-h" || command == "help") {
    print(STDOUT_FILENO, kUsage);
    return 0;
  }
  if (command == "--version") {
    print(STDOUT_FILENO, "nfsroot-init " NFSROOT_INIT_VERSION "\n");
    return 0;
  }
  if (command == "explain") return explain(argc, argv);
  if (command == "network") return network(argc, argv);
  if (command == "keep-lease") return keep_lease_command(argc, argv);
  return usage_error("unknown command '" + std::string(command) + "'");
}

}  // namespace nfsroot
