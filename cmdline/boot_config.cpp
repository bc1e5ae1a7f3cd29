// Kernel command line -> BootConfig, with the semantics of the kernel's nfsroot.rst and
// net/ipv4/ipconfig.c, of initramfs-tools and of dracut.
#include "cmdline/boot_config.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <utility>

#include "base/cat.h"
#include "base/text.h"
#include "net/runtime_file.h"

namespace nfsroot {

namespace {

constexpr std::string_view kOwnPrefix = "nfsroot-init.";
constexpr std::size_t kMaxHostnameLength = 64;    // __NEW_UTS_LEN
constexpr std::size_t kMaxInterfaceNameLength = 15;  // IFNAMSIZ - 1
constexpr std::size_t kMaxDhcpOptionLength = 255;    // RFC 2132 2: one length octet

class Parser {
 public:
  ParsedBootConfig parse(const KernelCommandLine& line);

 private:
  void parameter(const KernelParameter& parameter);
  void ip(std::string_view option, std::string_view value);
  void ip_kernel_form(std::string_view option, std::string_view value, const std::vector<std::string_view>& fields);
  void ip_ipv6_form(std::string_view option, std::string_view value);
  std::optional<Ipv6Address> ipv6_field(std::string_view option, std::string_view value, std::string_view field,
                                        std::string_view what);
  std::optional<Ipv4Address> address_field(std::string_view option, std::string_view value, std::string_view field,
                                           std::string_view what);
  bool autoconf_word(std::string_view option, std::string_view value, std::string_view word);
  void nfsroot(std::string_view value);
  void dracut_root(std::string_view value);
  void live_root(std::string_view value);
  void root(std::string_view value);
  void break_points(std::string_view option, std::string_view value);
  void own_option(std::string_view key, std::string_view value);
  void virtual_link(std::string_view key, std::string_view value);
  void vlan(std::string_view value);
  void bond(std::string_view value);
  bool bad_bracketed_server(std::string_view option, std::string_view value, std::string_view server_part);
  std::optional<int> seconds(std::string_view option, std::string_view value, int minimum, int fallback);
  bool writes_files(std::string_view option, std::string_view value);

  void warn(std::string_view option, std::string_view value, std::string_view problem, std::string_view instead) {
    std::string line(option);
    line += '=';
    line += value;
    line += ": ";
    line += problem;
    if (!instead.empty()) {
      line += "; ";
      line += instead;
    }
    result_.warnings.push_back(std::move(line));
  }

