// The lease keeper's state machine on a DHCPv6 lease (RFC 8415 18.2.4, 18.2.5), driven by
// hand: time is a value, the keeper's messages are read back byte by byte, the server's built
// here field by field.
#include "net/lease_renewal.h"

#include <catch2/catch.hpp>

#include <map>

#include "net/dhcp6_client.h"
#include "net/dhcp6_message.h"
#include "net/dhcp_lease.h"

using namespace nfsroot;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

Ipv6Address ip6(const char* text) { return *Ipv6Address::parse(text); }

std::vector<std::byte> bytes_of(std::initializer_list<unsigned> values) {
  std::vector<std::byte> out;
  for (const unsigned v : values) out.push_back(static_cast<std::byte>(v));
  return out;
}

const MacAddress kMac = *MacAddress::parse("52:54:00:12:34:56");
const std::vector<std::byte> kDuid = bytes_of({0, 3, 0, 1, 0x52, 0x54, 0, 0x12, 0x34, 0x56});  // DUID-LL
const std::vector<std::byte> kServerA = bytes_of({0, 1, 0, 1, 0x2f, 0x9a, 0xbc, 0xde, 2, 0, 0, 0, 0, 1});
const std::vector<std::byte> kServerB = bytes_of({0, 3, 0, 1, 2, 0, 0, 0, 0, 2});
constexpr std::uint32_t kIaid = 0x00123456;
const Uptime kBound = seconds(30);  // the boot's REPLY came 30 s after power-on

// The boot's lease: fd00:99::77 from server A, preferred 1800 s, valid 3600 s, T1 900 s,
// T2 1440 s.
HeldLease held() {
  HeldLease lease;
  lease.interface = "eth0";
  lease.mac = kMac;
  lease.lease_seconds = 3600;
  lease.renewal_seconds = 900;
  lease.rebinding_seconds = 1440;
  lease.bound_at = kBound;
  lease.v6 = HeldLease6{ip6("fd00:99::77"), duid_ll(kMac), kServerA, kIaid, 1800};
  return lease;
}

const Uptime kT1 = kBound + seconds(900);
const Uptime kT2 = kBound + seconds(1440);
const Uptime kEnd = kBound + seconds(3600);

// What the keeper sent, read back without the codec's parser.
struct Sent {
  unsigned type = 0;
  std::uint32_t xid = 0;
  std::vector<unsigned> order;  // the option codes as they came
  std::map<unsigned, std::vector<std::byte>> options;
  Uptime wait_until{};
  unsigned elapsed() const {
    const auto& e = options.at(8);
    return std::to_integer<unsigned>(e.at(0)) << 8 | std::to_integer<unsigned>(e.at(1));
  }
};

unsigned be16(const std::vector<std::byte>& b, std::size_t at) {
  return std::to_integer<unsigned>(b.at(at)) << 8 | std::to_integer<unsigned>(b.at(at + 1));
}
std::uint32_t be32(const std::vector<std::byte>& b, std::size_t at) { return be16(b, at) << 16 | be16(b, at + 2); }

Sent sent(const RenewalAction& action) {
  const auto* send = std::get_if<RenewalSend>(&action);
  REQUIRE(send);
  const auto& b = send->payload;
  Sent out;
  out.type = std::to_integer<unsigned>(b.at(0));
  out.xid = be32(b, 0) & 0xffffff;
  for (std::size_t i = 4; i < b.size();) {
    const unsigned code = be16(b, i);
    const std::size_t length = be16(b, i + 2);
    REQUIRE(i + 4 + length <= b.size());
    out.order.push_back(code);
    out.options[code].assign(b.begin() + static_cast<std::ptrdiff_t>(i + 4),
                             b.begin() + static_cast<std::ptrdiff_t>(i + 4 + length));
    i += 4 + length;
  }
  out.wait_until = send->wait_until;
  return out;
}

