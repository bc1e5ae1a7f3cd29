// Fuzzes the IPv6 address text a boot line or a server's answer may carry: whatever parses
// comes back in one canonical text that parses to the same address, and the C library's
// inet_pton reads the same 16 bytes from it (our parser is the stricter one: a zone, brackets,
// a prefix are refused by the caller's message, not passed on).
#include <arpa/inet.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "base/ipv6.h"

namespace {

void check(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto address = nfsroot::Ipv6Address::parse(text);
  (void)nfsroot::parse_ipv6_prefix_length(text);
  if (!address) return 0;
  const std::string canonical = address->to_string();
  check(canonical.size() <= 45);
  const auto again = nfsroot::Ipv6Address::parse(canonical);
  check(again && *again == *address);
  check(again->to_string() == canonical);
  unsigned char reference[16];
  check(inet_pton(AF_INET6, canonical.c_str(), reference) == 1);
  check(std::memcmp(reference, address->octets.data(), 16) == 0);
  // The input itself: inet_pton takes it too, to the same bytes. Not for a dotted quad, where
  // our IPv4 parser allows a leading zero in an octet ("::ffff:010.0.2.15") and glibc does not.
  if (text.find('.') == std::string::npos && text.find('\0') == std::string::npos) {
    check(inet_pton(AF_INET6, text.c_str(), reference) == 1);
    check(std::memcmp(reference, address->octets.data(), 16) == 0);
  }
  return 0;
}
