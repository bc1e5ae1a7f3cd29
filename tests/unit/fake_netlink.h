// The unit tests' fake of the rtnetlink socket (sys/netlink_socket.h): every request is decoded
// into a trace line and answered as the kernel would, an ack, an errno the test scripts, or a
// link dump in two datagrams; a clock of its own moves only when a receive waits out its
// deadline.
#pragma once

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "net/rtnetlink.h"
#include "sys/netlink_socket.h"

namespace nfsroot::testing {

class FakeNetlinkSocket final : public NetlinkSocket {
 public:
  std::vector<std::string> trace;
  std::map<std::string, std::vector<int>> refusals;  // request name -> errno of each call in turn (0: ack)
  std::vector<LinkInfo> links;                       // what RTM_GETLINK lists
  bool silent = false;                               // answer nothing
  bool stale_answer_first = false;                   // an ack for an older request comes first
  // What each RTM_GETADDR (IPv6) dump lists, in turn; the last one again once the rest are used.
  std::deque<std::vector<rtnetlink::Address6Info>> address_dumps;
  // As an event socket: datagrams waiting to be received (each counts as one event), and an
  // ENOBUFS to report before them.
  void push_event(std::vector<std::byte> datagram) { answers.push_back(std::move(datagram)); }
  bool overflow_next = false;
  Clock::time_point clock{std::chrono::hours(1)};

  Result<void> send(std::span<const std::byte> message) override {
    REQUIRE(message.size() >= 16);
    REQUIRE(u32(message, 0) == message.size());
    const std::uint16_t type = u16(message, 4);
    const std::uint32_t sequence = u32(message, 8);
    const std::string line = decode(message);
    trace.push_back(line);
    if (silent) return {};
    if (stale_answer_first) answers.push_back(error_message(sequence - 1, 0));
    const std::string name = line.substr(0, line.find(' '));
    if (type == 22) {  // RTM_GETADDR: the next scripted listing in one datagram, then NLMSG_DONE
      std::vector<rtnetlink::Address6Info> listing;
      if (!address_dumps.empty()) {
        listing = address_dumps.front();
        if (address_dumps.size() > 1) address_dumps.pop_front();
      }
      std::vector<std::byte> datagram;
      for (const auto& address : listing) {
        const auto bytes = address6_message(address, sequence, 0x2);
        datagram.insert(datagram.end(), bytes.begin(), bytes.end());
      }
      if (!datagram.empty()) answers.push_back(datagram);
      answers.push_back(done_message(sequence));
      return {};
    }
    if (type == 18) {  // RTM_GETLINK: the links in two datagrams, then NLMSG_DONE
      std::vector<std::byte> first, second;
      for (std::size_t i = 0; i < links.size(); ++i) {
        const auto bytes = rtnetlink::encode_link_message(links[i], sequence, 0x2);
        auto& into = i < (links.size() + 1) / 2 ? first : second;  // in order, split in two
        into.insert(into.end(), bytes.begin(), bytes.end());
      }
      if (!first.empty()) answers.push_back(first);
      if (!second.empty()) answers.push_back(second);
      answers.push_back(done_message(sequence));
      return {};
    }
    int error = 0;
    if (auto turn = refusals.find(name); turn != refusals.end() && !turn->second.empty()) {
      error = turn->second.front();
      turn->second.erase(turn->second.begin());
    }
    answers.push_back(error_message(sequence, error));
    return {};
  }

  Result<std::optional<std::vector<std::byte>>> receive(Clock::time_point deadline) override {
    if (overflow_next) {
      overflow_next = false;
      trace.push_back("ENOBUFS");
      Error error;
      error.operation = "recv";
      error.errno_value = ENOBUFS;
      return std::unexpected(error);
    }
    if (answers.empty()) {
      if (deadline <= clock) return std::optional<std::vector<std::byte>>{};  // only what is waiting: nothing
      trace.push_back("wait(" + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(deadline - clock).count()) + "s)");
      if (deadline > clock) clock = deadline;
      return std::optional<std::vector<std::byte>>{};
    }
    auto answer = std::move(answers.front());
    answers.pop_front();
    return std::optional<std::vector<std::byte>>(std::move(answer));
  }

  Clock::time_point now() override { return clock; }

 private:
  std::deque<std::vector<std::byte>> answers;

