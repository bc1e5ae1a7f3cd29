// Kernel command line -> BootConfig: one case per rule of nfsroot.rst, ipconfig.c,
// initramfs-tools and dracut that we accept, and the messages for malformed values.
#include "cmdline/boot_config.h"
#include "plan/boot_plan.h"
#include "plan/plan_format.h"

#include <catch2/catch.hpp>

using namespace nfsroot;

namespace {

Ipv4Address ip4(const char* text) { return *Ipv4Address::parse(text); }

ParsedBootConfig parse(const char* line) { return parse_boot_config(std::string_view(line)); }

// Every warning must name the option it is about.
bool warned_about(const ParsedBootConfig& parsed, std::string_view needle) {
  for (const auto& warning : parsed.warnings) {
    if (warning.find(needle) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("ip=: the full ten-field form", "[boot_config][ip]") {
  const auto parsed = parse("ip=10.0.0.5:10.0.0.1:10.0.0.254:255.255.255.0:client.lab:eth1:off:10.0.0.53:10.0.0.54:10.0.0.123");
  const IpConfig& ip = parsed.config.ip;
  CHECK(parsed.warnings.empty());
  CHECK(ip.given);
  CHECK(ip.client == ip4("10.0.0.5"));
  CHECK(ip.server == ip4("10.0.0.1"));
  CHECK(ip.gateway == ip4("10.0.0.254"));
  CHECK(ip.netmask == ip4("255.255.255.0"));
  CHECK(ip.hostname == "client");
  CHECK(ip.nis_domain == "lab");  // host.nisdomain is split at the first dot
  CHECK(ip.device == "eth1");
  CHECK(ip.autoconf == IpAutoconf::Off);
  CHECK(ip.dns0 == ip4("10.0.0.53"));
  CHECK(ip.dns1 == ip4("10.0.0.54"));
  CHECK(ip.ntp0 == ip4("10.0.0.123"));
  CHECK(ip.mode() == NetworkMode::Static);
}

TEST_CASE("ip=: <autoconf> alone", "[boot_config][ip]") {
  struct Case {
    const char* line;
    IpAutoconf autoconf;
    NetworkMode mode;
  };
  const std::vector<Case> cases = {
      {"ip=off", IpAutoconf::Off, NetworkMode::Off},     {"ip=none", IpAutoconf::Off, NetworkMode::Off},
      {"ip=on", IpAutoconf::On, NetworkMode::Dhcp},      {"ip=any", IpAutoconf::On, NetworkMode::Dhcp},
      {"ip=dhcp", IpAutoconf::Dhcp, NetworkMode::Dhcp},  {"ip=bootp", IpAutoconf::Bootp, NetworkMode::Dhcp},
      {"ip=rarp", IpAutoconf::Rarp, NetworkMode::Dhcp},  {"ip=both", IpAutoconf::Both, NetworkMode::Dhcp},
      {"ip=", IpAutoconf::Off, NetworkMode::Off},        // ipconfig.c: empty turns configuration off
      {"", IpAutoconf::Unset, NetworkMode::Dhcp},        // no ip=: DHCP, as initramfs-tools does
  };
  for (const auto& c : cases) {
    INFO(c.line);
    const auto parsed = parse(c.line);
    CHECK(parsed.config.ip.autoconf == c.autoconf);
    CHECK(parsed.config.ip.mode() == c.mode);
  }
  CHECK(warned_about(parse("ip=rarp"), "RARP is not supported"));
  CHECK(parse("ip=dhcp").warnings.empty());
}

TEST_CASE("ip=dhcp,<client-id-type>,<client-id-value>", "[boot_config][ip]") {
  auto parsed = parse("ip=dhcp,1,client-17");
  REQUIRE(parsed.config.ip.client_id);
  CHECK(parsed.config.ip.client_id->type == 1);
  CHECK(parsed.config.ip.client_id->value == "client-17");
  CHECK(parsed.warnings.empty());

  parsed = parse("ip=dhcp,0x0,text");  // kstrtou8 base 0: hex is allowed
  REQUIRE(parsed.config.ip.client_id);
  CHECK(parsed.config.ip.client_id->type == 0);

  parsed = parse("ip=dhcp,300,x");
  CHECK_FALSE(parsed.config.ip.client_id);
  CHECK(parsed.config.ip.autoconf == IpAutoconf::Dhcp);
  CHECK(warned_about(parsed, "ip=dhcp,300,x: client identifier type '300'"));

  parsed = parse("ip=dhcp,1");
  CHECK_FALSE(parsed.config.ip.client_id);
  CHECK(warned_about(parsed, "dhcp,<type>,<value>"));
}

TEST_CASE("ip=: empty fields are skipped and the index still advances", "[boot_config][ip]") {
  const auto parsed = parse("ip=::10.0.0.254:::eth0");
  const IpConfig& ip = parsed.config.ip;
  CHECK_FALSE(ip.client);
  CHECK_FALSE(ip.server);
  CHECK(ip.gateway == ip4("10.0.0.254"));
  CHECK(ip.device == "eth0");
  CHECK(ip.mode() == NetworkMode::Dhcp);  // no client address: dynamic

  const auto initramfs_tools_style = parse("ip=:::::eth0:dhcp");
  CHECK(initramfs_tools_style.config.ip.device == "eth0");
  CHECK(initramfs_tools_style.config.ip.autoconf == IpAutoconf::Dhcp);
}

TEST_CASE("ip=: 0.0.0.0 means unset", "[boot_config][ip]") {
  const auto parsed = parse("ip=0.0.0.0:0.0.0.0:0.0.0.0:0.0.0.0");
  CHECK(parsed.warnings.empty());
  CHECK_FALSE(parsed.config.ip.client);
  CHECK_FALSE(parsed.config.ip.server);
  CHECK_FALSE(parsed.config.ip.gateway);
  CHECK_FALSE(parsed.config.ip.netmask);
  CHECK(parsed.config.ip.mode() == NetworkMode::Dhcp);
}

TEST_CASE("ip=: static with a client address; off/none without one disables", "[boot_config][ip]") {
  CHECK(parse("ip=10.0.0.5:10.0.0.1").config.ip.mode() == NetworkMode::Static);
  CHECK(parse("ip=10.0.0.5::::::off").config.ip.mode() == NetworkMode::Static);
  CHECK(parse("ip=10.0.0.5::::::none").config.ip.mode() == NetworkMode::Static);
  CHECK(parse("ip=:::::eth0:off").config.ip.mode() == NetworkMode::Off);
  CHECK(parse("ip=10.0.0.5::::::dhcp").config.ip.mode() == NetworkMode::Dhcp);
}

TEST_CASE("ip=: a malformed field names the option, the value and the fallback", "[boot_config][ip]") {
  auto parsed = parse("ip=10.0.0.300:10.0.0.1");
  CHECK_FALSE(parsed.config.ip.client);
  CHECK(parsed.config.ip.server == ip4("10.0.0.1"));
  CHECK(parsed.warnings == std::vector<std::string>{
                               "ip=10.0.0.300:10.0.0.1: client address '10.0.0.300' is not an IPv4 address "
                               "(a.b.c.d); ignoring it"});

  parsed = parse("ip=10.0.0.5:::255.0.255.0");
  CHECK_FALSE(parsed.config.ip.netmask);
  CHECK(warned_about(parsed, "netmask '255.0.255.0' is not contiguous"));

  parsed = parse("ip=10.0.0.5:::::eth0:dchp");
  CHECK(warned_about(parsed, "unknown autoconf 'dchp'"));
  CHECK(parsed.config.ip.mode() == NetworkMode::Static);

  parsed = parse("ip=1:2:3:4:5:6:7:8:9:10:11");
  CHECK(warned_about(parsed, "more than 10 fields"));

  parsed = parse("ip=:::::a/b");
  CHECK(parsed.config.ip.device.empty());
  CHECK(warned_about(parsed, "device 'a/b' is not an interface name"));
}

TEST_CASE("nfsaddrs= is an alias of ip=; the last ip= wins", "[boot_config][ip]") {
  auto parsed = parse("nfsaddrs=10.0.0.5:10.0.0.1");
  CHECK(parsed.config.ip.client == ip4("10.0.0.5"));
  parsed = parse("ip=10.0.0.5 ip=dhcp");
  CHECK(parsed.config.ip.mode() == NetworkMode::Dhcp);
  CHECK_FALSE(parsed.config.ip.client);
  CHECK(warned_about(parsed, "given more than once"));
}

TEST_CASE("ip=: dracut's <interface>:<autoconf> form", "[boot_config][ip]") {
  auto parsed = parse("ip=enp0s3:dhcp");
  CHECK(parsed.config.ip.device == "enp0s3");
  CHECK(parsed.config.ip.autoconf == IpAutoconf::Dhcp);
  CHECK(parsed.warnings.empty());
  parsed = parse("ip=eth0:dhcp:9000");
  CHECK(parsed.config.ip.device == "eth0");
  CHECK(warned_about(parsed, "<mtu>"));
  CHECK(parse("ip=dhcp6").warnings.empty());
}

TEST_CASE("ip=: dracut's static IPv6 form, [<v6 client>]:[<v6 server>]:[<v6 gw>]:<prefix>:<host>:<dev>:none",
          "[boot_config][ip][ipv6]") {
  auto parsed = parse("ip=[fd00::5]::[fd00::1]:64:node7:eth0:none");
  CHECK(parsed.warnings.empty());
  const IpConfig& ip = parsed.config.ip;
  CHECK(ip.mode() == NetworkMode::Static6);
  CHECK(ip.autoconf == IpAutoconf::Off);
  REQUIRE(ip.client6);
  CHECK(ip.client6->to_string() == "fd00::5");
  CHECK(ip.prefix6 == 64);
  REQUIRE(ip.gateway6);
  CHECK(ip.gateway6->to_string() == "fd00::1");
  CHECK_FALSE(ip.server6);
  CHECK(ip.hostname == "node7");
  CHECK(ip.device == "eth0");
  CHECK_FALSE(ip.client);  // no IPv4 address taken from any field

  // The server in brackets, the gateway empty or link-local, off for none, no device, an
  // empty autoconf, and the canonical text of what was written long.
  parsed = parse("ip=[2001:DB8:0:0::0005]:[2001:db8::1]:[fe80::1]:48:::off");
  CHECK(parsed.warnings.empty());
  CHECK(parsed.config.ip.client6->to_string() == "2001:db8::5");
  CHECK(parsed.config.ip.server6->to_string() == "2001:db8::1");
  CHECK(parsed.config.ip.gateway6->to_string() == "fe80::1");
  CHECK(parsed.config.ip.prefix6 == 48);
  CHECK(parsed.config.ip.device.empty());
  parsed = parse("ip=[fd00::5]:::128:::");
  CHECK(parsed.warnings.empty());
  CHECK(parsed.config.ip.mode() == NetworkMode::Static6);
  CHECK_FALSE(parsed.config.ip.gateway6);
  CHECK(parsed.config.ip.prefix6 == 128);
  CHECK(parse("ip=[fd00::5]:::0::eth0:none").config.ip.prefix6 == 0);

  // Every wrong form: one warning that names the field and the fix, and DHCP (IPv4) as before.
  const struct {
    const char* line;
    const char* warning;
  } bad[] = {
      {"ip=[fd00::5::1]::[fd00::1]:64::eth0:none", "client address 'fd00::5::1' is not an IPv6 address"},
      {"ip=[fd00::g]:::64::eth0:none", "client address 'fd00::g' is not an IPv6 address"},
      {"ip=[]:::64::eth0:none", "client address '' is not an IPv6 address"},
      {"ip=[fd00::5:::64::eth0:none", "'[' without its ']'"},
      {"ip=[fd00::5]x:::64::eth0:none", "']' not followed by ':'"},
      {"ip=[fd00::5]::[fd00::1:64::eth0:none", "'[' without its ']'"},
      {"ip=[fd00::5]:::129::eth0:none", "prefix length '129' is not a number 0..128"},
      {"ip=[fd00::5]:::-1::eth0:none", "prefix length '-1' is not a number 0..128"},
      {"ip=[fd00::5]:::::eth0:none", "prefix length '' is not a number 0..128"},
      {"ip=[fd00::5]:::255.255.255.0::eth0:none", "prefix length '255.255.255.0'"},
      {"ip=[fe80::5]:::64::eth0:none", "client address 'fe80::5' is link-local (fe80::/10)"},
      {"ip=[fd00::5%eth0]:::64::eth0:none", "client address 'fd00::5%eth0' has a zone"},
      {"ip=[fd00::5]::[fe80::1%eth0]:64::eth0:none", "gateway 'fe80::1%eth0' has a zone"},
      {"ip=[fd00::5/64]::::::none", "client address 'fd00::5/64' has a prefix length"},
      {"ip=[ff02::1]:::64::eth0:none", "client address 'ff02::1' is not a unicast IPv6 address"},
      {"ip=[::]:::64::eth0:none", "client address '::' is not a unicast IPv6 address"},
      {"ip=[::ffff:10.0.0.5]:::64::eth0:none", "is not a unicast IPv6 address"},
      {"ip=[fd00::5]:10.0.0.1::64::eth0:none", "server address '10.0.0.1' is not in brackets"},
      {"ip=[fd00::5]::[10.0.0.1]:64::eth0:none", "gateway '10.0.0.1' is not an IPv6 address"},
      {"ip=[fd00::5]::[ff02::2]:64::eth0:none", "gateway 'ff02::2' is not a unicast IPv6 address"},
      {"ip=[fd00::5]:::64::eth0:dhcp", "an IPv6 client address with autoconf 'dhcp'"},
      {"ip=[fd00::5]:::64::eth0:auto6", "only none or off (static) goes with [<v6 client>]"},
      {"ip=[fd00::5]:::64:[node]:eth0:none", "field 5 is in brackets"},
  };
  for (const auto& c : bad) {
    INFO(c.line);
    parsed = parse(c.line);
    CHECK(parsed.warnings.size() == 1);
    CHECK(warned_about(parsed, c.warning));
    CHECK(warned_about(parsed, "ignoring ip=, using DHCP (IPv4)"));
    CHECK(parsed.config.ip.mode() == NetworkMode::Dhcp);
    CHECK_FALSE(parsed.config.ip.client6);
  }
  // Fields after <autoconf> are dracut's <mtu>/<macaddr> or DNS: named, the rest still taken.
  parsed = parse("ip=[fd00::5]:::64::eth0:none:9000");
  CHECK(parsed.config.ip.mode() == NetworkMode::Static6);
  CHECK(warned_about(parsed, "fields after <autoconf> with an IPv6 address"));
}

TEST_CASE("ip=auto6, ip=dhcp6 and ip=<interface>:auto6|dhcp6; either6 and link6 are not supported",
          "[boot_config][ip][ipv6]") {
  auto parsed = parse("ip=auto6");
  CHECK(parsed.warnings.empty());
  CHECK(parsed.config.ip.autoconf == IpAutoconf::Auto6);
  CHECK(parsed.config.ip.mode() == NetworkMode::Auto6);
  CHECK(to_string(IpAutoconf::Auto6) == "auto6");
  parsed = parse("ip=enp1s0:auto6");
  CHECK(parsed.warnings.empty());
  CHECK(parsed.config.ip.device == "enp1s0");
  CHECK(parsed.config.ip.mode() == NetworkMode::Auto6);
  for (const char* line : {"ip=either6", "ip=link6", "ip=eth0:link6"}) {
    INFO(line);
    parsed = parse(line);
    CHECK(parsed.config.ip.mode() == NetworkMode::Dhcp);
    CHECK(warned_about(parsed, "is not supported (auto6, dhcp6 and a static [<v6 client>] are)"));
  }
  // dracut.cmdline(7)'s three forms of DHCPv6: the whole value, after the interface, and in
  // the <autoconf> field of the long form.
  for (const char* line : {"ip=dhcp6", "ip=enp1s0:dhcp6", "ip=:::::enp1s0:dhcp6"}) {
    INFO(line);
    parsed = parse(line);
    CHECK(parsed.warnings.empty());
    CHECK(parsed.config.ip.autoconf == IpAutoconf::Dhcp6);
    CHECK(parsed.config.ip.mode() == NetworkMode::Dhcp6);
  }
  CHECK(parse("ip=enp1s0:dhcp6").config.ip.device == "enp1s0");
  CHECK(to_string(IpAutoconf::Dhcp6) == "dhcp6");
}

TEST_CASE("nfsroot=[<server-ip>:]<root-dir>[,<nfs-options>]", "[boot_config][nfsroot]") {
  struct Case {
    const char* line;
    std::optional<Ipv4Address> server;
    std::string path;
    std::vector<std::string> options;
  };
  const std::vector<Case> cases = {
      {"nfsroot=10.0.2.2:/srv/nfsroot", ip4("10.0.2.2"), "/srv/nfsroot", {}},
      {"nfsroot=192.168.1.1:/var/lib/nfs/debian-lenny-32", ip4("192.168.1.1"), "/var/lib/nfs/debian-lenny-32", {}},
      {"nfsroot=/srv/root,vers=4.2,port=2049,timeo=14", std::nullopt, "/srv/root", {"vers=4.2", "port=2049", "timeo=14"}},
      {"nfsroot=10.0.0.1:/r,tcp,v3", ip4("10.0.0.1"), "/r", {"tcp", "v3"}},
      // "default" keeps the default path; an empty path too
      {"nfsroot=10.0.0.1:default,vers=4", ip4("10.0.0.1"), "", {"vers=4"}},
      {"nfsroot=,nolock", std::nullopt, "", {"nolock"}},
      // the server alone
      {"nfsroot=10.0.0.1", ip4("10.0.0.1"), "", {}},
      // nfs_root_setup(): a name that does not start with '/', ',' or a digit goes under /tftpboot/
      {"nfsroot=client7", std::nullopt, "/tftpboot/client7", {}},
      // %s stays until the network is up
      {"nfsroot=10.0.0.1:/clients/%s", ip4("10.0.0.1"), "/clients/%s", {}},
      // initramfs-tools: auto takes everything from DHCP
      {"nfsroot=auto", std::nullopt, "", {}},
  };
  for (const auto& c : cases) {
    INFO(c.line);
    const auto parsed = parse(c.line);
    CHECK(parsed.warnings.empty());
    CHECK(parsed.config.root_kind == RootKind::Nfs);
    CHECK(parsed.config.nfs.server == c.server);
    CHECK(parsed.config.nfs.path == c.path);
    CHECK(parsed.config.nfs.options == c.options);
  }
}

TEST_CASE("nfsroot=: the server must be a dotted quad (no DNS at boot)", "[boot_config][nfsroot]") {
  const auto parsed = parse("nfsroot=fileserver:/srv/root");
  CHECK_FALSE(parsed.config.nfs.server);
  CHECK(parsed.config.nfs.path == "/srv/root");
  CHECK(warned_about(parsed, "nfsroot=fileserver:/srv/root: server 'fileserver' is not an IPv4 address"));
}

TEST_CASE("root=: /dev/nfs, dracut's nfs:, nfs4: and dhcp; anything else is not ours", "[boot_config][root]") {
  auto parsed = parse("root=/dev/nfs nfsroot=10.0.0.1:/r");
  CHECK(parsed.config.root_kind == RootKind::Nfs);
  CHECK(parsed.config.nfs.path == "/r");

  parsed = parse("root=nfs:10.0.0.1:/srv/root:vers=3,tcp");
  CHECK(parsed.config.nfs.server == ip4("10.0.0.1"));
  CHECK(parsed.config.nfs.path == "/srv/root");
  CHECK(parsed.config.nfs.options == std::vector<std::string>{"vers=3", "tcp"});
  CHECK(parsed.config.nfs.version == 0);

  parsed = parse("root=nfs4:10.0.0.1:/");
  CHECK(parsed.config.nfs.server == ip4("10.0.0.1"));
  CHECK(parsed.config.nfs.path == "/");
  CHECK(parsed.config.nfs.version == 4);

  parsed = parse("root=nfs:/srv/root");
  CHECK_FALSE(parsed.config.nfs.server);
  CHECK(parsed.config.nfs.path == "/srv/root");

  parsed = parse("root=dhcp");
  CHECK(parsed.config.root_kind == RootKind::Nfs);
  CHECK(parsed.config.nfs.path.empty());

  parsed = parse("root=nfs:10.0.0.1:/a nfsroot=10.0.0.2:/b");
  CHECK(parsed.config.nfs.path == "/a");  // root=nfs: wins and the conflict is reported
  CHECK(warned_about(parsed, "nfsroot=: ignored because root=nfs:10.0.0.1:/a"));

  CHECK(parse("root=/dev/sda1").config.root_kind == RootKind::Other);
  CHECK(parse("root=UUID=1234").config.root_kind == RootKind::Other);
  CHECK(parse("").config.root_kind == RootKind::Nfs);
}

TEST_CASE("root=: every dracut NFS form, with ':' or ',' options, and the legacy <server-ip>:<path>",
          "[boot_config][root]") {
  struct Case {
    const char* line;
    std::optional<Ipv4Address> server;
    const char* path;
    std::vector<std::string> options;
    int version;
  };
  const Case cases[] = {
      {"root=192.168.50.1:/nfs/client", ip4("192.168.50.1"), "/nfs/client", {}, 0},
      {"root=192.168.50.1:/nfs/client:wsize=4096,ro", ip4("192.168.50.1"), "/nfs/client", {"wsize=4096", "ro"}, 0},
      {"root=192.168.50.1:/nfs/client,wsize=4096", ip4("192.168.50.1"), "/nfs/client", {"wsize=4096"}, 0},
      {"root=nfs:192.168.50.1:/nfs/client,wsize=4096", ip4("192.168.50.1"), "/nfs/client", {"wsize=4096"}, 0},
      {"root=nfs4:192.168.50.1:/client,vers=4.1", ip4("192.168.50.1"), "/client", {"vers=4.1"}, 4},
      {"root=nfs4:/client:sec=sys", std::nullopt, "/client", {"sec=sys"}, 4},
  };
  for (const auto& c : cases) {
    INFO(c.line);
    const auto parsed = parse(c.line);
    CHECK(parsed.config.root_kind == RootKind::Nfs);
    CHECK(parsed.config.nfs.server == c.server);
    CHECK(parsed.config.nfs.path == c.path);
    CHECK(parsed.config.nfs.options == c.options);
    CHECK(parsed.config.nfs.version == c.version);
    CHECK(parsed.warnings.empty());
  }
  // A name is no server (no DNS at boot); local devices stay not ours, with the forms in the hint.
  const auto named = parse("root=nfs:server.lab:/nfs/client");
  CHECK_FALSE(named.config.nfs.server);
  CHECK(warned_about(named, "server 'server.lab' is not an IPv4 address"));
  for (const char* other : {"root=/dev/sda1", "root=UUID=1234", "root=LABEL=a:/b", "root=PARTUUID=x"}) {
    INFO(other);
    CHECK(parse(other).config.root_kind == RootKind::Other);
  }
}

TEST_CASE("root=live:nfs://: dracut's livenet URL is image mode, the export its folder, the image its last name",
          "[boot_config][root][image]") {
  auto parsed = parse("root=live:nfs://10.0.2.2/srv/images/debian-v3.squashfs ip=dhcp");
  CHECK(parsed.config.root_kind == RootKind::Nfs);
  CHECK(parsed.config.nfs.server == ip4("10.0.2.2"));
  CHECK(parsed.config.nfs.path == "/srv/images");
  CHECK(parsed.config.nfs.options.empty());
  CHECK(parsed.config.nfs.version == 0);
  CHECK(parsed.config.nfs.given_by == "root=live:");
  CHECK(parsed.config.image == "debian-v3.squashfs");
  CHECK(parsed.config.image_option == "root=live:");
  CHECK(parsed.warnings.empty());

  // RFC 2224's port is the NFS server's; nfs4:// asks for NFSv4; a channel folder, a trailing '/'.
  parsed = parse("root=live:nfs4://10.0.2.2:20490/images/channels/busybox/");
  CHECK(parsed.config.nfs.path == "/images/channels");
  CHECK(parsed.config.nfs.options == std::vector<std::string>{"port=20490"});
  CHECK(parsed.config.nfs.version == 4);
  CHECK(parsed.config.image == "busybox");
  CHECK(parsed.warnings.empty());

  // An image at the top of the export; anaconda's empty port.
  parsed = parse("root=live:nfs://10.0.2.2:/v1.erofs");
  CHECK(parsed.config.nfs.path == "/");
  CHECK(parsed.config.nfs.options.empty());
  CHECK(parsed.config.image == "v1.erofs");
  CHECK(parsed.warnings.empty());

  // The command line's own option wins, and says so; nfsroot= loses to root= as for nfs:.
  parsed = parse("root=live:nfs://10.0.2.2/images/a.squashfs nfsroot-init.image=b.squashfs nfsroot=10.0.0.9:/x");
  CHECK(parsed.config.image == "b.squashfs");
  CHECK(parsed.config.image_option == "nfsroot-init.image=");
  CHECK(parsed.config.nfs.server == ip4("10.0.2.2"));
  CHECK(warned_about(parsed, "names the image a.squashfs, but nfsroot-init.image=b.squashfs wins"));
  CHECK(warned_about(parsed, "nfsroot=: ignored because root=live:nfs://"));

  // A later root= replaces the image with the rest of the root.
  parsed = parse("root=live:nfs://10.0.2.2/images/a.squashfs root=/dev/nfs");
  CHECK(parsed.config.image.empty());
}

TEST_CASE("root=live:: other schemes, names, bad ports and URLs without an image are reported",
          "[boot_config][root][image]") {
  auto parsed = parse("root=live:http://10.0.2.2/images/a.squashfs");
  CHECK(parsed.config.root_kind == RootKind::Other);
  CHECK(warned_about(parsed, "root=live:http://10.0.2.2/images/a.squashfs: nfsroot-init loads live images from NFS "
                             "only; use root=live:nfs://"));
  CHECK(parsed.config.image.empty());

  parsed = parse("root=live:nfs://server.lab/images/a.squashfs");
  CHECK(parsed.config.root_kind == RootKind::Nfs);
  CHECK_FALSE(parsed.config.nfs.server);
  CHECK(warned_about(parsed, "server 'server.lab' is not an IPv4 address or an IPv6 address in brackets (there is no "
                             "DNS at boot); taking the server from DHCP instead"));

  // RFC 3986 3.2.2: an IPv6 host in brackets, the port after them.
  parsed = parse("root=live:nfs://[fd00::1]:2049/images/a.squashfs");
  CHECK(parsed.warnings.empty());
  CHECK(parsed.config.nfs.server == IpAddress::parse("fd00::1"));
  CHECK(parsed.config.nfs.options == std::vector<std::string>{"port=2049"});
  CHECK(parsed.config.nfs.path == "/images");

  parsed = parse("root=live:nfs://10.0.2.2:99999/images/a.squashfs");
  CHECK(parsed.config.nfs.options.empty());
  CHECK(warned_about(parsed, "port '99999' is not a number from 1 to 65535"));

  for (const char* line : {"root=live:nfs://10.0.2.2", "root=live:nfs://10.0.2.2/", "root=live:nfs4://10.0.2.2//"}) {
    INFO(line);
    parsed = parse(line);
    CHECK(parsed.config.root_kind == RootKind::Other);
    CHECK(parsed.config.image.empty());
    CHECK(warned_about(parsed, "names no image file after the server"));
  }
}

TEST_CASE("nfsopts= and rootflags= add NFS options after the rest", "[boot_config][nfsroot]") {
  const auto parsed = parse("nfsopts=timeo=30 nfsroot=10.0.0.1:/r,vers=3 rootflags=noatime");
  CHECK(parsed.config.nfs.options == std::vector<std::string>{"vers=3", "timeo=30", "noatime"});
}

TEST_CASE("ro, rw: the last one wins; read-only by default", "[boot_config]") {
  CHECK(parse("").config.read_only);
  CHECK_FALSE(parse("rw").config.read_only);
  CHECK(parse("rw ro").config.read_only);
  CHECK_FALSE(parse("ro rw").config.read_only);
}

TEST_CASE("init=, rootdelay=, panic=", "[boot_config]") {
  CHECK(parse("init=/bin/systemd").config.init == "/bin/systemd");
  auto parsed = parse("init=systemd");
  CHECK(parsed.config.init.empty());
  CHECK(warned_about(parsed, "init=systemd: not an absolute path"));

  CHECK(parse("").config.mount_timeout_seconds == 180);
  CHECK(parse("rootdelay=30").config.mount_timeout_seconds == 30);
  CHECK(parse("nfsroot-init.mount_timeout=10 rootdelay=30").config.mount_timeout_seconds == 10);
  parsed = parse("rootdelay=soon");
  CHECK(parsed.config.mount_timeout_seconds == 180);
  CHECK(warned_about(parsed, "rootdelay=soon: not a whole number of seconds >= 0; using 180 s instead"));

  CHECK_FALSE(parse("").config.panic_seconds);
  CHECK(parse("panic=10").config.panic_seconds == 10);
  CHECK(parse("panic=-1").config.panic_seconds == -1);
  parsed = parse("panic=ten");
  CHECK_FALSE(parsed.config.panic_seconds);
  CHECK(warned_about(parsed, "panic=ten"));
}

TEST_CASE("break=, rd.break: initramfs-tools and dracut names", "[boot_config]") {
  CHECK(parse("break").config.breaks == std::vector<BreakPoint>{BreakPoint::Premount});
  CHECK(parse("break=init,top").config.breaks == std::vector<BreakPoint>{BreakPoint::Top, BreakPoint::Init});
  CHECK(parse("break=mountroot").config.breaks == std::vector<BreakPoint>{BreakPoint::Mount});
  CHECK(parse("rd.break").config.breaks == std::vector<BreakPoint>{BreakPoint::Init});
  CHECK(parse("rd.break=pre-mount").config.breaks == std::vector<BreakPoint>{BreakPoint::Mount});
  CHECK(parse("break=top break=top").config.breaks == std::vector<BreakPoint>{BreakPoint::Top});
  const auto parsed = parse("break=middle");
  CHECK(parsed.config.breaks.empty());
  CHECK(warned_about(parsed, "break=middle: unknown break point 'middle'"));
}

TEST_CASE("debug, quiet, nfsrootdebug", "[boot_config]") {
  const auto parsed = parse("debug quiet nfsrootdebug");
  CHECK(parsed.config.debug);
  CHECK(parsed.config.quiet);
  CHECK(parsed.config.nfs_debug);
  CHECK_FALSE(parse("").config.debug);
}

TEST_CASE("BOOTIF=01-<mac> from pxelinux", "[boot_config]") {
  CHECK(parse("BOOTIF=01-52-54-00-12-34-56").config.boot_interface == MacAddress::parse("52:54:00:12:34:56"));
  auto parsed = parse("BOOTIF=06-52-54-00-12-34-56");
  CHECK_FALSE(parsed.config.boot_interface);
  CHECK(warned_about(parsed, "hardware type is not 01"));
  parsed = parse("BOOTIF=01-52-54-00-12-34");
  CHECK_FALSE(parsed.config.boot_interface);
  CHECK(warned_about(parsed, "BOOTIF=01-52-54-00-12-34: not 01-xx-xx-xx-xx-xx-xx"));
}

TEST_CASE("dhcpclass=, carrier_timeout=", "[boot_config]") {
  CHECK(parse("dhcpclass=lab-gateway").config.dhcp_class == "lab-gateway");
  CHECK(warned_about(parse("dhcpclass="), "must be 1 to 255 characters"));
  CHECK(parse("").config.carrier_timeout_seconds == 120);
  CHECK(parse("carrier_timeout=5").config.carrier_timeout_seconds == 5);
  const auto parsed = parse("carrier_timeout=-5");
  CHECK(parsed.config.carrier_timeout_seconds == 120);
  CHECK(warned_about(parsed, "carrier_timeout=-5"));
}

TEST_CASE("nfsroot-init.interface_timeout=: short by default, raised or lowered, bad values warned", "[boot_config]") {
  CHECK(parse("").config.interface_timeout_seconds == 10);
  CHECK(parse("nfsroot-init.interface_timeout=60").config.interface_timeout_seconds == 60);
  CHECK(parse("nfsroot-init.interface_timeout=0").config.interface_timeout_seconds == 0);
  const auto parsed = parse("nfsroot-init.interface_timeout=soon");
  CHECK(parsed.config.interface_timeout_seconds == 10);
  CHECK(warned_about(parsed, "nfsroot-init.interface_timeout=soon: not a whole number of seconds >= 0"));
}

TEST_CASE("nfsroot-init.* options", "[boot_config]") {
  auto parsed = parse(
      "nfsroot-init.overlay=\"/srv overlay size=1G\" nfsroot-init.overlay=/opt:tmpfs nfsroot-init.dhcp_timeout=30 "
      "nfsroot-init.poweroff_after=plan");
  CHECK(parsed.warnings.empty());
  CHECK(parsed.config.overlay_entries == std::vector<std::string>{"/srv overlay size=1G", "/opt:tmpfs"});
  CHECK(parsed.config.dhcp_timeout_seconds == 30);
  CHECK(parsed.config.poweroff_after == BootStep::Plan);

  parsed = parse("nfsroot-init.dhcp_timeout=0 nfsroot-init.poweroff_after=lunch nfsroot-init.colour=blue");
  CHECK(parsed.config.dhcp_timeout_seconds == 120);
  CHECK_FALSE(parsed.config.poweroff_after);
  CHECK(warned_about(parsed, "nfsroot-init.dhcp_timeout=0"));
  CHECK(warned_about(parsed, "nfsroot-init.poweroff_after=lunch: unknown step"));
  CHECK(warned_about(parsed, "nfsroot-init.colour=blue: unknown nfsroot-init option"));
}

TEST_CASE("nfsroot-init.networkd= turns the networkd files off; anything but yes or no warns", "[boot_config]") {
  CHECK(parse("ip=dhcp").config.networkd_files);
  CHECK_FALSE(parse("nfsroot-init.networkd=no").config.networkd_files);
  CHECK_FALSE(parse("nfsroot-init.networkd=0").config.networkd_files);
  CHECK(parse("nfsroot-init.networkd=no nfsroot-init.networkd=yes").config.networkd_files);
  const auto parsed = parse("nfsroot-init.networkd=off");
  CHECK(parsed.config.networkd_files);
  CHECK(warned_about(parsed, "nfsroot-init.networkd=off: not yes or no"));
}

TEST_CASE("nfsroot-init.networkmanager= and .ifupdown= turn their files off alone; anything else warns",
          "[boot_config]") {
  const auto defaults = parse("ip=dhcp").config;
  CHECK(defaults.networkmanager_files);
  CHECK(defaults.ifupdown_files);
  const auto nm_off = parse("nfsroot-init.networkmanager=no").config;
  CHECK_FALSE(nm_off.networkmanager_files);
  CHECK(nm_off.ifupdown_files);
  CHECK(nm_off.networkd_files);
  const auto ifupdown_off = parse("nfsroot-init.ifupdown=0").config;
  CHECK_FALSE(ifupdown_off.ifupdown_files);
  CHECK(ifupdown_off.networkmanager_files);
  CHECK(ifupdown_off.networkd_files);
  CHECK_FALSE(parse("nfsroot-init.ifupdown=n").config.ifupdown_files);
  CHECK(parse("nfsroot-init.networkmanager=no nfsroot-init.networkmanager=y").config.networkmanager_files);
  const auto parsed = parse("nfsroot-init.networkmanager=off nfsroot-init.ifupdown=false");
  CHECK(parsed.config.networkmanager_files);
  CHECK(parsed.config.ifupdown_files);
  CHECK(warned_about(parsed, "nfsroot-init.networkmanager=off: not yes or no; writing the files (yes)"));
  CHECK(warned_about(parsed, "nfsroot-init.ifupdown=false: not yes or no; writing the files (yes)"));
}

TEST_CASE("nfsroot-init.lease_keeper= is auto, yes or no; anything else warns and is auto", "[boot_config]") {
  CHECK(parse("ip=dhcp").config.lease_keeper == LeaseKeeperMode::Auto);
  CHECK(parse("nfsroot-init.lease_keeper=yes").config.lease_keeper == LeaseKeeperMode::Always);
  CHECK(parse("nfsroot-init.lease_keeper=0").config.lease_keeper == LeaseKeeperMode::Never);
  CHECK(parse("nfsroot-init.lease_keeper=no nfsroot-init.lease_keeper=auto").config.lease_keeper ==
        LeaseKeeperMode::Auto);
  CHECK(plan_boot(parse("nfsroot-init.lease_keeper=no")).handoff.lease_keeper == LeaseKeeperMode::Never);
  const auto parsed = parse("nfsroot-init.lease_keeper=always");
  CHECK(parsed.config.lease_keeper == LeaseKeeperMode::Auto);
  CHECK(warned_about(parsed, "nfsroot-init.lease_keeper=always: not auto, yes or no"));
}

TEST_CASE("dracut's network syntax: timeouts taken, IPv6 servers and virtual links named", "[boot_config]") {
  auto parsed = parse("rd.net.timeout.carrier=7 rd.net.timeout.dhcp=30 rd.net.timeout.iflink=4 rd.neednet=1");
  CHECK(parsed.warnings.empty());
  CHECK(parsed.config.carrier_timeout_seconds == 7);
  CHECK(parsed.config.dhcp_timeout_seconds == 30);
  CHECK(parsed.config.interface_timeout_seconds == 4);
  CHECK(warned_about(parse("rd.net.timeout.dhcp=0"), "rd.net.timeout.dhcp=0: not a whole number of seconds >= 1"));

  // dracut.cmdline(7): an IPv6 server in brackets, in each of the NFS root forms.
  for (const char* line : {"nfsroot=[fd00::1]:/srv", "root=nfs:[fd00::1]:/srv", "root=nfs4:[fd00::1]:/srv,vers=4.2",
                           "root=[fd00::1]:/srv", "nfsroot=[FD00:0::1]:/srv"}) {
    INFO(line);
    parsed = parse(line);
    CHECK(parsed.config.unsupported.empty());
    CHECK(parsed.warnings.empty());
    CHECK(parsed.config.root_kind == RootKind::Nfs);
    CHECK(parsed.config.nfs.server == IpAddress::parse("fd00::1"));
    CHECK(parsed.config.nfs.path == "/srv");
  }
  // One that cannot be used stops the plan, saying how to write it; nothing of it is a path.
  const struct {
    const char* line;
    const char* problem;
  } kBadServers[] = {
      {"nfsroot=[fd00::1:/srv", "the IPv6 server's '[' is not closed; write the server as [<IPv6 address>]:<path>"},
      {"root=nfs:[fd00::1:/srv", "the IPv6 server's '[' is not closed"},
      {"nfsroot=[fd00::g]:/srv", "'[fd00::g]' is not an IPv6 server address"},
      {"nfsroot=[10.0.0.1]:/srv", "'[10.0.0.1]' is not an IPv6 server address"},
      {"root=[ff02::1]:/srv", "'[ff02::1]' is not an IPv6 server address"},
      {"nfsroot=[::]:/srv", "'[::]' is not an IPv6 server address"},
      {"nfsroot=[fe80::1]:/srv", "the server fe80::1 is link-local: a mount cannot say on which link; name the server "
                                 "by a global or unique-local address (fd00::/8)"},
      {"root=nfs4:[fe80::1%eth0]:/srv", "the server fe80::1%eth0 is link-local"},
  };
  for (const auto& bad : kBadServers) {
    INFO(bad.line);
    parsed = parse(bad.line);
    REQUIRE(parsed.config.unsupported.size() == 1);
    CHECK(describe(parsed.config.unsupported[0]).find(bad.problem) != std::string::npos);
    CHECK(parsed.config.nfs.path.empty());
  }

  parsed = parse("bridge=br0:eth1 team=team0:eth2,eth3");
  REQUIRE(parsed.config.virtual_links.size() == 2);
  CHECK(parsed.config.virtual_links[0].name == "br0");
  CHECK(parsed.config.virtual_links[0].option == "bridge=br0:eth1");
  CHECK(parsed.config.virtual_links[1].name == "team0");
  CHECK(warned_about(parsed, "bridge=br0:eth1: dracut's bridge links are not made by nfsroot-init yet; br0 is not created"));
}

TEST_CASE("vlan=: the four names of vconfig, the id read from the name", "[boot_config]") {
  const struct {
    const char* value;
    const char* name;
    int id;
  } forms[] = {{"eth0.5:eth0", "eth0.5", 5}, {"eth0.0005:eth0", "eth0.0005", 5}, {"vlan5:eth0", "vlan5", 5},
               {"vlan0005:enp1s0", "vlan0005", 5}, {"enp1s0.4094:enp1s0", "enp1s0.4094", 4094}};
  for (const auto& form : forms) {
    INFO(form.value);
    const auto parsed = parse((std::string("vlan=") + form.value).c_str());
    CHECK(parsed.warnings.empty());
    CHECK(parsed.config.unsupported.empty());
    REQUIRE(parsed.config.vlan);
    CHECK(parsed.config.vlan->name == form.name);
    CHECK(parsed.config.vlan->parent == std::string_view(form.value).substr(std::string_view(form.value).find(':') + 1));
    CHECK(parsed.config.vlan->id == form.id);
  }
}

TEST_CASE("vlan=: what cannot be made stops the plan with the form to write", "[boot_config]") {
  const struct {
    const char* value;
    const char* problem;
  } bad[] = {{"eth0.5", "not <name>:<interface>"},
             {"eth0.5:eth0:x", "not <name>:<interface>"},
             {":eth0", "the names must differ"},
             {"eth0:eth0", "the names must differ"},
             {"toolongname12345:eth0", "the names must differ and be 1 to 15"},
             {"office:eth0", "no VLAN id in the name office"},
             {"eth1.5:eth0", "no VLAN id in the name eth1.5"},
             {"vlan:eth0", "no VLAN id in the name vlan"},
             {"vlan12345:eth0", "no VLAN id in the name vlan12345"},
             {"vlan0:eth0", "VLAN id 0 is not 1 to 4094"},
             {"eth0.4095:eth0", "VLAN id 4095 is not 1 to 4094"}};
  for (const auto& form : bad) {
    INFO(form.value);
    const auto parsed = parse((std::string("vlan=") + form.value).c_str());
    CHECK_FALSE(parsed.config.vlan);
    REQUIRE(parsed.config.unsupported.size() == 1);
    const std::string text = describe(parsed.config.unsupported[0]);
    CHECK(text.find(std::string("vlan= ") + form.value + ": " + form.problem) != std::string::npos);
    CHECK(text.find("e.g. vlan=eth0.5:eth0") != std::string::npos);
    const BootPlan plan = plan_boot(parse((std::string("vlan=") + form.value + " ip=dhcp root=/dev/nfs nfsroot=10.0.0.1:/srv").c_str()));
    CHECK(plan.errors.size() == 1);
  }
  const auto two = parse("vlan=eth0.5:eth0 vlan=eth0.6:eth0");
  REQUIRE(two.config.vlan);
  CHECK(two.config.vlan->id == 5);
  REQUIRE(two.config.unsupported.size() == 1);
  CHECK(describe(two.config.unsupported[0]).find("a second VLAN (eth0.5 is the first)") != std::string::npos);
}

TEST_CASE("plan: a VLAN is the interface the network step configures, 8021q loaded before it", "[boot_config]") {
  for (const char* ip : {"ip=dhcp", "ip=eth0.5:dhcp", ""}) {
    INFO(ip);
    const BootPlan plan = plan_boot(parse((std::string(ip) + " vlan=eth0.5:eth0 root=/dev/nfs nfsroot=10.0.0.1:/srv").c_str()));
    CHECK(plan.errors.empty());
    CHECK(plan.network.mode == NetworkMode::Dhcp);
    CHECK(plan.network.choice == InterfaceChoice::ByName);
    CHECK(plan.network.device == "eth0.5");
    REQUIRE(plan.network.vlan);
    CHECK(plan.network.vlan->parent == "eth0");
    CHECK(plan.network.vlan->id == 5);
    CHECK(plan.modules.network_modules == std::vector<std::string>{"8021q"});
  }
  // BOOTIF= names the NIC pxelinux booted from; the VLAN's parent is named, so it wins.
  const BootPlan pxe = plan_boot(parse("vlan=vlan7:eth1 BOOTIF=01-52-54-00-12-34-56 root=/dev/nfs nfsroot=10.0.0.1:/srv"));
  CHECK(pxe.network.device == "vlan7");
  CHECK_FALSE(pxe.network.mac);
  const BootPlan fixed = plan_boot(parse("vlan=eth0.5:eth0 ip=10.0.5.9::10.0.5.1:255.255.255.0:node:eth0.5:none "
                                         "root=/dev/nfs nfsroot=10.0.5.1:/srv"));
  CHECK(fixed.errors.empty());
  CHECK(fixed.network.mode == NetworkMode::Static);
  CHECK(fixed.network.device == "eth0.5");
  CHECK(plan_boot(parse("root=/dev/nfs nfsroot=10.0.0.1:/srv")).modules.network_modules.empty());
}

TEST_CASE("bond=: dracut's forms and defaults, the driver's options in order", "[boot_config]") {
  auto parsed = parse("bond");
  REQUIRE(parsed.config.bond);
  CHECK(parsed.config.bond->name == "bond0");
  CHECK(parsed.config.bond->slaves == std::vector<std::string>{"eth0", "eth1"});
  REQUIRE(parsed.config.bond->options.size() == 1);  // dracut: a bare bond is mode=balance-rr
  CHECK(parsed.config.bond->options[0] == std::pair<std::string, std::string>{"mode", "balance-rr"});
  CHECK(parsed.warnings.empty());

  parsed = parse("bond=bond1");
  REQUIRE(parsed.config.bond);
  CHECK(parsed.config.bond->slaves == std::vector<std::string>{"eth0", "eth1"});
  CHECK(parsed.config.bond->options.empty());  // the driver's own defaults

  parsed = parse("bond=bond0:enp1s0,enp2s0,enp3s0:miimon=100,mode=active-backup,primary=enp2s0,"
                 "arp_ip_target=10.0.0.1:9000");
  REQUIRE(parsed.config.bond);
  CHECK(parsed.config.bond->slaves == std::vector<std::string>{"enp1s0", "enp2s0", "enp3s0"});
  REQUIRE(parsed.config.bond->options.size() == 4);
  CHECK(parsed.config.bond->options[0].first == "miimon");
  CHECK(parsed.config.bond->options[1] == std::pair<std::string, std::string>{"mode", "active-backup"});
  CHECK(parsed.config.bond->options[3] == std::pair<std::string, std::string>{"arp_ip_target", "10.0.0.1"});
  CHECK(parsed.config.bond->mtu == 9000u);
  CHECK(parsed.config.unsupported.empty());
}

TEST_CASE("bond=: what cannot be made stops the plan with the form to write", "[boot_config]") {
  const struct {
    const char* line;
    const char* problem;
  } bad[] = {{"bond=bond0:eth0:mode=active-backup:9000:x", "more than <name>:<slaves>:<options>:<mtu>"},
             {"bond=:eth0,eth1", "the name must be 1 to 15"},
             {"bond=bond0:eth0,,eth1", "the slave \"\" is not an interface name"},
             {"bond=bond0:eth0,bond0", "the slave \"bond0\" is not an interface name other than the bond's"},
             {"bond=bond0:eth0,eth0", "the slave eth0 is named twice"},
             {"bond=bond0:eth0,eth1:mode=active-backup,miimom=100", "\"miimom\" is not an option of the bonding driver"},
             {"bond=bond0:eth0,eth1:mode", "the option mode has no value"},
             {"bond=bond0:eth0,eth1:mode=", "the option mode has no value"},
             {"bond=bond0:eth0,eth1::67", "MTU 67 is not 68 to 65535"},
             {"bond=bond0:eth0,eth1::jumbo", "MTU jumbo is not 68 to 65535"}};
  for (const auto& form : bad) {
    INFO(form.line);
    const auto parsed = parse(form.line);
    CHECK_FALSE(parsed.config.bond);
    REQUIRE(parsed.config.unsupported.size() == 1);
    const std::string text = describe(parsed.config.unsupported[0]);
    CHECK(text.find(form.problem) != std::string::npos);
    CHECK(text.find("e.g. bond=bond0:eth0,eth1:mode=active-backup,miimon=100") != std::string::npos);
  }
  const auto two = parse("bond=bond0:eth0,eth1 bond=bond1:eth2,eth3");
  REQUIRE(two.config.bond);
  CHECK(two.config.bond->name == "bond0");
  REQUIRE(two.config.unsupported.size() == 1);
  CHECK(describe(two.config.unsupported[0]).find("a second bond (bond0 is the first)") != std::string::npos);
}

TEST_CASE("plan: a bond is the interface the network step configures, bonding loaded before it", "[boot_config]") {
  for (const char* ip : {"ip=dhcp", "ip=bond0:dhcp", ""}) {
    INFO(ip);
    const BootPlan plan =
        plan_boot(parse((std::string(ip) + " bond=bond0:eth0,eth1:mode=active-backup root=/dev/nfs nfsroot=10.0.0.1:/srv").c_str()));
    CHECK(plan.errors.empty());
    CHECK(plan.network.choice == InterfaceChoice::ByName);
    CHECK(plan.network.device == "bond0");
    REQUIRE(plan.network.bond);
    CHECK(plan.network.bond->slaves == std::vector<std::string>{"eth0", "eth1"});
    CHECK(plan.modules.network_modules == std::vector<std::string>{"bonding"});
  }
  const BootPlan both = plan_boot(parse("bond=bond0:eth0,eth1 vlan=bond0.5:bond0 root=/dev/nfs nfsroot=10.0.0.1:/srv"));
  REQUIRE(both.errors.size() == 1);
  CHECK(describe(both.errors[0]).find("a VLAN on a bond is not made yet") != std::string::npos);
  const BootPlan slave = plan_boot(parse("bond=bond0:eth0,eth1 ip=eth1:dhcp root=/dev/nfs nfsroot=10.0.0.1:/srv"));
  REQUIRE(slave.errors.size() == 1);
  CHECK(describe(slave.errors[0]).find("ip= eth1: names another interface than bond0, the bond bond= makes") !=
        std::string::npos);
}

TEST_CASE("plan: ip= naming another interface than the VLAN, or a link bridge= would make, stops the plan; an IPv6 server too",
          "[boot_config]") {
  const BootPlan other = plan_boot(parse("vlan=eth0.5:eth0 ip=eth0:dhcp root=/dev/nfs nfsroot=10.0.0.1:/srv"));
  REQUIRE(other.errors.size() == 1);
  CHECK(describe(other.errors[0]).find("ip= eth0: names another interface than eth0.5, the VLAN vlan= makes") !=
        std::string::npos);
  CHECK(describe(other.errors[0]).find("(ip=eth0.5:dhcp)") != std::string::npos);
  const BootPlan bridge = plan_boot(parse("bridge=br0:eth0 ip=br0:dhcp root=/dev/nfs nfsroot=10.0.0.1:/srv"));
  REQUIRE(bridge.errors.size() == 1);
  CHECK(describe(bridge.errors[0]).find("ip= br0: the link bridge=br0:eth0 would make") != std::string::npos);
  // The bridge named but not used: a warning, and the boot goes on the physical interface.
  CHECK(plan_boot(parse("bridge=br0:eth0 ip=eth0:dhcp root=/dev/nfs nfsroot=10.0.0.1:/srv")).errors.empty());
  CHECK(plan_boot(parse("ip=dhcp root=nfs:[fd00::1:/srv")).errors.size() == 1);
}

TEST_CASE("plan: an IPv6 server is bracketed in the source and reached over tcp6", "[boot_config][ipv6]") {
  // fs/nfs/fs_context.c refuses proto=tcp with an IPv6 addr= ("server address does not match
  // proto= option"): the transports are the IPv6 ones, the user's too.
  BootPlan plan = plan_boot(parse("ip=dhcp root=nfs:[fd00::1]:/srv:vers=3,mountproto=udp"));
  REQUIRE(plan.errors.empty());
  CHECK(plan.root.mount.source == "[fd00::1]:/srv");
  CHECK(plan.root.mount.fstype == "nfs");
  CHECK(plan.root.mount.data() == "proto=tcp6,nolock,vers=3,mountproto=udp6,addr=fd00::1,mountaddr=fd00::1");
  plan = plan_boot(parse("ip=dhcp nfsroot=[fd00::1]:/srv,vers=4.2,proto=tcp"));
  REQUIRE(plan.errors.empty());
  CHECK(plan.root.mount.source == "[fd00::1]:/srv");
  CHECK(plan.root.mount.data() == "vers=4.2,proto=tcp6,addr=fd00::1");
  CHECK(format_plan(plan).find("mount [fd00::1]:/srv on /root") != std::string::npos);
}

TEST_CASE("unknown options belong to the kernel or the root system and are ignored silently", "[boot_config]") {
  const auto parsed = parse("console=ttyS0 splash systemd.unit=multi-user.target BOOT_IMAGE=/vmlinuz -- single");
  CHECK(parsed.warnings.empty());
  CHECK(parsed.config.init_arguments == std::vector<std::string>{"single"});
}

TEST_CASE("the seed's append line", "[boot_config]") {
  const auto parsed = parse("ip=dhcp root=/dev/nfs ro nfsroot=192.168.1.1:/var/lib/nfs/debian-lenny-32");
  CHECK(parsed.warnings.empty());
  CHECK(parsed.config.ip.mode() == NetworkMode::Dhcp);
  CHECK(parsed.config.root_kind == RootKind::Nfs);
  CHECK(parsed.config.read_only);
  CHECK(parsed.config.nfs.server == ip4("192.168.1.1"));
  CHECK(parsed.config.nfs.path == "/var/lib/nfs/debian-lenny-32");
}

TEST_CASE("nfsroot-init.image_readahead= sets the image export's read-ahead in KiB; image mode only",
          "[boot_config][image]") {
  auto parsed = parse("nfsroot-init.image=c nfsroot-init.image_readahead=4096");
  CHECK(parsed.config.image_read_ahead_kib == 4096u);
  CHECK(parsed.warnings.empty());
  CHECK(parse("nfsroot-init.image=c nfsroot-init.image_readahead=0").config.image_read_ahead_kib == 0u);
  CHECK_FALSE(parse("nfsroot-init.image=c").config.image_read_ahead_kib);
  for (const std::string bad : {"65537", "-1", "1M", ""}) {
    parsed = parse(("nfsroot-init.image=c nfsroot-init.image_readahead=" + bad).c_str());
    CHECK_FALSE(parsed.config.image_read_ahead_kib);
    CHECK(warned_about(parsed, "nfsroot-init.image_readahead=" + bad +
                                   ": not a number of KiB from 0 to 65536; using the default"));
  }
  parsed = parse("root=/dev/nfs nfsroot=10.0.2.2:/srv/root nfsroot-init.image_readahead=4096");
  CHECK_FALSE(parsed.config.image_read_ahead_kib);
  CHECK(warned_about(parsed, "nfsroot-init.image_readahead=4096: sets how an image is read, and no "
                             "nfsroot-init.image= or root=live: names one; the directory's read-ahead stays the "
                             "kernel's"));
}

TEST_CASE("nfsroot-init.toram and dracut's rd.live.ram copy the image to RAM; image mode only",
          "[boot_config][image]") {
  auto parsed = parse("nfsroot-init.image=c nfsroot-init.toram");
  CHECK(parsed.config.copy_to_ram);
  CHECK(parsed.config.copy_to_ram_option == "nfsroot-init.toram");
  CHECK(parsed.warnings.empty());
  CHECK(parse("nfsroot-init.image=c nfsroot-init.toram=yes").config.copy_to_ram);
  CHECK_FALSE(parse("nfsroot-init.image=c nfsroot-init.toram nfsroot-init.toram=no").config.copy_to_ram);
  parsed = parse("root=live:nfs://10.0.2.2/images/a.squashfs rd.live.ram=1");
  CHECK(parsed.config.copy_to_ram);
  CHECK(parsed.config.copy_to_ram_option == "rd.live.ram");
  CHECK(parse("root=live:nfs://10.0.2.2/images/a.squashfs rd.live.ram").config.copy_to_ram);
  CHECK_FALSE(parse("root=live:nfs://10.0.2.2/images/a.squashfs rd.live.ram=0").config.copy_to_ram);
  parsed = parse("nfsroot-init.image=c nfsroot-init.toram=maybe");
  CHECK_FALSE(parsed.config.copy_to_ram);
  CHECK(warned_about(parsed, "nfsroot-init.toram=maybe: not yes or no; not copying the image to RAM"));
  // Directory mode has no image to copy: said, and the export boots as it is.
  parsed = parse("root=/dev/nfs nfsroot=10.0.2.2:/srv/root nfsroot-init.toram");
  CHECK_FALSE(parsed.config.copy_to_ram);
  CHECK(warned_about(parsed, "nfsroot-init.toram: copies an image to RAM, and no nfsroot-init.image= or root=live: "
                             "names one; booting the export as a directory"));
}

TEST_CASE("plan: ip='s IPv6 <server> field names the NFS server when nfsroot= does not", "[boot_config][ipv6]") {
  const BootPlan plan = plan_boot(parse("ip=[fd00::10]:[fd00::1]::64:node:eth0:none root=/dev/nfs nfsroot=/srv/root"));
  REQUIRE(plan.errors.empty());
  CHECK(plan.root.server == IpAddress::parse("fd00::1"));
  CHECK(plan.root.server_source == "ip= <server-ip>");
  CHECK(plan.root.mount.source == "[fd00::1]:/srv/root");
  // nfsroot='s own server wins, as with IPv4.
  CHECK(plan_boot(parse("ip=[fd00::10]:[fd00::1]::64:node:eth0:none nfsroot=[fd00::2]:/srv")).root.server ==
        IpAddress::parse("fd00::2"));
}
