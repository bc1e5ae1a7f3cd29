// The DHCP exchange as the network step runs it (network/dhcp_exchange.h), on a fake packet
// socket with a scripted server: what the client sent, frame by frame, and how it ends.
#include "network/dhcp_exchange.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "fake_packet_socket.h"
#include "net/frame_drain.h"

using namespace nfsroot;
using nfsroot::testing::FakePacketSocket;
using nfsroot::testing::SentDhcp;
using nfsroot::testing::ServerReply;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

Ipv4Address ip4(const char* text) { return *Ipv4Address::parse(text); }

const MacAddress kMac = *MacAddress::parse("52:54:00:12:34:56");
const Ipv4Address kServer = ip4("10.0.2.2");
const Ipv4Address kOffered = ip4("10.0.2.15");
constexpr std::uint64_t kSeed = 0x0123456789abcdefULL;

NetworkStep dhcp_step() {
  NetworkStep step;
  step.vendor_class = "nfsroot-init";
  step.client_id = DhcpClientId{1, std::string("\x52\x54\x00\x12\x34\x56", 6)};
  step.dhcp_timeout_seconds = 8;
  return step;
}

LinkInfo link() {
  LinkInfo l;
  l.index = 2;
  l.name = "eth0";
  l.mac = kMac;
  l.ethernet = true;
  return l;
}

ServerReply answer(const SentDhcp& request, DhcpMessageType type) {
  ServerReply r;
  r.type = type;
  r.xid = request.xid;
  r.chaddr = request.chaddr;
  r.yiaddr = type == DhcpMessageType::Nak ? Ipv4Address{} : kOffered;
  r.server = kServer;
  return r;
}

// A server that offers kOffered and acknowledges a REQUEST for it.
std::vector<ServerReply> good_server(const SentDhcp& request) {
  if (request.type == 1) return {answer(request, DhcpMessageType::Offer)};
  if (request.type == 3) return {answer(request, DhcpMessageType::Ack)};
  return {};
}

struct Run {
  FakePacketSocket* socket = nullptr;
  std::unique_ptr<DhcpExchange> exchange;
  std::vector<std::string> debug;
  int wakes = 0;
  PacketSocket::Clock::time_point started;

  explicit Run(const NetworkStep& step, FakePacketSocket::Server server) {
    auto fake = std::make_unique<FakePacketSocket>();
    socket = fake.get();
    socket->server = std::move(server);
    started = socket->clock;
    exchange = std::make_unique<DhcpExchange>("eth0", std::move(fake), dhcp_client_config(step, link(), kSeed),
                                              [this](std::string_view line) { debug.emplace_back(line); });
    exchange->start(socket->clock);
  }

  // The step's loop for this one interface: sleep until a frame or the client's timer, then
  // on_wake(); until bound, failed, or `limit` wake-ups.
  std::optional<DhcpLease> until_done(int limit = 200) {
    for (; wakes < limit && exchange->deadline(); ++wakes) {
      const auto now = socket->wait_for_wake(*exchange->deadline());
      auto lease = exchange->on_wake(now);
      REQUIRE(lease);
      if (*lease) return *lease;
    }
    return std::nullopt;
  }

  [[nodiscard]] bool noted(const std::string& part) const {
    return std::any_of(debug.begin(), debug.end(), [&](const std::string& l) { return l.find(part) != std::string::npos; });
  }
};

const std::uint32_t kFirstXid = static_cast<std::uint32_t>(kSeed >> 32) ^ static_cast<std::uint32_t>(kSeed);

}  // namespace

