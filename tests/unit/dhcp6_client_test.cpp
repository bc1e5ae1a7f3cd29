// The DHCPv6 client state machine, driven by hand: time is a value, packets are byte vectors
// (dnsmasq 2.90's real ADVERTISE, or a server's message built here field by field).
#include "net/dhcp6_client.h"
#include "network/dhcp6_exchange.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cerrno>
#include <deque>
#include <map>
#include <memory>
#include <string>

using namespace nfsroot;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

std::vector<std::byte> from_hex(std::string_view hex) {
  std::vector<std::byte> bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes.push_back(static_cast<std::byte>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return bytes;
}

Ipv6Address ip6(std::string_view text) { return *Ipv6Address::parse(text); }

const MacAddress kMac = *MacAddress::parse("52:54:00:12:34:56");
const std::vector<std::byte> kClientId = duid_ll(kMac);
const std::vector<std::byte> kServerA = from_hex("0001000132a95ef98e86b196fa06");  // dnsmasq's DUID-LLT
const std::vector<std::byte> kServerB = from_hex("00030001525400aabbcc");
constexpr std::uint32_t kXid = 0x123456;
const DhcpTime kStart = DhcpTime{} + std::chrono::hours(1);

// The SOLICIT and dnsmasq's ADVERTISE from tests/unit/dhcp6_message_test.cpp (captured on veths:
// dnsmasq 2.90, --dhcp-range=fd00:99::10,fd00:99::20,64,1h, DNS fd00:99::53, domains
// lab.example and example.org, bootfile-url nfs://[fd00:99::1]/srv/root). ADVERTISE: xid
// 0x123456, our DUID-LL, server DUID-LLT 0001000132a95ef98e86b196fa06, IA_NA 1 T1 1800 T2 3150
// holding fd00:99::1f preferred 3600 valid 3600, status success, no preference option.
constexpr std::string_view kSolicit =
    "011234560001000a000300015254001234560003000c0000000100000000000000000008000200000006000600170018003b";
constexpr std::string_view kAdvertise =
    "021234560001000a000300015254001234560002000e0001000132a95ef98e86b196fa0600030028000000010000070800000c4e0005"
    "0018fd00009900000000000000000000001f00000e1000000e10000d00090000737563636573730007000100003b001b6e66733a2f2f"
    "5b666430303a39393a3a315d2f7372762f726f6f740018001a036c6162076578616d706c6500076578616d706c65036f726700001700"
    "10fd000099000000000000000000000053";
// dnsmasq's answer to it was this REQUEST (xid 0x654321; ours draws its own).
constexpr std::string_view kRequest =
    "036543210001000a000300015254001234560002000e0001000132a95ef98e86b196fa060003002800000001000000000000000000"
    "050018fd00009900000000000000000000001f00000000000000000008000200000006000600170018003b";

Dhcp6ClientConfig config() {
  Dhcp6ClientConfig c;
  c.mac = kMac;
  c.iaid = 1;
  c.transaction_id = kXid;
  c.random_seed = 42;
  c.timeout = seconds(120);
  c.max_first_delay = milliseconds(0);
  return c;
}

void put16(std::vector<std::byte>& out, unsigned value) {
  out.push_back(static_cast<std::byte>(value >> 8));
  out.push_back(static_cast<std::byte>(value));
}
void put32(std::vector<std::byte>& out, std::uint32_t value) {
  put16(out, value >> 16);
  put16(out, value & 0xffff);
}
void put_option(std::vector<std::byte>& out, unsigned code, std::span<const std::byte> data) {
  put16(out, code);
  put16(out, static_cast<unsigned>(data.size()));
  out.insert(out.end(), data.begin(), data.end());
}

// A server's ADVERTISE or REPLY (RFC 8415 8, 21); the defaults make a good ADVERTISE from A.
struct Server {
  Dhcp6MessageType type = Dhcp6MessageType::Advertise;
  std::uint32_t xid = kXid;
  std::vector<std::byte> client_id = kClientId;
  std::vector<std::byte> server_id = kServerA;
  std::optional<unsigned> preference;
  std::optional<Dhcp6Status> status;  // the message's
  bool ia = true;
  std::uint32_t iaid = 1;
  std::uint32_t t1 = 1800;
  std::uint32_t t2 = 3150;
  std::optional<Dhcp6Status> ia_status;
  std::vector<Dhcp6Address> addresses = {{ip6("fd00:99::1f"), 3600, 3600}};
  std::vector<Ipv6Address> dns = {ip6("fd00:99::53")};
};

std::vector<std::byte> message(const Server& s) {
  std::vector<std::byte> out;
  put32(out, static_cast<std::uint32_t>(s.type) << 24 | s.xid);
  if (!s.client_id.empty()) put_option(out, 1, s.client_id);
  if (!s.server_id.empty()) put_option(out, 2, s.server_id);
  if (s.preference) put_option(out, 7, std::vector<std::byte>{static_cast<std::byte>(*s.preference)});
  if (s.status) {
    std::vector<std::byte> data;
    put16(data, static_cast<unsigned>(*s.status));
    put_option(out, 13, data);
  }
  if (s.ia) {
    std::vector<std::byte> data;
    put32(data, s.iaid);
    put32(data, s.t1);
    put32(data, s.t2);
    for (const auto& a : s.addresses) {
      std::vector<std::byte> address;
      for (const auto octet : a.address.octets) address.push_back(std::byte{octet});
      put32(address, a.preferred_seconds);
      put32(address, a.valid_seconds);
      put_option(data, 5, address);
    }
    if (s.ia_status) {
      std::vector<std::byte> status;
      put16(status, static_cast<unsigned>(*s.ia_status));
      for (const char c : std::string_view("no room")) status.push_back(static_cast<std::byte>(c));
      put_option(data, 13, status);
    }
    put_option(out, 3, data);
  }
  if (!s.dns.empty()) {
    std::vector<std::byte> data;
    for (const auto& a : s.dns) {
      for (const auto octet : a.octets) data.push_back(std::byte{octet});
    }
    put_option(out, 23, data);
  }
  return out;
}

Server reply_from(std::uint32_t xid, std::vector<std::byte> server = kServerA) {
  Server s;
  s.type = Dhcp6MessageType::Reply;
  s.xid = xid;
  s.server_id = std::move(server);
  return s;
}

// What the client sent, read back without the codec's parser: the header and the top-level
// options by code.
struct Sent {
  unsigned type = 0;
  std::uint32_t xid = 0;
  std::map<unsigned, std::vector<std::byte>> options;
  std::vector<std::byte> bytes;
  DhcpTime wait_until;
  unsigned elapsed() const {
    const auto& e = options.at(8);
    return std::to_integer<unsigned>(e.at(0)) << 8 | std::to_integer<unsigned>(e.at(1));
  }
};

Sent sent(const Dhcp6Action& action) {
  const auto* send = std::get_if<Dhcp6Send>(&action);
  REQUIRE(send);
  const auto& b = send->payload;
  const auto at = [&b](std::size_t i) { return std::to_integer<unsigned>(b.at(i)); };
  Sent out;
  out.type = at(0);
  out.xid = at(1) << 16 | at(2) << 8 | at(3);
  for (std::size_t i = 4; i < b.size();) {
    const unsigned code = at(i) << 8 | at(i + 1);
    const std::size_t length = at(i + 2) << 8 | at(i + 3);
    out.options[code].assign(b.begin() + static_cast<std::ptrdiff_t>(i + 4),
                             b.begin() + static_cast<std::ptrdiff_t>(i + 4 + length));
    i += 4 + length;
  }
  out.bytes = b;
  out.wait_until = send->wait_until;
  return out;
}

constexpr unsigned kSolicitType = 1, kRequestType = 3;

DhcpTime wait_of(const Dhcp6Action& action) {
  if (const auto* send = std::get_if<Dhcp6Send>(&action)) return send->wait_until;
  const auto* wait = std::get_if<Dhcp6Wait>(&action);
  REQUIRE(wait);
  return wait->until;
}

bool noted(const std::vector<std::string>& notes, std::string_view needle) {
  for (const auto& note : notes) {
    if (note.find(needle) != std::string::npos) return true;
  }
  return false;
}

long long ms(DhcpTime::duration d) { return std::chrono::duration_cast<milliseconds>(d).count(); }

std::string hex(std::span<const std::byte> bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string text;
  for (const auto b : bytes) {
    text += digits[std::to_integer<unsigned>(b) >> 4];
    text += digits[std::to_integer<unsigned>(b) & 0xf];
  }
  return text;
}

// A client that has sent its REQUEST to server A for the default ADVERTISE.
struct Requesting {
  Dhcp6Client client;
  Sent request;
  explicit Requesting(Dhcp6ClientConfig c = config()) : client(std::move(c)) {
    const Sent solicit = sent(client.start(kStart));
    Server advertise;
    advertise.preference = 255;  // taken at once
    request = sent(client.on_packet(message(advertise), kStart + milliseconds(100)));
    REQUIRE(request.type == kRequestType);
    REQUIRE(client.state() == Dhcp6State::Request);
  }
};

}  // namespace

