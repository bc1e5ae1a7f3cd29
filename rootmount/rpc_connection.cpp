// RPC over TCP with poll(2) and a deadline: connect, send one record, reassemble one reply.
#include "rootmount/rpc_connection.h"

#include <poll.h>
#include <sys/random.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>

#include "base/cat.h"
#include "base/socket_address.h"
#include "sys/wait_for_events.h"

namespace nfsroot {

namespace {

// Waits until `fd` has one of `events` (or an error or hang-up, which the next call reports),
// or the deadline passes. EINTR waits again for what is left.
Result<void> wait_for(int fd, short events, RpcClock::time_point deadline, std::string_view peer,
                      std::string_view waiting_for) {
  if (!TRY(wait_for_events(fd, events, deadline, peer))) {
    return std::unexpected(error_with_problem(waiting_for, peer, "no answer in time"));
  }
  return {};
}

}  // namespace

std::uint32_t initial_rpc_xid() {
  std::uint32_t xid = 0;
  // GRND_NONBLOCK: an early-boot pool that is not ready must not stall the failure report.
  if (::getrandom(&xid, sizeof xid, GRND_NONBLOCK) == static_cast<ssize_t>(sizeof xid)) return xid;
  return static_cast<std::uint32_t>(RpcClock::now().time_since_epoch().count());
}

Result<RpcConnection> RpcConnection::connect(const IpAddress& server, std::uint16_t port,
                                             RpcClock::time_point deadline) {
  std::string peer = cat(server.to_host_text(), ':', port);
  const SocketAddress address = socket_address(server, port);
  UniqueFd fd(::socket(address.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return std::unexpected(error_from_errno("socket", peer, errno));
  if (::connect(fd.get(), address.get(), address.length) != 0) {
    // EINTR: the connection still goes on in the background, as with EINPROGRESS (connect(2)).
    if (errno != EINPROGRESS && errno != EINTR) return std::unexpected(error_from_errno("connect", peer, errno));
    TRY(wait_for(fd.get(), POLLOUT, deadline, peer, "connect"));
    int failure = 0;
    socklen_t size = sizeof failure;
    if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &failure, &size) != 0) {
      return std::unexpected(error_from_errno("getsockopt SO_ERROR", peer, errno));
    }
    if (failure != 0) return std::unexpected(error_from_errno("connect", peer, failure));
  }
  return RpcConnection(std::move(fd), std::move(peer));
}

Result<std::vector<std::byte>> RpcConnection::call(const RpcCall& call, std::span<const std::byte> arguments,
                                                   RpcClock::time_point deadline) {
  const std::string what = describe_call(call);
  const auto record = add_record_mark(encode_call(call, arguments));
  std::size_t sent = 0;
  while (sent < record.size()) {
    // MSG_NOSIGNAL: a server that hangs up gets us EPIPE, not SIGPIPE.
    const ssize_t done = ::send(fd_.get(), record.data() + sent, record.size() - sent, MSG_NOSIGNAL);
    if (done >= 0) {
      sent += static_cast<std::size_t>(done);
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      TRY(wait_for(fd_.get(), POLLOUT, deadline, peer_, "send " + what));
    } else if (errno != EINTR) {
      return std::unexpected(error_from_errno("send " + what, peer_, errno));
    }
  }

  RecordReader reply;
  std::array<std::byte, 4096> buffer;
  while (!reply.complete()) {
    TRY(wait_for(fd_.get(), POLLIN, deadline, peer_, what));
    const ssize_t got = ::recv(fd_.get(), buffer.data(), buffer.size(), 0);
    if (got == 0) {
      return std::unexpected(error_with_problem(what, peer_,
                                                cat("the server closed the connection after ", reply.record().size(),
                                                    " bytes of the reply")));
    }
    if (got < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
      return std::unexpected(error_from_errno("receive " + what, peer_, errno));
    }
    // Bytes after the record answer nothing we asked (one call at a time): feed() leaves them.
    TRY(reply.feed(std::span(buffer).first(static_cast<std::size_t>(got))));
  }
  const auto results = TRY(decode_reply(reply.record(), call));
  return std::vector<std::byte>(results.begin(), results.end());
}

}  // namespace nfsroot
