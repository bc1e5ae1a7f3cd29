// Fuzzes the rtnetlink reply parser (net/rtnetlink.h) with what a recv() could return. Every
// read must stay inside the datagram (ASan), and what parses must make sense: a message per
// 16 bytes at most, errno values that are errnos, interface names the kernel could have, a
// loopback never taken for a boot interface, and each link the same after encode and parse.
// The request builders get the fuzzer's values too: whatever they build is one message of the
// length they return, which the parser reads back.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "net/rtnetlink.h"

namespace {

using namespace nfsroot;
using namespace nfsroot::rtnetlink;

void check(bool condition) {
  if (!condition) __builtin_trap();
}

void check_link(const LinkInfo& link) {
  check(!link.name.empty() && link.name.size() <= 15);
  check(link.name.find('\0') == std::string::npos);
  if (link.ethernet) check((link.flags & 0x8u) == 0);  // IFF_LOOPBACK
  const auto again = parse_messages(encode_link_message(link, 1));
  check(again.has_value() && again->size() == 1);
  const LinkInfo& back = again->front().link;
  check(again->front().kind == Message::Kind::Link);
  check(back.index == link.index && back.name == link.name && back.flags == link.flags && back.mtu == link.mtu);
  check(back.mac == link.mac && back.ethernet == link.ethernet);
}

template <class T>
T take(std::span<const std::byte>& bytes) {
  T value{};
  const std::size_t n = std::min(sizeof value, bytes.size());
  std::memcpy(&value, bytes.data(), n);
  bytes = bytes.subspan(n);
  return value;
}

void check_requests(std::span<const std::byte> bytes) {
  const auto sequence = take<std::uint32_t>(bytes);
  const auto index = take<std::int32_t>(bytes);
  const auto address = Ipv4Address{take<std::uint32_t>(bytes)};
  const auto other = Ipv4Address{take<std::uint32_t>(bytes)};
  const int prefix = take<std::uint8_t>(bytes) % 40;
  LinkInfo link;
  link.index = index;
  link.flags = take<std::uint32_t>(bytes);
  std::array<std::byte, kMaxRequestSize> buffer{};
  const Result<std::size_t> built[] = {
      build_list_links(buffer, sequence),
      build_set_link_up(buffer, sequence, link, (sequence & 1) != 0),
      build_set_mtu(buffer, sequence, link, other.value),
      build_add_address(buffer, sequence, index, address, prefix, other),
      build_add_default_route(buffer, sequence, index, other),
  };
  for (const auto& length : built) {
    if (!length) continue;  // only a prefix over 32 is refused
    check(*length >= 16 && *length <= buffer.size() && *length % 4 == 0);
  }
  // The last one built is the route (60 bytes); it parses as one message with our sequence.
  check(built[4].has_value() && *built[4] == 60);
  const auto parsed = parse_messages(std::span(buffer).first(*built[4]));
  check(parsed.has_value() && parsed->size() == 1 && parsed->front().sequence == sequence);
  check(built[3].has_value() == (prefix <= 32));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  const auto messages = parse_messages(bytes);
  if (messages) {
    check(messages->size() <= size / 16);
    for (const auto& message : *messages) {
      switch (message.kind) {
        case Message::Kind::Ack:
          check(message.type == 2 && message.error == 0);
          break;
        case Message::Kind::Error:
          check(message.type == 2 && message.error > 0 && message.error <= 4095);
          break;
        case Message::Kind::Done:
          check(message.type == 3 && message.error >= 0 && message.error <= 4095);
          break;
        case Message::Kind::Link:
          check(message.type == 16);
          check_link(message.link);
          break;
        case Message::Kind::Address6:
          check(message.type == 20 && message.address6.prefix_length <= 128);
          break;
        case Message::Kind::Other:
          check(message.type != 2 && message.type != 3 && message.type != 16);
          break;
      }
    }
  }
  check_requests(bytes);
  return 0;
}
