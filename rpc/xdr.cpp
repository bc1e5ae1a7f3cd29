// XDR reader and writer: explicit big-endian loads bounded by the received length.
#include "rpc/xdr.h"

#include "base/cat.h"

namespace nfsroot {

namespace {

constexpr std::size_t kUnit = 4;  // RFC 4506 3: every item is a multiple of four bytes

std::size_t padding(std::size_t size) { return (kUnit - size % kUnit) % kUnit; }

}  // namespace

Error XdrReader::error(std::string_view field, std::string_view problem) const {
  return error_with_problem(context_, field, problem);
}

Result<std::uint32_t> XdrReader::u32(std::string_view field) {
  if (remaining() < kUnit) {
    return std::unexpected(error(field, cat("truncated: 4 bytes needed at offset ", at_, ", ", remaining(), " left")));
  }
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < kUnit; ++i) value = (value << 8) | std::to_integer<std::uint32_t>(bytes_[at_ + i]);
  at_ += kUnit;
  return value;
}

Result<bool> XdrReader::boolean(std::string_view field) {
  const std::uint32_t value = TRY(u32(field));
  if (value > 1) return std::unexpected(error(field, cat(value, " is not an XDR bool (0 or 1, RFC 4506 4.4)")));
  return value == 1;
}

Result<std::span<const std::byte>> XdrReader::variable(std::string_view field, std::size_t max_size) {
  const std::uint32_t size = TRY(u32(field));
  if (size > max_size) return std::unexpected(error(field, cat("length ", size, " is over its limit of ", max_size)));
  const std::size_t padded = size + padding(size);
  if (remaining() < padded) {
    return std::unexpected(error(field, cat("truncated: length ", size, " (", padded, " with padding), ", remaining(), " bytes left")));
  }
  const auto bytes = bytes_.subspan(at_, size);
  at_ += padded;
  return bytes;
}

Result<std::string> XdrReader::string(std::string_view field, std::size_t max_size) {
  const auto bytes = TRY(variable(field, max_size));
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

Result<void> XdrReader::skip_opaque(std::string_view field, std::size_t max_size) {
  TRY(variable(field, max_size));
  return {};
}

Result<void> XdrReader::expect_end(std::string_view after) {
  if (remaining() != 0) return std::unexpected(error(after, cat(remaining(), " unexpected bytes after it")));
  return {};
}

void XdrWriter::u32(std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) bytes_.push_back(static_cast<std::byte>((value >> shift) & 0xff));
}

void XdrWriter::string(std::string_view text) {
  u32(static_cast<std::uint32_t>(text.size()));
  for (const char c : text) bytes_.push_back(static_cast<std::byte>(c));
  bytes_.insert(bytes_.end(), padding(text.size()), std::byte{0});
}

}  // namespace nfsroot
