// Network devices without a driver, by their modaliases (the formats of the kernel's
// file2alias.c, as QEMU's devices show them in sysfs), and the message naming them.
#include "drivers/network_devices.h"

#include <catch2/catch.hpp>

using namespace nfsroot;

namespace {

// QEMU's e1000 (82540EM), rtl8139, virtio-net; its PIIX ISA bridge (class 06, not a NIC).
constexpr std::string_view kE1000 = "pci:v00008086d0000100Esv00001AF4sd00001100bc02sc00i00";
constexpr std::string_view kRtl8139 = "pci:v000010ECd00008139sv00001AF4sd00001100bc02sc00i00";
constexpr std::string_view kIsaBridge = "pci:v00008086d00007000sv00001AF4sd00001100bc06sc01i00";
// QEMU's usb-net: RNDIS control (02/02/ff), CDC ECM control (02/06/00), and their data
// interfaces (0a); its usb-tablet (HID, 03).
constexpr std::string_view kUsbNetRndis = "usb:v0525pA4A2d0000dc02dsc00dp00ic02isc02ipFFin00";
constexpr std::string_view kUsbNetEcm = "usb:v0525pA4A2d0000dc02dsc00dp00ic02isc06ip00in00";
constexpr std::string_view kUsbNetData = "usb:v0525pA4A2d0000dc02dsc00dp00ic0Aisc00ip00in01";
constexpr std::string_view kUsbTablet = "usb:v0627p0001d0000dc00dsc00dp00ic03isc00ip00in00";
// An ASIX AX88179: vendor-specific interface.
constexpr std::string_view kAx88179 = "usb:v0B95p1790d0100dcFFdscFFdp00icFFiscFFip00in00";

ModuleIndex index_with(std::string_view aliases) {
  auto index = parse_module_index("kernel/drivers/net/ethernet/realtek/8139cp.ko:\n", aliases, "", "");
  REQUIRE(index);
  return *index;
}

}  // namespace

TEST_CASE("network devices: PCI class 02 and USB communications or vendor-specific interfaces", "[network_devices]") {
  const auto e1000 = network_device_from_modalias(kE1000);
  REQUIRE(e1000);
  CHECK(e1000->bus == "pci");
  CHECK(e1000->id() == "8086:100e");
  CHECK(e1000->kind == "Ethernet controller");
  const auto ecm = network_device_from_modalias(kUsbNetEcm);
  REQUIRE(ecm);
  CHECK(ecm->bus == "usb");
  CHECK(ecm->id() == "0525:a4a2");
  CHECK(ecm->kind == "USB communications interface");
  const auto asix = network_device_from_modalias(kAx88179);
  REQUIRE(asix);
  CHECK(asix->id() == "0b95:1790");
  CHECK(asix->kind == "USB vendor-specific interface");
  // A PCI network controller other than Ethernet (02/80).
  CHECK(network_device_from_modalias("pci:v00001AF4d00001041sv00001AF4sd00001100bc02sc80i00")->kind ==
        "network controller");

  for (const auto other : {kIsaBridge, kUsbNetData, kUsbTablet, std::string_view("acpi:LNXCPU:"),
                           std::string_view("virtio:d00000001v00001AF4"), std::string_view("pci:v8086"),
                           std::string_view("pci:v0000808Gd0000100Esv00001AF4sd00001100bc02sc00i00"),
                           std::string_view("usb:v0525pA4A2d0000dc02dsc00dp00")}) {
    INFO(other);
    CHECK_FALSE(network_device_from_modalias(other));
  }
}

TEST_CASE("network devices: each named once, with the fix when the initramfs has no module", "[network_devices]") {
  const auto index = index_with("alias pci:v000010ECd00008139sv*sd*bc*sc*i* 8139cp\n");
  const auto found = describe_driverless_network_devices(
      {std::string(kIsaBridge), std::string(kE1000), std::string(kRtl8139), std::string(kUsbNetRndis),
       std::string(kUsbNetEcm), std::string(kUsbNetData), std::string(kUsbTablet)},
      index);
  CHECK(found.devices ==
        "pci 8086:100e (Ethernet controller, no module in the initramfs' modules.alias); "
        "pci 10ec:8139 (Ethernet controller, 8139cp in the initramfs but not bound to it: see dmesg); "
        "usb 0525:a4a2 (USB communications interface, no module in the initramfs' modules.alias)");
  CHECK(found.any_without_module);
  CHECK(found.hint == "add its module to NFSROOT_INIT_NICS (`modinfo -F alias` on the server finds it)");
}

TEST_CASE("network devices: none, or only ones whose module is there, need no NIC set hint", "[network_devices]") {
  const auto index = index_with("alias pci:v000010ECd00008139sv*sd*bc*sc*i* 8139cp\n");
  const auto none = describe_driverless_network_devices({std::string(kIsaBridge), std::string(kUsbTablet)}, index);
  CHECK(none.devices == "none");
  CHECK_FALSE(none.any_without_module);
  CHECK(none.hint.empty());
  const auto known = describe_driverless_network_devices({std::string(kRtl8139)}, index);
  CHECK_FALSE(known.any_without_module);
  CHECK(known.hint.empty());
}
