// The NETLINK_ROUTE socket on Linux: socket(2), bind(2), setsockopt(2), sendto(2), poll(2),
// recvmsg(2).
#include "sys/netlink_socket.h"

#include <linux/netlink.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <string>

#include "sys/wait_for_events.h"

namespace nfsroot {

namespace {

constexpr const char* kWhat = "NETLINK_ROUTE";

}  // namespace

Result<std::unique_ptr<LinuxNetlinkSocket>> LinuxNetlinkSocket::open(std::span<const unsigned> groups) {
  UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (!fd.valid()) return std::unexpected(error_from_errno("socket", kWhat, errno));
  sockaddr_nl address{};
  address.nl_family = AF_NETLINK;  // nl_pid 0: the kernel assigns the port
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    return std::unexpected(error_from_errno("bind", kWhat, errno));
  }
  for (const unsigned group : groups) {
    if (::setsockopt(fd.get(), SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof group) != 0) {
      return std::unexpected(error_from_errno("netlink subscribe", "group " + std::to_string(group), errno));
    }
  }
  return std::unique_ptr<LinuxNetlinkSocket>(new LinuxNetlinkSocket(std::move(fd)));
}

Result<void> LinuxNetlinkSocket::send(std::span<const std::byte> message) {
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  for (;;) {
    const ssize_t sent = ::sendto(fd_.get(), message.data(), message.size(), 0,
                                  reinterpret_cast<const sockaddr*>(&kernel), sizeof kernel);
    if (sent == static_cast<ssize_t>(message.size())) return {};
    if (sent < 0 && errno == EINTR) continue;
    return std::unexpected(error_from_errno("netlink send", kWhat, sent < 0 ? errno : EMSGSIZE));
  }
}

Result<std::optional<std::vector<std::byte>>> LinuxNetlinkSocket::receive(Clock::time_point deadline) {
  for (;;) {
    if (!TRY(wait_for_events(fd_.get(), POLLIN, deadline, kWhat))) return std::optional<std::vector<std::byte>>{};
    // A dump's datagram can be larger than a page (a NIC with many SR-IOV VFs): ask its size
    // first (MSG_PEEK | MSG_TRUNC returns the real length), as libnl does with MSG_PEEK.
    const ssize_t size = ::recv(fd_.get(), nullptr, 0, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
    if (size < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return std::unexpected(error_from_errno("netlink receive", kWhat, errno));
    }
    std::vector<std::byte> datagram(static_cast<std::size_t>(size));
    const NetlinkDatagram received = receive_netlink_datagram(fd_.get(), datagram);
    if (received.size < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return std::unexpected(error_from_errno("netlink receive", kWhat, errno));
    }
    if (!received.from_kernel) continue;
    datagram.resize(static_cast<std::size_t>(received.size));
    return std::optional<std::vector<std::byte>>(std::move(datagram));
  }
}

NetlinkDatagram receive_netlink_datagram(int fd, std::span<std::byte> buffer) {
  sockaddr_nl sender{};
  iovec io{buffer.data(), buffer.size()};
  msghdr header{};
  header.msg_name = &sender;
  header.msg_namelen = sizeof sender;
  header.msg_iov = &io;
  header.msg_iovlen = 1;
  NetlinkDatagram datagram;
  datagram.size = ::recvmsg(fd, &header, MSG_DONTWAIT);
  datagram.from_kernel = datagram.size >= 0 && sender.nl_pid == 0 && (header.msg_flags & MSG_TRUNC) == 0;
  return datagram;
}

}  // namespace nfsroot
