// Cutting a log message into records that /dev/kmsg accepts.
#include "pid1/log_record.h"

#include <algorithm>

namespace nfsroot {

namespace {

bool is_utf8_continuation(char c) { return (static_cast<unsigned char>(c) & 0xc0) == 0x80; }

// Where to end a piece of at most `budget` bytes of `line` (line.size() > budget): after the
// last blank that keeps the piece at least half full (a long path or option list still reads
// as words), else at the budget, moved back off a UTF-8 continuation byte so the console never
// shows half a character. Budgets are at least 12 bytes, so the cut is never 0.
std::size_t cut_point(std::string_view line, std::size_t budget) {
  const auto blank = line.substr(0, budget).find_last_of(" \t");
  if (blank != std::string_view::npos && blank + 1 >= budget / 2) return blank + 1;
  // A UTF-8 sequence is at most 4 bytes: at most 3 continuation bytes to step back over to its
  // lead. A longer run is no character at all, and is cut where the budget ends.
  std::size_t cut = budget;
  for (int i = 0; i < 3 && is_utf8_continuation(line[cut]); ++i) --cut;
  return is_utf8_continuation(line[cut]) ? budget : cut;
}

}  // namespace

std::vector<LogRecordPiece> split_log_message(std::string_view message, std::size_t max_text) {
  max_text = std::max(max_text, kMinimumRecordText);
  std::vector<LogRecordPiece> pieces;
  while (true) {
    const auto newline = message.find('\n');
    std::string_view line = message.substr(0, newline);
    bool continuation = false;
    while (true) {
      const std::size_t budget = max_text - (continuation ? kContinuationMarker.size() : 0);
      if (line.size() <= budget) {
        pieces.push_back({line, continuation});
        break;
      }
      const std::size_t cut = cut_point(line, budget);
      pieces.push_back({line.substr(0, cut), continuation});
      line.remove_prefix(cut);
      continuation = true;
    }
    if (newline == std::string_view::npos || newline + 1 == message.size()) break;
    message.remove_prefix(newline + 1);
  }
  return pieces;
}

}  // namespace nfsroot
