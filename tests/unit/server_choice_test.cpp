// Several servers: the probe on real loopback sockets (one listening, one refusing), the
// rounds on the FakeSystem's clock, the jitter, the port, and the request moved to another server.
#include "rootmount/server_choice.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "base/unique_fd.h"
#include "fake_system.h"
#include "plan/boot_plan.h"
#include "plan/plan_format.h"
#include "plan/resolve.h"

using namespace nfsroot;
using nfsroot::testing::FakeSystem;
using nfsroot::testing::Lines;

namespace {

// A listening socket on 127.0.0.1 with an ephemeral port.
std::uint16_t listen_on_loopback(UniqueFd& fd) {
  fd = UniqueFd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  REQUIRE(fd.valid());
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(::listen(fd.get(), 4) == 0);
  socklen_t size = sizeof address;
  REQUIRE(::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &size) == 0);
  return ntohs(address.sin_port);
}

ServerProbe answered_by(std::size_t index, std::size_t count) {
  ServerProbe probe;
  for (std::size_t i = 0; i < count; ++i) probe.answers.push_back(ServerAnswer{"10.0.0." + std::to_string(i + 1)});
  probe.answers[index].answered = true;
  probe.answers[index].milliseconds = 7;
  probe.chosen = index;
  return probe;
}

}  // namespace

TEST_CASE("probe: the server that accepts is chosen; one that refuses is named with its errno", "[servers]") {
  UniqueFd listener;
  const std::uint16_t port = listen_on_loopback(listener);
  // 127.0.0.2 is loopback too (127/8), but nothing listens on it: ECONNREFUSED at once.
  const auto probe = probe_servers({"127.0.0.2", "127.0.0.1"}, port,
                                   std::chrono::steady_clock::now() + std::chrono::seconds(5));
  REQUIRE(probe);
  REQUIRE(probe->chosen == 1u);
  CHECK(probe->answers[1].answered);
  const std::string text = describe_server_probe(*probe);
  CHECK(text.starts_with("127.0.0.1 answered in "));
  // The refusal may not have arrived before the acceptance: either way it is not chosen.
  CHECK((text.ends_with("; 127.0.0.2: Connection refused (errno 111)") || text.ends_with("; 127.0.0.2 had not answered")));
}

TEST_CASE("probe: none answers by the deadline or all refuse: none chosen, each named", "[servers]") {
  UniqueFd listener;
  const std::uint16_t port = listen_on_loopback(listener);
  listener.reset();  // now nothing listens there
  const auto probe = probe_servers({"127.0.0.1", "not-an-address"}, port,
                                   std::chrono::steady_clock::now() + std::chrono::seconds(5));
  REQUIRE(probe);
  CHECK_FALSE(probe->chosen);
  CHECK(describe_server_probe(*probe) ==
        "127.0.0.1: Connection refused (errno 111), not-an-address: Invalid argument (errno 22)");
}

TEST_CASE("choose_server: rounds with growing waits on the system's clock until one answers or the time is up",
          "[servers]") {
  FakeSystem system;
  const std::vector<std::string> servers{"10.0.0.1", "10.0.0.2"};
  int round = 0;
  Lines progress;
  const auto chosen = choose_server(
      system, servers, 111, 60,
      [&](std::chrono::steady_clock::time_point) -> Result<ServerProbe> {
        ++round;
        if (round < 3) {
          ServerProbe none;
          none.answers = {ServerAnswer{"10.0.0.1", false, 113}, ServerAnswer{"10.0.0.2"}};
          return none;
        }
        return answered_by(1, 2);
      },
      [&](std::string_view line) { progress.emplace_back(line); });
  REQUIRE(chosen);
  CHECK(*chosen == 1u);
  CHECK(system.trace == Lines{"wait(1s)", "wait(2s)"});
  REQUIRE(progress.size() == 2);
  CHECK(progress[0] == "root: no server answered on port 111 (10.0.0.1: No route to host (errno 113), 10.0.0.2 no "
                       "answer in time); trying again in 1 s");

  FakeSystem late;
  const auto none = choose_server(
      late, servers, 2049, 10,
      [&](std::chrono::steady_clock::time_point) -> Result<ServerProbe> {
        ServerProbe probe;
        probe.answers = {ServerAnswer{"10.0.0.1"}, ServerAnswer{"10.0.0.2", false, 111}};
        return probe;
      },
      {});
  REQUIRE_FALSE(none);
  CHECK(describe(none.error()) ==
        "servers 10.0.0.1, 10.0.0.2 port 2049: none answered in 10 s: 10.0.0.1 no answer in time, 10.0.0.2: "
        "Connection refused (errno 111); are the servers up and reachable from this network? (nfsroot-init.servers= "
        "lists them, nfsroot-init.mount_timeout= sets how long to try)");
  CHECK(late.trace == Lines{"wait(1s)", "wait(2s)", "wait(4s)"});  // 1+2+4 = 7 s; the next 8 s would pass 10
}

