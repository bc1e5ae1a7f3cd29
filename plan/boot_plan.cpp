// BootConfig -> BootPlan: every decision the boot makes before it touches the system.
#include "plan/boot_plan.h"

#include "base/cat.h"
#include "mounts/image_file.h"

#include <algorithm>

#include "mounts/root_path.h"
#include "overlay/union_plan.h"
#include "plan/resolve.h"

namespace nfsroot {

namespace {

constexpr std::string_view kServerPlaceholder = "<server>";

NetworkStep plan_network(const BootConfig& config, std::vector<Error>& errors) {
  const IpConfig& ip = config.ip;
  NetworkStep step;
  step.mode = ip.mode();
  step.carrier_timeout_seconds = config.carrier_timeout_seconds;
  step.interface_timeout_seconds = config.interface_timeout_seconds;
  step.dhcp_timeout_seconds = config.dhcp_timeout_seconds;
  step.vendor_class = config.dhcp_class.empty() ? std::string(kDefaultDhcpClass) : config.dhcp_class;
  step.client_id = ip.client_id;
  step.networkd_files = config.networkd_files;
  step.networkmanager_files = config.networkmanager_files;
  step.ifupdown_files = config.ifupdown_files;
  if (step.mode == NetworkMode::Dhcp) step.requested_address = ip.client;
  step.hostname = ip.hostname;
  step.nis_domain = ip.nis_domain;
  step.server = ip.server;
  for (const auto& dns : {ip.dns0, ip.dns1}) {
    if (dns) step.dns.push_back(*dns);
  }
  // A VLAN or a bond is the interface, made on its parent or of its slaves; ip= may name only
  // it (plan_boot checks). Else the ip= device wins, then the interface pxelinux booted from,
  // then every Ethernet one.
  if (config.vlan) {
    step.choice = InterfaceChoice::ByName;
    step.device = config.vlan->name;
    step.vlan = config.vlan;
  } else if (config.bond) {
    step.choice = InterfaceChoice::ByName;
    step.device = config.bond->name;
    step.bond = config.bond;
  } else if (!ip.device.empty()) {
    step.choice = InterfaceChoice::ByName;
    step.device = ip.device;
  } else if (config.boot_interface) {
    step.choice = InterfaceChoice::ByMac;
    step.mac = config.boot_interface;
  }
  if (step.mode == NetworkMode::Static) {
    step.address = ip.client;
    step.netmask = ip.netmask ? ip.netmask : classful_netmask(*ip.client);
    step.gateway = ip.gateway;
    if (step.gateway) {
      const std::uint32_t mask = step.netmask->value;
      if ((step.gateway->value & mask) != (ip.client->value & mask)) {
        errors.push_back(error_with_problem(
            "ip=", "gateway " + step.gateway->to_string(),
            cat("not in the client's subnet ", ip.client->to_string(), "/", *prefix_length(*step.netmask)),
            "fix the <gw-ip> or <netmask> field of ip="));
      }
    }
  } else if (step.mode == NetworkMode::Static6) {
    step.address6 = ip.client6;
    step.prefix6 = ip.prefix6;
    step.gateway6 = ip.gateway6;
    step.server6 = ip.server6;
    // A link-local gateway is on every link (RFC 4291 2.5.6); any other must be in the
    // client's prefix, or the kernel has no route to it (ENETUNREACH).
    if (step.gateway6 && !step.gateway6->is_link_local() &&
        !same_ipv6_prefix(*step.gateway6, *step.address6, step.prefix6)) {
      errors.push_back(error_with_problem(
          "ip=", "gateway [" + step.gateway6->to_string() + "]",
          cat("not in the client's prefix ", step.address6->to_string(), "/", step.prefix6),
          "fix the <gw> or <prefix> field of ip=, or give the router's link-local address (fe80::…)"));
    }
  } else if (step.mode == NetworkMode::Off) {
    errors.push_back(error_with_problem(
        "ip=", "off", "network configuration is disabled, but the root is on NFS",
        "use ip=dhcp, or ip=<client>:<server>:<gw>:<netmask>:<hostname>:<device>:off"));
  }
  return step;
}

RootStep plan_root(const BootConfig& config, std::vector<Error>& errors) {
  RootStep step;
  step.timeout_seconds = config.mount_timeout_seconds;
  step.jitter_option_ms = config.mount_jitter_ms;
  step.debug = config.nfs_debug;
  step.requested = config.nfs;
  // ip='s <server-ip> field, IPv4 or (dracut's IPv6 form) in brackets: the NFS server when
  // nfsroot= names none (nfsroot.rst, dracut.cmdline(7)).
  if (config.ip.server) {
    step.ip_server = *config.ip.server;
  } else if (config.ip.server6) {
    step.ip_server = *config.ip.server6;
  }
  // The root step applies the same rule once the lease is known (choose_nfs_root); before it,
  // what the lease may still decide is said so.
  const bool dhcp = config.ip.mode() == NetworkMode::Dhcp;
  const RootPathChoice known = choose_nfs_root(config.nfs, step.ip_server, nullptr);
  step.server = known.server;
  step.server_source = known.server_source;
  step.extra_servers = more_servers_of_root(step.server, known.more_servers, config.extra_servers);
  step.jitter_max_ms = mount_jitter_max_ms(step.jitter_option_ms, step.extra_servers.size() + 1);
  if (!known.server) {
    if (dhcp) {
      step.server_source =
          "DHCP: root-path (option 17), else next-server, else the DHCP server; a root-path's list "
          "(<server>,<server>…:<path>) is asked at once";
    } else {
      // Router advertisements carry no server, and DHCPv6 has no root-path (RFC 5970's boot
      // file URL names a file to fetch, not an export).
      const bool ipv6_auto = config.ip.mode() == NetworkMode::Auto6 || config.ip.mode() == NetworkMode::Dhcp6;
      errors.push_back(error_with_problem("nfsroot=", config.nfs.path,
                                          ipv6_auto ? "no NFS server is known: ip=auto6 and ip=dhcp6 give none"
                                                    : "no NFS server is known with a static ip=",
                                          ipv6_auto ? "write nfsroot=[<server-ipv6>]:<path>"
                                                    : "write nfsroot=<server-ip>:<path> or fill <server-ip> in ip="));
    }
  }
  step.path = known.path;
  step.path_source = known.path_source;
  step.path_from_lease = dhcp && config.nfs.path.empty();
  if (step.path_from_lease) step.path_source = "DHCP root-path (option 17), else the kernel default";
  // The lease counts unless the command line named server and path (choose_nfs_root): its
  // nfs4: or vers= may still set the version, unless the command line's own vers= comes after.
  const bool lease_counts = dhcp && !(config.nfs.server && !config.nfs.path.empty());
  const bool command_line_vers = std::any_of(config.nfs.options.begin(), config.nfs.options.end(),
                                             [](const std::string& o) { return nfs_version_option(o).has_value(); });
  step.version_source = known.version_source;
  if (lease_counts && !command_line_vers) {
    step.version_source += config.nfs.version == 4 ? "; a vers= in the DHCP root-path would change it"
                                                   : "; a DHCP root-path with nfs4: or vers= may change it";
  }
  step.options_source = known.options_source;
  if (lease_counts) {
    step.options_source = config.nfs.options.empty() ? "DHCP root-path (option 17), if it gives any"
                                                      : "DHCP root-path (option 17) if it gives any, then the command line";
  }
  step.options = known.options;
  step.read_only = config.read_only;
  step.mount = root_mount_request(step, step.server ? step.server->to_string() : std::string(kServerPlaceholder),
                                  step.path);
  return step;
}

// The same merge the boot does (overlay/union_plan), without the files it reads from the
// root and the initramfs; a bad entry is skipped with a warning there too.
UnionsStep plan_unions(const BootConfig& config, std::vector<std::string>& warnings) {
  UnionsStep step;
  step.command_line = config.overlay_entries;
  MergedOverlayList merged = merge_union_sources(step, std::nullopt, std::nullopt);
  for (const auto& error : merged.errors) warnings.push_back("overlay list: " + describe(error) + "; skipping it");
  step.entries = std::move(merged.entries);
  return step;
}

}  // namespace

void add_overlay_file(BootPlan& plan, const OverlayListFile& root_file) {
  MergedOverlayList merged = merge_union_sources(plan.unions, root_file, std::nullopt);
  std::erase_if(plan.warnings, [](const std::string& w) { return w.starts_with("overlay list: "); });
  for (const auto& error : merged.errors) plan.warnings.push_back("overlay list: " + describe(error) + "; skipping it");
  plan.unions.entries = std::move(merged.entries);
  plan.unions.root_file = root_file.name;
}

FailurePolicy failure_policy(std::optional<int> panic_seconds) {
  if (!panic_seconds || *panic_seconds == 0) return {FailurePolicy::Action::RescueShell, 0};
  if (*panic_seconds < 0) return {FailurePolicy::Action::RebootNow, 0};
  return {FailurePolicy::Action::RebootAfterDelay, *panic_seconds};
}

std::vector<EarlyMount> early_mounts() {
  return {
      {"/proc", "proc", "nosuid,nodev,noexec"},
      {"/sys", "sysfs", "nosuid,nodev,noexec"},
      {"/dev", "devtmpfs", "nosuid,mode=0755"},
      {"/run", "tmpfs", "nosuid,nodev,mode=0755,size=10%"},
  };
}

BootPlan plan_boot(const ParsedBootConfig& parsed) {
  const BootConfig& config = parsed.config;
  BootPlan plan;
  plan.warnings = parsed.warnings;
  plan.early_mounts = early_mounts();
  plan.failure = failure_policy(config.panic_seconds);
  plan.breaks = config.breaks;
  plan.poweroff_after = config.poweroff_after;
  plan.debug = config.debug;

  if (config.root_kind == RootKind::Other) {
    plan.errors.push_back(error_with_problem(
        "root=", config.root_argument, "not an NFS root; nfsroot-init boots only NFS roots",
        "use root=/dev/nfs nfsroot=<server-ip>:<path> (or dracut's root=nfs:[<server-ip>:]<path>[:<options>], "
        "root=nfs4:…, root=<server-ip>:<path>[:<options>], root=dhcp, root=live:nfs://<server-ip>/<path>/<image>), or "
        "build the initrd without the nfsroot-init hook"));
  }
  plan.errors.insert(plan.errors.end(), config.unsupported.begin(), config.unsupported.end());
  for (const auto& link : config.virtual_links) {
    if (link.name != config.ip.device) continue;
    plan.errors.push_back(error_with_problem(
        "ip=", config.ip.device, cat("the link ", link.option, " would make, which nfsroot-init does not make yet"),
        "boot on the physical interface (ip=<interface>:dhcp, or ip=dhcp for every Ethernet interface), "
        "untagged or on the switch port's native VLAN"));
  }
  if (config.vlan && config.bond) {
    plan.errors.push_back(error_with_problem(
        "vlan=", config.vlan->name + ":" + config.vlan->parent,
        cat("with bond=", config.bond->name, ": nfsroot-init makes a VLAN or a bond, not both (a VLAN on a bond is "
            "not made yet)"),
        "boot on the bond untagged, or on the VLAN of one interface"));
  }
  const std::string made = config.vlan ? config.vlan->name : config.bond ? config.bond->name : std::string();
  if (!made.empty() && !config.ip.device.empty() && config.ip.device != made) {
    const std::string kind = config.vlan ? "VLAN" : "bond";
    plan.errors.push_back(error_with_problem(
        "ip=", config.ip.device,
        cat("names another interface than ", made, ", the ", kind, " ", config.vlan ? "vlan=" : "bond=",
            " makes; nfsroot-init configures one interface"),
        cat("name the ", kind, " in ip= (ip=", made, ":dhcp), leave the <device> field empty, or drop ",
            config.vlan ? "vlan= to boot untagged" : "bond= to boot on one interface")));
  }
  plan.network = plan_network(config, plan.errors);
  // 8021q makes VLAN links and bonding bonds; the kernel's own request for "rtnl-link-vlan" or
  // "rtnl-link-bond" would need a modprobe the initramfs does not have. Loaded before the
  // network step, after the NIC drivers.
  if (config.vlan) plan.modules.network_modules.push_back("8021q");
  if (config.bond) plan.modules.network_modules.push_back("bonding");
  plan.root = plan_root(config, plan.errors);
  plan.modules.nfs_modules = {"nfs", plan.root.mount.version >= 4 ? "nfsv4" : "nfsv" + std::to_string(plan.root.mount.version)};
  plan.modules.union_modules = {"overlay"};
  if (!config.image.empty()) {
    if (auto image = normalize_image_path(config.image)) {
      plan.root.image = std::move(*image);
      plan.root.image_option = config.image_option;
      plan.modules.image_modules = {"loop", "squashfs", "erofs"};
      plan.root.image_read_ahead_kib = config.image_read_ahead_kib;
      if (config.copy_to_ram) {
        plan.root.copy_to_ram = true;
        plan.root.copy_to_ram_option = config.copy_to_ram_option;
        // The copy's SHA-256 is the kernel's (AF_ALG); sha256 itself is built in on Debian.
        plan.modules.image_modules.insert(plan.modules.image_modules.end(), {"af_alg", "algif_hash"});
      }
    } else {
      plan.errors.push_back(image.error());
    }
  }
  // A DHCP root-path may still say nfs4: (dracut's form) when the command line leaves it open.
  const bool lease_may_pick_version = config.ip.mode() == NetworkMode::Dhcp && config.nfs.version == 0 &&
                                      !(config.nfs.server && !config.nfs.path.empty()) &&
                                      plan.root.mount.version < 4;
  if (lease_may_pick_version) plan.modules.optional_nfs_modules = {"nfsv4"};
  plan.unions = plan_unions(config, plan.warnings);
  plan.unions.new_root = plan.root.target;

  plan.handoff.move_mounts = {"/dev", "/proc", "/sys", "/run"};
  if (!config.init.empty()) {
    plan.handoff.init_candidates = {config.init};
  } else {
    plan.handoff.init_candidates = {"/sbin/init", "/etc/init", "/bin/init", "/bin/sh"};
  }
  plan.handoff.init_arguments = config.init_arguments;
  plan.handoff.lease_keeper = config.lease_keeper;
  return plan;
}

}  // namespace nfsroot
