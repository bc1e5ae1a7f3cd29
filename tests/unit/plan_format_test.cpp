// The plan as text: every decision an admin needs to check is on the page.
#include "plan/plan_format.h"

#include <catch2/catch.hpp>

using namespace nfsroot;

namespace {
std::string text(const char* line) { return format_plan(plan_boot(parse_boot_config(std::string_view(line)))); }
}  // namespace

TEST_CASE("plan text: the seed's line shows each step with its arguments", "[plan_format]") {
  const auto out = text("ip=dhcp root=/dev/nfs ro nfsroot=192.168.1.1:/var/lib/nfs/debian-lenny-32");
  for (const char* expected : {
           "1. early       mount /proc proc, /sys sysfs, /dev devtmpfs, /run tmpfs\n",
           "2. drivers     NIC drivers by modalias, with dependencies; then nfs, nfsv3\n",
           "3. network     DHCP on every Ethernet interface, first lease wins\n",
           "wait for an interface up to 10 s (nfsroot-init.interface_timeout=), for carrier up to 120 s "
           "(carrier_timeout=)\n",
           "and /run/systemd/network/70-nfsroot-<interface>.{link,network}: networkd keeps the address and "
           "renews the lease (nfsroot-init.networkd=)\n",
           "and /run/NetworkManager/conf.d/70-nfsroot-<interface>.conf: NetworkManager leaves the interface "
           "unmanaged (nfsroot-init.networkmanager=)\n",
           "and /run/network/ifstate{,.<interface>}: ifupdown's state has the interface up, so ifup and ifdown "
           "leave it (nfsroot-init.ifupdown=)\n",
           "4. root        mount 192.168.1.1:/var/lib/nfs/debian-lenny-32 on /root\n",
           "type nfs, read-only, options vers=3,proto=tcp,nolock,addr=192.168.1.1,mountaddr=192.168.1.1\n",
           "server: nfsroot=\n",
           "path: command line\n",
           "version: 3 (the default)\n",
           "options: none given, the defaults only\n",
           "5. unions      /tmp               tmpfs    size=128M,mode=1777  (built-in default)\n",
           "/var               overlay  size=128M            (built-in default)\n",
           "6. hand-off    move /dev /proc /sys /run into /root, free the initramfs\n",
           "on failure     rescue shell if the initramfs has /bin/sh, else wait (panic= unset)\n",
       }) {
    INFO(out);
    CHECK(out.find(expected) != std::string::npos);
  }
  CHECK(out.find("warning") == std::string::npos);
  CHECK(out.find("error") == std::string::npos);
}

TEST_CASE("plan text: what the lease decides is marked; warnings and errors are listed", "[plan_format]") {
  const auto out = text("ip=dhcp panic=10 root=/dev/sda1 ip=10.0.0.300");
  INFO(out);
  // the bad client address is dropped, so the boot falls back to DHCP and says so
  CHECK(out.find("3. network     DHCP on every Ethernet interface") != std::string::npos);
  CHECK(out.find("on failure     reboot after 10 s (panic=10)\n") != std::string::npos);
  CHECK(out.find("warning: ip=10.0.0.300: client address '10.0.0.300' is not an IPv4 address") != std::string::npos);
  CHECK(out.find("error: root= /dev/sda1: not an NFS root") != std::string::npos);

  const auto dhcp = text("ip=dhcp");
  CHECK(dhcp.find("mount <server>:/tftpboot/%s on /root  (server from the lease)\n") != std::string::npos);
  CHECK(dhcp.find("path: DHCP root-path (option 17), else the kernel default; %s becomes the hostname") !=
        std::string::npos);
}

TEST_CASE("plan text: the interface wait never shows longer than carrier_timeout=", "[plan_format]") {
  const auto out = text("ip=dhcp root=/dev/nfs nfsroot=10.0.2.2:/srv carrier_timeout=3 nfsroot-init.interface_timeout=30");
  INFO(out);
  CHECK(out.find("wait for an interface up to 3 s (nfsroot-init.interface_timeout=), for carrier up to 3 s") !=
        std::string::npos);
}

