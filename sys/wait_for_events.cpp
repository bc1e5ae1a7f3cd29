// poll(2) on one descriptor until a deadline.
#include "sys/wait_for_events.h"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <climits>

namespace nfsroot {

Result<bool> wait_for_events(int fd, short events, std::chrono::steady_clock::time_point deadline,
                             std::string_view what) {
  using Clock = std::chrono::steady_clock;
  for (;;) {
    // Rounded up, so that a wake-up is never before the deadline but for poll's own rounding.
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
    pollfd watched{fd, events, 0};
    const int ready = ::poll(&watched, 1, static_cast<int>(std::clamp<decltype(left)>(left, 0, INT_MAX)));
    if (ready > 0) return true;
    if (ready < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(error_from_errno("poll", what, errno));
    }
    if (Clock::now() >= deadline) return false;
  }
}

}  // namespace nfsroot
