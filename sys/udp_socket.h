// The lease keeper's socket: once the address is configured, a renewal is ordinary UDP
// (RFC 2131 4.4.5: RENEWING unicasts to the server, REBINDING broadcasts, and the server
// answers the client's address), so a UDP socket on port 68 does what the boot's packet
// socket did before there was an address.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/ipv4.h"
#include "base/unique_fd.h"

namespace nfsroot {

class DhcpUdpSocket {
 public:
  // SOCK_DGRAM on 0.0.0.0:68, bound to the interface (SO_BINDTODEVICE: a broadcast leaves by
  // it, and only its packets come in), broadcasts allowed, non-blocking.
  [[nodiscard]] static Result<DhcpUdpSocket> open(const std::string& interface_name);

  [[nodiscard]] int fd() const { return fd_.get(); }
  // To `to` port 67 (a server, or 255.255.255.255).
  [[nodiscard]] Result<void> send_to(Ipv4Address to, std::span<const std::byte> payload);
  // One waiting datagram's payload, nullopt when none is waiting.
  [[nodiscard]] Result<std::optional<std::vector<std::byte>>> receive();

 private:
  explicit DhcpUdpSocket(UniqueFd fd, std::string name) : fd_(std::move(fd)), name_(std::move(name)) {}
  UniqueFd fd_;
  std::string name_;
};

}  // namespace nfsroot
