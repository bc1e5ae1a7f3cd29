// The lease keeper's state machine, driven by hand: time is a value, packets are byte vectors.
#include "net/lease_renewal.h"

#include <catch2/catch.hpp>

#include <map>

#include "net/dhcp_lease.h"

using namespace nfsroot;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

Ipv4Address ip4(const char* text) { return *Ipv4Address::parse(text); }

const MacAddress kMac = *MacAddress::parse("52:54:00:12:34:56");
const Uptime kBound = seconds(30);  // the boot's ACK came 30 s after power-on

// The boot's lease: 10.99.0.10 from 10.99.0.1 for 600 s (T1 300 s, T2 525 s).
HeldLease held() {
  HeldLease lease;
  lease.interface = "eth0";
  lease.mac = kMac;
  lease.address = ip4("10.99.0.10");
  lease.server = ip4("10.99.0.1");
  lease.client_id = DhcpClientId{0, "node7"};
  lease.vendor_class = "nfsroot-init";
  lease.host_name = "node7";
  lease.lease_seconds = 600;
  lease.renewal_seconds = 300;
  lease.rebinding_seconds = 525;
  lease.bound_at = kBound;
  return lease;
}

// What the keeper sent, read back independently of the builder's own parser.
struct Sent {
  std::uint32_t xid = 0;
  unsigned flags = 0;
  Ipv4Address ciaddr;
  Ipv4Address to;
  Uptime wait_until{};
  std::map<unsigned, std::string> options;
};

Sent sent(const RenewalAction& action) {
  const auto* send = std::get_if<RenewalSend>(&action);
  REQUIRE(send);
  const auto& b = send->payload;
  auto at = [&b](std::size_t i) { return std::to_integer<unsigned>(b.at(i)); };
  REQUIRE(at(0) == 1);
  Sent out;
  out.xid = (at(4) << 24) | (at(5) << 16) | (at(6) << 8) | at(7);
  out.flags = (at(10) << 8) | at(11);
  out.ciaddr = Ipv4Address{(at(12) << 24) | (at(13) << 16) | (at(14) << 8) | at(15)};
  for (std::size_t i = 240; i < b.size() && at(i) != 255;) {
    if (at(i) == 0) {
      ++i;
      continue;
    }
    auto& data = out.options[at(i)];
    for (std::size_t j = 0; j < at(i + 1); ++j) data.push_back(static_cast<char>(at(i + 2 + j)));
    i += 2 + at(i + 1);
  }
  out.to = send->to;
  out.wait_until = send->wait_until;
  return out;
}

Uptime waits_until(const RenewalAction& action) {
  const auto* wait = std::get_if<RenewalWait>(&action);
  REQUIRE(wait);
  return wait->until;
}

struct Reply {
  unsigned type = 5;  // ACK
  std::uint32_t xid = 0;
  MacAddress mac = kMac;
  Ipv4Address yiaddr = ip4("10.99.0.10");
  Ipv4Address server = ip4("10.99.0.1");
  std::optional<std::uint32_t> lease_seconds = 600;
  std::string message;
};

void push32(std::vector<std::byte>& bytes, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<std::byte>((value >> shift) & 0xff));
}

std::vector<std::byte> reply(const Reply& r) {
  std::vector<std::byte> bytes(236);
  bytes[0] = std::byte{2};
  bytes[1] = std::byte{1};
  bytes[2] = std::byte{6};
  for (int i = 0; i < 4; ++i) bytes[4 + i] = static_cast<std::byte>((r.xid >> (24 - 8 * i)) & 0xff);
  for (int i = 0; i < 4; ++i) bytes[16 + i] = static_cast<std::byte>((r.yiaddr.value >> (24 - 8 * i)) & 0xff);
  for (int i = 0; i < 6; ++i) bytes[28 + i] = std::byte{r.mac.octets[i]};
  push32(bytes, 0x63825363);
  bytes.insert(bytes.end(), {std::byte{53}, std::byte{1}, static_cast<std::byte>(r.type), std::byte{54}, std::byte{4}});
  push32(bytes, r.server.value);
  if (r.lease_seconds) {
    bytes.insert(bytes.end(), {std::byte{51}, std::byte{4}});
    push32(bytes, *r.lease_seconds);
  }
  if (!r.message.empty()) {
    bytes.insert(bytes.end(), {std::byte{56}, static_cast<std::byte>(r.message.size())});
    for (const char c : r.message) bytes.push_back(static_cast<std::byte>(c));
  }
  bytes.push_back(std::byte{255});
  return bytes;
}

std::vector<RenewalEvent::Kind> kinds(LeaseRenewal& keeper) {
  std::vector<RenewalEvent::Kind> out;
  for (const auto& event : keeper.take_events()) {
    if (event.kind != RenewalEvent::Kind::Note) out.push_back(event.kind);
  }
  return out;
}

}  // namespace

