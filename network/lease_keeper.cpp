#include "network/lease_keeper.h"

#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <memory>
#include <optional>

#include "base/cat.h"
#include "base/file.h"
#include "base/text.h"
#include "base/unique_fd.h"
#include "net/dhcp6_message.h"
#include "net/lease_file.h"
#include "net/lease_renewal.h"
#include "sys/dhcp6_socket.h"
#include "sys/udp_socket.h"

namespace nfsroot {

namespace {

// The file is replaced whole (a reader never sees half of it).
Result<void> write_lease(const std::string& path, const LeaseRenewal& renewal) {
  const std::string temporary = path + ".new";
  TRY(write_file(temporary, format_lease_file(renewal.lease(), renewal.state())));
  if (::rename(temporary.c_str(), path.c_str()) != 0) return std::unexpected(error_from_errno("rename", path, errno));
  return {};
}

// A keeper already running for the interface: the PID in its file, when that process lives.
std::optional<long> running_keeper(const std::string& pid_path) {
  auto text = read_file(pid_path);
  if (!text) return std::nullopt;
  const auto pid = parse_decimal<long>(trim(std::string_view(*text).substr(0, text->find('\n'))));
  if (!pid || *pid <= 0 || *pid == ::getpid()) return std::nullopt;
  if (::kill(static_cast<pid_t>(*pid), 0) != 0 && errno == ESRCH) return std::nullopt;
  return pid;
}

// The keeper's one socket: UDP port 68 for a DHCPv4 lease, 546 for a DHCPv6 one (RENEW and
// REBIND both go to [ff02::1:2]:547, RFC 8415 18.2.4, 18.2.5).
struct KeeperSocket {
  std::optional<DhcpUdpSocket> v4;
  std::unique_ptr<LinuxDhcp6Socket> v6;

