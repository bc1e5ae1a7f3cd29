// The network step as one event loop: link events (interfaces appearing, carrier) and one DHCP
// client per interface with carrier, all in one poll(2); the first lease wins.
#include "network/network_up.h"

#include <poll.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>

#include "base/cat.h"
#include "base/file.h"
#include "base/text.h"
#include "net/dhcp_client.h"
#include "net/link_selection.h"
#include "net/lease_file.h"
#include "net/manager_files.h"
#include "net/networkd_files.h"
#include "network/lease_keeper.h"
#include "network/dhcp_exchange.h"
#include "network/dhcp6_exchange.h"
#include "network/netlink.h"
#include "sys/dhcp6_socket.h"
#include "sys/packet_socket.h"

namespace nfsroot {

namespace {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr auto kProgressInterval = seconds(5);

long ms_between(TimePoint from, TimePoint to) {
  return static_cast<long>(std::chrono::duration_cast<milliseconds>(to - from).count());
}

std::string seconds_text(long ms) {
  return cat(ms / 1000, ".", (ms % 1000) / 100, " s");
}

// Entropy for the DHCP xid and backoff jitter. Never blocks: an early-boot pool that is not
// ready yet must not stall the boot; the MAC and the clock still make clients differ.
std::uint64_t random_seed(const LinkInfo& link) {
  std::uint64_t seed = 0;
  if (::getrandom(&seed, sizeof seed, GRND_NONBLOCK) == static_cast<ssize_t>(sizeof seed)) return seed;
  seed = static_cast<std::uint64_t>(Clock::now().time_since_epoch().count());
  if (link.mac) {
    for (const auto octet : link.mac->octets) seed = seed * 131 + octet;
  }
  return seed;
}

// What a lease configures; ip= still names the host when it gives a hostname (nfsroot.rst).
InterfaceConfig config_from_lease(const DhcpLease& lease, const NetworkStep& step) {
  InterfaceConfig config;
  config.protocol = "dhcp";
  config.address = lease.address;
  config.netmask = lease.netmask;
  config.broadcast = lease.broadcast;
  if (!lease.routers.empty()) config.gateway = lease.routers.front();
  config.dns_servers = step.dns.empty() ? lease.dns_servers : step.dns;
  config.hostname = step.hostname.empty() ? lease.host_name : step.hostname;
  config.dns_domain = lease.domain_name;
  config.nis_domain = step.nis_domain;
  // klibc writes the BOOTP server (siaddr) as ROOTSERVER; without one, the DHCP server.
  config.root_server = lease.next_server.is_unspecified() ? lease.server_id : lease.next_server;
  config.root_path = lease.root_path;
  config.boot_file = lease.boot_file;
  config.mtu = lease.mtu;
  config.lease_seconds = lease.lease_seconds;
  return config;
}

// What a DHCPv6 lease configures: the address as a /128 (RFC 8415 6.3: IA_NA carries no
// prefix length; the on-link prefix and the default route come from router advertisements, as
// systemd-networkd and NetworkManager do it), the DNS servers and search list.
InterfaceConfig config_from_lease6(const Dhcp6Lease& lease, const NetworkStep& step) {
  InterfaceConfig config;
  config.protocol = "dhcp6";
  config.protocol6 = "dhcp6";
  config.address6 = lease.address;
  config.prefix6 = 128;
  config.dns_servers6 = lease.dns_servers;
  config.dns_servers = step.dns;  // ip='s <dns0-ip>/<dns1-ip>, when given
  config.domain_search6 = lease.domain_list;
  config.hostname = step.hostname;
  config.nis_domain = step.nis_domain;
  config.lease_seconds = lease.valid_seconds;
  return config;
}

// `now` on the lease's clock (CLOCK_BOOTTIME, net/lease_renewal.h).
Uptime uptime_at(TimePoint now) { return uptime_now() - std::chrono::duration_cast<Uptime>(Clock::now() - now); }

struct Interface {
  LinkInfo link;
  bool carrier = false;
  TimePoint carrier_at{};
  std::optional<DhcpExchange> dhcp;   // from carrier on, until DHCP gives up or another interface wins
  std::optional<Dhcp6Exchange> dhcp6;  // ip=dhcp6: from a usable link-local address on
  std::optional<Error> link_failure;  // it would not come up, or had no DHCP socket: left out
};

class BringUp {
 public:
  BringUp(const NetworkStep& step, const NetworkOptions& options, const NetworkReporter& report,
          RouteNetlink netlink, LinkEvents events, std::unique_ptr<LinuxNetlinkSocket> address_events)
      : step_(step),
        options_(options),
        report_(report),
        netlink_(std::move(netlink)),
        events_(std::move(events)),
        address_events_(std::move(address_events)) {}

  Result<NetworkOutcome> run();

