// The rtnetlink socket behind one small interface: send a request's bytes, receive the
// kernel's datagrams with a deadline. LinuxNetlinkSocket talks to the kernel; the unit tests'
// FakeNetlinkSocket (tests/unit/fake_netlink.h) records each request and answers it, so the
// network step's requests in order are tested without root.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include <sys/types.h>

#include "base/error.h"
#include "base/unique_fd.h"

namespace nfsroot {

class NetlinkSocket {
 public:
  using Clock = std::chrono::steady_clock;

  virtual ~NetlinkSocket() = default;
  // One whole request (sendto(2) to the kernel, port 0).
  [[nodiscard]] virtual Result<void> send(std::span<const std::byte> message) = 0;
  // One datagram from the kernel; nullopt when none came by the deadline (a deadline in the
  // past: only what is already waiting). An error with errno ENOBUFS means the socket's queue
  // overflowed and messages were lost (netlink(7)); the socket still works.
  [[nodiscard]] virtual Result<std::optional<std::vector<std::byte>>> receive(Clock::time_point deadline) = 0;
  [[nodiscard]] virtual Clock::time_point now() { return Clock::now(); }
};

class LinuxNetlinkSocket final : public NetlinkSocket {
 public:
  // socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE), bound to a port the kernel
  // picks, and member of each group in `groups` (RTNLGRP_*, NETLINK_ADD_MEMBERSHIP).
  [[nodiscard]] static Result<std::unique_ptr<LinuxNetlinkSocket>> open(std::span<const unsigned> groups = {});

  [[nodiscard]] int fd() const { return fd_.get(); }
  [[nodiscard]] Result<void> send(std::span<const std::byte> message) override;
  [[nodiscard]] Result<std::optional<std::vector<std::byte>>> receive(Clock::time_point deadline) override;

 private:
  explicit LinuxNetlinkSocket(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

// One datagram of a netlink socket into BUFFER, without waiting (MSG_DONTWAIT). `size` is its
// length, or -1 with errno set (EAGAIN: none queued). `from_kernel` is false for a datagram
// some process sent (only port 0, the kernel, answers requests and speaks for devices) or one
// cut short (MSG_TRUNC): the callers skip those. The rtnetlink and uevent sockets share it.
struct NetlinkDatagram {
  ssize_t size = -1;
  bool from_kernel = false;
};
[[nodiscard]] NetlinkDatagram receive_netlink_datagram(int fd, std::span<std::byte> buffer);

}  // namespace nfsroot
