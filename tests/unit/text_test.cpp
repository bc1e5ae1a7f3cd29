// Text helpers: splitting, trimming, numbers, and escaping outside text for the log.
#include "base/text.h"

#include <catch2/catch.hpp>

using namespace nfsroot;

TEST_CASE("text: escape_for_log keeps printable ASCII and writes every other byte visibly", "[text]") {
  struct Case {
    std::string text;
    const char* escaped;
  };
  const Case cases[] = {
      {"10.0.2.2:/srv/nfs,vers=3", "10.0.2.2:/srv/nfs,vers=3"},
      {"it's \"quoted\"", "it's \"quoted\""},
      {"a\nb", "a\\nb"},  // a newline would start a record that looks like ours
      {"a\r\tb", "a\\r\\tb"},
      {"back\\slash", "back\\\\slash"},  // doubled, so the escapes above cannot be faked
      {"\x1b[2J", "\\x1b[2J"},             // a terminal escape never reaches the console
      {std::string("nul\0here", 8), "nul\\x00here"},
      {"del\x7f", "del\\x7f"},
      {"caf\xc3\xa9", "caf\\xc3\\xa9"},
      {"", ""},
  };
  for (const auto& c : cases) {
    INFO(c.escaped);
    CHECK(escape_for_log(c.text) == c.escaped);
  }
}

TEST_CASE("text: split keeps empty fields, trim strips blanks, parse_decimal takes whole numbers", "[text]") {
  CHECK(split("a,,b", ',') == std::vector<std::string_view>{"a", "", "b"});
  CHECK(split("", ',') == std::vector<std::string_view>{""});
  CHECK(trim(" \ta b\t ") == "a b");
  CHECK(parse_decimal<unsigned>("42") == 42u);
  CHECK_FALSE(parse_decimal<unsigned>("+42"));
  CHECK_FALSE(parse_decimal<unsigned>("42 "));
  CHECK(join({"a", "b"}, ", ") == "a, b");
}

TEST_CASE("text: hex_bytes writes two lowercase digits per byte, nothing between", "[text]") {
  const std::byte duid[] = {std::byte{0x00}, std::byte{0x03}, std::byte{0x00}, std::byte{0x01},
                            std::byte{0x52}, std::byte{0xab}, std::byte{0xff}};
  CHECK(hex_bytes(duid) == "0003000152abff");
  CHECK(hex_bytes({}) == "");
}
