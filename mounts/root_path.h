// Where the NFS root comes from once the lease is in: the command line, DHCP's root-path
// (option 17), next-server and the server identifier, in the kernel's order of precedence.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mounts/nfs_options.h"
#include "net/dhcp_lease.h"
#include "base/ipv4.h"

namespace nfsroot {

// DHCP option 17 in the kernel's form, "[<server-ip>:]<path>[,<options>]" (fs/nfs/nfsroot.c),
// and in dracut's, "[nfs:|nfs4:][<server-ip>:]<path>[:<options>]" (split_dracut_nfs_root):
// the server as a dotted quad or an IPv6 address in brackets; "default" or an empty path keeps the default; the path is
// taken as sent (only nfsroot= puts a relative path under /tftpboot/). `warnings` gets a line for a server name (there is no DNS at boot)
// and for a path that is not absolute.
[[nodiscard]] NfsRootSpec parse_root_path_option(std::string_view root_path, std::vector<std::string>& warnings);

struct RootPathChoice {
  std::optional<IpAddress> server;    // nullopt only when nothing names one
  std::vector<IpAddress> more_servers;  // of the same root, from the list that named `server`
  std::string path;                   // may hold "%s" (expand_root_path() in mounts/nfs_options.h)
  std::vector<std::string> options;   // the lease's first, then the command line's
  int version = 0;                    // 4 for root=nfs4: or a root-path with nfs4:, else 0 (options)
  std::string server_source;          // "nfsroot=" or "root=" (given_by), "ip= <server-ip>", "DHCP root-path (option 17)", …
  std::string path_source;            // "command line", "DHCP root-path (option 17)", "the kernel default"
  std::string version_source;         // "vers=4.2 on the command line", "root=nfs4:", "the default", …
  std::string options_source;         // "command line", "DHCP root-path (option 17)", both, or none given
  std::vector<std::string> warnings;  // about the lease's root-path, its text escaped
};

// nfsroot.rst / fs/nfs/nfsroot.c root_nfs_data() and ipconfig.c:
//  - path: the command line's (nfsroot= or root=nfs:) when not empty, else the lease's
//    root-path, else kDefaultNfsRootPath ("/tftpboot/%s");
//  - options: the root-path's, then the command line's (the kernel appends them in that order,
//    so the command line wins where they disagree);
//  - unlike the kernel, what the command line pinned stays: with nfsroot= naming the server
//    and the path, the lease's root-path is ignored as a whole (one warning); otherwise its
//    "rw" is dropped (only the command line's ro/rw decides), and so are its addr=, mountaddr=,
//    port=, mountport=, sec= where the command line gives that key, and its addr=/mountaddr=
//    where the command line (nfsroot= or ip=) names the server; each with a warning;
//  - server: nfsroot='s (or root='s), then ip='s <server-ip> (`ip_server`), then the one in root-path,
//    then siaddr (next-server) when not 0.0.0.0, then the DHCP server identifier;
//  - version (decided by plan_nfs_mount, said here): the last vers=/nfsvers=/vN of the options
//    (the command line's come last), else nfs4: (root=, then the root-path's), else NFSv3.
// Without a lease (static ip=, or the plan before the network is up) only the command line
// counts: the server may stay unknown and the path is the command line's or the default.
[[nodiscard]] RootPathChoice choose_nfs_root(const NfsRootSpec& command_line, std::optional<IpAddress> ip_server,
                                             const DhcpLease* lease);

}  // namespace nfsroot
