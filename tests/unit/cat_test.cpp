// cat(): strings, views, characters and integers joined in order, integers in decimal.
#include "base/cat.h"

#include <catch2/catch.hpp>
#include <climits>
#include <cstdint>

using nfsroot::cat;

TEST_CASE("cat: parts in order; integers of every width and sign in decimal", "[cat]") {
  const std::string device = "eth0";
  CHECK(cat("network: ", device, ' ', std::string_view("up"), " in ", 42L, " ms") == "network: eth0 up in 42 ms");
  CHECK(cat() == "");
  CHECK(cat(-7, ' ', 0u, ' ', std::uint64_t{18446744073709551615u}) == "-7 0 18446744073709551615");
  CHECK(cat(LLONG_MIN) == "-9223372036854775808");
  CHECK(cat(static_cast<std::uint8_t>(200), '/', static_cast<short>(-3)) == "200/-3");
  CHECK(cat(true, ' ', false) == "yes no");
}
