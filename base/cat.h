// cat(): one string from its parts, sized once, for log lines and messages: instead of long
// '+' chains with std::to_string, cat("drivers done in ", ms, " ms").
#pragma once

#include <charconv>
#include <concepts>
#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>

namespace nfsroot {

namespace cat_detail {

// Integers are written in decimal into a small buffer of their own.
struct Decimal {
  char digits[24];
  std::size_t size;
  template <std::integral T>
  explicit Decimal(T value) {
    size = static_cast<std::size_t>(std::to_chars(digits, digits + sizeof digits, value).ptr - digits);
  }
  [[nodiscard]] std::string_view view() const { return {digits, size}; }
};

template <class T>
decltype(auto) piece(const T& part) {
  if constexpr (std::is_same_v<T, char>) {
    return std::string_view(&part, 1);
  } else if constexpr (std::is_same_v<T, bool>) {
    return std::string_view(part ? "yes" : "no");
  } else if constexpr (std::integral<T>) {
    return Decimal(part);
  } else {
    return std::string_view(part);
  }
}

inline std::string_view view(std::string_view text) { return text; }
inline std::string_view view(const Decimal& number) { return number.view(); }

// The pieces joined into one string, sized once. Out of line: each cat() call only lays out its
// pieces' views (the several hundred calls once inlined a reserve and an append per piece).
[[nodiscard]] std::string concatenate(std::initializer_list<std::string_view> pieces);

}  // namespace cat_detail

template <class... Parts>
[[nodiscard]] std::string cat(const Parts&... parts) {
  const auto join_all = [](const auto&... pieces) { return cat_detail::concatenate({cat_detail::view(pieces)...}); };
  return join_all(cat_detail::piece(parts)...);
}

}  // namespace nfsroot
