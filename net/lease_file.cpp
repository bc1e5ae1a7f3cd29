#include "net/lease_file.h"

#include <array>
#include <optional>

#include "base/cat.h"
#include "base/text.h"
#include "net/dhcp6_message.h"
#include "net/dhcp_lease.h"

namespace nfsroot {

namespace {

constexpr std::string_view kHexDigits = "0123456789abcdef";

std::string to_hex(std::string_view bytes) {
  return hex_bytes(std::as_bytes(std::span(bytes.data(), bytes.size())));
}

std::optional<std::string> from_hex(std::string_view text) {
  if (text.size() % 2 != 0) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const auto high = kHexDigits.find(text[i]);
    const auto low = kHexDigits.find(text[i + 1]);
    if (high == std::string_view::npos || low == std::string_view::npos) return std::nullopt;
    out += static_cast<char>((high << 4) | low);
  }
  return out;
}

// The keys, in the order they are written. Hex values end in _HEX. Each is for both kinds of
// lease, DHCPv4's only or DHCPv6's only, and required or not.
enum class Key : std::uint8_t {
  Interface, Mac, Address, Server, ServerId, ClientId, Iaid, VendorClass, HostName, PreferredSeconds, LeaseSeconds,
  RenewalSeconds, RebindingSeconds, BoundAtMs, Renewals, State, Count
};
enum class Kind : std::uint8_t { Both, V4, V6 };
struct KeySpec {
  std::string_view name;
  Kind kind;
  bool required;
};
constexpr std::array<KeySpec, static_cast<std::size_t>(Key::Count)> kKeys{{
    {"INTERFACE", Kind::Both, true},
    {"MAC", Kind::Both, true},
    {"ADDRESS", Kind::Both, true},
    {"SERVER", Kind::V4, true},
    {"SERVER_ID_HEX", Kind::V6, true},
    {"CLIENT_ID_HEX", Kind::Both, false},  // DHCPv6's DUID: required below
    {"IAID", Kind::V6, true},
    {"VENDOR_CLASS_HEX", Kind::V4, false},
    {"HOST_NAME_HEX", Kind::V4, false},
    {"PREFERRED_SECONDS", Kind::V6, true},
    {"LEASE_SECONDS", Kind::Both, true},
    {"RENEWAL_SECONDS", Kind::Both, true},
    {"REBINDING_SECONDS", Kind::Both, true},
    {"BOUND_AT_MS", Kind::Both, true},
    {"RENEWALS", Kind::Both, false},
    {"STATE", Kind::Both, false},
}};

std::optional<Key> key_named(std::string_view name) {
  for (std::size_t i = 0; i < kKeys.size(); ++i) {
    if (kKeys[i].name == name) return static_cast<Key>(i);
  }
  return std::nullopt;
}

}  // namespace

HeldLease lease_to_keep(const DhcpLease& lease, std::string_view interface, const MacAddress& mac,
                        const NetworkStep& step, Uptime bound_at) {
  HeldLease held;
  held.interface = interface;
  held.mac = mac;
  held.address = lease.address;
  held.server = lease.server_id;
  held.client_id = step.client_id;
  held.vendor_class = step.vendor_class;
  held.host_name = step.hostname;
  held.lease_seconds = lease.lease_seconds;
  held.renewal_seconds = lease.renewal_seconds;
  held.rebinding_seconds = lease.rebinding_seconds;
  held.bound_at = bound_at;
  return held;
}

HeldLease lease6_to_keep(const Dhcp6Lease& lease, std::string_view interface, const MacAddress& mac,
                         Uptime bound_at) {
  HeldLease held;
  held.interface = interface;
  held.mac = mac;
  held.lease_seconds = lease.valid_seconds;
  held.renewal_seconds = lease.t1_seconds;
  held.rebinding_seconds = lease.t2_seconds;
  held.bound_at = bound_at;
  held.v6 = HeldLease6{lease.address, duid_ll(mac), lease.server_id, lease.iaid, lease.preferred_seconds};
  return held;
}

std::string lease_file_path(std::string_view run_dir, std::string_view interface) {
  return cat(run_dir, "/nfsroot-init/lease-", interface);
}

std::string format_lease_file(const HeldLease& lease, RenewalState state) {
  std::string text = "# The DHCP";
  // One KEY=value line; the values as text (cat() of each number): one small loop, not one
  // cat() of thirty pieces per kind of lease, for the size of /init.
  const auto put = [&text](std::string_view key, std::string_view value) {
    text += key;
    text += '=';
    text += value;
    text += '\n';
  };
  if (lease.v6) text += "v6";
  text += " lease nfsroot-init took for " + lease.interface +
          "; its lease keeper (nfsroot-init keep-lease) renews it.\n"
          "# BOUND_AT_MS counts from boot (CLOCK_BOOTTIME); *_SECONDS count from then";
  text += lease.v6 ? "; LEASE_SECONDS is the valid lifetime.\n" : ".\n";
  put("INTERFACE", lease.interface);
  put("MAC", lease.mac.to_string());
  put("ADDRESS", leased_address(lease));
  if (const auto& v6 = lease.v6) {
    put("SERVER_ID_HEX", hex_bytes(v6->server_id));
    put("CLIENT_ID_HEX", hex_bytes(v6->client_id));
    put("IAID", cat(v6->iaid));
    put("PREFERRED_SECONDS", cat(v6->preferred_seconds));
  } else {
    std::string client_id;
    if (lease.client_id) client_id = std::string(1, static_cast<char>(lease.client_id->type)) + lease.client_id->value;
    put("SERVER", lease.server.to_string());
    put("CLIENT_ID_HEX", to_hex(client_id));
    put("VENDOR_CLASS_HEX", to_hex(lease.vendor_class));
    put("HOST_NAME_HEX", to_hex(lease.host_name));
  }
  put("LEASE_SECONDS", cat(lease.lease_seconds));
  put("RENEWAL_SECONDS", cat(lease.renewal_seconds));
  put("REBINDING_SECONDS", cat(lease.rebinding_seconds));
  put("BOUND_AT_MS", cat(lease.bound_at.count()));
  put("RENEWALS", cat(lease.renewals));
  put("STATE", to_string(state));
  return text;
}