TEST_CASE("plan text: the networkd files, kept as static where networkd cannot renew, or not written", "[plan_format]") {
  const auto id = text("ip=dhcp,0,rack4-node17 root=/dev/nfs nfsroot=10.0.2.2:/srv");
  CHECK(id.find("70-nfsroot-<interface>.{link,network}: networkd keeps the address as static") != std::string::npos);
  const auto fixed = text("ip=10.0.2.15::10.0.2.2:255.255.255.0::eth0:off root=/dev/nfs nfsroot=10.0.2.2:/srv");
  CHECK(fixed.find("networkd keeps the address as static") != std::string::npos);
  const auto off = text("ip=dhcp root=/dev/nfs nfsroot=10.0.2.2:/srv nfsroot-init.networkd=no");
  CHECK(off.find("no systemd-networkd files (nfsroot-init.networkd=no)\n") != std::string::npos);
  CHECK(off.find("systemd/network/70-nfsroot") == std::string::npos);
}

TEST_CASE("plan text: the lease keeper at the hand-off, by nfsroot-init.lease_keeper= and the network", "[plan_format]") {
  const auto automatic = text("ip=dhcp root=/dev/nfs nfsroot=10.0.2.2:/srv");
  CHECK(automatic.find("leave the lease keeper running: nfsroot-init keep-lease <interface> from /run/nfsroot-init,\n") !=
        std::string::npos);
  CHECK(automatic.find("renewing the DHCP lease at T1 and T2, unless the root enables systemd-networkd,\n") !=
        std::string::npos);
  CHECK(automatic.find("which renews it itself (nfsroot-init.lease_keeper=)\n") != std::string::npos);
  // networkd cannot send ip=dhcp's client identifier, so nothing in the root could renew.
  const auto id = text("ip=dhcp,0,node7 root=/dev/nfs nfsroot=10.0.2.2:/srv");
  CHECK(id.find("renewing the DHCP lease at T1 and T2 (nfsroot-init.lease_keeper=)\n") != std::string::npos);
  const auto always = text("ip=dhcp root=/dev/nfs nfsroot=10.0.2.2:/srv nfsroot-init.lease_keeper=yes");
  CHECK(always.find("renewing the DHCP lease at T1 and T2 (nfsroot-init.lease_keeper=yes)\n") != std::string::npos);
  const auto never = text("ip=dhcp root=/dev/nfs nfsroot=10.0.2.2:/srv nfsroot-init.lease_keeper=no");
  CHECK(never.find("no lease keeper (nfsroot-init.lease_keeper=no)\n") != std::string::npos);
  const auto fixed = text("ip=10.0.2.15::10.0.2.2:255.255.255.0::eth0:off root=/dev/nfs nfsroot=10.0.2.2:/srv");
  CHECK(fixed.find("lease keeper") == std::string::npos);
}

TEST_CASE("plan text: where the NFS version and options come from, and what DHCP may still change", "[plan_format]") {
  struct Case {
    const char* line;
    const char* version;
    const char* options;
  };
  const Case cases[] = {
      {"ip=dhcp root=/dev/nfs", "version: 3 (the default; a DHCP root-path with nfs4: or vers= may change it)\n",
       "options: DHCP root-path (option 17), if it gives any\n"},
      {"root=dhcp", "version: 3 (the default; a DHCP root-path with nfs4: or vers= may change it)\n",
       "options: DHCP root-path (option 17), if it gives any\n"},
      // server and path on the command line: the root-path is ignored, nothing is left open
      {"root=nfs4:10.0.0.9:/client", "version: 4 (root=nfs4:)\n", "options: none given, the defaults only\n"},
      {"root=nfs:10.0.0.9:/client:wsize=4096", "version: 3 (the default)\n", "options: command line\n"},
      {"root=10.0.0.9:/client:vers=4.2", "version: 4 (vers=4.2 on the command line)\n", "options: command line\n"},
      {"nfsroot=10.0.0.9:/r,nfsvers=3 rootflags=v4.1", "version: 4 (v4.1 on the command line)\n",
       "options: command line\n"},
      // the path alone: DHCP still names the server, and its options go first
      {"root=nfs4:/client", "version: 4 (root=nfs4:; a vers= in the DHCP root-path would change it)\n",
       "options: DHCP root-path (option 17), if it gives any\n"},
      {"ip=dhcp root=/dev/nfs nfsroot=/r,vers=4.1", "version: 4 (vers=4.1 on the command line)\n",
       "options: DHCP root-path (option 17) if it gives any, then the command line\n"},
      // static ip= has no lease: what the command line says is final
      {"ip=10.0.0.5:10.0.0.9:10.0.0.1:255.255.255.0::eth0:off root=/dev/nfs nfsroot=/r", "version: 3 (the default)\n",
       "options: none given, the defaults only\n"},
  };
  for (const auto& c : cases) {
    const auto out = text(c.line);
    INFO(out);
    CHECK(out.find(c.version) != std::string::npos);
    CHECK(out.find(c.options) != std::string::npos);
  }
  // dracut's root= names the server itself, and explain says which option did
  CHECK(text("root=nfs4:10.0.0.9:/client").find("server: root=\n") != std::string::npos);
  CHECK(text("root=10.0.0.9:/client").find("server: root=\n") != std::string::npos);
  CHECK(text("root=/dev/nfs nfsroot=10.0.0.9:/client").find("server: nfsroot=\n") != std::string::npos);
}

