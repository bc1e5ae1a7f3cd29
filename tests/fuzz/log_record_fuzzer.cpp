// Fuzzes the log record splitter: every record fits the budget, and a line's pieces give the
// line back exactly, the continuation markers aside.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/text.h"
#include "pid1/log_record.h"

namespace {

using namespace nfsroot;

void check(bool condition) {
  if (!condition) __builtin_trap();
}

bool is_continuation_byte(char c) { return (static_cast<unsigned char>(c) & 0xc0) == 0x80; }

// The length a UTF-8 lead byte announces, 0 for a byte that leads nothing.
std::size_t sequence_length(char c) {
  const auto byte = static_cast<unsigned char>(c);
  if ((byte & 0xe0) == 0xc0) return 2;
  if ((byte & 0xf0) == 0xe0) return 3;
  if ((byte & 0xf8) == 0xf0) return 4;
  return 0;
}

// Whether cutting `line` before byte `cut` splits a well-formed UTF-8 sequence.
bool splits_a_sequence(std::string_view line, std::size_t cut) {
  for (std::size_t back = 1; back <= 3 && back <= cut; ++back) {
    const std::size_t lead = cut - back;
    const std::size_t length = sequence_length(line[lead]);
    if (length == 0 || lead + length <= cut || lead + length > line.size()) continue;
    bool whole = true;
    for (std::size_t i = lead + 1; i < lead + length; ++i) whole = whole && is_continuation_byte(line[i]);
    if (whole) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  // The first two bytes pick the budget, 0 .. 1023 (below the minimum it is raised to it).
  const std::size_t max_text = ((std::size_t{data[0]} << 8) | data[1]) % 1024;
  const std::string_view message(reinterpret_cast<const char*>(data) + 2, size - 2);
  const std::size_t limit = max_text < kMinimumRecordText ? kMinimumRecordText : max_text;
  const auto pieces = split_log_message(message, max_text);

  // The lines as log() promises them: split at '\n', a final '\n' adds no empty line.
  std::vector<std::string_view> lines = split(message, '\n');
  if (lines.size() > 1 && lines.back().empty()) lines.pop_back();

  std::size_t line = 0;
  std::string joined;
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    const auto& piece = pieces[i];
    check(piece.size() <= limit);
    check(piece.text.find('\n') == std::string_view::npos);
    if (!piece.continuation) {
      if (i > 0) {
        check(joined == lines[line]);  // the line before is whole
        ++line;
      }
      check(line < lines.size());
      joined.clear();
    } else {
      check(i > 0 && !piece.text.empty());
      check(!splits_a_sequence(lines[line], joined.size()));
    }
    joined += piece.text;
  }
  check(!pieces.empty());
  check(line + 1 == lines.size() && joined == lines[line]);
  return 0;
}