TEST_CASE("serving the root: a server that answers but cannot serve is left out, the others asked again",
          "[servers]") {
  const std::vector<std::string> servers{"10.0.0.1", "10.0.0.2", "10.0.0.3"};
  // The first of those still in play always answers first.
  auto first_answers = [](std::vector<std::vector<std::string>>& asked) {
    return [&asked](const std::vector<std::string>& left, std::chrono::steady_clock::time_point) -> Result<ServerProbe> {
      asked.push_back(left);
      ServerProbe probe;
      for (const auto& server : left) probe.answers.push_back(ServerAnswer{server});
      probe.answers.front().answered = true;
      probe.chosen = 0;
      return probe;
    };
  };

  // 10.0.0.1 answers first but has no image; 10.0.0.2 serves, with the time that is left.
  FakeSystem system;
  std::vector<std::vector<std::string>> asked;
  std::vector<std::pair<std::string, int>> attempts;
  Lines progress;
  auto served = serve_root_from_servers(
      system, servers, 111, 60, first_answers(asked),
      [&](const std::string& server, int timeout_seconds) -> Result<void> {
        attempts.emplace_back(server, timeout_seconds);
        if (server == "10.0.0.1") {
          system.wait_until(system.now() + std::chrono::seconds(20));  // a slow refusal
          return std::unexpected(error_from_errno("lstat", "/run/nfsroot-init/image/c/current", ENOENT));
        }
        return {};
      },
      [&](std::string_view line) { progress.emplace_back(line); });
  REQUIRE(served);
  CHECK(served->server == 1u);
  CHECK(served->skipped == std::vector<std::string>{"10.0.0.1"});
  CHECK(asked == std::vector<std::vector<std::string>>{servers, {"10.0.0.2", "10.0.0.3"}});
  // Each gets its share of the 60 s, 20 s of three servers; the second what is left, if less.
  CHECK(attempts == std::vector<std::pair<std::string, int>>{{"10.0.0.1", 20}, {"10.0.0.2", 20}});
  CHECK(progress == Lines{"root: 10.0.0.1 answered but cannot serve the root: lstat /run/nfsroot-init/image/c/current: "
                          "No such file or directory (errno 2); asking 10.0.0.2, 10.0.0.3"});

  // Two servers and 20 s: a share is never below 15 s, and never more than the time left.
  FakeSystem short_budget;
  asked.clear();
  attempts.clear();
  REQUIRE_FALSE(serve_root_from_servers(
      short_budget, {"10.0.0.1", "10.0.0.2"}, 111, 20, first_answers(asked),
      [&](const std::string& server, int timeout_seconds) -> Result<void> {
        attempts.emplace_back(server, timeout_seconds);
        short_budget.wait_until(short_budget.now() + std::chrono::seconds(timeout_seconds));  // stopped at its end
        return std::unexpected(error_from_errno("mount nfs", server + ":/srv/root", ETIMEDOUT));
      },
      {}));
  CHECK(attempts == std::vector<std::pair<std::string, int>>{{"10.0.0.1", 15}, {"10.0.0.2", 5}});

  // Every server answers and none serves: the last one's error, naming those before it.
  FakeSystem none_serve;
  asked.clear();
  auto failed = serve_root_from_servers(
      none_serve, servers, 111, 60, first_answers(asked),
      [&](const std::string& server, int) -> Result<void> {
        return std::unexpected(error_from_errno("mount nfs", server + ":/srv/images", EACCES));
      },
      {});
  REQUIRE_FALSE(failed);
  CHECK(describe(failed.error()) == "the last of 10.0.0.1, 10.0.0.2, 10.0.0.3, each answered and could not serve: "
                                    "mount nfs 10.0.0.3:/srv/images: Permission denied (errno 13)");
  CHECK(asked.size() == 3);

  // The one that answered cannot serve and the others never answer: the probe's error, after it.
  FakeSystem silent_rest;
  int round = 0;
  auto timed_out = serve_root_from_servers(
      silent_rest, servers, 111, 10,
      [&](const std::vector<std::string>& left, std::chrono::steady_clock::time_point) -> Result<ServerProbe> {
        ServerProbe probe;
        for (const auto& server : left) probe.answers.push_back(ServerAnswer{server});
        if (++round == 1) {
          probe.answers.front().answered = true;
          probe.chosen = 0;
        }
        return probe;
      },
      [&](const std::string&, int) -> Result<void> {
        return std::unexpected(error_from_errno("mount nfs", "10.0.0.1:/srv/images", EIO));
      },
      {});
  REQUIRE_FALSE(timed_out);
  CHECK(describe(timed_out.error()).starts_with("after 10.0.0.1: servers 10.0.0.2, 10.0.0.3 port 111: none answered"));
}

