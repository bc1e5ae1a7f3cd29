// The DHCP client state machine, driven by hand: time is a value, packets are byte vectors.
#include "net/dhcp_client.h"

#include <catch2/catch.hpp>

#include <map>
#include <string>

using namespace nfsroot;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

Ipv4Address ip4(const char* text) { return *Ipv4Address::parse(text); }

const MacAddress kMac = *MacAddress::parse("52:54:00:12:34:56");
constexpr std::uint32_t kXid = 0x1a2b3c4d;
const DhcpTime kStart = DhcpTime{} + std::chrono::hours(1);

DhcpClientConfig config() {
  DhcpClientConfig c;
  c.mac = kMac;
  c.xid = kXid;
  c.random_seed = 42;
  c.vendor_class = "nfsroot-init";
  c.timeout = seconds(120);
  return c;
}

// A server's reply; every field has the value of a good OFFER from 10.0.2.2.
struct Reply {
  DhcpMessageType type = DhcpMessageType::Offer;
  std::uint32_t xid = kXid;
  MacAddress mac = kMac;
  Ipv4Address yiaddr = ip4("10.0.2.15");
  Ipv4Address siaddr = ip4("10.0.2.2");
  std::optional<Ipv4Address> server = ip4("10.0.2.2");
  bool lease_options = true;  // netmask, router, DNS, lease time
  std::string message;        // option 56
  std::vector<std::pair<unsigned, std::string>> texts;  // more options: code, value
};

void push_address(std::vector<std::byte>& bytes, Ipv4Address address) {
  for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<std::byte>((address.value >> shift) & 0xff));
}

std::vector<std::byte> reply(const Reply& r) {
  std::vector<std::byte> bytes(240);
  bytes[0] = std::byte{2};
  bytes[1] = std::byte{1};
  bytes[2] = std::byte{6};
  for (int i = 0; i < 4; ++i) bytes[4 + i] = static_cast<std::byte>((r.xid >> (24 - 8 * i)) & 0xff);
  std::vector<std::byte> addresses;
  push_address(addresses, r.yiaddr);
  push_address(addresses, r.siaddr);
  std::copy(addresses.begin(), addresses.end(), bytes.begin() + 16);
  for (int i = 0; i < 6; ++i) bytes[28 + i] = std::byte{r.mac.octets[i]};
  const std::byte cookie[] = {std::byte{99}, std::byte{130}, std::byte{83}, std::byte{99}};
  std::copy(std::begin(cookie), std::end(cookie), bytes.begin() + 236);
  auto option = [&bytes](unsigned code, std::initializer_list<unsigned> data) {
    bytes.push_back(static_cast<std::byte>(code));
    bytes.push_back(static_cast<std::byte>(data.size()));
    for (const unsigned value : data) bytes.push_back(static_cast<std::byte>(value));
  };
  option(53, {static_cast<unsigned>(r.type)});
  if (r.server) {
    bytes.push_back(std::byte{54});
    bytes.push_back(std::byte{4});
    push_address(bytes, *r.server);
  }
  if (r.lease_options) {
    option(1, {255, 255, 255, 0});
    option(3, {10, 0, 2, 2});
    option(6, {10, 0, 2, 3});
    option(51, {0, 0, 0x0e, 0x10});  // 3600 s
  }
  if (!r.message.empty()) {
    bytes.push_back(std::byte{56});
    bytes.push_back(static_cast<std::byte>(r.message.size()));
    for (const char c : r.message) bytes.push_back(static_cast<std::byte>(c));
  }
  for (const auto& [code, text] : r.texts) {
    bytes.push_back(static_cast<std::byte>(code));
    bytes.push_back(static_cast<std::byte>(text.size()));
    for (const char c : text) bytes.push_back(static_cast<std::byte>(c));
  }
  bytes.push_back(std::byte{255});
  return bytes;
}

Reply ack() {
  Reply r;
  r.type = DhcpMessageType::Ack;
  return r;
}

