// Small text helpers shared by the parsers: splitting and strict number parsing.
#pragma once

#include <charconv>
#include <optional>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace nfsroot {

// Splits on every separator; "a,,b" gives {"a", "", "b"} and "" gives {""}.
[[nodiscard]] std::vector<std::string_view> split(std::string_view text, char separator);

// Strips spaces and tabs at both ends.
[[nodiscard]] std::string_view trim(std::string_view text);

// The whole text must be a decimal number in range; no sign for unsigned types, no spaces.
template <class Integer>
[[nodiscard]] std::optional<Integer> parse_decimal(std::string_view text) {
  Integer value{};
  if (text.empty() || text.front() == '+') return std::nullopt;
  auto [end, status] = std::from_chars(text.data(), text.data() + text.size(), value, 10);
  if (status != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Two lowercase hex digits per byte, no separators ("0001000132a9…"): a DUID or a client id
// in a log line or a lease file.
[[nodiscard]] std::string hex_bytes(std::span<const std::byte> bytes);

// Text from outside (a DHCP server's strings, a file of the image) made safe to log: printable
// ASCII stays, a backslash is doubled, \n \r \t are written so, and every other byte (control
// characters, DEL, non-ASCII) as \xNN. So nothing received can add a line to the console,
// move its cursor or fake a record of ours.
[[nodiscard]] std::string escape_for_log(std::string_view text);

[[nodiscard]] std::string join(const std::vector<std::string>& parts, std::string_view separator);

}  // namespace nfsroot
