// Several servers: connects to all at once, the first to answer wins; the retry rounds.
#include "rootmount/server_choice.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "base/cat.h"
#include "base/socket_address.h"
#include "base/text.h"
#include "base/unique_fd.h"
#include "rootmount/nfs_mount.h"
#include "sys/wait_for_events.h"

namespace nfsroot {

Result<ServerProbe> probe_servers(const std::vector<std::string>& servers, std::uint16_t port,
                                  std::chrono::steady_clock::time_point deadline) {
  using Clock = std::chrono::steady_clock;
  const auto started = Clock::now();
  const auto elapsed_ms = [&] {
    return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count());
  };
  ServerProbe probe;
  std::vector<UniqueFd> sockets;
  std::vector<int> pending;  // the descriptors still connecting, -1 once done
  for (const auto& server : servers) {
    probe.answers.push_back(ServerAnswer{server});
    ServerAnswer& answer = probe.answers.back();
    const auto parsed = IpAddress::parse(server);
    if (!parsed) {
      answer.errno_value = EINVAL;
      pending.push_back(-1);
      sockets.emplace_back();
      continue;
    }
    const SocketAddress address = socket_address(*parsed, port);
    UniqueFd fd(::socket(address.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd.valid()) return std::unexpected(error_from_errno("socket", server, errno));
    if (::connect(fd.get(), address.get(), address.length) == 0) {
      answer.answered = true;  // loopback can connect at once
    } else if (errno != EINPROGRESS && errno != EINTR) {
      answer.errno_value = errno;
    }
    if (answer.answered && !probe.chosen) probe.chosen = probe.answers.size() - 1;
    pending.push_back(answer.answered || answer.errno_value != 0 ? -1 : fd.get());
    sockets.push_back(std::move(fd));
  }
  while (!probe.chosen && std::ranges::any_of(pending, [](int fd) { return fd >= 0; })) {
    const auto revents = TRY(wait_for_events(pending, POLLOUT, deadline, "the servers' connects"));
    if (std::ranges::all_of(revents, [](short events) { return events == 0; })) break;  // the deadline
    for (std::size_t i = 0; i < pending.size(); ++i) {
      if (pending[i] < 0 || revents[i] == 0) continue;
      int failure = 0;
      socklen_t size = sizeof failure;
      if (::getsockopt(pending[i], SOL_SOCKET, SO_ERROR, &failure, &size) != 0) failure = errno;
      probe.answers[i].milliseconds = elapsed_ms();
      pending[i] = -1;
      if (failure != 0) {
        probe.answers[i].errno_value = failure;
      } else {
        probe.answers[i].answered = true;
        if (!probe.chosen) probe.chosen = i;
      }
    }
  }
  return probe;
}

std::string describe_server_probe(const ServerProbe& probe) {
  std::vector<std::string> others;
  for (std::size_t i = 0; i < probe.answers.size(); ++i) {
    const ServerAnswer& answer = probe.answers[i];
    if (probe.chosen == i) continue;
    if (answer.answered) {
      others.push_back(cat(answer.server, " answered later"));
    } else if (answer.errno_value != 0) {
      others.push_back(describe(error_from_errno(answer.server, "", answer.errno_value)));
    } else {
      others.push_back(cat(answer.server, probe.chosen ? " had not answered" : " no answer in time"));
    }
  }
  std::string text;
  if (probe.chosen) {
    const ServerAnswer& chosen = probe.answers[*probe.chosen];
    text = cat(chosen.server, " answered in ", chosen.milliseconds, " ms");
    if (!others.empty()) text += "; ";
  }
  return text + join(others, ", ");
}

std::uint16_t probe_port(const NfsMountRequest& request) {
  for (const auto& option : request.options) {
    if (!option.starts_with("port=")) continue;
    const auto port = parse_decimal<std::uint16_t>(std::string_view(option).substr(5));
    if (port && *port != 0) return *port;
  }
  return request.version >= 4 ? 2049 : 111;
}

int mount_jitter_ms(std::string_view identity, int max_ms) {
  if (max_ms <= 0) return 0;
  std::uint32_t hash = 2166136261u;  // FNV-1a, 32 bits
  for (const char c : identity) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 16777619u;
  }
  return static_cast<int>(hash % (static_cast<std::uint32_t>(max_ms) + 1));
}

Result<std::size_t> choose_server(System& system, const std::vector<std::string>& servers, std::uint16_t port,
                                  int timeout_seconds, const ServerProber& probe,
                                  const std::function<void(std::string_view)>& progress) {
  const auto started = system.now();
  const auto deadline = started + std::chrono::seconds(timeout_seconds);
  std::string last;
  for (unsigned round = 1;; ++round) {
    const auto round_deadline = std::min(system.now() + std::chrono::seconds(5), deadline);
    const ServerProbe answers = TRY(probe(round_deadline));
    if (answers.chosen) return *answers.chosen;
    last = describe_server_probe(answers);
    const auto delay = std::chrono::seconds(nfs_retry_delay_seconds(round));
    if (system.now() + delay >= deadline) break;
    if (progress) progress(cat("root: no server answered on port ", port, " (", last, "); trying again in ",
                               delay.count(), " s"));
    system.wait_until(system.now() + delay);
  }
  return std::unexpected(error_with_problem(
      cat("servers ", join(servers, ", ")), cat("port ", port),
      cat("none answered in ", timeout_seconds, " s: ", last),
      "are the servers up and reachable from this network? (nfsroot-init.servers= lists them, "
      "nfsroot-init.mount_timeout= sets how long to try)"));
}

Result<ServedRoot> serve_root_from_servers(System& system, const std::vector<std::string>& servers,
                                           std::uint16_t port, int timeout_seconds, const ServersProber& probe,
                                           const RootAttempt& attempt,
                                           const std::function<void(std::string_view)>& progress) {
  const auto deadline = system.now() + std::chrono::seconds(timeout_seconds);
  const auto seconds_left = [&] {
    return std::max<int>(1, static_cast<int>(std::chrono::ceil<std::chrono::seconds>(deadline - system.now()).count()));
  };
  std::vector<std::string> left = servers;
  ServedRoot served;
  for (;;) {
    auto chosen = choose_server(
        system, left, port, seconds_left(),
        [&](std::chrono::steady_clock::time_point round_deadline) { return probe(left, round_deadline); }, progress);
    if (!chosen) {
      Error error = chosen.error();
      if (!served.skipped.empty()) error.context.push_back(cat("after ", join(served.skipped, ", ")));
      return std::unexpected(std::move(error));
    }
    const std::string server = left[*chosen];
    const int share = std::max(kMinimumAttemptSeconds, timeout_seconds / static_cast<int>(servers.size()));
    auto tried = attempt(server, std::min(seconds_left(), share));
    if (tried) {
      served.server = static_cast<std::size_t>(std::ranges::find(servers, server) - servers.begin());
      return served;
    }
    served.skipped.push_back(server);
    left.erase(left.begin() + static_cast<std::ptrdiff_t>(*chosen));
    if (left.empty() || system.now() >= deadline) {
      Error error = std::move(tried.error());
      if (served.skipped.size() > 1) {
        error.context.push_back(cat("the last of ", join(served.skipped, ", "), ", each answered and could not serve"));
      }
      return std::unexpected(std::move(error));
    }
    if (progress) {
      progress(cat("root: ", server, " answered but cannot serve the root: ", describe(tried.error()),
                   "; asking ", join(left, ", ")));
    }
  }
}

}  // namespace nfsroot
