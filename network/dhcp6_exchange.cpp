// One interface's DHCPv6 exchange: the client's actions performed on the UDP socket, the
// servers' datagrams given to the client.
#include "network/dhcp6_exchange.h"

#include <chrono>
#include <utility>

#include "base/cat.h"
#include "net/frame_drain.h"

namespace nfsroot {

Dhcp6ClientConfig dhcp6_client_config(const NetworkStep& step, const LinkInfo& link, std::uint64_t seed) {
  Dhcp6ClientConfig config;
  config.mac = link.mac.value_or(MacAddress{});
  // RFC 8415 21.4: the IAID must stay the same across restarts. The MAC's last four octets,
  // as ISC dhclient -6 makes it, so that a server keyed on the IAID sees the same client
  // whichever of the two asked; 1 for a link with no MAC.
  const auto& octets = config.mac.octets;
  config.iaid = link.mac ? (std::uint32_t{octets[2]} << 24 | std::uint32_t{octets[3]} << 16 |
                            std::uint32_t{octets[4]} << 8 | octets[5])
                         : 1;
  config.transaction_id = static_cast<std::uint32_t>(seed ^ (seed >> 32)) & 0xffffff;
  config.random_seed = seed;
  config.timeout = std::chrono::seconds(step.dhcp_timeout_seconds);
  return config;
}

Dhcp6Exchange::Dhcp6Exchange(std::string interface_name, std::unique_ptr<Dhcp6Socket> socket,
                             Dhcp6ClientConfig config, std::function<void(std::string_view)> debug)
    : name_(std::move(interface_name)), socket_(std::move(socket)), client_(std::move(config)), debug_(std::move(debug)) {}

void Dhcp6Exchange::start(TimePoint now) {
  // A lease from start() is impossible: nothing was received yet.
  (void)act(client_.start(now));
}

std::optional<Dhcp6Lease> Dhcp6Exchange::act(Dhcp6Action action) {
  for (const auto& note : client_.take_notes()) debug_(name_ + ": " + note);
  if (auto* send = std::get_if<Dhcp6Send>(&action)) {
    if (auto sent = socket_->send_to_servers(send->payload); !sent) {
      // The link-local address may still be settling; the retransmission timer tries again.
      debug_(describe(sent.error()) + ", ignoring");
    }
    deadline_ = send->wait_until;
    return std::nullopt;
  }
  if (auto* wait = std::get_if<Dhcp6Wait>(&action)) {
    deadline_ = wait->until;
    return std::nullopt;
  }
  if (auto* bound = std::get_if<Dhcp6Bound>(&action)) {
    deadline_.reset();
    return bound->lease;
  }
  if (auto* failed = std::get_if<Dhcp6Failed>(&action)) {
    deadline_.reset();
    failure_ = failed->error;
  }
  return std::nullopt;
}

Result<std::optional<Dhcp6Lease>> Dhcp6Exchange::on_wake(TimePoint now) {
  std::optional<Dhcp6Lease> lease;
  // Bounded per wake-up (net/frame_drain.h), as the DHCPv4 exchange is.
  TRY(drain_frames([&] { return socket_->receive(); },
                   [&](Dhcp6Datagram&& datagram) {
                     if (datagram.source_port != kDhcp6ServerPort) {
                       debug_(cat(name_, ": dropped a datagram from port ", datagram.source_port,
                                  " (DHCPv6 servers and relays send from 547)"));
                       return;
                     }
                     if (!failure_ && !lease) lease = act(client_.on_packet(datagram.payload, now));
                   }));
  if (!lease && !failure_ && deadline_ && *deadline_ <= now) lease = act(client_.on_timeout(now));
  return lease;
}

}  // namespace nfsroot
