// Several servers for one root (nfsroot-init.servers=, issue 12): every server is asked at
// once and the first to answer is mounted, so a dead or slow one costs nothing; a jitter
// from the client's MAC before the first attempt spreads a fleet that powers on at one
// instant (after a power cut) over a few hundred milliseconds.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "mounts/nfs_options.h"
#include "sys/system.h"

namespace nfsroot {

struct ServerAnswer {
  std::string server;
  bool answered = false;
  int errno_value = 0;    // why it did not answer; 0 and not answered: no answer in time
  long milliseconds = 0;  // from the probe's start to the answer or the failure
};

struct ServerProbe {
  std::vector<ServerAnswer> answers;  // in the order of the servers given
  std::optional<std::size_t> chosen;  // the first to answer
};

// Non-blocking TCP connects to PORT of every server at once; returns as soon as one connects
// (chosen), or when all have failed or DEADLINE has passed (none chosen).
[[nodiscard]] Result<ServerProbe> probe_servers(const std::vector<std::string>& servers, std::uint16_t port,
                                                std::chrono::steady_clock::time_point deadline);

// For the log: "10.0.0.2 answered in 12 ms; 10.0.0.1 had not answered, 10.0.0.3: Connection
// refused (errno 111)"; without an answer, "10.0.0.1 no answer in time, …".
[[nodiscard]] std::string describe_server_probe(const ServerProbe& probe);

// The port a probe connects to: the NFS port for NFSv4 (port=, else 2049); for NFSv2/3 the
// NFS port when port= names it, else rpcbind's 111, which the mount asks first.
[[nodiscard]] std::uint16_t probe_port(const NfsMountRequest& request);

// The wait before the first attempt: FNV-1a of IDENTITY (the MAC) into 0..MAX_MS.
[[nodiscard]] int mount_jitter_ms(std::string_view identity, int max_ms);

using ServerProber = std::function<Result<ServerProbe>(std::chrono::steady_clock::time_point deadline)>;

// Probes in rounds (each at most 5 s) until one server answers or TIMEOUT_SECONDS have passed,
// waiting 1, 2, 4… s between rounds (nfs_retry_delay_seconds) on SYSTEM's clock; a line per
// failed round through PROGRESS. The chosen server's index, or an error naming every server,
// what each said, and the fix.
[[nodiscard]] Result<std::size_t> choose_server(System& system, const std::vector<std::string>& servers,
                                                std::uint16_t port, int timeout_seconds, const ServerProber& probe,
                                                const std::function<void(std::string_view)>& progress);

// One attempt to mount the root from SERVER (the NFS mount and, in image mode, the image on
// it) within TIMEOUT_SECONDS; one that fails leaves nothing of it mounted.
using RootAttempt = std::function<Result<void>(const std::string& server, int timeout_seconds)>;
// Probes the servers given until the deadline (probe_servers, for the servers still in play).
using ServersProber = std::function<Result<ServerProbe>(const std::vector<std::string>& servers,
                                                        std::chrono::steady_clock::time_point deadline)>;

struct ServedRoot {
  std::size_t server = 0;             // the index in the servers given of the one that served
  std::vector<std::string> skipped;   // those that answered but could not serve, in turn
};

// Several servers: the first to answer (choose_server) is tried; one that answers but cannot
// serve the root (no such export, the image missing or damaged there, a mount that fails) is
// left out with a line through PROGRESS, and the others are asked again, all within
// TIMEOUT_SECONDS. An attempt gets the server's share of that, at least
// kMinimumAttemptSeconds: a server that accepts connections but never answers the mount (a
// wedged nfsd) must not use up the time the others could serve in. When none serves, the last
// attempt's error, naming the servers tried before.
inline constexpr int kMinimumAttemptSeconds = 15;
[[nodiscard]] Result<ServedRoot> serve_root_from_servers(System& system, const std::vector<std::string>& servers,
                                                         std::uint16_t port, int timeout_seconds,
                                                         const ServersProber& probe, const RootAttempt& attempt,
                                                         const std::function<void(std::string_view)>& progress);

}  // namespace nfsroot
