// The DHCPv6 client's socket behind one small interface. Unlike DHCPv4, DHCPv6 needs no packet
// socket: the client sends from its link-local address, which every IPv6 link has before any
// configuration (RFC 8415 13.1), so an ordinary UDP socket on port 546 does. LinuxDhcp6Socket
// talks to the kernel; the unit tests' fake (tests/unit/fake_dhcp6_socket.h) answers with a
// scripted server.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/unique_fd.h"

namespace nfsroot {

struct Dhcp6Datagram {
  std::vector<std::byte> payload;
  std::uint16_t source_port = 0;  // RFC 8415 7.2: 547 from a server or relay; others are not answers
};

class Dhcp6Socket {
 public:
  virtual ~Dhcp6Socket() = default;
  // For the network step's poll(2); -1 when there is no descriptor (a fake).
  [[nodiscard]] virtual int fd() const = 0;
  // To All_DHCP_Relay_Agents_and_Servers, [ff02::1:2]:547 on the interface (RFC 8415 7.1):
  // every message of the exchange goes there, the REQUEST too (18.2.2: unicast only when the
  // server allowed it, which this client never asks for).
  [[nodiscard]] virtual Result<void> send_to_servers(std::span<const std::byte> payload) = 0;
  // One waiting datagram, nullopt when none is waiting.
  [[nodiscard]] virtual Result<std::optional<Dhcp6Datagram>> receive() = 0;
};

class LinuxDhcp6Socket final : public Dhcp6Socket {
 public:
  // AF_INET6/SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK on [::]:546, bound to the interface
  // (SO_BINDTODEVICE: one socket per interface may hold the port, and only that link's
  // packets come in), multicast sent out of it with a hop limit of 1.
  [[nodiscard]] static Result<std::unique_ptr<LinuxDhcp6Socket>> open(int interface_index,
                                                                      const std::string& interface_name);

  [[nodiscard]] int fd() const override { return fd_.get(); }
  [[nodiscard]] Result<void> send_to_servers(std::span<const std::byte> payload) override;
  [[nodiscard]] Result<std::optional<Dhcp6Datagram>> receive() override;

 private:
  LinuxDhcp6Socket(UniqueFd fd, int index, std::string name)
      : fd_(std::move(fd)), index_(index), name_(std::move(name)) {}
  UniqueFd fd_;
  int index_ = 0;
  std::string name_;
};

}  // namespace nfsroot
