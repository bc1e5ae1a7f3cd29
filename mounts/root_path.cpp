// The NFS root's server, path and options from the command line and the DHCP lease.
#include "mounts/root_path.h"

#include "base/text.h"

namespace nfsroot {

NfsRootSpec parse_root_path_option(std::string_view root_path, std::vector<std::string>& warnings) {
  NfsRootSpec spec;
  // The server's text, escaped: these warnings go to the console.
  const std::string quoted = "DHCP root-path '" + escape_for_log(root_path) + "'";
  const NfsRootText text = split_nfs_root_text(root_path);
  if (text.server) {
    spec.server = Ipv4Address::parse(*text.server);
    if (!spec.server) {
      warnings.push_back(quoted + ": server '" + escape_for_log(*text.server) +
                         "' is not an IPv4 address (there is no DNS at boot); ignoring it");
    }
  }
  spec.path = std::string(text.path);
  if (!text.path.empty() && !text.path.starts_with('/')) {
    warnings.push_back(quoted + ": the path is not absolute; the mount will likely fail");
  }
  spec.options = text.options;
  return spec;
}

RootPathChoice choose_nfs_root(const NfsRootSpec& command_line, std::optional<Ipv4Address> ip_server,
                               const DhcpLease* lease) {
  RootPathChoice choice;
  const NfsRootSpec from_lease = lease ? parse_root_path_option(lease->root_path, choice.warnings) : NfsRootSpec{};

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

  choice.options = from_lease.options;
  choice.options.insert(choice.options.end(), command_line.options.begin(), command_line.options.end());

  if (command_line.server) {
    choice.server = command_line.server;
    choice.server_source = "nfsroot=";
  } else if (ip_server) {
    choice.server = ip_server;
    choice.server_source = "ip= <server-ip>";
  } else if (from_lease.server) {
    choice.server = from_lease.server;
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
