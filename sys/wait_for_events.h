// One wait on one descriptor with a deadline on the monotonic clock: poll(2), EINTR retried,
// the millisecond rounding that can wake it just before the deadline absorbed. The packet and
// netlink sockets, the mount child's pidfd and the RPC connection all wait through it.
#pragma once

#include <chrono>
#include <span>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace nfsroot {

// True when FD has one of EVENTS (or an error or hang-up, which the caller's next call on it
// reports); false once DEADLINE has passed with neither. A deadline already past still looks
// once without blocking. An error only when poll(2) itself fails ("poll WHAT: …").
[[nodiscard]] Result<bool> wait_for_events(int fd, short events, std::chrono::steady_clock::time_point deadline,
                                           std::string_view what);

// The same over several descriptors at once (a negative one is skipped): each one's revents,
// all zero once DEADLINE has passed with none ready.
[[nodiscard]] Result<std::vector<short>> wait_for_events(std::span<const int> fds, short events,
                                                         std::chrono::steady_clock::time_point deadline,
                                                         std::string_view what);

}  // namespace nfsroot