  int fd() const { return v6 ? v6->fd() : v4->fd(); }
  Result<void> send(const RenewalSend& send) {
    return v6 ? v6->send_to_servers(send.payload) : v4->send_to(send.to, send.payload);
  }
  Result<std::optional<std::vector<std::byte>>> receive() {
    if (!v6) return v4->receive();
    for (;;) {
      auto datagram = TRY(v6->receive());
      if (!datagram) return std::nullopt;
      // RFC 8415 7.2: servers and relays send from 547; anything else is no answer.
      if (datagram->source_port == kDhcp6ServerPort) return std::move(datagram->payload);
    }
  }
  Result<void> open(const HeldLease& lease) {
    if (!lease.v6) {
      v4 = TRY(DhcpUdpSocket::open(lease.interface));
      return {};
    }
    const unsigned index = ::if_nametoindex(lease.interface.c_str());
    if (index == 0) return std::unexpected(error_from_errno("if_nametoindex", lease.interface, errno));
    v6 = TRY(LinuxDhcp6Socket::open(static_cast<int>(index), lease.interface));
    return {};
  }
};

}  // namespace

Uptime uptime_now() {
  timespec ts{};
  ::clock_gettime(CLOCK_BOOTTIME, &ts);
  return Uptime(static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000);
}

std::string keeper_pid_path(std::string_view run_dir, std::string_view interface) {
  return cat(run_dir, "/nfsroot-init/keep-lease-", interface, ".pid");
}

int keep_lease(const std::string& run_dir, const std::string& interface, const KeeperLog& log) {
  const std::string lease_path = lease_file_path(run_dir, interface);
  const auto text = read_file(lease_path);
  if (!text) {
    log.error(describe(text.error()) + " (the keeper renews the lease /init took: boot with DHCP first)");
    return 1;
  }
  auto lease = parse_lease_file(*text, lease_path);
  if (!lease) {
    log.error(describe(lease.error()));
    return 1;
  }
  if (lease->interface != interface) {
    log.error(cat(lease_path, " is the lease of ", lease->interface, ", not of ", interface));
    return 1;
  }
  const std::string pid_path = keeper_pid_path(run_dir, interface);
  if (const auto other = running_keeper(pid_path)) {
    log.error(cat("the lease of ", interface, " is already kept by PID ", *other, " (", pid_path, ")"));
    return 1;
  }

  // The stop signals come through a descriptor, so the one poll(2) waits for them too.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  for (const int signal : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&stop_signals, signal);
  if (::sigprocmask(SIG_BLOCK, &stop_signals, nullptr) != 0) {
    log.error(describe(error_from_errno("sigprocmask", "SIGTERM SIGINT SIGHUP", errno)));
    return 1;
  }
  const UniqueFd signals(::signalfd(-1, &stop_signals, SFD_CLOEXEC | SFD_NONBLOCK));
  if (signals.get() < 0) {
    log.error(describe(error_from_errno("signalfd", "SIGTERM SIGINT SIGHUP", errno)));
    return 1;
  }
  KeeperSocket socket;
  if (auto opened = socket.open(*lease); !opened) {
    log.error(describe(opened.error()));
    return 1;
  }
  if (auto written = write_file(pid_path, cat(::getpid(), '\n')); !written) {
    log.error(describe(written.error()));
    return 1;
  }

  std::uint64_t seed = 0;
  if (::getrandom(&seed, sizeof seed, GRND_NONBLOCK) != sizeof seed) {
    seed = static_cast<std::uint64_t>(uptime_now().count()) ^ (std::uint64_t{lease->mac.octets[5]} << 40);
  }
  LeaseRenewal renewal(*lease, seed);
  const auto deadlines = lease_deadlines(renewal.lease());
  log.info(cat(interface, ": keeping the ", lease->v6 ? "DHCPv6 " : "", "lease of ", leased_address(*lease), " from ",
               lease_server(*lease),
               deadlines ? cat("; renewing in ", (deadlines->renew - uptime_now()).count() / 1000, " s")
                         : std::string("; it never runs out")));

  // The lease file says the state in force (RENEWING from T1, REBINDING from T2, LOST), not only
  // each outcome: an admin reading it mid-renewal sees where the keeper is.
  RenewalState written = renewal.state();
  const auto report = [&](RenewalAction action) {
    bool changed = renewal.state() != written;
    for (const auto& event : renewal.take_events()) {
      const std::string line = interface + ": " + event.text;
      switch (event.kind) {
        case RenewalEvent::Kind::Renewed:
        case RenewalEvent::Kind::Regained: log.info(line); changed = true; break;
        case RenewalEvent::Kind::Refused:
        case RenewalEvent::Kind::Expired: log.error(line); changed = true; break;
        case RenewalEvent::Kind::Note: log.debug(line); break;
      }
    }
    if (changed) {
      if (auto done = write_lease(lease_path, renewal); !done) log.error(describe(done.error()));
      written = renewal.state();
    }
    return action;
  };

  RenewalAction action = report(renewal.on_timeout(uptime_now()));
  for (;;) {
    Uptime wait_until{};
    if (const auto* send = std::get_if<RenewalSend>(&action)) {
      // A failed send (the link down for a moment, no route) is retried at the next timer.
      if (auto sent = socket.send(*send); !sent) log.debug(describe(sent.error()));
      wait_until = send->wait_until;
    } else {
      wait_until = std::get<RenewalWait>(action).until;
    }
    pollfd fds[2] = {{socket.fd(), POLLIN, 0}, {signals.get(), POLLIN, 0}};
    int timeout_ms = -1;
    if (wait_until != Uptime::max()) {
      const auto left = (wait_until - uptime_now()).count();
      timeout_ms = static_cast<int>(std::clamp<std::int64_t>(left, 0, 24 * 3600 * 1000));
    }
    const int ready = ::poll(fds, 2, timeout_ms);
    if (ready < 0 && errno != EINTR) {
      log.error(describe(error_from_errno("poll", "the lease keeper of " + interface, errno)));
      return 1;
    }
    if (ready > 0 && fds[1].revents != 0) {
      signalfd_siginfo info{};
      [[maybe_unused]] const auto got = ::read(signals.get(), &info, sizeof info);
      log.info(cat(interface, ": lease keeper stopped by signal ", info.ssi_signo, "; the lease of ",
                   leased_address(renewal.lease()), " is left as it is"));
      ::unlink(pid_path.c_str());
      return 0;
    }
    if (ready > 0 && fds[0].revents != 0) {
      // Everything waiting, one datagram at a time; the last answer's action stands.
      std::optional<RenewalAction> answered;
      for (;;) {
        auto packet = socket.receive();
        if (!packet) {
          log.error(describe(packet.error()));
          break;
        }
        if (!*packet) break;
        answered = report(renewal.on_packet(**packet, uptime_now()));
      }
      if (answered) {
        action = std::move(*answered);
        continue;
      }
    }
    action = report(renewal.on_timeout(uptime_now()));
  }
}

}  // namespace nfsroot
