#include "sys/udp_socket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>

namespace nfsroot {

namespace {

constexpr std::uint16_t kClientPort = 68, kServerPort = 67;
// RFC 2131 2: a client must take messages of 576 bytes; servers send at most the MTU's worth.
constexpr std::size_t kReceiveBuffer = 65536;

sockaddr_in socket_address(Ipv4Address address, std::uint16_t port) {
  sockaddr_in out{};
  out.sin_family = AF_INET;
  out.sin_port = htons(port);
  out.sin_addr.s_addr = htonl(address.value);
  return out;
}

}  // namespace

Result<DhcpUdpSocket> DhcpUdpSocket::open(const std::string& interface_name) {
  UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (fd.get() < 0) return std::unexpected(error_from_errno("socket", "UDP for DHCP", errno));
  const int on = 1;
  // Another DHCP client on the host (a root system's own, started later) may bind port 68 too.
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
      ::setsockopt(fd.get(), SOL_SOCKET, SO_BROADCAST, &on, sizeof on) != 0) {
    return std::unexpected(error_from_errno("setsockopt", interface_name, errno));
  }
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_BINDTODEVICE, interface_name.data(),
                   static_cast<socklen_t>(interface_name.size())) != 0) {
    return std::unexpected(error_from_errno("SO_BINDTODEVICE", interface_name, errno));
  }
  const sockaddr_in any = socket_address(Ipv4Address{}, kClientPort);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&any), sizeof any) != 0) {
    return std::unexpected(error_from_errno("bind", "0.0.0.0:68 on " + interface_name, errno));
  }
  return DhcpUdpSocket(std::move(fd), interface_name);
}

Result<void> DhcpUdpSocket::send_to(Ipv4Address to, std::span<const std::byte> payload) {
  const sockaddr_in address = socket_address(to, kServerPort);
  const ssize_t sent = ::sendto(fd_.get(), payload.data(), payload.size(), 0,
                                reinterpret_cast<const sockaddr*>(&address), sizeof address);
  if (sent < 0) return std::unexpected(error_from_errno("sendto", to.to_string() + ":67 on " + name_, errno));
  return {};
}

Result<std::optional<std::vector<std::byte>>> DhcpUdpSocket::receive() {
  std::vector<std::byte> buffer(kReceiveBuffer);
  const ssize_t got = ::recv(fd_.get(), buffer.data(), buffer.size(), 0);
  if (got < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return std::optional<std::vector<std::byte>>();
    return std::unexpected(error_from_errno("recv", "UDP port 68 on " + name_, errno));
  }
  buffer.resize(static_cast<std::size_t>(got));
  return std::optional<std::vector<std::byte>>(std::move(buffer));
}

}  // namespace nfsroot
