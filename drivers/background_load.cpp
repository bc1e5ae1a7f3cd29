// Module loads on a thread of their own (see background_load.h).
#include "drivers/background_load.h"

#include <utility>

namespace nfsroot {

BackgroundModuleLoad::BackgroundModuleLoad(ModuleSystem system, const ModuleIndex& index,
                                           std::vector<std::vector<std::string>> sets)
    : system_(std::move(system)), index_(index), sets_(std::move(sets)) {
  outcome_.started = system_.system.now();
  // pthread_create rather than std::thread: std::thread reports a failure by throwing, and
  // PID 1 is built without exceptions. outcome_ is written by the thread only until join().
  running_ = ::pthread_create(&thread_, nullptr, &BackgroundModuleLoad::run, this) == 0;
  if (!running_) load();
}

BackgroundModuleLoad::~BackgroundModuleLoad() {
  if (running_) ::pthread_join(thread_, nullptr);
}

void* BackgroundModuleLoad::run(void* self) {
  static_cast<BackgroundModuleLoad*>(self)->load();
  return nullptr;
}

void BackgroundModuleLoad::load() {
  for (const auto& names : sets_) outcome_.reports.push_back(load_named_modules(system_, index_, names));
  outcome_.finished = system_.system.now();
}

BackgroundModuleLoad::Outcome BackgroundModuleLoad::join() {
  if (running_) ::pthread_join(thread_, nullptr);
  running_ = false;
  return std::move(outcome_);
}

}  // namespace nfsroot
