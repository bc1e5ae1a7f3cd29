// The module loader against a fake /lib/modules and /sys held in the FakeSystem, with a fake
// finit_module that records what it was given: coldplug, rescans, named loads, failures, and the
// trace of every read, lookup and insert in order.
#include "drivers/module_loader.h"

#include "drivers/background_load.h"

#include <catch2/catch.hpp>
#include <cerrno>
#include <filesystem>
#include <functional>
#include <map>

#include "base/cat.h"
#include "fake_system.h"

using namespace nfsroot;
namespace fs = std::filesystem;

namespace {

using Names = std::vector<std::string>;
using namespace std::chrono_literals;

constexpr std::string_view kQemuRtl8139 = "pci:v000010ECd00008139sv00001AF4sd00001100bc02sc00i00";

// A kernel's module tree and a sysfs, both in the FakeSystem's memory.
class FakeTree {
 public:
  FakeTree() {
    kernel.add_initramfs_directory(sysfs_dir_ + "/bus");
    write(modules_dir_ + "/modules.dep",
          "kernel/drivers/net/ethernet/realtek/8139cp.ko: kernel/drivers/net/mii.ko\n"
          "kernel/drivers/net/ethernet/realtek/8139too.ko: kernel/drivers/net/mii.ko\n"
          "kernel/drivers/net/mii.ko:\n"
          "kernel/drivers/ata/ata_piix.ko:\n"
          "kernel/drivers/cpufreq/acpi-cpufreq.ko:\n"
          "kernel/drivers/virtio/virtio_pci.ko:\n"
          "kernel/drivers/net/virtio_net.ko: kernel/drivers/net/net_failover.ko\n"
          "kernel/drivers/net/net_failover.ko:\n"
          "kernel/fs/nfs_common/nfs_acl.ko: kernel/net/sunrpc/sunrpc.ko\n"
          "kernel/fs/nfs_common/grace.ko:\n"
          "kernel/fs/netfs/netfs.ko:\n"
          "kernel/fs/fscache/fscache.ko: kernel/fs/netfs/netfs.ko\n"
          "kernel/fs/nfs/nfs.ko: kernel/fs/lockd/lockd.ko kernel/fs/nfs_common/grace.ko kernel/net/sunrpc/sunrpc.ko "
          "kernel/fs/fscache/fscache.ko kernel/fs/netfs/netfs.ko\n"
          "kernel/fs/nfs/nfsv3.ko: kernel/fs/nfs_common/nfs_acl.ko kernel/fs/nfs/nfs.ko kernel/fs/lockd/lockd.ko "
          "kernel/fs/nfs_common/grace.ko kernel/net/sunrpc/sunrpc.ko kernel/fs/fscache/fscache.ko "
          "kernel/fs/netfs/netfs.ko\n"
          "kernel/fs/lockd/lockd.ko: kernel/fs/nfs_common/grace.ko kernel/net/sunrpc/sunrpc.ko\n"
          "kernel/net/sunrpc/sunrpc.ko:\n");
    write(modules_dir_ + "/modules.alias",
          "alias pci:v000010ECd00008139sv*sd*bc*sc*i* 8139cp\n"
          "alias pci:v000010ECd00008139sv*sd*bc*sc*i* 8139too\n"
          "alias pci:v00008086d00007010sv*sd*bc*sc*i* ata_piix\n"
          "alias acpi*:LNXCPU:* acpi_cpufreq\n"
          "alias pci:v00001AF4d00001000sv*sd*bc*sc*i* virtio_pci\n"
          "alias virtio:d00000001v* virtio_net\n");
    write(modules_dir_ + "/modules.builtin", "kernel/net/packet/af_packet.ko\n");
    // Each module file holds its name, so the fake insert can tell which file it was given.
    for (const char* path : {"kernel/drivers/net/ethernet/realtek/8139cp.ko",
                             "kernel/drivers/net/ethernet/realtek/8139too.ko", "kernel/drivers/net/mii.ko",
                             "kernel/drivers/ata/ata_piix.ko", "kernel/drivers/cpufreq/acpi-cpufreq.ko",
                             "kernel/drivers/virtio/virtio_pci.ko",
                             "kernel/drivers/net/virtio_net.ko", "kernel/drivers/net/net_failover.ko",
                             "kernel/fs/nfs_common/nfs_acl.ko", "kernel/fs/nfs_common/grace.ko",
                             "kernel/fs/netfs/netfs.ko", "kernel/fs/fscache/fscache.ko", "kernel/fs/nfs/nfs.ko",
                             "kernel/fs/nfs/nfsv3.ko", "kernel/fs/lockd/lockd.ko", "kernel/net/sunrpc/sunrpc.ko"}) {
      write(modules_dir_ + "/" + path, fs::path(path).stem().string());
    }
    // finit_module's fake: the errno to return per module, 0 for the rest; records each call.
    kernel.on_load_module = [this](const std::string& path) {
      const std::string name = kernel.files.at(path);  // what the kernel would read from the file
      CHECK(fs::path(path).stem() == name);
      const std::string module = normalize_module_name(name);  // the file of acpi_cpufreq is acpi-cpufreq.ko
      inserted.push_back(module);
      if (const auto hook = on_insert.find(module); hook != on_insert.end()) hook->second();
      const auto error = errors.find(module);
      return error == errors.end() ? 0 : error->second;
    };
  }

