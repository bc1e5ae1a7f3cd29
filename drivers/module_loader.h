// Loading kernel modules: the index from /lib/modules/VERSION, device modaliases from sysfs,
// finit_module(2), every one of them through the syscall layer (sys/system.h). Returns what
// happened as data; only init/main logs.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "drivers/module_index.h"
#include "sys/system.h"

namespace nfsroot {

// Where modules and devices are, and the syscall layer that reads them and inserts modules;
// tests fill the one FakeSystem with an index, module files and a sysfs, all in memory.
struct ModuleSystem {
  System& system;                  // read_file, directory_names, file_status, load_module, now
  std::string modules_dir;         // /lib/modules/VERSION
  std::string sysfs_dir = "/sys";  // for bus/*/devices/*/modalias and module/NAME/initstate
};

// "/lib/modules/" + the running kernel's release (uname -r).
[[nodiscard]] Result<std::string> running_kernel_modules_dir(System& system);

// modules.dep and modules.alias of system.modules_dir must be there; modules.softdep and
// modules.builtin may be absent.
[[nodiscard]] Result<ModuleIndex> read_module_index(const ModuleSystem& system);

// The modaliases of devices that no driver is bound to (no "driver" link beside the modalias),
// from system.sysfs_dir/bus/*/devices/*/modalias, sorted by bus and device, each text once
// (identical CPUs share one).
[[nodiscard]] Result<std::vector<std::string>> read_unbound_modaliases(const ModuleSystem& system);

struct LoadedModule {
  std::string name;
  std::chrono::microseconds elapsed{};              // open + finit_module, on System::now()
  std::chrono::steady_clock::time_point finished{};  // when finit_module returned (System::now())
};

struct FailedModule {
  std::string name;
  Error error;  // finit_module's errno (ENODEV: no device this driver supports), or open's: no file
};

struct ModuleLoadReport {
  std::vector<LoadedModule> loaded;         // in load order
  std::vector<std::string> already_loaded;  // live before we came, or EEXIST
  std::vector<std::string> builtin;         // wanted, but built into the kernel
  std::vector<FailedModule> failed;
  std::size_t devices = 0;             // coldplug: unbound devices with a modalias
  std::vector<std::string> unmatched;  // coldplug: modaliases that no module claims

  // A few lines for the boot log: "loaded mii (2.1 ms), 8139cp (30.5 ms)", …
  [[nodiscard]] std::string describe() const;
};

// Coldplug, as udev's "add" events with modprobe would do it: every module whose alias matches
// the modalias of a device without a driver, with its dependencies, each module once. A device
// often matches several drivers: 8139too loads but its probe refuses QEMU's RTL-8139C+ (the
// device stays unbound, finit_module still succeeds) and 8139cp binds it. A module whose init
// finds no hardware fails with ENODEV (acpi_cpufreq under QEMU): recorded, and the rest go on.
// Loading a driver can add devices (a bus driver's children), so sysfs is read again until no
// new modalias appears. Errors only when the index or sysfs cannot be read.
[[nodiscard]] Result<ModuleLoadReport> coldplug_modules(const ModuleSystem& system, const ModuleIndex& index);

// Hotplug: the modules for one device that appeared after coldplug (a uevent's MODALIAS), as
// udev's modprobe $MODALIAS would load them: every matching module with its dependencies. One
// failing module is recorded and the others go on, as in coldplug; a module already in the
// kernel is not read again. Never an error: the report says what happened.
[[nodiscard]] ModuleLoadReport load_modules_for_modalias(const ModuleSystem& system, const ModuleIndex& index,
                                                         std::string_view modalias);

// Loads the named modules (module names or aliases) with their dependencies and soft
// dependencies. Stops at and returns the first module that cannot be loaded.
[[nodiscard]] Result<ModuleLoadReport> load_named_modules(const ModuleSystem& system, const ModuleIndex& index,
                                                          const std::vector<std::string>& names);

}  // namespace nfsroot
