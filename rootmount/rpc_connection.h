// One TCP connection to an ONC RPC server (rpcbind, mountd), every step bounded by a deadline:
// the socket half of the RPC client whose codec is rpc/.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/ip_address.h"
#include "base/unique_fd.h"
#include "rpc/rpc_message.h"

namespace nfsroot {

using RpcClock = std::chrono::steady_clock;

class RpcConnection {
 public:
  // A non-blocking connect, then poll(2) until it is done or `deadline` passes.
  [[nodiscard]] static Result<RpcConnection> connect(const IpAddress& server, std::uint16_t port,
                                                     RpcClock::time_point deadline);

  // Sends the call (one record), reads one reply record (within RecordLimits) and returns the
  // results of a SUCCESS reply; anything else is an error naming what was wrong (rpc/).
  [[nodiscard]] Result<std::vector<std::byte>> call(const RpcCall& call, std::span<const std::byte> arguments,
                                                    RpcClock::time_point deadline);

  [[nodiscard]] const std::string& peer() const { return peer_; }

 private:
  RpcConnection(UniqueFd fd, std::string peer) : fd_(std::move(fd)), peer_(std::move(peer)) {}

  UniqueFd fd_;
  std::string peer_;  // "10.0.2.2:111", "[fd00::1]:111", for errors
};

// A starting xid: random where the kernel has entropy, else from the clock; each call then
// takes the next one (RFC 5531 9: the xid only has to tell replies apart).
[[nodiscard]] std::uint32_t initial_rpc_xid();

}  // namespace nfsroot
