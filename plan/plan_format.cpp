// Text rendering of the boot plan.
#include "plan/plan_format.h"

#include "base/cat.h"

#include <algorithm>

#include "base/text.h"
#include "net/networkd_files.h"

namespace nfsroot {

namespace {

constexpr std::size_t kLabelWidth = 15;

class Writer {
 public:
  // The first line of a section carries its label; the rest are indented under it.
  void section(std::string_view label, std::string_view line) {
    text_ += label;
    text_.append(kLabelWidth > label.size() ? kLabelWidth - label.size() : 1, ' ');
    text_ += line;
    text_ += '\n';
  }
  void more(std::string_view line) {
    text_.append(kLabelWidth, ' ');
    text_ += line;
    text_ += '\n';
  }
  void raw(std::string_view line) {
    text_ += line;
    text_ += '\n';
  }
  std::string take() { return std::move(text_); }

 private:
  std::string text_;
};

std::string address_or(const std::optional<Ipv4Address>& address, std::string_view otherwise) {
  return address ? address->to_string() : std::string(otherwise);
}

// Both bounds of the wait before DHCP or the static address: for an interface to exist, then
// for its link.
std::string waits(const NetworkStep& step) {
  return cat("wait for an interface up to ", std::min(step.interface_timeout_seconds, step.carrier_timeout_seconds),
             " s (nfsroot-init.interface_timeout=), for carrier up to ", step.carrier_timeout_seconds,
             " s (carrier_timeout=)");
}

// The link the network step makes before it configures one: a VLAN or a bond.
void write_made_link(Writer& out, const NetworkStep& step) {
  if (step.vlan) {
    out.more(cat("bring ", step.vlan->parent, " up untagged and unconfigured, make ", step.vlan->name,
                 " on it (802.1Q id ", step.vlan->id, ", rtnetlink)"));
  }
  if (step.bond) {
    std::vector<std::string> options;
    for (const auto& [name, value] : step.bond->options) options.push_back(name + "=" + value);
    out.more(cat("make ", step.bond->name, " (rtnetlink), set ",
                 options.empty() ? std::string("the driver's defaults") : join(options, ", ") + " (sysfs)",
                 step.bond->mtu ? cat(", MTU ", *step.bond->mtu) : std::string(), ","));
    out.more("add " + join(step.bond->slaves, ", ") + " to it unconfigured, once each exists, then bring it up");
  }
  if (step.vlan || step.bond) {
    out.more(cat("the hand-off files below name ", step.vlan ? step.vlan->parent : join(step.bond->slaves, ", "),
                 " too, kept up and unconfigured"));
  }
}

void write_network(Writer& out, const NetworkStep& step) {
  std::string where;
  switch (step.choice) {
    case InterfaceChoice::ByName:
      where = step.vlan   ? cat("VLAN ", step.vlan->id, " as ", step.device, " on ", step.vlan->parent, " (vlan=)")
              : step.bond ? cat("bond ", step.device, " of ", join(step.bond->slaves, ", "), " (bond=)")
                          : "interface " + step.device + " (ip= <device>)";
      break;
    case InterfaceChoice::ByMac: where = "the interface with MAC " + step.mac->to_string() + " (BOOTIF=)"; break;
    case InterfaceChoice::EveryEthernet:
      // What picks the interface: the first DHCP lease, the first address from a router
      // advertisement, or (static) the first link with carrier (network/network_up.cpp).
      where = step.mode == NetworkMode::Dhcp || step.mode == NetworkMode::Dhcp6
                  ? "every Ethernet interface, first lease wins"
              : step.mode == NetworkMode::Auto6 ? "every Ethernet interface, first address wins"
                                                : "the first Ethernet interface with carrier";
      break;
  }
  if (step.mode == NetworkMode::Dhcp) {
    out.section("3. network", "DHCP on " + where);
    write_made_link(out, step);
    out.more(waits(step));
    std::string dhcp = "vendor class \"" + step.vendor_class + "\"";
    if (step.client_id) {
      dhcp += cat(", client id type ", step.client_id->type, " \"", step.client_id->value, "\"");
    }
    if (!step.hostname.empty()) dhcp += ", hostname " + step.hostname;
    dhcp += cat(", give up after ", step.dhcp_timeout_seconds, " s");
    out.more(dhcp);
    out.more("address, netmask, router, DNS, MTU (from the lease)");
  } else if (step.mode == NetworkMode::Static) {
    out.section("3. network", "static on " + where);
    write_made_link(out, step);
    out.more(waits(step));
    out.more(cat("address ", step.address->to_string(), "/", *prefix_length(*step.netmask), ", gateway ",
                 address_or(step.gateway, "none")));
    if (!step.hostname.empty()) out.more("hostname " + step.hostname);
  } else if (step.mode == NetworkMode::Static6) {
    out.section("3. network", "static IPv6 on " + where);
    write_made_link(out, step);
    out.more(waits(step));
    out.more(cat("address ", step.address6->to_string(), "/", step.prefix6, ", gateway ",
                 step.gateway6 ? step.gateway6->to_string() : std::string("none"),
                 step.server6 ? ", server " + step.server6->to_string() : std::string()));
    out.more(cat("wait up to ", kDuplicateAddressDetectionSeconds,
                 " s for duplicate address detection to clear the address (RFC 4862 5.4)"));
    if (!step.hostname.empty()) out.more("hostname " + step.hostname);
  } else if (step.mode == NetworkMode::Auto6) {
    out.section("3. network", "IPv6 autoconfiguration from router advertisements (ip=auto6) on " + where);
    write_made_link(out, step);
    out.more(waits(step));
    out.more("accept router advertisements (/proc/sys/net/ipv6/conf/<interface>/accept_ra=1, autoconf=1)");
    out.more(cat("wait up to ", step.dhcp_timeout_seconds,
                 " s for a global address the kernel made from one (RFC 4862), first one wins"));
  } else if (step.mode == NetworkMode::Dhcp6) {
    out.section("3. network", "DHCPv6 (ip=dhcp6) on " + where);
    write_made_link(out, step);
    out.more(waits(step));
    out.more("accept router advertisements (/proc/sys/net/ipv6/conf/<interface>/accept_ra=1, autoconf=1): the "
             "on-link prefix and the default route come from them");
    out.more(cat("once the link-local address is usable: SOLICIT, ADVERTISE, REQUEST, REPLY from [fe80::…]:546 to "
                 "[ff02::1:2]:547 (RFC 8415), give up after ",
                 step.dhcp_timeout_seconds, " s"));
    out.more(cat("address/128 and DNS (from the lease), wait up to ", kDuplicateAddressDetectionSeconds,
                 " s for duplicate address detection"));
  } else {
    out.section("3. network", "off (ip=off)");
  }
  if (!step.dns.empty()) {
    std::vector<std::string> servers;
    for (const auto& dns : step.dns) servers.push_back(dns.to_string());
    out.more("DNS " + join(servers, ", ") + " (ip=)");
  }
  if (step.mode == NetworkMode::Static6 || step.mode == NetworkMode::Dhcp6) {
    out.more("then write /run/net6-<interface>.conf and /run/nfsroot-init/resolv.conf");
  } else if (step.mode == NetworkMode::Auto6) {
    out.more("then write /run/nfsroot-init/resolv.conf (no /run/net6-<interface>.conf: its IPV6PROTO has no word for "
             "router advertisements)");
  } else {
    out.more("then write /run/net-<interface>.conf and /run/nfsroot-init/resolv.conf");
  }
  if (step.mode == NetworkMode::Off) return;
  if (step.networkd_files) {
    const bool renews = networkd_can_renew(step.mode == NetworkMode::Dhcp, step.client_id);
    out.more(std::string("and /run/systemd/network/70-nfsroot-<interface>.{link,network}: networkd keeps ") +
             (renews                                ? "the address and renews the lease"
              : step.mode == NetworkMode::Auto6 ? "the address and accepts router advertisements"
              : step.mode == NetworkMode::Dhcp6 ? "the address and accepts router advertisements, no DHCPv6"
                                                    : "the address as static") +
             " (nfsroot-init.networkd=)");
  } else {
    out.more("no systemd-networkd files (nfsroot-init.networkd=no)");
  }
  out.more(step.networkmanager_files ? "and /run/NetworkManager/conf.d/70-nfsroot-<interface>.conf: NetworkManager "
                                       "leaves the interface unmanaged (nfsroot-init.networkmanager=)"
                                     : "no NetworkManager file (nfsroot-init.networkmanager=no)");
  out.more(step.ifupdown_files ? "and /run/network/ifstate{,.<interface>}: ifupdown's state has the interface up, "
                                 "so ifup and ifdown leave it (nfsroot-init.ifupdown=)"
                               : "no ifupdown state (nfsroot-init.ifupdown=no)");
}

void write_root(Writer& out, const RootStep& step) {
  std::string source = step.mount.source;
  const std::string& nfs_target = step.image.empty() ? step.target : step.image_source;
  out.section("4. root", "mount " + source + " on " + nfs_target + (step.server ? "" : "  (server from the lease)"));
  if (!step.image.empty()) {
    out.more(cat("image: ", step.image, " in the export: a squashfs or EROFS file, or a channel folder whose current "
                 "names the version (", step.image_option, ")"));
    if (!step.image_read_ahead_kib) {
      out.more(cat("       read ahead by the image's squashfs block size when above the kernel's ", kKernelReadAheadKib,
                   " KiB (the export's read_ahead_kb, nfsroot-init.image_readahead=)"));
    } else if (*step.image_read_ahead_kib > 0) {
      out.more(cat("       read ahead ", *step.image_read_ahead_kib,
                   " KiB at a time (the export's read_ahead_kb, nfsroot-init.image_readahead=)"));
    }
    if (step.copy_to_ram) {
      out.more(cat("       copied to RAM first (", step.copy_to_ram_option, "): a tmpfs at ", step.ram_dir,
                   " sized to the image, if it fits and leaves an eighth of RAM (at least 64 MiB) free;"));
      out.more("       checked against VERSION.sha256 beside it (none: copied unchecked, a notice); a stall of");
      out.more(cat("       ", std::max(step.timeout_seconds, 10), " s fails (nfsroot-init.mount_timeout=, at least 10 s)"));
      out.more(cat("       loop-mounted read-only on ", step.target, " from RAM; the export is unmounted: the "
                   "client no longer needs the server"));
    } else {
      out.more(cat("       loop-mounted read-only on ", step.target, "; the export stays at ", step.image_source));
    }
  }
  out.more("type " + step.mount.fstype + ", " + (step.mount.read_only ? "read-only" : "read-write") +
           ", options " + step.mount.data());
  out.more("server: " + step.server_source);
  if (!step.extra_servers.empty()) {
    std::vector<std::string> others;
    for (const auto& server : step.extra_servers) others.push_back(server.to_string());
    const bool from_list = !step.requested.more_servers.empty();
    const bool from_option = step.extra_servers.size() > step.requested.more_servers.size();
    const std::string listed_by = from_list && from_option ? cat("the list in ", step.requested.given_by,
                                                              ", then nfsroot-init.servers=")
                               : from_list              ? cat("the list in ", step.requested.given_by)
                                                        : std::string("nfsroot-init.servers=");
    out.more(cat("more servers of the same root: ", join(others, ", "), " (", listed_by,
                 "); all are asked at once (a TCP connect to rpcbind, or to the "
                 "NFS port for NFSv4 or with port=), the first to answer is mounted"));
  }
  if (step.jitter_max_ms > 0) {
    out.more(cat("the first attempt waits 0 to ", step.jitter_max_ms,
                 " ms, by the MAC, so a fleet powered on at once is spread (nfsroot-init.mount_jitter=)"));
  }
  out.more("path: " + step.path_source + (step.path.find("%s") != std::string::npos
                                               ? "; %s becomes the hostname, else the client address"
                                               : ""));
  out.more(cat("version: ", step.mount.version, " (", step.version_source, ")"));
  out.more("options: " + step.options_source);
  out.more(cat("retry timeouts and unreachable servers for up to ", step.timeout_seconds,
               " s (nfsroot-init.mount_timeout=)"));
}

void write_unions(Writer& out, const UnionsStep& step) {
  std::size_t width = 0;
  std::size_t options_width = 0;
  for (const auto& entry : step.entries) {
    width = std::max(width, entry.mount_point.size());
    options_width = std::max(options_width, std::max<std::size_t>(1, join(entry.options, ",").size()));
  }
  bool first = true;
  for (const auto& entry : step.entries) {
    std::string line = entry.mount_point;
    line.append(width + 2 - entry.mount_point.size(), ' ');
    line += to_string(entry.kind);
    line.append(9 - to_string(entry.kind).size(), ' ');
    const std::string options = join(entry.options, ",");
    line += options.empty() ? "-" : options;
    line.append(options_width + 2 - std::max<std::size_t>(1, options.size()), ' ');
    line += "(" + entry.origin + ")";
    if (first) {
      out.section("5. unions", line);
      first = false;
    } else {
      out.more(line);
    }
  }
  if (first) out.section("5. unions", "none");
  if (step.root_file.empty()) {
    out.more("at boot, /etc/nfsroot-init/overlays of the root, then of the initramfs, merge under the command line");
  } else {
    out.more("with " + step.root_file + " merged as the root's /etc/nfsroot-init/overlays");
  }
}

std::string describe_failure(const FailurePolicy& policy) {
  switch (policy.action) {
    case FailurePolicy::Action::RebootAfterDelay:
      return cat("reboot after ", policy.delay_seconds, " s (panic=", policy.delay_seconds, ")");
    case FailurePolicy::Action::RebootNow: return "reboot at once (panic= negative)";
    case FailurePolicy::Action::RescueShell: return "rescue shell if the initramfs has /bin/sh, else wait (panic= unset)";
  }
  return "?";
}

}  // namespace

std::string format_plan(const BootPlan& plan) {
  Writer out;
  std::vector<std::string> mounts;
  for (const auto& mount : plan.early_mounts) mounts.push_back(mount.target + " " + mount.fstype);
  out.section("1. early", "mount " + join(mounts, ", "));
  out.section("2. drivers", "NIC drivers by modalias, with dependencies" +
                               (plan.modules.network_modules.empty()
                                    ? std::string()
                                    : ", " + join(plan.modules.network_modules, ", ") + " before the network") +
                               "; then " + join(plan.modules.nfs_modules, ", ") +
                               (plan.modules.image_modules.empty()
                                    ? std::string()
                                    : ", " + join(plan.modules.image_modules, ", ")));
  write_network(out, plan.network);
  write_root(out, plan.root);
  write_unions(out, plan.unions);
  out.section("6. hand-off", "move " + join(plan.handoff.move_mounts, " ") + " into " + plan.root.target +
                                 ", free the initramfs");
  if (plan.network.mode == NetworkMode::Dhcp || plan.network.mode == NetworkMode::Dhcp6) {
    const bool v6 = plan.network.mode == NetworkMode::Dhcp6;
    const bool networkd_may_renew =
        plan.network.networkd_files && !v6 && networkd_can_renew(true, plan.network.client_id);
    const std::string_view lease = v6 ? "renewing the DHCPv6 lease (RENEW, REBIND)" : "renewing the DHCP lease";
    switch (plan.handoff.lease_keeper) {
      case LeaseKeeperMode::Never: out.more("no lease keeper (nfsroot-init.lease_keeper=no)"); break;
      case LeaseKeeperMode::Always:
        out.more("leave the lease keeper running: nfsroot-init keep-lease <interface> from /run/nfsroot-init,");
        out.more(cat(lease, " at T1 and T2 (nfsroot-init.lease_keeper=yes)"));
        break;
      case LeaseKeeperMode::Auto:
        out.more("leave the lease keeper running: nfsroot-init keep-lease <interface> from /run/nfsroot-init,");
        out.more(cat(lease, networkd_may_renew ? " at T1 and T2, unless the root enables systemd-networkd,"
                                               : " at T1 and T2 (nfsroot-init.lease_keeper=)"));
        if (networkd_may_renew) out.more("which renews it itself (nfsroot-init.lease_keeper=)");
        break;
    }
  }
  out.more("exec the first of " + join(plan.handoff.init_candidates, " ") +
           (plan.handoff.init_arguments.empty() ? "" : " with " + join(plan.handoff.init_arguments, " ")));
  out.section("on failure", describe_failure(plan.failure));
  if (!plan.breaks.empty()) {
    std::vector<std::string> names;
    for (const auto point : plan.breaks) names.emplace_back(to_string(point));
    out.section("break", "shell before " + join(names, ", ") + " (break=)");
  }
  if (plan.poweroff_after) {
    out.section("test only", "power off after step " + std::string(to_string(*plan.poweroff_after)) +
                                 " (nfsroot-init.poweroff_after=)");
  }
  for (const auto& warning : plan.warnings) out.raw("warning: " + warning);
  for (const auto& error : plan.errors) out.raw("error: " + describe(error));
  return out.take();
}

}  // namespace nfsroot
