// The DHCPv6 client's decisions: when to send SOLICIT and REQUEST, which ADVERTISE to take,
// which REPLY to bind to, and the lease or the error that ends the exchange.
#include "net/dhcp6_client.h"

#include <algorithm>

#include "base/cat.h"
#include "base/text.h"
#include "base/splitmix.h"

namespace nfsroot {

namespace {

using std::chrono::milliseconds;

constexpr std::uint32_t kInfiniteLifetime = 0xffffffff;  // RFC 8415 7.7
constexpr std::uint8_t kMaxPreference = 255;             // RFC 8415 18.2.9: take it at once

std::string hex24(std::uint32_t value) {
  const std::byte bytes[] = {std::byte(value >> 16), std::byte(value >> 8), std::byte(value)};
  return "0x" + hex_bytes(bytes);
}

std::string count(unsigned n, std::string_view what) { return cat(n, " ", what, n == 1 ? "" : "s"); }

// "ADVERTISE from 000100…", the server by its DUID, as the server's own log names it.
std::string describe_message(const Dhcp6Message& message) {
  std::string text(to_string(message.type));
  if (!message.server_id.empty()) text += " from " + hex_bytes(message.server_id);
  return text;
}

std::string status_text(Dhcp6Status status, std::string_view message) {
  return cat(to_string(status), message.empty() ? std::string() : cat(" (\"", message, "\")"));
}

// What a server may not hand out, whatever it says (RFC 8415 21.6, RFC 4291 2.4): the kernel
// makes the link-local address itself; the others are no address of a host on this link.
std::optional<std::string_view> unusable(const Dhcp6Address& address) {
  if (address.address.is_unspecified()) return "the unspecified address";
  if (address.address.is_loopback()) return "a loopback address";
  if (address.address.is_multicast()) return "a multicast address";
  if (address.address.is_link_local()) return "a link-local address";
  if (address.address.is_ipv4_mapped()) return "an IPv4-mapped address";
  if (address.valid_seconds == 0) return "valid lifetime 0";
  if (address.preferred_seconds > address.valid_seconds) return "preferred lifetime above the valid one";
  return std::nullopt;
}

}  // namespace

int dhcp6_rand(std::uint64_t random, Dhcp6Rand range) {
  if (range == Dhcp6Rand::Positive) return static_cast<int>(random % 1000) + 1;
  return static_cast<int>(random % 2001) - 1000;
}

milliseconds dhcp6_retransmit_time(milliseconds previous, milliseconds initial, milliseconds maximum, int rand) {
  const auto plus_rand = [rand](milliseconds base) { return base + base * rand / 10'000; };
  if (previous <= milliseconds(0)) return plus_rand(initial);
  const milliseconds next = 2 * previous + previous * rand / 10'000;
  if (maximum > milliseconds(0) && next > maximum) return plus_rand(maximum);
  return next;
}

Dhcp6Times dhcp6_renewal_times(std::uint32_t t1, std::uint32_t t2, std::uint32_t shortest_preferred) {
  const auto share = [shortest_preferred](std::uint64_t tenths) {
    if (shortest_preferred == kInfiniteLifetime) return kInfiniteLifetime;
    return static_cast<std::uint32_t>(shortest_preferred * tenths / 10);
  };
  Dhcp6Times times{t1 != 0 ? t1 : share(5), t2 != 0 ? t2 : share(8)};
  times.t1 = std::min(times.t1, times.t2);  // a default T1 below the server's T2
  return times;
}

std::string_view to_string(Dhcp6State state) {
  switch (state) {
    case Dhcp6State::Init: return "INIT";
    case Dhcp6State::Solicit: return "SOLICIT";
    case Dhcp6State::Request: return "REQUEST";
    case Dhcp6State::Bound: return "BOUND";
    case Dhcp6State::Failed: return "FAILED";
  }
  return "unknown";
}

Dhcp6Client::Dhcp6Client(Dhcp6ClientConfig config)
    : config_(std::move(config)),
      client_id_(duid_ll(config_.mac)),
      random_state_(config_.random_seed),
      transaction_id_(config_.transaction_id & 0xffffff) {}

std::uint64_t Dhcp6Client::next_random() { return splitmix64(random_state_); }

// RFC 8415 21.9: hundredths of a second since the first message of this exchange (0 in that
// one), 0xffff for anything longer.
std::uint16_t Dhcp6Client::elapsed_hundredths(DhcpTime now) const {
  const auto elapsed = std::chrono::duration_cast<milliseconds>(now - exchange_start_).count() / 10;
  return static_cast<std::uint16_t>(std::clamp<long long>(elapsed, 0, 0xffff));
}

std::vector<std::string> Dhcp6Client::take_notes() {
  std::vector<std::string> notes;
  notes.swap(notes_);
  return notes;
}

Dhcp6Action Dhcp6Client::start(DhcpTime now) {
  *this = Dhcp6Client(std::move(config_));  // a second start() begins afresh
  deadline_ = now + config_.timeout;
  const auto max_delay = static_cast<std::uint64_t>(std::max<long long>(config_.max_first_delay.count(), 0));
  const milliseconds delay(static_cast<long long>(next_random() % (max_delay + 1)));
  if (delay <= milliseconds(0)) return send_solicit(now);
  // RFC 8415 18.2.1: the first SOLICIT waits a random 0..SOL_MAX_DELAY.
  timer_ = std::min(now + delay, deadline_);
  notes_.push_back(cat("first SOLICIT in ", delay.count(), " ms (RFC 8415 18.2.1)"));
  return Dhcp6Wait{timer_};
}

Dhcp6Action Dhcp6Client::send_solicit(DhcpTime now) {
  state_ = Dhcp6State::Solicit;
  // RFC 8415 18.2.1: ADVERTISEs are collected until the first RT has passed; after that the
  // first good one is taken.
  collecting_ = sends_ == 0;
  ++solicits_sent_;
  notes_.push_back(cat("sending SOLICIT ", sends_ + 1, " (transaction ", hex24(transaction_id_), ")"));
  return transmit(Dhcp6MessageType::Solicit, now, kSolTimeout, kSolMaxRt, Dhcp6Rand::Positive);
}

Dhcp6Action Dhcp6Client::send_request(DhcpTime now) {
  state_ = Dhcp6State::Request;
  ++requests_sent_;
  notes_.push_back(cat("sending REQUEST ", sends_ + 1, " to ", hex_bytes(chosen_->server_id), " for ",
                       chosen_->addresses.front().to_string(), " (transaction ", hex24(transaction_id_), ")"));
  return transmit(Dhcp6MessageType::Request, now, kReqTimeout, kReqMaxRt, Dhcp6Rand::Any);
}

// RFC 8415 15: every send of one message keeps the transaction id, so that a late answer to
// an earlier copy still counts; the RT grows from IRT to about MRT.
Dhcp6Action Dhcp6Client::transmit(Dhcp6MessageType type, DhcpTime now, milliseconds initial, milliseconds maximum,
                                  Dhcp6Rand first_rand) {
  if (sends_ == 0) {
    exchange_start_ = now;
    rt_ = dhcp6_retransmit_time(milliseconds(0), initial, maximum, dhcp6_rand(next_random(), first_rand));
  } else {
    rt_ = dhcp6_retransmit_time(rt_, initial, maximum, dhcp6_rand(next_random(), Dhcp6Rand::Any));
  }
  ++sends_;
  Dhcp6RequestFields fields;
  fields.type = type;
  fields.transaction_id = transaction_id_;
  fields.client_id = client_id_;
  fields.iaid = config_.iaid;
  if (type == Dhcp6MessageType::Request) {
    fields.server_id = chosen_->server_id;
    fields.addresses = chosen_->addresses;  // RFC 8415 18.2.2: the IA as the ADVERTISE had it
  }
  fields.elapsed_hundredths = elapsed_hundredths(now);
  timer_ = std::min(now + rt_, deadline_);
  return Dhcp6Send{build_dhcp6_message(fields), timer_};
}

// A new exchange has a new transaction id (RFC 8415 16.1), so that answers to the old one are
// told apart.
void Dhcp6Client::new_transaction() {
  std::uint32_t id = static_cast<std::uint32_t>(next_random()) & 0xffffff;
  if (id == transaction_id_) id ^= 1;
  transaction_id_ = id;
  sends_ = 0;
  rt_ = milliseconds(0);
}

Dhcp6Action Dhcp6Client::take_offer(Offer offer, DhcpTime now) {
  notes_.push_back(cat(offer.description, ": preference ", offer.preference, ", ", offer.addresses.front().to_string(),
                       "; requesting it"));
  chosen_ = std::move(offer);
  best_.reset();
  collecting_ = false;
  new_transaction();
  return send_request(now);
}

Dhcp6Action Dhcp6Client::restart(DhcpTime now, milliseconds delay) {
  best_.reset();
  chosen_.reset();
  collecting_ = false;
  new_transaction();
  if (delay <= milliseconds(0)) return send_solicit(now);
  state_ = Dhcp6State::Init;
  timer_ = std::min(now + delay, deadline_);
  notes_.push_back(cat("next SOLICIT in ", delay.count(), " ms"));
  return Dhcp6Wait{timer_};
}

Dhcp6Action Dhcp6Client::ignore(std::string reason) {
  ++ignored_;
  notes_.push_back("ignoring " + reason);
  last_ignored_ = std::move(reason);
  return Dhcp6Wait{timer_};
}

Dhcp6Action Dhcp6Client::finished() const {
  if (lease_) return Dhcp6Bound{*lease_};
  return Dhcp6Failed{*error_};
}

Dhcp6Action Dhcp6Client::on_timeout(DhcpTime now) {
  if (state_ == Dhcp6State::Bound || state_ == Dhcp6State::Failed) return finished();
  if (now >= deadline_) return fail();
  if (now < timer_) return Dhcp6Wait{timer_};  // woken early: nothing is due yet
  switch (state_) {
    case Dhcp6State::Init:
      return send_solicit(now);
    case Dhcp6State::Solicit:
      if (collecting_ && best_) return take_offer(*std::move(best_), now);
      return send_solicit(now);
    case Dhcp6State::Request:
      if (sends_ < kReqMaxRc) return send_request(now);
      // RFC 8415 18.2.2: REQ_MAX_RC sends without a REPLY end the exchange; this client then
      // looks for a server again.
      notes_.push_back(cat("no REPLY after ", count(sends_, "REQUEST"), " to ", hex_bytes(chosen_->server_id),
                           "; starting over with SOLICIT"));
      return restart(now, milliseconds(0));
    case Dhcp6State::Bound:
    case Dhcp6State::Failed:
      break;
  }
  return finished();
}

Dhcp6Action Dhcp6Client::on_packet(std::span<const std::byte> dhcp6_payload, DhcpTime now) {
  if (state_ == Dhcp6State::Bound || state_ == Dhcp6State::Failed) return finished();
  if (now >= deadline_) return fail();  // a packet read after the deadline starts nothing new
  auto parsed = parse_dhcp6_message(dhcp6_payload);
  if (!parsed) return ignore("a packet: " + describe(parsed.error()));
  const Dhcp6Message& message = *parsed;
  const std::string what = describe_message(message);
  if (state_ == Dhcp6State::Init) return ignore(what + ": no SOLICIT or REQUEST is out");
  // RFC 8415 16.3, 16.10: our transaction, a server id, our DUID.
  if (auto checked = check_dhcp6_reply(message, transaction_id_, client_id_); !checked) {
    return ignore(what + ": " + checked.error().problem);
  }
  if (state_ == Dhcp6State::Solicit) {
    if (message.type != Dhcp6MessageType::Advertise) return ignore(what + ": waiting for an ADVERTISE");
    return on_advertise(message, what, now);
  }
  if (message.type != Dhcp6MessageType::Reply) return ignore(what + ": waiting for a REPLY");
  // RFC 8415 18.2.10: the REPLY comes from the server the REQUEST named.
  if (message.server_id != chosen_->server_id) return ignore(what + ": not the server we asked");
  return on_reply(message, what, now);
}

// Why a message gives us no address, or nothing (and then `usable` holds the addresses of our
// IA_NA that a host may take, in the server's order).
std::optional<Dhcp6Client::Refusal> Dhcp6Client::refusal(const Dhcp6Message& message, const std::string& what,
                                                        std::vector<Dhcp6Address>& usable) {
  for (const auto& dropped : message.dropped) notes_.push_back(what + ": " + dropped);
  if (message.status && *message.status != Dhcp6Status::Success) {
    return Refusal{*message.status, status_text(*message.status, message.status_message)};
  }
  const auto ia = std::find_if(message.ia_na.begin(), message.ia_na.end(),
                               [&](const Dhcp6IaNa& candidate) { return candidate.iaid == config_.iaid; });
  if (ia == message.ia_na.end()) return Refusal{std::nullopt, cat("no IA_NA ", config_.iaid)};
  if (ia->status && *ia->status != Dhcp6Status::Success) {
    return Refusal{*ia->status, cat("IA_NA ", ia->iaid, ": ", status_text(*ia->status, ia->status_message))};
  }
  std::string last_reason;
  for (const auto& address : ia->addresses) {
    if (const auto reason = unusable(address)) {
      // RFC 8415 21.6: the client discards that IA address and uses the rest.
      last_reason = cat(address.address.to_string(), ": ", *reason);
      notes_.push_back(cat(what, ": ", last_reason, "; ignoring it"));
      continue;
    }
    usable.push_back(address);
  }
  if (usable.empty()) {
    return Refusal{std::nullopt, cat("IA_NA ", ia->iaid, ": no usable address",
                                     last_reason.empty() ? std::string() : cat(" (", last_reason, ")"))};
  }
  return std::nullopt;
}

Dhcp6Action Dhcp6Client::on_advertise(const Dhcp6Message& message, const std::string& what, DhcpTime now) {
  ++advertises_;
  std::vector<Dhcp6Address> usable;
  // RFC 8415 18.2.9: an ADVERTISE without addresses is ignored (it is no offer).
  if (const auto refused = refusal(message, what, usable)) {
    if (refused->status == Dhcp6Status::NoAddrsAvail) {
      ++advertises_no_addrs_;
    } else {
      ++advertises_unusable_;
      last_unusable_ = what + ": " + refused->reason;
    }
    notes_.push_back(what + ": " + refused->reason + "; ignoring it");
    return Dhcp6Wait{timer_};
  }
  Offer offer;
  offer.server_id = message.server_id;
  offer.preference = message.preference.value_or(0);  // RFC 8415 21.8: none means 0
  for (const auto& address : usable) offer.addresses.push_back(address.address);
  offer.description = what;
  // RFC 8415 18.2.9: 255 is taken at once; after the first RT the first good one is (18.2.1).
  if (offer.preference == kMaxPreference || !collecting_) return take_offer(std::move(offer), now);
  // RFC 8415 18.2.9: the highest preference wins; of equals, the first to arrive.
  if (!best_ || offer.preference > best_->preference) {
    notes_.push_back(cat(what, ": preference ", offer.preference, "; the best so far"));
    best_ = std::move(offer);
  } else {
    notes_.push_back(cat(what, ": preference ", offer.preference, ", not above ", best_->preference));
  }
  return Dhcp6Wait{timer_};
}

Dhcp6Action Dhcp6Client::on_reply(const Dhcp6Message& message, const std::string& what, DhcpTime now) {
  std::vector<Dhcp6Address> usable;
  // RFC 8415 18.2.10.1: NoAddrsAvail or NotOnLink for our REQUEST: look for a server again.
  // Any other failure is treated the same: this client has no other way to an address.
  if (const auto refused = refusal(message, what, usable)) {
    ++refusals_;
    last_refusal_ = what + ": " + refused->reason;
    notes_.push_back(last_refusal_ + "; starting over with SOLICIT");
    // A server that keeps refusing is asked less and less often (net/dhcp_client.h's NAK rule).
    return restart(now, restart_delay(refusals_));
  }
  return bind(message, usable);
}

Dhcp6Action Dhcp6Client::bind(const Dhcp6Message& reply, const std::vector<Dhcp6Address>& usable) {
  const auto ia = std::find_if(reply.ia_na.begin(), reply.ia_na.end(),
                               [&](const Dhcp6IaNa& candidate) { return candidate.iaid == config_.iaid; });
  Dhcp6Lease lease;
  lease.address = usable.front().address;
  lease.preferred_seconds = usable.front().preferred_seconds;
  lease.valid_seconds = usable.front().valid_seconds;
  lease.iaid = ia->iaid;
  std::uint32_t shortest = kInfiniteLifetime;
  for (const auto& address : usable) shortest = std::min(shortest, address.preferred_seconds);
  const Dhcp6Times times = dhcp6_renewal_times(ia->t1_seconds, ia->t2_seconds, shortest);
  lease.t1_seconds = times.t1;
  lease.t2_seconds = times.t2;
  lease.server_id = reply.server_id;
  lease.dns_servers = reply.dns_servers;
  lease.domain_list = reply.domain_list;
  lease.bootfile_url = reply.bootfile_url;
  notes_.push_back(cat(describe_message(reply), ": ", lease.address.to_string(), ", preferred ",
                       lease.preferred_seconds, " s, valid ", lease.valid_seconds, " s, T1 ", lease.t1_seconds,
                       " s, T2 ", lease.t2_seconds, " s"));
  state_ = Dhcp6State::Bound;
  lease_ = std::move(lease);
  return Dhcp6Bound{*lease_};
}

std::string Dhcp6Client::advertise_summary() const {
  std::string text = count(advertises_, "ADVERTISE message");
  if (advertises_no_addrs_ == advertises_) return text + (advertises_ == 1 ? ", NoAddrsAvail" : ", all NoAddrsAvail");
  const unsigned with_address = advertises_ - advertises_no_addrs_ - advertises_unusable_;
  std::string_view separator = ": ";
  const auto part = [&](unsigned n, std::string_view what) {
    if (n == 0) return;
    text += cat(separator, n, " ", what);
    separator = ", ";
  };
  part(with_address, "with an address");
  part(advertises_no_addrs_, "NoAddrsAvail");
  part(advertises_unusable_, "without a usable address");
  if (advertises_unusable_ > 0) text += cat(" (the last: ", last_unusable_, ")");
  return text;
}

Dhcp6Action Dhcp6Client::fail() {
  const auto waited = std::chrono::duration_cast<std::chrono::seconds>(config_.timeout).count();
  constexpr std::string_view kRangeHint =
      "check the DHCPv6 server's range for this link (dnsmasq: dhcp-range=fd00::10,fd00::ff,64, not ra-only or "
      "ra-stateless, which give no addresses; Kea: a pool in the subnet6 of this link)";
  std::string problem;
  std::string hint;
  if (advertises_ == 0) {
    problem = cat("no ADVERTISE after ", count(solicits_sent_, "SOLICIT"), " in ", waited, " s");
    hint = "check that a DHCPv6 server serves this link and that multicast to ff02::1:2 reaches it (a switch's MLD "
           "snooping, a relay), or raise nfsroot-init.dhcp_timeout=";
  } else if (requests_sent_ == 0) {
    problem = cat(advertise_summary(), " after ", count(solicits_sent_, "SOLICIT"), " in ", waited, " s");
    hint = kRangeHint;
  } else {
    problem = cat(count(requests_sent_, "REQUEST"), " (after ", count(solicits_sent_, "SOLICIT"), ", ",
                  advertise_summary(), ") in ", waited, " s: ");
    if (refusals_ > 0) {
      problem += cat(count(refusals_, "REPLY"), " without an address, the last: ", last_refusal_);
      hint = kRangeHint;
    } else {
      problem += "no REPLY";
      hint = "the server advertises but does not answer REQUESTs: check its log for this DUID";
    }
  }
  if (ignored_ > 0) problem += cat("; ", count(ignored_, "packet"), " ignored, the last: ", last_ignored_);
  state_ = Dhcp6State::Failed;
  error_ = error_with_problem("DHCPv6", cat("IA_NA ", config_.iaid, " for DUID-LL ", config_.mac.to_string()),
                              problem, hint);
  return Dhcp6Failed{*error_};
}

}  // namespace nfsroot
