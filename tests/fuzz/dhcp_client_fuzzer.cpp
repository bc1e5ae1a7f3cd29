// Fuzzes the DHCP client state machine with sequences of server replies and timeouts: OFFERs,
// ACKs and NAKs from one of three servers, for the current, the previous or a near-miss
// transaction, with extra raw options. What it checks is what the boot relies on: the lease is
// exactly what the accepted ACK said (checked), a NAK starts a new transaction, and a packet for
// another transaction or another client never moves the client.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "net/dhcp_client.h"
#include "net/dhcp_lease.h"
#include "net/dhcp_packet.h"

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
constexpr std::uint32_t kServers[] = {0x0a000202, 0x0a000203, 0x0a000204};

void put32(std::vector<std::byte>& out, std::size_t at, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) out[at + i] = std::byte(value >> (24 - 8 * i));
}

std::uint32_t get32(std::span<const std::byte> in, std::size_t at) {
  std::uint32_t value = 0;
  for (int i = 0; i < 4; ++i) value = (value << 8) | std::to_integer<std::uint32_t>(in[at + i]);
  return value;
}

// A server's BOOTREPLY (RFC 2131 2): the fixed header, the cookie, options 53, 54 and 51 as
// chosen, then raw option bytes from the input, then END.
std::vector<std::byte> reply(std::uint8_t type, std::uint32_t xid, const MacAddress& chaddr, std::uint32_t yiaddr,
                             std::optional<std::uint32_t> server, std::uint32_t lease_seconds,
                             std::span<const std::uint8_t> extra) {
  std::vector<std::byte> out(kDhcpFixedHeaderSize);
  out[0] = std::byte{kBootReply};
  out[1] = std::byte{1};
  out[2] = std::byte{6};
  put32(out, 4, xid);
  put32(out, 16, yiaddr);
  for (std::size_t i = 0; i < 6; ++i) out[28 + i] = std::byte{chaddr.octets[i]};
  for (const std::uint8_t b : {99, 130, 83, 99, 53, 1}) out.push_back(std::byte{b});
  out.push_back(std::byte{type});
  if (server) {
    for (const std::uint8_t b : {54, 4}) out.push_back(std::byte{b});
    out.resize(out.size() + 4);
    put32(out, out.size() - 4, *server);
  }
  for (const std::uint8_t b : {51, 4}) out.push_back(std::byte{b});
  out.resize(out.size() + 4);
  put32(out, out.size() - 4, lease_seconds);
  for (const auto b : extra) out.push_back(std::byte{b});
  out.push_back(std::byte{255});
  if (out.size() < kBootpMinimumMessageSize) out.resize(kBootpMinimumMessageSize);
  return out;
}

// What the client sent carries the transaction and MAC it judges replies by.
void check_sent(const DhcpAction& action, const DhcpClient& client) {
  if (const auto* send = std::get_if<DhcpSend>(&action)) {
    check(send->payload.size() >= kDhcpMinimumMessageSize);
    check(get32(send->payload, 4) == client.xid());
    for (std::size_t i = 0; i < 6; ++i) check(std::to_integer<std::uint8_t>(send->payload[28 + i]) == kOurMac.octets[i]);
  }
}