 private:
  Result<void> refresh_links(TimePoint now);
  // The links the step may configure: select_links(), or with vlan= the VLAN link, made on its
  // parent (brought up first) once the parent is there, or with bond= the bond, made once
  // every slave is there.
  Result<std::vector<LinkInfo>> candidate_links();
  Result<std::vector<LinkInfo>> vlan_links();
  Result<std::vector<LinkInfo>> bond_links();
  Result<void> make_bond();
  Result<void> set_bond_options(bool with_slaves);
  Result<void> start_dhcp(Interface& interface, TimePoint now);
  // ip=dhcp6: the client starts on each interface with carrier once its link-local address is
  // usable; an interface whose link-local address never gets there is left out.
  Result<void> start_dhcp6_where_ready(TimePoint now);
  [[nodiscard]] bool dhcp_running() const;
  // One wake-up of an interface's DHCP or DHCPv6 exchange: its lease once bound. A client that
  // gave up still has its socket drained, so that poll() does not spin on it; with one
  // interface the step's own error says so, with several the line says which one gave up.
  template <class Exchange>
  auto wake_exchange(Exchange& exchange, const Interface& interface, TimePoint now) -> decltype(exchange.on_wake(now)) {
    const bool had_failed = exchange.failure().has_value();
    auto lease = exchange.on_wake(now);
    if (lease && !had_failed && exchange.failure() && interfaces_.size() > 1) {
      report_.info(interface.link.name + ": " + describe(*exchange.failure()));
    }
    return lease;
  }
  // keep: the lease for the keeper's file, /run/nfsroot-init/lease-<interface>.
  Result<NetworkOutcome> configure(Interface& chosen, InterfaceConfig config, TimePoint now,
                                   std::optional<DhcpLease> lease = std::nullopt,
                                   std::optional<HeldLease> keep = std::nullopt);
  Error no_interface_error() const;
  Error no_carrier_error() const;
  Error no_usable_interface_error() const;
  // The bound on waiting for a candidate interface to exist: interface_timeout=, never more
  // than carrier_timeout= (which bounds the wait for a link on it).
  int interface_wait_seconds() const {
    return std::min(step_.interface_timeout_seconds, step_.carrier_timeout_seconds);
  }
  Error dhcp_failed_error() const;
  Error no_router_advertisement_error() const;
  // ip=auto6: the configuration once a link with carrier has a global address, else nullopt.
  Result<std::optional<InterfaceConfig>> autoconf_config();
  InterfaceConfig static6_config() const;