TEST_CASE("dhcp exchange: DISCOVER, OFFER, REQUEST, ACK; every frame broadcast with our xid and client id",
          "[dhcp_exchange]") {
  Run run(dhcp_step(), good_server);
  const auto lease = run.until_done();
  REQUIRE(lease);
  CHECK(lease->address == kOffered);
  CHECK(lease->server_id == kServer);
  CHECK(lease->netmask == ip4("255.255.255.0"));
  CHECK(run.exchange->deadline() == std::nullopt);
  CHECK_FALSE(run.exchange->failure());

  const std::string xid = "0x88888888";  // kFirstXid: 0x01234567 ^ 0x89abcdef
  REQUIRE(kFirstXid == 0x88888888);
  // RFC 2131 4.1 / 4.4.1: from 0.0.0.0:68 to 255.255.255.255:67 with the broadcast flag, since
  // the client cannot take a unicast reply before it has an address; the REQUEST names the
  // offered address and the chosen server, and keeps the DISCOVER's xid.
  CHECK(run.socket->trace == std::vector<std::string>{
      "DISCOVER 0.0.0.0:68 > 255.255.255.255:67 xid=" + xid + " flags=8000 client-id=1:525400123456",
      "REQUEST 0.0.0.0:68 > 255.255.255.255:67 xid=" + xid +
          " flags=8000 client-id=1:525400123456 requested=10.0.2.15 server=10.0.2.2",
  });
  for (const auto& sent : run.socket->sent) {
    CHECK(sent.chaddr == kMac);
    CHECK(sent.ciaddr.is_unspecified());
  }
  // The OFFER arrived 5 ms after the DISCOVER and the ACK 5 ms after the REQUEST: two wake-ups.
  CHECK(run.wakes == 1);  // the second wake-up returned the lease before the counter moved
  CHECK(run.socket->clock - run.started == milliseconds(10));
  CHECK(run.noted("eth0: sending DISCOVER 1"));
}

TEST_CASE("dhcp exchange: a server that answers by unicast to the offered address is taken too", "[dhcp_exchange]") {
  Run run(dhcp_step(), [](const SentDhcp& request) {
    auto replies = good_server(request);
    for (auto& reply : replies) reply.destination = kOffered;  // ignores the broadcast flag
    return replies;
  });
  const auto lease = run.until_done();
  REQUIRE(lease);
  CHECK(lease->address == kOffered);
}

TEST_CASE("dhcp exchange: an OFFER with another xid is ignored; the REQUEST is for the right one",
          "[dhcp_exchange]") {
  Run run(dhcp_step(), [](const SentDhcp& request) {
    if (request.type != 1) return good_server(request);
    ServerReply stale = answer(request, DhcpMessageType::Offer);
    stale.xid = request.xid + 1;
    stale.yiaddr = ip4("10.0.2.99");
    stale.delay = milliseconds(2);
    ServerReply right = answer(request, DhcpMessageType::Offer);
    right.delay = milliseconds(40);
    return std::vector<ServerReply>{stale, right};
  });
  const auto lease = run.until_done();
  REQUIRE(lease);
  CHECK(lease->address == kOffered);
  REQUIRE(run.socket->sent.size() == 2);
  CHECK(run.socket->sent[1].type == 3);
  CHECK(run.socket->sent[1].requested_address == kOffered);
  CHECK(run.socket->sent[1].xid == kFirstXid);
  CHECK(run.noted("is not ours"));
}

TEST_CASE("dhcp exchange: a NAK starts over with a DISCOVER under a new xid", "[dhcp_exchange]") {
  int requests = 0;
  Run run(dhcp_step(), [&requests](const SentDhcp& request) {
    if (request.type == 3 && requests++ == 0) {
      ServerReply nak = answer(request, DhcpMessageType::Nak);
      nak.message = "address in use";
      return std::vector<ServerReply>{nak};
    }
    return good_server(request);
  });
  const auto lease = run.until_done();
  REQUIRE(lease);
  const auto& sent = run.socket->sent;
  REQUIRE(sent.size() == 4);
  CHECK(sent[0].type == 1);
  CHECK(sent[1].type == 3);
  CHECK(sent[2].type == 1);
  CHECK(sent[3].type == 3);
  CHECK(sent[0].xid == sent[1].xid);
  CHECK(sent[2].xid != sent[0].xid);  // RFC 2131 4.4.1: a new exchange, a new xid
  CHECK(sent[3].xid == sent[2].xid);
  CHECK(sent[3].requested_address == kOffered);
  // The first NAK restarts at once (net/dhcp_client.h restart_delay).
  CHECK(sent[2].at - sent[1].at == milliseconds(5));
}