// What the client sent, read back independently of the parser.
struct Sent {
  unsigned type = 0;
  std::uint32_t xid = 0;
  unsigned secs = 0;
  std::map<unsigned, std::vector<unsigned>> options;
  DhcpTime wait_until;
};

Sent sent(const DhcpAction& action) {
  const auto* send = std::get_if<DhcpSend>(&action);
  REQUIRE(send);
  const auto& b = send->payload;
  auto at = [&b](std::size_t i) { return std::to_integer<unsigned>(b.at(i)); };
  REQUIRE(at(0) == 1);
  Sent out;
  out.xid = (at(4) << 24) | (at(5) << 16) | (at(6) << 8) | at(7);
  out.secs = (at(8) << 8) | at(9);
  for (std::size_t i = 240; i < b.size() && at(i) != 255;) {
    if (at(i) == 0) {
      ++i;
      continue;
    }
    auto& data = out.options[at(i)];
    for (std::size_t j = 0; j < at(i + 1); ++j) data.push_back(at(i + 2 + j));
    i += 2 + at(i + 1);
  }
  out.type = out.options.at(53).at(0);
  out.wait_until = send->wait_until;
  return out;
}

constexpr unsigned kDiscover = 1, kRequest = 3;

DhcpTime wait_of(const DhcpAction& action) {
  if (const auto* send = std::get_if<DhcpSend>(&action)) return send->wait_until;
  const auto* wait = std::get_if<DhcpWait>(&action);
  REQUIRE(wait);
  return wait->until;
}

