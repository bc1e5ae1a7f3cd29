// The kernel's uevent broadcast (NETLINK_KOBJECT_UEVENT), for devices that appear after
// coldplug: USB enumeration runs on the hub thread after the host controller's driver loads,
// so an adapter's modalias shows up later than the coldplug's last sysfs read.
#pragma once

#include <string>
#include <vector>

#include "base/error.h"
#include "base/unique_fd.h"
#include "drivers/module_loader.h"

namespace nfsroot {

struct HotplugReport {
  ModuleLoadReport modules;                 // what the "add" events' modaliases loaded
  std::vector<std::string> new_interfaces;  // SUBSYSTEM=net "add" events: eth0, usb0, …
  bool rescanned = false;                   // the socket overflowed, so sysfs was read again
};

class UeventSocket {
 public:
  // Open it before the coldplug reads sysfs, so that nothing that appears in between is lost.
  [[nodiscard]] static Result<UeventSocket> open();
  [[nodiscard]] int fd() const { return fd_.get(); }

  // Reads every queued message (non-blocking), loads the modules that "add" events with a
  // modalias want, and notes the network interfaces that appeared. Messages not from the kernel
  // (nl_pid != 0) are dropped. When events were lost (ENOBUFS), sysfs is read again as the
  // coldplug does, so that no device is missed.
  [[nodiscard]] Result<HotplugReport> handle(const ModuleSystem& system, const ModuleIndex& index) const;

 private:
  explicit UeventSocket(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

}  // namespace nfsroot
