// poll(2) on one descriptor until a deadline.
#include "sys/wait_for_events.h"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <climits>

namespace nfsroot {

Result<std::vector<short>> wait_for_events(std::span<const int> fds, short events,
                                           std::chrono::steady_clock::time_point deadline, std::string_view what) {
  using Clock = std::chrono::steady_clock;
  std::vector<pollfd> watched;
  for (const int fd : fds) watched.push_back(pollfd{fd, events, 0});  // poll(2) skips fd < 0
  for (;;) {
    // Rounded up, so that a wake-up is never before the deadline but for poll's own rounding.
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
    const int ready = ::poll(watched.data(), watched.size(), static_cast<int>(std::clamp<decltype(left)>(left, 0, INT_MAX)));
    if (ready < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(error_from_errno("poll", what, errno));
    }
    if (ready > 0 || Clock::now() >= deadline) {
      std::vector<short> revents;
      for (const auto& entry : watched) revents.push_back(entry.revents);
      return revents;
    }
  }
}

Result<bool> wait_for_events(int fd, short events, std::chrono::steady_clock::time_point deadline,
                             std::string_view what) {
  const int fds[] = {fd};
  const auto revents = TRY(wait_for_events(fds, events, deadline, what));
  return revents.front() != 0;
}

}  // namespace nfsroot
