// Kernel uevent messages: the fields the drivers step reads, what it does with an event, and
// what is not the kernel's. The messages are laid out as lib/kobject_uevent.c writes them, with
// the variables usb_uevent() and netdev_uevent() add (the ones `udevadm monitor -k -p` shows
// for QEMU's usb-net behind qemu-xhci).
#include "drivers/uevent.h"

#include <catch2/catch.hpp>
#include <string_view>

using namespace nfsroot;

namespace {

Result<Uevent> parse(std::string_view text) {
  return parse_uevent(std::span<const std::byte>(reinterpret_cast<const std::byte*>(text.data()), text.size()));
}

using namespace std::string_view_literals;

// add of QEMU usb-net's CDC Ethernet control interface (ic02 isc06: CDC ECM).
constexpr auto kUsbInterfaceAdd =
    "add@/devices/pci0000:00/0000:00:04.0/usb1/1-1/1-1:2.0\0"
    "ACTION=add\0"
    "DEVPATH=/devices/pci0000:00/0000:00:04.0/usb1/1-1/1-1:2.0\0"
    "SUBSYSTEM=usb\0"
    "DEVTYPE=usb_interface\0"
    "PRODUCT=525/a4a2/0\0"
    "TYPE=2/0/0\0"
    "INTERFACE=2/6/0\0"
    "MODALIAS=usb:v0525pA4A2d0000dc02dsc00dp00ic02isc06ip00in00\0"
    "SEQNUM=1734\0"sv;

// add of the interface cdc_ether made for it.
constexpr auto kNetAdd =
    "add@/devices/pci0000:00/0000:00:04.0/usb1/1-1/1-1:2.0/net/eth0\0"
    "ACTION=add\0"
    "DEVPATH=/devices/pci0000:00/0000:00:04.0/usb1/1-1/1-1:2.0/net/eth0\0"
    "SUBSYSTEM=net\0"
    "INTERFACE=eth0\0"
    "IFINDEX=2\0"
    "SEQNUM=1741\0"sv;

}  // namespace

TEST_CASE("uevent: a USB interface's add carries its modalias, and wants modules", "[uevent]") {
  const auto event = parse(kUsbInterfaceAdd);
  REQUIRE(event);
  CHECK(event->action == "add");
  CHECK(event->devpath == "/devices/pci0000:00/0000:00:04.0/usb1/1-1/1-1:2.0");
  CHECK(event->subsystem == "usb");
  CHECK(event->modalias == "usb:v0525pA4A2d0000dc02dsc00dp00ic02isc06ip00in00");
  CHECK(event->seqnum == 1734);
  CHECK(wants_modules(*event));
  CHECK_FALSE(is_new_interface(*event));  // INTERFACE= here is the class triple, not a name
}

TEST_CASE("uevent: a net add names the interface and wants no module", "[uevent]") {
  const auto event = parse(kNetAdd);
  REQUIRE(event);
  CHECK(event->subsystem == "net");
  CHECK(event->interface == "eth0");
  CHECK(event->modalias.empty());
  CHECK(is_new_interface(*event));
  CHECK_FALSE(wants_modules(*event));
}

TEST_CASE("uevent: only add events with a modalias load modules", "[uevent]") {
  // udev's 80-drivers.rules: ACTION=="add", ENV{MODALIAS}=="?*" → modprobe.
  const auto bind = parse(
      "bind@/devices/pci0000:00/0000:00:04.0/usb1/1-1/1-1:2.0\0ACTION=bind\0"
      "DEVPATH=/devices/pci0000:00/0000:00:04.0/usb1/1-1/1-1:2.0\0SUBSYSTEM=usb\0DRIVER=cdc_ether\0"
      "MODALIAS=usb:v0525pA4A2d0000dc02dsc00dp00ic02isc06ip00in00\0SEQNUM=1742\0"sv);
  REQUIRE(bind);
  CHECK_FALSE(wants_modules(*bind));
  const auto module = parse("add@/module/usbnet\0ACTION=add\0DEVPATH=/module/usbnet\0SUBSYSTEM=module\0SEQNUM=1739\0"sv);
  REQUIRE(module);
  CHECK_FALSE(wants_modules(*module));
  CHECK_FALSE(is_new_interface(*module));
  const auto removed = parse(
      "remove@/devices/virtual/net/dummy0\0ACTION=remove\0DEVPATH=/devices/virtual/net/dummy0\0"
      "SUBSYSTEM=net\0INTERFACE=dummy0\0SEQNUM=9\0"sv);
  REQUIRE(removed);
  CHECK_FALSE(is_new_interface(*removed));
}

TEST_CASE("uevent: what is not a kernel uevent is an error", "[uevent]") {
  // libudev's monitor format: magic, then a binary header.
  CHECK_FALSE(parse("libudev\0\xfe\xed\xca\xfe"sv));
  CHECK_FALSE(parse(""sv));
  CHECK_FALSE(parse("ACTION=add\0DEVPATH=/devices/x\0"sv));                 // no header
  CHECK_FALSE(parse("@/devices/x\0ACTION=add\0DEVPATH=/devices/x\0"sv));    // empty action
  CHECK_FALSE(parse("add@/devices/x\0SUBSYSTEM=usb\0"sv));                  // no ACTION=, DEVPATH=
  CHECK_FALSE(parse("add@/devices/x\0ACTION=remove\0DEVPATH=/devices/x\0"sv));  // header disagrees
  CHECK_FALSE(parse("add@/devices/x\0ACTION=add\0DEVPATH=/devices/y\0"sv));
  const auto error = parse("add@/devices/x\0ACTION=remove\0DEVPATH=/devices/x\0"sv);
  REQUIRE_FALSE(error);
  CHECK(describe(error.error()) == "uevent add@/devices/x: the header disagrees with ACTION= and DEVPATH=");
}

TEST_CASE("uevent: the received length bounds the parse; a missing final NUL is tolerated", "[uevent]") {
  // Bytes past the datagram's length must not be read: cut the message inside MODALIAS.
  const std::string_view whole = kUsbInterfaceAdd;
  const auto cut = parse(whole.substr(0, whole.find("MODALIAS=") + 13));
  REQUIRE(cut);
  CHECK(cut->modalias == "usb:");
  const auto no_nul = parse("add@/devices/x\0ACTION=add\0DEVPATH=/devices/x\0MODALIAS=pci:v1"sv);
  REQUIRE(no_nul);
  CHECK(no_nul->modalias == "pci:v1");
}