  void write(const std::string& path, std::string_view text) { kernel.add_initramfs_file(path, std::string(text)); }

  void add_device(std::string_view bus, std::string_view device, std::string_view modalias,
                  std::string_view driver = {}) {
    const std::string dir = cat(sysfs_dir_, "/bus/", bus, "/devices/", device);
    write(dir + "/modalias", std::string(modalias) + "\n");
    if (!driver.empty()) kernel.add_initramfs_symlink(dir + "/driver");  // as in the real sysfs
  }

  void set_live(std::string_view module) { write(cat(sysfs_dir_, "/module/", module, "/initstate"), "live\n"); }

  ModuleSystem system() { return ModuleSystem{kernel, modules_dir_, sysfs_dir_}; }

  ModuleIndex index() {
    auto index = read_module_index(system());
    REQUIRE(index);
    return *index;
  }

  std::string modules_dir_ = "/lib/modules/6.1.0-test";
  std::string sysfs_dir_ = "/sys";
  testing::FakeSystem kernel;  // the files, sysfs and finit_module (through on_load_module above)
  Names inserted;
  std::map<std::string, int> errors;
  std::map<std::string, std::function<void()>> on_insert;
};

// The trace's entries that start with PREFIX ("finit_module(").
Names calls(const Names& trace, std::string_view prefix) {
  Names found;
  for (const auto& line : trace) {
    if (line.starts_with(prefix)) found.push_back(line);
  }
  return found;
}

Names loaded_names(const ModuleLoadReport& report) {
  Names names;
  for (const auto& module : report.loaded) names.push_back(module.name);
  return names;
}

Names failed_names(const ModuleLoadReport& report) {
  Names names;
  for (const auto& module : report.failed) names.push_back(module.name);
  return names;
}

}  // namespace

TEST_CASE("modules folder: the running kernel's release from the syscall layer, its failure named",
          "[module_loader]") {
  testing::FakeSystem system;
  CHECK(running_kernel_modules_dir(system) == "/lib/modules/6.1.0-test");
  system.release.clear();
  const auto failed = running_kernel_modules_dir(system);
  REQUIRE_FALSE(failed);
  CHECK(failed.error().operation == "uname");
}

