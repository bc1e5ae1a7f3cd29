// BootConfig -> BootPlan: the decisions the boot makes before touching the system.
#include "plan/boot_plan.h"
#include "plan/resolve.h"

#include <catch2/catch.hpp>

using namespace nfsroot;

namespace {
BootPlan plan(const char* line) { return plan_boot(parse_boot_config(std::string_view(line))); }
bool has_error(const BootPlan& plan, std::string_view needle) {
  for (const auto& error : plan.errors) {
    if (describe(error).find(needle) != std::string::npos) return true;
  }
  return false;
}
}  // namespace

TEST_CASE("plan: the seed's line is DHCP on every Ethernet NIC and a read-only NFSv3 root", "[boot_plan]") {
  const auto p = plan("ip=dhcp root=/dev/nfs ro nfsroot=192.168.1.1:/var/lib/nfs/debian-lenny-32");
  CHECK(p.errors.empty());
  CHECK(p.network.mode == NetworkMode::Dhcp);
  CHECK(p.network.choice == InterfaceChoice::EveryEthernet);
  CHECK(p.network.vendor_class == "nfsroot-init");
  CHECK(p.root.server->to_string() == "192.168.1.1");
  CHECK(p.root.mount.source == "192.168.1.1:/var/lib/nfs/debian-lenny-32");
  CHECK(p.root.mount.read_only);
  CHECK(p.root.target == "/root");
  CHECK(p.modules.nfs_modules == std::vector<std::string>{"nfs", "nfsv3"});
  REQUIRE(p.unions.entries.size() == 3);
  CHECK(p.handoff.init_candidates == std::vector<std::string>{"/sbin/init", "/etc/init", "/bin/init", "/bin/sh"});
  CHECK(p.handoff.move_mounts == std::vector<std::string>{"/dev", "/proc", "/sys", "/run"});
  CHECK(p.failure.action == FailurePolicy::Action::RescueShell);
}

TEST_CASE("plan: the ip= device wins over BOOTIF=, which wins over every Ethernet NIC", "[boot_plan]") {
  CHECK(plan("ip=:::::eth1:dhcp BOOTIF=01-52-54-00-12-34-56").network.choice == InterfaceChoice::ByName);
  const auto by_mac = plan("ip=dhcp BOOTIF=01-52-54-00-12-34-56");
  CHECK(by_mac.network.choice == InterfaceChoice::ByMac);
  CHECK(by_mac.network.mac->to_string() == "52:54:00:12:34:56");
}

TEST_CASE("plan: static ip= derives a classful netmask and checks the gateway is on-link", "[boot_plan]") {
  auto p = plan("ip=10.1.2.3:10.0.0.1:10.9.9.9 nfsroot=/r");
  CHECK(p.errors.empty());
  CHECK(p.network.mode == NetworkMode::Static);
  CHECK(p.network.netmask->to_string() == "255.0.0.0");
  CHECK(p.root.server->to_string() == "10.0.0.1");  // ip= <server-ip> when nfsroot= has none
  CHECK(p.root.server_source == "ip= <server-ip>");

  p = plan("ip=192.168.1.5::10.0.0.1:255.255.255.0 nfsroot=192.168.1.1:/r");
  CHECK(has_error(p, "gateway 10.0.0.1: not in the client's subnet 192.168.1.5/24"));

  p = plan("ip=192.168.1.5 nfsroot=/r");
  CHECK(has_error(p, "no NFS server is known with a static ip="));

  p = plan("ip=dhcp6 nfsroot=/r");
  CHECK(has_error(p, "no NFS server is known: ip=auto6 and ip=dhcp6 give none"));
  CHECK(plan("ip=dhcp6 nfsroot=[fd00::1]:/r").errors.empty());
}

TEST_CASE("plan: the server comes from nfsroot=, then ip=, then the lease", "[boot_plan]") {
  CHECK(plan("ip=10.0.0.5:10.0.0.2 nfsroot=10.0.0.3:/r").root.server->to_string() == "10.0.0.3");
  const auto from_lease = plan("ip=dhcp");
  CHECK_FALSE(from_lease.root.server);
  CHECK(from_lease.root.mount.source == "<server>:/tftpboot/%s");
  CHECK(from_lease.root.path_from_lease);
}

TEST_CASE("plan: the command line's path wins over the lease's root-path", "[boot_plan]") {
  const auto p = plan("nfsroot=/srv/root");
  CHECK(p.root.path == "/srv/root");
  CHECK_FALSE(p.root.path_from_lease);
}

