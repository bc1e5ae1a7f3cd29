// How one wake-up of the network step's poll loop empties an interface's DHCP socket: at most
// kFramesPerWake frames, so a flood on one interface (a hostile or broken DHCP server, a
// broadcast storm that the BPF filter lets through) cannot starve the other interfaces, the
// retransmission timers and the link events. What is left keeps the socket readable, so poll()
// comes straight back to it after the others had their turn. The kernel's NAPI polling bounds a
// driver the same way, 64 packets per poll by default (NAPI_POLL_WEIGHT, linux/netdevice.h).
#pragma once

#include <optional>
#include <utility>

#include "base/error.h"

namespace nfsroot {

inline constexpr int kFramesPerWake = 64;

enum class DrainEnd {
  Empty,        // the socket had nothing more
  BudgetSpent,  // kFramesPerWake frames taken; more may be waiting
};

// receive() returns Result<std::optional<Frame>> (nullopt: nothing waiting); handle(Frame&&)
// takes one frame. Stops at the first receive error, which is returned.
template <class Receive, class Handle>
Result<DrainEnd> drain_frames(Receive&& receive, Handle&& handle, int budget = kFramesPerWake) {
  for (int frames = 0; frames < budget; ++frames) {
    auto frame = TRY(receive());
    if (!frame) return DrainEnd::Empty;
    handle(std::move(*frame));
  }
  return DrainEnd::BudgetSpent;
}

}  // namespace nfsroot
