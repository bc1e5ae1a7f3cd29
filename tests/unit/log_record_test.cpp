// Log records: one per line, a long line cut at a word into records /dev/kmsg accepts.
#include "pid1/log_record.h"

#include <string>

#include <catch2/catch.hpp>

using namespace nfsroot;

namespace {

std::vector<std::string> records(std::string_view message, std::size_t max_text) {
  std::vector<std::string> out;
  for (const auto& piece : split_log_message(message, max_text)) {
    out.push_back((piece.continuation ? std::string(kContinuationMarker) : std::string()) + std::string(piece.text));
  }
  return out;
}

const std::string kMarker(kContinuationMarker);

}  // namespace

TEST_CASE("log record: each line is one record, a final newline adds none", "[log_record]") {
  struct Case {
    const char* message;
    std::vector<std::string> expected;
  };
  const Case cases[] = {
      {"", {""}},
      {"one line", {"one line"}},
      {"one line\n", {"one line"}},
      {"a\nb", {"a", "b"}},
      {"a\n\nb\n", {"a", "", "b"}},
  };
  for (const auto& c : cases) {
    INFO(c.message);
    CHECK(records(c.message, 100) == c.expected);
  }
}

TEST_CASE("log record: a line longer than the budget is cut after a blank and marked", "[log_record]") {
  struct Case {
    const char* rule;
    std::string message;
    std::size_t max_text;
    std::vector<std::string> expected;
  };
  const Case cases[] = {
      {"fits exactly: not cut", std::string(20, 'x'), 20, {std::string(20, 'x')}},
      {"cut after the last blank that fits", "aaaaa bbbbb ccccc ddddd", 20, {"aaaaa bbbbb ccccc ", kMarker + "ddddd"}},
      {"the marker counts against the budget", "aaaaa bbbbb ccccc ddddd eeeee fffff", 20,
       {"aaaaa bbbbb ccccc ", kMarker + "ddddd eeeee ", kMarker + "fffff"}},
      {"no blank in the second half: cut at the limit", "ab " + std::string(30, 'x'), 20,
       {"ab " + std::string(17, 'x'), kMarker + std::string(13, 'x')}},
      {"never inside a UTF-8 sequence", std::string(19, 'x') + "\xc3\xa9\xc3\xa9", 20,
       {std::string(19, 'x'), kMarker + "\xc3\xa9\xc3\xa9"}},
      {"a run of continuation bytes is no character: cut at the limit", std::string(16, 'x') + std::string(6, '\x80'),
       20, {std::string(16, 'x') + std::string(4, '\x80'), kMarker + std::string(2, '\x80')}},
      {"a tiny budget is raised to the minimum", std::string(20, 'x'), 1,
       {std::string(16, 'x'), kMarker + std::string(4, 'x')}},
  };
  for (const auto& c : cases) {
    INFO(c.rule);
    CHECK(records(c.message, c.max_text) == c.expected);
  }
}

TEST_CASE("log record: an NFS error of 3000 bytes arrives whole, in records the kernel takes", "[log_record]") {
  std::string message = "root failed: mount nfs 10.0.2.2:/srv -o vers=3: Permission denied; the server exports:";
  while (message.size() < 3000) message += " /srv/export-" + std::to_string(message.size());
  const auto pieces = split_log_message(message, kKmsgRecordMax - 40);
  REQUIRE(pieces.size() >= 4);
  std::string joined;
  for (const auto& piece : pieces) {
    CHECK(piece.size() <= kKmsgRecordMax - 40);
    CHECK(piece.continuation == (&piece != &pieces.front()));
    joined += piece.text;
  }
  CHECK(joined == message);
}