TEST_CASE("plan: NFSv4 loads nfsv4; rw mounts read-write", "[boot_plan]") {
  auto p = plan("root=nfs4:10.0.0.1:/");
  CHECK(p.modules.nfs_modules == std::vector<std::string>{"nfs", "nfsv4"});
  CHECK(p.root.mount.fstype == "nfs4");
  CHECK_FALSE(plan("rw nfsroot=10.0.0.1:/r").root.mount.read_only);
}

TEST_CASE("plan: what cannot boot is an error that says what to change", "[boot_plan]") {
  CHECK(has_error(plan("root=/dev/sda1"), "root= /dev/sda1: not an NFS root"));
  CHECK(has_error(plan("ip=off nfsroot=10.0.0.1:/r"), "use ip=dhcp"));
  // A bad union is skipped with a warning, as at boot: the default for /var stays.
  const auto bad_union = plan("nfsroot-init.overlay=/var:unionfs");
  CHECK(bad_union.errors.empty());
  REQUIRE(bad_union.warnings.size() == 1);
  CHECK(bad_union.warnings[0].find("unknown kind 'unionfs'") != std::string::npos);
  CHECK(bad_union.unions.entries.size() == 3);
}

TEST_CASE("plan: command-line unions merge over the defaults", "[boot_plan]") {
  const auto p = plan("nfsroot-init.overlay=/var:overlay:size=1G nfsroot-init.overlay=/srv:tmpfs");
  REQUIRE(p.unions.entries.size() == 4);
  CHECK(p.unions.entries[1].mount_point == "/var");
  CHECK(p.unions.entries[1].origin == "nfsroot-init.overlay=");
}

TEST_CASE("plan: init= replaces the search list; arguments after -- go to init", "[boot_plan]") {
  const auto p = plan("init=/lib/systemd/systemd -- single");
  CHECK(p.handoff.init_candidates == std::vector<std::string>{"/lib/systemd/systemd"});
  CHECK(p.handoff.init_arguments == std::vector<std::string>{"single"});
}

TEST_CASE("plan: explain --overlays merges a file as the root's overlay list", "[boot_plan]") {
  auto p = plan("nfsroot-init.overlay=/srv:tmpfs");
  add_overlay_file(p, {"overlays", "/var overlay size=1G\n/opt bogus\n/etc/udev/rules.d none\n"});
  REQUIRE(p.unions.entries.size() == 3);  // /tmp, /var, /srv
  CHECK(p.unions.entries[1].mount_point == "/var");
  CHECK(p.unions.entries[1].origin == "overlays:1");
  CHECK(p.unions.entries[2].origin == "nfsroot-init.overlay=");
  REQUIRE(p.warnings.size() == 1);
  CHECK(p.warnings[0].starts_with("overlay list: overlays:2 "));
  CHECK(p.unions.root_file == "overlays");
}

TEST_CASE("failure policy: panic= as initramfs-tools documents it", "[boot_plan]") {
  CHECK(failure_policy(std::nullopt).action == FailurePolicy::Action::RescueShell);
  CHECK(failure_policy(0).action == FailurePolicy::Action::RescueShell);
  CHECK(failure_policy(-1).action == FailurePolicy::Action::RebootNow);
  const auto later = failure_policy(30);
  CHECK(later.action == FailurePolicy::Action::RebootAfterDelay);
  CHECK(later.delay_seconds == 30);
}

TEST_CASE("plan: root=nfs4: mounts nfs4 without mountaddr= or nolock; a root-path's nfs4: resolves the same",
          "[boot_plan]") {
  const BootPlan v4 = plan_boot(parse_boot_config("ip=dhcp root=nfs4:10.0.0.1:/client:wsize=4096"));
  CHECK(v4.root.mount.fstype == "nfs4");
  CHECK(v4.root.mount.data().find("mountaddr=") == std::string::npos);
  CHECK(v4.root.mount.data().find("nolock") == std::string::npos);
  CHECK(v4.root.mount.data().find("wsize=4096") != std::string::npos);
  CHECK(v4.modules.nfs_modules == std::vector<std::string>{"nfs", "nfsv4"});

  // ip=dhcp root=/dev/nfs: the lease may still say nfs4:, so nfsv4 is loaded too (optionally).
  const BootPlan open = plan_boot(parse_boot_config("ip=dhcp root=/dev/nfs"));
  CHECK(open.modules.nfs_modules == std::vector<std::string>{"nfs", "nfsv3"});
  CHECK(open.modules.optional_nfs_modules == std::vector<std::string>{"nfsv4"});
  DhcpLease lease;
  lease.address = *Ipv4Address::parse("10.0.0.15");
  lease.server_id = *Ipv4Address::parse("10.0.0.1");
  lease.root_path = "nfs4:10.0.0.9:/client:wsize=4096";
  const auto root = resolve_root(open.root, &lease, ClientIdentity{"", "10.0.0.15"});
  REQUIRE(root);
  CHECK(root->request.source == "10.0.0.9:/client");
  CHECK(root->request.fstype == "nfs4");
  CHECK(root->request.data().find("mountaddr=") == std::string::npos);
  CHECK(root->request.data().find("wsize=4096") != std::string::npos);
  CHECK(root->server_source == "DHCP root-path (option 17)");

  // The seed's line pins server and path: nothing for the lease to choose.
  const BootPlan seed = plan_boot(parse_boot_config("ip=dhcp root=/dev/nfs ro nfsroot=10.0.0.1:/srv"));
  CHECK(seed.modules.optional_nfs_modules.empty());
}

