// The DHCP client's packet socket behind one small interface: open on an interface (there is
// no address yet, so an AF_PACKET socket), send a frame to the Ethernet broadcast address,
// receive frames with a deadline. LinuxPacketSocket talks to the kernel; the unit tests'
// FakePacketSocket (tests/unit/fake_packet_socket.h) records what the client sent and answers
// with a scripted server's frames, so the DHCP exchange as the network step runs it is tested
// without root.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/unique_fd.h"

namespace nfsroot {

struct ReceivedFrame {
  std::vector<std::byte> ip_packet;  // from the IPv4 header on; empty when it was truncated
  // The kernel had not filled in the checksum yet (checksum offload on a local or virtual
  // link, TP_STATUS_CSUMNOTREADY): the UDP checksum cannot be verified and must not be.
  bool checksum_not_ready = false;
};

class PacketSocket {
 public:
  using Clock = std::chrono::steady_clock;  // the project's one time type (sys/system.h)

  virtual ~PacketSocket() = default;
  // For the network step's poll(2), which waits on every interface and the link events at
  // once; -1 when there is no descriptor (a fake).
  [[nodiscard]] virtual int fd() const = 0;
  // A ready IPv4+UDP packet to the Ethernet broadcast address.
  [[nodiscard]] virtual Result<void> send_broadcast(std::span<const std::byte> ip_packet) = 0;
  // One frame; nullopt when none came by the deadline (a deadline in the past: only what is
  // already waiting, without blocking).
  [[nodiscard]] virtual Result<std::optional<ReceivedFrame>> receive(Clock::time_point deadline) = 0;
};

class LinuxPacketSocket final : public PacketSocket {
 public:
  // AF_PACKET/SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK bound to the interface, with a BPF
  // filter that passes only unfragmented UDP to port 68, so the client is not woken by other
  // traffic.
  [[nodiscard]] static Result<std::unique_ptr<LinuxPacketSocket>> open(int interface_index,
                                                                       const std::string& interface_name);

  [[nodiscard]] int fd() const override { return fd_.get(); }
  [[nodiscard]] Result<void> send_broadcast(std::span<const std::byte> ip_packet) override;
  [[nodiscard]] Result<std::optional<ReceivedFrame>> receive(Clock::time_point deadline) override;

 private:
  LinuxPacketSocket(UniqueFd fd, int index, std::string name)
      : fd_(std::move(fd)), index_(index), name_(std::move(name)) {}
  // One recvmsg(2) without blocking: nullopt when nothing is waiting.
  Result<std::optional<ReceivedFrame>> receive_waiting();
  UniqueFd fd_;
  int index_ = 0;
  std::string name_;
};

}  // namespace nfsroot
