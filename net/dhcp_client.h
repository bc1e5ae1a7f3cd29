// The DHCP client state machine (RFC 2131 4.4), with no I/O: the caller passes in the time and
// the received DHCP payloads, and performs the actions it gets back.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/error.h"
#include "net/dhcp_lease.h"
#include "net/dhcp_packet.h"
#include "base/ipv4.h"
#include "net/network_step.h"

namespace nfsroot {

using DhcpClock = std::chrono::steady_clock;
using DhcpTime = DhcpClock::time_point;

struct DhcpClientConfig {
  MacAddress mac;
  std::uint32_t xid = 0;          // of the first exchange; a restart draws a new one
  std::uint64_t random_seed = 0;  // backoff jitter and later xids: same seed, same behaviour
  std::string vendor_class;       // option 60; none when empty
  std::optional<DhcpClientId> client_id;
  std::string host_name;  // option 12; none when empty
  std::chrono::milliseconds timeout{120'000};
  // INIT-REBOOT (RFC 2131 3.2, 4.3.2): ask for this address first, with a REQUEST and no
  // server identifier; a NAK or no answer falls back to DISCOVER.
  std::optional<Ipv4Address> requested_address;
  std::uint16_t max_message_size = 1500;  // option 57
};

// Send the payload (from 0.0.0.0:68 to 255.255.255.255:67), then wait for a packet until
// wait_until and call on_timeout() then.
struct DhcpSend {
  std::vector<std::byte> payload;
  DhcpTime wait_until;
};
// Nothing to send: wait for a packet until `until`, then call on_timeout().
struct DhcpWait {
  DhcpTime until;
};
struct DhcpBound {
  DhcpLease lease;
};
struct DhcpFailed {
  Error error;
};
using DhcpAction = std::variant<DhcpSend, DhcpWait, DhcpBound, DhcpFailed>;

// INIT: waiting to (re)start with a DISCOVER; SELECTING: DISCOVER sent, waiting for an OFFER;
// REQUESTING: REQUEST sent for an offer; REBOOTING: REQUEST sent for requested_address.
enum class DhcpState : std::uint8_t { Init, Selecting, Requesting, Rebooting, Bound, Failed };

[[nodiscard]] std::string_view to_string(DhcpState state);

// When to send again after the attempt-th send (0 = the first) of one message, as a pure
// function of a random number. The kernel's ipconfig waits 2 s first; RFC 2131 4.1 says 4 s,
// doubling to 64 s, randomised by ±1 s. We take 2, 4, 8, 16, 32, 64, 64, … s for fast boots,
// each randomised by ±25% (a ±1 s spread would let fifty clients booting together at the
// 64 s step still collide): the uniform `random` picks the point in that range.
[[nodiscard]] std::chrono::milliseconds retransmit_delay(unsigned attempt, std::uint64_t random);

// After the n-th NAK: the first restarts at once (the expected answer to INIT-REBOOT with a
// stale address); a server that keeps refusing is asked less and less often: 1, 2, 4 … 64 s.
[[nodiscard]] std::chrono::milliseconds restart_delay(unsigned naks);

inline constexpr unsigned kMaxRequestSends = 4;  // REQUESTING: then back to INIT
inline constexpr unsigned kMaxRebootSends = 2;   // REBOOTING: an unanswered INIT-REBOOT costs ~6 s

class DhcpClient {
 public:
  explicit DhcpClient(DhcpClientConfig config);

  // Every call returns what to do next. After Bound or Failed the client is finished and every
  // call returns that same action again.
  [[nodiscard]] DhcpAction start(DhcpTime now);
  [[nodiscard]] DhcpAction on_packet(std::span<const std::byte> dhcp_payload, DhcpTime now);
  [[nodiscard]] DhcpAction on_timeout(DhcpTime now);

  [[nodiscard]] DhcpState state() const { return state_; }
  [[nodiscard]] std::uint32_t xid() const { return xid_; }
  // What happened since the last call, one line each, for a debug log: messages sent,
  // offers taken, packets ignored and why, options dropped from an accepted message.
  [[nodiscard]] std::vector<std::string> take_notes();

 private:
  std::uint64_t next_random();
  std::uint16_t secs(DhcpTime now) const;
  DhcpAction send_discover(DhcpTime now);
  DhcpAction send_request(DhcpTime now);
  DhcpAction send_and_wait(std::vector<std::byte> payload, DhcpTime now);
  DhcpAction restart(DhcpTime now, std::chrono::milliseconds delay);
  DhcpAction ignore(std::string reason);
  DhcpAction bind(const DhcpMessage& ack);
  DhcpAction fail();
  DhcpAction finished() const;
  std::vector<std::byte> request_bytes(DhcpMessageType type, DhcpTime now) const;

  DhcpClientConfig config_;
  std::uint64_t random_state_;
  DhcpState state_ = DhcpState::Init;
  std::uint32_t xid_;
  DhcpTime started_{};
  DhcpTime deadline_{};  // the overall timeout
  DhcpTime timer_{};     // when on_timeout() has something to do
  unsigned attempt_ = 0;  // sends of the current message
  // The offer being requested.
  Ipv4Address offered_address_;
  Ipv4Address offer_server_;
  std::optional<std::uint32_t> offered_lease_seconds_;
  // For the final error.
  unsigned discovers_sent_ = 0;
  unsigned requests_sent_ = 0;
  unsigned offers_taken_ = 0;
  unsigned naks_ = 0;
  std::string last_nak_;
  unsigned ignored_ = 0;
  std::string last_ignored_;
  std::optional<DhcpLease> lease_;
  std::optional<Error> error_;
  std::vector<std::string> notes_;
};

}  // namespace nfsroot
