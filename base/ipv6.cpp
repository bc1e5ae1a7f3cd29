// IPv6 address parsing (RFC 4291 2.2) and canonical formatting (RFC 5952).
#include "base/ipv6.h"

#include <algorithm>
#include <charconv>
#include <vector>

#include "base/ipv4.h"
#include "base/text.h"

namespace nfsroot {

namespace {

// The groups of one side of "::" (or of the whole address): 1-4 hex digits each, the last may be
// a dotted quad when `quad_allowed` (it is two groups). nullopt on anything else.
std::optional<std::vector<std::uint16_t>> parse_groups(std::string_view text, bool quad_allowed) {
  std::vector<std::uint16_t> groups;
  if (text.empty()) return groups;
  const auto parts = split(text, ':');
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string_view part = parts[i];
    if (quad_allowed && i + 1 == parts.size() && part.find('.') != std::string_view::npos) {
      const auto quad = Ipv4Address::parse(part);
      if (!quad) return std::nullopt;
      groups.push_back(static_cast<std::uint16_t>(quad->value >> 16));
      groups.push_back(static_cast<std::uint16_t>(quad->value & 0xffff));
      break;
    }
    // 1-4 hex digits, as MacAddress::parse reads its octets: from_chars takes no sign or "0x".
    std::uint16_t value = 0;
    const char* end = part.data() + part.size();
    if (part.empty() || part.size() > 4 || std::from_chars(part.data(), end, value, 16).ptr != end) {
      return std::nullopt;
    }
    groups.push_back(value);
  }
  return groups;
}

}  // namespace

std::optional<Ipv6Address> Ipv6Address::parse(std::string_view text) {
  // The longest text is eight full groups, or six and a quad: 45 characters.
  if (text.size() < 2 || text.size() > 45) return std::nullopt;
  const auto gap = text.find("::");
  std::optional<std::vector<std::uint16_t>> head;
  std::optional<std::vector<std::uint16_t>> tail;
  if (gap == std::string_view::npos) {
    head = parse_groups(text, true);
    if (!head || head->size() != 8) return std::nullopt;
    tail.emplace();
  } else {
    const std::string_view after = text.substr(gap + 2);
    if (after.find("::") != std::string_view::npos) return std::nullopt;  // a second "::"
    head = parse_groups(text.substr(0, gap), false);
    tail = parse_groups(after, true);
    // "::" stands for at least one zero group (RFC 4291 2.2, 2.).
    if (!head || !tail || head->size() + tail->size() > 7) return std::nullopt;
  }
  Ipv6Address address;
  const auto put = [&](std::size_t index, std::uint16_t value) {
    address.octets[2 * index] = static_cast<std::uint8_t>(value >> 8);
    address.octets[2 * index + 1] = static_cast<std::uint8_t>(value & 0xff);
  };
  for (std::size_t i = 0; i < head->size(); ++i) put(i, (*head)[i]);
  for (std::size_t i = 0; i < tail->size(); ++i) put(8 - tail->size() + i, (*tail)[i]);
  return address;
}

std::string Ipv6Address::to_string() const {
  static constexpr char kHex[] = "0123456789abcdef";
  const auto hex = [](std::uint16_t value) {
    std::string text;
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
      const int digit = (value >> shift) & 0xf;
      if (digit != 0 || started || shift == 0) {
        text += kHex[digit];
        started = true;
      }
    }
    return text;
  };
  // RFC 5952 4.2: the longest run of at least two zero groups, the first of equal ones.
  int best_start = -1;
  int best_length = 1;
  for (int i = 0; i < 8;) {
    if (group(i) != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && group(j) == 0) ++j;
    if (j - i > best_length) {
      best_start = i;
      best_length = j - i;
    }
    i = j;
  }
  const bool mapped = is_ipv4_mapped();
  const int hex_groups = mapped ? 6 : 8;
  std::string text;
  for (int i = 0; i < hex_groups; ++i) {
    if (i == best_start) {
      text += "::";
      i += best_length - 1;
      continue;
    }
    if (!text.empty() && !text.ends_with(':')) text += ':';
    text += hex(group(i));
  }
  if (mapped) {
    if (!text.ends_with(':')) text += ':';
    text += Ipv4Address{static_cast<std::uint32_t>(group(6)) << 16 | group(7)}.to_string();
  }
  return text;
}

bool Ipv6Address::is_loopback() const {
  Ipv6Address loopback;
  loopback.octets[15] = 1;
  return *this == loopback;
}

bool Ipv6Address::is_ipv4_mapped() const {
  for (int i = 0; i < 10; ++i) {
    if (octets[static_cast<std::size_t>(i)] != 0) return false;
  }
  return octets[10] == 0xff && octets[11] == 0xff;
}

bool same_ipv6_prefix(const Ipv6Address& a, const Ipv6Address& b, int prefix_length) {
  for (int bit = 0; bit < prefix_length && bit < 128; bit += 8) {
    const int bits = std::min(8, prefix_length - bit);
    const auto mask = static_cast<std::uint8_t>(0xff << (8 - bits));
    const auto index = static_cast<std::size_t>(bit / 8);
    if ((a.octets[index] & mask) != (b.octets[index] & mask)) return false;
  }
  return true;
}

std::optional<int> parse_ipv6_prefix_length(std::string_view text) {
  if (text.empty() || text.size() > 3) return std::nullopt;
  const auto length = parse_decimal<int>(text);
  if (!length || *length < 0 || *length > 128) return std::nullopt;
  return length;
}

}  // namespace nfsroot
