// The DHCP client's socket: a packet socket on one interface, since there is no address yet.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/unique_fd.h"

namespace nfsroot {

struct ReceivedFrame {
  std::vector<std::byte> ip_packet;  // from the IPv4 header on
  // The kernel had not filled in the checksum yet (checksum offload on a local or virtual
  // link, TP_STATUS_CSUMNOTREADY): the UDP checksum cannot be verified and must not be.
  bool checksum_not_ready = false;
};

class DhcpSocket {
 public:
  // AF_PACKET/SOCK_DGRAM bound to the interface, with a BPF filter that passes only
  // unfragmented UDP to port 68, so the client is not woken by other traffic.
  [[nodiscard]] static Result<DhcpSocket> open(int interface_index, const std::string& interface_name);

  [[nodiscard]] int fd() const { return fd_.get(); }
  // A ready IPv4+UDP frame to the Ethernet broadcast address.
  [[nodiscard]] Result<void> send_broadcast(std::span<const std::byte> ip_packet);
  // One frame if one is waiting; nullopt when there is none (the socket is non-blocking).
  [[nodiscard]] Result<std::optional<ReceivedFrame>> receive();

 private:
  DhcpSocket(UniqueFd fd, int index, std::string name) : fd_(std::move(fd)), index_(index), name_(std::move(name)) {}
  UniqueFd fd_;
  int index_ = 0;
  std::string name_;
};

}  // namespace nfsroot