bool has_control(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

// The lease is the ACK's, value by value: nothing from the OFFER or an earlier packet but the
// lease time RFC 2131 lets it fall back to, and each string either refused or kept as sent.
void check_lease_is_ack(const DhcpLease& lease, const DhcpMessage& ack, std::optional<std::uint32_t> offer_lease) {
  check(lease.address == ack.yiaddr && !lease.address.is_unspecified());
  check(ack.server_id && lease.server_id == *ack.server_id);
  check(lease.next_server == ack.siaddr);
  check(lease.netmask == ack.subnet_mask.value_or(classful_netmask(ack.yiaddr)));
  check(lease.broadcast == ack.broadcast.value_or(broadcast_address(lease.address, lease.netmask)));
  check(lease.routers == ack.routers && lease.dns_servers == ack.dns_servers && lease.ntp_servers == ack.ntp_servers);
  check(lease.lease_seconds == ack.lease_seconds.value_or(offer_lease.value_or(kInfiniteLease)));
  // A host name is the ACK's first label, when the whole is a valid name; never a made-up one.
  if (!lease.host_name.empty()) {
    check(is_valid_dns_name(ack.host_name));
    check(ack.host_name.substr(0, ack.host_name.find('.')) == lease.host_name);
    check(lease.host_name.find('.') == std::string::npos);
  }
  if (!lease.domain_name.empty()) {
    check(is_valid_dns_name(lease.domain_name) && !lease.domain_name.ends_with('.'));
    check(ack.domain_name == lease.domain_name || ack.domain_name == lease.domain_name + ".");
  }
  check(lease.root_path.empty() || lease.root_path == ack.root_path);
  check(!has_control(lease.root_path) && lease.root_path.size() <= kMaxRootPathSize);
  check(lease.boot_file.empty() || lease.boot_file == ack.boot_file);
  check(lease.server_name.empty() || lease.server_name == ack.server_name);
  check(!has_control(lease.boot_file) && !has_control(lease.server_name));
  check(lease.mtu == std::nullopt || (lease.mtu == ack.mtu && *lease.mtu >= kMinimumLeaseMtu));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Input in{std::span(data, size)};
  DhcpClientConfig config;
  config.mac = kOurMac;
  config.xid = 0x1234abcd;
  config.random_seed = in.byte();
  config.timeout = std::chrono::seconds(120);
  if (in.byte() & 1) config.requested_address = Ipv4Address{0x0a00020f};
  DhcpClient client(config);

  DhcpTime now = DhcpTime{} + std::chrono::hours(1);
  auto action = client.start(now);
  check_sent(action, client);
  std::uint32_t previous_xid = client.xid();
  // The OFFER being requested, as the harness saw it accepted.
  std::optional<Ipv4Address> offer_server;
  std::optional<std::uint32_t> offer_lease;
  std::optional<Ipv4Address> bound_address;

  for (int events = 0; events < 64 && !in.empty(); ++events) {
    const std::uint8_t op = in.byte();
    const DhcpState before = client.state();
    const std::uint32_t xid_before = client.xid();
    if ((op & 3) == 0) {
      now += milliseconds(in.byte() * 500);
      action = client.on_timeout(now);
      check_sent(action, client);
    } else {
      // op bits: 2-4 message type, 5-6 which transaction, 7 another client's MAC.
      static constexpr std::uint8_t kTypes[] = {2, 5, 6, 2, 5, 6, 3, 0};  // OFFER ACK NAK … REQUEST, none
      const std::uint8_t type = kTypes[(op >> 2) & 7];
      const unsigned which = (op >> 5) & 3;
      const std::uint8_t detail = in.byte();
      std::uint32_t xid = xid_before;
      if (which == 1) xid = previous_xid;
      if (which == 2) xid ^= 1u << (detail & 31);
      MacAddress chaddr = kOurMac;
      if (op & 0x80) chaddr.octets[detail % 6] ^= 1;
      const std::uint8_t servers = in.byte();
      std::optional<std::uint32_t> server;
      if ((servers & 3) != 3) server = kServers[servers & 3];
      const std::uint32_t yiaddr = (servers >> 2) == 0 ? 0 : 0x0a000200u + (servers >> 2);
      const std::uint32_t lease_seconds = 60u * in.byte();
      const auto extra = in.take(in.byte() % 64);
      const auto bytes = reply(type, xid, chaddr, yiaddr, server, lease_seconds, extra);
      const auto parsed = parse_dhcp_message(bytes);

      action = client.on_packet(bytes, now);
      check_sent(action, client);
      const bool ours = parsed && parsed->xid == xid_before && parsed->chaddr == kOurMac;
      const bool finished = before == DhcpState::Bound || before == DhcpState::Failed;
      if (!ours && !finished) {
        // Another transaction's or client's packet is ignored: no move, no send, no lease.
        check(client.state() == before && client.xid() == xid_before);
        check(std::holds_alternative<DhcpWait>(action));
      }
      if (const auto* bound = std::get_if<DhcpBound>(&action); bound && !finished) {
        // A lease only from an ACK to our REQUEST, from the server asked when one was.
        check(ours && parsed->type == DhcpMessageType::Ack);
        check(before == DhcpState::Requesting || before == DhcpState::Rebooting);
        if (before == DhcpState::Requesting) check(parsed->server_id == offer_server);
        check_lease_is_ack(bound->lease, *parsed, before == DhcpState::Requesting ? offer_lease : std::nullopt);
      }
      if (ours && parsed->type == DhcpMessageType::Nak &&
          (before == DhcpState::Rebooting || (before == DhcpState::Requesting && parsed->server_id == offer_server))) {
        // RFC 2131 3.1.5 / 4.4.1: a NAK restarts from INIT with a new transaction.
        check(client.state() == DhcpState::Init || client.state() == DhcpState::Selecting);
        check(client.xid() != xid_before);
      }
      if (before == DhcpState::Selecting && client.state() == DhcpState::Requesting) {
        // RFC 2131 4.4.1: the offer taken is an OFFER for us, with an address and a server id.
        check(ours && parsed->type == DhcpMessageType::Offer && parsed->server_id && !parsed->yiaddr.is_unspecified());
        offer_server = parsed->server_id;
        offer_lease = parsed->lease_seconds;
      }
    }
    if (client.xid() != xid_before) previous_xid = xid_before;
    // Bound is final: every later call gives the same lease.
    if (const auto* bound = std::get_if<DhcpBound>(&action)) {
      check(client.state() == DhcpState::Bound);
      if (bound_address) check(bound->lease.address == *bound_address);
      bound_address = bound->lease.address;
    } else {
      check(!bound_address);
    }
    // Only the boot's own transitions: REQUESTING is entered only from SELECTING.
    if (client.state() == DhcpState::Requesting && before != DhcpState::Requesting) check(before == DhcpState::Selecting);
  }
  return 0;
}