Result<HeldLease> parse_lease_file(std::string_view text, std::string_view path) {
  HeldLease lease;
  std::optional<Ipv6Address> address6;  // a DHCPv6 lease
  HeldLease6 v6;
  std::string client_id;
  std::array<std::size_t, kKeys.size()> line_of{};  // 0: not seen
  const auto bad = [&](std::size_t line, std::string problem) {
    return std::unexpected(error_with_problem(
        "lease file", cat(path, " line ", line), std::move(problem),
        "the file is /init's own: boot again, or run nfsroot-init keep-lease only on a client that booted with it"));
  };
  std::size_t number = 0;
  for (const std::string_view raw : split(text, '\n')) {
    ++number;
    const std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#') continue;
    const auto equals = line.find('=');
    if (equals == std::string_view::npos) return bad(number, "not KEY=value");
    const std::string_view name = line.substr(0, equals);
    const std::string_view value = line.substr(equals + 1);
    const auto key = key_named(name);
    if (!key) return bad(number, cat("unknown key '", escape_for_log(name), "'"));
    auto& seen_at = line_of[static_cast<std::size_t>(*key)];
    if (seen_at != 0) return bad(number, cat(name, " given twice"));
    seen_at = number;
    const auto invalid = [&] { return bad(number, cat(name, "='", escape_for_log(value), "' is not valid")); };
    switch (*key) {
      case Key::Interface:
        if (value.empty() || value.size() > 15 || value.find('/') != std::string_view::npos) return invalid();
        lease.interface = value;
        break;
      case Key::Mac: {
        const auto mac = MacAddress::parse(value);
        if (!mac) return invalid();
        lease.mac = *mac;
        break;
      }
      case Key::Address:
        if (const auto address = Ipv4Address::parse(value)) {
          lease.address = *address;
        } else {
          address6 = Ipv6Address::parse(value);
          if (!address6) return invalid();
        }
        break;
      case Key::Server: {
        const auto address = Ipv4Address::parse(value);
        if (!address) return invalid();
        lease.server = *address;
        break;
      }
      case Key::ServerId:
      case Key::ClientId:
      case Key::VendorClass:
      case Key::HostName: {
        auto bytes = from_hex(value);
        if (!bytes) return invalid();
        if (*key == Key::ServerId) {
          if (bytes->empty() || bytes->size() > kMaxDuidSize) return invalid();
          for (const char c : *bytes) v6.server_id.push_back(static_cast<std::byte>(c));
        } else {
          (*key == Key::ClientId ? client_id : *key == Key::VendorClass ? lease.vendor_class : lease.host_name) =
              std::move(*bytes);
        }
        break;
      }
      case Key::Iaid:
      case Key::PreferredSeconds:
      case Key::LeaseSeconds:
      case Key::RenewalSeconds:
      case Key::RebindingSeconds: {
        const auto number_value = parse_decimal<std::uint32_t>(value);
        if (!number_value) return invalid();
        (*key == Key::Iaid               ? v6.iaid
         : *key == Key::PreferredSeconds ? v6.preferred_seconds
         : *key == Key::LeaseSeconds     ? lease.lease_seconds
         : *key == Key::RenewalSeconds   ? lease.renewal_seconds
                                         : lease.rebinding_seconds) = *number_value;
        break;
      }
      case Key::BoundAtMs: {
        const auto ms = parse_decimal<std::int64_t>(value);
        if (!ms || *ms < 0) return invalid();
        lease.bound_at = Uptime(*ms);
        break;
      }
      case Key::Renewals: {
        const auto count = parse_decimal<unsigned>(value);
        if (!count) return invalid();
        lease.renewals = *count;
        break;
      }
      case Key::State:
      case Key::Count:
        break;  // what the keeper last wrote, for the admin: it starts from the times
    }
  }
  // The ADDRESS says the kind; the other kind's keys have no place in the file.
  const Kind other = address6 ? Kind::V4 : Kind::V6;
  for (std::size_t i = 0; i < kKeys.size(); ++i) {
    if (line_of[i] != 0 && kKeys[i].kind == other) {
      return bad(line_of[i], cat(kKeys[i].name, " is a DHCPv", other == Kind::V6 ? "6" : "4", " key, and ADDRESS is ",
                                 other == Kind::V6 ? "IPv4" : "IPv6"));
    }
    if (line_of[i] == 0 && kKeys[i].required && kKeys[i].kind != other) {
      return bad(number, cat(kKeys[i].name, " is missing"));
    }
  }
  if (address6) {
    if (client_id.empty()) return bad(number, "CLIENT_ID_HEX, the DUID of a DHCPv6 lease, is missing");
    v6.address = *address6;
    for (const char c : client_id) v6.client_id.push_back(static_cast<std::byte>(c));
    lease.v6 = std::move(v6);
  } else if (!client_id.empty()) {
    lease.client_id = DhcpClientId{static_cast<std::uint8_t>(client_id.front()), client_id.substr(1)};
  }
  return lease;
}

}  // namespace nfsroot