TEST_CASE("coldplug: every driver matching an unbound device; one finding no hardware is recorded",
          "[module_loader]") {
  FakeTree fake;
  fake.add_device("pci", "0000:00:03.0", kQemuRtl8139);
  fake.add_device("pci", "0000:00:01.1", "pci:v00008086d00007010sv00001AF4sd00001100bc01sc01i80", "ata_piix");
  fake.add_device("pci", "0000:00:00.0", "pci:v00008086d00001237sv00001AF4sd00001100bc06sc00i00");
  fake.add_device("acpi", "LNXCPU:00", "acpi:LNXCPU:");
  fake.add_device("cpu", "cpu0", "cpu:type:x86,ven0000fam0006mod0006:feature:,0000");
  fake.add_device("cpu", "cpu1", "cpu:type:x86,ven0000fam0006mod0006:feature:,0000");
  fake.kernel.add_initramfs_directory(fake.sysfs_dir_ + "/bus/empty");  // no devices/ folder
  // As measured under QEMU: acpi_cpufreq's init finds no ACPI performance states. (8139too
  // loads fine: it refuses the RTL-8139C+ in its probe, which finit_module does not report.)
  fake.errors["acpi_cpufreq"] = ENODEV;

  const auto report = coldplug_modules(fake.system(), fake.index());
  REQUIRE(report);
  // Buses in name order; ata_piix is not tried: its device is bound already.
  CHECK(fake.inserted == Names{"acpi_cpufreq", "mii", "8139cp", "8139too"});
  // Each insert went through the syscall layer, by the module's path under modules_dir.
  const std::string dir = fake.modules_dir_;
  CHECK(calls(fake.kernel.trace, "finit_module(") == Names{"finit_module(" + dir + "/kernel/drivers/cpufreq/acpi-cpufreq.ko)",
                                   "finit_module(" + dir + "/kernel/drivers/net/mii.ko)",
                                   "finit_module(" + dir + "/kernel/drivers/net/ethernet/realtek/8139cp.ko)",
                                   "finit_module(" + dir + "/kernel/drivers/net/ethernet/realtek/8139too.ko)"});
  CHECK(loaded_names(*report) == Names{"mii", "8139cp", "8139too"});
  REQUIRE(failed_names(*report) == Names{"acpi_cpufreq"});
  CHECK(report->failed[0].error.errno_value == ENODEV);
  CHECK(report->devices == 4);  // the two CPUs share one modalias
  CHECK(report->unmatched ==
        Names{"cpu:type:x86,ven0000fam0006mod0006:feature:,0000", "pci:v00008086d00001237sv00001AF4sd00001100bc06sc00i00"});

  const std::string text = report->describe();
  INFO(text);
  CHECK(text.starts_with("4 device(s) without a driver, 2 with no module for them\nloaded mii ("));
  CHECK(text.find(" ms), 8139cp (") != std::string::npos);
  CHECK(text.ends_with("\nnot loaded: finit_module acpi_cpufreq: No such device (errno 19); no device here that this "
                       "driver supports; normal when several drivers match"));
}

TEST_CASE("coldplug: devices a driver adds are handled in another pass", "[module_loader]") {
  FakeTree fake;
  fake.add_device("pci", "0000:00:04.0", "pci:v00001AF4d00001000sv00001AF4sd00000001bc02sc00i00");
  // virtio_pci's probe registers the virtio device, as the kernel does during finit_module.
  fake.on_insert["virtio_pci"] = [&] {
    fake.add_device("pci", "0000:00:04.0", "pci:v00001AF4d00001000sv00001AF4sd00000001bc02sc00i00", "virtio-pci");
    fake.add_device("virtio", "virtio0", "virtio:d00000001v00001AF4");
  };
  const auto report = coldplug_modules(fake.system(), fake.index());
  REQUIRE(report);
  CHECK(loaded_names(*report) == Names{"virtio_pci", "net_failover", "virtio_net"});
  CHECK(report->devices == 2);
  CHECK(report->failed.empty());
}

TEST_CASE("coldplug: a dependency that fails keeps its users out, with the reason", "[module_loader]") {
  FakeTree fake;
  fake.add_device("pci", "0000:00:03.0", kQemuRtl8139);
  fake.errors["mii"] = ENOEXEC;
  const auto report = coldplug_modules(fake.system(), fake.index());
  REQUIRE(report);
  CHECK(fake.inserted == Names{"mii"});  // tried once
  CHECK(report->loaded.empty());
  REQUIRE(failed_names(*report) == Names{"mii", "8139cp", "8139too"});
  CHECK(describe(report->failed[1].error) == "load module 8139cp: needs mii, which could not be loaded");
}

TEST_CASE("coldplug: what is already in the kernel is not read again", "[module_loader]") {
  FakeTree fake;
  fake.add_device("pci", "0000:00:03.0", kQemuRtl8139);
  fake.set_live("mii");
  fake.errors["8139too"] = EEXIST;  // loaded between our look and the syscall: still fine
  const auto report = coldplug_modules(fake.system(), fake.index());
  REQUIRE(report);
  CHECK(fake.inserted == Names{"8139cp", "8139too"});
  CHECK(loaded_names(*report) == Names{"8139cp"});
  CHECK(report->already_loaded == Names{"mii", "8139too"});
  CHECK(report->failed.empty());
}

