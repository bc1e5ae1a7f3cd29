// Keeping the boot's DHCP lease after the hand-off (RFC 2131 4.4.5): RENEWING at T1 (a
// REQUEST unicast to the server that granted it), REBINDING at T2 (broadcast, to any server),
// with no I/O: the caller passes in the time and the received payloads and performs what it
// gets back (network/lease_keeper.h does the socket). A DHCPv6 lease (HeldLease::v6) goes the
// same way with RFC 8415's messages: RENEW at T1 naming the server (18.2.4), REBIND at T2 to
// any server (18.2.5), both to [ff02::1:2]:547, retransmitted by RFC 8415 15's timer instead of
// RFC 2131's. The address is never given up: the root file system is mounted through it, and
// removing it hangs every process on the NFS root.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "base/ipv4.h"
#include "base/ipv6.h"
#include "net/dhcp_client_id.h"

namespace nfsroot {

// Time since boot, CLOCK_BOOTTIME: a lease runs out in real time, suspended or not.
using Uptime = std::chrono::milliseconds;

// A DHCPv6 lease (RFC 8415): one address of one IA_NA. Its times are HeldLease's: the valid
// lifetime in lease_seconds, T1 and T2 in renewal_seconds and rebinding_seconds.
struct HeldLease6 {
  Ipv6Address address;
  std::vector<std::byte> client_id;  // the boot's DUID (DUID-LL, net/dhcp6_message.h)
  std::vector<std::byte> server_id;  // of the last REPLY: RENEW names it
  std::uint32_t iaid = 0;
  std::uint32_t preferred_seconds = 0;
};

// What a renewal needs of the boot's lease, and what /init hands the keeper
// (net/lease_file.h). The REQUEST carries the same identity as the boot's: the MAC, the
// client identifier and the vendor class (a server that places clients by class would
// otherwise refuse the renewal) and host name.
struct HeldLease {
  std::string interface;
  MacAddress mac;
  Ipv4Address address;
  Ipv4Address server;  // option 54 of the last ACK: where RENEWING sends
  std::optional<DhcpClientId> client_id;
  std::string vendor_class;
  std::string host_name;
  std::uint32_t lease_seconds = 0;  // kInfiniteLease (net/dhcp_lease.h): nothing to renew
  std::uint32_t renewal_seconds = 0;    // T1
  std::uint32_t rebinding_seconds = 0;  // T2
  Uptime bound_at{};  // when the ACK came
  unsigned renewals = 0;  // ACKs since the boot's
  // A DHCPv6 lease: address, server, client_id, vendor_class and host_name above are unused.
  std::optional<HeldLease6> v6;
};

// The leased address and the server that granted it (its DUID in hex for DHCPv6), for the log.
[[nodiscard]] std::string leased_address(const HeldLease& lease);
[[nodiscard]] std::string lease_server(const HeldLease& lease);

// The lease's times as points: T1, T2 and the end, each no earlier than the one before
// (a server's T1 past T2 or past the lease is clamped, as RFC 2131 4.4.5 orders them).
struct LeaseDeadlines {
  Uptime renew;
  Uptime rebind;
  Uptime expiry;
};
[[nodiscard]] std::optional<LeaseDeadlines> lease_deadlines(const HeldLease& lease);  // none: infinite

// Send the payload to `to` port 67 (the server, or 255.255.255.255 while rebinding; a DHCPv6
// message always goes to [ff02::1:2]:547 and `to` is unused), then wait for an answer until
// `wait_until`.
struct RenewalSend {
  std::vector<std::byte> payload;
  Ipv4Address to;
  Uptime wait_until;
};
// Nothing to send: wait for a packet until `until`, then call on_timeout().
struct RenewalWait {
  Uptime until;
};
using RenewalAction = std::variant<RenewalSend, RenewalWait>;

// Bound: waiting for T1. Renewing, Rebinding: RFC 2131's states. Lost: the lease ran out or
// a server refused it; the address stays and a broadcast REQUEST goes out every
// kLostRetryInterval, so a server that comes back (or forgets its refusal) can grant it again.
enum class RenewalState : std::uint8_t { Bound, Renewing, Rebinding, Lost };
[[nodiscard]] std::string_view to_string(RenewalState state);

// RFC 2131 4.4.5: retransmit after half the time left to T2 (or to the end of the lease),
// but no sooner than 60 s. DHCPv6: RFC 8415 15 with REN_TIMEOUT/REN_MAX_RT and
// REB_TIMEOUT/REB_MAX_RT (net/dhcp6_client.h), never past T2 or the end of the lease.
inline constexpr std::chrono::seconds kMinimumRenewalRetransmit{60};
inline constexpr std::chrono::seconds kLostRetryInterval{60};

// What happened, for the log: one event per line, with the level it deserves.
struct RenewalEvent {
  enum class Kind : std::uint8_t { Renewed, Regained, Refused, Expired, Note } kind;
  std::string text;
};

class LeaseRenewal {
 public:
  // `seed` draws the transaction ids.
  LeaseRenewal(HeldLease lease, std::uint64_t seed);

  // What to do now; call it first, and when a wait or send ends without an answer.
  [[nodiscard]] RenewalAction on_timeout(Uptime now);
  // A packet that reached port 68: an ACK renews (the lease's times start again from now),
  // a NAK loses the lease; anything else is ignored with a note. DHCPv6, port 546: a REPLY
  // to our transaction and DUID with the address and a valid lifetime renews; NoAddrsAvail or
  // the address with valid lifetime 0 loses it as a NAK does; NoBinding to a RENEW is logged
  // and the keeper REBINDs at once (RFC 8415 18.2.10.1 would REQUEST: REBIND asks any server
  // for the same binding, which is as good here).
  [[nodiscard]] RenewalAction on_packet(std::span<const std::byte> payload, Uptime now);

  [[nodiscard]] RenewalState state() const { return state_; }
  [[nodiscard]] const HeldLease& lease() const { return lease_; }
  [[nodiscard]] std::vector<RenewalEvent> take_events();

 private:
  void new_transaction(Uptime now);
  RenewalAction send_request(Uptime now, const LeaseDeadlines& deadlines);
  RenewalAction wait() const;
  RenewalAction ignore(std::string why);
  RenewalAction refused(std::string from, std::string why, Uptime now);
  RenewalAction renewed(Uptime now);
  RenewalAction on_reply6(std::span<const std::byte> payload, Uptime now);
  void note(RenewalEvent::Kind kind, std::string text);

  HeldLease lease_;
  std::uint64_t random_state_;
  RenewalState state_ = RenewalState::Bound;
  std::uint32_t xid_ = 0;
  Uptime sent_at_{};  // of the current transaction's first REQUEST: the new lease counts from it
  Uptime timer_{};
  std::chrono::milliseconds rt_{0};  // DHCPv6: the current RT (RFC 8415 15); 0 before the first send
  std::vector<RenewalEvent> events_;
};

}  // namespace nfsroot
