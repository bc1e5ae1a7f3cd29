// Fuzzes the DHCPv6 client state machine with sequences of server messages and timeouts:
// ADVERTISEs and REPLYs from one of three servers, for the current, the previous or a near-miss
// transaction, with addresses good and bad, statuses, lifetimes and extra raw options. What it
// checks is what the boot relies on: the lease is an address the REPLY gave, one a host may
// take, from the server asked; another transaction's or client's message never moves the
// client; what it sends carries its own transaction and DUID; it never waits past the deadline.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <variant>
#include <vector>

#include "net/dhcp6_client.h"
#include "net/dhcp6_message.h"

namespace {

using namespace nfsroot;
using std::chrono::milliseconds;

void check(bool condition) {
  if (!condition) __builtin_trap();
}

// Reads the input front to back; past its end every read is 0.
struct Input {
  std::span<const std::uint8_t> bytes;
  bool empty() const { return bytes.empty(); }
  std::uint8_t byte() {
    if (bytes.empty()) return 0;
    const std::uint8_t b = bytes.front();
    bytes = bytes.subspan(1);
    return b;
  }
  std::span<const std::uint8_t> take(std::size_t n) {
    n = std::min(n, bytes.size());
    const auto piece = bytes.first(n);
    bytes = bytes.subspan(n);
    return piece;
  }
};

const MacAddress kOurMac{{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}};
const MacAddress kServerMacs[] = {{{0x52, 0x54, 0, 0, 0, 1}}, {{0x52, 0x54, 0, 0, 0, 2}}, {{0x52, 0x54, 0, 0, 0, 3}}};

// Good ones and ones a server may not give (RFC 8415 21.6, RFC 4291 2.4).
Ipv6Address address(std::uint8_t pick) {
  static const char* const kAddresses[] = {"fd00:99::1f", "fd00:99::20", "2001:db8::7", "fe80::1",
                                           "ff02::1",     "::1",         "::",          "::ffff:10.0.2.15"};
  return *Ipv6Address::parse(kAddresses[pick & 7]);
}

bool usable(const Ipv6Address& a) {
  return !a.is_unspecified() && !a.is_loopback() && !a.is_multicast() && !a.is_link_local() && !a.is_ipv4_mapped();
}

void put16(std::vector<std::byte>& out, unsigned value) {
  out.push_back(static_cast<std::byte>(value >> 8));
  out.push_back(static_cast<std::byte>(value));
}
void put32(std::vector<std::byte>& out, std::uint32_t value) {
  put16(out, value >> 16);
  put16(out, value & 0xffff);
}
void option(std::vector<std::byte>& out, unsigned code, std::span<const std::byte> data) {
  put16(out, code);
  put16(out, static_cast<unsigned>(data.size()));
  out.insert(out.end(), data.begin(), data.end());
}

// Lifetimes from one byte: 0, small, large, infinite; sometimes preferred above valid.
std::uint32_t lifetime(std::uint8_t pick) {
  static constexpr std::uint32_t kLifetimes[] = {0, 60, 3600, 0xffffffff};
  return kLifetimes[pick & 3];
}

// A server message from the input: type, xid, our or another DUID, a server DUID, preference,
// statuses, one IA_NA with up to three addresses, then raw option bytes.
std::vector<std::byte> server_message(Input& in, std::uint8_t type, std::uint32_t xid, bool other_client,
                                      unsigned server) {
  std::vector<std::byte> out;
  put32(out, std::uint32_t{type} << 24 | (xid & 0xffffff));
  MacAddress client = kOurMac;
  if (other_client) client.octets[5] ^= 1;
  option(out, 1, duid_ll(client));
  if (server < 3) option(out, 2, duid_ll(kServerMacs[server]));
  const std::uint8_t flags = in.byte();
  if (flags & 1) option(out, 7, std::vector<std::byte>{std::byte{in.byte()}});
  if (flags & 2) {
    std::vector<std::byte> status;
    put16(status, in.byte() % 6);
    option(out, 13, status);
  }
  if (flags & 4) {
    std::vector<std::byte> ia;
    put32(ia, (flags & 8) ? 2 : 1);  // our IAID 1, or another
    put32(ia, 100u * in.byte());
    put32(ia, 100u * in.byte());
    const unsigned addresses = (flags >> 4) & 3;
    for (unsigned i = 0; i < addresses; ++i) {
      std::vector<std::byte> data;
      for (const auto octet : address(in.byte()).octets) data.push_back(std::byte{octet});
      const std::uint8_t lifetimes = in.byte();
      put32(data, lifetime(lifetimes));
      put32(data, lifetime(lifetimes >> 2));
      option(ia, 5, data);
    }
    if (flags & 0x40) {
      std::vector<std::byte> status;
      put16(status, in.byte() % 6);
      option(ia, 13, status);
    }
    option(out, 3, ia);
  }
  for (const auto b : in.take(in.byte() % 32)) out.push_back(std::byte{b});
  return out;
}

// What the client sends is its own: its transaction, its DUID; a REQUEST names the server whose
// ADVERTISE it took.
void check_sent(const Dhcp6Action& action, const Dhcp6Client& client, DhcpTime now, DhcpTime deadline,
                const std::optional<std::vector<std::byte>>& chosen_server) {
  if (const auto* send = std::get_if<Dhcp6Send>(&action)) {
    const auto& b = send->payload;
    check(b.size() >= 4);
    const auto type = std::to_integer<unsigned>(b[0]);
    check(type == 1 || type == 3);
    const std::uint32_t xid = std::to_integer<std::uint32_t>(b[1]) << 16 | std::to_integer<std::uint32_t>(b[2]) << 8 |
                              std::to_integer<std::uint32_t>(b[3]);
    check(xid == client.transaction_id());
    const auto duid = duid_ll(kOurMac);
    check(std::search(b.begin(), b.end(), duid.begin(), duid.end()) != b.end());
    if (type == 3) {
      check(chosen_server.has_value());
      check(std::search(b.begin(), b.end(), chosen_server->begin(), chosen_server->end()) != b.end());
    }
    check(send->wait_until > now && send->wait_until <= deadline);
  }
  if (const auto* wait = std::get_if<Dhcp6Wait>(&action)) check(wait->until <= deadline);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Input in{std::span(data, size)};
  Dhcp6ClientConfig config;
  config.mac = kOurMac;
  config.transaction_id = 0x123456;
  config.random_seed = in.byte();
  config.timeout = std::chrono::seconds(120);
  config.max_first_delay = milliseconds(in.byte() & 1 ? 1000 : 0);
  Dhcp6Client client(config);

  DhcpTime now = DhcpTime{} + std::chrono::hours(1);
  const DhcpTime deadline = now + config.timeout;
  std::optional<std::vector<std::byte>> chosen_server;
  auto action = client.start(now);
  check_sent(action, client, now, deadline, chosen_server);
  std::uint32_t previous_xid = client.transaction_id();
  std::optional<Ipv6Address> bound_address;

  for (int events = 0; events < 64 && !in.empty(); ++events) {
    const std::uint8_t op = in.byte();
    const Dhcp6State before = client.state();
    const std::uint32_t xid_before = client.transaction_id();
    const bool finished = before == Dhcp6State::Bound || before == Dhcp6State::Failed;
    if ((op & 3) == 0) {
      now += milliseconds(in.byte() * 250);
      action = client.on_timeout(now);
    } else {
      // op bits: 2 REPLY (else ADVERTISE), 3-4 which transaction, 5 another client, 6-7 server.
      const std::uint8_t type = (op & 4) ? 7 : 2;
      const unsigned which = (op >> 3) & 3;
      const std::uint8_t detail = in.byte();
      std::uint32_t xid = xid_before;
      if (which == 1) xid = previous_xid;
      if (which == 2) xid ^= 1u << (detail % 24);
      const bool other_client = op & 0x20;
      const unsigned server = (op >> 6) & 3;  // 3: no server id
      const auto bytes = server_message(in, type, xid, other_client, server);
      const auto parsed = parse_dhcp6_message(bytes);
      action = client.on_packet(bytes, now);
      const bool ours = parsed && parsed->transaction_id == xid_before && !other_client && server < 3;
      if (!ours && !finished) {
        // Another transaction's or client's message is ignored: no move, no send, no lease.
        check(client.state() == before && client.transaction_id() == xid_before);
        check(std::holds_alternative<Dhcp6Wait>(action));
      }
      if (const auto* bound = std::get_if<Dhcp6Bound>(&action); bound && !finished) {
        // A lease only from a REPLY to our REQUEST, from the server asked, with an address the
        // REPLY's IA_NA 1 holds and a host may take.
        check(ours && parsed->type == Dhcp6MessageType::Reply && before == Dhcp6State::Request);
        check(chosen_server && parsed->server_id == *chosen_server && bound->lease.server_id == *chosen_server);
        const auto& lease = bound->lease;
        check(usable(lease.address) && lease.valid_seconds > 0 && lease.preferred_seconds <= lease.valid_seconds);
        check(lease.t1_seconds <= lease.t2_seconds);
        bool given = false;
        for (const auto& ia : parsed->ia_na) {
          if (ia.iaid != 1) continue;
          for (const auto& a : ia.addresses) {
            given = given || (a.address == lease.address && a.valid_seconds == lease.valid_seconds &&
                              a.preferred_seconds == lease.preferred_seconds);
          }
        }
        check(given);
      }
      if (before == Dhcp6State::Solicit && client.state() == Dhcp6State::Request) {
        // The ADVERTISE taken at once is ours, with a server id.
        check(ours && parsed->type == Dhcp6MessageType::Advertise);
        chosen_server = parsed->server_id;
      }
      if (before == Dhcp6State::Request && ours && parsed->type == Dhcp6MessageType::Reply &&
          client.state() != Dhcp6State::Bound && client.state() != Dhcp6State::Request) {
        // A refusal from the server asked starts a new exchange with a new transaction.
        check(client.transaction_id() != xid_before);
      }
    }
    // An ADVERTISE collected during the first RT is requested on the timeout: the REQUEST names
    // a server we cannot tell from here, so take it from the bytes.
    if (before != Dhcp6State::Request && client.state() == Dhcp6State::Request && (op & 3) == 0) {
      const auto& b = std::get<Dhcp6Send>(action).payload;
      for (const auto& mac : kServerMacs) {
        const auto duid = duid_ll(mac);
        if (std::search(b.begin(), b.end(), duid.begin(), duid.end()) != b.end()) chosen_server = duid;
      }
    }
    check_sent(action, client, now, deadline, chosen_server);
    if (client.transaction_id() != xid_before) previous_xid = xid_before;
    // Bound is final: every later call gives the same lease.
    if (const auto* bound = std::get_if<Dhcp6Bound>(&action)) {
      check(client.state() == Dhcp6State::Bound);
      if (bound_address) check(bound->lease.address == *bound_address);
      bound_address = bound->lease.address;
    } else {
      check(!bound_address);
    }
    if (now >= deadline && !finished) check(std::holds_alternative<Dhcp6Failed>(action) || (op & 3) != 0);
  }
  return 0;
}