TEST_CASE("coldplug: nothing to do is not an error; no sysfs is", "[module_loader]") {
  FakeTree fake;
  auto report = coldplug_modules(fake.system(), fake.index());
  REQUIRE(report);
  CHECK(report->describe() == "no modules to load");

  fake.kernel.remove_initramfs_tree(fake.sysfs_dir_ + "/bus");
  report = coldplug_modules(fake.system(), fake.index());
  REQUIRE_FALSE(report);
  CHECK(describe(report.error()) == "opendir " + fake.sysfs_dir_ + "/bus" +
                                        ": No such file or directory (errno 2); mount sysfs on " +
                                        fake.sysfs_dir_ + " first");
}

TEST_CASE("named modules: dependencies first, each once, built-in ones counted", "[module_loader]") {
  FakeTree fake;
  fake.set_live("sunrpc");
  const auto report = load_named_modules(fake.system(), fake.index(), {"nfs", "nfsv3", "af_packet"});
  REQUIRE(report);
  CHECK(fake.inserted == Names{"netfs", "fscache", "grace", "lockd", "nfs", "nfs_acl", "nfsv3"});
  CHECK(loaded_names(*report) == fake.inserted);
  CHECK(report->already_loaded == Names{"sunrpc"});
  CHECK(report->builtin == Names{"af_packet"});
  CHECK(report->devices == 0);
  CHECK(report->describe().find("\nalready loaded: sunrpc\nbuilt into the kernel: af_packet") != std::string::npos);
}

TEST_CASE("named modules: the first that cannot be loaded is the error", "[module_loader]") {
  struct Case {
    std::string_view fail;  // module whose insert fails, or whose file is removed
    int errno_value;
    Names inserted;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"lockd", EINVAL, {"netfs", "fscache", "sunrpc", "grace", "lockd"},
       "finit_module lockd: Invalid argument (errno 22); see dmesg"},
      {"nfsv3", ENOENT, {"netfs", "fscache", "sunrpc", "grace", "lockd", "nfs", "nfs_acl", "nfsv3"},
       "finit_module nfsv3: No such file or directory (errno 2); unknown symbol: a module it needs is missing or "
       "not loaded (see dmesg)"},
      {"grace", 0, {"netfs", "fscache", "sunrpc"}, "open "},  // the file is gone
  };
  for (const auto& c : cases) {
    INFO(c.message);
    FakeTree fake;
    if (c.errno_value != 0) {
      fake.errors[std::string(c.fail)] = c.errno_value;
    } else {
      fake.kernel.remove_initramfs_tree(fake.modules_dir_ + "/kernel/fs/nfs_common/grace.ko");
    }
    const auto report = load_named_modules(fake.system(), fake.index(), {"nfsv3"});
    REQUIRE_FALSE(report);
    CHECK(fake.inserted == c.inserted);
    CHECK(describe(report.error()).starts_with(c.message));
  }

  FakeTree fake;
  const auto report = load_named_modules(fake.system(), fake.index(), {"nfsv3", "nfsv4"});
  REQUIRE_FALSE(report);
  CHECK(fake.inserted.empty());  // decided before anything is loaded
  CHECK(describe(report.error()).starts_with("load module nfsv4: not in modules.dep"));
}

TEST_CASE("index files: modules.dep and modules.alias are needed, the others optional", "[module_loader]") {
  FakeTree fake;
  fake.kernel.remove_initramfs_tree(fake.modules_dir_ + "/modules.builtin");  // and there is no modules.softdep
  CHECK(read_module_index(fake.system()));

  fake.write(fake.modules_dir_ + "/modules.softdep", "softdep\n");
  auto index = read_module_index(fake.system());
  REQUIRE_FALSE(index);
  CHECK(describe(index.error()).starts_with(fake.modules_dir_ + "/modules.softdep:1 softdep: expected"));

  fake.kernel.remove_initramfs_tree(fake.modules_dir_ + "/modules.alias");
  index = read_module_index(fake.system());
  REQUIRE_FALSE(index);
  CHECK(describe(index.error()) == "open " + fake.modules_dir_ + "/modules.alias" +
                                       ": No such file or directory (errno 2); the initramfs needs the depmod "
                                       "output for this kernel (depmod -b ROOT VERSION)");
}

