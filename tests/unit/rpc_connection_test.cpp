// RPC over TCP against a scripted server on 127.0.0.1 (an ephemeral port, a thread): a reply in
// pieces, a silent server bounded by the deadline, a stranger's xid, a hang-up, a refusal.
#include "rootmount/rpc_connection.h"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <thread>
#include <vector>

#include "rpc/portmap.h"
#include "rpc/xdr.h"
#include "rpc_golden.h"

using namespace nfsroot;
using namespace std::chrono_literals;

namespace {

const Ipv4Address kLoopback{0x7f000001};

// Reads exactly `size` bytes; false when the peer closed first.
bool read_exactly(int fd, std::byte* to, std::size_t size) {
  while (size > 0) {
    const ssize_t got = ::recv(fd, to, size, 0);
    if (got <= 0) return false;
    to += got;
    size -= static_cast<std::size_t>(got);
  }
  return true;
}

void write_all(int fd, std::span<const std::byte> bytes) {
  while (!bytes.empty()) {
    const ssize_t sent = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent <= 0) return;
    bytes = bytes.subspan(static_cast<std::size_t>(sent));
  }
}

// One connection: reads the call record (one fragment, as we send), then hands the call and the
// socket to `script`; then waits until the client hangs up, so that nothing it did not write
// reaches the client.
class ScriptedServer {
 public:
  using Script = std::function<void(int fd, std::span<const std::byte> call)>;

  explicit ScriptedServer(Script script) {
    listener_.reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(kLoopback.value);
    REQUIRE(::bind(listener_.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(listener_.get(), 1) == 0);
    socklen_t address_size = sizeof address;
    REQUIRE(::getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&address), &address_size) == 0);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this, script = std::move(script)] {
      UniqueFd connection(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
      if (!connection.valid()) return;
      std::byte mark[4];
      if (!read_exactly(connection.get(), mark, 4)) return;
      const std::size_t size = (std::to_integer<std::size_t>(mark[1]) << 16) | (std::to_integer<std::size_t>(mark[2]) << 8) |
                               std::to_integer<std::size_t>(mark[3]);
      std::vector<std::byte> call(size);
      if (!read_exactly(connection.get(), call.data(), size)) return;
      script(connection.get(), call);
      std::byte drain[64];
      while (::recv(connection.get(), drain, sizeof drain, 0) > 0) {
      }
    });
  }
  ~ScriptedServer() {
    ::shutdown(listener_.get(), SHUT_RDWR);
    thread_.join();
  }
  [[nodiscard]] std::uint16_t port() const { return port_; }

 private:
  UniqueFd listener_;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

// A golden reply with the xid of `call` in place of the captured one.
std::vector<std::byte> answer(std::span<const std::byte> golden_reply, std::span<const std::byte> call) {
  std::vector<std::byte> reply(golden_reply.begin(), golden_reply.end());
  std::copy(call.begin(), call.begin() + 4, reply.begin());
  return reply;
}

const RpcCall kDump{0x01020304, kPortmapProgram, kPortmapVersion, kPortmapDump};

}  // namespace

TEST_CASE("rpc connection: a reply in two fragments, written in small pieces, is put together") {
  ScriptedServer server([](int fd, std::span<const std::byte> call) {
    const auto reply = answer(golden::bytes(golden::kDumpReply), call);
    XdrWriter first;
    first.u32(100);  // not the last fragment
    auto stream = first.take();
    stream.insert(stream.end(), reply.begin(), reply.begin() + 100);
    const auto last = add_record_mark(std::span(reply).subspan(100));
    stream.insert(stream.end(), last.begin(), last.end());
    for (std::size_t at = 0; at < stream.size(); at += 7) {
      write_all(fd, std::span(stream).subspan(at, std::min<std::size_t>(7, stream.size() - at)));
    }
  });
  const auto deadline = RpcClock::now() + 5s;
  auto connection = RpcConnection::connect(kLoopback, server.port(), deadline);
  REQUIRE(connection);
  const auto results = connection->call(kDump, {}, deadline);
  REQUIRE(results);
  const auto mappings = decode_dump_result(*results);
  REQUIRE(mappings);
  CHECK(mappings->size() == 10);
}

