// One interface's DHCP exchange as the network step runs it: the client state machine
// (net/dhcp_client.h) on the interface's packet socket (sys/packet_socket.h). The step's
// poll(2) loop calls on_wake() after each wake-up; the unit tests drive the same calls with a
// fake socket and a scripted server.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"
#include "net/dhcp_client.h"
#include "net/link_info.h"
#include "net/network_step.h"
#include "sys/packet_socket.h"

namespace nfsroot {

// The client's configuration from the plan's network step, for one link; `seed` gives the
// first xid and the backoff jitter.
[[nodiscard]] DhcpClientConfig dhcp_client_config(const NetworkStep& step, const LinkInfo& link, std::uint64_t seed);

class DhcpExchange {
 public:
  using TimePoint = PacketSocket::Clock::time_point;

  // `debug` gets the client's notes (messages sent, packets ignored and why), frames dropped
  // and sends that failed.
  DhcpExchange(std::string interface_name, std::unique_ptr<PacketSocket> socket, DhcpClientConfig config,
               std::function<void(std::string_view)> debug);

  // Sends the first message: a DISCOVER, or INIT-REBOOT's REQUEST.
  void start(TimePoint now);
  // One wake-up of the step's loop: the frames waiting on the socket, at most kFramesPerWake
  // of them (net/frame_drain.h), then the client's timer when it is due. The lease once the
  // client is bound; an error only when the socket fails.
  [[nodiscard]] Result<std::optional<DhcpLease>> on_wake(TimePoint now);

  [[nodiscard]] int fd() const { return socket_->fd(); }
  // When on_wake() has a timer to run; none once the client is bound or gave up.
  [[nodiscard]] const std::optional<TimePoint>& deadline() const { return deadline_; }
  // Why the client gave up (its timeout ran out); the step fails with it.
  [[nodiscard]] const std::optional<Error>& failure() const { return failure_; }
  [[nodiscard]] const DhcpClient& client() const { return client_; }

 private:
  std::optional<DhcpLease> act(DhcpAction action);
  void take(ReceivedFrame&& frame, TimePoint now, std::optional<DhcpLease>& lease);

  std::string name_;
  std::unique_ptr<PacketSocket> socket_;
  DhcpClient client_;
  std::function<void(std::string_view)> debug_;
  std::optional<TimePoint> deadline_;
  std::optional<Error> failure_;
};

}  // namespace nfsroot
