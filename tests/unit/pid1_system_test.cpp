// PID 1's own syscalls: what can be tested without being PID 1.
#include "pid1/system.h"

#include <catch2/catch.hpp>

#include "plan/boot_plan.h"

TEST_CASE("panic seconds: /proc/sys/kernel/panic's number, or none", "[pid1]") {
  using nfsroot::parse_panic_seconds;
  CHECK(parse_panic_seconds("0\n") == 0);
  CHECK(parse_panic_seconds("30\n") == 30);
  CHECK(parse_panic_seconds("-1\n") == -1);
  CHECK(parse_panic_seconds("5") == 5);
  CHECK_FALSE(parse_panic_seconds(""));
  CHECK_FALSE(parse_panic_seconds("\n"));
  CHECK_FALSE(parse_panic_seconds("ten\n"));
  CHECK_FALSE(parse_panic_seconds("10 \n"));
  CHECK_FALSE(parse_panic_seconds("99999999999999999999\n"));
}

TEST_CASE("panic seconds: the kernel's panic= gives the early mounts the policy the plan would", "[pid1]") {
  using Action = nfsroot::FailurePolicy::Action;
  CHECK(nfsroot::failure_policy(nfsroot::parse_panic_seconds("-1\n")).action == Action::RebootNow);
  CHECK(nfsroot::failure_policy(nfsroot::parse_panic_seconds("30\n")).action == Action::RebootAfterDelay);
  CHECK(nfsroot::failure_policy(nfsroot::parse_panic_seconds("0\n")).action == Action::RescueShell);
}