Uptime waits_until(const RenewalAction& action) {
  const auto* wait = std::get_if<RenewalWait>(&action);
  REQUIRE(wait);
  return wait->until;
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

// A server's REPLY (RFC 8415 8, 21); the defaults renew fd00:99::77 from server A for
// preferred 1800 s, valid 3600 s, T1 900 s, T2 1440 s.
struct Reply {
  unsigned type = 7;
  std::uint32_t xid = 0;
  std::vector<std::byte> client_id = kDuid;
  std::vector<std::byte> server_id = kServerA;
  std::optional<Dhcp6Status> status;
  bool ia = true;
  std::uint32_t iaid = kIaid;
  std::uint32_t t1 = 900;
  std::uint32_t t2 = 1440;
  std::optional<Dhcp6Status> ia_status;
  std::vector<Dhcp6Address> addresses = {{ip6("fd00:99::77"), 1800, 3600}};
};

std::vector<std::byte> reply(const Reply& r) {
  std::vector<std::byte> out;
  put32(out, r.type << 24 | r.xid);
  if (!r.client_id.empty()) put_option(out, 1, r.client_id);
  if (!r.server_id.empty()) put_option(out, 2, r.server_id);
  if (r.status) {
    std::vector<std::byte> data;
    put16(data, static_cast<unsigned>(*r.status));
    put_option(out, 13, data);
  }
  if (r.ia) {
    std::vector<std::byte> data;
    put32(data, r.iaid);
    put32(data, r.t1);
    put32(data, r.t2);
    for (const auto& a : r.addresses) {
      std::vector<std::byte> address;
      for (const auto octet : a.address.octets) address.push_back(std::byte{octet});
      put32(address, a.preferred_seconds);
      put32(address, a.valid_seconds);
      put_option(data, 5, address);
    }
    if (r.ia_status) {
      std::vector<std::byte> status;
      put16(status, static_cast<unsigned>(*r.ia_status));
      put_option(data, 13, status);
    }
    put_option(out, 3, data);
  }
  return out;
}

std::vector<RenewalEvent::Kind> kinds(LeaseRenewal& keeper) {
  std::vector<RenewalEvent::Kind> out;
  for (const auto& event : keeper.take_events()) {
    if (event.kind != RenewalEvent::Kind::Note) out.push_back(event.kind);
  }
  return out;
}

std::string texts(LeaseRenewal& keeper) {
  std::string out;
  for (const auto& event : keeper.take_events()) out += event.text + "\n";
  return out;
}

// The IA_NA the keeper sent: IAID, T1 and T2 0, one IA address with lifetimes 0 (RFC 8415
// 18.2.4, 21.4, 21.6).
void check_ia_na(const Sent& s) {
  const auto& ia = s.options.at(3);
  REQUIRE(ia.size() == 12 + 4 + 24);
  CHECK(be32(ia, 0) == kIaid);
  CHECK(be32(ia, 4) == 0);
  CHECK(be32(ia, 8) == 0);
  CHECK(be16(ia, 12) == 5);
  CHECK(be16(ia, 14) == 24);
  Ipv6Address address;
  for (std::size_t i = 0; i < 16; ++i) address.octets[i] = std::to_integer<std::uint8_t>(ia.at(16 + i));
  CHECK(address == ip6("fd00:99::77"));
  CHECK(be32(ia, 32) == 0);
  CHECK(be32(ia, 36) == 0);
}

}  // namespace

TEST_CASE("LeaseRenewal v6: waits for T1, then sends RENEW to the lease's server as the same client",
          "[lease_renewal6][ipv6]") {
  LeaseRenewal keeper(held(), 7);
  CHECK(waits_until(keeper.on_timeout(kBound + seconds(1))) == kT1);
  CHECK(waits_until(keeper.on_timeout(kT1 - milliseconds(1))) == kT1);
  CHECK(keeper.state() == RenewalState::Bound);

  const Sent renew = sent(keeper.on_timeout(kT1));
  CHECK(keeper.state() == RenewalState::Renewing);
  CHECK(renew.type == 5);  // RENEW
  CHECK(renew.xid <= 0xffffff);
  // RFC 8415 18.2.4: client id, server id, IA_NA, elapsed time, ORO.
  CHECK(renew.order == std::vector<unsigned>{1, 2, 3, 8, 6});
  CHECK(renew.options.at(1) == kDuid);
  CHECK(renew.options.at(2) == kServerA);
  check_ia_na(renew);
  CHECK(renew.elapsed() == 0);
  CHECK(renew.options.at(6) == bytes_of({0, 23, 0, 24, 0, 59}));  // the boot's ORO
  // RFC 8415 15: the first RT is REN_TIMEOUT 10 s ± 10 %.
  CHECK(renew.wait_until >= kT1 + seconds(9));
  CHECK(renew.wait_until <= kT1 + seconds(11));
  CHECK(texts(keeper).find("sending RENEW for fd00:99::77 to ff02::1:2 (renewing, xid ") != std::string::npos);
}