TEST_CASE("rpc connection: a server that never answers costs the deadline, not more") {
  ScriptedServer server([](int, std::span<const std::byte>) {});
  const auto start = RpcClock::now();
  const auto deadline = start + 300ms;
  auto connection = RpcConnection::connect(kLoopback, server.port(), deadline);
  REQUIRE(connection);
  const auto results = connection->call(kDump, {}, deadline);
  const auto took = RpcClock::now() - start;
  REQUIRE_FALSE(results);
  CHECK(describe(results.error()) == "portmap v2 DUMP 127.0.0.1:" + std::to_string(server.port()) + ": no answer in time");
  CHECK(took >= 300ms);
  CHECK(took < 2s);
}

TEST_CASE("rpc connection: a reply to another xid is refused") {
  ScriptedServer server([](int fd, std::span<const std::byte>) {
    write_all(fd, add_record_mark(golden::bytes(golden::kDumpReply)));  // xid 0x4e465352, not ours
  });
  const auto deadline = RpcClock::now() + 5s;
  auto connection = RpcConnection::connect(kLoopback, server.port(), deadline);
  REQUIRE(connection);
  const auto results = connection->call(kDump, {}, deadline);
  REQUIRE_FALSE(results);
  CHECK(describe(results.error()) == "reply to portmap v2 DUMP xid: 1313231698 is not the call's 16909060: not our reply");
}

TEST_CASE("rpc connection: a record mark over the cap is refused without waiting for the bytes") {
  ScriptedServer server([](int fd, std::span<const std::byte>) {
    XdrWriter mark;
    mark.u32(0x80000000u | (1u << 30));  // a 1 GiB last fragment
    write_all(fd, mark.take());
  });
  const auto deadline = RpcClock::now() + 5s;
  auto connection = RpcConnection::connect(kLoopback, server.port(), deadline);
  REQUIRE(connection);
  const auto results = connection->call(kDump, {}, deadline);
  REQUIRE_FALSE(results);
  CHECK(describe(results.error()).starts_with("RPC record record mark: a fragment of 1073741824 bytes"));
}

TEST_CASE("rpc connection: a server that hangs up mid-reply, and a port nobody listens on") {
  {
    ScriptedServer server([](int fd, std::span<const std::byte> call) {
      const auto reply = add_record_mark(answer(golden::bytes(golden::kDumpReply), call));
      write_all(fd, std::span(reply).first(50));
      ::shutdown(fd, SHUT_WR);
    });
    const auto deadline = RpcClock::now() + 5s;
    auto connection = RpcConnection::connect(kLoopback, server.port(), deadline);
    REQUIRE(connection);
    const auto results = connection->call(kDump, {}, deadline);
    REQUIRE_FALSE(results);
    CHECK(describe(results.error()) == "portmap v2 DUMP 127.0.0.1:" + std::to_string(server.port()) +
                                           ": the server closed the connection after 46 bytes of the reply");
  }
  // A port that was just free: the connect is refused at once (ECONNREFUSED), well before the deadline.
  std::uint16_t free_port = 0;
  {
    UniqueFd probe(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(kLoopback.value);
    REQUIRE(::bind(probe.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
    socklen_t size = sizeof address;
    REQUIRE(::getsockname(probe.get(), reinterpret_cast<sockaddr*>(&address), &size) == 0);
    free_port = ntohs(address.sin_port);
  }
  const auto refused = RpcConnection::connect(kLoopback, free_port, RpcClock::now() + 5s);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().errno_value == ECONNREFUSED);
  CHECK(refused.error().operation == "connect");
}
