// XDR (RFC 4506): the bounded big-endian reader and the writer the RPC codec is built on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace nfsroot {

// Reads XDR items from bytes a server sent. Every read is bounded by what is left; an error
// names `context` (what is being decoded: "MOUNT v3 EXPORT reply") and the field.
class XdrReader {
 public:
  XdrReader(std::span<const std::byte> bytes, std::string_view context) : bytes_(bytes), context_(context) {}

  // RFC 4506 4.2: a 32-bit unsigned integer, most significant byte first.
  [[nodiscard]] Result<std::uint32_t> u32(std::string_view field);
  // RFC 4506 4.4: an enum of 0 (FALSE) or 1 (TRUE); any other value is refused.
  [[nodiscard]] Result<bool> boolean(std::string_view field);
  // RFC 4506 4.11: string<max_size>, a length, the bytes, then zero to three bytes of padding
  // to a multiple of four (their value is not checked: RFC 4506 says zero, peers do not look).
  [[nodiscard]] Result<std::string> string(std::string_view field, std::size_t max_size);
  // RFC 4506 4.10: opaque<max_size>, skipped (the verifier of a reply).
  [[nodiscard]] Result<void> skip_opaque(std::string_view field, std::size_t max_size);
  // The rest of the bytes, as a view (an RPC reply's results).
  [[nodiscard]] std::span<const std::byte> rest() const { return bytes_.subspan(at_); }
  [[nodiscard]] std::size_t remaining() const { return bytes_.size() - at_; }
  // Refuses bytes after the last item: a reply longer than its own encoding is malformed.
  [[nodiscard]] Result<void> expect_end(std::string_view after);

  [[nodiscard]] Error error(std::string_view field, std::string_view problem) const;

 private:
  [[nodiscard]] Result<std::span<const std::byte>> variable(std::string_view field, std::size_t max_size);

  std::span<const std::byte> bytes_;
  std::size_t at_ = 0;
  std::string context_;
};

class XdrWriter {
 public:
  void u32(std::uint32_t value);
  // RFC 4506 4.11 / 4.10: length, bytes, zero padding to a multiple of four.
  void string(std::string_view text);
  void append(std::span<const std::byte> bytes) { bytes_.insert(bytes_.end(), bytes.begin(), bytes.end()); }
  [[nodiscard]] std::vector<std::byte> take() { return std::move(bytes_); }

 private:
  std::vector<std::byte> bytes_;
};

}  // namespace nfsroot