TEST_CASE("dhcp6 client: RT = IRT + RAND*IRT, then 2*RTprev + RAND*RTprev, past MRT MRT + RAND*MRT (RFC 8415 15)",
          "[dhcp6_client]") {
  struct Case {
    long long previous, initial, maximum;
    int rand;  // ten-thousandths
    long long rt;
  };
  const Case cases[] = {
      {0, 1000, 3'600'000, 1, 1000},        // the smallest first SOLICIT RT: 1.0001 s, in ms
      {0, 1000, 3'600'000, 1000, 1100},     // RAND +0.1
      {0, 1000, 30'000, -1000, 900},        // a REQUEST's first RT may be below IRT
      {1100, 1000, 3'600'000, 0, 2200},
      {1100, 1000, 3'600'000, 1000, 2310},  // 2.1 * RTprev
      {1100, 1000, 3'600'000, -1000, 2090}, // 1.9 * RTprev
      {16'000, 1000, 30'000, 0, 30'000},    // 32 s > REQ_MAX_RT: MRT + RAND*MRT
      {16'000, 1000, 30'000, 1000, 33'000},
      {30'000, 1000, 30'000, -1000, 27'000},
      {2'000'000, 1000, 3'600'000, 500, 3'780'000},  // SOL_MAX_RT 3600 s + 5%
      {2'000'000, 1000, 0, 0, 4'000'000},   // MRT 0: no cap
  };
  for (const auto& c : cases) {
    INFO("previous " << c.previous << " rand " << c.rand);
    CHECK(dhcp6_retransmit_time(milliseconds(c.previous), milliseconds(c.initial), milliseconds(c.maximum), c.rand) ==
          milliseconds(c.rt));
  }
}

TEST_CASE("dhcp6 client: RAND is -0.1..+0.1, above 0 for the first SOLICIT RT (RFC 8415 15, 18.2.1)",
          "[dhcp6_client]") {
  CHECK(dhcp6_rand(0, Dhcp6Rand::Any) == -1000);
  CHECK(dhcp6_rand(1000, Dhcp6Rand::Any) == 0);
  CHECK(dhcp6_rand(2000, Dhcp6Rand::Any) == 1000);
  CHECK(dhcp6_rand(0, Dhcp6Rand::Positive) == 1);
  CHECK(dhcp6_rand(999, Dhcp6Rand::Positive) == 1000);
  for (std::uint64_t random : {1ull, 12345ull, 0xffffffffffffffffull, 0x8000000000000000ull}) {
    CHECK(dhcp6_rand(random, Dhcp6Rand::Any) >= -1000);
    CHECK(dhcp6_rand(random, Dhcp6Rand::Any) <= 1000);
    CHECK(dhcp6_rand(random, Dhcp6Rand::Positive) >= 1);
    CHECK(dhcp6_rand(random, Dhcp6Rand::Positive) <= 1000);
  }
}

TEST_CASE("dhcp6 client: SOLICIT, dnsmasq's ADVERTISE, REQUEST, REPLY: bound with the lease", "[dhcp6_client]") {
  Dhcp6Client client(config());
  CHECK(client.state() == Dhcp6State::Init);
  const Sent solicit = sent(client.start(kStart));
  CHECK(client.state() == Dhcp6State::Solicit);
  CHECK(hex(solicit.bytes) == kSolicit);  // the very bytes dnsmasq answered
  // RFC 8415 18.2.1: the first RT is above IRT (RAND > 0), at most 1.1 s.
  CHECK(ms(solicit.wait_until - kStart) > 1000);
  CHECK(ms(solicit.wait_until - kStart) <= 1100);

  // ADVERTISEs are collected until the first RT has passed.
  const auto collected = client.on_packet(from_hex(kAdvertise), kStart + milliseconds(300));
  CHECK(wait_of(collected) == solicit.wait_until);
  CHECK(client.state() == Dhcp6State::Solicit);

  const Sent request = sent(client.on_timeout(solicit.wait_until));
  CHECK(client.state() == Dhcp6State::Request);
  CHECK(request.type == kRequestType);
  CHECK(request.xid != kXid);  // a new exchange, a new transaction id (RFC 8415 16.1)
  CHECK(request.xid == client.transaction_id());
  CHECK(request.elapsed() == 0);  // the first message of its exchange (RFC 8415 21.9)
  // Past the header, the bytes of the REQUEST dnsmasq answered: its server id, the advertised
  // fd00:99::1f in IA_NA 1.
  CHECK(hex(request.bytes).substr(8) == kRequest.substr(8));

  Server reply = reply_from(request.xid);
  reply.dns = {ip6("fd00:99::53"), ip6("fd00:99::54")};
  const auto bound = client.on_packet(message(reply), solicit.wait_until + milliseconds(5));
  REQUIRE(std::holds_alternative<Dhcp6Bound>(bound));
  CHECK(client.state() == Dhcp6State::Bound);
  const Dhcp6Lease& lease = std::get<Dhcp6Bound>(bound).lease;
  CHECK(lease.address == ip6("fd00:99::1f"));
  CHECK(lease.preferred_seconds == 3600);
  CHECK(lease.valid_seconds == 3600);
  CHECK(lease.t1_seconds == 1800);
  CHECK(lease.t2_seconds == 3150);
  CHECK(lease.iaid == 1);
  CHECK(lease.server_id == kServerA);
  CHECK(lease.dns_servers == std::vector<Ipv6Address>{ip6("fd00:99::53"), ip6("fd00:99::54")});

  const auto notes = client.take_notes();
  CHECK(noted(notes, "sending SOLICIT 1 (transaction 0x123456)"));
  CHECK(noted(notes, "ADVERTISE from 0001000132a95ef98e86b196fa06: preference 0; the best so far"));
  CHECK(noted(notes, "sending REQUEST 1 to 0001000132a95ef98e86b196fa06 for fd00:99::1f"));
  CHECK(noted(notes, "REPLY from 0001000132a95ef98e86b196fa06: fd00:99::1f, preferred 3600 s, valid 3600 s, T1 "
                     "1800 s, T2 3150 s"));
  CHECK(client.take_notes().empty());

  // Finished: every later call says the same.
  CHECK(std::holds_alternative<Dhcp6Bound>(client.on_timeout(kStart + seconds(5))));
  CHECK(std::holds_alternative<Dhcp6Bound>(client.on_packet(message(reply), kStart + seconds(5))));
}

TEST_CASE("dhcp6 client: the lease carries the REPLY's domain list and bootfile URL", "[dhcp6_client]") {
  Requesting r;
  // dnsmasq's ADVERTISE turned into a REPLY for our transaction: type 7, the REQUEST's xid.
  auto bytes = from_hex(kAdvertise);
  bytes[0] = std::byte{7};
  bytes[1] = static_cast<std::byte>(r.request.xid >> 16);
  bytes[2] = static_cast<std::byte>(r.request.xid >> 8);
  bytes[3] = static_cast<std::byte>(r.request.xid);
  const auto bound = r.client.on_packet(bytes, kStart + milliseconds(200));
  REQUIRE(std::holds_alternative<Dhcp6Bound>(bound));
  const auto& lease = std::get<Dhcp6Bound>(bound).lease;
  CHECK(lease.domain_list == std::vector<std::string>{"lab.example", "example.org"});
  CHECK(lease.bootfile_url == "nfs://[fd00:99::1]/srv/root");
  CHECK(lease.dns_servers == std::vector<Ipv6Address>{ip6("fd00:99::53")});
}

TEST_CASE("dhcp6 client: the highest preference wins, the first of equals, 255 at once (RFC 8415 18.2.9)",
          "[dhcp6_client]") {
  SECTION("the higher preference, though later") {
    Dhcp6Client client(config());
    const Sent solicit = sent(client.start(kStart));
    Server a;
    a.preference = 10;
    Server b = a;
    b.server_id = kServerB;
    b.preference = 200;
    b.addresses = {{ip6("fd00:99::2b"), 3600, 7200}};
    CHECK(wait_of(client.on_packet(message(a), kStart + milliseconds(10))) == solicit.wait_until);
    CHECK(wait_of(client.on_packet(message(b), kStart + milliseconds(20))) == solicit.wait_until);
    // Woken early: nothing is due yet.
    CHECK(wait_of(client.on_timeout(kStart + milliseconds(500))) == solicit.wait_until);
    const Sent request = sent(client.on_timeout(solicit.wait_until));
    CHECK(request.options.at(2) == kServerB);
    CHECK(hex(request.options.at(3)).find("fd00009900000000000000000000002b") != std::string::npos);
  }
  SECTION("of equal preferences, the first") {
    Dhcp6Client client(config());
    const Sent solicit = sent(client.start(kStart));
    Server a;
    Server b;
    b.server_id = kServerB;
    (void)client.on_packet(message(a), kStart + milliseconds(10));
    (void)client.on_packet(message(b), kStart + milliseconds(20));
    CHECK(sent(client.on_timeout(solicit.wait_until)).options.at(2) == kServerA);
    CHECK(noted(client.take_notes(), "preference 0, not above 0"));
  }
  SECTION("255: the REQUEST goes at once") {
    Dhcp6Client client(config());
    (void)client.start(kStart);
    Server b;
    b.server_id = kServerB;
    b.preference = 255;
    const Sent request = sent(client.on_packet(message(b), kStart + milliseconds(10)));
    CHECK(request.type == kRequestType);
    CHECK(request.options.at(2) == kServerB);
  }
  SECTION("after the first RT, the first good ADVERTISE is taken") {
    Dhcp6Client client(config());
    const Sent first = sent(client.start(kStart));
    const Sent second = sent(client.on_timeout(first.wait_until));
    CHECK(second.type == kSolicitType);
    const Sent request = sent(client.on_packet(message(Server{}), first.wait_until + milliseconds(10)));
    CHECK(request.type == kRequestType);
    CHECK(request.options.at(2) == kServerA);
  }
}

TEST_CASE("dhcp6 client: SOLICIT RT doubles ±10% up to SOL_MAX_RT 3600 s, one transaction id", "[dhcp6_client]") {
  Dhcp6ClientConfig c = config();
  c.timeout = std::chrono::hours(10);
  Dhcp6Client client(c);
  DhcpTime now = kStart;
  Sent s = sent(client.start(now));
  long long previous = ms(s.wait_until - now);
  CHECK(previous > 1000);
  CHECK(previous <= 1100);
  std::vector<long long> rts{previous};
  bool capped = false;
  for (int i = 0; i < 20; ++i) {
    now = s.wait_until;
    s = sent(client.on_timeout(now));
    CHECK(s.type == kSolicitType);
    CHECK(s.xid == kXid);  // RFC 8415 15: retransmissions keep the transaction id
    const long long rt = ms(s.wait_until - now);
    INFO("send " << i + 2 << ": previous " << previous << " ms, now " << rt << " ms");
    if (2 * previous * 9 / 10 > 3'600'000) capped = true;  // even 1.9 * RTprev is past MRT
    if (capped) {
      CHECK(rt >= 3'240'000);  // MRT ± 10%
      CHECK(rt <= 3'960'000);
    } else if (rt < 3'240'000) {
      CHECK(rt >= previous * 19 / 10);
      CHECK(rt <= previous * 21 / 10 + 1);
    }
    rts.push_back(rt);
    previous = rt;
  }
  CHECK(capped);
  // The same seed gives the same timings; another gives others.
  Dhcp6Client same(c);
  Sent t = sent(same.start(kStart));
  CHECK(ms(t.wait_until - kStart) == rts[0]);
  for (std::size_t i = 1; i < 6; ++i) {
    const DhcpTime at = t.wait_until;
    t = sent(same.on_timeout(at));
    CHECK(ms(t.wait_until - at) == rts[i]);
  }
  c.random_seed = 43;
  Dhcp6Client other(c);
  CHECK(ms(sent(other.start(kStart)).wait_until - kStart) != rts[0]);
}

TEST_CASE("dhcp6 client: the first SOLICIT waits a random 0..SOL_MAX_DELAY when asked (RFC 8415 18.2.1)",
          "[dhcp6_client]") {
  Dhcp6ClientConfig c = config();
  c.max_first_delay = kSolMaxDelay;
  for (std::uint64_t seed : {1ull, 2ull, 3ull, 42ull}) {
    c.random_seed = seed;
    Dhcp6Client client(c);
    const auto first = client.start(kStart);
    if (std::holds_alternative<Dhcp6Send>(first)) continue;  // a delay of 0 drawn
    const DhcpTime at = wait_of(first);
    CHECK(ms(at - kStart) > 0);
    CHECK(ms(at - kStart) <= 1000);
    CHECK(client.state() == Dhcp6State::Init);
    CHECK(wait_of(client.on_timeout(at - milliseconds(1))) == at);
    const Sent solicit = sent(client.on_timeout(at));
    CHECK(solicit.type == kSolicitType);
    CHECK(solicit.elapsed() == 0);  // from the first send, not from start()
  }
}

TEST_CASE("dhcp6 client: REQUEST RT up to REQ_MAX_RT 30 s, REQ_MAX_RC 10 sends, then SOLICIT again",
          "[dhcp6_client]") {
  Dhcp6ClientConfig c = config();
  c.timeout = seconds(600);  // the 10 sends take about 181 s
  Requesting r(c);
  DhcpTime now = kStart + milliseconds(100);
  Sent s = r.request;
  long long previous = ms(s.wait_until - now);
  CHECK(previous >= 900);  // a REQUEST's RAND may be negative
  CHECK(previous <= 1100);
  for (unsigned send = 2; send <= kReqMaxRc; ++send) {
    now = s.wait_until;
    s = sent(r.client.on_timeout(now));
    CHECK(s.type == kRequestType);
    CHECK(s.xid == r.request.xid);
    const long long rt = ms(s.wait_until - now);
    INFO("REQUEST " << send << ": " << rt << " ms");
    CHECK(rt <= 33'000);
    if (previous * 19 / 10 > 30'000) CHECK(rt >= 27'000);
    previous = rt;
  }
  CHECK(previous >= 27'000);  // the last ones are capped
  now = s.wait_until;
  const Sent solicit = sent(r.client.on_timeout(now));
  CHECK(solicit.type == kSolicitType);
  CHECK(solicit.xid != r.request.xid);
  CHECK(solicit.elapsed() == 0);
  CHECK(r.client.state() == Dhcp6State::Solicit);
  CHECK(noted(r.client.take_notes(), "no REPLY after 10 REQUESTs to 0001000132a95ef98e86b196fa06; starting over"));
}

TEST_CASE("dhcp6 client: elapsed time counts hundredths from the exchange's first send, 0xffff at most (RFC 8415 "
          "21.9)",
          "[dhcp6_client]") {
  Dhcp6ClientConfig c = config();
  c.timeout = std::chrono::hours(10);
  // Sent at the first RT's end: its hundredths.
  Dhcp6Client again(c);
  const Sent first = sent(again.start(kStart));
  CHECK(first.elapsed() == 0);
  const Sent second = sent(again.on_timeout(first.wait_until));
  CHECK(second.elapsed() == static_cast<unsigned>(ms(first.wait_until - kStart) / 10));
  // Late timeouts: the value reaches 655.35 s and stays there.
  Sent later = second;
  while (later.wait_until - kStart < seconds(655)) later = sent(again.on_timeout(later.wait_until));
  CHECK(later.elapsed() < 0xffff);
  later = sent(again.on_timeout(later.wait_until));
  CHECK(later.elapsed() == 0xffff);
}

TEST_CASE("dhcp6 client: another transaction's or client's message moves nothing", "[dhcp6_client]") {
  Dhcp6Client client(config());
  const Sent solicit = sent(client.start(kStart));
  Server other_xid;
  other_xid.xid = kXid ^ 1;
  other_xid.preference = 255;
  CHECK(wait_of(client.on_packet(message(other_xid), kStart + milliseconds(10))) == solicit.wait_until);
  Server other_client;
  other_client.client_id = duid_ll(*MacAddress::parse("52:54:00:12:34:57"));
  other_client.preference = 255;
  CHECK(wait_of(client.on_packet(message(other_client), kStart + milliseconds(20))) == solicit.wait_until);
  Server no_server_id;
  no_server_id.server_id.clear();
  no_server_id.preference = 255;
  CHECK(wait_of(client.on_packet(message(no_server_id), kStart + milliseconds(30))) == solicit.wait_until);
  CHECK(wait_of(client.on_packet(from_hex("0712"), kStart + milliseconds(40))) == solicit.wait_until);
  // A REPLY while soliciting (no Rapid Commit asked): not an ADVERTISE.
  CHECK(wait_of(client.on_packet(message(reply_from(kXid)), kStart + milliseconds(50))) == solicit.wait_until);
  CHECK(client.state() == Dhcp6State::Solicit);
  CHECK(client.transaction_id() == kXid);
  const auto notes = client.take_notes();
  CHECK(noted(notes, "transaction id 1193047 is not ours (1193046)"));
  CHECK(noted(notes, "another client's identifier"));
  CHECK(noted(notes, "no server identifier"));
  CHECK(noted(notes, "shorter than the 4-byte header"));
  CHECK(noted(notes, "REPLY from 0001000132a95ef98e86b196fa06: waiting for an ADVERTISE"));
  // Nothing was collected: the first RT ends with a second SOLICIT.
  CHECK(sent(client.on_timeout(solicit.wait_until)).type == kSolicitType);

  // While requesting, a REPLY to the SOLICIT's transaction is late and not ours.
  Requesting r;
  CHECK(wait_of(r.client.on_packet(message(reply_from(kXid)), kStart + milliseconds(150))) == r.request.wait_until);
  CHECK(r.client.state() == Dhcp6State::Request);
}

TEST_CASE("dhcp6 client: a REPLY from another server than the one asked is ignored", "[dhcp6_client]") {
  Requesting r;
  CHECK(wait_of(r.client.on_packet(message(reply_from(r.request.xid, kServerB)), kStart + milliseconds(150))) ==
        r.request.wait_until);
  CHECK(r.client.state() == Dhcp6State::Request);
  CHECK(noted(r.client.take_notes(), "REPLY from 00030001525400aabbcc: not the server we asked"));
  CHECK(std::holds_alternative<Dhcp6Bound>(
      r.client.on_packet(message(reply_from(r.request.xid)), kStart + milliseconds(160))));
}

TEST_CASE("dhcp6 client: ADVERTISEs without addresses are no offers (RFC 8415 18.2.9)", "[dhcp6_client]") {
  Dhcp6Client client(config());
  const Sent solicit = sent(client.start(kStart));
  Server message_status;  // NoAddrsAvail for the whole message, as ISC and Kea send it
  message_status.status = Dhcp6Status::NoAddrsAvail;
  message_status.addresses.clear();
  message_status.preference = 255;
  Server ia_status;  // in the IA_NA, as dnsmasq sends it
  ia_status.server_id = kServerB;
  ia_status.ia_status = Dhcp6Status::NoAddrsAvail;
  ia_status.addresses.clear();
  ia_status.preference = 255;
  Server other_iaid;
  other_iaid.iaid = 2;
  other_iaid.preference = 255;
  CHECK(wait_of(client.on_packet(message(message_status), kStart + milliseconds(10))) == solicit.wait_until);
  CHECK(wait_of(client.on_packet(message(ia_status), kStart + milliseconds(20))) == solicit.wait_until);
  CHECK(wait_of(client.on_packet(message(other_iaid), kStart + milliseconds(30))) == solicit.wait_until);
  const auto notes = client.take_notes();
  CHECK(noted(notes, "ADVERTISE from 0001000132a95ef98e86b196fa06: NoAddrsAvail; ignoring it"));
  CHECK(noted(notes, "ADVERTISE from 00030001525400aabbcc: IA_NA 1: NoAddrsAvail (\"no room\"); ignoring it"));
  CHECK(noted(notes, "no IA_NA 1; ignoring it"));
  CHECK(sent(client.on_timeout(solicit.wait_until)).type == kSolicitType);
}

TEST_CASE("dhcp6 client: NoAddrsAvail or NotOnLink for the REQUEST: SOLICIT again, slower each time",
          "[dhcp6_client]") {
  Requesting r;
  Server refused = reply_from(r.request.xid);
  refused.ia_status = Dhcp6Status::NoAddrsAvail;
  refused.addresses.clear();
  const DhcpTime at = kStart + milliseconds(200);
  const Sent solicit = sent(r.client.on_packet(message(refused), at));  // the first at once
  CHECK(solicit.type == kSolicitType);
  CHECK(solicit.xid != r.request.xid);
  CHECK(solicit.xid != kXid);
  CHECK(solicit.elapsed() == 0);
  CHECK(noted(r.client.take_notes(), "IA_NA 1: NoAddrsAvail (\"no room\"); starting over with SOLICIT"));

  Server advertise;
  advertise.xid = solicit.xid;
  advertise.preference = 255;
  const Sent request = sent(r.client.on_packet(message(advertise), at + milliseconds(10)));
  Server not_on_link = reply_from(request.xid);
  not_on_link.status = Dhcp6Status::NotOnLink;
  // The second refusal waits 1 s before the SOLICIT (net/dhcp_client.h's restart_delay).
  const auto waiting = r.client.on_packet(message(not_on_link), at + milliseconds(20));
  REQUIRE(std::holds_alternative<Dhcp6Wait>(waiting));
  CHECK(wait_of(waiting) == at + milliseconds(20) + seconds(1));
  CHECK(r.client.state() == Dhcp6State::Init);
  CHECK(wait_of(r.client.on_packet(message(advertise), at + milliseconds(30))) == wait_of(waiting));
  CHECK(sent(r.client.on_timeout(wait_of(waiting))).type == kSolicitType);
}

TEST_CASE("dhcp6 client: addresses a server may not give are discarded (RFC 8415 21.6)", "[dhcp6_client]") {
  struct Case {
    const char* why;
    Dhcp6Address address;
  };
  const Case cases[] = {
      {"a link-local address", {ip6("fe80::1"), 3600, 3600}},
      {"a multicast address", {ip6("ff02::1"), 3600, 3600}},
      {"a loopback address", {ip6("::1"), 3600, 3600}},
      {"the unspecified address", {ip6("::"), 3600, 3600}},
      {"an IPv4-mapped address", {ip6("::ffff:10.0.2.15"), 3600, 3600}},
      {"valid lifetime 0", {ip6("fd00:99::30"), 0, 0}},
  };
  for (const auto& c : cases) {
    INFO(c.why);
    // Alone in an ADVERTISE: no offer.
    Dhcp6Client client(config());
    const Sent solicit = sent(client.start(kStart));
    Server bad;
    bad.preference = 255;
    bad.addresses = {c.address};
    CHECK(wait_of(client.on_packet(message(bad), kStart + milliseconds(10))) == solicit.wait_until);
    CHECK(noted(client.take_notes(), std::string(c.why) + "; ignoring it"));
    // Before a good one in the REPLY: the good one is bound.
    Requesting r;
    Server reply = reply_from(r.request.xid);
    reply.addresses.insert(reply.addresses.begin(), c.address);
    const auto bound = r.client.on_packet(message(reply), kStart + milliseconds(200));
    REQUIRE(std::holds_alternative<Dhcp6Bound>(bound));
    CHECK(std::get<Dhcp6Bound>(bound).lease.address == ip6("fd00:99::1f"));
    // Alone in the REPLY: no lease, SOLICIT again.
    Requesting alone;
    Server only_bad = reply_from(alone.request.xid);
    only_bad.addresses = {c.address};
    CHECK(sent(alone.client.on_packet(message(only_bad), kStart + milliseconds(200))).type == kSolicitType);
    CHECK(noted(alone.client.take_notes(), "no usable address"));
  }
  // Preferred above valid: the codec drops it (21.6), so the REPLY has no address.
  Requesting r;
  Server reply = reply_from(r.request.xid);
  reply.addresses = {{ip6("fd00:99::31"), 7200, 3600}};
  CHECK(sent(r.client.on_packet(message(reply), kStart + milliseconds(200))).type == kSolicitType);
  const auto notes = r.client.take_notes();
  CHECK(noted(notes, "preferred lifetime 7200 s above the valid 3600 s"));
  CHECK(noted(notes, "IA_NA 1: no usable address"));
}

TEST_CASE("dhcp6 client: T1 and T2 0 are 0.5 and 0.8 of the shortest preferred lifetime (RFC 8415 21.4)",
          "[dhcp6_client]") {
  struct Case {
    std::uint32_t t1, t2;
    std::vector<Dhcp6Address> addresses;
    std::uint32_t lease_t1, lease_t2;
  };
  const Case cases[] = {
      {0, 0, {{ip6("fd00:99::1f"), 1000, 2000}}, 500, 800},
      {0, 0, {{ip6("fd00:99::1f"), 1000, 2000}, {ip6("fd00:99::20"), 600, 2000}}, 300, 480},
      {0, 0, {{ip6("fd00:99::1f"), 0xffffffff, 0xffffffff}}, 0xffffffff, 0xffffffff},
      {0, 300, {{ip6("fd00:99::1f"), 1000, 2000}}, 300, 300},  // a default T1 stays below the server's T2
      {100, 0, {{ip6("fd00:99::1f"), 1000, 2000}}, 100, 800},
      {0, 0, {{ip6("fd00:99::1f"), 0, 2000}}, 0, 0},
      {0, 0, {{ip6("fd00:99::1f"), 0xfffffffe, 0xfffffffe}}, 0x7fffffff, 3435973835},
  };
  for (const auto& c : cases) {
    INFO("T1 " << c.t1 << " T2 " << c.t2 << " first preferred " << c.addresses[0].preferred_seconds);
    Requesting r;
    Server reply = reply_from(r.request.xid);
    reply.t1 = c.t1;
    reply.t2 = c.t2;
    reply.addresses = c.addresses;
    const auto bound = r.client.on_packet(message(reply), kStart + milliseconds(200));
    REQUIRE(std::holds_alternative<Dhcp6Bound>(bound));
    const auto& lease = std::get<Dhcp6Bound>(bound).lease;
    CHECK(lease.t1_seconds == c.lease_t1);
    CHECK(lease.t2_seconds == c.lease_t2);
    CHECK(lease.preferred_seconds == c.addresses[0].preferred_seconds);
  }
}

TEST_CASE("dhcp6 client: the deadline fails with what was sent, what came back and what to fix", "[dhcp6_client]") {
  Dhcp6ClientConfig c = config();
  c.timeout = seconds(10);
  const auto run_out = [](Dhcp6Client& client, Dhcp6Action action) {
    for (int i = 0; i < 50 && !std::holds_alternative<Dhcp6Failed>(action); ++i) {
      action = client.on_timeout(wait_of(action));
    }
    REQUIRE(std::holds_alternative<Dhcp6Failed>(action));
    return describe(std::get<Dhcp6Failed>(action).error);
  };
  SECTION("no server") {
    Dhcp6Client client(c);
    const std::string text = run_out(client, client.start(kStart));
    CHECK_THAT(text, Catch::StartsWith("DHCPv6 IA_NA 1 for DUID-LL 52:54:00:12:34:56: no ADVERTISE after 4 "
                                       "SOLICITs in 10 s; check that a DHCPv6 server serves this link"));
    CHECK_THAT(text, Catch::Contains("ff02::1:2"));
    CHECK(client.state() == Dhcp6State::Failed);
    CHECK(std::holds_alternative<Dhcp6Failed>(client.on_packet(message(Server{}), kStart + seconds(11))));
  }
  SECTION("every ADVERTISE NoAddrsAvail") {
    Dhcp6Client client(c);
    const auto first = client.start(kStart);
    Server none;
    none.ia_status = Dhcp6Status::NoAddrsAvail;
    none.addresses.clear();
    (void)client.on_packet(message(none), kStart + milliseconds(10));
    none.server_id = kServerB;
    (void)client.on_packet(message(none), kStart + milliseconds(20));
    const std::string text = run_out(client, first);
    CHECK_THAT(text, Catch::Contains(": 2 ADVERTISE messages, all NoAddrsAvail after 4 SOLICITs in 10 s; check the "
                                     "DHCPv6 server's range for this link (dnsmasq: dhcp-range="));
  }
  SECTION("a mix of NoAddrsAvail and unusable addresses") {
    Dhcp6Client client(c);
    const auto first = client.start(kStart);
    Server none;
    none.status = Dhcp6Status::NoAddrsAvail;
    (void)client.on_packet(message(none), kStart + milliseconds(10));
    Server link_local;
    link_local.addresses = {{ip6("fe80::5"), 3600, 3600}};
    (void)client.on_packet(message(link_local), kStart + milliseconds(20));
    CHECK_THAT(run_out(client, first),
               Catch::Contains("2 ADVERTISE messages: 1 NoAddrsAvail, 1 without a usable address (the last: "
                               "ADVERTISE from 0001000132a95ef98e86b196fa06: IA_NA 1: no usable address (fe80::5: a "
                               "link-local address))"));
  }
  SECTION("an ADVERTISE read after the deadline fails rather than start a REQUEST") {
    Dhcp6Client client(c);
    (void)client.start(kStart);
    Server late;
    late.preference = 255;
    CHECK(std::holds_alternative<Dhcp6Failed>(client.on_packet(message(late), kStart + seconds(10))));
  }
  SECTION("a server that advertises but never replies") {
    Requesting r(c);
    const std::string text = run_out(r.client, Dhcp6Wait{r.request.wait_until});
    CHECK_THAT(text, Catch::Contains(": 4 REQUESTs (after 1 SOLICIT, 1 ADVERTISE message: 1 with an address) in 10 "
                                     "s: no REPLY; the server advertises but does not answer REQUESTs"));
  }
}

// --- The exchange as the network step runs it (network/dhcp6_exchange.h) on a fake socket -------

namespace {

class FakeDhcp6Socket final : public Dhcp6Socket {
 public:
  std::vector<std::vector<std::byte>> sent;
  std::deque<Dhcp6Datagram> waiting;
  bool fail_sends = false;

  int fd() const override { return -1; }
  Result<void> send_to_servers(std::span<const std::byte> payload) override {
    if (fail_sends) return std::unexpected(error_from_errno("sendto", "[ff02::1:2]:547 on eth0", EADDRNOTAVAIL));
    sent.emplace_back(payload.begin(), payload.end());
    return {};
  }
  Result<std::optional<Dhcp6Datagram>> receive() override {
    if (waiting.empty()) return std::optional<Dhcp6Datagram>();
    Dhcp6Datagram next = std::move(waiting.front());
    waiting.pop_front();
    return std::optional<Dhcp6Datagram>(std::move(next));
  }
};

}  // namespace

TEST_CASE("dhcp6 exchange: the IAID is the MAC's last four octets; the transaction id 24 bits", "[dhcp6_client]") {
  NetworkStep step;
  step.dhcp_timeout_seconds = 30;
  LinkInfo link;
  link.mac = kMac;
  const Dhcp6ClientConfig made = dhcp6_client_config(step, link, 0xfedcba9876543210);
  CHECK(made.iaid == 0x00123456);
  CHECK(made.transaction_id <= 0xffffff);
  CHECK(made.timeout == seconds(30));
  CHECK(made.max_first_delay == kSolMaxDelay);  // RFC 8415 18.2.1's spread for a rack powering up
  link.mac.reset();
  CHECK(dhcp6_client_config(step, link, 1).iaid == 1);
}

TEST_CASE("dhcp6 exchange: SOLICIT to the servers, a datagram not from port 547 dropped, then bound",
          "[dhcp6_client]") {
  auto socket = std::make_unique<FakeDhcp6Socket>();
  FakeDhcp6Socket& fake = *socket;
  std::vector<std::string> debug;
  Dhcp6Exchange exchange("eth0", std::move(socket), config(), [&](std::string_view line) { debug.emplace_back(line); });
  exchange.start(kStart);
  REQUIRE(fake.sent.size() == 1);
  CHECK(hex(fake.sent[0]) == kSolicit);
  REQUIRE(exchange.deadline());

  // dnsmasq's ADVERTISE, once from a port no server sends from (dropped unread), once from 547.
  fake.waiting.push_back({from_hex(kAdvertise), 548});
  fake.waiting.push_back({from_hex(kAdvertise), kDhcp6ServerPort});
  auto woke = exchange.on_wake(kStart + milliseconds(200));
  REQUIRE(woke);
  CHECK(!*woke);
  CHECK(std::any_of(debug.begin(), debug.end(), [](const std::string& l) {
    return l == "eth0: dropped a datagram from port 548 (DHCPv6 servers and relays send from 547)";
  }));
  CHECK(fake.sent.size() == 1);  // still collecting ADVERTISEs until the first RT ends

  // The RT ends: a REQUEST, and a send that fails is only noted (the timer sends again).
  fake.fail_sends = true;
  woke = exchange.on_wake(*exchange.deadline());
  REQUIRE(woke);
  CHECK(!*woke);
  CHECK(exchange.client().state() == Dhcp6State::Request);
  CHECK(std::any_of(debug.begin(), debug.end(),
                    [](const std::string& l) { return l.find("[ff02::1:2]:547 on eth0") != std::string::npos &&
                                                      l.ends_with(", ignoring"); }));
  fake.fail_sends = false;
  const auto retry_at = *exchange.deadline();
  woke = exchange.on_wake(retry_at);
  REQUIRE(fake.sent.size() == 2);
  CHECK(std::to_integer<unsigned>(fake.sent[1][0]) == 3);  // REQUEST

  fake.waiting.push_back({message(reply_from(exchange.client().transaction_id())), kDhcp6ServerPort});
  woke = exchange.on_wake(retry_at + milliseconds(5));
  REQUIRE(woke);
  REQUIRE(*woke);
  CHECK((*woke)->address == ip6("fd00:99::1f"));
  CHECK(!exchange.deadline());
  CHECK(!exchange.failure());
}

TEST_CASE("dhcp6 exchange: no server: the client's failure, no lease", "[dhcp6_client]") {
  auto socket = std::make_unique<FakeDhcp6Socket>();
  Dhcp6ClientConfig short_config = config();
  short_config.timeout = seconds(3);
  Dhcp6Exchange exchange("eth0", std::move(socket), short_config, [](std::string_view) {});
  exchange.start(kStart);
  for (int wakes = 0; exchange.deadline() && wakes < 100; ++wakes) {
    auto woke = exchange.on_wake(*exchange.deadline());
    REQUIRE(woke);
    CHECK(!*woke);
  }
  REQUIRE(exchange.failure());
  CHECK(describe(*exchange.failure()).find("no ADVERTISE") != std::string::npos);
}
