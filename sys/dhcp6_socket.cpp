#include "sys/dhcp6_socket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace nfsroot {

namespace {

constexpr std::uint16_t kClientPort = 546, kServerPort = 547;
// A DHCPv6 message rides in one UDP datagram; larger than any link's MTU is enough.
constexpr std::size_t kReceiveBuffer = 65536;

}  // namespace

Result<std::unique_ptr<LinuxDhcp6Socket>> LinuxDhcp6Socket::open(int interface_index,
                                                                   const std::string& interface_name) {
  UniqueFd fd(::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (fd.get() < 0) {
    Error error = error_from_errno("socket", "UDP over IPv6 for DHCPv6", errno);
    if (error.errno_value == EAFNOSUPPORT) {
      error.hint = "the kernel has no IPv6: remove ipv6.disable=1 from the command line, or put the ipv6 module in "
                   "the initramfs";
    }
    return std::unexpected(std::move(error));
  }
  const int on = 1, hops = 1;
  const unsigned index = static_cast<unsigned>(interface_index);
  // SO_BINDTODEVICE before bind(): sockets bound to different devices do not conflict on the
  // port (inet6_bind's conflict check compares sk_bound_dev_if), so every interface gets its
  // own. SO_REUSEADDR: a root system's DHCPv6 client may bind 546 while this one still runs.
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_BINDTODEVICE, interface_name.data(),
                   static_cast<socklen_t>(interface_name.size())) != 0) {
    return std::unexpected(error_from_errno("SO_BINDTODEVICE", interface_name, errno));
  }
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
      ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) != 0 ||
      ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_MULTICAST_IF, &index, sizeof index) != 0 ||
      ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof hops) != 0) {
    return std::unexpected(error_from_errno("setsockopt", interface_name, errno));
  }
  sockaddr_in6 any{};
  any.sin6_family = AF_INET6;
  any.sin6_port = htons(kClientPort);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&any), sizeof any) != 0) {
    return std::unexpected(error_from_errno("bind", "[::]:546 on " + interface_name, errno));
  }
  return std::unique_ptr<LinuxDhcp6Socket>(new LinuxDhcp6Socket(std::move(fd), interface_index, interface_name));
}

Result<void> LinuxDhcp6Socket::send_to_servers(std::span<const std::byte> payload) {
  sockaddr_in6 servers{};
  servers.sin6_family = AF_INET6;
  servers.sin6_port = htons(kServerPort);
  // ff02::1:2, All_DHCP_Relay_Agents_and_Servers; link-scoped, so the interface is the scope.
  const unsigned char group[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2};
  std::memcpy(&servers.sin6_addr, group, sizeof group);
  servers.sin6_scope_id = static_cast<std::uint32_t>(index_);
  const ssize_t sent = ::sendto(fd_.get(), payload.data(), payload.size(), 0,
                                reinterpret_cast<const sockaddr*>(&servers), sizeof servers);
  if (sent < 0) return std::unexpected(error_from_errno("sendto", "[ff02::1:2]:547 on " + name_, errno));
  return {};
}

Result<std::optional<Dhcp6Datagram>> LinuxDhcp6Socket::receive() {
  Dhcp6Datagram datagram;
  datagram.payload.resize(kReceiveBuffer);
  sockaddr_in6 from{};
  socklen_t from_size = sizeof from;
  const ssize_t got = ::recvfrom(fd_.get(), datagram.payload.data(), datagram.payload.size(), 0,
                                 reinterpret_cast<sockaddr*>(&from), &from_size);
  if (got < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return std::optional<Dhcp6Datagram>();
    return std::unexpected(error_from_errno("recvfrom", "UDP port 546 on " + name_, errno));
  }
  datagram.payload.resize(static_cast<std::size_t>(got));
  datagram.source_port = ntohs(from.sin6_port);
  return std::optional<Dhcp6Datagram>(std::move(datagram));
}

}  // namespace nfsroot
