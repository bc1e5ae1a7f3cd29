// Which devices without a driver are network devices, and what to tell the admin about them,
// from their modaliases and the initramfs' module index. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/module_index.h"

namespace nfsroot {

struct NetworkDevice {
  std::string bus;  // "pci" or "usb"
  std::uint16_t vendor = 0;
  std::uint16_t device = 0;  // PCI device id, USB product id
  std::string kind;          // "Ethernet controller", "USB communications interface", …

  [[nodiscard]] std::string id() const;  // "8086:100e", as lspci -n and lsusb print it
};

// PCI base class 0x02 (network controller; the PCI Code and ID Assignment spec) from
// "pci:v%08Xd%08Xsv…bc%02Xsc%02Xi%02X", and USB interfaces of class 0x02 (communications: CDC
// ECM, NCM, RNDIS's control interface) or 0xff (vendor-specific: ASIX, Realtek, SMSC, Microchip
// dongles) from "usb:v%04Xp%04Xd…ic%02Xisc%02Xip%02Xin%02X" (file2alias.c, the formats the
// kernel writes). Anything else: nullopt.
[[nodiscard]] std::optional<NetworkDevice> network_device_from_modalias(std::string_view modalias);

struct DriverlessNetworkDevices {
  std::string devices;         // "pci 8086:100e (Ethernet controller, no module in the initramfs)", or "none"
  bool any_without_module = false;  // some device has no module in the index: the NIC set lacks it
  std::string hint;                 // the fix for the initramfs-tools hook's users; empty when none
};

// The network devices among the unbound modaliases (a USB device with several matching
// interfaces is named once), each with what the index knows: no module (add one to the
// initramfs), or modules that are there but did not bind it (see dmesg).
[[nodiscard]] DriverlessNetworkDevices describe_driverless_network_devices(
    const std::vector<std::string>& unbound_modaliases, const ModuleIndex& index);

}  // namespace nfsroot
