// The one poll with a deadline (sys/wait_for_events.h), on a real pipe: ready, not by the
// deadline, a deadline already past, a descriptor that is not open.
#include "sys/wait_for_events.h"

#include <poll.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>

#include "base/unique_fd.h"

using namespace nfsroot;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

struct Pipe {
  Pipe() {
    int ends[2];
    REQUIRE(::pipe(ends) == 0);
    read_end = UniqueFd(ends[0]);
    write_end = UniqueFd(ends[1]);
  }
  UniqueFd read_end, write_end;
};

}  // namespace

TEST_CASE("wait_for_events: false once the deadline passes with nothing, never before it", "[wait_for_events]") {
  Pipe pipe;
  const auto deadline = Clock::now() + 30ms;
  const auto ready = wait_for_events(pipe.read_end.get(), POLLIN, deadline, "pipe");
  REQUIRE(ready);
  CHECK_FALSE(*ready);
  CHECK(Clock::now() >= deadline);
}

TEST_CASE("wait_for_events: true at once when the descriptor is ready, even past the deadline",
          "[wait_for_events]") {
  Pipe pipe;
  REQUIRE(::write(pipe.write_end.get(), "x", 1) == 1);
  auto ready = wait_for_events(pipe.read_end.get(), POLLIN, Clock::now() + 10s, "pipe");
  REQUIRE(ready);
  CHECK(*ready);
  // A deadline already past still looks once, without blocking.
  ready = wait_for_events(pipe.read_end.get(), POLLIN, Clock::now() - 1s, "pipe");
  REQUIRE(ready);
  CHECK(*ready);
  Pipe empty;
  ready = wait_for_events(empty.read_end.get(), POLLIN, Clock::now() - 1s, "pipe");
  REQUIRE(ready);
  CHECK_FALSE(*ready);
}

TEST_CASE("wait_for_events: a hang-up or a closed descriptor counts as ready, for the next call to report",
          "[wait_for_events]") {
  Pipe pipe;
  pipe.write_end = UniqueFd();  // the writer is gone: POLLHUP
  auto ready = wait_for_events(pipe.read_end.get(), POLLIN, Clock::now() + 10s, "pipe");
  REQUIRE(ready);
  CHECK(*ready);
  const int closed = ::dup(pipe.read_end.get());
  REQUIRE(closed >= 0);
  ::close(closed);  // POLLNVAL
  ready = wait_for_events(closed, POLLIN, Clock::now() + 10s, "pipe");
  REQUIRE(ready);
  CHECK(*ready);
}
