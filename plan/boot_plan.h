// The boot plan: BootConfig (and later the lease and the root's overlay list) turned into
// ordered steps with their arguments. Pure: the executor in main performs it, explain prints it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cmdline/boot_config.h"
#include "mounts/nfs_options.h"
#include "overlay/overlay_list.h"
#include "overlay/union_plan.h"

namespace nfsroot {

struct EarlyMount {
  std::string target;
  std::string fstype;
  std::string options;
};

struct ModulesStep {
  // After the NIC drivers and before the network step, which needs them: 8021q for a VLAN.
  std::vector<std::string> network_modules;
  // After the NIC drivers (every /sys/bus/*/devices/*/modalias), on a thread alongside the
  // network step, joined before the root mount:
  std::vector<std::string> nfs_modules;     // nfs and the nfsvN the version needs
  std::vector<std::string> union_modules;   // overlay: without it those unions are skipped
  std::vector<std::string> optional_nfs_modules;  // nfsv4 when the DHCP root-path may say nfs4:
  // Image mode: loop and both image filesystems, each its own set (the image's magic decides
  // which one the mount needs, after the export is mounted).
  std::vector<std::string> image_modules;
};

struct RootStep {
  std::optional<IpAddress> server;    // nullopt: from the lease
  std::string server_source;          // where the server comes from, for people
  std::string path;                   // may hold "%s", replaced once the network is up
  std::string path_source;
  std::string version_source;         // what set the NFS version, and whether DHCP may still
  std::string options_source;         // where the NFS options come from
  bool path_from_lease = false;       // the DHCP root-path decides, when it has one
  NfsMountRequest mount;              // with the server as known now (a placeholder otherwise)
  std::vector<std::string> options;   // the command line's NFS options; the lease's go first
  bool read_only = true;              // ro / rw
  std::string target = "/root";
  // Image mode (nfsroot-init.image=): the export is mounted read-only at image_source, in the
  // initramfs' /run that the hand-off moves into the root, and `image` under it (a file, or a
  // channel folder whose `current` names the version) is loop-mounted read-only on target.
  std::string image;  // normalized, no leading '/'; empty: directory mode
  std::string image_option = "nfsroot-init.image=";  // the option that named it
  std::string image_source = "/run/nfsroot-init/image";
  // nfsroot-init.toram: the version is copied into a tmpfs at ram_dir (moved into the root's
  // /run with the rest), checked, loop-mounted from there, and the export unmounted.
  bool copy_to_ram = false;
  std::string copy_to_ram_option = "nfsroot-init.toram";
  std::string ram_dir = "/run/nfsroot-init/ram";
  // nfsroot-init.image_readahead=: the export's read-ahead in KiB, 0 for the kernel's; nullopt:
  // the image's squashfs block size when above the kernel's 128 KiB (image_read_ahead_kib()).
  std::optional<std::uint32_t> image_read_ahead_kib;
  int timeout_seconds = 0;
  // nfsroot-init.servers=: more servers of the same root; with them the mount goes to the first
  // of all that answers (rootmount/server_choice.h).
  // With a server list in nfsroot= or root=nfs:, its others come first.
  std::vector<IpAddress> extra_servers;
  int jitter_max_ms = 0;  // the first attempt waits 0..this, by the MAC (nfsroot-init.mount_jitter=)
  std::optional<int> jitter_option_ms;  // nfsroot-init.mount_jitter= as given; else by the servers
  bool debug = false;
  // What the command line said, for choose_nfs_root() once the lease is known.
  NfsRootSpec requested;
  std::optional<IpAddress> ip_server;  // ip='s <server-ip>, either family
};

struct UnionsStep {
  std::vector<OverlayEntry> entries;  // built-in default + command line; the root's file may replace
  std::vector<std::string> command_line;  // the nfsroot-init.overlay= values, merged again at boot
  std::string root_file;                  // the root's overlay list, when explain was given one
  std::string new_root = "/root";         // where the unions are mounted (the root step's target)
  // One tmpfs per union below it, in the initramfs' /run, which the hand-off moves into the new
  // root, so the layers stay reachable after switch_root.
  std::string layers_dir = "/run/nfsroot-init/unions";
};

struct HandoffStep {
  std::vector<std::string> move_mounts;       // /dev /proc /sys /run
  std::vector<std::string> init_candidates;   // the first that exists in the new root is exec'd
  // argv[1..] for init: the words after "--"; as PID 1, what the kernel actually passed (it
  // adds the words it did not know), which the boot puts here before printing the plan.
  std::vector<std::string> init_arguments;
  // Whether to leave `nfsroot-init keep-lease` running (choose_lease_keeper(), plan/resolve.h).
  LeaseKeeperMode lease_keeper = LeaseKeeperMode::Auto;
};

// initramfs-tools' panic=: N > 0 reboot after N s, N < 0 at once, else a rescue shell.
struct FailurePolicy {
  enum class Action : std::uint8_t { RebootAfterDelay, RebootNow, RescueShell } action = Action::RescueShell;
  int delay_seconds = 0;
};

struct BootPlan {
  std::vector<EarlyMount> early_mounts;
  ModulesStep modules;
  NetworkStep network;
  RootStep root;
  UnionsStep unions;
  HandoffStep handoff;
  FailurePolicy failure;
  std::vector<BreakPoint> breaks;
  std::optional<BootStep> poweroff_after;
  bool debug = false;
  std::vector<std::string> warnings;  // from the command line; the boot goes on
  std::vector<Error> errors;          // the boot cannot go on; each says what to change
};

[[nodiscard]] BootPlan plan_boot(const ParsedBootConfig& parsed);

// explain --overlays FILE: merge FILE as the root's /etc/nfsroot-init/overlays would be.
void add_overlay_file(BootPlan& plan, const OverlayListFile& root_file);

[[nodiscard]] FailurePolicy failure_policy(std::optional<int> panic_seconds);

// The filesystems /init mounts before anything else.
[[nodiscard]] std::vector<EarlyMount> early_mounts();

}  // namespace nfsroot
