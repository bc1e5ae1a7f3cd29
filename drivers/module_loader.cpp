// Module loading: the index and sysfs read, then finit_module(2), all through the syscall layer.
// Returns reports, never logs.
#include "drivers/module_loader.h"


#include <algorithm>
#include <cerrno>
#include <optional>
#include <map>
#include <utility>

#include "base/cat.h"
#include "base/text.h"

namespace nfsroot {

namespace {

// The file's text; an absent file is empty when it is optional.
enum class Presence { Required, Optional };
Result<std::string> read_index_file(const ModuleSystem& system, std::string_view name, Presence presence) {
  const std::string path = system.modules_dir + "/" + std::string(name);
  auto text = system.system.read_file(path);
  if (!text && text.error().errno_value == ENOENT) {
    if (presence == Presence::Optional) return std::string{};
    text.error().hint = "the initramfs needs the depmod output for this kernel (depmod -b ROOT VERSION)";
  }
  return text;
}

// Whether PATH is there, as lstat(2) sees it: a sysfs "driver" entry is a symlink, and the link
// itself is what says the device is bound.
bool entry_exists(System& system, const std::string& path) { return system.file_status(path).has_value(); }

std::string_view finit_module_hint(int errno_value) {
  switch (errno_value) {
    case ENODEV:
      return "no device here that this driver supports; normal when several drivers match";
    case ENOENT:
      return "unknown symbol: a module it needs is missing or not loaded (see dmesg)";
    case ENOEXEC:
      return "not a module for this kernel (see dmesg: version magic or format)";
    case EOPNOTSUPP:
      return "this kernel cannot decompress modules; put them in the initramfs uncompressed";
    case EKEYREJECTED:
    case ENOKEY:
    case EPERM:
      return "rejected: module signature or modules_disabled (see dmesg)";
    default:
      return "see dmesg";
  }
}

// Inserts modules of a LoadOrder into the kernel and records each outcome in the report.
class Inserter {
 public:
  Inserter(const ModuleSystem& system, const ModuleIndex& index, ModuleLoadReport& report)
      : system_(system), index_(index), report_(report) {}

  // True when the module is in the kernel now. Each module is tried once.
  bool insert(const std::string& name) {
    if (const auto known = outcome_.find(name); known != outcome_.end()) return known->second;
    const auto found = index_.modules.find(name);
    if (found == index_.modules.end()) {  // load_order only yields indexed modules
      return fail(name, error_with_problem("load module", name, "not in modules.dep"));
    }
    const KernelModule& module = found->second;
    // modules.dep lists every dependency, transitively, and they come first in a load order.
    for (const auto& dependency : module.dependencies) {
      if (const auto known = outcome_.find(dependency); known != outcome_.end() && !known->second) {
        return fail(name, error_with_problem("load module", name, "needs " + dependency + ", which could not be loaded"));
      }
    }
    // Re-reading a live module only to get EEXIST costs a whole file read (sunrpc is 700 KB).
    if (entry_exists(system_.system, system_.sysfs_dir + "/module/" + name + "/initstate")) {
      return already_loaded(name);
    }

    const std::string path = module.path.starts_with('/') ? module.path : system_.modules_dir + "/" + module.path;
    const auto start = system_.system.now();
    auto inserted = system_.system.load_module(path);
    const auto finished = system_.system.now();
    const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(finished - start);
    if (!inserted) {
      Error& error = inserted.error();
      // load_module names the call that failed: not finit_module, so the open of a file the
      // index lists; its errno and path say why.
      if (error.operation != "finit_module") {
        error.hint = "the module is listed in modules.dep but missing";
        return fail(name, std::move(error));
      }
      const int errno_value = error.errno_value;
      if (errno_value == EEXIST) return already_loaded(name);
      return fail(name, error_from_errno("finit_module", name, errno_value, finit_module_hint(errno_value)));
    }
    report_.loaded.push_back({name, elapsed, finished});
    return outcome_[name] = true;
  }

  bool fail(const std::string& name, Error error) {
    report_.failed.push_back({name, std::move(error)});
    return outcome_[name] = false;
  }

  void add_builtin(const std::vector<std::string>& names) {
    for (const auto& name : names) {
      if (std::ranges::find(report_.builtin, name) == report_.builtin.end()) report_.builtin.push_back(name);
    }
  }

 private:
  bool already_loaded(const std::string& name) {
    report_.already_loaded.push_back(name);
    return outcome_[name] = true;
  }

