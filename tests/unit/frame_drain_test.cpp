// The network loop's per-wake-up bound on frames taken from one interface's socket.
#include "net/frame_drain.h"

#include <catch2/catch.hpp>

#include <deque>

namespace nfsroot {
namespace {

// A socket queue: receive() hands out what is queued, then nullopt, as the non-blocking
// packet socket does; a planted error stands for a failed recvmsg.
struct FakeQueue {
  std::deque<int> frames;
  std::optional<Error> error_after_empty;
  int receive_calls = 0;

  Result<std::optional<int>> receive() {
    ++receive_calls;
    if (frames.empty()) {
      if (error_after_empty) return std::unexpected(*error_after_empty);
      return std::optional<int>{};
    }
    const int frame = frames.front();
    frames.pop_front();
    return std::optional<int>{frame};
  }
};

}  // namespace

TEST_CASE("frame drain: a flood is taken 64 frames per wake-up, the rest stays queued", "[frame_drain]") {
  FakeQueue queue;
  for (int i = 0; i < 1000; ++i) queue.frames.push_back(i);
  std::vector<int> handled;
  const auto handle = [&](int&& frame) { handled.push_back(frame); };

  const auto first = drain_frames([&] { return queue.receive(); }, handle);
  REQUIRE(first);
  CHECK(*first == DrainEnd::BudgetSpent);
  CHECK(handled.size() == 64);
  CHECK(queue.frames.size() == 1000 - 64);
  CHECK(queue.receive_calls == 64);
  CHECK(handled.front() == 0);
  CHECK(handled.back() == 63);

  // The next wake-up goes on where this one stopped, in order.
  const auto second = drain_frames([&] { return queue.receive(); }, handle);
  REQUIRE(second);
  CHECK(*second == DrainEnd::BudgetSpent);
  CHECK(handled.size() == 128);
  CHECK(handled[64] == 64);
}

TEST_CASE("frame drain: fewer frames than the budget empties the socket", "[frame_drain]") {
  FakeQueue queue;
  for (int i = 0; i < 10; ++i) queue.frames.push_back(i);
  int handled = 0;
  const auto end = drain_frames([&] { return queue.receive(); }, [&](int&&) { ++handled; });
  REQUIRE(end);
  CHECK(*end == DrainEnd::Empty);
  CHECK(handled == 10);
  CHECK(queue.receive_calls == 11);  // the eleventh found nothing

  // Exactly the budget: every frame taken, and the socket not read a 65th time.
  FakeQueue full;
  for (int i = 0; i < kFramesPerWake; ++i) full.frames.push_back(i);
  const auto spent = drain_frames([&] { return full.receive(); }, [](int&&) {});
  REQUIRE(spent);
  CHECK(*spent == DrainEnd::BudgetSpent);
  CHECK(full.receive_calls == kFramesPerWake);
}

TEST_CASE("frame drain: a receive error stops the drain and is returned", "[frame_drain]") {
  FakeQueue queue;
  queue.frames = {1, 2, 3};
  queue.error_after_empty = error_from_errno("recvmsg", "eth0", 100);
  int handled = 0;
  const auto end = drain_frames([&] { return queue.receive(); }, [&](int&&) { ++handled; });
  REQUIRE_FALSE(end);
  CHECK(handled == 3);
  CHECK(describe(end.error()).find("recvmsg eth0") == 0);
}

}  // namespace nfsroot
