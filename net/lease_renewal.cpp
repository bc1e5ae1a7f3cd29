#include "net/lease_renewal.h"

#include <algorithm>

#include "base/cat.h"
#include "base/splitmix.h"
#include "base/text.h"
#include "net/dhcp6_client.h"
#include "net/dhcp6_message.h"
#include "net/dhcp_lease.h"
#include "net/dhcp_packet.h"

namespace nfsroot {

namespace {

using std::chrono::seconds;

constexpr Ipv4Address kBroadcast{0xffffffff};

// A server that grants a lease of a second or two would have us send a REQUEST every second:
// the keeper renews no sooner than this after an ACK, whatever T1 says.
constexpr seconds kMinimumRenewalInterval{5};

// RFC 2131 4.4.5: half the time left until `until`, no sooner than 60 s, never past it.
Uptime retransmit_at(Uptime now, Uptime until) {
  const Uptime half = (until - now) / 2;
  return std::min(now + std::max<Uptime>(half, kMinimumRenewalRetransmit), until);
}

}  // namespace

std::string leased_address(const HeldLease& lease) {
  return lease.v6 ? lease.v6->address.to_string() : lease.address.to_string();
}

std::string lease_server(const HeldLease& lease) {
  return lease.v6 ? hex_bytes(lease.v6->server_id) : lease.server.to_string();
}

std::string_view to_string(RenewalState state) {
  switch (state) {
    case RenewalState::Bound: return "bound";
    case RenewalState::Renewing: return "renewing";
    case RenewalState::Rebinding: return "rebinding";
    case RenewalState::Lost: return "lost";
  }
  return "unknown";
}

std::optional<LeaseDeadlines> lease_deadlines(const HeldLease& lease) {
  if (lease.lease_seconds == kInfiniteLease) return std::nullopt;
  const Uptime expiry = lease.bound_at + seconds(lease.lease_seconds);
  const Uptime rebind = std::min(lease.bound_at + seconds(lease.rebinding_seconds), expiry);
  Uptime renew = std::min(lease.bound_at + seconds(lease.renewal_seconds), rebind);
  renew = std::max(renew, lease.bound_at + kMinimumRenewalInterval);
  return LeaseDeadlines{renew, std::max(rebind, renew), std::max(expiry, renew)};
}

LeaseRenewal::LeaseRenewal(HeldLease lease, std::uint64_t seed) : lease_(std::move(lease)), random_state_(seed) {}

std::vector<RenewalEvent> LeaseRenewal::take_events() { return std::exchange(events_, {}); }

void LeaseRenewal::note(RenewalEvent::Kind kind, std::string text) { events_.push_back({kind, std::move(text)}); }

RenewalAction LeaseRenewal::wait() const { return RenewalWait{timer_}; }

RenewalAction LeaseRenewal::ignore(std::string why) {
  note(RenewalEvent::Kind::Note, "ignoring " + why);
  return wait();
}

// A new transaction: a new id (DHCPv6's 24 bits), time and RT from 0.
void LeaseRenewal::new_transaction(Uptime now) {
  xid_ = static_cast<std::uint32_t>(splitmix64(random_state_));
  if (lease_.v6) xid_ &= 0xffffff;
  sent_at_ = now;
  rt_ = {};
}

RenewalAction LeaseRenewal::send_request(Uptime now, const LeaseDeadlines& deadlines) {
  // Sent again until T2 while renewing, until the end of the lease while rebinding.
  const Uptime until = state_ == RenewalState::Renewing ? deadlines.rebind : deadlines.expiry;
  std::vector<std::byte> payload;
  std::string_view name = "REQUEST";
  std::string to;
  if (const auto& v6 = lease_.v6) {
    if (state_ == RenewalState::Lost) {
      timer_ = now + kLostRetryInterval;
    } else {
      // RFC 8415 15: RT from REN_TIMEOUT (REB_TIMEOUT) doubling to REN_MAX_RT (REB_MAX_RT),
      // MRD the time left to T2 (18.2.4) or to the end of the valid lifetime (18.2.5).
      const bool renewing = state_ == RenewalState::Renewing;
      rt_ = dhcp6_retransmit_time(rt_, renewing ? kRenTimeout : kRebTimeout, renewing ? kRenMaxRt : kRebMaxRt,
                                  dhcp6_rand(splitmix64(random_state_), Dhcp6Rand::Any));
      timer_ = std::min(now + rt_, until);
    }
    Dhcp6RequestFields fields;
    // RFC 8415 18.2.4: RENEW names the server of the lease; 18.2.5: REBIND, to any, does not.
    // The IA_NA holds the address with lifetimes 0 (21.6), the ORO is the boot's.
    fields.type = state_ == RenewalState::Renewing ? Dhcp6MessageType::Renew : Dhcp6MessageType::Rebind;
    fields.transaction_id = xid_;
    fields.client_id = v6->client_id;
    if (state_ == RenewalState::Renewing) fields.server_id = v6->server_id;
    fields.iaid = v6->iaid;
    fields.addresses = {v6->address};
    // RFC 8415 21.9: hundredths since the transaction's first message.
    fields.elapsed_hundredths = static_cast<std::uint16_t>(std::min<long long>((now - sent_at_).count() / 10, 0xffff));
    payload = build_dhcp6_message(fields);
    name = to_string(fields.type);
    to = "ff02::1:2";
  } else {
    timer_ = state_ == RenewalState::Lost ? now + kLostRetryInterval : retransmit_at(now, until);
    DhcpRequestFields fields;
    fields.type = DhcpMessageType::Request;
    fields.xid = xid_;
    // RFC 2131 4.1 counts secs from the start of the exchange.
    fields.secs = static_cast<std::uint16_t>(
        std::min<long long>(std::chrono::duration_cast<seconds>(now - sent_at_).count(), 0xffff));
    fields.mac = lease_.mac;
    fields.client_address = lease_.address;  // RFC 2131 4.3.2 table 5: ciaddr, no option 50 nor 54
    fields.client_id = lease_.client_id;
    fields.vendor_class = lease_.vendor_class;
    fields.host_name = lease_.host_name;
    payload = build_dhcp_request(fields);
    to = (state_ == RenewalState::Renewing ? lease_.server : kBroadcast).to_string();
  }
  note(RenewalEvent::Kind::Note,
       cat("sending ", name, " for ", leased_address(lease_), " to ", to, " (", to_string(state_), ", xid ", xid_, ")"));
  return RenewalSend{std::move(payload), state_ == RenewalState::Renewing ? lease_.server : kBroadcast, timer_};
}

RenewalAction LeaseRenewal::on_timeout(Uptime now) {
  const auto deadlines = lease_deadlines(lease_);
  if (!deadlines) {
    timer_ = Uptime::max();
    return wait();
  }
  // The state the clock puts the lease in; a keeper that slept past T2 (a suspended machine,
  // a late start) goes straight to rebinding.
  RenewalState due = RenewalState::Bound;
  if (now >= deadlines->expiry) {
    due = RenewalState::Lost;
  } else if (now >= deadlines->rebind) {
    due = RenewalState::Rebinding;
  } else if (now >= deadlines->renew) {
    due = RenewalState::Renewing;
  }
  if (due == RenewalState::Bound) {
    timer_ = deadlines->renew;
    return wait();
  }
  // A later state is a new transaction: a new xid, secs from 0.
  if (due > state_ && state_ != RenewalState::Lost) {
    state_ = due;
    new_transaction(now);
    if (due == RenewalState::Lost) {
      const bool v6 = lease_.v6.has_value();
      note(RenewalEvent::Kind::Expired,
           cat("the lease of ", leased_address(lease_), " ran out: no ", v6 ? "DHCPv6" : "DHCP",
               " server answered since T1 (", lease_.renewal_seconds, " s after the last ", v6 ? "REPLY" : "ACK",
               ", from ", lease_server(lease_), "); keeping the address, which the NFS root needs, and asking every ",
               kLostRetryInterval.count(), " s; check that the server is up and serves ", v6 ? "DUID-LL " : "",
               lease_.mac.to_string(), ", or give this client a fixed address"));
    }
  } else if (now < timer_) {
    return wait();
  } else if (state_ == RenewalState::Lost) {
    // Each retry of a lost lease is a transaction of its own, so that an ACK counts the
    // lease from this REQUEST and not from one minutes ago.
    new_transaction(now);
  }
  return send_request(now, *deadlines);
}

// A NAK, or DHCPv6's refusal: the lease is lost until a server grants it again.
RenewalAction LeaseRenewal::refused(std::string from, std::string why, Uptime now) {
  if (state_ == RenewalState::Lost) {
    note(RenewalEvent::Kind::Note, from + " refused" + why + " again");
  } else {
    note(RenewalEvent::Kind::Refused,
         cat(from, " refused to extend the lease of ", leased_address(lease_), why,
             "; keeping the address, which the NFS root needs, and asking every ", kLostRetryInterval.count(),
             " s; give this client a fixed address on the server (dhcpd host … fixed-address, dnsmasq dhcp-host=)"));
    state_ = RenewalState::Lost;
  }
  timer_ = now + kLostRetryInterval;
  return wait();
}

// The lease's new times are in lease_: it counts from when the transaction's first message
// went out (RFC 2131 4.4.5; the earliest the server's clock can have started it).
RenewalAction LeaseRenewal::renewed(Uptime now) {
  const bool was_lost = state_ == RenewalState::Lost;
  lease_.bound_at = sent_at_;
  ++lease_.renewals;
  state_ = RenewalState::Bound;
  const std::string lasting = lease_.lease_seconds == kInfiniteLease ? std::string("for ever")
                                                                    : cat("for ", lease_.lease_seconds, " s");
  note(was_lost ? RenewalEvent::Kind::Regained : RenewalEvent::Kind::Renewed,
       cat(was_lost ? "regained " : "renewed ", leased_address(lease_), " from ", lease_server(lease_), " ", lasting));
  return on_timeout(now);
}

RenewalAction LeaseRenewal::on_packet(std::span<const std::byte> payload, Uptime now) {
  if (state_ == RenewalState::Bound) return ignore("a packet while no REQUEST is out");
  if (lease_.v6) return on_reply6(payload, now);
  auto message = parse_dhcp_message(payload);
  if (!message) return ignore("a malformed packet: " + message.error().problem);
  if (message->xid != xid_) return ignore(cat("a reply to another transaction (xid ", message->xid, ")"));
  if (message->chaddr != lease_.mac) return ignore("a reply for another client " + message->chaddr.to_string());
  const std::string from = message->server_id ? message->server_id->to_string() : std::string("a server");
  if (message->type == DhcpMessageType::Nak) {
    const std::string why = message->message.empty() ? std::string() : " ('" + message->message + "')";
    return refused(from, why + " (NAK)", now);
  }
  if (message->type != DhcpMessageType::Ack) return ignore("a reply that is neither ACK nor NAK from " + from);
  if (message->yiaddr != lease_.address) {
    return ignore("an ACK from " + from + " for another address " + message->yiaddr.to_string());
  }
  if (message->server_id) lease_.server = *message->server_id;
  if (message->lease_seconds) lease_.lease_seconds = *message->lease_seconds;
  lease_.renewal_seconds = message->renewal_seconds.value_or(default_renewal_seconds(lease_.lease_seconds));
  lease_.rebinding_seconds = message->rebinding_seconds.value_or(default_rebinding_seconds(lease_.lease_seconds));
  return renewed(now);
}

RenewalAction LeaseRenewal::on_reply6(std::span<const std::byte> payload, Uptime now) {
  HeldLease6& v6 = *lease_.v6;
  auto message = parse_dhcp6_message(payload);
  if (!message) return ignore("a malformed packet: " + message.error().problem);
  if (message->type != Dhcp6MessageType::Reply) return ignore(cat(to_string(message->type), ", not a REPLY"));
  // RFC 8415 16.10: our transaction id, our DUID, a server identifier.
  if (auto checked = check_dhcp6_reply(*message, xid_, v6.client_id); !checked) {
    return ignore("a REPLY: " + checked.error().problem);
  }
  const std::string from = hex_bytes(message->server_id);
  const auto ia = std::find_if(message->ia_na.begin(), message->ia_na.end(),
                               [&](const Dhcp6IaNa& candidate) { return candidate.iaid == v6.iaid; });
  // RFC 8415 18.2.10.1: the message's status, else the IA_NA's, says what became of the binding.
  std::optional<Dhcp6Status> status = message->status;
  std::string status_message = message->status_message;
  if ((!status || *status == Dhcp6Status::Success) && ia != message->ia_na.end()) {
    status = ia->status;
    status_message = ia->status_message;
  }
  const std::string why = status ? cat(" (", to_string(*status), status_message.empty() ? "" : ": ", status_message, ")")
                                 : std::string();
  if (status == Dhcp6Status::NoBinding) {
    if (state_ != RenewalState::Renewing) return ignore(cat("REPLY from ", from, why));
    note(RenewalEvent::Kind::Refused, cat(from, " has no binding for ", leased_address(lease_), why,
                                          " (its lease database lost?); asking any server with REBIND"));
    state_ = RenewalState::Rebinding;
    new_transaction(now);
    return send_request(now, *lease_deadlines(lease_));
  }
  if (status == Dhcp6Status::NoAddrsAvail) return refused(from, why, now);
  if (status && *status != Dhcp6Status::Success) return ignore(cat("REPLY from ", from, why));
  if (ia == message->ia_na.end()) return ignore(cat("REPLY from ", from, " without IA_NA ", v6.iaid));
  const auto address = std::find_if(ia->addresses.begin(), ia->addresses.end(),
                                    [&](const Dhcp6Address& a) { return a.address == v6.address; });
  if (address == ia->addresses.end()) {
    return ignore(cat("REPLY from ", from, " without ", leased_address(lease_)));
  }
  // RFC 8415 18.2.10.1: valid lifetime 0, the server takes the address back.
  if (address->valid_seconds == 0) return refused(from, " (valid lifetime 0)", now);
  v6.server_id = message->server_id;  // a REBIND's answer: the next RENEW goes to that server
  v6.preferred_seconds = address->preferred_seconds;
  lease_.lease_seconds = address->valid_seconds;
  const Dhcp6Times times = dhcp6_renewal_times(ia->t1_seconds, ia->t2_seconds, address->preferred_seconds);
  lease_.renewal_seconds = times.t1;
  lease_.rebinding_seconds = times.t2;
  return renewed(now);
}

}  // namespace nfsroot
