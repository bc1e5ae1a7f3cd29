// Fuzzes root resolution from a lease and a command line: whatever the lease says, a value the
// command line pinned never changes, the root never turns read-write, and the host name the
// lease keeps can never put ".." or another path component into the NFS path.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/text.h"
#include "mounts/nfs_options.h"
#include "mounts/root_path.h"
#include "net/dhcp_lease.h"

namespace {

using namespace nfsroot;

void check(bool condition) {
  if (!condition) __builtin_trap();
}

std::string_view key_of(std::string_view option) { return option.substr(0, option.find('=')); }

std::size_t count_of(std::string_view text, std::string_view needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string_view::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  // First byte: which parts the command line pins. Then NUL-separated: the lease's root-path,
  // its host name, the command line's path.
  const std::uint8_t pins = data[0];
  const auto fields = split(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1), '\0');
  auto field = [&](std::size_t i) { return i < fields.size() ? std::string(fields[i]) : std::string(); };

  NfsRootSpec command_line;
  if (pins & 1) command_line.server = Ipv4Address{0x0a000001};
  if (pins & 2) command_line.path = field(2).empty() ? "/srv/nfs/%s" : field(2);
  if (pins & 4) command_line.options.emplace_back("port=2049");
  if (pins & 8) command_line.options.emplace_back("sec=sys");
  if (pins & 16) command_line.options.emplace_back("mountaddr=10.0.0.1");
  if (pins & 32) command_line.options.emplace_back("vers=4.2");
  const bool command_line_rw = (pins & 64) != 0;
  std::optional<Ipv4Address> ip_server;
  if (pins & 128) ip_server = Ipv4Address{0x0a000007};

  DhcpLease lease;
  lease.address = Ipv4Address{0x0a00020f};
  lease.server_id = Ipv4Address{0x0a000202};
  std::vector<std::string> lease_warnings;
  lease.root_path = lease_text(field(0), "root path (option 17)", kMaxRootPathSize, lease_warnings);
  lease.host_name = lease_host_name(field(1), lease_warnings);

  const auto choice = choose_nfs_root(command_line, ip_server, &lease);
  if (command_line.server) check(choice.server == command_line.server);
  if (!command_line.server && ip_server) check(choice.server == ip_server);
  if (!command_line.path.empty()) check(choice.path == command_line.path);
  if (command_line.server && !command_line.path.empty()) check(choice.options == command_line.options);
  // The command line's options come last, unchanged, so they win where keys repeat.
  check(choice.options.size() >= command_line.options.size());
  check(std::equal(command_line.options.begin(), command_line.options.end(),
                   choice.options.end() - static_cast<std::ptrdiff_t>(command_line.options.size())));
  const std::vector<std::string> from_lease(choice.options.begin(),
                                            choice.options.end() - static_cast<std::ptrdiff_t>(command_line.options.size()));
  for (const auto& option : from_lease) {
    check(option != "rw");
    const auto key = key_of(option);
    for (const auto& given : command_line.options) {
      if (key_of(given) == key) check(key != "port" && key != "sec" && key != "mountaddr");
    }
    if (command_line.server || ip_server) check(key != "addr" && key != "mountaddr");
  }
  for (const auto& warning : choice.warnings) check(warning.find_first_of("\n\r\x1b") == std::string::npos);

  // Read-only unless the command line said rw.
  NfsMountInput input;
  input.server = choice.server ? choice.server->to_string() : "10.0.2.2";
  input.user_options = choice.options;
  input.read_only = !command_line_rw;
  const auto request = plan_nfs_mount(input);
  if (!command_line_rw) check(request.read_only);

  // %s with the lease's name adds no path component and no "..": the same shape as with "X".
  const std::string expanded = expand_root_path(choice.path, lease.host_name, lease.address.to_string());
  const std::string neutral = expand_root_path(choice.path, "X", "X");
  check(count_of(expanded, "/") == count_of(neutral, "/"));
  check(count_of(expanded, "..") == count_of(neutral, ".."));
  return 0;
}
