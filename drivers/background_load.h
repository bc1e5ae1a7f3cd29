// Module loads that run on a thread of their own while the boot goes on.
#pragma once

#include <chrono>
#include <string>
#include <pthread.h>

#include <vector>

#include "base/error.h"
#include "drivers/module_index.h"
#include "drivers/module_loader.h"

namespace nfsroot {

// The filesystem modules (sunrpc, nfs, overlay, …) are needed only by the root mount, but take
// most of the drivers' time (under TCG sunrpc and nfs take ~130 ms each). Nothing orders them
// before the network, which mostly waits (for carrier, for the DHCP server), so they load on a
// thread while the network step runs and the boot joins before the mount. finit_module(2) is
// the kernel's work: the thread only waits in it. The thread never logs: join() hands back the
// reports for the boot to print. Every call it makes goes through the ModuleSystem's System,
// which must allow that from a second thread (LinuxSystem does: it keeps no state).
class BackgroundModuleLoad {
 public:
  using Clock = std::chrono::steady_clock;

  struct Outcome {
    std::vector<Result<ModuleLoadReport>> reports;  // one per set, in order
    Clock::time_point started;   // System::now(), as each module's times
    Clock::time_point finished;
  };

  // Starts loading each set with load_named_modules(), one after another. `index` must outlive
  // the load (join() or the destructor). When no thread can be made, the sets load here, before
  // the constructor returns: slower, never wrong.
  BackgroundModuleLoad(ModuleSystem system, const ModuleIndex& index, std::vector<std::vector<std::string>> sets);
  ~BackgroundModuleLoad();
  BackgroundModuleLoad(const BackgroundModuleLoad&) = delete;
  BackgroundModuleLoad& operator=(const BackgroundModuleLoad&) = delete;

  // Waits for the thread; call once.
  [[nodiscard]] Outcome join();

 private:
  static void* run(void* self);
  void load();

  ModuleSystem system_;
  const ModuleIndex& index_;
  std::vector<std::vector<std::string>> sets_;
  Outcome outcome_;
  pthread_t thread_{};
  bool running_ = false;
};

}  // namespace nfsroot
