// The DHCPv6 client state machine (RFC 8415 18.2: SOLICIT, ADVERTISE, REQUEST, REPLY), with no
// I/O: the caller passes in the time and the received DHCPv6 payloads, and performs the actions
// it gets back. The IPv6 twin of net/dhcp_client.h; the bytes are net/dhcp6_message.h's.
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
#include "base/ipv4.h"
#include "base/ipv6.h"
#include "net/dhcp6_message.h"
#include "net/dhcp_client.h"

namespace nfsroot {

// RFC 8415 7.6: the transmission parameters this client uses.
inline constexpr std::chrono::milliseconds kSolMaxDelay{1'000};
inline constexpr std::chrono::milliseconds kSolTimeout{1'000};
inline constexpr std::chrono::milliseconds kSolMaxRt{3'600'000};
inline constexpr std::chrono::milliseconds kReqTimeout{1'000};
inline constexpr std::chrono::milliseconds kReqMaxRt{30'000};
inline constexpr unsigned kReqMaxRc = 10;
// RFC 8415 7.6, for the lease keeper (net/lease_renewal.h): RENEW until T2, REBIND until the
// valid lifetime ends (18.2.4, 18.2.5).
inline constexpr std::chrono::milliseconds kRenTimeout{10'000};
inline constexpr std::chrono::milliseconds kRenMaxRt{600'000};
inline constexpr std::chrono::milliseconds kRebTimeout{10'000};
inline constexpr std::chrono::milliseconds kRebMaxRt{600'000};

// RFC 8415 15: RAND is uniform in -0.1..+0.1; here in ten-thousandths, -1000..1000, so that the
// timings are integers. The first RT of a SOLICIT needs RAND above 0 (18.2.1): 1..1000.
enum class Dhcp6Rand : std::uint8_t { Any, Positive };
[[nodiscard]] int dhcp6_rand(std::uint64_t random, Dhcp6Rand range);

// RFC 8415 15: the first RT = IRT + RAND*IRT (previous 0); then RT = 2*RTprev + RAND*RTprev,
// and past MRT, RT = MRT + RAND*MRT.
[[nodiscard]] std::chrono::milliseconds dhcp6_retransmit_time(std::chrono::milliseconds previous,
                                                              std::chrono::milliseconds initial,
                                                              std::chrono::milliseconds maximum, int rand);

// RFC 8415 21.4: a T1 or T2 of 0 leaves them to the client; 0.5 and 0.8 times the shortest
// preferred lifetime of the IA's addresses are the recommended values (infinite stays
// infinite), and a default T1 is no later than T2. The boot's REPLY and the keeper's alike.
struct Dhcp6Times {
  std::uint32_t t1 = 0;
  std::uint32_t t2 = 0;
};
[[nodiscard]] Dhcp6Times dhcp6_renewal_times(std::uint32_t t1, std::uint32_t t2, std::uint32_t shortest_preferred);

struct Dhcp6ClientConfig {
  MacAddress mac;                      // the DUID-LL (duid_ll())
  std::uint32_t iaid = 1;              // RFC 8415 21.4: the same at every boot for this link
  std::uint32_t transaction_id = 0;    // of the first exchange (24 bits); later ones are drawn
  std::uint64_t random_seed = 0;       // delay, RAND and later ids: same seed, same behaviour
  std::chrono::milliseconds timeout{120'000};
  // RFC 8415 18.2.1: the first SOLICIT waits a random 0..SOL_MAX_DELAY, so that the clients
  // of a link that start together (a power cut ends) do not all send at once. That is exactly
  // a rack of diskless nodes powering up, so the RFC's 1 s stays the default; a test or a lone
  // machine may set 0.
  std::chrono::milliseconds max_first_delay = kSolMaxDelay;
};

// What a REPLY bound us to: the first usable address of our IA_NA and the options that came
// with it.
struct Dhcp6Lease {
  Ipv6Address address;
  std::uint32_t preferred_seconds = 0;
  std::uint32_t valid_seconds = 0;  // 0xffffffff: infinite (RFC 8415 7.7)
  std::uint32_t t1_seconds = 0;     // the server's, or the RFC 8415 21.4 defaults
  std::uint32_t t2_seconds = 0;
  std::uint32_t iaid = 0;
  std::vector<std::byte> server_id;  // for RENEW
  std::vector<Ipv6Address> dns_servers;
  std::vector<std::string> domain_list;
  std::string bootfile_url;  // RFC 5970; empty when not sent
};

// Send the payload (from [link-local]:546 to [ff02::1:2]:547, RFC 8415 7.1), then wait for a
// packet until wait_until and call on_timeout() then.
struct Dhcp6Send {
  std::vector<std::byte> payload;
  DhcpTime wait_until;
};
// Nothing to send: wait for a packet until `until`, then call on_timeout().
struct Dhcp6Wait {
  DhcpTime until;
};
struct Dhcp6Bound {
  Dhcp6Lease lease;
};
struct Dhcp6Failed {
  Error error;
};
using Dhcp6Action = std::variant<Dhcp6Send, Dhcp6Wait, Dhcp6Bound, Dhcp6Failed>;

// Init: waiting out the first SOLICIT's delay, or the pause before a SOLICIT after refusals;
// Solicit: SOLICIT sent, collecting ADVERTISEs; Request: REQUEST sent to the chosen server.
enum class Dhcp6State : std::uint8_t { Init, Solicit, Request, Bound, Failed };

[[nodiscard]] std::string_view to_string(Dhcp6State state);

class Dhcp6Client {
 public:
  explicit Dhcp6Client(Dhcp6ClientConfig config);

  // Every call returns what to do next. After Bound or Failed the client is finished and every
  // call returns that same action again.
  [[nodiscard]] Dhcp6Action start(DhcpTime now);
  [[nodiscard]] Dhcp6Action on_packet(std::span<const std::byte> dhcp6_payload, DhcpTime now);
  [[nodiscard]] Dhcp6Action on_timeout(DhcpTime now);

  [[nodiscard]] Dhcp6State state() const { return state_; }
  [[nodiscard]] std::uint32_t transaction_id() const { return transaction_id_; }
  [[nodiscard]] const std::vector<std::byte>& client_id() const { return client_id_; }
  // What happened since the last call, one line each, for a debug log.
  [[nodiscard]] std::vector<std::string> take_notes();

 private:
  // An ADVERTISE worth a REQUEST.
  struct Offer {
    std::vector<std::byte> server_id;
    std::uint8_t preference = 0;
    std::vector<Ipv6Address> addresses;
    std::string description;  // "ADVERTISE from 00:01:…"
  };

  // Why a message gives us no address: its status when it has one, and a line for the log.
  struct Refusal {
    std::optional<Dhcp6Status> status;
    std::string reason;
  };

  std::uint64_t next_random();
  std::uint16_t elapsed_hundredths(DhcpTime now) const;
  void new_transaction();
  Dhcp6Action send_solicit(DhcpTime now);
  Dhcp6Action send_request(DhcpTime now);
  Dhcp6Action transmit(Dhcp6MessageType type, DhcpTime now, std::chrono::milliseconds initial,
                       std::chrono::milliseconds maximum, Dhcp6Rand first_rand);
  Dhcp6Action take_offer(Offer offer, DhcpTime now);
  Dhcp6Action restart(DhcpTime now, std::chrono::milliseconds delay);
  Dhcp6Action ignore(std::string reason);
  Dhcp6Action on_advertise(const Dhcp6Message& message, const std::string& what, DhcpTime now);
  Dhcp6Action on_reply(const Dhcp6Message& message, const std::string& what, DhcpTime now);
  std::optional<Refusal> refusal(const Dhcp6Message& message, const std::string& what,
                                 std::vector<Dhcp6Address>& usable);
  Dhcp6Action bind(const Dhcp6Message& reply, const std::vector<Dhcp6Address>& usable);
  std::string advertise_summary() const;
  Dhcp6Action fail();
  Dhcp6Action finished() const;

  Dhcp6ClientConfig config_;
  std::vector<std::byte> client_id_;
  std::uint64_t random_state_;
  Dhcp6State state_ = Dhcp6State::Init;
  std::uint32_t transaction_id_;
  DhcpTime deadline_{};        // the overall timeout
  DhcpTime exchange_start_{};  // the first send of this exchange (RFC 8415 21.9)
  DhcpTime timer_{};           // when on_timeout() has something to do
  std::chrono::milliseconds rt_{0};  // the current RT; 0 before the exchange's first send
  unsigned sends_ = 0;         // of the current message
  bool collecting_ = false;    // within a SOLICIT's first RT (RFC 8415 18.2.1)
  std::optional<Offer> best_;  // the best ADVERTISE collected so far
  std::optional<Offer> chosen_;
  // For the final error.
  unsigned solicits_sent_ = 0;
  unsigned requests_sent_ = 0;
  unsigned advertises_ = 0;            // ours, checked
  unsigned advertises_no_addrs_ = 0;   // of those, NoAddrsAvail
  unsigned advertises_unusable_ = 0;   // of those, with nothing to ask for for another reason
  std::string last_unusable_;
  unsigned refusals_ = 0;  // REPLYs to our REQUEST that gave no address
  std::string last_refusal_;
  unsigned ignored_ = 0;
  std::string last_ignored_;
  std::optional<Dhcp6Lease> lease_;
  std::optional<Error> error_;
  std::vector<std::string> notes_;
};

}  // namespace nfsroot
