// Settling the root and the unions once the boot knows the lease and the overlay lists.
#include "plan/resolve.h"

#include <utility>

#include "base/cat.h"
#include "mounts/root_path.h"
#include "net/networkd_files.h"

namespace nfsroot {

NfsMountRequest root_mount_request(const RootStep& step, std::string server, std::string path) {
  NfsMountInput input;
  input.server = std::move(server);
  input.path = std::move(path);
  input.user_options = step.options;
  input.version_hint = step.requested.version;
  input.read_only = step.read_only;
  return plan_nfs_mount(input);
}

int mount_jitter_max_ms(std::optional<int> option_ms, std::size_t servers) {
  return option_ms.value_or(servers > 1 ? 300 : 0);
}

Result<ResolvedRoot> resolve_root(const RootStep& step, const DhcpLease* lease, const ClientIdentity& client) {
  RootPathChoice choice = choose_nfs_root(step.requested, step.ip_server, lease);
  if (!choice.server) {
    return std::unexpected(error_with_problem("NFS server", "", "neither the command line nor DHCP names one",
                                              "write nfsroot=<server-ip>:<path>, or have the DHCP server send "
                                              "next-server or a root-path"));
  }
  RootStep resolved = step;
  resolved.options = std::move(choice.options);
  resolved.requested.version = choice.version;
  ResolvedRoot root;
  root.request = root_mount_request(resolved, choice.server->to_string(),
                                    expand_root_path(choice.path, client.hostname, client.address));
  root.server_source = std::move(choice.server_source);
  root.path_source = std::move(choice.path_source);
  root.version_source = std::move(choice.version_source);
  root.warnings = std::move(choice.warnings);
  root.servers.push_back(choice.server->to_string());
  for (const auto& server : more_servers_of_root(choice.server, choice.more_servers, step.extra_servers)) {
    root.servers.push_back(server.to_string());
  }
  root.jitter_max_ms = mount_jitter_max_ms(step.jitter_option_ms, root.servers.size());
  return root;
}

MergedOverlayList merge_union_sources(const UnionsStep& step, const std::optional<OverlayListFile>& root_file,
                                      const std::optional<OverlayListFile>& initramfs_file) {
  OverlaySources sources;
  sources.command_line = step.command_line;
  sources.root_file = root_file;
  sources.initramfs_file = initramfs_file;
  return merge_overlay_sources(sources);
}

Result<ResolvedUnions> resolve_unions(const UnionsStep& step, const std::optional<OverlayListFile>& root_file,
                                      const std::optional<OverlayListFile>& initramfs_file, AufsSupport aufs) {
  MergedOverlayList merged = merge_union_sources(step, root_file, initramfs_file);
  UnionPlan plan = TRY(plan_union_steps(merged.entries, UnionLayout{step.new_root, step.layers_dir, aufs}));
  return ResolvedUnions{std::move(merged.errors), std::move(plan)};
}

LeaseKeeperChoice choose_lease_keeper(LeaseKeeperMode mode, const NetworkStep& step,
                                      std::optional<std::uint32_t> lease_seconds, bool root_runs_networkd) {
  if (!lease_seconds) return {false, "no DHCP lease to renew"};
  if (*lease_seconds == kInfiniteLease) return {false, "the lease never runs out"};  // RFC 8415 7.7's infinity too
  const bool v6 = step.mode == NetworkMode::Dhcp6;
  const std::string lasting = cat("the ", *lease_seconds, " s ", v6 ? "DHCPv6 " : "", "lease");
  switch (mode) {
    case LeaseKeeperMode::Never:
      return {false, cat("nfsroot-init.lease_keeper=no: nothing renews ", lasting, " unless the root system does")};
    case LeaseKeeperMode::Always: return {true, cat("renews ", lasting, " (nfsroot-init.lease_keeper=yes)")};
    case LeaseKeeperMode::Auto: break;
  }
  if (!root_runs_networkd) return {true, cat("renews ", lasting, ": the root system does not enable systemd-networkd")};
  if (!step.networkd_files) {
    return {true, cat("renews ", lasting, ": no networkd file was written (nfsroot-init.networkd=no)")};
  }
  if (v6) {
    // net/networkd_files.cpp: networkd's DHCPv6 client removes its address when networkd stops.
    return {true, cat("renews ", lasting, ": systemd-networkd would remove a DHCPv6 address it renewed when it stops")};
  }
  if (!networkd_can_renew(true, step.client_id)) {
    return {true, cat("renews ", lasting, ": networkd cannot send the client identifier of ip=dhcp,<type>,<value>")};
  }
  return {false, cat("systemd-networkd in the root renews ", lasting, " (nfsroot-init.lease_keeper=yes starts it too)")};
}

}  // namespace nfsroot
