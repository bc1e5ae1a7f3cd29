// Network devices without a driver, and the message about them (see network_devices.h).
#include "drivers/network_devices.h"

#include <algorithm>

#include "base/text.h"

namespace nfsroot {

namespace {

// Reads modalias fields in order: a literal tag, then a fixed number of hex digits.
class FieldReader {
 public:
  explicit FieldReader(std::string_view text) : rest_(text) {}

  std::optional<unsigned> hex(std::string_view tag, std::size_t digits) {
    if (!rest_.starts_with(tag) || rest_.size() < tag.size() + digits) return std::nullopt;
    unsigned value = 0;
    for (const char c : rest_.substr(tag.size(), digits)) {
      unsigned digit = 0;
      if (c >= '0' && c <= '9') {
        digit = static_cast<unsigned>(c - '0');
      } else if (c >= 'A' && c <= 'F') {
        digit = static_cast<unsigned>(c - 'A' + 10);
      } else if (c >= 'a' && c <= 'f') {
        digit = static_cast<unsigned>(c - 'a' + 10);
      } else {
        return std::nullopt;
      }
      value = value * 16 + digit;
    }
    rest_.remove_prefix(tag.size() + digits);
    return value;
  }

 private:
  std::string_view rest_;
};

std::string hex4(unsigned value) {
  constexpr char kDigits[] = "0123456789abcdef";
  std::string text(4, '0');
  for (int i = 3; i >= 0; --i, value >>= 4) text[static_cast<std::size_t>(i)] = kDigits[value & 0xf];
  return text;
}

std::optional<NetworkDevice> pci_device(std::string_view modalias) {
  FieldReader fields(modalias);
  const auto vendor = fields.hex("pci:v", 8);
  const auto device = fields.hex("d", 8);
  if (!vendor || !device || !fields.hex("sv", 8) || !fields.hex("sd", 8)) return std::nullopt;
  const auto base_class = fields.hex("bc", 2);
  const auto sub_class = fields.hex("sc", 2);
  if (!base_class || *base_class != 0x02 || !sub_class) return std::nullopt;
  // PCI Code and ID Assignment, base class 02h: 00h Ethernet, 80h other network controller.
  std::string kind = *sub_class == 0x00 ? "Ethernet controller" : "network controller";
  return NetworkDevice{"pci", static_cast<std::uint16_t>(*vendor), static_cast<std::uint16_t>(*device),
                       std::move(kind)};
}

std::optional<NetworkDevice> usb_interface(std::string_view modalias) {
  FieldReader fields(modalias);
  const auto vendor = fields.hex("usb:v", 4);
  const auto product = fields.hex("p", 4);
  if (!vendor || !product || !fields.hex("d", 4) || !fields.hex("dc", 2) || !fields.hex("dsc", 2) ||
      !fields.hex("dp", 2)) {
    return std::nullopt;
  }
  const auto interface_class = fields.hex("ic", 2);
  if (!interface_class) return std::nullopt;
  // USB class codes (usb.org): 02h communications (CDC ECM/NCM, RNDIS's control interface);
  // FFh vendor-specific, which most USB Ethernet chips use.
  std::string kind;
  if (*interface_class == 0x02) {
    kind = "USB communications interface";
  } else if (*interface_class == 0xff) {
    kind = "USB vendor-specific interface";
  } else {
    return std::nullopt;
  }
  return NetworkDevice{"usb", static_cast<std::uint16_t>(*vendor), static_cast<std::uint16_t>(*product),
                       std::move(kind)};
}

}  // namespace

std::string NetworkDevice::id() const { return hex4(vendor) + ":" + hex4(device); }

std::optional<NetworkDevice> network_device_from_modalias(std::string_view modalias) {
  if (modalias.starts_with("pci:")) return pci_device(modalias);
  if (modalias.starts_with("usb:")) return usb_interface(modalias);
  return std::nullopt;
}

DriverlessNetworkDevices describe_driverless_network_devices(const std::vector<std::string>& unbound_modaliases,
                                                             const ModuleIndex& index) {
  DriverlessNetworkDevices result;
  std::vector<std::string> parts;
  std::vector<std::string> named;  // "usb 0525:a4a2": a composite device's interfaces, once
  for (const auto& modalias : unbound_modaliases) {
    const auto device = network_device_from_modalias(modalias);
    if (!device) continue;
    const std::string name = device->bus + " " + device->id();
    if (std::ranges::find(named, name) != named.end()) continue;
    named.push_back(name);
    const auto modules = modules_for_modalias(index, modalias);
    if (modules.empty()) {
      result.any_without_module = true;
      parts.push_back(name + " (" + device->kind + ", no module in the initramfs' modules.alias)");
    } else {
      parts.push_back(name + " (" + device->kind + ", " + join(modules, ", ") +
                      " in the initramfs but not bound to it: see dmesg)");
    }
  }
  result.devices = parts.empty() ? "none" : join(parts, "; ");
  // modinfo -F alias lists a module's patterns; grep them for the id to find the module.
  if (result.any_without_module) {
    result.hint = "add its module to NFSROOT_INIT_NICS (`modinfo -F alias` on the server finds it)";
  }
  return result;
}

}  // namespace nfsroot