TEST_CASE("plan text: the NetworkManager and ifupdown files, each turned off alone", "[plan_format]") {
  const auto nm_off = text("ip=dhcp root=/dev/nfs nfsroot=10.0.2.2:/srv nfsroot-init.networkmanager=no");
  INFO(nm_off);
  CHECK(nm_off.find("no NetworkManager file (nfsroot-init.networkmanager=no)\n") != std::string::npos);
  CHECK(nm_off.find("/run/NetworkManager") == std::string::npos);
  CHECK(nm_off.find("and /run/network/ifstate{,.<interface>}") != std::string::npos);
  CHECK(nm_off.find("networkd keeps the address and renews the lease") != std::string::npos);

  const auto all_off = text("ip=10.0.2.15::10.0.2.2:255.255.255.0::eth0:off root=/dev/nfs nfsroot=10.0.2.2:/srv "
                            "nfsroot-init.ifupdown=no nfsroot-init.networkd=no nfsroot-init.networkmanager=no");
  INFO(all_off);
  CHECK(all_off.find("then write /run/net-<interface>.conf and /run/nfsroot-init/resolv.conf\n"
                     "               no systemd-networkd files (nfsroot-init.networkd=no)\n"
                     "               no NetworkManager file (nfsroot-init.networkmanager=no)\n"
                     "               no ifupdown state (nfsroot-init.ifupdown=no)\n") != std::string::npos);

  // With the network off there is no interface to keep, and no file.
  const auto off = text("ip=off root=/dev/nfs nfsroot=10.0.2.2:/srv");
  CHECK(off.find("NetworkManager") == std::string::npos);
  CHECK(off.find("ifupdown") == std::string::npos);
}

TEST_CASE("plan text: a static IPv6 ip= shows its address, gateway, the DAD wait and net6-<interface>.conf",
          "[plan_format][ipv6]") {
  const auto out = text("ip=[fd00::5]:[fd00::1]:[fe80::1]:64:node7:eth0:none root=/dev/nfs nfsroot=10.0.2.2:/srv");
  INFO(out);
  for (const char* expected : {
           "3. network     static IPv6 on interface eth0 (ip= <device>)\n",
           "address fd00::5/64, gateway fe80::1, server fd00::1\n",
           "wait up to 10 s for duplicate address detection to clear the address (RFC 4862 5.4)\n",
           "hostname node7\n",
           "then write /run/net6-<interface>.conf and /run/nfsroot-init/resolv.conf\n",
           "networkd keeps the address as static (nfsroot-init.networkd=)\n",
       }) {
    CHECK(out.find(expected) != std::string::npos);
  }
  CHECK(out.find("/run/net-<interface>.conf") == std::string::npos);
  CHECK(out.find("lease keeper") == std::string::npos);
  CHECK(out.find("error") == std::string::npos);
}

TEST_CASE("plan text: a global IPv6 gateway outside the client's prefix stops the plan", "[plan_format][ipv6]") {
  const auto plan = plan_boot(parse_boot_config(
      std::string_view("ip=[fd00:0:0:1::5]::[fd00:0:0:2::1]:64::eth0:none root=/dev/nfs nfsroot=10.0.2.2:/srv")));
  REQUIRE(plan.errors.size() == 1);
  CHECK(describe(plan.errors[0]).find("not in the client's prefix fd00:0:0:1::5/64") != std::string::npos);
  // The same gateway with a /48, or a link-local one, is on the link.
  CHECK(plan_boot(parse_boot_config(std::string_view(
                      "ip=[fd00:0:0:1::5]::[fd00:0:0:2::1]:48::eth0:none root=/dev/nfs nfsroot=10.0.2.2:/srv")))
            .errors.empty());
  CHECK(plan_boot(parse_boot_config(
                      std::string_view("ip=[fd00:0:0:1::5]::[fe80::1]:64::eth0:none root=/dev/nfs nfsroot=10.0.2.2:/srv")))
            .errors.empty());
}