TEST_CASE("unbound modaliases: sorted by bus and device, bound devices and empty files skipped", "[module_loader]") {
  FakeTree fake;
  fake.add_device("pci", "0000:00:03.0", kQemuRtl8139);
  fake.add_device("pci", "0000:00:02.0", "pci:v00001234d00001111sv00001AF4sd00001100bc03sc00i00", "bochs-drm");
  fake.add_device("acpi", "PNP0A03:00", "acpi:PNP0A03:");
  fake.add_device("acpi", "LNXPWRBN:00", "");
  fake.write(fake.sysfs_dir_ + "/bus/platform/devices/serial8250/uevent", "DRIVER=serial8250\n");  // no modalias
  const auto modaliases = read_unbound_modaliases(fake.system());
  REQUIRE(modaliases);
  CHECK(*modaliases == Names{"acpi:PNP0A03:", std::string(kQemuRtl8139)});
}

TEST_CASE("the running kernel's module folder, and the real insert of a missing file fails cleanly",
          "[module_loader]") {
  LinuxSystem real;
  const auto dir = running_kernel_modules_dir(real);
  REQUIRE(dir);
  CHECK(dir->starts_with("/lib/modules/"));
  CHECK(dir->size() > std::string_view("/lib/modules/").size());
  // The open fails before finit_module(2) is made: never 0, and nothing is loaded.
  CHECK_FALSE(real.load_module("/nonexistent/none.ko"));
}

TEST_CASE("drivers step: the NIC's now, the filesystem sets on a thread in order, each set's report at the join",
          "[module_loader]") {
  FakeTree fake;
  fake.add_device("pci", "0000:00:03.0", kQemuRtl8139);
  const ModuleIndex index = fake.index();
  const auto nic = coldplug_modules(fake.system(), index);
  REQUIRE(nic);
  CHECK(fake.inserted == Names{"mii", "8139cp", "8139too"});
  fake.errors["virtio_net"] = ENOENT;  // the second set fails; the first is unaffected
  BackgroundModuleLoad load(fake.system(), index, {{"nfs", "nfsv3"}, {"virtio_net"}});
  BackgroundModuleLoad::Outcome outcome = load.join();
  REQUIRE(outcome.reports.size() == 2);
  REQUIRE(outcome.reports[0]);
  CHECK(loaded_names(*outcome.reports[0]) ==
        Names{"netfs", "fscache", "sunrpc", "grace", "lockd", "nfs", "nfs_acl", "nfsv3"});
  REQUIRE_FALSE(outcome.reports[1]);
  CHECK(outcome.reports[1].error().errno_value == ENOENT);
  CHECK(fake.inserted == Names{"mii", "8139cp", "8139too", "netfs", "fscache", "sunrpc", "grace", "lockd", "nfs",
                               "nfs_acl", "nfsv3", "net_failover", "virtio_net"});
  CHECK(outcome.finished >= outcome.started);
}

TEST_CASE("hotplug: one device's modalias loads every matching module once; nothing matching is noted",
          "[module_loader]") {
  FakeTree fake;
  fake.set_live("mii");
  const auto index = fake.index();
  const auto report = load_modules_for_modalias(fake.system(), index, kQemuRtl8139);
  // mii is live already: not read again, as the coldplug does.
  CHECK(fake.inserted == Names{"8139cp", "8139too"});
  CHECK(loaded_names(report) == Names{"8139cp", "8139too"});
  CHECK(report.already_loaded == Names{"mii"});
  CHECK(report.loaded[0].finished >= std::chrono::steady_clock::time_point{} + report.loaded[0].elapsed);
  CHECK(report.devices == 1);
  CHECK(report.unmatched.empty());

  const auto none = load_modules_for_modalias(fake.system(), index, "usb:v0525pA4A2d0000dc02dsc00dp00ic02isc06ip00in00");
  CHECK(none.loaded.empty());
  CHECK(none.unmatched == Names{"usb:v0525pA4A2d0000dc02dsc00dp00ic02isc06ip00in00"});
}