TEST_CASE("dhcp exchange: INIT-REBOOT asks for ip='s address first, with no server identifier",
          "[dhcp_exchange]") {
  NetworkStep step = dhcp_step();
  step.requested_address = kOffered;
  Run run(step, [](const SentDhcp& request) {
    if (request.type == 3 && !request.server_id) return std::vector<ServerReply>{answer(request, DhcpMessageType::Ack)};
    return std::vector<ServerReply>{};
  });
  const auto lease = run.until_done();
  REQUIRE(lease);
  REQUIRE(run.socket->sent.size() == 1);
  CHECK(run.socket->sent[0].type == 3);
  CHECK(run.socket->sent[0].requested_address == kOffered);
  CHECK(run.socket->sent[0].server_id == std::nullopt);
  CHECK(run.socket->sent[0].flags == kDhcpBroadcastFlag);
}

TEST_CASE("dhcp exchange: no answer ends at dhcp_timeout= with the error the boot prints", "[dhcp_exchange]") {
  Run run(dhcp_step(), nullptr);
  CHECK_FALSE(run.until_done());
  REQUIRE(run.exchange->failure());
  CHECK(run.exchange->deadline() == std::nullopt);
  // The boot prints "network failed: " and this (tests/CMakeLists.txt, boot.lab_no_dhcp_server).
  const std::string text = describe(*run.exchange->failure());
  // The boot test's pattern: "network failed: DHCP 52:54:00:12:34:56: no OFFER after [0-9]+ DISCOVERs? in 8 s".
  CHECK(text.starts_with("DHCP 52:54:00:12:34:56: no OFFER after 3 DISCOVERs in 8 s; "));
  CHECK(run.socket->clock - run.started == seconds(8));
  // Retransmitted at ~2 s, ~4 s (±25%): three DISCOVERs fit in 8 s, all with the first xid.
  REQUIRE(run.socket->sent.size() == 3);
  for (const auto& sent : run.socket->sent) {
    CHECK(sent.type == 1);
    CHECK(sent.xid == kFirstXid);
  }
  const auto first_gap = run.socket->sent[1].at - run.socket->sent[0].at;
  CHECK(first_gap >= milliseconds(1500));
  CHECK(first_gap <= milliseconds(2500));
  // Once it gave up, later wake-ups still empty the socket but change nothing.
  run.socket->arrive(run.socket->clock, reply_frame(answer(run.socket->sent[0], DhcpMessageType::Offer)));
  auto after = run.exchange->on_wake(run.socket->clock);
  REQUIRE(after);
  CHECK_FALSE(*after);
  CHECK(run.socket->waiting() == 0);
  CHECK(run.socket->sent.size() == 3);
}

TEST_CASE("dhcp exchange: one wake-up takes at most kFramesPerWake frames; the OFFER behind a flood waits one more",
          "[dhcp_exchange]") {
  Run run(dhcp_step(), nullptr);
  REQUIRE(run.socket->sent.size() == 1);
  const auto now = run.socket->clock + milliseconds(1);
  // A flood of frames the BPF filter lets through but the parser rejects (bad checksum), then
  // the real OFFER.
  for (int i = 0; i < kFramesPerWake + 36; ++i) {
    auto junk = reply_frame(answer(run.socket->sent[0], DhcpMessageType::Offer));
    junk[26] ^= std::byte{0xff};  // the UDP checksum's first byte
    run.socket->arrive(now, std::move(junk));
  }
  run.socket->arrive(now, reply_frame(answer(run.socket->sent[0], DhcpMessageType::Offer)));
  run.socket->receives = 0;
  auto first = run.exchange->on_wake(run.socket->wait_for_wake(*run.exchange->deadline()));
  REQUIRE(first);
  CHECK(run.socket->receives == kFramesPerWake);
  CHECK(run.socket->waiting() == 37);
  CHECK(run.socket->sent.size() == 1);  // the OFFER not reached yet
  CHECK(run.noted("eth0: dropped a frame: "));

  run.socket->receives = 0;
  auto second = run.exchange->on_wake(run.socket->clock);
  REQUIRE(second);
  CHECK(run.socket->receives == 38);  // 36 junk, the OFFER, then "nothing more"
  CHECK(run.socket->waiting() == 0);
  REQUIRE(run.socket->sent.size() == 2);
  CHECK(run.socket->sent[1].type == 3);
}
