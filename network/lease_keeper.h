// The lease keeper: `nfsroot-init keep-lease IF`, which /init leaves running when nothing in
// the root system would renew the boot's lease (the hand-off decides, init/main.cpp). It reads
// /run/nfsroot-init/lease-IF, renews the lease at T1 and T2 as the same client
// (net/lease_renewal.h) on a UDP socket (sys/udp_socket.h; for a DHCPv6 lease, RENEW and
// REBIND on sys/dhcp6_socket.h's), writes the file again after every change, and stops on SIGTERM, SIGINT or SIGHUP without releasing anything: the NFS root still
// needs the address while the root system shuts down.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "net/lease_renewal.h"

namespace nfsroot {

// CLOCK_BOOTTIME now: what a lease's times count in (net/lease_renewal.h).
[[nodiscard]] Uptime uptime_now();

struct KeeperLog {
  std::function<void(std::string_view)> info;   // renewals
  std::function<void(std::string_view)> error;  // a refused or expired lease, a failing socket
  std::function<void(std::string_view)> debug;  // each REQUEST, packets ignored and why
};

// Where the keeper of an interface leaves its PID, so the root system (or the admin) can find
// and stop it: run_dir/nfsroot-init/keep-lease-IF.pid.
[[nodiscard]] std::string keeper_pid_path(std::string_view run_dir, std::string_view interface);

// Runs until a signal stops it: 0 then; 1 when it cannot start (no lease file, a lease file
// for another interface, the socket, another keeper of the interface still running).
[[nodiscard]] int keep_lease(const std::string& run_dir, const std::string& interface, const KeeperLog& log);

}  // namespace nfsroot