TEST_CASE("lease_deadlines: T1, T2 and the end from the ACK's time, ordered") {
  auto deadlines = lease_deadlines(held());
  REQUIRE(deadlines);
  CHECK(deadlines->renew == kBound + seconds(300));
  CHECK(deadlines->rebind == kBound + seconds(525));
  CHECK(deadlines->expiry == kBound + seconds(600));

  HeldLease odd = held();  // a server's T1 past T2, and T2 past the lease
  odd.renewal_seconds = 550;
  odd.rebinding_seconds = 700;
  deadlines = lease_deadlines(odd);
  CHECK(deadlines->rebind == kBound + seconds(600));
  CHECK(deadlines->renew == kBound + seconds(550));

  HeldLease tiny = held();  // a one-second lease is not renewed every half second
  tiny.lease_seconds = 1;
  tiny.renewal_seconds = 0;
  tiny.rebinding_seconds = 0;
  deadlines = lease_deadlines(tiny);
  CHECK(deadlines->renew == kBound + seconds(5));
  CHECK(deadlines->rebind == kBound + seconds(5));
  CHECK(deadlines->expiry == kBound + seconds(5));

  HeldLease infinite = held();
  infinite.lease_seconds = kInfiniteLease;
  CHECK_FALSE(lease_deadlines(infinite));
}