  static std::uint16_t u16(std::span<const std::byte> bytes, std::size_t at) {
    std::uint16_t value;
    std::memcpy(&value, bytes.data() + at, 2);
    return value;
  }
  static std::uint32_t u32(std::span<const std::byte> bytes, std::size_t at) {
    std::uint32_t value;
    std::memcpy(&value, bytes.data() + at, 4);
    return value;
  }
  static std::string ipv4(std::span<const std::byte> bytes, std::size_t at) {
    std::string text;
    for (int i = 0; i < 4; ++i) {
      text += (i ? "." : "") + std::to_string(std::to_integer<unsigned>(bytes[at + i]));
    }
    return text;
  }
  // A string attribute, with or without its NUL.
  static std::string text(std::span<const std::byte> payload) {
    std::string out(reinterpret_cast<const char*>(payload.data()), payload.size());
    if (!out.empty() && out.back() == '\0') out.pop_back();
    REQUIRE(out.find('\0') == std::string::npos);
    return out;
  }
  // IFLA_LINKINFO: IFLA_INFO_KIND, and IFLA_INFO_DATA with a VLAN's IFLA_VLAN_ID.
  static std::string link_info(std::span<const std::byte> nested) {
    std::string out;
    for (std::size_t at = 0; at + 4 <= nested.size();) {
      const std::uint16_t length = u16(nested, at);
      const std::uint16_t attribute = u16(nested, at + 2);
      REQUIRE(length >= 4);
      REQUIRE(at + length <= nested.size());
      const auto payload = nested.subspan(at + 4, length - 4);
      if (attribute == 1) {
        out += "KIND=" + text(payload);
      } else {
        REQUIRE(attribute == 2);
        REQUIRE(payload.size() >= 6);
        REQUIRE(u16(payload, 2) == 1);  // IFLA_VLAN_ID
        out += " VLAN_ID=" + std::to_string(u16(payload, 4));
      }
      at += (length + 3u) & ~3u;
    }
    return out;
  }
  static std::string hex(std::uint32_t value) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string text;
    for (int shift = 28; shift >= 0; shift -= 4) {
      if (!text.empty() || ((value >> shift) & 0xf) != 0 || shift == 0) text += kDigits[(value >> shift) & 0xf];
    }
    return "0x" + text;
  }

  // "RTM_NEWADDR create index=3 10.0.2.15/24 LOCAL=10.0.2.15 ...": the request as a person reads it.
  static std::string decode(std::span<const std::byte> message) {
    const std::uint16_t type = u16(message, 4);
    const std::uint16_t flags = u16(message, 6);
    std::string line;
    std::size_t at = 16;
    std::map<unsigned, std::string> names;
    bool address_attributes = false;
    switch (type) {
      case 16:
      case 19:
        line = std::string(type == 16 ? "RTM_NEWLINK" : "RTM_SETLINK") + " index=" + std::to_string(u32(message, 20)) +
               " flags=" + hex(u32(message, 24)) + " change=" + hex(u32(message, 28));
        names = {{4, "MTU"}, {5, "LINK"}, {10, "MASTER"}};
        at = 32;
        break;
      case 18:
        line = "RTM_GETLINK";
        names = {{29, "EXT_MASK"}};
        at = 32;
        break;
      case 20:
        line = "RTM_NEWADDR index=" + std::to_string(u32(message, 20)) + " prefix=" +
               std::to_string(std::to_integer<unsigned>(message[17])) + " scope=" +
               std::to_string(std::to_integer<unsigned>(message[19]));
        names = {{1, "ADDRESS"}, {2, "LOCAL"}, {4, "BROADCAST"}};
        address_attributes = true;
        at = 24;
        break;
      case 22:
        line = "RTM_GETADDR family=" + std::to_string(std::to_integer<unsigned>(message[16]));
        at = 24;
        break;
      case 24:
        line = "RTM_NEWROUTE dst_len=" + std::to_string(std::to_integer<unsigned>(message[17])) +
               " table=" + std::to_string(std::to_integer<unsigned>(message[20])) +
               " protocol=" + std::to_string(std::to_integer<unsigned>(message[21])) +
               " scope=" + std::to_string(std::to_integer<unsigned>(message[22])) +
               " type=" + std::to_string(std::to_integer<unsigned>(message[23]));
        names = {{1, "DST"}, {4, "OIF"}, {5, "GATEWAY"}, {15, "TABLE"}};
        at = 28;
        break;
      default:
        FAIL("unexpected request type " << type);
    }
    // A new link (no index) is RTM_NEWLINK with NLM_F_CREATE | NLM_F_EXCL.
    const bool new_link = type == 16 && u32(message, 20) == 0;
    if (new_link) line += " create";
    const std::uint16_t expected_flags =
        type == 18 || type == 22 ? 0x305 : (type == 20 || type == 24) ? 0x405 : new_link ? 0x605 : 0x5;
    CHECK(flags == expected_flags);
    while (at + 4 <= message.size()) {
      const std::uint16_t length = u16(message, at);
      const std::uint16_t attribute = u16(message, at + 2);
      REQUIRE(length >= 4);
      REQUIRE(at + length <= message.size());
      if (type == 16 && (attribute == 3 || attribute == 18)) {  // IFLA_IFNAME, IFLA_LINKINFO
        const auto payload = message.subspan(at + 4, length - 4);
        line += attribute == 3 ? " IFNAME=" + text(payload) : " LINKINFO={" + link_info(payload) + "}";
        at += (length + 3u) & ~3u;
        continue;
      }
      if (length == 20) {  // an IPv6 address (RTM_NEWADDR, RTM_NEWROUTE of AF_INET6)
        REQUIRE(names.contains(attribute));
        Ipv6Address address;
        std::memcpy(address.octets.data(), message.data() + at + 4, 16);
        line += " " + names[attribute] + "=" + address.to_string();
        at += 20;
        continue;
      }
      REQUIRE(length == 8);  // every other attribute we send is one u32 or one IPv4 address
      REQUIRE(names.contains(attribute));
      const bool is_address = address_attributes || (type == 24 && (attribute == 1 || attribute == 5));
      line += " " + names[attribute] + "=" + (is_address ? ipv4(message, at + 4) : std::to_string(u32(message, at + 4)));
      at += 8;
    }
    REQUIRE(at == message.size());
    return line;
  }

  static std::vector<std::byte> header(std::uint32_t length, std::uint16_t type, std::uint16_t flags,
                                       std::uint32_t sequence) {
    std::vector<std::byte> bytes(length);
    std::memcpy(bytes.data(), &length, 4);
    std::memcpy(bytes.data() + 4, &type, 2);
    std::memcpy(bytes.data() + 6, &flags, 2);
    std::memcpy(bytes.data() + 8, &sequence, 4);
    return bytes;
  }
  // NLMSG_ERROR, NLM_F_CAPPED: the error and the request's header (zeroed here).
  static std::vector<std::byte> error_message(std::uint32_t sequence, int error) {
    auto bytes = header(36, 2, 0x100, sequence);
    const std::int32_t code = -error;
    std::memcpy(bytes.data() + 16, &code, 4);
    return bytes;
  }
  static std::vector<std::byte> done_message(std::uint32_t sequence) { return header(20, 3, 0x2, sequence); }

 public:
  // RTM_NEWADDR of AF_INET6 as inet6_fill_ifaddr() sends it: ifaddrmsg (family, prefix length,
  // the low 8 flag bits, scope, index), IFA_ADDRESS, IFA_FLAGS. Also what an event carries.
  static std::vector<std::byte> address6_message(const rtnetlink::Address6Info& address, std::uint32_t sequence,
                                                 std::uint16_t flags = 0) {
    auto bytes = header(16 + 8 + 20 + 8, 20, flags, sequence);
    bytes[16] = std::byte{10};
    bytes[17] = static_cast<std::byte>(address.prefix_length);
    bytes[18] = static_cast<std::byte>(address.flags & 0xff);
    bytes[19] = static_cast<std::byte>(address.scope);
    const auto index = static_cast<std::uint32_t>(address.link_index);
    std::memcpy(bytes.data() + 20, &index, 4);
    const std::uint16_t address_header[2] = {20, 1};  // IFA_ADDRESS
    std::memcpy(bytes.data() + 24, address_header, 4);
    std::memcpy(bytes.data() + 28, address.address.octets.data(), 16);
    const std::uint16_t flags_header[2] = {8, 8};  // IFA_FLAGS
    std::memcpy(bytes.data() + 44, flags_header, 4);
    std::memcpy(bytes.data() + 48, &address.flags, 4);
    return bytes;
  }
};

}  // namespace nfsroot::testing
