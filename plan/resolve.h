// What the plan leaves open until the boot learns it, settled by the same pure functions for
// explain and for the boot: the NFS root once the lease is in, the unions once the overlay lists
// of the root and the initramfs are read. Their results are exactly what the executor performs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "net/dhcp_lease.h"
#include "overlay/union_plan.h"
#include "plan/boot_plan.h"

namespace nfsroot {

// The client as the network step configured it: "%s" in the NFS path becomes the host name,
// else the address (nfsroot.rst).
struct ClientIdentity {
  std::string hostname;
  std::string address;
};

struct ResolvedRoot {
  NfsMountRequest request;   // source, type, read-only and data for mount(2)
  std::string server_source;  // "nfsroot=", "DHCP root-path (option 17)", …
  std::string path_source;
  std::string version_source;  // "root=nfs4:", "vers=3 in the DHCP root-path (option 17)", "the default", …
  std::vector<std::string> warnings;  // about the lease's root-path, for the log
  // The servers asked at once, request.server first; one: no asking, it is mounted.
  std::vector<std::string> servers;
  int jitter_max_ms = 0;  // the first attempt waits 0..this, by the MAC
};

// nfsroot-init.mount_jitter= when given, else 300 ms with several servers (a fleet's power-on
// after a cut is one instant: spread it), else none.
[[nodiscard]] int mount_jitter_max_ms(std::optional<int> option_ms, std::size_t servers);

// The kernel's precedence (choose_nfs_root in mounts/root_path.h) over the plan's root step and
// the lease (nullptr: static ip=). Fails when nothing names a server.
[[nodiscard]] Result<ResolvedRoot> resolve_root(const RootStep& step, const DhcpLease* lease,
                                                const ClientIdentity& client);

// The NFS mount for the plan's root step with the server and path known so far; the plan and
// resolve_root() both build it here.
[[nodiscard]] NfsMountRequest root_mount_request(const RootStep& step, std::string server, std::string path);

// The overlay list's sources merged (merge_overlay_sources): the command line's entries of the
// plan over the root's file over the initramfs' copy over the built-in default.
[[nodiscard]] MergedOverlayList merge_union_sources(const UnionsStep& step,
                                                    const std::optional<OverlayListFile>& root_file,
                                                    const std::optional<OverlayListFile>& initramfs_file);

struct ResolvedUnions {
  std::vector<Error> skipped;  // bad lines and values of the lists, each naming FILE:LINE
  UnionPlan plan;              // what the union builder performs
};

[[nodiscard]] Result<ResolvedUnions> resolve_unions(const UnionsStep& step,
                                                    const std::optional<OverlayListFile>& root_file,
                                                    const std::optional<OverlayListFile>& initramfs_file,
                                                    AufsSupport aufs);

// Whether the hand-off leaves the lease keeper running, and why, for the boot log. The keeper
// renews a DHCP or DHCPv6 lease that runs out; with `auto`, it is left out only where the root
// system's own systemd-networkd takes the lease over (root_runs_networkd: the root enables
// systemd-networkd.service; the networkd files are written and can renew: networkd_can_renew()
// for DHCPv4; never for ip=dhcp6, whose address networkd's DHCPv6 client would remove when
// networkd stops, net/networkd_files.cpp).
// lease_seconds: the boot's lease, DHCPv4's lease time or DHCPv6's valid lifetime (none after
// a static ip= or ip=auto6).
struct LeaseKeeperChoice {
  bool start = false;
  std::string reason;
};
[[nodiscard]] LeaseKeeperChoice choose_lease_keeper(LeaseKeeperMode mode, const NetworkStep& step,
                                                    std::optional<std::uint32_t> lease_seconds,
                                                    bool root_runs_networkd);

}  // namespace nfsroot