TEST_CASE("LeaseRenewal: waits for T1, then renews by unicast to the server, as the same client") {
  LeaseRenewal keeper(held(), 7);
  CHECK(waits_until(keeper.on_timeout(kBound + seconds(1))) == kBound + seconds(300));
  CHECK(keeper.state() == RenewalState::Bound);

  const Uptime t1 = kBound + seconds(300);
  const Sent request = sent(keeper.on_timeout(t1));
  CHECK(keeper.state() == RenewalState::Renewing);
  CHECK(request.to == ip4("10.99.0.1"));
  CHECK(request.ciaddr == ip4("10.99.0.10"));
  CHECK(request.flags == 0);  // the answer comes by unicast to ciaddr
  CHECK(request.options.at(53) == std::string(1, '\3'));
  CHECK_FALSE(request.options.contains(50));  // RFC 2131 4.3.2 table 5: no requested address
  CHECK_FALSE(request.options.contains(54));  // nor server identifier
  CHECK(request.options.at(61) == std::string("\0node7", 6));
  CHECK(request.options.at(60) == "nfsroot-init");
  CHECK(request.options.at(12) == "node7");
  // Half the 225 s left to T2 is 112.5 s, above the 60 s floor.
  CHECK(request.wait_until == t1 + milliseconds(112'500));
  CHECK(waits_until(keeper.on_timeout(t1 + seconds(10))) == t1 + milliseconds(112'500));

  Reply ack;
  ack.xid = request.xid;
  ack.lease_seconds = 900;
  const Uptime answered = t1 + milliseconds(40);
  CHECK(waits_until(keeper.on_packet(reply(ack), answered)) == t1 + seconds(450));
  CHECK(keeper.state() == RenewalState::Bound);
  CHECK(keeper.lease().bound_at == t1);  // RFC 2131 4.4.5: from when the REQUEST went out
  CHECK(keeper.lease().lease_seconds == 900);
  CHECK(keeper.lease().renewal_seconds == 450);
  CHECK(keeper.lease().rebinding_seconds == 787);
  CHECK(keeper.lease().renewals == 1);
  const auto events = keeper.take_events();
  REQUIRE(events.size() == 2);
  CHECK(events[1].kind == RenewalEvent::Kind::Renewed);
  CHECK(events[1].text == "renewed 10.99.0.10 from 10.99.0.1 for 900 s");
}

TEST_CASE("LeaseRenewal: retransmits, rebinds by broadcast at T2, and keeps the address when the lease runs out") {
  LeaseRenewal keeper(held(), 7);
  const Uptime t1 = kBound + seconds(300), t2 = kBound + seconds(525), end = kBound + seconds(600);
  const Sent first = sent(keeper.on_timeout(t1));
  const Sent again = sent(keeper.on_timeout(first.wait_until));
  CHECK(again.xid == first.xid);  // a retransmission: a late answer to the first still counts
  CHECK(again.to == ip4("10.99.0.1"));
  // Half of the 112.5 s left is below the 60 s floor: the next send is 60 s on.
  CHECK(again.wait_until == first.wait_until + seconds(60));
  const Sent third = sent(keeper.on_timeout(again.wait_until));
  CHECK(third.wait_until == t2);  // never past T2

  const Sent rebind = sent(keeper.on_timeout(t2));
  CHECK(keeper.state() == RenewalState::Rebinding);
  CHECK(rebind.to == ip4("255.255.255.255"));
  CHECK(rebind.ciaddr == ip4("10.99.0.10"));
  CHECK(rebind.xid != first.xid);
  CHECK(rebind.wait_until == t2 + seconds(60));  // half of the 75 s left is below the 60 s floor
  CHECK(sent(keeper.on_timeout(t2 + seconds(60))).wait_until == end);  // never past the end
  CHECK(kinds(keeper).empty());

  const Sent lost = sent(keeper.on_timeout(end));
  CHECK(keeper.state() == RenewalState::Lost);
  CHECK(lost.to == ip4("255.255.255.255"));
  CHECK(lost.wait_until == end + seconds(60));
  const auto events = keeper.take_events();
  REQUIRE(events.size() == 2);
  CHECK(events[0].kind == RenewalEvent::Kind::Expired);
  CHECK(events[0].text.find("keeping the address") != std::string::npos);
  CHECK(events[0].text.find("52:54:00:12:34:56") != std::string::npos);

  const Sent retry = sent(keeper.on_timeout(end + seconds(60)));
  CHECK(retry.xid != lost.xid);  // each retry is its own transaction
  CHECK(kinds(keeper).empty());  // said once, not every minute

  Reply ack;  // a server came back
  ack.xid = retry.xid;
  ack.server = ip4("10.99.0.2");
  static_cast<void>(keeper.on_packet(reply(ack), end + seconds(61)));
  CHECK(keeper.state() == RenewalState::Bound);
  CHECK(keeper.lease().server == ip4("10.99.0.2"));  // the next renewal goes to the one that answered
  CHECK(keeper.lease().bound_at == end + seconds(60));
  CHECK(kinds(keeper) == std::vector{RenewalEvent::Kind::Regained});
}

TEST_CASE("LeaseRenewal: a NAK is reported once; the address stays and the keeper asks again") {
  LeaseRenewal keeper(held(), 7);
  const Uptime t1 = kBound + seconds(300);
  const Sent request = sent(keeper.on_timeout(t1));
  Reply nak;
  nak.type = 6;
  nak.xid = request.xid;
  nak.lease_seconds.reset();
  nak.message = "wrong network";
  CHECK(waits_until(keeper.on_packet(reply(nak), t1 + seconds(1))) == t1 + seconds(61));
  CHECK(keeper.state() == RenewalState::Lost);
  auto events = keeper.take_events();
  REQUIRE(events.size() == 2);
  CHECK(events[1].kind == RenewalEvent::Kind::Refused);
  CHECK(events[1].text.find("10.99.0.1 refused to extend the lease of 10.99.0.10 ('wrong network') (NAK)") == 0);

  const Sent retry = sent(keeper.on_timeout(t1 + seconds(61)));
  CHECK(retry.to == ip4("255.255.255.255"));
  nak.xid = retry.xid;
  static_cast<void>(keeper.on_packet(reply(nak), t1 + seconds(62)));
  CHECK(kinds(keeper).empty());  // the same refusal again is a note, not another error
}

TEST_CASE("LeaseRenewal: ignores what is not an answer to its own REQUEST") {
  LeaseRenewal keeper(held(), 7);
  Reply stray;
  CHECK(waits_until(keeper.on_packet(reply(stray), kBound + seconds(1))) == Uptime{});  // nothing out yet
  const Uptime t1 = kBound + seconds(300);
  const Sent request = sent(keeper.on_timeout(t1));

  Reply wrong_xid;
  wrong_xid.xid = request.xid + 1;
  Reply other_client;
  other_client.xid = request.xid;
  other_client.mac = *MacAddress::parse("52:54:00:00:00:01");
  Reply other_address;
  other_address.xid = request.xid;
  other_address.yiaddr = ip4("10.99.0.11");
  Reply offer;
  offer.xid = request.xid;
  offer.type = 2;
  for (const auto& r : {wrong_xid, other_client, other_address, offer}) {
    CHECK(waits_until(keeper.on_packet(reply(r), t1 + seconds(1))) == request.wait_until);
    CHECK(keeper.state() == RenewalState::Renewing);
  }
  const std::vector<std::byte> garbage(20, std::byte{0xff});
  CHECK(waits_until(keeper.on_packet(garbage, t1 + seconds(1))) == request.wait_until);
  const auto events = keeper.take_events();
  REQUIRE(events.size() == 7);
  CHECK(events[3].text == "ignoring a reply for another client 52:54:00:00:00:01");
  CHECK(events[4].text == "ignoring an ACK from 10.99.0.1 for another address 10.99.0.11");
  CHECK(keeper.lease().renewals == 0);
}

TEST_CASE("LeaseRenewal: a keeper that starts after T2 rebinds at once; an infinite lease needs nothing") {
  LeaseRenewal late(held(), 7);
  const Sent rebind = sent(late.on_timeout(kBound + seconds(530)));
  CHECK(late.state() == RenewalState::Rebinding);
  CHECK(rebind.to == ip4("255.255.255.255"));

  HeldLease infinite = held();
  infinite.lease_seconds = kInfiniteLease;
  LeaseRenewal keeper(infinite, 7);
  CHECK(waits_until(keeper.on_timeout(kBound + std::chrono::hours(1000))) == Uptime::max());
}
