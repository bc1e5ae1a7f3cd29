// The DHCP client's decisions: which message to send when, which replies to take, and the
// lease or the error that ends the exchange.
#include "net/dhcp_client.h"

#include <algorithm>

#include "base/cat.h"
#include "base/splitmix.h"
#include "base/text.h"

namespace nfsroot {

namespace {

using std::chrono::milliseconds;

constexpr milliseconds kFirstRetransmit{2'000};
constexpr milliseconds kMaxRetransmit{64'000};
constexpr milliseconds kMaxRestart{64'000};

std::string hex32(std::uint32_t value) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string text = "0x";
  for (int shift = 28; shift >= 0; shift -= 4) text += digits[(value >> shift) & 0xf];
  return text;
}

std::string count(unsigned n, std::string_view what) {
  return cat(n, " ", what, n == 1 ? "" : "s");
}

// "OFFER from 10.0.2.2", or "OFFER" when the server did not say who it is.
std::string describe_reply(const DhcpMessage& message) {
  std::string text = message.type ? std::string(to_string(*message.type)) : std::string("BOOTP reply");
  if (message.server_id) text += cat(" from ", message.server_id->to_string());
  return text;
}


}  // namespace

std::string_view to_string(DhcpState state) {
  switch (state) {
    case DhcpState::Init: return "INIT";
    case DhcpState::Selecting: return "SELECTING";
    case DhcpState::Requesting: return "REQUESTING";
    case DhcpState::Rebooting: return "REBOOTING";
    case DhcpState::Bound: return "BOUND";
    case DhcpState::Failed: return "FAILED";
  }
  return "unknown";
}

milliseconds retransmit_delay(unsigned attempt, std::uint64_t random) {
  const milliseconds base = std::min<milliseconds>(kFirstRetransmit * (1 << std::min(attempt, 5u)), kMaxRetransmit);
  const auto spread = static_cast<std::uint64_t>(base.count() / 2);  // ±25% is a range of 50%
  return base - base / 4 + milliseconds(static_cast<long long>(random % (spread + 1)));
}

milliseconds restart_delay(unsigned naks) {
  if (naks <= 1) return milliseconds(0);
  return std::min<milliseconds>(milliseconds(1'000) * (1 << std::min(naks - 2, 6u)), kMaxRestart);
}

DhcpClient::DhcpClient(DhcpClientConfig config)
    : config_(std::move(config)), random_state_(config_.random_seed), xid_(config_.xid) {}

std::uint64_t DhcpClient::next_random() { return splitmix64(random_state_); }

// RFC 2131 2: seconds elapsed since the client began acquiring an address.
std::uint16_t DhcpClient::secs(DhcpTime now) const {
  const auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(now - started_).count();
  return static_cast<std::uint16_t>(std::clamp<long long>(elapsed, 0, 0xffff));
}

std::vector<std::string> DhcpClient::take_notes() {
  std::vector<std::string> notes;
  notes.swap(notes_);
  return notes;
}

DhcpAction DhcpClient::start(DhcpTime now) {
  *this = DhcpClient(std::move(config_));  // a second start() begins afresh
  started_ = now;
  deadline_ = now + config_.timeout;
  if (config_.requested_address) {
    state_ = DhcpState::Rebooting;
    offered_address_ = *config_.requested_address;
    return send_request(now);
  }
  return send_discover(now);
}

std::vector<std::byte> DhcpClient::request_bytes(DhcpMessageType type, DhcpTime now) const {
  DhcpRequestFields fields;
  fields.type = type;
  fields.xid = xid_;
  fields.secs = secs(now);
  fields.mac = config_.mac;
  fields.vendor_class = config_.vendor_class;
  fields.client_id = config_.client_id;
  fields.host_name = config_.host_name;
  fields.max_message_size = config_.max_message_size;
  if (type == DhcpMessageType::Request) {
    // RFC 2131 4.3.2 table 5: option 50 always; option 54 only in SELECTING/REQUESTING, so
    // that an INIT-REBOOT is answered by whichever server knows the address.
    fields.requested_address = offered_address_;
    if (state_ == DhcpState::Requesting) fields.server_id = offer_server_;
  }
  return build_dhcp_request(fields);
}

DhcpAction DhcpClient::send_discover(DhcpTime now) {
  state_ = DhcpState::Selecting;
  ++discovers_sent_;
  notes_.push_back(cat("sending DISCOVER ", attempt_ + 1, " (xid ", hex32(xid_), ")"));
  return send_and_wait(request_bytes(DhcpMessageType::Discover, now), now);
}

DhcpAction DhcpClient::send_request(DhcpTime now) {
  ++requests_sent_;
  const bool rebooting = state_ != DhcpState::Requesting;
  notes_.push_back(cat("sending REQUEST ", attempt_ + 1, " for ", offered_address_.to_string(),
                       rebooting ? " (INIT-REBOOT)" : " to ", rebooting ? std::string() : offer_server_.to_string(),
                       " (xid ", hex32(xid_), ")"));
  return send_and_wait(request_bytes(DhcpMessageType::Request, now), now);
}

// The same xid for every retransmission (RFC 2131 4.1), so a late answer to an earlier copy
// still counts.
DhcpAction DhcpClient::send_and_wait(std::vector<std::byte> payload, DhcpTime now) {
  timer_ = std::min(now + retransmit_delay(attempt_, next_random()), deadline_);
  ++attempt_;
  return DhcpSend{std::move(payload), timer_};
}

// Back to INIT with a new transaction, so that answers to the old one are told apart.
DhcpAction DhcpClient::restart(DhcpTime now, milliseconds delay) {
  state_ = DhcpState::Init;
  attempt_ = 0;
  xid_ = static_cast<std::uint32_t>(next_random());
  if (delay <= milliseconds(0)) return send_discover(now);
  timer_ = std::min(now + delay, deadline_);
  notes_.push_back(cat("next DISCOVER in ", delay.count(), " ms"));
  return DhcpWait{timer_};
}

DhcpAction DhcpClient::ignore(std::string reason) {
  ++ignored_;
  notes_.push_back("ignoring " + reason);
  last_ignored_ = std::move(reason);
  return DhcpWait{timer_};
}

DhcpAction DhcpClient::finished() const {
  if (lease_) return DhcpBound{*lease_};
  return DhcpFailed{*error_};
}

DhcpAction DhcpClient::on_timeout(DhcpTime now) {
  if (state_ == DhcpState::Bound || state_ == DhcpState::Failed) return finished();
  if (now >= deadline_) return fail();
  if (now < timer_) return DhcpWait{timer_};  // woken early: nothing is due yet
  switch (state_) {
    case DhcpState::Init:
    case DhcpState::Selecting:
      return send_discover(now);
    case DhcpState::Requesting:
    case DhcpState::Rebooting: {
      const unsigned limit = state_ == DhcpState::Requesting ? kMaxRequestSends : kMaxRebootSends;
      if (attempt_ < limit) return send_request(now);
      notes_.push_back(cat("no ACK or NAK after ", count(attempt_, "REQUEST"), " for ", offered_address_.to_string(),
                           "; starting over with DISCOVER"));
      return restart(now, milliseconds(0));
    }
    case DhcpState::Bound:
    case DhcpState::Failed:
      break;
  }
  return finished();
}

DhcpAction DhcpClient::on_packet(std::span<const std::byte> dhcp_payload, DhcpTime now) {
  if (state_ == DhcpState::Bound || state_ == DhcpState::Failed) return finished();
  auto parsed = parse_dhcp_message(dhcp_payload);
  if (!parsed) return ignore("a packet: " + describe(parsed.error()));
  const DhcpMessage& message = *parsed;
  const std::string what = describe_reply(message);
  if (message.xid != xid_) {
    return ignore(what + ": transaction id " + hex32(message.xid) + " is not ours (" + hex32(xid_) + ")");
  }
  if (message.chaddr != config_.mac) return ignore(what + ": for another client (" + message.chaddr.to_string() + ")");
  if (!message.type) return ignore("a BOOTP reply: no DHCP message type (option 53)");

  switch (state_) {
    case DhcpState::Selecting: {
      if (*message.type != DhcpMessageType::Offer) return ignore(what + ": waiting for an OFFER");
      if (message.yiaddr.is_unspecified()) return ignore(what + ": no address offered (yiaddr 0.0.0.0)");
      // RFC 2131 4.3.1 table 3: an OFFER MUST carry option 54; the REQUEST needs it.
      if (!message.server_id) return ignore(what + ": no server identifier (option 54)");
      for (const auto& dropped : message.dropped) notes_.push_back(what + ": " + dropped);
      // RFC 2131 4.4.1: the client may take the first offer; waiting for more would only
      // slow the boot.
      notes_.push_back(what + ": " + message.yiaddr.to_string() + "; requesting it");
      ++offers_taken_;
      offered_address_ = message.yiaddr;
      offer_server_ = *message.server_id;
      offered_lease_seconds_ = message.lease_seconds;
      state_ = DhcpState::Requesting;
      attempt_ = 0;
      return send_request(now);
    }
    case DhcpState::Requesting:
    case DhcpState::Rebooting: {
      if (*message.type != DhcpMessageType::Ack && *message.type != DhcpMessageType::Nak) {
        return ignore(what + ": waiting for an ACK or NAK");
      }
      // In REQUESTING only the chosen server answers for our offer (RFC 2131 4.4.1); in
      // REBOOTING no server was chosen, so any may answer.
      if (state_ == DhcpState::Requesting && message.server_id != offer_server_) {
        return ignore(what + ": not the server we asked (" + offer_server_.to_string() + ")");
      }
      if (*message.type == DhcpMessageType::Nak) {
        ++naks_;
        // Option 56 is the server's free text: escaped, so it cannot add lines to the console.
        last_nak_ = what + (message.message.empty() ? std::string() : ": \"" + escape_for_log(message.message) + "\"");
        notes_.push_back(last_nak_ + "; starting over with DISCOVER");
        return restart(now, restart_delay(naks_));
      }
      if (message.yiaddr.is_unspecified()) return ignore(what + ": no address (yiaddr 0.0.0.0)");
      if (!message.server_id) return ignore(what + ": no server identifier (option 54)");
      for (const auto& dropped : message.dropped) notes_.push_back(what + ": " + dropped);
      return bind(message);
    }
    case DhcpState::Init:
      return ignore(what + ": not waiting for an answer before the next DISCOVER");
    case DhcpState::Bound:
    case DhcpState::Failed:
      break;
  }
  return finished();
}

DhcpAction DhcpClient::bind(const DhcpMessage& ack) {
  DhcpLease lease;
  lease.address = ack.yiaddr;
  if (ack.subnet_mask) {
    lease.netmask = *ack.subnet_mask;
  } else {
    lease.netmask = classful_netmask(lease.address);
    notes_.push_back("no subnet mask (option 1); using the address class's " + lease.netmask.to_string());
  }
  lease.broadcast = ack.broadcast.value_or(broadcast_address(lease.address, lease.netmask));
  lease.routers = ack.routers;
  lease.dns_servers = ack.dns_servers;
  lease.ntp_servers = ack.ntp_servers;
  // The server's strings and MTU are checked here, once, where they enter the lease: what
  // reaches sethostname(), the NFS path's %s, the root system's files and the link is safe.
  lease.host_name = lease_host_name(ack.host_name, lease.warnings);
  if (!lease.host_name.empty() && lease.host_name != ack.host_name) {
    notes_.push_back("host name (option 12) '" + ack.host_name + "': using its first label '" + lease.host_name + "'");
  }
  lease.domain_name = lease_domain_name(ack.domain_name, lease.warnings);
  lease.root_path = lease_text(ack.root_path, "root path (option 17)", kMaxRootPathSize, lease.warnings);
  lease.boot_file = lease_text(ack.boot_file, "boot file (file)", ack.boot_file.size(), lease.warnings);
  lease.server_name = lease_text(ack.server_name, "server name (sname)", ack.server_name.size(), lease.warnings);
  lease.server_id = *ack.server_id;
  lease.next_server = ack.siaddr;
  lease.mtu = lease_mtu(ack.mtu, lease.warnings);
  // RFC 2131 4.3.1: an ACK MUST carry the lease time; without one, the offer's, else treat
  // it as infinite (the root system's own DHCP client renews anyway).
  lease.lease_seconds = ack.lease_seconds.value_or(offered_lease_seconds_.value_or(kInfiniteLease));
  lease.renewal_seconds = ack.renewal_seconds.value_or(default_renewal_seconds(lease.lease_seconds));
  lease.rebinding_seconds = ack.rebinding_seconds.value_or(default_rebinding_seconds(lease.lease_seconds));
  notes_.push_back(cat(describe_reply(ack), ": ", lease.address.to_string(), "/", lease.netmask.to_string(), ", lease ",
                       lease.lease_seconds, " s"));
  for (const auto& warning : lease.warnings) notes_.push_back(describe_reply(ack) + ": " + warning);
  state_ = DhcpState::Bound;
  lease_ = std::move(lease);
  return DhcpBound{*lease_};
}

DhcpAction DhcpClient::fail() {
  const auto waited = std::chrono::duration_cast<std::chrono::seconds>(config_.timeout).count();
  std::string problem;
  std::string hint;
  if (offers_taken_ == 0) {
    if (config_.requested_address) {
      problem = "INIT-REBOOT for " + config_.requested_address->to_string() + ": " +
                (naks_ > 0 ? last_nak_ : "no answer to " + count(requests_sent_, "REQUEST")) + "; then ";
    }
    problem += cat("no OFFER after ", count(discovers_sent_, "DISCOVER"), " in ", waited, " s");
    hint = "check that a DHCP server serves this network (cable, switch port, VLAN)";
    if (!config_.vendor_class.empty()) {
      hint += " and answers vendor class \"" + config_.vendor_class + "\" (dhcpclass=)";
    }
    hint += ", or raise nfsroot-init.dhcp_timeout=";
  } else {
    problem = cat(count(offers_taken_, "OFFER"), " taken but no ACK after ", count(requests_sent_, "REQUEST"), " (",
                  count(discovers_sent_, "DISCOVER"), " sent) in ", waited, " s");
    if (naks_ > 0) problem += "; " + count(naks_, "NAK") + ", the last: " + last_nak_;
    hint = "the server offers but does not confirm: check its log for this MAC (an address conflict, another "
           "server refusing the address)";
  }
  if (ignored_ > 0) problem += "; " + count(ignored_, "packet") + " ignored, the last: " + last_ignored_;
  state_ = DhcpState::Failed;
  error_ = error_with_problem("DHCP", config_.mac.to_string(), problem, hint);
  return DhcpFailed{*error_};
}

}  // namespace nfsroot
