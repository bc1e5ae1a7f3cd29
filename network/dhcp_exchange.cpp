// One interface's DHCP exchange: the client's actions performed on the packet socket, the
// server's frames parsed (net/udp_frame.h) and given to the client.
#include "network/dhcp_exchange.h"

#include <chrono>
#include <utility>

#include "net/frame_drain.h"
#include "net/udp_frame.h"

namespace nfsroot {

DhcpClientConfig dhcp_client_config(const NetworkStep& step, const LinkInfo& link, std::uint64_t seed) {
  DhcpClientConfig config;
  config.mac = link.mac.value_or(MacAddress{});
  config.xid = static_cast<std::uint32_t>(seed >> 32) ^ static_cast<std::uint32_t>(seed);
  config.random_seed = seed;
  config.vendor_class = step.vendor_class;
  config.client_id = step.client_id;
  config.host_name = step.hostname;
  config.timeout = std::chrono::seconds(step.dhcp_timeout_seconds);
  config.requested_address = step.requested_address;
  return config;
}

DhcpExchange::DhcpExchange(std::string interface_name, std::unique_ptr<PacketSocket> socket, DhcpClientConfig config,
                           std::function<void(std::string_view)> debug)
    : name_(std::move(interface_name)), socket_(std::move(socket)), client_(std::move(config)), debug_(std::move(debug)) {}

void DhcpExchange::start(TimePoint now) {
  // A lease from start() is impossible: nothing was received yet.
  (void)act(client_.start(now));
}

std::optional<DhcpLease> DhcpExchange::act(DhcpAction action) {
  for (const auto& note : client_.take_notes()) debug_(name_ + ": " + note);
  if (auto* send = std::get_if<DhcpSend>(&action)) {
    // RFC 2131 4.1: from 0.0.0.0 to the limited broadcast address, since the client has no
    // address yet; the broadcast flag in the message asks the server to answer the same way.
    const auto frame =
        build_udp_frame(Ipv4Address{}, Ipv4Address{0xffffffff}, kDhcpClientPort, kDhcpServerPort, send->payload);
    if (auto sent = socket_->send_broadcast(frame); !sent) {
      // A send can fail while the link settles; the retransmission timer tries again.
      debug_(describe(sent.error()) + ", ignoring");
    }
    deadline_ = send->wait_until;
    return std::nullopt;
  }
  if (auto* wait = std::get_if<DhcpWait>(&action)) {
    deadline_ = wait->until;
    return std::nullopt;
  }
  if (auto* bound = std::get_if<DhcpBound>(&action)) {
    deadline_.reset();
    return bound->lease;
  }
  if (auto* failed = std::get_if<DhcpFailed>(&action)) {
    deadline_.reset();
    failure_ = failed->error;
  }
  return std::nullopt;
}

void DhcpExchange::take(ReceivedFrame&& frame, TimePoint now, std::optional<DhcpLease>& lease) {
  const auto checksum = frame.checksum_not_ready ? UdpChecksum::Skip : UdpChecksum::Verify;
  auto datagram = parse_udp_frame(frame.ip_packet, checksum);
  if (!datagram) {
    debug_(name_ + ": dropped a frame: " + describe(datagram.error()));
    return;
  }
  if (datagram->destination_port != kDhcpClientPort || datagram->source_port != kDhcpServerPort) return;
  if (!failure_ && !lease) lease = act(client_.on_packet(datagram->payload, now));
}

Result<std::optional<DhcpLease>> DhcpExchange::on_wake(TimePoint now) {
  std::optional<DhcpLease> lease;
  // Bounded per wake-up (net/frame_drain.h): a flood on one interface must not starve the
  // others, the timers and the link events. A deadline of `now`: only what is waiting.
  TRY(drain_frames([&] { return socket_->receive(now); },
                   [&](ReceivedFrame&& frame) { take(std::move(frame), now, lease); }));
  if (!lease && !failure_ && deadline_ && *deadline_ <= now) lease = act(client_.on_timeout(now));
  return lease;
}

}  // namespace nfsroot