TEST_CASE("jitter: the same MAC always waits the same, MACs spread over 0..max, 0 turns it off", "[servers]") {
  CHECK(mount_jitter_ms("52:54:00:12:34:56", 300) == mount_jitter_ms("52:54:00:12:34:56", 300));
  CHECK(mount_jitter_ms("52:54:00:12:34:56", 0) == 0);
  std::set<int> seen;
  for (int i = 0; i < 64; ++i) {
    const int jitter = mount_jitter_ms("52:54:00:12:34:" + std::to_string(10 + i), 300);
    CHECK(jitter >= 0);
    CHECK(jitter <= 300);
    seen.insert(jitter);
  }
  CHECK(seen.size() > 50);  // a fleet of consecutive MACs is spread, not bunched
}

TEST_CASE("probe port: rpcbind for NFSv3, 2049 for NFSv4, port= wins", "[servers]") {
  NfsMountRequest v3;
  v3.version = 3;
  v3.options = {"vers=3", "proto=tcp", "nolock", "addr=10.0.0.1"};
  CHECK(probe_port(v3) == 111);
  v3.options.push_back("port=20490");
  CHECK(probe_port(v3) == 20490);
  NfsMountRequest v4;
  v4.version = 4;
  CHECK(probe_port(v4) == 2049);
  v4.options = {"port=0"};  // 0: the kernel asks rpcbind; no port to probe, the default
  CHECK(probe_port(v4) == 2049);
}

TEST_CASE("with_server: the source, addr= and mountaddr= move to the chosen server; other options stay",
          "[servers]") {
  NfsMountRequest request;
  request.server = "10.0.0.1";
  request.path = "/srv/root";
  request.source = "10.0.0.1:/srv/root";
  request.options = {"vers=3", "proto=tcp", "nolock", "addr=10.0.0.1", "mountaddr=10.0.0.1", "port=2049"};
  const NfsMountRequest moved = with_server(request, "10.0.0.2");
  CHECK(moved.source == "10.0.0.2:/srv/root");
  CHECK(moved.server == "10.0.0.2");
  CHECK(moved.options ==
        std::vector<std::string>{"vers=3", "proto=tcp", "nolock", "addr=10.0.0.2", "mountaddr=10.0.0.2", "port=2049"});
  request.options.back() = "mountaddr=10.0.0.9";  // a mount server the admin named stays
  request.options[4] = "timeo=600";
  CHECK(with_server(request, "10.0.0.2").options.back() == "mountaddr=10.0.0.9");

  // Servers of both families in one list: the source is bracketed and the transports follow.
  request.options = {"vers=3", "proto=tcp", "mountproto=udp", "addr=10.0.0.1", "mountaddr=10.0.0.1"};
  const NfsMountRequest to_v6 = with_server(request, "fd00::2");
  CHECK(to_v6.source == "[fd00::2]:/srv/root");
  CHECK(to_v6.options ==
        std::vector<std::string>{"vers=3", "proto=tcp6", "mountproto=udp6", "addr=fd00::2", "mountaddr=fd00::2"});
  const NfsMountRequest back = with_server(to_v6, "10.0.0.3");
  CHECK(back.source == "10.0.0.3:/srv/root");
  CHECK(back.options ==
        std::vector<std::string>{"vers=3", "proto=tcp", "mountproto=udp", "addr=10.0.0.3", "mountaddr=10.0.0.3"});
  CHECK(with_server(to_v6, "fd00::3").options[1] == "proto=tcp6");
}