  ParsedBootConfig result_;
  BootConfig& config_ = result_.config;
  std::optional<int> rootdelay_;
  std::optional<int> own_mount_timeout_;
  bool root_nfs_spec_given_ = false;  // root=nfs:… / root=nfs4:…, which wins over nfsroot=
  bool nfsroot_given_ = false;
  std::string live_image_;  // the image file (or channel) that root=live:nfs://… names
  std::vector<std::string> nfsopts_;  // nfsopts= and rootflags=, appended after the rest
};

ParsedBootConfig Parser::parse(const KernelCommandLine& line) {
  for (const auto& parameter : line.parameters) this->parameter(parameter);
  if (own_mount_timeout_) {
    config_.mount_timeout_seconds = *own_mount_timeout_;
  } else if (rootdelay_) {
    config_.mount_timeout_seconds = *rootdelay_;
  }
  if (root_nfs_spec_given_ && nfsroot_given_) {
    result_.warnings.push_back(
        "nfsroot=: ignored because root=" + config_.root_argument +
        " names the NFS root too; remove one of them");
  }
  if (!live_image_.empty()) {
    if (config_.image.empty()) {
      config_.image = live_image_;
      config_.image_option = "root=live:";
    } else if (config_.image != live_image_) {
      result_.warnings.push_back("root=" + config_.root_argument + ": names the image " + live_image_ +
                                 ", but nfsroot-init.image=" + config_.image + " wins; remove one of them");
    }
  }
  if (config_.copy_to_ram && config_.image.empty()) {
    result_.warnings.push_back(config_.copy_to_ram_option +
                               ": copies an image to RAM, and no nfsroot-init.image= or root=live: names one; "
                               "booting the export as a directory");
    config_.copy_to_ram = false;
  }
  if (config_.image_read_ahead_kib && config_.image.empty()) {
    result_.warnings.push_back(cat("nfsroot-init.image_readahead=", *config_.image_read_ahead_kib,
                                   ": sets how an image is read, and no nfsroot-init.image= or root=live: names one; "
                                   "the directory's read-ahead stays the kernel's"));
    config_.image_read_ahead_kib.reset();
  }
  config_.nfs.options.insert(config_.nfs.options.end(), nfsopts_.begin(), nfsopts_.end());
  std::sort(config_.breaks.begin(), config_.breaks.end());
  config_.breaks.erase(std::unique(config_.breaks.begin(), config_.breaks.end()), config_.breaks.end());
  config_.init_arguments = line.init_arguments;
  return std::move(result_);
}

void Parser::parameter(const KernelParameter& parameter) {
  const std::string_view key = parameter.key;
  const bool has_value = parameter.value.has_value();
  const std::string_view value = has_value ? std::string_view(*parameter.value) : std::string_view{};

  if (key.starts_with(kOwnPrefix)) {
    own_option(key.substr(kOwnPrefix.size()), value);
  } else if (key == "ip" || key == "nfsaddrs") {
    if (config_.ip.given) {
      result_.warnings.push_back(std::string(key) + "=" + std::string(value) +
                                 ": ip= given more than once; the last one is used, as the kernel does");
    }
    ip(key, value);
  } else if (key == "nfsroot" && has_value) {
    nfsroot_given_ = true;
    if (!root_nfs_spec_given_) nfsroot(value);
  } else if (key == "root" && has_value) {
    root(value);
  } else if (key == "nfsopts" && has_value) {
    // initramfs-tools: extra options for the NFS mount.
    for (const auto option : split(value, ',')) {
      if (!option.empty()) nfsopts_.emplace_back(option);
    }
  } else if (key == "rootflags" && has_value) {
    for (const auto option : split(value, ',')) {
      if (!option.empty()) nfsopts_.emplace_back(option);
    }
  } else if (key == "ro" && !has_value) {
    config_.read_only = true;
  } else if (key == "rw" && !has_value) {
    config_.read_only = false;
  } else if (key == "init" && has_value) {
    if (!value.starts_with('/')) {
      warn(key, value, "not an absolute path", "searching /sbin/init, /etc/init, /bin/init, /bin/sh instead");
    } else {
      config_.init = std::string(value);
    }
  } else if (key == "rootdelay" && has_value) {
    rootdelay_ = seconds(key, value, 0, config_.mount_timeout_seconds);
  } else if (key == "panic" && has_value) {
    if (const auto number = parse_decimal<int>(value)) {
      config_.panic_seconds = *number;
    } else {
      warn(key, value, "not a whole number of seconds", "using a rescue shell on failure instead");
    }
  } else if (key == "break") {
    break_points(key, has_value ? value : "premount");  // initramfs-tools: a bare break is premount
  } else if (key == "rd.break") {
    if (has_value) {
      break_points(key, value);
    } else {
      config_.breaks.push_back(BreakPoint::Init);  // dracut: a bare rd.break stops before switch_root
    }
  } else if (key == "rd.live.ram") {
    // dracut's dmsquash-live: rd.live.ram or rd.live.ram=1 copies the live image into RAM.
    if (!has_value || value == "1" || value == "yes") {
      config_.copy_to_ram = true;
      config_.copy_to_ram_option = "rd.live.ram";
    } else if (value != "0" && value != "no") {
      warn(key, value, "not 1 or 0", "not copying the image to RAM");
    }
  } else if (key == "debug") {
    config_.debug = true;
  } else if (key == "quiet" && !has_value) {
    config_.quiet = true;
  } else if (key == "BOOTIF" && has_value) {
    // pxelinux IPAPPEND 2: "01-" (ARP hardware type 1, Ethernet) then the MAC with dashes.
    const auto mac = value.size() == 20 && value[2] == '-' ? MacAddress::parse(value.substr(3)) : std::nullopt;
    if (!mac) {
      warn(key, value, "not 01-xx-xx-xx-xx-xx-xx", "ignoring BOOTIF= and trying every Ethernet interface");
    } else if (value.substr(0, 2) != "01") {
      warn(key, value, "hardware type is not 01 (Ethernet)", "ignoring BOOTIF=");
    } else {
      config_.boot_interface = mac;
    }
  } else if (key == "dhcpclass" && has_value) {
    if (value.empty() || value.size() > kMaxDhcpOptionLength) {
      warn(key, value, "must be 1 to 255 characters",
           "sending the default class \"" + std::string(kDefaultDhcpClass) + "\" instead");
    } else {
      config_.dhcp_class = std::string(value);
    }
  } else if (key == "carrier_timeout" && has_value) {
    if (const auto number = seconds(key, value, 0, config_.carrier_timeout_seconds)) {
      config_.carrier_timeout_seconds = *number;
    }
  } else if (key == "nfsrootdebug") {
    config_.nfs_debug = true;
  } else if (key == "vlan") {
    vlan(has_value ? value : std::string_view());
  } else if (key == "bond") {
    bond(has_value ? value : std::string_view());
  } else if (key == "bridge" || key == "team") {
    virtual_link(key, has_value ? value : std::string_view());
  } else if (key == "rd.net.timeout.carrier" && has_value) {
    // dracut.cmdline(7): how long to wait for carrier; ours is carrier_timeout=.
    if (const auto number = seconds(key, value, 0, config_.carrier_timeout_seconds)) {
      config_.carrier_timeout_seconds = *number;
    }
  } else if (key == "rd.net.timeout.dhcp" && has_value) {
    // dracut.cmdline(7): dhclient's --timeout; ours is nfsroot-init.dhcp_timeout=.
    if (const auto number = seconds(key, value, 1, config_.dhcp_timeout_seconds)) {
      config_.dhcp_timeout_seconds = *number;
    }
  } else if (key == "rd.net.timeout.iflink" && has_value) {
    // dracut.cmdline(7): how long to wait for the interface; ours is nfsroot-init.interface_timeout=.
    if (const auto number = seconds(key, value, 0, config_.interface_timeout_seconds)) {
      config_.interface_timeout_seconds = *number;
    }
  }
  // rd.neednet asks dracut to bring the network up without a network root; with an NFS root
  // it always comes up, so it needs nothing here.
  // Anything else belongs to the kernel or to the root system: ignored, as the kernel does.
}

// dracut.cmdline(7): vlan=<vlanname>:<phys>, the VLAN id read from the name in one of the
// four forms of vconfig's name types (and dracut's parse-vlan.sh): vlan0005, vlan5, eth0.0005,
// eth0.5. A vlan= that cannot be made stops the plan: booting untagged would put the machine on
// another network than the one asked for.
void Parser::vlan(std::string_view value) {
  const std::string option = "vlan=";
  const auto fail = [&](std::string_view problem) {
    config_.unsupported.push_back(error_with_problem(
        option, value, problem, "write vlan=<name>:<interface> with the name vlan<id> or <interface>.<id> "
                                "and the id 1 to 4094, e.g. vlan=eth0.5:eth0"));
  };
  const std::size_t colon = value.find(':');
  if (colon == std::string_view::npos || value.find(':', colon + 1) != std::string_view::npos) {
    return fail("not <name>:<interface>");
  }
  const std::string_view name = value.substr(0, colon);
  const std::string_view parent = value.substr(colon + 1);
  if (!is_plain_interface_name(name) || !is_plain_interface_name(parent) || name == parent) {
    return fail("the names must differ and be 1 to 15 letters, digits or -_.@");
  }
  std::string_view digits;
  if (name.starts_with("vlan")) {
    digits = name.substr(4);
  } else if (name.size() > parent.size() + 1 && name.starts_with(parent) && name[parent.size()] == '.') {
    digits = name.substr(parent.size() + 1);
  }
  const auto id = digits.size() <= 4 ? parse_decimal<unsigned>(digits) : std::nullopt;
  if (!id) return fail(cat("no VLAN id in the name ", name));
  if (*id < 1 || *id > 4094) return fail(cat("VLAN id ", *id, " is not 1 to 4094"));
  if (config_.vlan) {
    config_.unsupported.push_back(error_with_problem(
        option, value, cat("a second VLAN (", config_.vlan->name, " is the first); nfsroot-init makes one"),
        "keep the vlan= of the network the root is on"));
    return;
  }
  config_.vlan = VlanLink{std::string(name), std::string(parent), static_cast<std::uint16_t>(*id)};
}

// The bonding driver's options that sysfs takes (/sys/class/net/<bond>/bonding/, kernel 6.1's
// Documentation/networking/bonding.rst); a name not here would fail at boot, so it fails now.
constexpr std::array<std::string_view, 31> kBondOptions{
    "active_slave",     "ad_actor_sys_prio", "ad_actor_system", "ad_select",        "ad_user_port_key",
    "all_slaves_active", "arp_all_targets",  "arp_interval",    "arp_ip_target",    "arp_missed_max",
    "arp_validate",     "downdelay",         "fail_over_mac",   "lacp_active",      "lacp_rate",
    "lp_interval",      "miimon",            "min_links",       "mode",             "ns_ip6_target",
    "num_grat_arp",     "num_unsol_na",      "packets_per_slave", "peer_notif_delay", "primary",
    "primary_reselect", "resend_igmp",       "tlb_dynamic_lb",  "updelay",          "use_carrier",
    "xmit_hash_policy"};

// dracut.cmdline(7): bond=<name>[:<slaves>[:<options>[:<mtu>]]]; a bare bond is
// bond0:eth0,eth1:mode=balance-rr, and without slaves they are eth0,eth1 (dracut's
// parse-bond.sh). The options are comma-separated driver options. A bond= that cannot be made
// stops the plan, as a vlan= does.
void Parser::bond(std::string_view value) {
  const std::string option = value.empty() ? "bond" : "bond=";
  const auto fail = [&](std::string_view problem) {
    config_.unsupported.push_back(error_with_problem(
        option, value, problem,
        "write bond=<name>:<interface>,<interface>:<option>=<value>,…[:<mtu>], e.g. "
        "bond=bond0:eth0,eth1:mode=active-backup,miimon=100"));
  };
  const std::vector<std::string_view> fields = split(value, ':');
  if (fields.size() > 4) return fail("more than <name>:<slaves>:<options>:<mtu>");
  BondLink bond;
  bond.name = value.empty() ? "bond0" : std::string(fields[0]);
  if (!is_plain_interface_name(bond.name)) return fail("the name must be 1 to 15 letters, digits or -_.@");
  const std::string_view slaves = fields.size() > 1 ? fields[1] : "eth0,eth1";
  for (const auto slave : split(slaves, ',')) {
    if (!is_plain_interface_name(slave) || slave == bond.name) {
      return fail(cat("the slave \"", slave, "\" is not an interface name other than the bond's"));
    }
    if (std::find(bond.slaves.begin(), bond.slaves.end(), slave) != bond.slaves.end()) {
      return fail(cat("the slave ", slave, " is named twice"));
    }
    bond.slaves.emplace_back(slave);
  }
  const std::string_view options = value.empty() ? "mode=balance-rr" : fields.size() > 2 ? fields[2] : "";
  if (!options.empty()) {
    for (const auto item : split(options, ',')) {
      const std::size_t equals = item.find('=');
      const std::string_view name = item.substr(0, equals);
      const std::string_view setting = equals == std::string_view::npos ? "" : item.substr(equals + 1);
      if (std::find(kBondOptions.begin(), kBondOptions.end(), name) == kBondOptions.end()) {
        return fail(cat("\"", name, "\" is not an option of the bonding driver"));
      }
      const bool printable = std::all_of(setting.begin(), setting.end(), [](char c) { return c > ' ' && c < 127; });
      if (setting.empty() || !printable) return fail(cat("the option ", name, " has no value"));
      bond.options.emplace_back(name, setting);
    }
  }
  if (fields.size() > 3) {
    const auto mtu = parse_decimal<std::uint32_t>(fields[3]);
    if (!mtu || *mtu < 68 || *mtu > 65535) return fail(cat("MTU ", fields[3], " is not 68 to 65535"));
    bond.mtu = *mtu;
  }
  if (config_.bond) {
    config_.unsupported.push_back(error_with_problem(
        option, value, cat("a second bond (", config_.bond->name, " is the first); nfsroot-init makes one"),
        "keep the bond= the root is reached through"));
    return;
  }
  config_.bond = std::move(bond);
}

// dracut.cmdline(7): bridge=<name>:<ifaces>, team=<name>:<ifaces>. The link's name is the first
// field.
void Parser::virtual_link(std::string_view key, std::string_view value) {
  std::string name(value.substr(0, value.find(':')));
  const std::string option = std::string(key) + (value.empty() ? "" : "=" + std::string(value));
  const std::string_view kind = key == "bridge" ? "bridge" : "team";
  result_.warnings.push_back(cat(option, ": dracut's ", kind, " links are not made by nfsroot-init yet; ",
                                 name.empty() ? std::string("no link") : name, " is not created, and the boot uses the ",
                                 "physical interfaces as they are"));
  if (!name.empty()) config_.virtual_links.push_back({std::move(name), option});
}

// dracut.cmdline(7) writes an IPv6 server in brackets: nfsroot=[fd00::1]:/srv,
// root=nfs:[fd00::1]:/srv. One that is not closed, or holds no usable address, would be split
// into a server and a path that mean nothing: it stops the plan, saying how to write it.
bool Parser::bad_bracketed_server(std::string_view option, std::string_view value, std::string_view server_part) {
  const auto host = bracketed_host(server_part);
  if (!host) return false;
  std::string problem;
  std::string_view fix = "write the server as [<IPv6 address>]:<path>, for example nfsroot=[fd00::1]:/srv/root";
  if (host->length == 0) {
    problem = "the IPv6 server's '[' is not closed";
  } else if (const auto address = Ipv6Address::parse(host->address.substr(0, host->address.find('%')));
             address && (address->is_link_local() || host->address.find('%') != std::string_view::npos)) {
    // An NFS source names no interface, and the kernel's mount would need one for fe80::/10.
    problem = cat("the server ", escape_for_log(host->address), " is link-local: a mount cannot say on which link");
    fix = "name the server by a global or unique-local address (fd00::/8)";
  } else if (!address || address->is_unspecified() || address->is_multicast()) {
    problem = cat("'[", escape_for_log(host->address), "]' is not an IPv6 server address");
  } else {
    return false;
  }
  config_.unsupported.push_back(error_with_problem(option, value, problem, fix));
  return true;
}

std::optional<int> Parser::seconds(std::string_view option, std::string_view value, int minimum, int fallback) {
  const auto number = parse_decimal<int>(value);
  if (!number || *number < minimum) {
    warn(option, value, cat("not a whole number of seconds >= ", minimum), cat("using ", fallback, " s instead"));
    return std::nullopt;
  }
  return number;
}

// nfsroot-init.networkd=, .networkmanager=, .ifupdown=: whether to write a manager's runtime
// files at the hand-off; anything but yes or no keeps the default (yes), with a warning.
bool Parser::writes_files(std::string_view option, std::string_view value) {
  if (value == "no" || value == "0" || value == "n") return false;
  if (value != "yes" && value != "1" && value != "y") warn(option, value, "not yes or no", "writing the files (yes)");
  return true;
}

// --- ip= -----------------------------------------------------------------------------------

// ipconfig.c ic_proto_name(): returns true when `word` names a protocol (or off/none) and
// records it; "dhcp,<type>,<value>" carries a client identifier.
bool Parser::autoconf_word(std::string_view option, std::string_view value, std::string_view word) {
  IpConfig& ip = config_.ip;
  if (word == "on" || word == "any") {
    ip.autoconf = IpAutoconf::On;
  } else if (word == "off" || word == "none") {
    ip.autoconf = IpAutoconf::Off;
  } else if (word == "bootp") {
    ip.autoconf = IpAutoconf::Bootp;
  } else if (word == "rarp") {
    ip.autoconf = IpAutoconf::Rarp;
    warn(option, value, "RARP is not supported", "using DHCP instead");
  } else if (word == "both") {
    ip.autoconf = IpAutoconf::Both;
  } else if (word.starts_with("dhcp")) {
    ip.autoconf = IpAutoconf::Dhcp;
    const std::string_view rest = word.substr(4);
    if (rest.starts_with(',')) {
      const auto comma = rest.find(',', 1);
      if (comma == std::string_view::npos) {
        warn(option, value, "client identifier needs dhcp,<type>,<value>", "sending none");
        return true;
      }
      const std::string_view type_text = rest.substr(1, comma - 1);
      std::uint8_t type = 0;
      const bool hex = type_text.starts_with("0x") || type_text.starts_with("0X");
      const std::string_view digits = hex ? type_text.substr(2) : type_text;
      auto [end, status] = std::from_chars(digits.data(), digits.data() + digits.size(), type, hex ? 16 : 10);
      const std::string_view id = rest.substr(comma + 1);
      if (digits.empty() || status != std::errc{} || end != digits.data() + digits.size()) {
        warn(option, value, "client identifier type '" + std::string(type_text) + "' is not a number 0..255",
             "sending no client identifier");
      } else if (id.empty() || id.size() + 1 > kMaxDhcpOptionLength) {
        warn(option, value, "client identifier must be 1 to 254 characters", "sending none");
      } else {
        ip.client_id = DhcpClientId{type, std::string(id)};
      }
    } else if (rest == "6") {
      // dracut.cmdline(7): "dhcp6" is stateful DHCPv6 (RFC 8415) for the address and DNS.
      ip.autoconf = IpAutoconf::Dhcp6;
    } else if (!rest.empty()) {
      warn(option, value, "unknown protocol '" + std::string(word) + "'", "using DHCP");
    }
  } else if (word == "auto6") {
    // dracut.cmdline(7): "auto6" is IPv6 autoconfiguration, which the kernel does itself from
    // router advertisements (RFC 4862); the network step waits for its address.
    ip.autoconf = IpAutoconf::Auto6;
  } else if (word == "either6" || word == "link6") {
    ip.autoconf = IpAutoconf::Dhcp;
    warn(option, value, "IPv6 configuration '" + std::string(word) + "' is not supported (auto6, dhcp6 and a "
         "static [<v6 client>] are)", "using DHCP (IPv4) instead");
  } else {
    return false;
  }
  return true;
}

void Parser::ip(std::string_view option, std::string_view value) {
  config_.ip = IpConfig{};
  config_.ip.given = true;
  if (value.empty()) {
    config_.ip.autoconf = IpAutoconf::Off;  // ipconfig.c: an empty ip= turns configuration off
    return;
  }
  if (autoconf_word(option, value, value)) return;
  // dracut's ip=[<v6 client>]:[<v6 server>]:[<v6 gw>]:<prefix>:<hostname>:<iface>:<autoconf>.
  if (value.starts_with('[')) {
    ip_ipv6_form(option, value);
    return;
  }

  const auto fields = split(value, ':');
  // dracut: ip=<interface>:<autoconf>[:<mtu>[:<macaddr>]]. The kernel form has an address (or
  // nothing) first, so a first field that is neither marks this form.
  if (fields.size() >= 2 && !fields[0].empty() && !Ipv4Address::parse(fields[0]) &&
      fields[0].find_first_not_of("0123456789.") != std::string_view::npos) {
    IpAutoconf saved = config_.ip.autoconf;
    if (autoconf_word(option, value, fields[1])) {
      config_.ip.device = std::string(fields[0]);
      if (fields.size() > 2) {
        warn(option, value, "dracut's <mtu> and <macaddr> fields are not supported", "ignoring them");
      }
      return;
    }
    config_.ip.autoconf = saved;
  }
  ip_kernel_form(option, value, fields);
}

std::optional<Ipv4Address> Parser::address_field(std::string_view option, std::string_view value,
                                                 std::string_view field, std::string_view what) {
  const auto address = Ipv4Address::parse(field);
  if (!address) {
    warn(option, value, std::string(what) + " '" + std::string(field) + "' is not an IPv4 address (a.b.c.d)",
         "ignoring it");
    return std::nullopt;
  }
  if (address->is_unspecified()) return std::nullopt;  // nfsroot.rst: 0.0.0.0 means "not set"
  return address;
}

void Parser::ip_kernel_form(std::string_view option, std::string_view value,
                            const std::vector<std::string_view>& fields) {
  IpConfig& ip = config_.ip;
  for (std::size_t index = 0; index < fields.size(); ++index) {
    const std::string_view field = fields[index];
    if (field.empty()) continue;  // skipped, but the index still advances
    switch (index) {
      case 0: ip.client = address_field(option, value, field, "client address"); break;
      case 1: ip.server = address_field(option, value, field, "server address"); break;
      case 2: ip.gateway = address_field(option, value, field, "gateway"); break;
      case 3:
        ip.netmask = address_field(option, value, field, "netmask");
        if (ip.netmask && !prefix_length(*ip.netmask)) {
          warn(option, value, "netmask '" + std::string(field) + "' is not contiguous",
               "deriving it from the address class instead");
          ip.netmask.reset();
        }
        break;
      case 4: {
        // "host.nisdomain": the kernel splits at the first dot.
        const auto dot = field.find('.');
        std::string_view host = field.substr(0, dot);
        if (dot != std::string_view::npos) ip.nis_domain = std::string(field.substr(dot + 1));
        if (host.size() > kMaxHostnameLength) {
          warn(option, value, "hostname longer than 64 characters", "cutting it to 64");
          host = host.substr(0, kMaxHostnameLength);
        }
        ip.hostname = std::string(host);
        break;
      }
      case 5:
        if (field.size() > kMaxInterfaceNameLength || field.find('/') != std::string_view::npos) {
          warn(option, value, "device '" + std::string(field) + "' is not an interface name",
               "trying every Ethernet interface instead");
        } else {
          ip.device = std::string(field);
        }
        break;
      case 6:
        if (!autoconf_word(option, value, field)) {
          warn(option, value, "unknown autoconf '" + std::string(field) + "'",
               "using off/none semantics (static with a client address, else DHCP)");
          ip.autoconf = IpAutoconf::Unset;
        }
        break;
      case 7: ip.dns0 = address_field(option, value, field, "DNS server 0"); break;
      case 8: ip.dns1 = address_field(option, value, field, "DNS server 1"); break;
      case 9: ip.ntp0 = address_field(option, value, field, "NTP server"); break;
      default:
        warn(option, value, "more than 10 fields", cat("ignoring field ", index + 1, " and later"));
        return;
    }
  }
}

// One bracketed IPv6 field of ip= ("[fd00::5]" without its brackets): a unicast address, never
// with a zone (the <device> field names the interface) or a prefix (the <netmask> field has it).
std::optional<Ipv6Address> Parser::ipv6_field(std::string_view option, std::string_view value,
                                              std::string_view field, std::string_view what) {
  const std::string text(field);
  if (field.find('%') != std::string_view::npos) {
    warn(option, value, std::string(what) + " '" + text + "' has a zone",
         "write it without %<zone>: the <device> field names the interface; ignoring ip=, using DHCP (IPv4)");
    return std::nullopt;
  }
  if (field.find('/') != std::string_view::npos) {
    warn(option, value, std::string(what) + " '" + text + "' has a prefix length",
         "put the prefix length in the <netmask> field; ignoring ip=, using DHCP (IPv4)");
    return std::nullopt;
  }
  const auto address = Ipv6Address::parse(field);
  if (!address) {
    warn(option, value, std::string(what) + " '" + text + "' is not an IPv6 address (RFC 4291 2.2)",
         "ignoring ip=, using DHCP (IPv4)");
    return std::nullopt;
  }
  if (address->is_unspecified() || address->is_multicast() || address->is_loopback() || address->is_ipv4_mapped()) {
    warn(option, value, std::string(what) + " '" + text + "' is not a unicast IPv6 address",
         "ignoring ip=, using DHCP (IPv4)");
    return std::nullopt;
  }
  return address;
}

// dracut's net-lib.sh ip_to_var() splits ip= at ':' except inside [...], then reads
// ip srv gw mask hostname dev autoconf; with an IPv6 <ip> ifup.sh adds ip/mask, so <mask> is a
// prefix length. Only the static form (autoconf none or off) is taken: one protocol per ip=.
// Any field that is wrong leaves the whole ip= out (a half-configured IPv6 address is worse
// than the DHCP (IPv4) the warning names).
void Parser::ip_ipv6_form(std::string_view option, std::string_view value) {
  IpConfig& ip = config_.ip;
  ip.autoconf = IpAutoconf::Dhcp;
  std::vector<std::string_view> fields;
  std::vector<bool> bracketed;
  std::string_view rest = value;
  for (;;) {
    if (const auto host = bracketed_host(rest)) {
      if (host->length == 0) {
        warn(option, value, "'[' without its ']'", "close the IPv6 address with ']'; ignoring ip=, using DHCP (IPv4)");
        return;
      }
      if (host->length < rest.size() && rest[host->length] != ':') {
        warn(option, value, "']' not followed by ':'", "fields are separated by ':'; ignoring ip=, using DHCP (IPv4)");
        return;
      }
      fields.push_back(host->address);
      bracketed.push_back(true);
      if (host->length >= rest.size()) break;
      rest = rest.substr(host->length + 1);
    } else {
      const auto colon = rest.find(':');
      fields.push_back(rest.substr(0, colon));
      bracketed.push_back(false);
      if (colon == std::string_view::npos) break;
      rest = rest.substr(colon + 1);
    }
  }
  const auto field = [&](std::size_t index) { return index < fields.size() ? fields[index] : std::string_view{}; };
  const std::string_view autoconf = field(6);
  if (!autoconf.empty() && autoconf != "none" && autoconf != "off") {
    warn(option, value, "an IPv6 client address with autoconf '" + std::string(autoconf) + "'",
         "only none or off (static) goes with [<v6 client>]; use ip=auto6 for router advertisements; ignoring ip=, "
         "using DHCP (IPv4)");
    return;
  }
  const auto client = ipv6_field(option, value, field(0), "client address");
  if (!client) return;
  if (client->is_link_local()) {
    warn(option, value, "client address '" + client->to_string() + "' is link-local (fe80::/10)",
         "the kernel makes the link-local address itself; give a global or unique local address; ignoring ip=, "
         "using DHCP (IPv4)");
    return;
  }
  // Server and gateway: empty, or an IPv6 address in brackets (a bare IPv4 one cannot go with
  // an IPv6 client).
  std::optional<Ipv6Address> server, gateway;
  for (const std::size_t index : {std::size_t{1}, std::size_t{2}}) {
    const std::string_view text = field(index);
    const std::string_view what = index == 1 ? "server address" : "gateway";
    if (text.empty()) continue;
    if (index >= bracketed.size() || !bracketed[index]) {
      warn(option, value, std::string(what) + " '" + std::string(text) + "' is not in brackets",
           "write an IPv6 address as [<address>], or leave the field empty; ignoring ip=, using DHCP (IPv4)");
      return;
    }
    auto address = ipv6_field(option, value, text, what);
    if (!address) return;
    (index == 1 ? server : gateway) = address;
  }
  const auto prefix = parse_ipv6_prefix_length(field(3));
  if (!prefix) {
    warn(option, value, "prefix length '" + std::string(field(3)) + "' is not a number 0..128",
         "write the prefix length (64 on most links) in the <netmask> field; ignoring ip=, using DHCP (IPv4)");
    return;
  }
  for (std::size_t index = 0; index < fields.size(); ++index) {
    if (index != 0 && index != 1 && index != 2 && bracketed[index]) {
      warn(option, value, cat("field ", index + 1, " is in brackets"), "only <client>, <server> and <gw> are "
           "addresses; ignoring ip=, using DHCP (IPv4)");
      return;
    }
  }
  // Hostname and device as in the IPv4 form (a VLAN name or bond, the same checks).
  std::vector<std::string_view> rest_fields(7);
  rest_fields[4] = field(4);
  rest_fields[5] = field(5);
  ip_kernel_form(option, value, rest_fields);
  if (fields.size() > 7) warn(option, value, "fields after <autoconf> with an IPv6 address", "ignoring them");
  ip.autoconf = IpAutoconf::Off;
  ip.client6 = client;
  ip.server6 = server;
  ip.gateway6 = gateway;
  ip.prefix6 = *prefix;
}

// --- root, nfsroot= ------------------------------------------------------------------------

// fs/nfs/nfsroot.c root_nfs_parse_addr(): the server is a leading dotted quad followed by ':'
// or the end. Something that looks like "name:/path" is reported: there is no DNS at boot.
void Parser::nfsroot(std::string_view value) {
  NfsRootSpec spec;
  if (value == "auto") {  // initramfs-tools: server and path from DHCP
    config_.nfs = spec;
    return;
  }
  if (bad_bracketed_server("nfsroot=", value, value)) return;
  const NfsRootText text = split_nfs_root_text(value);
  if (text.server) {
    spec.server = IpAddress::parse_host(*text.server);
    if (!spec.server) {
      warn("nfsroot", value,
           cat("server '", *text.server, "' is not ", kServerAddressForms, " (there is no DNS at boot)"),
           "taking the server from DHCP instead");
    }
  }
  // nfs_root_setup(): a relative name lives under /tftpboot/.
  spec.path = text.path.empty() || text.path.starts_with('/') ? std::string(text.path)
                                                              : "/tftpboot/" + std::string(text.path);
  spec.more_servers = more_server_addresses(text);
  spec.options = text.options;
  config_.nfs = std::move(spec);
}

// dracut: root=nfs:[<server-ip>:]<root-dir>[:<nfs-options>], nfs4:…, the same with
// ,<nfs-options>, and the legacy root=<server-ip>:<root-dir>[:<nfs-options>]
// (dracut.cmdline(7) "NFS", nfs-lib.sh nfsroot_to_var), split by split_dracut_nfs_root.
void Parser::dracut_root(std::string_view value) {
  const NfsRootForm form = split_dracut_nfs_root(value);
  NfsRootSpec spec;
  spec.given_by = "root=";
  spec.version = form.version;
  if (form.text.server) {
    if (const auto address = IpAddress::parse_host(*form.text.server)) {
      spec.server = *address;
    } else {
      warn("root", value,
           cat("server '", *form.text.server, "' is not ", kServerAddressForms, " (there is no DNS at boot)"),
           "taking the server from DHCP instead");
    }
  }
  spec.more_servers = more_server_addresses(form.text);
  spec.path = std::string(form.text.path);
  if (!spec.path.empty() && !spec.path.starts_with('/')) {
    warn("root", value, "path '" + spec.path + "' does not start with '/'", "using the DHCP root-path instead");
    spec.path.clear();
  }
  spec.options = form.text.options;
  config_.nfs = std::move(spec);
  root_nfs_spec_given_ = true;
}

// dracut's livenet: root=live:nfs://<server-ip>[:<port>]/<path>/<file> (RFC 2224's NFS URL, the
// port being the NFS server's, nfs-lib.sh rfc2224_nfs_to_var), and nfs4:// for NFSv4. Here it is
// image mode: the export is <path>, the image (a file, or a channel folder) is <file>.
void Parser::live_root(std::string_view value) {
  std::string_view url = value.substr(std::string_view("live:").size());
  NfsRootSpec spec;
  spec.given_by = "root=live:";
  if (url.starts_with("nfs://")) {
    url.remove_prefix(std::string_view("nfs://").size());
  } else if (url.starts_with("nfs4://")) {
    url.remove_prefix(std::string_view("nfs4://").size());
    spec.version = 4;
  } else {
    warn("root", value, "nfsroot-init loads live images from NFS only",
         "use root=live:nfs://<server-ip>/<path>/<image> or live:nfs4://…");
    config_.root_kind = RootKind::Other;
    return;
  }
  const auto slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : url.substr(slash);
  // RFC 3986 3.2.2: an IPv6 host is bracketed, and the port follows its ']'.
  const auto bracket = bracketed_host(authority);
  const std::size_t host_end = bracket && bracket->length > 0 ? bracket->length : 0;
  if (const auto colon = authority.find(':', host_end); colon != std::string_view::npos) {
    const std::string_view port = authority.substr(colon + 1);
    authority = authority.substr(0, colon);
    // anaconda's nfs://<server>:/<path> has an empty port: no option then.
    if (const auto number = parse_decimal<int>(port); number && *number >= 1 && *number <= 65535) {
      spec.options.push_back("port=" + std::string(port));
    } else if (!port.empty()) {
      warn("root", value, "port '" + std::string(port) + "' is not a number from 1 to 65535",
           "using the NFS server's usual port");
    }
  }
  if (const auto address = IpAddress::parse_host(authority)) {
    spec.server = *address;
  } else {
    warn("root", value, cat("server '", authority, "' is not ", kServerAddressForms, " (there is no DNS at boot)"),
         "taking the server from DHCP instead");
  }
  while (path.size() > 1 && path.ends_with('/')) path.remove_suffix(1);
  const auto last = path.rfind('/');
  if (last == std::string_view::npos || last + 1 == path.size()) {
    warn("root", value, "names no image file after the server",
         "use root=live:nfs://<server-ip>/<path>/<image>");
    config_.root_kind = RootKind::Other;
    return;
  }
  spec.path = last == 0 ? std::string("/") : std::string(path.substr(0, last));
  live_image_ = std::string(path.substr(last + 1));
  config_.nfs = std::move(spec);
  root_nfs_spec_given_ = true;
}

void Parser::root(std::string_view value) {
  config_.root_argument = std::string(value);
  config_.root_kind = RootKind::Nfs;
  live_image_.clear();
  if (value == "/dev/nfs") return;
  if (value.starts_with("live:")) {
    live_root(value);
    return;
  }
  if (value == "dhcp") {  // dracut: the root-path from DHCP
    config_.nfs = NfsRootSpec{};
    root_nfs_spec_given_ = true;
    return;
  }
  if (bad_bracketed_server("root=", value, value)) return;  // the legacy [<server-ip>]:<root-dir>
  if (value.starts_with("nfs:") && bad_bracketed_server("root=", value, value.substr(4))) return;
  if (value.starts_with("nfs4:") && bad_bracketed_server("root=", value, value.substr(5))) return;
  // nfs:…, nfs4:…, and dracut's legacy <server-ip>:/<root-dir>: a local device path
  // (/dev/sda1, UUID=…, LABEL=…) has no ":/" after an address.
  const auto server_end = value.find(":/", value.starts_with('[') ? value.find(']') : 0);
  if (value.starts_with("nfs:") || value.starts_with("nfs4:") ||
      (server_end != std::string_view::npos && (IpAddress::parse_host(value.substr(0, server_end)) ||
                                                !split_dracut_nfs_root(value).text.more_servers.empty()))) {
    dracut_root(value);
    return;
  }
  config_.root_kind = RootKind::Other;
}

// --- break= ---------------------------------------------------------------------------------

void Parser::break_points(std::string_view option, std::string_view value) {
  struct Name {
    std::string_view name;
    BreakPoint point;
  };
  // initramfs-tools' names, then dracut's hooks mapped to the step they precede here.
  static constexpr std::array<Name, 14> kNames{{
      {"top", BreakPoint::Top},           {"modules", BreakPoint::Modules},
      {"premount", BreakPoint::Premount}, {"mount", BreakPoint::Mount},
      {"mountroot", BreakPoint::Mount},   {"bottom", BreakPoint::Bottom},
      {"init", BreakPoint::Init},         {"cmdline", BreakPoint::Top},
      {"pre-udev", BreakPoint::Modules},  {"pre-trigger", BreakPoint::Modules},
      {"initqueue", BreakPoint::Premount}, {"pre-mount", BreakPoint::Mount},
      {"pre-pivot", BreakPoint::Bottom},  {"cleanup", BreakPoint::Init},
  }};
  for (const auto word : split(value, ',')) {
    const auto found = std::find_if(kNames.begin(), kNames.end(), [&](const Name& n) { return n.name == word; });
    if (found == kNames.end()) {
      warn(option, value, "unknown break point '" + std::string(word) + "'",
           "known: top, modules, premount, mount, bottom, init (and dracut's hook names)");
    } else {
      config_.breaks.push_back(found->point);
    }
  }
}

// --- nfsroot-init.* -------------------------------------------------------------------------

void Parser::own_option(std::string_view key, std::string_view value) {
  const std::string option = std::string(kOwnPrefix) + std::string(key);
  if (key == "overlay") {
    config_.overlay_entries.emplace_back(value);
  } else if (key == "image") {
    config_.image = value;
  } else if (key == "servers") {
    config_.extra_servers.clear();  // the last one wins, as with every option
    for (const auto word : split(value, ',')) {
      // Commas part the servers, so an IPv6 one may go without its brackets here.
      auto address = IpAddress::parse_host(word);
      if (!address) address = IpAddress::parse(word);
      const auto* v6 = address ? address->v6() : nullptr;
      if (!address || address->is_unspecified() || (v6 && (v6->is_multicast() || v6->is_link_local()))) {
        warn(option, value,
             cat("'", escape_for_log(word), "' is not a server's IPv4 or IPv6 address",
                 v6 && v6->is_link_local() ? " (a link-local one cannot be mounted: no link is named)" : ""),
             "leaving it out");
      } else if (std::ranges::find(config_.extra_servers, *address) == config_.extra_servers.end()) {
        config_.extra_servers.push_back(*address);
      }
    }
  } else if (key == "mount_jitter") {
    const auto number = parse_decimal<int>(value);
    if (!number || *number < 0 || *number > 10000) {
      warn(option, value, "not a number of milliseconds from 0 to 10000", "using the default");
    } else {
      config_.mount_jitter_ms = *number;
    }
  } else if (key == "toram") {
    // A bare nfsroot-init.toram asks for it, as live-boot's toram does.
    if (value.empty() || value == "yes" || value == "1" || value == "y") {
      config_.copy_to_ram = true;
      config_.copy_to_ram_option = option;
    } else if (value == "no" || value == "0" || value == "n") {
      config_.copy_to_ram = false;
    } else {
      warn(option, value, "not yes or no", "not copying the image to RAM");
    }
  } else if (key == "image_readahead") {
    const auto number = parse_decimal<std::uint32_t>(value);
    if (!number || *number > kMaxImageReadAheadKib) {
      warn(option, value, cat("not a number of KiB from 0 to ", kMaxImageReadAheadKib), "using the default");
    } else {
      config_.image_read_ahead_kib = *number;
    }
  } else if (key == "mount_timeout") {
    if (const auto number = seconds(option, value, 0, config_.mount_timeout_seconds)) own_mount_timeout_ = number;
  } else if (key == "interface_timeout") {
    if (const auto number = seconds(option, value, 0, config_.interface_timeout_seconds)) {
      config_.interface_timeout_seconds = *number;
    }
  } else if (key == "dhcp_timeout") {
    if (const auto number = seconds(option, value, 1, config_.dhcp_timeout_seconds)) {
      config_.dhcp_timeout_seconds = *number;
    }
  } else if (key == "networkd") {
    config_.networkd_files = writes_files(option, value);
  } else if (key == "networkmanager") {
    config_.networkmanager_files = writes_files(option, value);
  } else if (key == "ifupdown") {
    config_.ifupdown_files = writes_files(option, value);
  } else if (key == "poweroff_after") {
    // "modules" is the step's old name.
    if (value == "modules") value = to_string(BootStep::Drivers);
    for (const BootStep step : {BootStep::Plan, BootStep::Drivers, BootStep::Network, BootStep::Root,
                                BootStep::Unions}) {
      if (to_string(step) == value) {
        config_.poweroff_after = step;
        return;
      }
    }
    warn(option, value, "unknown step", "known: plan, drivers, network, root, unions; booting normally");
  } else if (key == "lease_keeper") {
    if (value == "auto") {
      config_.lease_keeper = LeaseKeeperMode::Auto;
    } else if (value == "yes" || value == "1" || value == "y") {
      config_.lease_keeper = LeaseKeeperMode::Always;
    } else if (value == "no" || value == "0" || value == "n") {
      config_.lease_keeper = LeaseKeeperMode::Never;
    } else {
      warn(option, value, "not auto, yes or no", "deciding by the root system (auto)");
      config_.lease_keeper = LeaseKeeperMode::Auto;
    }
  } else {
    warn(option, value, "unknown nfsroot-init option", "ignoring it; see nfsroot-init(8) for the list");
  }
}

}  // namespace

NetworkMode IpConfig::mode() const {
  if (client6) return NetworkMode::Static6;
  switch (autoconf) {
    case IpAutoconf::Auto6:
      return NetworkMode::Auto6;
    case IpAutoconf::Dhcp6:
      return NetworkMode::Dhcp6;
    case IpAutoconf::On:
    case IpAutoconf::Dhcp:
    case IpAutoconf::Bootp:
    case IpAutoconf::Rarp:
    case IpAutoconf::Both:
      return NetworkMode::Dhcp;
    case IpAutoconf::Off:
      return client ? NetworkMode::Static : NetworkMode::Off;
    case IpAutoconf::Unset:
      break;
  }
  if (client) return NetworkMode::Static;
  return NetworkMode::Dhcp;
}

ParsedBootConfig parse_boot_config(const KernelCommandLine& line) { return Parser{}.parse(line); }

ParsedBootConfig parse_boot_config(std::string_view command_line) {
  return parse_boot_config(split_kernel_command_line(command_line));
}

std::string_view to_string(BreakPoint point) {
  switch (point) {
    case BreakPoint::Top: return "top";
    case BreakPoint::Modules: return "modules";
    case BreakPoint::Premount: return "premount";
    case BreakPoint::Mount: return "mount";
    case BreakPoint::Bottom: return "bottom";
    case BreakPoint::Init: return "init";
  }
  return "?";
}

std::string_view to_string(BootStep step) {
  switch (step) {
    case BootStep::Early: return "early";
    case BootStep::Plan: return "plan";
    case BootStep::Drivers: return "drivers";
    case BootStep::Network: return "network";
    case BootStep::Root: return "root";
    case BootStep::Unions: return "unions";
    case BootStep::Handoff: return "hand-off";
  }
  return "?";
}

std::string_view step_title(BootStep step) {
  switch (step) {
    case BootStep::Early: return "early mounts";
    case BootStep::Plan: return "boot plan";
    default: return to_string(step);
  }
}

std::string_view to_string(IpAutoconf autoconf) {
  switch (autoconf) {
    case IpAutoconf::Unset: return "unset";
    case IpAutoconf::Off: return "off";
    case IpAutoconf::On: return "on";
    case IpAutoconf::Dhcp: return "dhcp";
    case IpAutoconf::Bootp: return "bootp";
    case IpAutoconf::Rarp: return "rarp";
    case IpAutoconf::Both: return "both";
    case IpAutoconf::Auto6: return "auto6";
    case IpAutoconf::Dhcp6: return "dhcp6";
  }
  return "?";
}

}  // namespace nfsroot
