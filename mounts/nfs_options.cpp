// Builds the NFS root mount request from the user's options and our defaults.
#include "mounts/nfs_options.h"

#include <algorithm>
#include <optional>

#include "base/cat.h"
#include "base/text.h"

namespace nfsroot {

namespace {

// Options that say the same thing in different spellings share a family; the last one wins.
std::string family_of(std::string_view option) {
  const std::string_view key = option.substr(0, option.find('='));
  if (key == "vers" || key == "nfsvers" || key == "v2" || key == "v3" || key == "v4" || key == "v4.0" ||
      key == "v4.1" || key == "v4.2") {
    return "vers";
  }
  if (key == "lock" || key == "nolock") return "lock";
  if (key == "proto" || key == "tcp" || key == "udp" || key == "rdma") return "proto";
  if (key.starts_with("no") && key.size() > 2 && option.find('=') == std::string_view::npos) {
    return std::string(key.substr(2));  // "noac" and "ac" are one family
  }
  return std::string(key);
}

}  // namespace

std::optional<int> nfs_version_option(std::string_view option) {
  std::string_view number;
  if (option.starts_with("vers=")) {
    number = option.substr(5);
  } else if (option.starts_with("nfsvers=")) {
    number = option.substr(8);
  } else if (option.starts_with('v') && option.size() >= 2 && option.find('=') == std::string_view::npos) {
    number = option.substr(1);
  } else {
    return std::nullopt;
  }
  return parse_decimal<int>(number.substr(0, number.find('.')));
}

namespace {

// Two or more addresses joined by ',': several servers (README "Several servers").
bool is_server_list(std::string_view text) {
  if (text.find(',') == std::string_view::npos) return false;
  return std::ranges::all_of(split(text, ','),
                             [](std::string_view word) { return IpAddress::parse_host(word).has_value(); });
}

// The first ':' outside brackets: where the server part ends ("[fd00::1]:/srv" at 9); npos
// when there is none, or a bracket is not closed.
std::size_t server_colon(std::string_view text) {
  bool inside = false;
  for (std::size_t at = 0; at < text.size(); ++at) {
    if (text[at] == '[') inside = true;
    if (text[at] == ']') inside = false;
    if (text[at] == ':' && !inside) return at;
  }
  return std::string_view::npos;
}

// SERVER (a host text, as from split_nfs_root_text) as an address; nullopt when it is not one.
std::optional<IpAddress> server_address(std::optional<std::string_view> server) {
  return server ? IpAddress::parse_host(*server) : std::nullopt;
}

// SERVER as written: a list becomes its first and the rest.
void set_server(NfsRootText& text, std::string_view server) {
  if (!is_server_list(server)) {
    text.server = server;
    return;
  }
  auto words = split(server, ',');
  text.server = words.front();
  text.more_servers.assign(words.begin() + 1, words.end());
}

}  // namespace

NfsRootText split_nfs_root_text(std::string_view text) {
  NfsRootText result;
  std::string_view rest = text;
  const auto colon = server_colon(rest);
  if (!rest.starts_with('/') && colon != std::string_view::npos &&
      (rest.find(',') > colon || is_server_list(rest.substr(0, colon)))) {
    set_server(result, rest.substr(0, colon));
    rest.remove_prefix(colon + 1);
  } else if (IpAddress::parse_host(rest)) {
    result.server = rest;
    rest = {};
  }
  const auto comma = rest.find(',');
  result.path = rest.substr(0, comma);
  if (result.path == "default") result.path = {};
  if (comma != std::string_view::npos) {
    for (const auto option : split(rest.substr(comma + 1), ',')) {
      if (!option.empty()) result.options.emplace_back(option);
    }
  }
  return result;
}

std::vector<IpAddress> more_server_addresses(const NfsRootText& text) {
  std::vector<IpAddress> listed;
  for (const auto word : text.more_servers) {
    if (const auto address = IpAddress::parse_host(word)) listed.push_back(*address);
  }
  return more_servers_of_root(server_address(text.server), listed);
}

std::vector<IpAddress> more_servers_of_root(std::optional<IpAddress> server, const std::vector<IpAddress>& from_list,
                                            const std::vector<IpAddress>& from_option) {
  std::vector<IpAddress> servers;
  for (const auto* list : {&from_list, &from_option}) {
    for (const auto& address : *list) {
      if (address != server && std::ranges::find(servers, address) == servers.end()) servers.push_back(address);
    }
  }
  return servers;
}

NfsRootForm split_dracut_nfs_root(std::string_view text) {
  NfsRootForm form;
  if (text.starts_with("nfs4:")) {
    form.version = 4;
    text.remove_prefix(5);
  } else if (text.starts_with("nfs:")) {
    text.remove_prefix(4);
  }
  // A bracketed IPv6 server holds colons of its own: look from its ']' on.
  const auto server_end = text.find(":/", text.starts_with('[') ? text.find(']') : 0);
  if (server_end == std::string_view::npos || text.starts_with('/')) {
    // No "<server>:/": the kernel's own form, which also covers "/path:options".
    if (!text.starts_with('/') || text.find(':') == std::string_view::npos) {
      form.text = split_nfs_root_text(text);
      return form;
    }
  } else {
    set_server(form.text, text.substr(0, server_end));
    text.remove_prefix(server_end + 1);
  }
  // A ',' before any ':' is the kernel's legacy style: the options run to the end, colons and
  // all (sec=krb5:krb5i); otherwise the path ends at the first ':'.
  const auto comma = text.find(',');
  const auto end = std::min(comma, text.find(':'));
  const std::string_view path = text.substr(0, end);
  std::vector<std::string_view> option_lists;
  if (end != std::string_view::npos) option_lists.push_back(text.substr(end + 1));
  form.text.path = path == "default" ? std::string_view{} : path;
  for (const auto list : option_lists) {
    for (const auto option : split(list, ',')) {
      if (!option.empty()) form.text.options.emplace_back(option);
    }
  }
  return form;
}

std::string NfsMountRequest::data() const { return join(options, ","); }

namespace {

bool is_ipv6_server(std::string_view server) {
  const auto address = IpAddress::parse(server);
  return address && address->is_v6();
}

// fs/nfs/super.c nfs_parse_source(): an IPv6 server is bracketed in "<server>:<path>".
std::string mount_source(std::string_view server, std::string_view path) {
  return cat(is_ipv6_server(server) ? cat('[', server, ']') : std::string(server), ':', path);
}

// fs/nfs/fs_context.c: proto=tcp and udp (and mountproto=) pin the family to AF_INET, and a
// family that differs from addr='s fails the mount ("server address does not match proto=
// option"); mount.nfs names the IPv6 transports for an IPv6 server, and so do we.
void use_ipv6_transports(std::vector<std::string>& options) {
  for (auto& option : options) {
    for (const std::string_view key : {"proto=", "mountproto="}) {
      if (option == cat(key, "tcp") || option == cat(key, "udp")) option += '6';
    }
  }
}

}  // namespace

NfsMountRequest plan_nfs_mount(const NfsMountInput& input) {
  NfsMountRequest request;
  request.read_only = input.read_only;
  request.server = input.server;
  request.path = input.path;
  request.source = mount_source(input.server, input.path);

  std::vector<std::string> user;
  for (const auto& option : input.user_options) {
    if (option == "ro") {
      request.read_only = true;
    } else if (option == "rw") {
      request.read_only = false;
    } else if (!option.empty()) {
      user.push_back(option);
    }
  }
  int version = input.version_hint == 4 ? 4 : 3;
  for (const auto& option : user) {
    if (const auto asked = nfs_version_option(option)) version = *asked;
  }
  request.version = version;
  request.fstype = version >= 4 ? "nfs4" : "nfs";

  std::vector<std::string> options;
  if (version >= 4) {
    options = {"vers=4", "proto=tcp"};
  } else {
    options = {"vers=" + std::to_string(version), "proto=tcp", "nolock"};
  }
  for (const auto& option : user) {
    const std::string family = family_of(option);
    std::erase_if(options, [&](const std::string& existing) { return family_of(existing) == family; });
    options.push_back(option);
  }
  // mount(2) gets no hostname resolution: the kernel needs the server's address spelled out.
  std::erase_if(options, [](const std::string& o) { return o.starts_with("addr="); });
  options.push_back("addr=" + input.server);
  if (version < 4 && std::none_of(options.begin(), options.end(),
                                  [](const std::string& o) { return o.starts_with("mountaddr="); })) {
    options.push_back("mountaddr=" + input.server);
  }
  if (is_ipv6_server(input.server)) use_ipv6_transports(options);
  request.options = std::move(options);
  return request;
}

NfsMountRequest with_server(NfsMountRequest request, const std::string& server) {
  for (auto& option : request.options) {
    for (const std::string_view key : {"addr=", "mountaddr="}) {
      if (option.starts_with(key) && std::string_view(option).substr(key.size()) == request.server) {
        option = std::string(key) + server;
      }
    }
  }
  // Servers of one root may be of both families: the transports follow the new one.
  if (is_ipv6_server(server) != is_ipv6_server(request.server)) {
    for (auto& option : request.options) {
      if (!option.starts_with("proto=") && !option.starts_with("mountproto=")) continue;
      if (option.ends_with('6')) {
        option.pop_back();
      } else if (option.ends_with("tcp") || option.ends_with("udp")) {
        option += '6';
      }
    }
  }
  request.server = server;
  request.source = mount_source(server, request.path);
  return request;
}

std::string expand_root_path(std::string_view path, std::string_view hostname, std::string_view client_address) {
  const std::string_view name = hostname.empty() ? client_address : hostname;
  std::string expanded;
  for (auto at = path.find("%s"); at != std::string_view::npos; at = path.find("%s")) {
    expanded += path.substr(0, at);
    expanded += name;
    path.remove_prefix(at + 2);
  }
  expanded += path;
  return expanded;
}

}  // namespace nfsroot