TEST_CASE("plan text: ip=auto6 waits for a router advertisement up to the DHCP timeout", "[plan_format][ipv6]") {
  const auto out = text("ip=auto6 root=/dev/nfs nfsroot=10.0.2.2:/srv rd.net.timeout.dhcp=20");
  INFO(out);
  for (const char* expected : {
           "3. network     IPv6 autoconfiguration from router advertisements (ip=auto6) on every Ethernet "
           "interface, first address wins\n",
           "accept router advertisements (/proc/sys/net/ipv6/conf/<interface>/accept_ra=1, autoconf=1)\n",
           "wait up to 20 s for a global address the kernel made from one (RFC 4862), first one wins\n",
           "no /run/net6-<interface>.conf",
           "networkd keeps the address and accepts router advertisements (nfsroot-init.networkd=)\n",
       }) {
    CHECK(out.find(expected) != std::string::npos);
  }
  CHECK(out.find("lease keeper") == std::string::npos);
}

TEST_CASE("plan text: ip=dhcp6 says the exchange, its timeout, the /128 and the hand-off", "[plan_format][ipv6]") {
  const auto out = text("ip=eth1:dhcp6 root=/dev/nfs nfsroot=[fd00::1]:/srv rd.net.timeout.dhcp=25");
  INFO(out);
  for (const char* expected : {
           "3. network     DHCPv6 (ip=dhcp6) on interface eth1 (ip= <device>)\n",
           "accept router advertisements (/proc/sys/net/ipv6/conf/<interface>/accept_ra=1, autoconf=1): the on-link "
           "prefix and the default route come from them\n",
           "SOLICIT, ADVERTISE, REQUEST, REPLY from [fe80::…]:546 to [ff02::1:2]:547 (RFC 8415), give up after 25 s\n",
           "address/128 and DNS (from the lease)",
           "then write /run/net6-<interface>.conf and /run/nfsroot-init/resolv.conf\n",
           "networkd keeps the address and accepts router advertisements, no DHCPv6 (nfsroot-init.networkd=)\n",
           "leave the lease keeper running: nfsroot-init keep-lease <interface> from /run/nfsroot-init,\n",
           "renewing the DHCPv6 lease (RENEW, REBIND) at T1 and T2 (nfsroot-init.lease_keeper=)\n",
       }) {
    CHECK(out.find(expected) != std::string::npos);
  }
  CHECK(text("ip=eth1:dhcp6 nfsroot=[fd00::1]:/srv nfsroot-init.lease_keeper=yes")
            .find("renewing the DHCPv6 lease (RENEW, REBIND) at T1 and T2 (nfsroot-init.lease_keeper=yes)\n") !=
        std::string::npos);
  CHECK(text("ip=eth1:dhcp6 nfsroot=[fd00::1]:/srv nfsroot-init.networkd=no")
            .find("renewing the DHCPv6 lease (RENEW, REBIND) at T1 and T2 (nfsroot-init.lease_keeper=)\n") !=
        std::string::npos);
  CHECK(text("ip=dhcp6 nfsroot=[fd00::1]:/srv").find("DHCPv6 (ip=dhcp6) on every Ethernet interface, first lease "
                                                      "wins") != std::string::npos);
}

TEST_CASE("plan text: without a device, what picks the interface is said for each mode", "[plan_format]") {
  CHECK(text("ip=dhcp nfsroot=10.0.2.2:/srv").find("DHCP on every Ethernet interface, first lease wins") !=
        std::string::npos);
  CHECK(text("ip=10.0.2.15::10.0.2.2:255.255.255.0 nfsroot=10.0.2.2:/srv")
            .find("static on the first Ethernet interface with carrier") != std::string::npos);
  CHECK(text("ip=[fd00::10]::[fd00::1]:64:::none nfsroot=[fd00::1]:/srv")
            .find("on the first Ethernet interface with carrier") != std::string::npos);
}
