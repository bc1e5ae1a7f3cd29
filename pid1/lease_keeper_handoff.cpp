#include "pid1/lease_keeper_handoff.h"

#include <string_view>
#include <vector>

namespace nfsroot {

bool root_enables_networkd(System& system, const std::string& root) {
  const std::string units = root + "/etc/systemd/system";
  const auto names = system.directory_names(units);
  if (!names) return false;
  for (const std::string& name : *names) {
    if (!std::string_view(name).ends_with(".wants")) continue;
    // lstat: the link's own presence is the enablement; it points into the image's /lib.
    if (system.file_status(units + "/" + name + "/systemd-networkd.service")) return true;
  }
  return false;
}

std::string keeper_program_path(const std::string& run_dir) { return run_dir + "/nfsroot-init/nfsroot-init"; }

Result<void> keep_own_program(System& system, const std::string& self, const std::string& run_dir) {
  TRY(system.make_directories(run_dir + "/nfsroot-init", 0755));
  CopyFileOptions options;
  options.mode = 0555;
  TRY(system.copy_file(self, keeper_program_path(run_dir), options));
  return {};
}

Result<long> start_lease_keeper(System& system, const std::string& interface, bool debug) {
  std::vector<std::string> arguments{"nfsroot-init", "keep-lease", interface, "--kmsg"};
  if (debug) arguments.emplace_back("--debug");
  return system.start_process(keeper_program_path("/run"), arguments);
}

}  // namespace nfsroot
