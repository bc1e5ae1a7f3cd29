// The NETLINK_KOBJECT_UEVENT socket and the hotplug loads it drives (see uevent_socket.h).
#include "drivers/uevent_socket.h"

#include <linux/netlink.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <span>
#include <utility>

#include "drivers/uevent.h"
#include "sys/netlink_socket.h"

namespace nfsroot {

namespace {

// The kernel's broadcast group; udev's own re-broadcasts go to group 2 (libudev's "udev").
constexpr unsigned kKernelGroup = 1;
// Loading a driver makes a burst of events (the module, its devices, their links); room for
// thousands, as systemd-udevd asks (128 MiB there; SO_RCVBUFFORCE needs CAP_NET_ADMIN, which
// PID 1 has). When even that overflows, handle() rescans sysfs.
constexpr int kReceiveBuffer = 4 * 1024 * 1024;
// lib/kobject_uevent.c: UEVENT_BUFFER_SIZE is 2048 for the variables, plus the header.
constexpr std::size_t kMaxMessage = 8192;

void merge(ModuleLoadReport& into, ModuleLoadReport&& from) {
  for (auto& m : from.loaded) into.loaded.push_back(std::move(m));
  for (auto& m : from.already_loaded) into.already_loaded.push_back(std::move(m));
  for (auto& m : from.builtin) into.builtin.push_back(std::move(m));
  for (auto& m : from.failed) into.failed.push_back(std::move(m));
  for (auto& m : from.unmatched) into.unmatched.push_back(std::move(m));
  into.devices += from.devices;
}

}  // namespace

Result<UeventSocket> UeventSocket::open() {
  UniqueFd fd(::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_KOBJECT_UEVENT));
  if (!fd.valid()) return std::unexpected(error_from_errno("socket", "NETLINK_KOBJECT_UEVENT", errno));
  const int size = kReceiveBuffer;
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0) {
    (void)::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &size, sizeof size);  // the kernel's cap, then
  }
  sockaddr_nl address{};
  address.nl_family = AF_NETLINK;
  address.nl_groups = kKernelGroup;
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    return std::unexpected(error_from_errno("bind", "NETLINK_KOBJECT_UEVENT group 1", errno));
  }
  return UeventSocket(std::move(fd));
}

Result<HotplugReport> UeventSocket::handle(const ModuleSystem& system, const ModuleIndex& index) const {
  HotplugReport report;
  std::array<std::byte, kMaxMessage> buffer{};
  for (;;) {
    const NetlinkDatagram datagram = receive_netlink_datagram(fd_.get(), buffer);
    const ssize_t received = datagram.size;
    if (received < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) break;
      if (errno == ENOBUFS) {
        // netlink(7): the queue overflowed and messages are gone; the socket itself works.
        auto coldplug = coldplug_modules(system, index);
        if (!coldplug) return std::unexpected(coldplug.error());
        merge(report.modules, std::move(*coldplug));
        report.rescanned = true;
        continue;
      }
      return std::unexpected(error_from_errno("recvmsg", "NETLINK_KOBJECT_UEVENT", errno));
    }
    // Only the kernel speaks for devices; anyone else on the group is ignored.
    if (!datagram.from_kernel) continue;
    const auto event = parse_uevent(std::span<const std::byte>(buffer.data(), static_cast<std::size_t>(received)));
    if (!event) continue;
    if (is_new_interface(*event)) report.new_interfaces.push_back(event->interface);
    if (wants_modules(*event)) merge(report.modules, load_modules_for_modalias(system, index, event->modalias));
  }
  return report;
}

}  // namespace nfsroot
