// Kernel uevents as NETLINK_KOBJECT_UEVENT delivers them, and what the drivers step does with
// one. Pure: the socket is in drivers/uevent_socket.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "base/error.h"

namespace nfsroot {

// lib/kobject_uevent.c: "ACTION@DEVPATH\0" then "KEY=VALUE\0" for each variable (ACTION,
// DEVPATH, SUBSYSTEM, SEQNUM, and MODALIAS, INTERFACE, … when the device has them).
struct Uevent {
  std::string action;     // add, remove, bind, unbind, change, move, online, offline
  std::string devpath;    // /devices/pci0000:00/0000:00:04.0/usb1/1-1/1-1:1.0
  std::string subsystem;  // usb, pci, net, mdio_bus, module, …
  std::string modalias;   // empty when the device has none
  std::string interface;  // INTERFACE=: for SUBSYSTEM=net the name (eth0); for a USB interface its class/subclass/protocol
  std::uint64_t seqnum = 0;
};

// The message's bytes as received (the datagram's length). Errors for what is not a kernel
// uevent: udev's re-broadcasts (they start "libudev\0"), no "@" header, no ACTION or DEVPATH,
// or a header that disagrees with them.
[[nodiscard]] Result<Uevent> parse_uevent(std::span<const std::byte> message);

// A device the drivers step should find modules for: an "add" with a modalias, as udev's
// 80-drivers.rules runs modprobe for (ACTION=="add", ENV{MODALIAS}=="?*").
[[nodiscard]] bool wants_modules(const Uevent& event);

// A network interface appeared (SUBSYSTEM=net, ACTION=add): its name.
[[nodiscard]] bool is_new_interface(const Uevent& event);

}  // namespace nfsroot