TEST_CASE("hotplug: a module that fails is recorded and the others still load", "[module_loader]") {
  FakeTree fake;
  fake.errors["8139cp"] = ENODEV;
  const auto report = load_modules_for_modalias(fake.system(), fake.index(), kQemuRtl8139);
  CHECK(loaded_names(report) == Names{"mii", "8139too"});
  CHECK(failed_names(report) == Names{"8139cp"});
}

TEST_CASE("trace: a coldplug reads the index, then sysfs; a driver that adds a device makes a rescan",
          "[module_loader][trace]") {
  FakeTree fake;
  fake.add_device("pci", "0000:00:03.0", kQemuRtl8139, "8139cp");  // bound: only its link is looked at
  fake.add_device("pci", "0000:00:04.0", "pci:v00001AF4d00001000sv00001AF4sd00000001bc02sc00i00");
  fake.set_live("net_failover");
  // virtio_pci's probe binds its device and registers the virtio one, during finit_module.
  fake.on_insert["virtio_pci"] = [&] {
    fake.kernel.add_initramfs_symlink("/sys/bus/pci/devices/0000:00:04.0/driver");
    fake.add_device("virtio", "virtio0", "virtio:d00000001v00001AF4");
  };
  fake.kernel.trace_lookups = true;
  const ModuleSystem system = fake.system();
  const auto index = read_module_index(system);
  REQUIRE(index);
  const auto report = coldplug_modules(system, *index);
  REQUIRE(report);
  CHECK(fake.kernel.trace == Names{
                                 // the index: the two optional files are asked for too
                                 "read(/lib/modules/6.1.0-test/modules.dep)",
                                 "read(/lib/modules/6.1.0-test/modules.alias)",
                                 "read(/lib/modules/6.1.0-test/modules.softdep)",
                                 "read(/lib/modules/6.1.0-test/modules.builtin)",
                                 // pass 1: a bound device's modalias is not read
                                 "list(/sys/bus)",
                                 "list(/sys/bus/pci/devices)",
                                 "lstat(/sys/bus/pci/devices/0000:00:03.0/driver)",
                                 "lstat(/sys/bus/pci/devices/0000:00:04.0/driver)",
                                 "read(/sys/bus/pci/devices/0000:00:04.0/modalias)",
                                 "lstat(/sys/module/virtio_pci/initstate)",
                                 "finit_module(/lib/modules/6.1.0-test/kernel/drivers/virtio/virtio_pci.ko)",
                                 // pass 2: the virtio bus has appeared; net_failover is live already
                                 "list(/sys/bus)",
                                 "list(/sys/bus/pci/devices)",
                                 "lstat(/sys/bus/pci/devices/0000:00:03.0/driver)",
                                 "lstat(/sys/bus/pci/devices/0000:00:04.0/driver)",
                                 "list(/sys/bus/virtio/devices)",
                                 "lstat(/sys/bus/virtio/devices/virtio0/driver)",
                                 "read(/sys/bus/virtio/devices/virtio0/modalias)",
                                 "lstat(/sys/module/net_failover/initstate)",
                                 "lstat(/sys/module/virtio_net/initstate)",
                                 "finit_module(/lib/modules/6.1.0-test/kernel/drivers/net/virtio_net.ko)",
                                 // pass 3: nothing new, the end
                                 "list(/sys/bus)",
                                 "list(/sys/bus/pci/devices)",
                                 "lstat(/sys/bus/pci/devices/0000:00:03.0/driver)",
                                 "lstat(/sys/bus/pci/devices/0000:00:04.0/driver)",
                                 "list(/sys/bus/virtio/devices)",
                                 "lstat(/sys/bus/virtio/devices/virtio0/driver)",
                                 "read(/sys/bus/virtio/devices/virtio0/modalias)",
                             });
  CHECK(loaded_names(*report) == Names{"virtio_pci", "virtio_net"});
  CHECK(report->already_loaded == Names{"net_failover"});
  CHECK(report->devices == 2);
}

namespace {

// The trace of one load after the index was read, with every lookup in it.
struct TracedLoad {
  FakeTree fake;
  ModuleIndex index = fake.index();
  TracedLoad() {
    fake.kernel.trace.clear();
    fake.kernel.trace_lookups = true;
  }
};

}  // namespace