TEST_CASE("server lists with IPv6 servers: bracketed in nfsroot= and root=, bare or bracketed in servers=",
          "[servers][ipv6]") {
  const NfsRootText text = split_nfs_root_text("[fd00::1],10.0.0.2,[fd00::3]:/srv/root,vers=4.2");
  REQUIRE(text.server);
  CHECK(*text.server == "[fd00::1]");
  CHECK(more_server_addresses(text) == std::vector<IpAddress>{*IpAddress::parse("10.0.0.2"), *IpAddress::parse("fd00::3")});
  CHECK(text.path == "/srv/root");
  CHECK(text.options == std::vector<std::string>{"vers=4.2"});
  // A lone bracketed server, as a lone dotted quad, is a server without a path.
  CHECK(split_nfs_root_text("[fd00::1]").server == std::optional<std::string_view>("[fd00::1]"));
  const NfsRootForm dracut = split_dracut_nfs_root("nfs:[fd00::1],[fd00::2]:/srv/root:vers=3");
  REQUIRE(dracut.text.server);
  CHECK(*dracut.text.server == "[fd00::1]");
  CHECK(dracut.text.more_servers == std::vector<std::string_view>{"[fd00::2]"});
  CHECK(dracut.text.path == "/srv/root");
  CHECK(dracut.text.options == std::vector<std::string>{"vers=3"});

  const BootPlan plan = plan_boot(parse_boot_config(
      "ip=dhcp nfsroot=[fd00::1]:/srv/root nfsroot-init.servers=fd00::2,[fd00::3],10.0.0.4,[fd00::1],fe80::"));
  CHECK(plan.root.server == IpAddress::parse("fd00::1"));
  CHECK(plan.root.extra_servers == std::vector<IpAddress>{*IpAddress::parse("fd00::2"), *IpAddress::parse("fd00::3"),
                                                          *IpAddress::parse("10.0.0.4")});
  CHECK(plan.warnings.size() == 1);
  CHECK(plan.warnings.front().find("'fe80::' is not a server's IPv4 or IPv6 address (a link-local one cannot be "
                                   "mounted: no link is named); leaving it out") != std::string::npos);
  CHECK(format_plan(plan).find("more servers of the same root: fd00::2, fd00::3, 10.0.0.4 (nfsroot-init.servers=)") !=
        std::string::npos);
}

TEST_CASE("nfsroot-init.servers= and mount_jitter= in the config, the plan and explain", "[servers][boot_config]") {
  auto parsed = parse_boot_config(
      "ip=dhcp root=/dev/nfs nfsroot=10.0.0.1:/srv/root nfsroot-init.servers=10.0.0.2,10.0.0.3,10.0.0.2,bad,0.0.0.0");
  CHECK(parsed.config.extra_servers.size() == 2);
  CHECK(parsed.warnings.size() == 2);
  CHECK(parsed.warnings.front() ==
        "nfsroot-init.servers=10.0.0.2,10.0.0.3,10.0.0.2,bad,0.0.0.0: 'bad' is not a server's IPv4 or IPv6 address; leaving it out");
  const BootPlan plan = plan_boot(parsed);
  CHECK(plan.root.jitter_max_ms == 300);
  const std::string text = format_plan(plan);
  CHECK(text.find("more servers of the same root: 10.0.0.2, 10.0.0.3 (nfsroot-init.servers=)") != std::string::npos);
  CHECK(text.find("the first attempt waits 0 to 300 ms, by the MAC") != std::string::npos);

  const BootPlan single = plan_boot(parse_boot_config("ip=dhcp root=/dev/nfs nfsroot=10.0.0.1:/srv/root"));
  CHECK(single.root.jitter_max_ms == 0);
  CHECK(format_plan(single).find("the first attempt waits") == std::string::npos);
  CHECK(plan_boot(parse_boot_config("ip=dhcp nfsroot=10.0.0.1:/r nfsroot-init.mount_jitter=500")).root.jitter_max_ms ==
        500);
  parsed = parse_boot_config("ip=dhcp nfsroot=10.0.0.1:/r nfsroot-init.mount_jitter=-1");
  CHECK_FALSE(parsed.config.mount_jitter_ms);
  CHECK(parsed.warnings.front() ==
        "nfsroot-init.mount_jitter=-1: not a number of milliseconds from 0 to 10000; using the default");
}