TEST_CASE("choose_lease_keeper: left out only where the root's networkd renews the lease", "[boot_plan]") {
  NetworkStep step;
  std::uint32_t lease_seconds = 600;
  const auto choose = [&](LeaseKeeperMode mode, bool networkd) {
    return choose_lease_keeper(mode, step, lease_seconds, networkd);
  };
  CHECK_FALSE(choose(LeaseKeeperMode::Auto, true).start);
  CHECK(choose(LeaseKeeperMode::Auto, true).reason ==
        "systemd-networkd in the root renews the 600 s lease (nfsroot-init.lease_keeper=yes starts it too)");
  CHECK(choose(LeaseKeeperMode::Auto, false).start);
  CHECK(choose(LeaseKeeperMode::Auto, false).reason ==
        "renews the 600 s lease: the root system does not enable systemd-networkd");
  CHECK(choose(LeaseKeeperMode::Always, true).start);
  CHECK_FALSE(choose(LeaseKeeperMode::Never, false).start);
  step.client_id = DhcpClientId{0, "node7"};  // networkd cannot send it
  CHECK(choose(LeaseKeeperMode::Auto, true).start);
  step.client_id.reset();
  step.networkd_files = false;
  CHECK(choose(LeaseKeeperMode::Auto, true).start);
  CHECK(choose(LeaseKeeperMode::Auto, true).reason ==
        "renews the 600 s lease: no networkd file was written (nfsroot-init.networkd=no)");
  lease_seconds = kInfiniteLease;
  CHECK_FALSE(choose(LeaseKeeperMode::Always, false).start);
  CHECK(choose_lease_keeper(LeaseKeeperMode::Always, step, std::nullopt, false).reason == "no DHCP lease to renew");
}

TEST_CASE("choose_lease_keeper: a DHCPv6 lease is always the keeper's, networkd or not", "[boot_plan][ipv6]") {
  const BootPlan plan = plan_boot(parse_boot_config("ip=eth0:dhcp6 root=/dev/nfs nfsroot=[fd00::1]:/srv"));
  NetworkStep step = plan.network;
  REQUIRE(step.mode == NetworkMode::Dhcp6);
  // networkd's DHCPv6 client removes its address when networkd stops (net/networkd_files.cpp).
  CHECK(choose_lease_keeper(LeaseKeeperMode::Auto, step, 20, true).start);
  CHECK(choose_lease_keeper(LeaseKeeperMode::Auto, step, 20, true).reason ==
        "renews the 20 s DHCPv6 lease: systemd-networkd would remove a DHCPv6 address it renewed when it stops");
  CHECK(choose_lease_keeper(LeaseKeeperMode::Auto, step, 20, false).reason ==
        "renews the 20 s DHCPv6 lease: the root system does not enable systemd-networkd");
  CHECK(choose_lease_keeper(LeaseKeeperMode::Auto, step, 20, false).start);
  CHECK(choose_lease_keeper(LeaseKeeperMode::Always, step, 20, true).start);
  CHECK_FALSE(choose_lease_keeper(LeaseKeeperMode::Never, step, 20, true).start);
  CHECK_FALSE(choose_lease_keeper(LeaseKeeperMode::Never, step, 20, false).start);
  step.networkd_files = false;
  CHECK(choose_lease_keeper(LeaseKeeperMode::Auto, step, 20, true).start);
  // RFC 8415 7.7: 0xffffffff is infinity.
  CHECK(choose_lease_keeper(LeaseKeeperMode::Always, step, 0xffffffff, false).reason == "the lease never runs out");
}
