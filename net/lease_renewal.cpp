#include "net/lease_renewal.h"

#include <algorithm>

#include "base/cat.h"
#include "base/splitmix.h"
#include "base/text.h"
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

RenewalAction LeaseRenewal::send_request(Uptime now, Uptime wait_until) {
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
  timer_ = wait_until;
  const Ipv4Address to = state_ == RenewalState::Renewing ? lease_.server : kBroadcast;
  note(RenewalEvent::Kind::Note, cat("sending REQUEST for ", lease_.address.to_string(), " to ", to.to_string(), " (",
                                     to_string(state_), ", xid ", xid_, ")"));
  return RenewalSend{build_dhcp_request(fields), to, timer_};
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
    xid_ = static_cast<std::uint32_t>(splitmix64(random_state_));
    sent_at_ = now;
    if (due == RenewalState::Lost) {
      note(RenewalEvent::Kind::Expired,
           cat("the lease of ", lease_.address.to_string(), " ran out: no DHCP server answered since T1 (",
               lease_.renewal_seconds, " s after the last ACK, from ", lease_.server.to_string(),
               "); keeping the address, which the NFS root needs, and asking every ", kLostRetryInterval.count(),
               " s; check that the server is up and serves ", lease_.mac.to_string(),
               ", or give this client a fixed address"));
    }
  } else if (now < timer_) {
    return wait();
  } else if (state_ == RenewalState::Lost) {
    // Each retry of a lost lease is a transaction of its own, so that an ACK counts the
    // lease from this REQUEST and not from one minutes ago.
    xid_ = static_cast<std::uint32_t>(splitmix64(random_state_));
    sent_at_ = now;
  }
  switch (state_) {
    case RenewalState::Renewing: return send_request(now, retransmit_at(now, deadlines->rebind));
    case RenewalState::Rebinding: return send_request(now, retransmit_at(now, deadlines->expiry));
    default: return send_request(now, now + kLostRetryInterval);
  }
}

RenewalAction LeaseRenewal::on_packet(std::span<const std::byte> payload, Uptime now) {
  const auto ignore = [&](std::string why) {
    note(RenewalEvent::Kind::Note, "ignoring " + why);
    return wait();
  };
  if (state_ == RenewalState::Bound) return ignore("a packet while no REQUEST is out");
  auto message = parse_dhcp_message(payload);
  if (!message) return ignore("a malformed packet: " + message.error().problem);
  if (message->xid != xid_) return ignore(cat("a reply to another transaction (xid ", message->xid, ")"));
  if (message->chaddr != lease_.mac) return ignore("a reply for another client " + message->chaddr.to_string());
  const std::string from = message->server_id ? message->server_id->to_string() : std::string("a server");
  if (message->type == DhcpMessageType::Nak) {
    const std::string why = message->message.empty() ? std::string() : " ('" + message->message + "')";
    if (state_ == RenewalState::Lost) {
      note(RenewalEvent::Kind::Note, "NAK from " + from + why + " again");
    } else {
      note(RenewalEvent::Kind::Refused,
           cat(from, " refused to extend the lease of ", lease_.address.to_string(), why,
               " (NAK); keeping the address, which the NFS root needs, and asking every ", kLostRetryInterval.count(),
               " s; give this client a fixed address on the server (dhcpd host … fixed-address, dnsmasq dhcp-host=)"));
      state_ = RenewalState::Lost;
    }
    timer_ = now + kLostRetryInterval;
    return wait();
  }
  if (message->type != DhcpMessageType::Ack) return ignore("a reply that is neither ACK nor NAK from " + from);
  if (message->yiaddr != lease_.address) {
    return ignore("an ACK from " + from + " for another address " + message->yiaddr.to_string());
  }
  const bool was_lost = state_ == RenewalState::Lost;
  // RFC 2131 4.4.5: the new lease counts from when the REQUEST went out.
  lease_.bound_at = sent_at_;
  if (message->server_id) lease_.server = *message->server_id;
  if (message->lease_seconds) lease_.lease_seconds = *message->lease_seconds;
  lease_.renewal_seconds = message->renewal_seconds.value_or(default_renewal_seconds(lease_.lease_seconds));
  lease_.rebinding_seconds = message->rebinding_seconds.value_or(default_rebinding_seconds(lease_.lease_seconds));
  ++lease_.renewals;
  state_ = RenewalState::Bound;
  const std::string lasting = lease_.lease_seconds == kInfiniteLease ? std::string("for ever")
                                                                    : cat("for ", lease_.lease_seconds, " s");
  note(was_lost ? RenewalEvent::Kind::Regained : RenewalEvent::Kind::Renewed,
       cat(was_lost ? "regained " : "renewed ", lease_.address.to_string(), " from ", lease_.server.to_string(), " ",
           lasting));
  return on_timeout(now);
}

}  // namespace nfsroot
