// The host-side command line: check an append line before rebooting a fleet on it.
#include "init/cli.h"

#include <unistd.h>

#include <string>
#include <string_view>

#include "init/boot_config.h"
#include "init/boot_plan.h"
#include "init/plan_format.h"
#include "init/system.h"

namespace nfsroot {

namespace {

constexpr std::string_view kUsage =
    "usage: nfsroot-init explain [--cmdline 'APPEND LINE']\n"
    "       nfsroot-init --help | --version\n"
    "\n"
    "As PID 1 (the /init of an initramfs) it boots a diskless client from an NFS root.\n"
    "Run by hand, 'explain' prints the boot plan it would follow for a kernel command line:\n"
    "the one given with --cmdline, else $NFSROOT_INIT_CMDLINE, else /proc/cmdline.\n"
    "Exit status: 0 the plan is good, 1 the boot would fail (errors listed), 2 usage error.\n";

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

int explain(int argc, char** argv) {
  std::string command_line;
  bool given = false;
  for (int i = 2; i < argc; ++i) {
    const std::string_view argument = argv[i];
    if (argument == "--cmdline" && i + 1 < argc) {
      command_line = argv[++i];
      given = true;
    } else if (argument.starts_with("--cmdline=")) {
      command_line = std::string(argument.substr(10));
      given = true;
    } else {
      return usage_error("explain: unexpected argument '" + std::string(argument) + "'");
    }
  }
  if (!given) {
    auto read = read_kernel_command_line();
    if (!read) {
      print(STDERR_FILENO, "nfsroot-init: " + describe(read.error()) + "\n");
      return 2;
    }
    command_line = std::move(*read);
  }
  while (!command_line.empty() && command_line.back() == '\n') command_line.pop_back();
  const BootPlan plan = plan_boot(parse_boot_config(command_line));
  print(STDOUT_FILENO, "Boot plan for: " + command_line + "\n\n" + format_plan(plan));
  return plan.errors.empty() ? 0 : 1;
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
  return usage_error("unknown command '" + std::string(command) + "'");
}

}  // namespace nfsroot