  const ModuleSystem& system_;
  const ModuleIndex& index_;
  ModuleLoadReport& report_;
  std::map<std::string, bool> outcome_;
};

// "12.3 ms"
std::string format_milliseconds(std::chrono::microseconds elapsed) {
  const auto tenths = (elapsed.count() + 50) / 100;
  return cat(tenths / 10, ".", tenths % 10, " ms");
}

}  // namespace


Result<std::string> running_kernel_modules_dir(System& system) {
  return "/lib/modules/" + TRY(system.kernel_release());
}

Result<ModuleIndex> read_module_index(const ModuleSystem& system) {
  const std::string dep = TRY(read_index_file(system, "modules.dep", Presence::Required));
  const std::string alias = TRY(read_index_file(system, "modules.alias", Presence::Required));
  const std::string softdep = TRY(read_index_file(system, "modules.softdep", Presence::Optional));
  const std::string builtin = TRY(read_index_file(system, "modules.builtin", Presence::Optional));
  auto index = parse_module_index(dep, alias, softdep, builtin);
  if (!index) index.error().operation = system.modules_dir + "/" + index.error().operation;  // the file's full path
  return index;
}

Result<std::vector<std::string>> read_unbound_modaliases(const ModuleSystem& system) {
  const std::string& sysfs_dir = system.sysfs_dir;
  auto buses = system.system.directory_names(sysfs_dir + "/bus");
  if (!buses) {
    buses.error().hint = "mount sysfs on " + sysfs_dir + " first";
    return std::unexpected(std::move(buses.error()));
  }
  std::vector<std::string> modaliases;
  for (const auto& bus : *buses) {
    const std::string devices_dir = sysfs_dir + "/bus/" + bus + "/devices";
    const auto devices = system.system.directory_names(devices_dir);
    if (!devices) continue;  // not every bus entry is a bus with devices
    for (const auto& device : *devices) {
      const std::string device_dir = devices_dir + "/" + device;
      if (entry_exists(system.system, device_dir + "/driver")) continue;  // bound already: nothing to load for it
      const auto text = system.system.read_file(device_dir + "/modalias");
      if (!text) continue;  // many devices have none
      const std::string_view modalias = trim(std::string_view(*text).substr(0, text->find('\n')));
      if (!modalias.empty() && std::ranges::find(modaliases, modalias) == modaliases.end()) {
        modaliases.emplace_back(modalias);
      }
    }
  }
  return modaliases;
}

namespace {

// Each module with its dependencies, one order per module, so that one broken module does not
// keep the others out.
void insert_each(Inserter& inserter, const ModuleIndex& index, const std::vector<std::string>& modules) {
  for (const auto& module : modules) {
    auto order = load_order(index, {module});
    if (!order) {
      inserter.fail(module, order.error());
      continue;
    }
    inserter.add_builtin(order->builtin);
    for (const auto& name : order->modules) inserter.insert(name);
  }
}

}  // namespace

Result<ModuleLoadReport> coldplug_modules(const ModuleSystem& system, const ModuleIndex& index) {
  ModuleLoadReport report;
  Inserter inserter(system, index, report);
  std::vector<std::string> seen;
  // Each pass handles the modaliases that appeared since the last; bounded in case a driver
  // keeps adding devices.
  constexpr int kMaxPasses = 8;
  for (int pass = 0; pass < kMaxPasses; ++pass) {
    auto modaliases = read_unbound_modaliases(system);
    if (!modaliases) return std::unexpected(modaliases.error());
    std::vector<std::string> wanted;
    bool new_devices = false;
    for (const auto& modalias : *modaliases) {
      if (std::ranges::find(seen, modalias) != seen.end()) continue;
      seen.push_back(modalias);
      new_devices = true;
      ++report.devices;
      const auto modules = modules_for_modalias(index, modalias);
      if (modules.empty()) report.unmatched.push_back(modalias);
      for (const auto& module : modules) {
        if (std::ranges::find(wanted, module) == wanted.end()) wanted.push_back(module);
      }
    }
    if (!new_devices) break;
    insert_each(inserter, index, wanted);
  }
  return report;
}

ModuleLoadReport load_modules_for_modalias(const ModuleSystem& system, const ModuleIndex& index,
                                           std::string_view modalias) {
  ModuleLoadReport report;
  Inserter inserter(system, index, report);
  report.devices = 1;
  const auto modules = modules_for_modalias(index, modalias);
  if (modules.empty()) report.unmatched.emplace_back(modalias);
  insert_each(inserter, index, modules);
  return report;
}

Result<ModuleLoadReport> load_named_modules(const ModuleSystem& system, const ModuleIndex& index,
                                            const std::vector<std::string>& names) {
  const auto order = load_order(index, names);
  if (!order) return std::unexpected(order.error());
  ModuleLoadReport report;
  Inserter inserter(system, index, report);
  inserter.add_builtin(order->builtin);
  for (const auto& name : order->modules) {
    if (!inserter.insert(name)) return std::unexpected(report.failed.back().error);
  }
  return report;
}

std::string ModuleLoadReport::describe() const {
  std::vector<std::string> lines;
  if (devices > 0 || !unmatched.empty()) {
    lines.push_back(cat(devices, " device(s) without a driver, ", unmatched.size(), " with no module for them"));
  }
  if (!loaded.empty()) {
    std::vector<std::string> parts;
    for (const auto& module : loaded) parts.push_back(module.name + " (" + format_milliseconds(module.elapsed) + ")");
    lines.push_back("loaded " + join(parts, ", "));
  }
  if (!already_loaded.empty()) lines.push_back("already loaded: " + join(already_loaded, ", "));
  if (!builtin.empty()) lines.push_back("built into the kernel: " + join(builtin, ", "));
  for (const auto& failure : failed) lines.push_back("not loaded: " + nfsroot::describe(failure.error));
  if (lines.empty()) return "no modules to load";
  return join(lines, "\n");
}

}  // namespace nfsroot
