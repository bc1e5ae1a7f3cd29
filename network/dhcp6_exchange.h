// One interface's DHCPv6 exchange as the network step runs it: the client state machine
// (net/dhcp6_client.h) on the interface's UDP socket (sys/dhcp6_socket.h). The IPv6 twin of
// network/dhcp_exchange.h, driven by the same poll(2) loop the same way.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"
#include "net/dhcp6_client.h"
#include "net/link_info.h"
#include "net/network_step.h"
#include "sys/dhcp6_socket.h"

namespace nfsroot {

// The client's configuration from the plan's network step, for one link; `seed` gives the
// first transaction id, the first SOLICIT's delay and the retransmission jitter.
[[nodiscard]] Dhcp6ClientConfig dhcp6_client_config(const NetworkStep& step, const LinkInfo& link,
                                                    std::uint64_t seed);

class Dhcp6Exchange {
 public:
  using Clock = std::chrono::steady_clock;
  using TimePoint = Clock::time_point;

  // `debug` gets the client's notes (messages sent, packets ignored and why), datagrams
  // dropped and sends that failed.
  Dhcp6Exchange(std::string interface_name, std::unique_ptr<Dhcp6Socket> socket, Dhcp6ClientConfig config,
                std::function<void(std::string_view)> debug);

  // Starts the client: its first SOLICIT waits out RFC 8415 18.2.1's random delay.
  void start(TimePoint now);
  // One wake-up of the step's loop: the datagrams waiting (at most kFramesPerWake), then the
  // client's timer when it is due. The lease once the client is bound; an error only when the
  // socket fails.
  [[nodiscard]] Result<std::optional<Dhcp6Lease>> on_wake(TimePoint now);

  [[nodiscard]] int fd() const { return socket_->fd(); }
  [[nodiscard]] const std::optional<TimePoint>& deadline() const { return deadline_; }
  [[nodiscard]] const std::optional<Error>& failure() const { return failure_; }
  [[nodiscard]] const Dhcp6Client& client() const { return client_; }

 private:
  std::optional<Dhcp6Lease> act(Dhcp6Action action);

  std::string name_;
  std::unique_ptr<Dhcp6Socket> socket_;
  Dhcp6Client client_;
  std::function<void(std::string_view)> debug_;
  std::optional<TimePoint> deadline_;
  std::optional<Error> failure_;
};

}  // namespace nfsroot