  const NetworkStep& step_;
  const NetworkOptions& options_;
  const NetworkReporter& report_;
  RouteNetlink netlink_;
  LinkEvents events_;
  std::unique_ptr<LinuxNetlinkSocket> address_events_;  // IPv6 modes only: RTNLGRP_IPV6_IFADDR
  std::optional<TimePoint> autoconf_deadline_;  // ip=auto6: from the first carrier, dhcp_timeout=
  std::vector<LinkInfo> all_links_;
  std::vector<Interface> interfaces_;
  TimePoint start_{};
  bool vlan_parent_up_ = false;
  bool vlan_made_ = false;
  bool bond_made_ = false;
};

const LinkInfo* find_link(const std::vector<LinkInfo>& links, std::string_view name) {
  const auto found = std::find_if(links.begin(), links.end(), [&](const LinkInfo& l) { return l.name == name; });
  return found == links.end() ? nullptr : &*found;
}

Result<std::vector<LinkInfo>> BringUp::candidate_links() {
  if (step_.vlan) return vlan_links();
  if (step_.bond) return bond_links();
  return select_links(all_links_, step_);
}

Result<std::vector<LinkInfo>> BringUp::vlan_links() {
  const VlanLink& vlan = *step_.vlan;
  const LinkInfo* parent = find_link(all_links_, vlan.parent);
  if (!parent) return std::vector<LinkInfo>{};  // its driver has not made it yet
  if (!vlan_parent_up_) {
    // The parent carries the tagged frames: up, but no address and no DHCP of its own (dracut
    // leaves it so too). If it will not come up, nothing else can carry the VLAN.
    report_.info(cat(parent->name, parent->mac ? " " + parent->mac->to_string() : std::string(),
                     ": bringing the link up for VLAN ", vlan.id));
    TRY(netlink_.set_link_up(*parent, true));
    vlan_parent_up_ = true;
  }
  if (!find_link(all_links_, vlan.name) && !vlan_made_) {
    TRY(netlink_.add_vlan(*parent, vlan.name, vlan.id));
    vlan_made_ = true;
    report_.info(cat(vlan.name, ": VLAN ", vlan.id, " on ", vlan.parent));
    all_links_ = TRY(netlink_.links());
  }
  const LinkInfo* made = find_link(all_links_, vlan.name);
  return made ? std::vector<LinkInfo>{*made} : std::vector<LinkInfo>{};
}

// The bond is made once every slave exists (their drivers make them at about the same time;
// a slave that never comes fails the step after nfsroot-init.interface_timeout=, naming what
// is there), as dracut's ifup waits for each slave.
Result<std::vector<LinkInfo>> BringUp::bond_links() {
  const BondLink& bond = *step_.bond;
  if (!bond_made_) {
    for (const auto& slave : bond.slaves) {
      if (!find_link(all_links_, slave)) return std::vector<LinkInfo>{};
    }
    if (auto made = make_bond(); !made) {
      return std::unexpected(with_context(std::move(made.error()), "bond " + bond.name));
    }
    bond_made_ = true;
    all_links_ = TRY(netlink_.links());
  }
  const LinkInfo* made = find_link(all_links_, bond.name);
  return made ? std::vector<LinkInfo>{*made} : std::vector<LinkInfo>{};
}

// The order the bonding driver needs (Documentation/networking/bonding.rst, "Configuring Bonding
// Manually via Sysfs"): the bond down and without slaves while its mode is set, each slave down
// when it joins (the driver opens it), primary and active_slave once their slave has joined.
Result<void> BringUp::make_bond() {
  const BondLink& bond = *step_.bond;
  report_.info(cat(bond.name, ": making the bond of ", join(bond.slaves, ", ")));
  if (!find_link(all_links_, bond.name)) TRY(netlink_.add_bond(bond.name));
  all_links_ = TRY(netlink_.links());
  const LinkInfo* made = find_link(all_links_, bond.name);
  if (!made) {
    return std::unexpected(error_with_problem("make bond", bond.name, "the kernel lists no such link after making it"));
  }
  const LinkInfo master = *made;
  TRY(set_bond_options(false));
  if (bond.mtu) TRY(netlink_.set_mtu(master, *bond.mtu));
  for (const auto& name : bond.slaves) {
    const LinkInfo* slave = find_link(all_links_, name);
    if (!slave) continue;  // a USB NIC unplugged in between: the bond goes on with the others
    if (slave->is_up()) TRY(netlink_.set_link_up(*slave, false));
    TRY(netlink_.set_master(*slave, master));
  }
  TRY(set_bond_options(true));
  std::vector<std::string> options;
  for (const auto& [option, value] : bond.options) options.push_back(option + "=" + value);
  report_.info(cat(bond.name, ": bond of ", join(bond.slaves, ", "), options.empty() ? "" : " (", join(options, ", "),
                   options.empty() ? "" : ")"));
  return {};
}

// The driver's options through sysfs, as dracut writes them: mode first, then the rest in the
// order given, and primary and active_slave only `with_slaves`. An ARP or NS target is added
// ("+address"), the only form the driver takes for them.
Result<void> BringUp::set_bond_options(bool with_slaves) {
  const BondLink& bond = *step_.bond;
  std::vector<std::pair<std::string, std::string>> ordered;
  for (const auto& option : bond.options) {
    const bool needs_slaves = option.first == "primary" || option.first == "active_slave";
    if (needs_slaves != with_slaves) continue;
    if (option.first == "mode") {
      ordered.insert(ordered.begin(), option);
    } else {
      ordered.push_back(option);
    }
  }
  for (auto [option, value] : ordered) {
    if ((option == "arp_ip_target" || option == "ns_ip6_target") && !value.starts_with('+') && !value.starts_with('-')) {
      value = "+" + value;
    }
    const std::string path = cat(options_.sys_dir, "/class/net/", bond.name, "/bonding/", option);
    if (auto written = write_existing_file(path, value); !written) {
      Error error = std::move(written.error());
      error.input = cat("bond= ", option, "=", value);
      error.hint = "the bonding driver refused it: see its options in the kernel's Documentation/networking/bonding.rst";
      return std::unexpected(std::move(error));
    }
  }
  return {};
}

Result<void> BringUp::refresh_links(TimePoint now) {
  all_links_ = TRY(netlink_.links());
  for (const auto& link : TRY(candidate_links())) {
    auto known = std::find_if(interfaces_.begin(), interfaces_.end(),
                              [&](const Interface& i) { return i.link.index == link.index; });
    if (known == interfaces_.end()) {
      report_.info(cat(link.name, link.mac ? " " : "", link.mac ? link.mac->to_string() : std::string(),
                       ": bringing the link up"));
      Interface added;
      added.link = link;
      // Router advertisements give ip=auto6 its address and ip=dhcp6 its on-link prefix and
      // default route (DHCPv6 carries neither).
      if (step_.mode == NetworkMode::Auto6 || step_.mode == NetworkMode::Dhcp6) {
        if (auto allowed = allow_router_advertisements(options_.proc_dir, link); !allowed) {
          report_.info(link.name + ": " + describe(allowed.error()) + "; going on without it");
          added.link_failure = allowed.error();
          interfaces_.push_back(std::move(added));
          continue;
        }
      }
      // One NIC that will not come up (missing firmware, a driver that fails open) must not
      // stop the boot while another may work: reported and left out, as the kernel's
      // ic_open_devs() does; the step fails only when no interface is left.
      if (auto up = netlink_.set_link_up(link, true); !up) {
        report_.info(link.name + ": " + describe(up.error()) + "; going on without it");
        added.link_failure = up.error();
      }
      interfaces_.push_back(std::move(added));
      known = interfaces_.end() - 1;
    }
    known->link = link;
    if (known->link_failure) continue;
    if (!known->carrier && link.has_carrier()) {
      known->carrier = true;
      known->carrier_at = now;
      report_.info(link.name + ": carrier after " + seconds_text(ms_between(start_, now)));
    }
  }
  return {};
}

Result<void> BringUp::start_dhcp(Interface& interface, TimePoint now) {
  auto socket = TRY(LinuxPacketSocket::open(interface.link.index, interface.link.name));
  interface.dhcp.emplace(interface.link.name, std::move(socket),
                         dhcp_client_config(step_, interface.link, random_seed(interface.link)), report_.debug);
  report_.info(interface.link.name + ": DHCP discover (vendor class \"" + step_.vendor_class + "\")");
  interface.dhcp->start(now);
  return {};
}

Result<void> BringUp::start_dhcp6_where_ready(TimePoint now) {
  const auto waiting = [](const Interface& i) { return i.carrier && !i.dhcp6 && !i.link_failure; };
  if (std::none_of(interfaces_.begin(), interfaces_.end(), waiting)) return {};
  const auto addresses = TRY(netlink_.addresses6());
  for (auto& interface : interfaces_) {
    if (!waiting(interface)) continue;
    auto state = link_local_address6_state(addresses, interface.link);
    if (!state) {
      if (now < interface.carrier_at + seconds(step_.dhcp_timeout_seconds)) continue;
      state = std::unexpected(error_with_problem(
          "DHCPv6 on", interface.link.name,
          cat("no usable link-local address within ", step_.dhcp_timeout_seconds, " s of carrier"),
          "check /proc/sys/net/ipv6/conf/" + interface.link.name +
              "/disable_ipv6 and addr_gen_mode (0 or 2 make one), or raise rd.net.timeout.dhcp="));
    }
    if (!*state) {
      report_.info(interface.link.name + ": " + describe(state->error()) + "; going on without it");
      interface.link_failure = state->error();
      continue;
    }
    auto socket = LinuxDhcp6Socket::open(interface.link.index, interface.link.name);
    if (!socket) {
      report_.info(interface.link.name + ": " + describe(socket.error()) + "; going on without it");
      interface.link_failure = socket.error();
      continue;
    }
    interface.dhcp6.emplace(interface.link.name, std::move(*socket),
                            dhcp6_client_config(step_, interface.link, random_seed(interface.link)), report_.debug);
    report_.info(cat(interface.link.name, ": DHCPv6 solicit from ", (*state)->address.to_string(),
                     ", its link-local address usable ", seconds_text(ms_between(interface.carrier_at, now)),
                     " after carrier"));
    interface.dhcp6->start(now);
  }
  return {};
}

bool BringUp::dhcp_running() const {
  return std::any_of(interfaces_.begin(), interfaces_.end(), [&](const Interface& i) {
    if (i.dhcp && !i.dhcp->failure()) return true;
    if (i.dhcp6 && !i.dhcp6->failure()) return true;
    // ip=dhcp6 waiting for the link-local address counts: its client is about to start.
    return step_.mode == NetworkMode::Dhcp6 && i.carrier && !i.dhcp6 && !i.link_failure;
  });
}

// No candidate interface: say what the kernel has that could be one (a NIC without a driver)
// and how to get its driver in, rather than wait the whole carrier_timeout for a link on
// nothing.
Error BringUp::no_interface_error() const {
  std::string problem =
      cat("none appeared within ", interface_wait_seconds(), " s; interfaces present: ", describe_links(all_links_));
  std::string hint =
      "check that the NIC's driver is in the initramfs and the ip= <device> or BOOTIF= value, or raise "
      "nfsroot-init.interface_timeout= for a NIC that appears late";
  if (options_.missing_drivers) {
    MissingDrivers missing = options_.missing_drivers();
    problem += "; network devices the kernel sees without a driver: " + missing.devices;
    if (!missing.hint.empty()) hint = std::move(missing.hint);
  }
  return error_with_problem("waiting for", describe_choice(step_), problem, hint);
}

Error BringUp::no_carrier_error() const {
  std::string names;
  for (const auto& interface : interfaces_) {
    if (!interface.link_failure) names += (names.empty() ? "" : ", ") + interface.link.name;
  }
  return error_with_problem("waiting for carrier on", names,
                            cat("none within ", step_.carrier_timeout_seconds, " s"),
                            "check the cable and the switch port, or raise carrier_timeout=");
}

Error BringUp::no_usable_interface_error() const {
  std::string reasons;
  for (const auto& interface : interfaces_) {
    reasons += (reasons.empty() ? "" : "; ") + interface.link.name + ": " + describe(*interface.link_failure);
  }
  return error_with_problem("bringing up", describe_choice(step_), "no interface came up: " + reasons,
                            "check the NIC's firmware (dmesg) and driver, or name a working one with ip= <device>");
}

InterfaceConfig BringUp::static6_config() const {
  InterfaceConfig config;
  config.protocol = "none";
  config.protocol6 = "none";
  config.address6 = step_.address6;
  config.prefix6 = step_.prefix6;
  config.gateway6 = step_.gateway6;
  config.hostname = step_.hostname;
  config.nis_domain = step_.nis_domain;
  return config;
}

Result<std::optional<InterfaceConfig>> BringUp::autoconf_config() {
  std::vector<int> links;
  for (const auto& interface : interfaces_) {
    if (interface.carrier && !interface.link_failure) links.push_back(interface.link.index);
  }
  const auto found = autoconf_address6(TRY(netlink_.addresses6()), links);
  if (!found) return std::optional<InterfaceConfig>{};
  InterfaceConfig config;
  for (const auto& interface : interfaces_) {
    if (interface.link.index == found->link_index) config.device = interface.link.name;
  }
  config.protocol = "auto6";
  config.protocol6 = "auto6";
  config.address6 = found->address;
  config.prefix6 = found->prefix_length;
  config.hostname = step_.hostname;
  config.nis_domain = step_.nis_domain;
  return std::optional<InterfaceConfig>(std::move(config));
}

Error BringUp::no_router_advertisement_error() const {
  std::string names;
  for (const auto& interface : interfaces_) {
    if (interface.carrier && !interface.link_failure) names += (names.empty() ? "" : ", ") + interface.link.name;
  }
  return error_with_problem(
      "IPv6 autoconfiguration (ip=auto6) on", names,
      cat("no router advertisement gave a global address within ", step_.dhcp_timeout_seconds, " s"),
      "check that a router on the link sends advertisements with a prefix that has the autonomous flag (radvd's "
      "AdvAutonomous on, a /64), that the switch passes ICMPv6 multicast, or raise rd.net.timeout.dhcp=; or give "
      "a static ip=[<v6 client>]::[<v6 gw>]:<prefix>:<hostname>:<device>:none");
}

Error BringUp::dhcp_failed_error() const {
  for (const auto& interface : interfaces_) {
    if (interface.dhcp && interface.dhcp->failure()) return *interface.dhcp->failure();
    if (interface.dhcp6 && interface.dhcp6->failure()) return *interface.dhcp6->failure();
  }
  for (const auto& interface : interfaces_) {
    if (interface.carrier && interface.link_failure) return *interface.link_failure;
  }
  return error_with_problem("DHCP", describe_choice(step_), "no lease", "check the DHCP server");
}

Result<NetworkOutcome> BringUp::run() {
  start_ = Clock::now();
  const TimePoint carrier_deadline = start_ + seconds(step_.carrier_timeout_seconds);
  const TimePoint interface_deadline = start_ + seconds(interface_wait_seconds());
  TimePoint next_progress = start_ + kProgressInterval;
  TRY(refresh_links(start_));

  for (;;) {
    TimePoint now = Clock::now();
    if (step_.mode == NetworkMode::Static6) {
      for (auto& interface : interfaces_) {
        if (interface.carrier && !interface.link_failure) return configure(interface, static6_config(), now);
      }
    } else if (step_.mode == NetworkMode::Auto6) {
      const bool carrier = std::any_of(interfaces_.begin(), interfaces_.end(),
                                       [](const Interface& i) { return i.carrier && !i.link_failure; });
      if (carrier && !autoconf_deadline_) {
        autoconf_deadline_ = now + seconds(step_.dhcp_timeout_seconds);
        report_.info("waiting for a router advertisement (IPv6 autoconfiguration, ip=auto6)");
      }
      if (carrier) {
        if (auto config = TRY(autoconf_config())) {
          for (auto& interface : interfaces_) {
            if (interface.link.name == config->device) return configure(interface, std::move(*config), now);
          }
        }
        if (now >= *autoconf_deadline_) return std::unexpected(no_router_advertisement_error());
      }
    } else if (step_.mode == NetworkMode::Dhcp6) {
      TRY(start_dhcp6_where_ready(now));
    } else if (step_.mode == NetworkMode::Static) {
      for (auto& interface : interfaces_) {
        if (!interface.carrier) continue;
        InterfaceConfig config;
        config.protocol = "none";
        config.address = *step_.address;
        config.netmask = *step_.netmask;
        config.broadcast = broadcast_address(*step_.address, *step_.netmask);
        config.gateway = step_.gateway;
        config.dns_servers = step_.dns;
        config.hostname = step_.hostname;
        config.nis_domain = step_.nis_domain;
        config.root_server = step_.server;
        return configure(interface, std::move(config), now);
      }
    } else {
      for (auto& interface : interfaces_) {
        if (interface.carrier && !interface.dhcp && !interface.link_failure) {
          if (auto started = start_dhcp(interface, now); !started) {
            report_.info(interface.link.name + ": " + describe(started.error()) + "; going on without it");
            interface.link_failure = started.error();
            interface.dhcp.reset();
          }
        }
      }
    }

    if (!interfaces_.empty() && std::all_of(interfaces_.begin(), interfaces_.end(),
                                             [](const Interface& i) { return i.link_failure.has_value(); })) {
      return std::unexpected(no_usable_interface_error());
    }
    const bool any_carrier = std::any_of(interfaces_.begin(), interfaces_.end(), [](const Interface& i) { return i.carrier; });
    const bool waiting_for_carrier =
        interfaces_.empty() || std::any_of(interfaces_.begin(), interfaces_.end(),
                                           [](const Interface& i) { return !i.carrier && !i.link_failure; });
    if (interfaces_.empty() && now >= interface_deadline) return std::unexpected(no_interface_error());
    if (!any_carrier && now >= carrier_deadline) return std::unexpected(no_carrier_error());
    const bool dhcp_running = this->dhcp_running();
    const bool by_dhcp = step_.mode == NetworkMode::Dhcp || step_.mode == NetworkMode::Dhcp6;
    if (any_carrier && by_dhcp && !dhcp_running &&
        (!waiting_for_carrier || now >= carrier_deadline)) {
      return std::unexpected(dhcp_failed_error());
    }

    // Sleep until an event, the next client timer, the carrier deadline or a progress line.
    TimePoint wake = next_progress;
    if (!any_carrier || waiting_for_carrier) wake = std::min(wake, carrier_deadline);
    if (interfaces_.empty()) wake = std::min(wake, interface_deadline);
    if (autoconf_deadline_) wake = std::min(wake, *autoconf_deadline_);
    for (const auto& interface : interfaces_) {
      if (interface.dhcp && interface.dhcp->deadline()) wake = std::min(wake, *interface.dhcp->deadline());
      if (interface.dhcp6 && interface.dhcp6->deadline()) wake = std::min(wake, *interface.dhcp6->deadline());
      // ip=dhcp6 waiting for a link-local address: address events wake the loop; this bounds it.
      if (step_.mode == NetworkMode::Dhcp6 && interface.carrier && !interface.dhcp6 && !interface.link_failure) {
        wake = std::min(wake, interface.carrier_at + seconds(step_.dhcp_timeout_seconds));
      }
    }
    std::vector<pollfd> fds{{events_.fd(), POLLIN, 0}};
    const bool watch_hotplug = options_.hotplug && options_.hotplug->fd >= 0;
    if (watch_hotplug) fds.push_back({options_.hotplug->fd, POLLIN, 0});
    // ip=auto6 lists the addresses again at the top of the loop; this only wakes it.
    const std::size_t address_events_at = fds.size();
    if (address_events_) fds.push_back({address_events_->fd(), POLLIN, 0});
    for (const auto& interface : interfaces_) {
      if (interface.dhcp && interface.dhcp->fd() >= 0) fds.push_back({interface.dhcp->fd(), POLLIN, 0});
      if (interface.dhcp6 && interface.dhcp6->fd() >= 0) fds.push_back({interface.dhcp6->fd(), POLLIN, 0});
    }
    const long timeout_ms = std::max(0L, ms_between(now, wake) + 1);
    if (::poll(fds.data(), fds.size(), static_cast<int>(std::min<long>(timeout_ms, INT_MAX))) < 0 && errno != EINTR) {
      return std::unexpected(error_from_errno("poll", "network", errno));
    }
    now = Clock::now();

    // Modules first: a driver loaded here makes the interface that the link events then show.
    if (watch_hotplug && fds[1].revents != 0) options_.hotplug->on_readable();
    if (fds[0].revents != 0) {
      TRY(events_.read());
      TRY(refresh_links(now));
    }
    if (address_events_ && fds[address_events_at].revents != 0) {
      // Drained here; what changed is read from the listing (ENOBUFS: lost events, the same).
      for (;;) {
        auto datagram = address_events_->receive(NetlinkSocket::Clock::time_point{});
        if (datagram && !*datagram) break;
        if (!datagram && datagram.error().errno_value != ENOBUFS) return std::unexpected(std::move(datagram.error()));
      }
    }
    for (auto& interface : interfaces_) {
      if (!interface.dhcp6) continue;
      const std::optional<Dhcp6Lease> lease = TRY(wake_exchange(*interface.dhcp6, interface, now));
      if (lease) {
        report_.info(cat(interface.link.name, ": bound to ", lease->address.to_string(), " by DHCPv6 in ",
                         seconds_text(ms_between(interface.carrier_at, now)), " after carrier"));
        // For the lease keeper (network/lease_keeper.h): the lease counts from the REPLY, before
        // duplicate address detection.
        return configure(interface, config_from_lease6(*lease, step_), now, std::nullopt,
                         lease6_to_keep(*lease, interface.link.name, interface.link.mac.value_or(MacAddress{}),
                                        uptime_at(now)));
      }
    }
    for (auto& interface : interfaces_) {
      if (!interface.dhcp) continue;
      const std::optional<DhcpLease> lease = TRY(wake_exchange(*interface.dhcp, interface, now));
      if (lease) {
        for (const auto& refused : lease->warnings) {
          const std::string line = interface.link.name + ": DHCP " + refused;
          (report_.warning ? report_.warning : report_.info)(line);
        }
        report_.info(cat(interface.link.name, ": bound to ", lease->address.to_string(), " from ",
                         lease->server_id.to_string(), " in ", seconds_text(ms_between(interface.carrier_at, now)),
                         " after carrier"));
        // For the lease keeper (network/lease_keeper.h): the lease counts from the ACK.
        const HeldLease held = lease_to_keep(*lease, interface.link.name, interface.link.mac.value_or(MacAddress{}),
                                             step_, uptime_at(now));
        return configure(interface, config_from_lease(*lease, step_), now, lease, held);
      }
    }
    if (now >= next_progress) {
      next_progress += kProgressInterval;
      const long waited = ms_between(start_, now) / 1000;
      if (interfaces_.empty()) {
        // At the deadline the failure says it; a "10 s of 10 s" line before it says nothing.
        if (now < interface_deadline) {
          report_.info(cat("no network interface yet (", waited, " s of ", interface_wait_seconds(),
                           " s, nfsroot-init.interface_timeout=)"));
        }
      } else if (waiting_for_carrier && !any_carrier) {
        report_.info(cat("waiting for carrier on ", describe_choice(step_), " (", waited, " s of ",
                         step_.carrier_timeout_seconds, " s)"));
      } else if (dhcp_running) {
        report_.info(cat(step_.mode == NetworkMode::Dhcp6 ? "waiting for a DHCPv6 answer (" : "waiting for a DHCP answer (",
                         waited, " s)"));
      } else if (autoconf_deadline_) {
        report_.info(cat("waiting for a router advertisement (", waited, " s)"));
      }
    }
  }
}

Result<NetworkOutcome> BringUp::configure(Interface& chosen, InterfaceConfig config, TimePoint now,
                                          std::optional<DhcpLease> lease, std::optional<HeldLease> keep) {
  const LinkInfo& link = chosen.link;
  config.device = link.name;
  if (step_.vlan) config.lower_devices = {step_.vlan->parent};
  if (step_.bond) config.lower_devices = step_.bond->slaves;
  // Only the interface that won keeps running; the others go back down.
  for (auto& other : interfaces_) {
    if (other.link.index == link.index) continue;
    other.dhcp.reset();
    other.dhcp6.reset();
    if (auto down = netlink_.set_link_up(other.link, false); !down) report_.debug(describe(down.error()) + ", ignoring");
  }
  chosen.dhcp.reset();
  chosen.dhcp6.reset();
  if (step_.mode == NetworkMode::Static6 || step_.mode == NetworkMode::Dhcp6) {
    report_.info(cat(link.name, ": adding ", config.address6->to_string(), "/", config.prefix6,
                     ", waiting for duplicate address detection"));
    TRY(configure_link6(netlink_, *address_events_, link, config,
                        address_events_->now() + seconds(kDuplicateAddressDetectionSeconds)));
    now = Clock::now();  // the configuration took the DAD wait: configure_ms counts it
  } else if (step_.mode == NetworkMode::Auto6) {
    report_.info(cat(link.name, ": ", config.address6->to_string(), "/", config.prefix6,
                     " from a router advertisement, ", seconds_text(ms_between(chosen.carrier_at, now)),
                     " after carrier"));
  } else {
    TRY(configure_link(netlink_, link, config, report_));
  }
  if (options_.set_hostname && !config.hostname.empty()) {
    if (::sethostname(config.hostname.data(), config.hostname.size()) != 0) {
      report_.info(describe(error_from_errno("sethostname", config.hostname, errno)) + ", ignoring");
    }
  }
  if (options_.set_hostname && !config.nis_domain.empty()) {
    if (::setdomainname(config.nis_domain.data(), config.nis_domain.size()) != 0) {
      report_.info(describe(error_from_errno("setdomainname", config.nis_domain, errno)) + ", ignoring");
    }
  }
  config.uptime_seconds = 0;
  if (const auto uptime = std::chrono::duration_cast<seconds>(Clock::now().time_since_epoch()).count(); uptime > 0) {
    config.uptime_seconds = static_cast<long>(uptime);  // CLOCK_MONOTONIC counts from boot
  }
  // An IPv4 boot writes net-<interface>.conf; a static or DHCPv6 one net6-<interface>.conf. ip=auto6
  // writes neither: IPV6PROTO has no word for router advertisements, and cloud-init refuses the
  // file for one it does not know; the root sees the address in the kernel.
  if (!config.is_ipv6()) {
    TRY(write_file(options_.run_dir + "/net-" + link.name + ".conf", format_net_conf(config)));
  } else if (step_.mode == NetworkMode::Static6 || step_.mode == NetworkMode::Dhcp6) {
    TRY(write_file(options_.run_dir + "/net6-" + link.name + ".conf", format_net6_conf(config)));
  }
  TRY(make_directories(options_.run_dir + "/nfsroot-init"));
  TRY(write_file(options_.run_dir + "/nfsroot-init/resolv.conf", format_resolv_conf(config)));
  if (step_.networkd_files) TRY(write_runtime_files(options_.run_dir, networkd_runtime_files(config, step_.client_id)));
  if (step_.networkmanager_files) TRY(write_runtime_files(options_.run_dir, networkmanager_runtime_files(config)));
  if (step_.ifupdown_files) TRY(write_runtime_files(options_.run_dir, ifupdown_runtime_files(config)));
  // For the lease keeper (network/lease_keeper.h) and the admin.
  if (keep) TRY(write_file(lease_file_path(options_.run_dir, link.name), format_lease_file(*keep, RenewalState::Bound)));
  NetworkOutcome outcome;
  outcome.config = std::move(config);
  outcome.lease = std::move(lease);
  outcome.carrier_wait_ms = ms_between(start_, chosen.carrier_at);
  outcome.configure_ms = ms_between(chosen.carrier_at, now);
  return outcome;
}

}  // namespace

Result<void> write_runtime_files(const std::string& run_dir, const std::vector<RuntimeFile>& files) {
  for (const auto& file : files) {
    const std::string path = run_dir + "/" + file.path;
    TRY(make_directories(path.substr(0, path.rfind('/'))));
    TRY(write_file(path, file.content));
  }
  return {};
}

Result<void> configure_link(RouteNetlink& netlink, const LinkInfo& link, InterfaceConfig& config,
                            const NetworkReporter& report) {
  const auto prefix = prefix_length(config.netmask);
  if (!prefix) {
    return std::unexpected(error_with_problem("network", config.netmask.to_string(), "netmask is not contiguous",
                                              "fix the subnet mask the DHCP server or ip= gives"));
  }
  if (config.mtu && *config.mtu != link.mtu) {
    if (auto set = netlink.set_mtu(link, *config.mtu); !set) {
      report.info(describe(set.error()) + ", ignoring");
      config.mtu.reset();
    }
  }
  TRY(netlink.add_address(link, config.address, *prefix, config.broadcast));
  if (config.gateway) {
    if ((config.gateway->value & config.netmask.value) != (config.address.value & config.netmask.value)) {
      return std::unexpected(error_with_problem(
          "default route", "via " + config.gateway->to_string(),
          cat("the gateway is not in ", config.address.to_string(), "/", *prefix),
          "the router (DHCP option 3 or ip= <gw-ip>) must be on the interface's subnet"));
    }
    TRY(netlink.add_default_route(link, *config.gateway));
  }
  return {};
}

Result<void> configure_link6(RouteNetlink& netlink, NetlinkSocket& events, const LinkInfo& link,
                             const InterfaceConfig& config, NetlinkSocket::Clock::time_point deadline) {
  const Ipv6Address address = *config.address6;
  TRY(netlink.add_address6(link, address, config.prefix6));
  const auto done = TRY(wait_for_address6(netlink, events, deadline, [&](const auto& addresses) {
    return static_address6_state(addresses, link, address);
  }));
  if (!done) {
    return std::unexpected(error_with_problem(
        "duplicate address detection", cat(address.to_string(), "/", config.prefix6, " on ", link.name),
        cat("the address was still tentative after ", kDuplicateAddressDetectionSeconds, " s"),
        "check the link (carrier, the switch port's state) and /proc/sys/net/ipv6/conf/" + link.name +
            "/dad_transmits"));
  }
  if (config.gateway6) TRY(netlink.add_default_route6(link, *config.gateway6));
  return {};
}

Result<void> allow_router_advertisements(const std::string& proc_dir, const LinkInfo& link) {
  for (const std::string_view setting : {"accept_ra", "autoconf"}) {
    const std::string path = cat(proc_dir, "/sys/net/ipv6/conf/", link.name, "/", setting);
    auto value = read_file(path);
    if (!value) {
      Error error = std::move(value.error());
      error.hint = "the kernel has no IPv6 on this interface: remove ipv6.disable=1 from the command line, or put "
                   "the ipv6 module in the initramfs";
      return std::unexpected(std::move(error));
    }
    // The kernel writes the value with a newline ("0\n"), which trim() keeps.
    const std::string_view current = std::string_view(*value).substr(0, value->find('\n'));
    if (trim(current) == "0") TRY(write_existing_file(path, "1"));
  }
  return {};
}

Result<NetworkOutcome> bring_up_network(const NetworkStep& step, const NetworkOptions& options,
                                        const NetworkReporter& report) {
  // Subscribe before listing, so that no interface or carrier change falls in between; the
  // IPv6 address events before any address can change.
  LinkEvents events = TRY(LinkEvents::open());
  std::unique_ptr<LinuxNetlinkSocket> address_events;
  if (is_ipv6_mode(step.mode)) address_events = TRY(open_address6_events());
  RouteNetlink netlink = TRY(RouteNetlink::open());
  BringUp bring_up(step, options, report, std::move(netlink), std::move(events), std::move(address_events));
  return bring_up.run();
}

}  // namespace nfsroot
