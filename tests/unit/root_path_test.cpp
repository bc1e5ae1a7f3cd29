// The NFS root's server, path and options: command line vs DHCP, in the kernel's precedence.
#include "mounts/root_path.h"

#include <catch2/catch.hpp>

using namespace nfsroot;

namespace {

Ipv4Address ip4(const char* text) { return *Ipv4Address::parse(text); }

DhcpLease lease(const char* root_path, const char* next_server = "0.0.0.0", const char* server_id = "10.0.2.2") {
  DhcpLease l;
  l.address = ip4("10.0.2.15");
  l.root_path = root_path;
  l.next_server = ip4(next_server);
  l.server_id = ip4(server_id);
  return l;
}

NfsRootSpec spec(std::optional<Ipv4Address> server, const char* path, std::vector<std::string> options = {}) {
  NfsRootSpec s;
  s.server = server;
  s.path = path;
  s.options = std::move(options);
  return s;
}

}  // namespace

TEST_CASE("root path: option 17 reads like nfsroot=", "[root_path]") {
  struct Case {
    const char* text;
    std::optional<IpAddress> server;
    const char* path;
    std::vector<std::string> options;
    const char* warning;  // "" for none
  };
  const Case cases[] = {
      {"10.0.2.2:/srv/nfsroot", ip4("10.0.2.2"), "/srv/nfsroot", {}, ""},
      {"10.0.2.2:/srv/nfsroot,vers=3,tcp", ip4("10.0.2.2"), "/srv/nfsroot", {"vers=3", "tcp"}, ""},
      {"/srv/nfsroot", std::nullopt, "/srv/nfsroot", {}, ""},
      // A path starting with '/' has no server; since dracut's form is read too (issue 16), a
      // ':' after the path starts its options, as nfs-lib.sh reads it (it was part of the path).
      {"/srv/a:b", std::nullopt, "/srv/a", {"b"}, ""},
      {"/srv,ro,,nolock", std::nullopt, "/srv", {"ro", "nolock"}, ""},
      {"10.0.2.2", ip4("10.0.2.2"), "", {}, ""},  // root_nfs_parse_addr(): a quad then the end
      {"10.0.2.2:", ip4("10.0.2.2"), "", {}, ""},
      {"default", std::nullopt, "", {}, ""},
      {"10.0.2.2:default,vers=4", ip4("10.0.2.2"), "", {"vers=4"}, ""},
      {",vers=4.2", std::nullopt, "", {"vers=4.2"}, ""},
      {"", std::nullopt, "", {}, ""},
      {"nfs.lab:/srv/root", std::nullopt, "/srv/root", {}, "server 'nfs.lab' is not an IPv4 address or an IPv6 address in brackets"},
      {"srv/root", std::nullopt, "srv/root", {}, "the path is not absolute"},
      {"/srv,opt:with:colons", std::nullopt, "/srv", {"opt:with:colons"}, ""},
      // dracut's bracketed IPv6 server, in both forms
      {"[fd00::1]:/srv/nfsroot,vers=4.2", IpAddress::parse("fd00::1"), "/srv/nfsroot", {"vers=4.2"}, ""},
      {"nfs4:[fd00::1]:/srv/nfsroot:vers=4.2", IpAddress::parse("fd00::1"), "/srv/nfsroot", {"vers=4.2"}, ""},
      {"[fd00::1]", IpAddress::parse("fd00::1"), "", {}, ""},
      {"[fd00::g]:/srv", std::nullopt, "/srv", {}, "server '[fd00::g]' is not an IPv4 address or an IPv6 address in brackets"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    std::vector<std::string> warnings;
    const auto parsed = parse_root_path_option(c.text, warnings);
    CHECK(parsed.server == c.server);
    CHECK(parsed.path == c.path);
    CHECK(parsed.options == c.options);
    if (*c.warning) {
      REQUIRE(warnings.size() == 1);
      CHECK(warnings[0].find(std::string("DHCP root-path '") + c.text + "': ") == 0);
      CHECK(warnings[0].find(c.warning) != std::string::npos);
    } else {
      CHECK(warnings.empty());
    }
  }
}

TEST_CASE("root path: the precedence of server, path and options", "[root_path]") {
  struct Case {
    const char* name;
    NfsRootSpec command_line;
    std::optional<Ipv4Address> ip_server;
    DhcpLease lease;
    std::optional<Ipv4Address> server;
    const char* server_source;
    const char* path;
    const char* path_source;
    std::vector<std::string> options;
  };
  const Case cases[] = {
      {"nfsroot= names it all", spec(ip4("10.0.0.1"), "/cmd", {"vers=4"}), ip4("10.0.0.7"),
       lease("10.0.2.9:/dhcp,ro", "10.0.2.8"), ip4("10.0.0.1"), "nfsroot=", "/cmd", "command line", {"vers=4"}},
      {"ip= server before DHCP's", spec(std::nullopt, ""), ip4("10.0.0.7"), lease("10.0.2.9:/dhcp", "10.0.2.8"),
       ip4("10.0.0.7"), "ip= <server-ip>", "/dhcp", "DHCP root-path (option 17)", {}},
      {"root-path's server before next-server", spec(std::nullopt, ""), std::nullopt,
       lease("10.0.2.9:/dhcp", "10.0.2.8"), ip4("10.0.2.9"), "DHCP root-path (option 17)", "/dhcp",
       "DHCP root-path (option 17)", {}},
      {"next-server before the DHCP server", spec(std::nullopt, ""), std::nullopt, lease("/dhcp", "10.0.2.8"),
       ip4("10.0.2.8"), "DHCP next-server (siaddr)", "/dhcp", "DHCP root-path (option 17)", {}},
      {"the DHCP server last", spec(std::nullopt, ""), std::nullopt, lease("/dhcp"), ip4("10.0.2.2"),
       "DHCP server identifier (option 54)", "/dhcp", "DHCP root-path (option 17)", {}},
      {"nothing names a server", spec(std::nullopt, ""), std::nullopt, lease("", "0.0.0.0", "0.0.0.0"), std::nullopt,
       "none", "/tftpboot/%s", "the kernel default", {}},
      {"command-line path over the lease's; the lease's server still counts", spec(std::nullopt, "/cmd"), std::nullopt,
       lease("10.0.2.9:/dhcp,vers=3"), ip4("10.0.2.9"), "DHCP root-path (option 17)", "/cmd", "command line",
       {"vers=3"}},
      {"no path anywhere: the kernel default", spec(std::nullopt, "", {"nolock"}), std::nullopt, lease(",rsize=8192"),
       ip4("10.0.2.2"), "DHCP server identifier (option 54)", "/tftpboot/%s", "the kernel default",
       {"rsize=8192", "nolock"}},
      {"a name in root-path is not a server", spec(std::nullopt, ""), std::nullopt, lease("nfs.lab:/dhcp", "10.0.2.8"),
       ip4("10.0.2.8"), "DHCP next-server (siaddr)", "/dhcp", "DHCP root-path (option 17)", {}},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    const auto choice = choose_nfs_root(c.command_line, c.ip_server, &c.lease);
    CHECK(choice.server == c.server);
    CHECK(choice.server_source == c.server_source);
    CHECK(choice.path == c.path);
    CHECK(choice.path_source == c.path_source);
    CHECK(choice.options == c.options);
  }
  const DhcpLease named_server = lease("nfs.lab:/dhcp");
  CHECK(choose_nfs_root(spec(std::nullopt, ""), std::nullopt, &named_server).warnings.size() == 1);
}

TEST_CASE("root path: without a lease only the command line counts", "[root_path]") {
  NfsRootSpec command_line;
  command_line.options = {"vers=3"};
  auto choice = choose_nfs_root(command_line, ip4("10.0.0.7"), nullptr);
  CHECK(choice.server == ip4("10.0.0.7"));
  CHECK(choice.server_source == "ip= <server-ip>");
  CHECK(choice.path == "/tftpboot/%s");
  CHECK(choice.path_source == "the kernel default");
  CHECK(choice.options == std::vector<std::string>{"vers=3"});
  choice = choose_nfs_root(NfsRootSpec{}, std::nullopt, nullptr);
  CHECK_FALSE(choice.server);
  CHECK(choice.warnings.empty());
}

TEST_CASE("root path: a DHCP root-path never changes what the command line pinned", "[root_path]") {
  struct Case {
    const char* rule;
    NfsRootSpec command_line;
    std::optional<Ipv4Address> ip_server;
    const char* root_path;
    std::vector<std::string> options;
    std::vector<std::string> warnings;  // the start of each
  };
  const Case cases[] = {
      {"server and path on the command line: the root-path is ignored entirely",
       spec(ip4("10.0.0.1"), "/srv/nfs/%s", {"vers=3"}), std::nullopt, "10.6.6.6:/x,mountaddr=10.6.6.6,rw",
       {"vers=3"},
       {"the command line names the server and the path (nfsroot=): ignoring the DHCP root-path "
        "'10.6.6.6:/x,mountaddr=10.6.6.6,rw'"}},
      {"pinned, and no root-path: nothing to say", spec(ip4("10.0.0.1"), "/srv"), std::nullopt, "", {}, {}},
      {"rw from DHCP never makes the root writable", spec(std::nullopt, ""), std::nullopt, "/srv,rw,vers=3",
       {"vers=3"}, {"DHCP root-path '/srv,rw,vers=3': ignoring rw"}},
      {"a pinned server keeps its addr= and mountaddr=", spec(ip4("10.0.0.1"), ""), std::nullopt,
       "/srv,mountaddr=10.6.6.6,addr=10.6.6.6,nolock", {"nolock"},
       {"DHCP root-path '/srv,mountaddr=10.6.6.6,addr=10.6.6.6,nolock': ignoring mountaddr=10.6.6.6",
        "DHCP root-path '/srv,mountaddr=10.6.6.6,addr=10.6.6.6,nolock': ignoring addr=10.6.6.6"}},
      {"ip='s server is pinned too", spec(std::nullopt, "/srv"), ip4("10.0.0.7"), "10.6.6.6:/x,mountaddr=10.6.6.6",
       {}, {"DHCP root-path '10.6.6.6:/x,mountaddr=10.6.6.6': ignoring mountaddr=10.6.6.6"}},
      {"ports and sec= the command line gave stay", spec(std::nullopt, "", {"port=2049", "sec=krb5"}), std::nullopt,
       "/srv,port=111,mountport=635,sec=none,rsize=8192", {"mountport=635", "rsize=8192", "port=2049", "sec=krb5"},
       {"DHCP root-path '/srv,port=111,mountport=635,sec=none,rsize=8192': ignoring port=111",
        "DHCP root-path '/srv,port=111,mountport=635,sec=none,rsize=8192': ignoring sec=none"}},
      {"nothing pinned: the lease's server options count", spec(std::nullopt, ""), std::nullopt,
       "10.0.2.9:/srv,mountaddr=10.0.2.9,port=2049", {"mountaddr=10.0.2.9", "port=2049"}, {}},
  };
  for (const auto& c : cases) {
    INFO(c.rule);
    const DhcpLease l = lease(c.root_path);
    const auto choice = choose_nfs_root(c.command_line, c.ip_server, &l);
    CHECK(choice.options == c.options);
    if (c.command_line.server) CHECK(choice.server == c.command_line.server);
    if (!c.command_line.path.empty()) CHECK(choice.path == c.command_line.path);
    REQUIRE(choice.warnings.size() == c.warnings.size());
    for (std::size_t i = 0; i < c.warnings.size(); ++i) CHECK(choice.warnings[i].starts_with(c.warnings[i]));
  }
}

TEST_CASE("root path: the server's text is escaped in the warnings", "[root_path]") {
  const DhcpLease l = lease("nfs\x1b[2J.lab:/srv");
  const auto choice = choose_nfs_root(spec(std::nullopt, ""), std::nullopt, &l);
  REQUIRE(choice.warnings.size() == 1);
  CHECK(choice.warnings[0].starts_with("DHCP root-path 'nfs\\x1b[2J.lab:/srv': server 'nfs\\x1b[2J.lab'"));
}

TEST_CASE("root path: every dracut form, from DHCP option 17 (dracut.cmdline(7) NFS)", "[root_path]") {
  struct Case {
    const char* text;
    std::optional<Ipv4Address> server;
    const char* path;
    std::vector<std::string> options;
    int version;
  };
  const Case cases[] = {
      {"nfs:192.168.50.3:/nfs/client", ip4("192.168.50.3"), "/nfs/client", {}, 0},
      {"nfs:/nfs/client", std::nullopt, "/nfs/client", {}, 0},
      {"nfs4:192.168.50.3:/client", ip4("192.168.50.3"), "/client", {}, 4},
      {"nfs4:/client", std::nullopt, "/client", {}, 4},
      {"nfs:192.168.50.3:/nfs/client:wsize=4096,nolock", ip4("192.168.50.3"), "/nfs/client", {"wsize=4096", "nolock"}, 0},
      {"nfs:192.168.50.3:/nfs/client,wsize=4096,nolock", ip4("192.168.50.3"), "/nfs/client", {"wsize=4096", "nolock"}, 0},
      {"nfs4:192.168.50.3:/client:vers=4.1", ip4("192.168.50.3"), "/client", {"vers=4.1"}, 4},
      {"nfs4:/client,sec=sys", std::nullopt, "/client", {"sec=sys"}, 4},
      {"nfs:/nfs/client:ro", std::nullopt, "/nfs/client", {"ro"}, 0},
      {"192.168.50.3:/nfs/client:wsize=4096", ip4("192.168.50.3"), "/nfs/client", {"wsize=4096"}, 0},
      {"192.168.50.3:/nfs/client,wsize=4096", ip4("192.168.50.3"), "/nfs/client", {"wsize=4096"}, 0},
      {"/nfs/client:wsize=4096", std::nullopt, "/nfs/client", {"wsize=4096"}, 0},
      // the kernel's legacy ',' before any ':' keeps colons in the options
      {"192.168.50.3:/nfs/client,sec=krb5:krb5i", ip4("192.168.50.3"), "/nfs/client", {"sec=krb5:krb5i"}, 0},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    std::vector<std::string> warnings;
    const auto parsed = parse_root_path_option(c.text, warnings);
    CHECK(parsed.server == c.server);
    CHECK(parsed.path == c.path);
    CHECK(parsed.options == c.options);
    CHECK(parsed.version == c.version);
    CHECK(warnings.empty());
  }
}

TEST_CASE("root path: a root-path's nfs4: and server count unless the command line pinned them", "[root_path]") {
  DhcpLease lease;
  lease.server_id = *Ipv4Address::parse("10.0.2.2");
  lease.root_path = "nfs4:10.0.2.9:/client:wsize=4096";
  // ip=dhcp root=/dev/nfs: the root-path decides server, path, version and options.
  auto open = choose_nfs_root(NfsRootSpec{}, std::nullopt, &lease);
  CHECK(open.server == ip4("10.0.2.9"));
  CHECK(open.server_source == "DHCP root-path (option 17)");
  CHECK(open.path == "/client");
  CHECK(open.version == 4);
  CHECK(open.options == std::vector<std::string>{"wsize=4096"});
  // nfsroot=SERVER:PATH pins it all: the root-path, nfs4: included, is ignored.
  NfsRootSpec pinned;
  pinned.server = ip4("10.0.2.1");
  pinned.path = "/srv/root";
  auto fixed = choose_nfs_root(pinned, std::nullopt, &lease);
  CHECK(fixed.server == ip4("10.0.2.1"));
  CHECK(fixed.path == "/srv/root");
  CHECK(fixed.version == 0);
  CHECK(fixed.options.empty());
  // root=nfs4: on the command line wins over a root-path without it.
  lease.root_path = "10.0.2.9:/client";
  NfsRootSpec v4;
  v4.version = 4;
  CHECK(choose_nfs_root(v4, std::nullopt, &lease).version == 4);
}

TEST_CASE("root path: the version's source is what plan_nfs_mount decides by", "[root_path]") {
  struct Case {
    NfsRootSpec command_line;
    const char* root_path;
    int mount_version;       // what plan_nfs_mount makes of the choice
    const char* source;
    const char* options_source;
  };
  NfsRootSpec v4;
  v4.version = 4;
  NfsRootSpec v4_path_only = v4;
  v4_path_only.path = "/client";
  const Case cases[] = {
      {NfsRootSpec{}, "10.0.2.9:/client", 3, "the default", "none given, the defaults only"},
      {NfsRootSpec{}, "nfs4:10.0.2.9:/client", 4, "nfs4: in the DHCP root-path (option 17)", "none given, the defaults only"},
      {NfsRootSpec{}, "10.0.2.9:/client,vers=4.1", 4, "vers=4.1 in the DHCP root-path (option 17)",
       "DHCP root-path (option 17)"},
      // an explicit vers= wins over nfs4: (plan_nfs_mount), and the explanation says so
      {NfsRootSpec{}, "nfs4:10.0.2.9:/client:vers=3", 3, "vers=3 in the DHCP root-path (option 17)",
       "DHCP root-path (option 17)"},
      {NfsRootSpec{}, "nfs:10.0.2.9:/client:nfsvers=4,v3", 3, "v3 in the DHCP root-path (option 17)",
       "DHCP root-path (option 17)"},
      {v4, "10.0.2.9:/client", 4, "root=nfs4:", "none given, the defaults only"},
      // root=nfs4:/client leaves the server to DHCP, so the root-path's options still count
      {v4_path_only, "10.0.2.9:/other,vers=3", 3, "vers=3 in the DHCP root-path (option 17)",
       "DHCP root-path (option 17)"},
      // the command line's options come after the lease's: its vers= is the last word
      {spec(std::nullopt, "", {"vers=4.2"}), "nfs4:10.0.2.9:/client:vers=3", 4, "vers=4.2 on the command line",
       "DHCP root-path (option 17), then the command line"},
      {spec(std::nullopt, "", {"wsize=4096"}), "", 3, "the default", "command line"},
      // pinned: the root-path's nfs4: and vers= are ignored with the rest of it
      {spec(ip4("10.0.2.1"), "/srv/root"), "nfs4:10.0.2.9:/client:vers=4.1", 3, "the default",
       "none given, the defaults only"},
      // a vers= whose number does not parse asks for no version (the kernel rejects it later)
      {NfsRootSpec{}, "10.0.2.9:/client,vers=x", 3, "the default", "DHCP root-path (option 17)"},
  };
  for (const auto& c : cases) {
    INFO(c.root_path << " / command line version " << c.command_line.version);
    const DhcpLease l = lease(c.root_path);
    const auto choice = choose_nfs_root(c.command_line, std::nullopt, &l);
    CHECK(choice.version_source == c.source);
    CHECK(choice.options_source == c.options_source);
    NfsMountInput input;
    input.server = choice.server->to_string();
    input.path = choice.path;
    input.user_options = choice.options;
    input.version_hint = choice.version;
    CHECK(plan_nfs_mount(input).version == c.mount_version);
  }
}
