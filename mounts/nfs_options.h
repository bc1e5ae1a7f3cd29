// The NFS root mount as mount(2) takes it: source, type, flags and the kernel's text options.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/ip_address.h"

namespace nfsroot {

// Where the NFS root comes from, as written on the command line.
struct NfsRootSpec {
  std::optional<IpAddress> server;  // nullopt: from the DHCP lease
  std::string path;                   // "" = the DHCP root-path, else the kernel default
  std::vector<std::string> options;   // in order, as given
  int version = 0;                    // 4 for dracut's root=nfs4:, else 0 (options decide)
  std::string given_by = "nfsroot=";  // the option that said it: "nfsroot=", dracut's "root=" or "root=live:"
  // "<server>,<server>…:<path>": more servers of the same root after `server`, asked at once
  // with it (rootmount/server_choice.h); never `server` itself, no repeats.
  std::vector<IpAddress> more_servers;
  auto operator<=>(const NfsRootSpec&) const = default;
};

// How a server may be written, for messages: there is no DNS at boot.
inline constexpr std::string_view kServerAddressForms = "an IPv4 address or an IPv6 address in brackets";

// nfsroot.rst: the path used when neither the command line nor DHCP names one.
inline constexpr std::string_view kDefaultNfsRootPath = "/tftpboot/%s";


// "[<server>:]<path>[,<options>]", the text of nfsroot= and of DHCP option 17, split as
// fs/nfs/nfsroot.c does: a ':' before any ',' ends the server, unless the text starts with '/';
// a lone dotted quad is a server; "default" is no path. The server is checked by the caller,
// which words its own message. Ours, not the kernel's: an IPv6 server in brackets, as dracut
// writes it ("[fd00::1]:/srv", dracut.cmdline(7)), ends at its ']'; two or more servers (dotted
// quads or bracketed IPv6) joined by ',' before the ':' are several servers of one root
// ("10.0.0.1,10.0.0.2:/srv/root"), which the kernel's split would take for a path and options
// that cannot mean anything.
struct NfsRootText {
  std::optional<std::string_view> server;  // as written, brackets and all; may not be an address
  std::vector<std::string_view> more_servers;  // after `server` in a list: each an address
  std::string_view path;                   // "" when absent or "default"
  std::vector<std::string> options;        // in order, empty ones dropped
};
[[nodiscard]] NfsRootText split_nfs_root_text(std::string_view text);
// TEXT's more_servers as addresses, without the first server and without repeats.
[[nodiscard]] std::vector<IpAddress> more_server_addresses(const NfsRootText& text);
// The other servers of one root: FROM_LIST (the list that named SERVER), then FROM_OPTION
// (nfsroot-init.servers=), each once and never SERVER itself.
[[nodiscard]] std::vector<IpAddress> more_servers_of_root(std::optional<IpAddress> server,
                                                          const std::vector<IpAddress>& from_list,
                                                          const std::vector<IpAddress>& from_option = {});

// dracut's NFS root text (dracut.cmdline(7) "NFS"; modules.d/95nfs/nfs-lib.sh nfsroot_to_var),
// as DHCP servers written for dracut send it in option 17 and dracut's root= takes it:
//   [nfs:|nfs4:][<server-ip>:]<root-dir>[:<nfs-options>]   or   ...<root-dir>[,<nfs-options>]
// The server ends at the first ":/" (a bracketed IPv6 server at its ']'); the path at the next ':' (options after it) or ','
// (options after it, the kernel's legacy style). Without ":/" the kernel's form applies
// (split_nfs_root_text: "server:path,options", a lone dotted quad is a server). `version` is 4
// for "nfs4:", else 0 (the options decide).
struct NfsRootForm {
  int version = 0;
  NfsRootText text;
};
[[nodiscard]] NfsRootForm split_dracut_nfs_root(std::string_view text);

struct NfsMountRequest {
  std::string server;          // "10.0.2.2", "fd00::1"
  std::string path;            // "/srv/nfsroot"
  std::string source;          // "10.0.2.2:/srv/nfsroot", "[fd00::1]:/srv/nfsroot": the mount(2) source
  std::string fstype;          // "nfs" (v2/v3) or "nfs4"
  bool read_only = true;       // MS_RDONLY
  std::vector<std::string> options;  // the filesystem data, one option each, in order
  int version = 3;             // major NFS version
  [[nodiscard]] std::string data() const;  // options joined with ','
};

struct NfsMountInput {
  std::string server;                     // an address (IpAddress::to_string), or a placeholder for the plan
  std::string path;                       // export path, '%s' already replaced
  std::vector<std::string> user_options;  // from nfsroot=, root=nfs:, DHCP root-path, rootflags=
  int version_hint = 0;                   // 4 for root=nfs4:
  bool read_only = true;
};

// The major NFS version an option asks for (vers=4.2, nfsvers=3, v4), or nullopt when it is not
// a version option. plan_nfs_mount() lets the last one win over nfs4: and the default, v3.
[[nodiscard]] std::optional<int> nfs_version_option(std::string_view option);

// Defaults first (NFSv3 over TCP, nolock: there is no statd in the initramfs), then the
// user's options, each replacing the default it contradicts ("vers=4.2" replaces "vers=3",
// "lock" replaces "nolock", "udp" replaces "proto=tcp"); "ro"/"rw" set the mount flag. With
// an IPv6 server the source is "[<server>]:<path>" and proto=/mountproto= name the IPv6
// transports (tcp6, udp6), which the kernel requires (see plan_nfs_mount).
[[nodiscard]] NfsMountRequest plan_nfs_mount(const NfsMountInput& input);

// The same mount from another server of the same root (nfsroot-init.servers=): the source, and
// addr= and mountaddr= where they named the old server.
[[nodiscard]] NfsMountRequest with_server(NfsMountRequest request, const std::string& server);

// nfsroot.rst: "%s" in the path becomes the hostname, or the client's address when there is
// no hostname. Every "%s" is replaced; the kernel's format string would take only the first.
[[nodiscard]] std::string expand_root_path(std::string_view path, std::string_view hostname,
                                           std::string_view client_address);

}  // namespace nfsroot
