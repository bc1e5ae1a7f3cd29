// The NFS root's server, path and options from the command line and the DHCP lease.
#include "mounts/root_path.h"

#include <algorithm>

#include "base/text.h"

namespace nfsroot {

namespace {

std::string_view option_key(std::string_view option) { return option.substr(0, option.find('=')); }

// Where the mount goes and how it is secured: what the command line gave, DHCP does not change.
bool is_pinnable_key(std::string_view key) {
  return key == "addr" || key == "mountaddr" || key == "port" || key == "mountport" || key == "sec";
}

// The lease's root-path options, less those that would undo the command line. The kernel
// appends the command line's after them, so a repeated key already loses; but a key the command
// line left out (mountaddr= with a pinned server, rw) would still win, so it goes too.
std::vector<std::string> lease_options_allowed(const std::vector<std::string>& from_lease, const NfsRootSpec& command_line,
                                               bool server_pinned, std::string_view quoted,
                                               std::vector<std::string>& warnings) {
  std::vector<std::string> kept;
  for (const auto& option : from_lease) {
    const std::string_view key = option_key(option);
    std::string why;
    if (option == "rw") {
      why = "only the command line's ro/rw decides whether the root is writable";
    } else if (is_pinnable_key(key) &&
               std::any_of(command_line.options.begin(), command_line.options.end(),
                           [&](const std::string& given) { return option_key(given) == key; })) {
      why = "the command line gives " + std::string(key) + "=";
    } else if ((key == "addr" || key == "mountaddr") && server_pinned) {
      why = "the command line names the server; its MOUNT and NFS calls go there";
    }
    if (why.empty()) {
      kept.push_back(option);
    } else {
      warnings.push_back(std::string(quoted) + ": ignoring " + escape_for_log(option) + ": " + why);
    }
  }
  return kept;
}

// The last option that names a version: plan_nfs_mount() takes it over nfs4: and the default.
std::optional<std::string> last_version_option(const std::vector<std::string>& options) {
  const auto found = std::find_if(options.rbegin(), options.rend(),
                                  [](const std::string& option) { return nfs_version_option(option).has_value(); });
  if (found == options.rend()) return std::nullopt;
  return *found;
}

std::string version_source(const NfsRootSpec& command_line, const NfsRootSpec& from_lease) {
  if (const auto given = last_version_option(command_line.options)) return escape_for_log(*given) + " on the command line";
  if (const auto given = last_version_option(from_lease.options)) {
    return escape_for_log(*given) + " in the DHCP root-path (option 17)";
  }
  if (command_line.version == 4) return command_line.given_by == "root=live:" ? "root=live:nfs4://" : "root=nfs4:";
  if (from_lease.version == 4) return "nfs4: in the DHCP root-path (option 17)";
  return "the default";
}

std::string options_source(const NfsRootSpec& command_line, const NfsRootSpec& from_lease) {
  if (!from_lease.options.empty() && !command_line.options.empty()) {
    return "DHCP root-path (option 17), then the command line";
  }
  if (!from_lease.options.empty()) return "DHCP root-path (option 17)";
  if (!command_line.options.empty()) return "command line";
  return "none given, the defaults only";
}

}  // namespace

NfsRootSpec parse_root_path_option(std::string_view root_path, std::vector<std::string>& warnings) {
  NfsRootSpec spec;
  // The server's text, escaped: these warnings go to the console.
  const std::string quoted = "DHCP root-path '" + escape_for_log(root_path) + "'";
  const NfsRootForm form = split_dracut_nfs_root(root_path);
  const NfsRootText& text = form.text;
  spec.version = form.version;
  if (text.server) {
    spec.server = IpAddress::parse_host(*text.server);
    if (!spec.server) {
      warnings.push_back(quoted + ": server '" + escape_for_log(*text.server) + "' is not " +
                         std::string(kServerAddressForms) + " (there is no DNS at boot); ignoring it");
    }
  }
  spec.more_servers = more_server_addresses(text);
  spec.path = std::string(text.path);
  if (!text.path.empty() && !text.path.starts_with('/')) {
    warnings.push_back(quoted + ": the path is not absolute; the mount will likely fail");
  }
  spec.options = text.options;
  return spec;
}

RootPathChoice choose_nfs_root(const NfsRootSpec& command_line, std::optional<IpAddress> ip_server,
                               const DhcpLease* lease) {
  RootPathChoice choice;
  // README "Root and hand-off": when the command line names both the server and the path, a
  // DHCP root-path is ignored as a whole, as dracut and initramfs-tools do (the kernel would
  // still take its options). Otherwise it counts, in the kernel's precedence, less the options
  // that would undo what the command line pinned.
  const bool pinned = command_line.server && !command_line.path.empty();
  NfsRootSpec from_lease;
  if (lease && pinned) {
    if (!lease->root_path.empty()) {
      choice.warnings.push_back("the command line names the server and the path (" + command_line.given_by +
                                "): ignoring the DHCP root-path '" + escape_for_log(lease->root_path) + "'");
    }
  } else if (lease) {
    from_lease = parse_root_path_option(lease->root_path, choice.warnings);
    const std::string quoted = "DHCP root-path '" + escape_for_log(lease->root_path) + "'";
    from_lease.options = lease_options_allowed(from_lease.options, command_line,
                                               command_line.server.has_value() || ip_server.has_value(), quoted,
                                               choice.warnings);
  }

  if (!command_line.path.empty()) {
    choice.path = command_line.path;
    choice.path_source = "command line";
  } else if (!from_lease.path.empty()) {
    choice.path = from_lease.path;
    choice.path_source = "DHCP root-path (option 17)";
  } else {
    choice.path = std::string(kDefaultNfsRootPath);
    choice.path_source = "the kernel default";
  }

  // nfs4: on the command line wins; else the root-path's, unless the command line pinned it all.
  choice.version = command_line.version != 0 ? command_line.version : from_lease.version;
  choice.version_source = version_source(command_line, from_lease);
  choice.options_source = options_source(command_line, from_lease);
  choice.options = from_lease.options;
  choice.options.insert(choice.options.end(), command_line.options.begin(), command_line.options.end());

  // A list of servers goes with its first: the root-path's count only when it names the server.
  if (command_line.server) {
    choice.server = command_line.server;
    choice.more_servers = command_line.more_servers;
    choice.server_source = command_line.given_by;
  } else if (ip_server) {
    choice.server = ip_server;
    choice.server_source = "ip= <server-ip>";
  } else if (from_lease.server) {
    choice.server = from_lease.server;
    choice.more_servers = from_lease.more_servers;
    choice.server_source = "DHCP root-path (option 17)";
  } else if (lease && !lease->next_server.is_unspecified()) {
    choice.server = lease->next_server;
    choice.server_source = "DHCP next-server (siaddr)";
  } else if (lease && !lease->server_id.is_unspecified()) {
    choice.server = lease->server_id;
    choice.server_source = "DHCP server identifier (option 54)";
  } else {
    choice.server_source = "none";
  }
  return choice;
}

}  // namespace nfsroot