bool noted(const std::vector<std::string>& notes, std::string_view needle) {
  for (const auto& note : notes) {
    if (note.find(needle) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("dhcp client: retransmission delays are 2, 4, 8 … 64 s, each ±25%", "[dhcp_client]") {
  struct Case {
    unsigned attempt;
    long long base_ms;
  };
  const Case cases[] = {{0, 2000}, {1, 4000}, {2, 8000}, {3, 16000}, {4, 32000}, {5, 64000}, {6, 64000}, {40, 64000}};
  for (const auto& c : cases) {
    INFO("attempt " << c.attempt);
    CHECK(retransmit_delay(c.attempt, 0).count() == c.base_ms * 3 / 4);
    CHECK(retransmit_delay(c.attempt, static_cast<std::uint64_t>(c.base_ms / 4)).count() == c.base_ms);
    CHECK(retransmit_delay(c.attempt, static_cast<std::uint64_t>(c.base_ms / 2)).count() == c.base_ms * 5 / 4);
    for (std::uint64_t random : {1ull, 12345ull, 0xffffffffffffffffull, 0x8000000000000000ull}) {
      const auto delay = retransmit_delay(c.attempt, random).count();
      CHECK(delay >= c.base_ms * 3 / 4);
      CHECK(delay <= c.base_ms * 5 / 4);
    }
  }
}

TEST_CASE("dhcp client: after a NAK, restart at once, then 1, 2, 4 … 64 s", "[dhcp_client]") {
  const std::pair<unsigned, long long> cases[] = {{1, 0}, {2, 1000}, {3, 2000}, {4, 4000}, {8, 64000}, {30, 64000}};
  for (const auto& [naks, ms] : cases) {
    INFO("NAK " << naks);
    CHECK(restart_delay(naks) == milliseconds(ms));
  }
}

TEST_CASE("dhcp client: DISCOVER, OFFER, REQUEST, ACK: bound with the lease", "[dhcp_client]") {
  DhcpClientConfig c = config();
  c.client_id = DhcpClientId{0, "node-7"};
  c.host_name = "node7";
  DhcpClient client(c);
  CHECK(client.state() == DhcpState::Init);

  const Sent discover = sent(client.start(kStart));
  CHECK(client.state() == DhcpState::Selecting);
  CHECK(discover.type == kDiscover);
  CHECK(discover.xid == kXid);
  CHECK(discover.secs == 0);
  CHECK(discover.options.at(60).size() == 12);  // "nfsroot-init"
  CHECK(discover.options.at(61) == std::vector<unsigned>{0, 'n', 'o', 'd', 'e', '-', '7'});
  CHECK(discover.options.at(12).size() == 5);
  CHECK_FALSE(discover.options.count(50));
  CHECK_FALSE(discover.options.count(54));
  CHECK(discover.wait_until >= kStart + milliseconds(1500));
  CHECK(discover.wait_until <= kStart + milliseconds(2500));

  const Sent request = sent(client.on_packet(reply({}), kStart + milliseconds(300)));
  CHECK(client.state() == DhcpState::Requesting);
  CHECK(request.type == kRequest);
  CHECK(request.xid == kXid);  // RFC 2131 4.4.1: the REQUEST keeps the OFFER's xid
  CHECK(request.options.at(50) == std::vector<unsigned>{10, 0, 2, 15});
  CHECK(request.options.at(54) == std::vector<unsigned>{10, 0, 2, 2});
  CHECK(request.options.at(61).size() == 7);

  const auto bound = client.on_packet(reply(ack()), kStart + milliseconds(400));
  REQUIRE(std::holds_alternative<DhcpBound>(bound));
  CHECK(client.state() == DhcpState::Bound);
  const DhcpLease& lease = std::get<DhcpBound>(bound).lease;
  CHECK(lease.address == ip4("10.0.2.15"));
  CHECK(lease.netmask == ip4("255.255.255.0"));
  CHECK(lease.broadcast == ip4("10.0.2.255"));
  CHECK(lease.routers == std::vector<Ipv4Address>{ip4("10.0.2.2")});
  CHECK(lease.dns_servers == std::vector<Ipv4Address>{ip4("10.0.2.3")});
  CHECK(lease.server_id == ip4("10.0.2.2"));
  CHECK(lease.next_server == ip4("10.0.2.2"));
  CHECK(lease.lease_seconds == 3600);
  CHECK(lease.renewal_seconds == 1800);    // RFC 2131 4.4.5 defaults
  CHECK(lease.rebinding_seconds == 3150);

  const auto notes = client.take_notes();
  CHECK(noted(notes, "sending DISCOVER 1 (xid 0x1a2b3c4d)"));
  CHECK(noted(notes, "OFFER from 10.0.2.2: 10.0.2.15; requesting it"));
  CHECK(noted(notes, "sending REQUEST 1 for 10.0.2.15 to 10.0.2.2"));
  CHECK(noted(notes, "ACK from 10.0.2.2: 10.0.2.15/255.255.255.0, lease 3600 s"));
  CHECK(client.take_notes().empty());

  // Finished: every later call says the same.
  CHECK(std::holds_alternative<DhcpBound>(client.on_timeout(kStart + seconds(5))));
  CHECK(std::holds_alternative<DhcpBound>(client.on_packet(reply({}), kStart + seconds(5))));
}

TEST_CASE("dhcp client: lease defaults when the ACK leaves things out", "[dhcp_client]") {
  DhcpClient client(config());
  (void)client.start(kStart);
  Reply offer;
  offer.yiaddr = ip4("172.16.5.9");
  offer.siaddr = Ipv4Address{};
  (void)client.on_packet(reply(offer), kStart);
  Reply bare = ack();
  bare.yiaddr = ip4("172.16.5.9");
  bare.siaddr = Ipv4Address{};
  bare.lease_options = false;
  const auto bound = client.on_packet(reply(bare), kStart);
  REQUIRE(std::holds_alternative<DhcpBound>(bound));
  const DhcpLease& lease = std::get<DhcpBound>(bound).lease;
  CHECK(lease.netmask == ip4("255.255.0.0"));  // class B
  CHECK(lease.broadcast == ip4("172.16.255.255"));
  CHECK(lease.next_server.is_unspecified());
  // The ACK has no lease time: the OFFER's 3600 s is used.
  CHECK(lease.lease_seconds == 3600);
  CHECK(noted(client.take_notes(), "no subnet mask (option 1); using the address class's 255.255.0.0"));

  DhcpClient no_times(config());
  (void)no_times.start(kStart);
  Reply offer_without = offer;
  offer_without.lease_options = false;
  (void)no_times.on_packet(reply(offer_without), kStart);
  const auto infinite = no_times.on_packet(reply(bare), kStart);
  REQUIRE(std::holds_alternative<DhcpBound>(infinite));
  CHECK(std::get<DhcpBound>(infinite).lease.lease_seconds == kInfiniteLease);
  CHECK(std::get<DhcpBound>(infinite).lease.renewal_seconds == kInfiniteLease);
}

TEST_CASE("dhcp client: replies that are not for us, or not what we wait for, are ignored with a reason",
          "[dhcp_client]") {
  struct Case {
    const char* name;
    std::vector<std::byte> packet;
    const char* note;
  };
  Reply wrong_xid;
  wrong_xid.xid = 0x99;
  Reply wrong_mac;
  wrong_mac.mac = *MacAddress::parse("52:54:00:00:00:01");
  Reply no_address;
  no_address.yiaddr = Ipv4Address{};
  Reply no_server;
  no_server.server.reset();
  Reply nak;
  nak.type = DhcpMessageType::Nak;
  std::vector<std::byte> bootp = reply({});
  bootp.resize(240);  // no options at all
  std::vector<std::byte> truncated = reply({});
  truncated.resize(200);
  std::vector<std::byte> request = reply({});
  request[0] = std::byte{1};
  const Case cases[] = {
      {"wrong xid", reply(wrong_xid), "ignoring OFFER from 10.0.2.2: transaction id 0x00000099 is not ours (0x1a2b3c4d)"},
      {"wrong MAC", reply(wrong_mac), "ignoring OFFER from 10.0.2.2: for another client (52:54:00:00:00:01)"},
      {"yiaddr 0", reply(no_address), "ignoring OFFER from 10.0.2.2: no address offered (yiaddr 0.0.0.0)"},
      {"no server id", reply(no_server), "ignoring OFFER: no server identifier (option 54)"},
      {"ACK while selecting", reply(ack()), "ignoring ACK from 10.0.2.2: waiting for an OFFER"},
      {"NAK while selecting", reply(nak), "ignoring NAK from 10.0.2.2: waiting for an OFFER"},
      {"BOOTP", bootp, "ignoring a BOOTP reply: no DHCP message type (option 53)"},
      {"truncated", truncated, "ignoring a packet: parse DHCP message: 200 bytes, shorter than the 240"},
      {"a request", request, "ignoring a packet: parse DHCP message: op 1, not a BOOTREPLY (2)"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    DhcpClient client(config());
    const DhcpTime first_wait = wait_of(client.start(kStart));
    (void)client.take_notes();
    const auto action = client.on_packet(c.packet, kStart + milliseconds(100));
    REQUIRE(std::holds_alternative<DhcpWait>(action));
    CHECK(std::get<DhcpWait>(action).until == first_wait);  // the retransmission timer runs on
    CHECK(client.state() == DhcpState::Selecting);
    const auto notes = client.take_notes();
    REQUIRE(notes.size() == 1);
    CHECK(notes[0].find(c.note) == 0);
    // A good OFFER afterwards is still taken.
    CHECK(sent(client.on_packet(reply({}), kStart + milliseconds(200))).type == kRequest);
  }
}

TEST_CASE("dhcp client: DISCOVER retransmits at ~2, 4, 8, 16, 32, 64 s, then fails at the timeout",
          "[dhcp_client]") {
  DhcpClient client(config());
  DhcpAction action = client.start(kStart);
  std::vector<long long> send_ms;
  std::vector<unsigned> secs;
  for (;;) {
    if (!std::holds_alternative<DhcpSend>(action)) break;
    const Sent s = sent(action);
    CHECK(s.type == kDiscover);
    CHECK(s.xid == kXid);  // retransmissions keep the xid (RFC 2131 4.1)
    secs.push_back(s.secs);
    const DhcpTime now = s.wait_until;
    send_ms.push_back(std::chrono::duration_cast<milliseconds>(now - kStart).count());
    CHECK(now <= kStart + seconds(120));
    // Woken early: nothing is sent, the same deadline comes back.
    const auto early = client.on_timeout(now - milliseconds(1));
    REQUIRE(std::holds_alternative<DhcpWait>(early));
    CHECK(std::get<DhcpWait>(early).until == now);
    action = client.on_timeout(now);
  }
  // Each gap lies within ±25% of 2, 4, 8, 16, 32, 64 s; the last wait is cut at the timeout.
  // (Six sends fit in 120 s with seed 42; a seed with early jitter could fit a seventh.)
  REQUIRE(send_ms.size() == 6);
  const long long bases[] = {2000, 4000, 8000, 16000, 32000};
  long long previous = 0;
  for (std::size_t i = 0; i < 5; ++i) {
    INFO("gap " << i);
    CHECK(send_ms[i] - previous >= bases[i] * 3 / 4);
    CHECK(send_ms[i] - previous <= bases[i] * 5 / 4);
    previous = send_ms[i];
  }
  CHECK(send_ms.back() == 120'000);
  // secs counts whole seconds since start(): 0, then the time of each retransmission.
  CHECK(secs[0] == 0);
  for (std::size_t i = 1; i < secs.size(); ++i) CHECK(secs[i] == static_cast<unsigned>(send_ms[i - 1] / 1000));

  REQUIRE(std::holds_alternative<DhcpFailed>(action));
  CHECK(client.state() == DhcpState::Failed);
  const Error& error = std::get<DhcpFailed>(action).error;
  CHECK(error.operation == "DHCP");
  CHECK(error.input == "52:54:00:12:34:56");
  CHECK(error.problem == "no OFFER after 6 DISCOVERs in 120 s");
  CHECK(error.hint.find("cable") != std::string::npos);
  CHECK(error.hint.find("vendor class \"nfsroot-init\" (dhcpclass=)") != std::string::npos);
  CHECK(describe(error).find("DHCP 52:54:00:12:34:56: no OFFER after 6 DISCOVERs in 120 s; check") == 0);
  CHECK(std::holds_alternative<DhcpFailed>(client.on_timeout(kStart + seconds(200))));
}

TEST_CASE("dhcp client: the same seed gives the same schedule; another seed another", "[dhcp_client]") {
  auto schedule = [](std::uint64_t seed) {
    DhcpClientConfig c = config();
    c.random_seed = seed;
    DhcpClient client(c);
    std::vector<DhcpTime> times;
    DhcpAction action = client.start(kStart);
    for (int i = 0; i < 4; ++i) {
      times.push_back(wait_of(action));
      action = client.on_timeout(times.back());
    }
    return times;
  };
  CHECK(schedule(7) == schedule(7));
  CHECK(schedule(7) != schedule(8));
}

TEST_CASE("dhcp client: the failure counts what was ignored", "[dhcp_client]") {
  DhcpClientConfig c = config();
  c.timeout = seconds(10);
  c.vendor_class.clear();
  DhcpClient client(c);
  (void)client.start(kStart);
  Reply wrong_mac;
  wrong_mac.mac = *MacAddress::parse("52:54:00:00:00:01");
  (void)client.on_packet(reply(wrong_mac), kStart + seconds(1));
  const auto action = client.on_timeout(kStart + seconds(10));
  REQUIRE(std::holds_alternative<DhcpFailed>(action));
  const Error& error = std::get<DhcpFailed>(action).error;
  CHECK(error.problem ==
        "no OFFER after 1 DISCOVER in 10 s; 1 packet ignored, the last: OFFER from 10.0.2.2: for another client "
        "(52:54:00:00:00:01)");
  CHECK(error.hint.find("vendor class") == std::string::npos);
}

TEST_CASE("dhcp client: a NAK starts over with a new DISCOVER and a new xid", "[dhcp_client]") {
  DhcpClient client(config());
  (void)client.start(kStart);
  (void)client.on_packet(reply({}), kStart + milliseconds(100));
  Reply nak;
  nak.type = DhcpMessageType::Nak;
  nak.lease_options = false;
  nak.message = "address not available";
  const Sent discover = sent(client.on_packet(reply(nak), kStart + milliseconds(200)));
  CHECK(client.state() == DhcpState::Selecting);
  CHECK(discover.type == kDiscover);
  CHECK(discover.xid != kXid);
  CHECK(client.xid() == discover.xid);
  CHECK(noted(client.take_notes(), "NAK from 10.0.2.2: \"address not available\"; starting over with DISCOVER"));
  // An answer to the old transaction no longer counts.
  CHECK(std::holds_alternative<DhcpWait>(client.on_packet(reply({}), kStart + milliseconds(300))));

  // A second NAK in a row: the DISCOVER waits a second.
  Reply offer;
  offer.xid = discover.xid;
  (void)client.on_packet(reply(offer), kStart + milliseconds(400));
  nak.xid = discover.xid;
  const auto wait = client.on_packet(reply(nak), kStart + milliseconds(500));
  REQUIRE(std::holds_alternative<DhcpWait>(wait));
  CHECK(std::get<DhcpWait>(wait).until == kStart + milliseconds(1500));
  CHECK(client.state() == DhcpState::Init);
  CHECK(std::holds_alternative<DhcpWait>(client.on_packet(reply(offer), kStart + milliseconds(600))));
  const Sent again = sent(client.on_timeout(kStart + milliseconds(1500)));
  CHECK(again.type == kDiscover);
  CHECK(again.secs == 1);
  CHECK(client.state() == DhcpState::Selecting);
}

TEST_CASE("dhcp client: in REQUESTING only the chosen server's ACK or NAK counts", "[dhcp_client]") {
  DhcpClient client(config());
  (void)client.start(kStart);
  const DhcpTime request_wait = sent(client.on_packet(reply({}), kStart)).wait_until;
  (void)client.take_notes();
  Reply other_ack = ack();
  other_ack.server = ip4("10.0.2.9");
  Reply other_nak;
  other_nak.type = DhcpMessageType::Nak;
  other_nak.server = ip4("10.0.2.9");
  Reply offer;
  for (const auto& packet : {reply(other_ack), reply(other_nak), reply(offer)}) {
    const auto action = client.on_packet(packet, kStart + milliseconds(10));
    REQUIRE(std::holds_alternative<DhcpWait>(action));
    CHECK(std::get<DhcpWait>(action).until == request_wait);
    CHECK(client.state() == DhcpState::Requesting);
  }
  const auto notes = client.take_notes();
  CHECK(noted(notes, "ignoring ACK from 10.0.2.9: not the server we asked (10.0.2.2)"));
  CHECK(noted(notes, "ignoring NAK from 10.0.2.9: not the server we asked (10.0.2.2)"));
  CHECK(noted(notes, "ignoring OFFER from 10.0.2.2: waiting for an ACK or NAK"));
  Reply ack_without_address = ack();
  ack_without_address.yiaddr = Ipv4Address{};
  CHECK(std::holds_alternative<DhcpWait>(client.on_packet(reply(ack_without_address), kStart)));
  CHECK(std::holds_alternative<DhcpBound>(client.on_packet(reply(ack()), kStart)));
}

TEST_CASE("dhcp client: an unanswered REQUEST is sent 4 times, then DISCOVER again", "[dhcp_client]") {
  DhcpClient client(config());
  (void)client.start(kStart);
  DhcpAction action = client.on_packet(reply({}), kStart + seconds(1));
  DhcpTime previous = kStart + seconds(1);
  const long long bases[] = {2000, 4000, 8000, 16000};
  for (int i = 0; i < 4; ++i) {
    INFO("REQUEST " << i + 1);
    const Sent request = sent(action);
    CHECK(request.type == kRequest);
    CHECK(request.xid == kXid);
    const auto gap = std::chrono::duration_cast<milliseconds>(request.wait_until - previous).count();
    CHECK(gap >= bases[i] * 3 / 4);
    CHECK(gap <= bases[i] * 5 / 4);
    previous = request.wait_until;
    action = client.on_timeout(previous);
  }
  const Sent discover = sent(action);
  CHECK(discover.type == kDiscover);
  CHECK(discover.xid != kXid);
  CHECK(client.state() == DhcpState::Selecting);
  CHECK(noted(client.take_notes(), "no ACK or NAK after 4 REQUESTs for 10.0.2.15; starting over with DISCOVER"));
}

TEST_CASE("dhcp client: an OFFER and then silence until the timeout fails saying no ACK came", "[dhcp_client]") {
  DhcpClientConfig c = config();
  c.timeout = seconds(20);
  DhcpClient client(c);
  (void)client.start(kStart);
  DhcpAction action = client.on_packet(reply({}), kStart + milliseconds(500));
  while (std::holds_alternative<DhcpSend>(action)) action = client.on_timeout(std::get<DhcpSend>(action).wait_until);
  REQUIRE(std::holds_alternative<DhcpFailed>(action));
  const Error& error = std::get<DhcpFailed>(action).error;
  CHECK(error.problem.find("1 OFFER taken but no ACK after ") == 0);
  CHECK(error.problem.find("REQUESTs (1 DISCOVER sent) in 20 s") != std::string::npos);
  CHECK(error.hint.find("offers but does not confirm") != std::string::npos);
}

TEST_CASE("dhcp client: INIT-REBOOT asks for the known address first", "[dhcp_client]") {
  DhcpClientConfig c = config();
  c.requested_address = ip4("10.0.2.99");

  SECTION("any server's ACK binds") {
    DhcpClient client(c);
    const Sent request = sent(client.start(kStart));
    CHECK(client.state() == DhcpState::Rebooting);
    CHECK(request.type == kRequest);
    CHECK(request.options.at(50) == std::vector<unsigned>{10, 0, 2, 99});
    CHECK_FALSE(request.options.count(54));  // RFC 2131 4.3.2: no server identifier
    Reply acked = ack();
    acked.yiaddr = ip4("10.0.2.99");
    acked.server = ip4("10.0.2.9");
    const auto bound = client.on_packet(reply(acked), kStart);
    REQUIRE(std::holds_alternative<DhcpBound>(bound));
    CHECK(std::get<DhcpBound>(bound).lease.server_id == ip4("10.0.2.9"));
  }
  SECTION("a NAK falls back to DISCOVER at once") {
    DhcpClient client(c);
    (void)client.start(kStart);
    Reply nak;
    nak.type = DhcpMessageType::Nak;
    nak.server = ip4("10.0.2.9");
    CHECK(sent(client.on_packet(reply(nak), kStart + milliseconds(5))).type == kDiscover);
    CHECK(client.state() == DhcpState::Selecting);
  }
  SECTION("no answer: two REQUESTs, then DISCOVER; the failure names both") {
    c.timeout = seconds(30);
    DhcpClient client(c);
    DhcpAction action = client.start(kStart);
    CHECK(sent(action).type == kRequest);
    action = client.on_timeout(sent(action).wait_until);
    CHECK(sent(action).type == kRequest);
    action = client.on_timeout(sent(action).wait_until);
    CHECK(sent(action).type == kDiscover);
    while (std::holds_alternative<DhcpSend>(action)) action = client.on_timeout(std::get<DhcpSend>(action).wait_until);
    REQUIRE(std::holds_alternative<DhcpFailed>(action));
    CHECK(std::get<DhcpFailed>(action).error.problem.find(
              "INIT-REBOOT for 10.0.2.99: no answer to 2 REQUESTs; then no OFFER after ") == 0);
  }
}

TEST_CASE("dhcp client: options dropped from an accepted message are noted", "[dhcp_client]") {
  DhcpClient client(config());
  (void)client.start(kStart);
  auto offer = reply({});
  offer.pop_back();  // END
  for (const unsigned b : {26u, 2u, 0u, 10u, 255u}) offer.push_back(static_cast<std::byte>(b));  // MTU 10
  (void)client.on_packet(offer, kStart);
  CHECK(noted(client.take_notes(), "OFFER from 10.0.2.2: option 26 (interface MTU): 10 is below 68; ignoring it"));
}

TEST_CASE("dhcp client: the lease takes only names, paths and an MTU that are safe to use", "[dhcp_client]") {
  struct Case {
    const char* rule;
    std::vector<std::pair<unsigned, std::string>> texts;
    const char* host_name;
    const char* domain_name;
    const char* root_path;
    std::optional<std::uint16_t> mtu;
    const char* warning;  // "" for none
  };
  const std::string mtu_300{'\x01', '\x2c'};
  const std::string mtu_1400{'\x05', '\x78'};
  const Case cases[] = {
      {"good values are kept", {{12, "node7"}, {15, "lab.example"}, {17, "10.0.2.2:/srv/nfs"}, {26, mtu_1400}},
       "node7", "lab.example", "10.0.2.2:/srv/nfs", 1400, ""},
      {"a host name with dots gives its first label", {{12, "node7.lab.example"}}, "node7", "", "", {}, ""},
      {"a final dot is the absolute form", {{15, "lab.example."}}, "", "lab.example", "", {}, ""},
      {"a path in the host name is refused", {{12, "../../etc"}}, "", "", "", {}, "host name (option 12) '../../etc'"},
      {"a slash is refused", {{12, "a/b"}}, "", "", "", {}, "is not a valid host name"},
      {"a label may not end with a hyphen", {{12, "node-"}}, "", "", "", {}, "is not a valid host name"},
      {"a label of 64 bytes is refused", {{12, std::string(64, 'a')}}, "", "", "", {}, "is not a valid host name"},
      {"localhost names no host", {{12, "localhost"}}, "", "", "", {}, "names no host"},
      {"a newline in the domain is refused, and escaped in the warning", {{15, "lab\nnameserver 10.6.6.6"}}, "", "",
       "", {}, "domain name (option 15) 'lab\\nnameserver 10.6.6.6' is not a valid domain name"},
      {"a newline in the root path is refused", {{17, "10.0.2.2:/srv\nROOTSERVER=x"}}, "", "", "", {},
       "root path (option 17) '10.0.2.2:/srv\\nROOTSERVER=x' holds control characters"},
      {"an MTU below 576 is ignored", {{26, mtu_300}}, "", "", "", {}, "interface MTU (option 26) 300 is below 576"},
  };
  for (const auto& c : cases) {
    INFO(c.rule);
    DhcpClient client(config());
    (void)client.start(kStart);
    (void)client.on_packet(reply({}), kStart);
    Reply answer = ack();
    answer.texts = c.texts;
    const auto bound = client.on_packet(reply(answer), kStart);
    REQUIRE(std::holds_alternative<DhcpBound>(bound));
    const DhcpLease& lease = std::get<DhcpBound>(bound).lease;
    CHECK(lease.host_name == c.host_name);
    CHECK(lease.domain_name == c.domain_name);
    CHECK(lease.root_path == c.root_path);
    CHECK(lease.mtu == c.mtu);
    if (*c.warning) {
      REQUIRE(lease.warnings.size() == 1);
      CHECK(lease.warnings[0].find(c.warning) != std::string::npos);
    } else {
      CHECK(lease.warnings.empty());
    }
  }
}

TEST_CASE("dhcp client: a NAK's message is escaped where it is kept for the log", "[dhcp_client]") {
  DhcpClient client(config());
  (void)client.start(kStart);
  (void)client.on_packet(reply({}), kStart);
  Reply nak = ack();
  nak.type = DhcpMessageType::Nak;
  nak.message = "wrong network\n<0>nfsroot-init: fake\x1b[2J";
  (void)client.on_packet(reply(nak), kStart);
  const auto notes = client.take_notes();
  CHECK(noted(notes, "NAK from 10.0.2.2: \"wrong network\\n<0>nfsroot-init: fake\\x1b[2J\"; starting over"));
  for (const auto& note : notes) CHECK(note.find_first_of("\n\x1b") == std::string::npos);
}

TEST_CASE("dhcp client: state names", "[dhcp_client]") {
  CHECK(to_string(DhcpState::Selecting) == "SELECTING");
  CHECK(to_string(DhcpState::Rebooting) == "REBOOTING");
}
