// The unit tests' fake of the DHCP packet socket (sys/packet_socket.h): every frame the client
// sends is checked as IPv4+UDP (net/udp_frame.h), its DHCP message read back with bounded
// loads into a trace line, and handed to a scripted server whose frames arrive after a delay.
// A clock of its own stands in for the network step's poll(2): wait_for_wake() moves it to the
// next frame or the client's timer, whichever comes first.
#pragma once

#include <catch2/catch.hpp>
#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "base/ipv4.h"
#include "net/dhcp_packet.h"
#include "net/udp_frame.h"
#include "sys/packet_socket.h"

namespace nfsroot::testing {

// One message the client sent, read back independently of the client's code.
struct SentDhcp {
  PacketSocket::Clock::time_point at;
  Ipv4Address ip_source, ip_destination;
  std::uint16_t source_port = 0, destination_port = 0;
  unsigned type = 0;  // option 53
  std::uint32_t xid = 0;
  std::uint16_t flags = 0;
  Ipv4Address ciaddr;
  MacAddress chaddr;
  std::optional<Ipv4Address> requested_address;  // option 50
  std::optional<Ipv4Address> server_id;          // option 54
  std::string client_id;                         // option 61: "type:hex…"
};

// A server's BOOTREPLY, sent from `server`:67 to `destination`:68.
struct ServerReply {
  DhcpMessageType type = DhcpMessageType::Offer;
  std::uint32_t xid = 0;
  MacAddress chaddr;
  Ipv4Address yiaddr;
  Ipv4Address server;
  Ipv4Address destination{0xffffffff};  // broadcast, or unicast to yiaddr
  std::string message;                  // option 56 (a NAK's reason)
  std::chrono::milliseconds delay{5};   // from the request to its arrival
};

inline std::vector<std::byte> reply_frame(const ServerReply& r) {
  std::vector<std::byte> bytes(240);
  auto put32 = [&bytes](std::size_t at, std::uint32_t value) {
    for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<std::byte>((value >> (24 - 8 * i)) & 0xff);
  };
  bytes[0] = std::byte{2};  // BOOTREPLY
  bytes[1] = std::byte{1};
  bytes[2] = std::byte{6};
  put32(4, r.xid);
  put32(16, r.yiaddr.value);
  put32(20, r.server.value);
  for (int i = 0; i < 6; ++i) bytes[28 + i] = std::byte{r.chaddr.octets[i]};
  put32(236, 0x63825363);
  auto option = [&bytes](unsigned code, std::vector<unsigned> data) {
    bytes.push_back(static_cast<std::byte>(code));
    bytes.push_back(static_cast<std::byte>(data.size()));
    for (const unsigned value : data) bytes.push_back(static_cast<std::byte>(value));
  };
  auto address = [](Ipv4Address a) {
    return std::vector<unsigned>{a.value >> 24, (a.value >> 16) & 0xff, (a.value >> 8) & 0xff, a.value & 0xff};
  };
  option(53, {static_cast<unsigned>(r.type)});
  option(54, address(r.server));
  if (r.type != DhcpMessageType::Nak) {
    option(1, {255, 255, 255, 0});
    option(3, address(r.server));
    option(51, {0, 0, 0x0e, 0x10});  // 3600 s
  }
  if (!r.message.empty()) {
    std::vector<unsigned> text(r.message.begin(), r.message.end());
    option(56, text);
  }
  bytes.push_back(std::byte{255});
  return build_udp_frame(r.server, r.destination, kDhcpServerPort, kDhcpClientPort, bytes);
}

class FakePacketSocket final : public PacketSocket {
 public:
  using Server = std::function<std::vector<ServerReply>(const SentDhcp&)>;

  std::vector<std::string> trace;  // "DISCOVER xid=0x… flags=0x8000 …", "wake +2.013s"
  std::vector<SentDhcp> sent;
  Server server;                   // unset: a silent network
  Clock::time_point clock{std::chrono::hours(1)};
  int receives = 0;                // receive() calls, for the per-wake-up bound

  int fd() const override { return -1; }

  Result<void> send_broadcast(std::span<const std::byte> ip_packet) override {
    auto datagram = parse_udp_frame(ip_packet);  // both checksums must be right
    REQUIRE(datagram);
    SentDhcp message = decode(*datagram);
    message.at = clock;
    trace.push_back(line(message));
    sent.push_back(message);
    if (server) {
      for (const auto& reply : server(message)) arrive(clock + reply.delay, reply_frame(reply));
    }
    return {};
  }

