// One log message cut into /dev/kmsg records: one per line, and a line too long for one record
// cut at a word boundary, its continuations marked. Pure, so that tests and the fuzzer see it.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace nfsroot {

// /dev/kmsg refuses a whole write longer than the kernel's record limit with EINVAL, and the
// record is lost: 1024 bytes on current kernels (kernel/printk/printk.c, PRINTKRB_RECORD_MAX),
// 992 on 6.1 (LOG_LINE_MAX = 1024 - PREFIX_MAX), "<N>" and the newline included. We stay below
// both, with room to spare.
inline constexpr std::size_t kKmsgRecordMax = 976;

// What starts a record that continues the one before it ("…" is 3 bytes in UTF-8).
inline constexpr std::string_view kContinuationMarker = "\xe2\x80\xa6 ";

// Below this a budget leaves no room for text after the marker; smaller ones are raised to it.
inline constexpr std::size_t kMinimumRecordText = 16;

struct LogRecordPiece {
  std::string_view text;      // a view into the message
  bool continuation = false;  // write kContinuationMarker before text
  [[nodiscard]] std::size_t size() const { return text.size() + (continuation ? kContinuationMarker.size() : 0); }
};

// Each line of `message` (split at '\n'; a final '\n' adds no empty record) becomes one or more
// pieces of at most `max_text` bytes each, the marker counted. A long line is cut after the last
// blank that leaves the piece at least half full, else at the limit, never inside a UTF-8
// sequence. Concatenating a line's pieces' texts gives the line back exactly.
[[nodiscard]] std::vector<LogRecordPiece> split_log_message(std::string_view message, std::size_t max_text);

}  // namespace nfsroot