TEST_CASE("a server list before the path's ':': nfsroot=, root=nfs:, root=<ip>,<ip>:/, and the DHCP root-path",
          "[servers][boot_config]") {
  // The split: two or more dotted quads before the ':' are servers; anything else stays the
  // kernel's split (a ',' before the ':' starts the options).
  NfsRootText text = split_nfs_root_text("10.0.0.1,10.0.0.2,10.0.0.1:/srv/root,vers=3");
  REQUIRE(text.server);
  CHECK(*text.server == "10.0.0.1");
  CHECK(text.more_servers == std::vector<std::string_view>{"10.0.0.2", "10.0.0.1"});
  CHECK(more_server_addresses(text) == std::vector<IpAddress>{*Ipv4Address::parse("10.0.0.2")});
  CHECK(text.path == "/srv/root");
  CHECK(text.options == std::vector<std::string>{"vers=3"});
  text = split_nfs_root_text("10.0.0.1,server2:/srv/root");
  CHECK_FALSE(text.server);
  CHECK(text.path == "10.0.0.1");
  CHECK(text.options == std::vector<std::string>{"server2:/srv/root"});
  const NfsRootForm dracut = split_dracut_nfs_root("nfs4:10.0.0.1,10.0.0.2:/srv/root:vers=4.2");
  CHECK(dracut.version == 4);
  REQUIRE(dracut.text.server);
  CHECK(*dracut.text.server == "10.0.0.1");
  CHECK(dracut.text.more_servers == std::vector<std::string_view>{"10.0.0.2"});
  CHECK(dracut.text.path == "/srv/root");

  // The command line: the list's others come before nfsroot-init.servers=, each once.
  const BootPlan plan = plan_boot(parse_boot_config(
      "ip=dhcp root=/dev/nfs nfsroot=10.0.0.1,10.0.0.2:/srv/root nfsroot-init.servers=10.0.0.3,10.0.0.2"));
  REQUIRE(plan.errors.empty());
  CHECK(plan.root.server == Ipv4Address::parse("10.0.0.1"));
  CHECK(plan.root.extra_servers ==
        std::vector<IpAddress>{*Ipv4Address::parse("10.0.0.2"), *Ipv4Address::parse("10.0.0.3")});
  CHECK(plan.root.jitter_max_ms == 300);
  CHECK(format_plan(plan).find("more servers of the same root: 10.0.0.2, 10.0.0.3 (the list in nfsroot=, then "
                               "nfsroot-init.servers=)") != std::string::npos);
  for (const char* line : {"ip=dhcp root=nfs:10.0.0.1,10.0.0.2:/srv/root", "ip=dhcp root=10.0.0.1,10.0.0.2:/srv/root"}) {
    const BootPlan dracut_plan = plan_boot(parse_boot_config(line));
    INFO(line);
    REQUIRE(dracut_plan.errors.empty());
    CHECK(dracut_plan.root.server == Ipv4Address::parse("10.0.0.1"));
    CHECK(dracut_plan.root.extra_servers == std::vector<IpAddress>{*Ipv4Address::parse("10.0.0.2")});
    CHECK(format_plan(dracut_plan).find("(the list in root=)") != std::string::npos);
  }

  // DHCP: the root-path's list counts when the root-path names the server.
  const BootPlan open = plan_boot(parse_boot_config("ip=dhcp root=/dev/nfs"));
  CHECK(open.root.jitter_max_ms == 0);
  CHECK(format_plan(open).find("a root-path's list (<server>,<server>…:<path>) is asked at once") != std::string::npos);
  DhcpLease lease;
  lease.address = *Ipv4Address::parse("10.0.0.15");
  lease.server_id = *Ipv4Address::parse("10.0.0.1");
  lease.root_path = "10.0.0.5,10.0.0.6:/srv/images";
  auto root = resolve_root(open.root, &lease, ClientIdentity{"", "10.0.0.15"});
  REQUIRE(root);
  CHECK(root->request.source == "10.0.0.5:/srv/images");
  CHECK(root->servers == std::vector<std::string>{"10.0.0.5", "10.0.0.6"});
  CHECK(root->jitter_max_ms == 300);
  const BootPlan no_jitter = plan_boot(parse_boot_config("ip=dhcp root=/dev/nfs nfsroot-init.mount_jitter=0"));
  root = resolve_root(no_jitter.root, &lease, ClientIdentity{"", "10.0.0.15"});
  REQUIRE(root);
  CHECK(root->servers.size() == 2);
  CHECK(root->jitter_max_ms == 0);
  // A server on the command line wins, and its list with it: the lease's list does not count.
  const BootPlan named = plan_boot(parse_boot_config("ip=dhcp root=/dev/nfs nfsroot=10.0.0.1"));
  root = resolve_root(named.root, &lease, ClientIdentity{"", "10.0.0.15"});
  REQUIRE(root);
  CHECK(root->request.source == "10.0.0.1:/srv/images");
  CHECK(root->servers == std::vector<std::string>{"10.0.0.1"});
  CHECK(root->jitter_max_ms == 0);
}