TEST_CASE("trace: a module already live is neither opened nor inserted", "[module_loader][trace]") {
  TracedLoad load;
  load.fake.set_live("mii");
  const auto report = load_named_modules(load.fake.system(), load.index, {"8139cp"});
  REQUIRE(report);
  CHECK(load.fake.kernel.trace == Names{"lstat(/sys/module/mii/initstate)", "lstat(/sys/module/8139cp/initstate)",
                                        "finit_module(/lib/modules/6.1.0-test/kernel/drivers/net/ethernet/realtek/"
                                        "8139cp.ko)"});
  CHECK(report->already_loaded == Names{"mii"});
  CHECK(loaded_names(*report) == Names{"8139cp"});
}

TEST_CASE("trace: a module file the index lists but the initramfs lacks fails at the open, and its users with it",
          "[module_loader][trace]") {
  TracedLoad load;
  load.fake.kernel.remove_initramfs_tree("/lib/modules/6.1.0-test/kernel/drivers/net/mii.ko");
  const auto report = load_modules_for_modalias(load.fake.system(), load.index, kQemuRtl8139);
  // No finit_module at all; 8139cp and 8139too are not even looked up.
  CHECK(load.fake.kernel.trace ==
        Names{"lstat(/sys/module/mii/initstate)", "open(/lib/modules/6.1.0-test/kernel/drivers/net/mii.ko)"});
  REQUIRE(failed_names(report) == Names{"mii", "8139cp", "8139too"});
  CHECK(report.failed[0].error.errno_value == ENOENT);
  CHECK(describe(report.failed[0].error) ==
        "open /lib/modules/6.1.0-test/kernel/drivers/net/mii.ko: No such file or directory (errno 2); the module "
        "is listed in modules.dep but missing");
  CHECK(describe(report.failed[1].error) == "load module 8139cp: needs mii, which could not be loaded");
}

TEST_CASE("trace: EEXIST from finit_module is a module already loaded, and its users go on",
          "[module_loader][trace]") {
  TracedLoad load;
  load.fake.errors["mii"] = EEXIST;  // loaded by someone else between the lstat and the insert
  const auto report = load_named_modules(load.fake.system(), load.index, {"8139cp"});
  REQUIRE(report);
  CHECK(load.fake.kernel.trace ==
        Names{"lstat(/sys/module/mii/initstate)", "finit_module(/lib/modules/6.1.0-test/kernel/drivers/net/mii.ko)",
              "lstat(/sys/module/8139cp/initstate)",
              "finit_module(/lib/modules/6.1.0-test/kernel/drivers/net/ethernet/realtek/8139cp.ko)"});
  CHECK(report->already_loaded == Names{"mii"});
  CHECK(loaded_names(*report) == Names{"8139cp"});
  CHECK(report->failed.empty());
}

TEST_CASE("each module's time is the syscall layer's clock around its load, in the background load too",
          "[module_loader]") {
  FakeTree fake;
  const ModuleIndex index = fake.index();
  const auto start = fake.kernel.clock;
  fake.on_insert["mii"] = [&] { fake.kernel.clock += 2ms; };
  fake.on_insert["8139cp"] = [&] { fake.kernel.clock += 30ms; };
  const auto report = load_named_modules(fake.system(), index, {"8139cp"});
  REQUIRE(report);
  REQUIRE(report->loaded.size() == 2);
  CHECK(report->loaded[0].elapsed == 2ms);
  CHECK(report->loaded[0].finished == start + 2ms);
  CHECK(report->loaded[1].elapsed == 30ms);
  CHECK(report->loaded[1].finished == start + 32ms);
  CHECK(report->describe() == "loaded mii (2.0 ms), 8139cp (30.0 ms)");

  // The thread only touches the fake between its start and join(): nothing else runs on it then.
  fake.on_insert["nfs"] = [&] { fake.kernel.clock += 100ms; };
  BackgroundModuleLoad background(fake.system(), index, {{"nfs"}});
  const BackgroundModuleLoad::Outcome outcome = background.join();
  CHECK(outcome.started == start + 32ms);
  CHECK(outcome.finished == start + 132ms);
}