TEST_CASE("LeaseRenewal v6: RENEW retransmitted with RT doubling to REN_MAX_RT, never past T2; then REBIND",
          "[lease_renewal6][ipv6]") {
  HeldLease lease = held();
  lease.renewal_seconds = 1800;  // T1, with 5 h to T2: room for RT to reach REN_MAX_RT
  lease.rebinding_seconds = 5 * 3600;
  lease.lease_seconds = 6 * 3600;
  const Uptime t1 = kBound + seconds(1800);
  const Uptime t2 = kBound + seconds(5 * 3600);
  LeaseRenewal keeper(lease, 11);
  Sent previous = sent(keeper.on_timeout(t1));
  milliseconds rt = previous.wait_until - t1;
  CHECK(rt >= seconds(9));
  CHECK(rt <= seconds(11));
  Uptime now = previous.wait_until;
  bool reached_max = false;
  int sends = 1;
  while (true) {
    const Sent again = sent(keeper.on_timeout(now));
    ++sends;
    if (again.type != 5) {
      // T2: REBIND, a new transaction.
      CHECK(now == t2);
      CHECK(again.type == 6);
      CHECK(again.xid != previous.xid);
      CHECK(keeper.state() == RenewalState::Rebinding);
      break;
    }
    // A retransmission: the same transaction, elapsed time counting in hundredths.
    CHECK(again.xid == previous.xid);
    CHECK(again.elapsed() == std::min<long long>((now - t1).count() / 10, 0xffff));
    const milliseconds next = again.wait_until - now;
    if (again.wait_until == t2) {
      // MRD: the last RT is cut at T2.
      CHECK(next <= 2 * rt + rt / 10);
    } else if (2 * rt - rt / 10 > milliseconds(660'000)) {
      // RFC 8415 15: past MRT, RT = MRT + RAND*MRT.
      CHECK(next >= seconds(540));
      CHECK(next <= seconds(660));
      reached_max = true;
    } else {
      // RT = 2*RTprev + RAND*RTprev, or MRT ± 10 % when that is past MRT.
      CHECK(next >= std::min<milliseconds>(2 * rt - rt / 10, seconds(540)));
      CHECK(next <= std::min<milliseconds>(2 * rt + rt / 10, seconds(660)));
      if (next >= seconds(540)) reached_max = true;
    }
    CHECK(again.wait_until <= t2);
    rt = next;
    previous = again;
    now = again.wait_until;
    REQUIRE(sends < 100);
  }
  CHECK(reached_max);
}

TEST_CASE("LeaseRenewal v6: REBIND at T2 names no server; at the end of the valid lifetime the address stays",
          "[lease_renewal6][ipv6]") {
  LeaseRenewal keeper(held(), 3);
  const Sent renew = sent(keeper.on_timeout(kT1));
  const Sent rebind = sent(keeper.on_timeout(kT2));
  CHECK(keeper.state() == RenewalState::Rebinding);
  CHECK(rebind.type == 6);  // REBIND
  CHECK(rebind.xid != renew.xid);
  // RFC 8415 18.2.5: as RENEW but without the server identifier.
  CHECK(rebind.order == std::vector<unsigned>{1, 3, 8, 6});
  CHECK(rebind.options.at(1) == kDuid);
  check_ia_na(rebind);
  CHECK(rebind.elapsed() == 0);
  CHECK(rebind.wait_until >= kT2 + seconds(9));  // REB_TIMEOUT 10 s ± 10 %
  CHECK(rebind.wait_until <= kT2 + seconds(11));
  (void)kinds(keeper);

  // The valid lifetime ends with no answer: an error, the address kept, REBIND every minute.
  const Sent lost = sent(keeper.on_timeout(kEnd));
  CHECK(keeper.state() == RenewalState::Lost);
  CHECK(lost.type == 6);
  CHECK(lost.wait_until == kEnd + seconds(60));
  const auto events = keeper.take_events();
  REQUIRE_FALSE(events.empty());
  CHECK(events[0].kind == RenewalEvent::Kind::Expired);
  CHECK(events[0].text.find("the lease of fd00:99::77 ran out: no DHCPv6 server answered since T1 (900 s after the "
                            "last REPLY, from 000100012f9abcde020000000001); keeping the address") == 0);
  CHECK(events[0].text.find("serves DUID-LL 52:54:00:12:34:56") != std::string::npos);
  const Sent retry = sent(keeper.on_timeout(kEnd + seconds(60)));
  CHECK(retry.type == 6);
  CHECK(retry.xid != lost.xid);  // each retry of a lost lease is a transaction of its own
  CHECK(retry.elapsed() == 0);
}

TEST_CASE("LeaseRenewal v6: a REPLY renews with its lifetimes and T1/T2, counted from the RENEW",
          "[lease_renewal6][ipv6]") {
  LeaseRenewal keeper(held(), 5);
  const Sent renew = sent(keeper.on_timeout(kT1));
  (void)keeper.take_events();
  const Uptime answered = kT1 + milliseconds(40);
  Reply r;
  r.xid = renew.xid;
  r.t1 = 100;
  r.t2 = 160;
  r.addresses = {{ip6("fd00:99::77"), 200, 300}};
  // The new lease counts from the RENEW (kT1): T1 100 s after it.
  CHECK(waits_until(keeper.on_packet(reply(r), answered)) == kT1 + seconds(100));
  CHECK(keeper.state() == RenewalState::Bound);
  const auto events = keeper.take_events();
  REQUIRE(events.size() == 1);
  CHECK(events[0].kind == RenewalEvent::Kind::Renewed);
  CHECK(events[0].text == "renewed fd00:99::77 from 000100012f9abcde020000000001 for 300 s");
  const HeldLease& lease = keeper.lease();
  CHECK(lease.bound_at == kT1);
  CHECK(lease.lease_seconds == 300);
  CHECK(lease.renewal_seconds == 100);
  CHECK(lease.rebinding_seconds == 160);
  CHECK(lease.v6->preferred_seconds == 200);
  CHECK(lease.renewals == 1);
  const auto deadlines = lease_deadlines(lease);
  REQUIRE(deadlines);
  CHECK(deadlines->rebind == kT1 + seconds(160));
  CHECK(deadlines->expiry == kT1 + seconds(300));

  // The next RENEW: a new transaction at the new T1.
  const Sent next = sent(keeper.on_timeout(kT1 + seconds(100)));
  CHECK(next.type == 5);
  CHECK(next.xid != renew.xid);
  CHECK(next.elapsed() == 0);
}

TEST_CASE("LeaseRenewal v6: T1 and T2 0 in the REPLY are 0.5 and 0.8 of the preferred lifetime (RFC 8415 21.4)",
          "[lease_renewal6][ipv6]") {
  LeaseRenewal keeper(held(), 5);
  const Sent renew = sent(keeper.on_timeout(kT1));
  Reply r;
  r.xid = renew.xid;
  r.t1 = 0;
  r.t2 = 0;
  r.addresses = {{ip6("fd00:99::77"), 1000, 2000}};
  CHECK(waits_until(keeper.on_packet(reply(r), kT1 + seconds(1))) == kT1 + seconds(500));
  CHECK(keeper.lease().renewal_seconds == 500);
  CHECK(keeper.lease().rebinding_seconds == 800);
  CHECK(keeper.lease().lease_seconds == 2000);
}

TEST_CASE("LeaseRenewal v6: a REPLY to the REBIND from another server; the next RENEW names that server",
          "[lease_renewal6][ipv6]") {
  LeaseRenewal keeper(held(), 9);
  (void)keeper.on_timeout(kT1);
  const Sent rebind = sent(keeper.on_timeout(kT2));
  Reply r;
  r.xid = rebind.xid;
  r.server_id = kServerB;
  (void)keeper.on_packet(reply(r), kT2 + seconds(1));
  CHECK(keeper.state() == RenewalState::Bound);
  CHECK(keeper.lease().v6->server_id == kServerB);
  CHECK(keeper.lease().bound_at == kT2);
  const Sent renew = sent(keeper.on_timeout(kT2 + seconds(900)));
  CHECK(renew.type == 5);
  CHECK(renew.options.at(2) == kServerB);
}

TEST_CASE("LeaseRenewal v6: stale, foreign and unusable messages move nothing", "[lease_renewal6][ipv6]") {
  LeaseRenewal keeper(held(), 13);
  // Before T1 no RENEW is out: even a good-looking REPLY is ignored.
  Reply early;
  CHECK(waits_until(keeper.on_timeout(kBound)) == kT1);
  CHECK(waits_until(keeper.on_packet(reply(early), kBound + seconds(5))) == kT1);
  CHECK(keeper.state() == RenewalState::Bound);

  const Sent renew = sent(keeper.on_timeout(kT1));
  (void)keeper.take_events();
  const auto ignored = [&](Reply r, std::string_view why) {
    INFO(why);
    CHECK(waits_until(keeper.on_packet(reply(r), kT1 + seconds(1))) == renew.wait_until);
    CHECK(keeper.state() == RenewalState::Renewing);
    CHECK(keeper.lease().renewals == 0);
    const std::string notes = texts(keeper);
    CHECK(notes.find("ignoring ") == 0);
    CHECK(notes.find(why) != std::string::npos);
  };
  Reply stale;
  stale.xid = renew.xid ^ 1;
  ignored(stale, "transaction id");
  Reply foreign;
  foreign.xid = renew.xid;
  foreign.client_id = duid_ll(*MacAddress::parse("52:54:00:00:00:01"));
  ignored(foreign, "another client's identifier");
  Reply anonymous;
  anonymous.xid = renew.xid;
  anonymous.server_id.clear();
  ignored(anonymous, "no server identifier");
  Reply advertise;
  advertise.type = 2;
  advertise.xid = renew.xid;
  ignored(advertise, "ADVERTISE, not a REPLY");
  Reply other_address;
  other_address.xid = renew.xid;
  other_address.addresses = {{ip6("fd00:99::78"), 1800, 3600}};
  ignored(other_address, "without fd00:99::77");
  Reply other_ia;
  other_ia.xid = renew.xid;
  other_ia.iaid = kIaid + 1;
  ignored(other_ia, "without IA_NA 1193046");
  Reply failing;
  failing.xid = renew.xid;
  failing.status = Dhcp6Status::UnspecFail;
  ignored(failing, "UnspecFail");
  CHECK(waits_until(keeper.on_packet(bytes_of({7, 1}), kT1 + seconds(1))) == renew.wait_until);
  CHECK(texts(keeper).find("ignoring a malformed packet") == 0);
  // The RENEW is still out: its retransmission keeps the transaction.
  CHECK(sent(keeper.on_timeout(renew.wait_until)).xid == renew.xid);
}

TEST_CASE("LeaseRenewal v6: NoBinding to the RENEW is logged and the keeper REBINDs at once",
          "[lease_renewal6][ipv6]") {
  LeaseRenewal keeper(held(), 17);
  const Sent renew = sent(keeper.on_timeout(kT1));
  (void)keeper.take_events();
  Reply r;
  r.xid = renew.xid;
  r.addresses.clear();
  r.ia_status = Dhcp6Status::NoBinding;
  const Uptime answered = kT1 + seconds(1);
  const Sent rebind = sent(keeper.on_packet(reply(r), answered));
  CHECK(keeper.state() == RenewalState::Rebinding);
  CHECK(rebind.type == 6);
  CHECK(rebind.xid != renew.xid);
  CHECK_FALSE(rebind.options.contains(2));
  CHECK(rebind.elapsed() == 0);
  CHECK(rebind.wait_until <= answered + seconds(11));
  const auto events = keeper.take_events();
  REQUIRE_FALSE(events.empty());
  CHECK(events[0].kind == RenewalEvent::Kind::Refused);
  CHECK(events[0].text.find("000100012f9abcde020000000001 has no binding for fd00:99::77 (NoBinding)") == 0);
  // NoBinding again, to the REBIND: noted; the REBIND goes on.
  r.xid = rebind.xid;
  CHECK(waits_until(keeper.on_packet(reply(r), answered + seconds(1))) == rebind.wait_until);
  CHECK(kinds(keeper).empty());
  CHECK(keeper.state() == RenewalState::Rebinding);
}

TEST_CASE("LeaseRenewal v6: NoAddrsAvail or valid lifetime 0 loses the lease once; the address stays",
          "[lease_renewal6][ipv6]") {
  for (const bool lifetime_zero : {false, true}) {
    INFO(lifetime_zero);
    LeaseRenewal keeper(held(), 19);
    const Sent renew = sent(keeper.on_timeout(kT1));
    (void)keeper.take_events();
    Reply r;
    r.xid = renew.xid;
    if (lifetime_zero) {
      r.addresses = {{ip6("fd00:99::77"), 0, 0}};
    } else {
      r.addresses.clear();
      r.ia_status = Dhcp6Status::NoAddrsAvail;
    }
    // Nothing to send, and certainly nothing removed: wait a minute, then REBIND.
    CHECK(waits_until(keeper.on_packet(reply(r), kT1 + seconds(1))) == kT1 + seconds(61));
    CHECK(keeper.state() == RenewalState::Lost);
    const auto events = keeper.take_events();
    REQUIRE(events.size() == 1);
    CHECK(events[0].kind == RenewalEvent::Kind::Refused);
    CHECK(events[0].text.find("000100012f9abcde020000000001 refused to extend the lease of fd00:99::77 (") == 0);
    CHECK(events[0].text.find(lifetime_zero ? "(valid lifetime 0)" : "(NoAddrsAvail)") != std::string::npos);
    CHECK(events[0].text.find("keeping the address") != std::string::npos);
    const Sent retry = sent(keeper.on_timeout(kT1 + seconds(61)));
    CHECK(retry.type == 6);
    // The same refusal again is a note, not another error.
    r.xid = retry.xid;
    (void)keeper.on_packet(reply(r), kT1 + seconds(62));
    CHECK(kinds(keeper).empty());
    // A server that grants it again: regained.
    Reply good;
    good.xid = retry.xid;
    (void)keeper.on_packet(reply(good), kT1 + seconds(63));
    CHECK(keeper.state() == RenewalState::Bound);
    CHECK(kinds(keeper) == std::vector<RenewalEvent::Kind>{RenewalEvent::Kind::Regained});
  }
}

TEST_CASE("LeaseRenewal v6: an infinite valid lifetime needs no renewal, from the boot or a REPLY",
          "[lease_renewal6][ipv6]") {
  HeldLease forever = held();
  forever.lease_seconds = 0xffffffff;  // RFC 8415 7.7
  CHECK_FALSE(lease_deadlines(forever));
  LeaseRenewal idle(forever, 1);
  CHECK(waits_until(idle.on_timeout(kBound + std::chrono::hours(24 * 365))) == Uptime::max());

  LeaseRenewal keeper(held(), 23);
  const Sent renew = sent(keeper.on_timeout(kT1));
  Reply r;
  r.xid = renew.xid;
  r.t1 = 0;
  r.t2 = 0;
  r.addresses = {{ip6("fd00:99::77"), 0xffffffff, 0xffffffff}};
  CHECK(waits_until(keeper.on_packet(reply(r), kT1 + seconds(1))) == Uptime::max());
  CHECK(keeper.lease().lease_seconds == 0xffffffff);
  CHECK(keeper.take_events().back().text.find("for ever") != std::string::npos);
}
