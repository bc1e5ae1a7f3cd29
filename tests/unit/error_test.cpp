// Error formatting: one line naming the operation, the input, the cause and the fix.
#include "base/error.h"

#include <cerrno>

#include <catch2/catch.hpp>

TEST_CASE("error: describe names operation, input, errno and hint", "[error]") {
  const auto error = nfsroot::error_from_errno("mount nfs", "/root", ENOENT, "check the export path");
  CHECK(nfsroot::describe(error) == "mount nfs /root: No such file or directory (errno 2); check the export path");
  const auto problem = nfsroot::error_with_problem("ip=", "off", "network disabled", "use ip=dhcp");
  CHECK(nfsroot::describe(problem) == "ip= off: network disabled; use ip=dhcp");
}

namespace {

nfsroot::Result<int> parse_digit(char c) {
  if (c < '0' || c > '9') return std::unexpected(nfsroot::error_with_problem("digit", std::string(1, c), "not a digit"));
  return c - '0';
}

nfsroot::Result<int> sum_of_digits(std::string_view text, int& calls_after_failure) {
  int sum = 0;
  for (const char c : text) {
    sum += TRY(parse_digit(c));
    ++calls_after_failure;
  }
  return sum;
}

nfsroot::Result<void> check_digit(char c) {
  TRY(parse_digit(c));
  return {};
}

}  // namespace

TEST_CASE("TRY: a success gives its value, the first failure returns from the caller as it is", "[error]") {
  int steps = 0;
  auto sum = sum_of_digits("123", steps);
  REQUIRE(sum);
  CHECK(*sum == 6);
  CHECK(steps == 3);
  steps = 0;
  auto failed = sum_of_digits("1x3", steps);
  REQUIRE_FALSE(failed);
  CHECK(steps == 1);
  CHECK(nfsroot::describe(failed.error()) == "digit x: not a digit");
  CHECK(check_digit('7'));
  CHECK_FALSE(check_digit('?'));
}

TEST_CASE("with_context: describe prints the callers' contexts outermost first, before the error", "[error]") {
  auto error = nfsroot::error_from_errno("mkdir", "/run/nfsroot-init/layers", ENOSPC, "free memory");
  error = nfsroot::with_context(std::move(error), "union /var (built-in default)");
  error = nfsroot::with_context(std::move(error), "unions");
  CHECK(nfsroot::describe(error) ==
        "unions: union /var (built-in default): mkdir /run/nfsroot-init/layers: No space left on device (errno 28); "
        "free memory");
  // Context is added; the error's own fields stay as its maker wrote them.
  CHECK(error.operation == "mkdir");
  CHECK(error.hint == "free memory");
}
