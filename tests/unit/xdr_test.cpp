// XDR (RFC 4506): bounded reads that name the field, strings with padding, bools, the writer.
#include "rpc/xdr.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace nfsroot;

namespace {

std::vector<std::byte> bytes_of(std::initializer_list<unsigned> values) {
  std::vector<std::byte> bytes;
  for (const unsigned value : values) bytes.push_back(static_cast<std::byte>(value));
  return bytes;
}

}  // namespace

TEST_CASE("XDR integers are big-endian and a short buffer names the field") {
  const auto bytes = bytes_of({0x00, 0x01, 0x86, 0xa5, 0xff});
  XdrReader in(bytes, "test message");
  CHECK(in.u32("prog") == 100005u);
  const auto short_read = in.u32("vers");
  REQUIRE_FALSE(short_read);
  CHECK(describe(short_read.error()) == "test message vers: truncated: 4 bytes needed at offset 4, 1 left");
}

TEST_CASE("an XDR bool is 0 or 1, nothing else (RFC 4506 4.4)") {
  const auto bytes = bytes_of({0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2});
  XdrReader in(bytes, "list");
  CHECK(in.boolean("value-follows") == true);
  CHECK(in.boolean("value-follows") == false);
  const auto bad = in.boolean("value-follows");
  REQUIRE_FALSE(bad);
  CHECK(describe(bad.error()) == "list value-follows: 2 is not an XDR bool (0 or 1, RFC 4506 4.4)");
}

TEST_CASE("XDR strings: length, bytes, padding to four; bounded by their limit and by what is left") {
  SECTION("padded") {
    const auto bytes = bytes_of({0, 0, 0, 3, 'a', 'b', 'c', 0, 0, 0, 0, 0});
    XdrReader in(bytes, "m");
    CHECK(in.string("s", 10) == "abc");
    CHECK(in.string("t", 10) == "");
    CHECK(in.remaining() == 0);
    CHECK(in.expect_end("t"));
  }
  SECTION("over the limit") {
    const auto bytes = bytes_of({0, 0, 0, 5, 'a', 'b', 'c', 'd', 'e', 0, 0, 0});
    XdrReader in(bytes, "m");
    const auto text = in.string("ex_dir", 4);
    REQUIRE_FALSE(text);
    CHECK(describe(text.error()) == "m ex_dir: length 5 is over its limit of 4");
  }
  SECTION("the padding must be there too") {
    const auto bytes = bytes_of({0, 0, 0, 3, 'a', 'b', 'c'});
    XdrReader in(bytes, "m");
    const auto text = in.string("s", 10);
    REQUIRE_FALSE(text);
    CHECK(describe(text.error()) == "m s: truncated: length 3 (4 with padding), 3 bytes left");
  }
  SECTION("a length near 2^32 is refused, not wrapped") {
    const auto bytes = bytes_of({0xff, 0xff, 0xff, 0xfe, 'a', 'b', 'c', 'd'});
    XdrReader in(bytes, "m");
    CHECK_FALSE(in.string("s", SIZE_MAX));
    XdrReader again(bytes, "m");
    CHECK_FALSE(again.skip_opaque("verf", SIZE_MAX));
  }
}

TEST_CASE("bytes after the last item are refused") {
  const auto bytes = bytes_of({0, 0, 0, 0, 9});
  XdrReader in(bytes, "m");
  CHECK(in.u32("x") == 0u);
  const auto end = in.expect_end("x");
  REQUIRE_FALSE(end);
  CHECK(describe(end.error()) == "m x: 1 unexpected bytes after it");
}

TEST_CASE("the XDR writer pads strings with zeros") {
  XdrWriter out;
  out.u32(0x01020304);
  out.string("ab");
  out.string("abcd");
  CHECK(out.take() == bytes_of({1, 2, 3, 4, 0, 0, 0, 2, 'a', 'b', 0, 0, 0, 0, 0, 4, 'a', 'b', 'c', 'd'}));
}