  Result<std::optional<ReceivedFrame>> receive(Clock::time_point deadline) override {
    ++receives;
    if (!arriving.empty() && arriving.front().at <= std::max(deadline, clock)) {
      clock = std::max(clock, arriving.front().at);
      ReceivedFrame frame{std::move(arriving.front().bytes), false};
      arriving.pop_front();
      return std::optional<ReceivedFrame>(std::move(frame));
    }
    clock = std::max(clock, deadline);
    return std::optional<ReceivedFrame>{};
  }

  // A frame that arrives at `at`, in order with the others.
  void arrive(Clock::time_point at, std::vector<std::byte> bytes) {
    auto place = std::upper_bound(arriving.begin(), arriving.end(), at,
                                  [](Clock::time_point t, const Arrival& a) { return t < a.at; });
    arriving.insert(place, Arrival{at, std::move(bytes)});
  }
  [[nodiscard]] std::size_t waiting() const { return arriving.size(); }

  // What the step's poll(2) does: returns at the first frame's arrival or at `timer`.
  Clock::time_point wait_for_wake(Clock::time_point timer) {
    Clock::time_point wake = timer;
    if (!arriving.empty()) wake = std::min(wake, arriving.front().at);
    clock = std::max(clock, wake);
    return clock;
  }

 private:
  struct Arrival {
    Clock::time_point at;
    std::vector<std::byte> bytes;
  };
  std::deque<Arrival> arriving;

  static SentDhcp decode(const UdpDatagram& datagram) {
    const auto& b = datagram.payload;
    REQUIRE(b.size() >= 240);
    auto at = [&b](std::size_t i) { return std::to_integer<unsigned>(b[i]); };
    auto load32 = [&](std::size_t i) {
      return static_cast<std::uint32_t>((at(i) << 24) | (at(i + 1) << 16) | (at(i + 2) << 8) | at(i + 3));
    };
    REQUIRE(at(0) == 1);  // BOOTREQUEST
    REQUIRE(load32(236) == 0x63825363);
    SentDhcp out;
    out.ip_source = datagram.source;
    out.ip_destination = datagram.destination;
    out.source_port = datagram.source_port;
    out.destination_port = datagram.destination_port;
    out.xid = load32(4);
    out.flags = static_cast<std::uint16_t>((at(10) << 8) | at(11));
    out.ciaddr = Ipv4Address{load32(12)};
    for (int i = 0; i < 6; ++i) out.chaddr.octets[i] = static_cast<std::uint8_t>(at(28 + i));
    for (std::size_t i = 240; i < b.size() && at(i) != 255;) {
      if (at(i) == 0) {
        ++i;
        continue;
      }
      REQUIRE(i + 1 < b.size());
      const unsigned code = at(i), length = at(i + 1);
      REQUIRE(i + 2 + length <= b.size());
      if (code == 53 && length == 1) out.type = at(i + 2);
      if (code == 50 && length == 4) out.requested_address = Ipv4Address{load32(i + 2)};
      if (code == 54 && length == 4) out.server_id = Ipv4Address{load32(i + 2)};
      if (code == 61 && length >= 1) {
        static constexpr char kDigits[] = "0123456789abcdef";
        out.client_id = std::to_string(at(i + 2)) + ":";
        for (unsigned k = 1; k < length; ++k) {
          out.client_id += kDigits[at(i + 2 + k) >> 4];
          out.client_id += kDigits[at(i + 2 + k) & 0xf];
        }
      }
      i += 2 + length;
    }
    return out;
  }

  static std::string hex(std::uint32_t value) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string text = "0x";
    for (int shift = 28; shift >= 0; shift -= 4) text += kDigits[(value >> shift) & 0xf];
    return text;
  }

  static std::string line(const SentDhcp& m) {
    static const std::map<unsigned, std::string> kNames{{1, "DISCOVER"}, {3, "REQUEST"}, {4, "DECLINE"}, {7, "RELEASE"}};
    std::string text = kNames.contains(m.type) ? kNames.at(m.type) : "type " + std::to_string(m.type);
    text += " " + m.ip_source.to_string() + ":" + std::to_string(m.source_port) + " > " +
            m.ip_destination.to_string() + ":" + std::to_string(m.destination_port) + " xid=" + hex(m.xid) +
            " flags=" + hex(m.flags).substr(6);
    if (!m.client_id.empty()) text += " client-id=" + m.client_id;
    if (m.requested_address) text += " requested=" + m.requested_address->to_string();
    if (m.server_id) text += " server=" + m.server_id->to_string();
    return text;
  }
};

}  // namespace nfsroot::testing
