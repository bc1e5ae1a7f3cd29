// An IpAddress and a port as the socket calls take them (struct sockaddr_in or sockaddr_in6).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <cstring>

#include "base/ip_address.h"

namespace nfsroot {

struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;

  [[nodiscard]] int family() const { return storage.ss_family; }
  [[nodiscard]] const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

[[nodiscard]] inline SocketAddress socket_address(const IpAddress& address, std::uint16_t port) {
  SocketAddress out;
  if (const auto* v6 = address.v6()) {
    sockaddr_in6 in6{};
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(port);
    std::memcpy(&in6.sin6_addr, v6->octets.data(), v6->octets.size());
    std::memcpy(&out.storage, &in6, sizeof in6);
    out.length = sizeof in6;
  } else {
    sockaddr_in in4{};
    in4.sin_family = AF_INET;
    in4.sin_port = htons(port);
    in4.sin_addr.s_addr = htonl(address.v4()->value);
    std::memcpy(&out.storage, &in4, sizeof in4);
    out.length = sizeof in4;
  }
  return out;
}

}  // namespace nfsroot
