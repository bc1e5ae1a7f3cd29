#include "net/lease_file.h"

#include <array>
#include <optional>

#include "base/cat.h"
#include "base/text.h"
#include "net/dhcp_lease.h"

namespace nfsroot {

namespace {

constexpr std::string_view kHexDigits = "0123456789abcdef";

std::string to_hex(std::string_view bytes) {
  std::string out;
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    out += kHexDigits[byte >> 4];
    out += kHexDigits[byte & 0xf];
  }
  return out;
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

// The keys, in the order they are written. Hex values end in _HEX.
enum class Key : std::uint8_t {
  Interface, Mac, Address, Server, ClientId, VendorClass, HostName, LeaseSeconds, RenewalSeconds,
  RebindingSeconds, BoundAtMs, Renewals, State, Count
};
constexpr std::array<std::string_view, static_cast<std::size_t>(Key::Count)> kKeyNames{
    "INTERFACE", "MAC", "ADDRESS", "SERVER", "CLIENT_ID_HEX", "VENDOR_CLASS_HEX", "HOST_NAME_HEX", "LEASE_SECONDS",
    "RENEWAL_SECONDS", "REBINDING_SECONDS", "BOUND_AT_MS", "RENEWALS", "STATE"};

std::optional<Key> key_named(std::string_view name) {
  for (std::size_t i = 0; i < kKeyNames.size(); ++i) {
    if (kKeyNames[i] == name) return static_cast<Key>(i);
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

std::string lease_file_path(std::string_view run_dir, std::string_view interface) {
  return cat(run_dir, "/nfsroot-init/lease-", interface);
}

std::string format_lease_file(const HeldLease& lease, RenewalState state) {
  std::string client_id;
  if (lease.client_id) client_id = std::string(1, static_cast<char>(lease.client_id->type)) + lease.client_id->value;
  return cat("# The DHCP lease nfsroot-init took for ", lease.interface,
             "; its lease keeper (nfsroot-init keep-lease) renews it.\n"
             "# BOUND_AT_MS counts from boot (CLOCK_BOOTTIME); *_SECONDS count from then.\n",
             "INTERFACE=", lease.interface, "\nMAC=", lease.mac.to_string(), "\nADDRESS=", lease.address.to_string(),
             "\nSERVER=", lease.server.to_string(), "\nCLIENT_ID_HEX=", to_hex(client_id),
             "\nVENDOR_CLASS_HEX=", to_hex(lease.vendor_class), "\nHOST_NAME_HEX=", to_hex(lease.host_name),
             "\nLEASE_SECONDS=", lease.lease_seconds, "\nRENEWAL_SECONDS=", lease.renewal_seconds,
             "\nREBINDING_SECONDS=", lease.rebinding_seconds, "\nBOUND_AT_MS=", lease.bound_at.count(),
             "\nRENEWALS=", lease.renewals, "\nSTATE=", to_string(state), "\n");
}

Result<HeldLease> parse_lease_file(std::string_view text, std::string_view path) {
  HeldLease lease;
  std::array<bool, kKeyNames.size()> seen{};
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
    auto& was_seen = seen[static_cast<std::size_t>(*key)];
    if (was_seen) return bad(number, cat(name, " given twice"));
    was_seen = true;
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
      case Key::Server: {
        const auto address = Ipv4Address::parse(value);
        if (!address) return invalid();
        (*key == Key::Address ? lease.address : lease.server) = *address;
        break;
      }
      case Key::ClientId:
      case Key::VendorClass:
      case Key::HostName: {
        auto bytes = from_hex(value);
        if (!bytes) return invalid();
        if (*key == Key::ClientId) {
          if (!bytes->empty()) lease.client_id = DhcpClientId{static_cast<std::uint8_t>(bytes->front()), bytes->substr(1)};
        } else {
          (*key == Key::VendorClass ? lease.vendor_class : lease.host_name) = std::move(*bytes);
        }
        break;
      }
      case Key::LeaseSeconds:
      case Key::RenewalSeconds:
      case Key::RebindingSeconds: {
        const auto seconds = parse_decimal<std::uint32_t>(value);
        if (!seconds) return invalid();
        (*key == Key::LeaseSeconds ? lease.lease_seconds
         : *key == Key::RenewalSeconds ? lease.renewal_seconds
                                         : lease.rebinding_seconds) = *seconds;
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
  for (std::size_t i = 0; i < seen.size(); ++i) {
    const auto key = static_cast<Key>(i);
    if (!seen[i] && key != Key::State && key != Key::Renewals && key != Key::ClientId && key != Key::VendorClass &&
        key != Key::HostName) {
      return bad(number, cat(kKeyNames[i], " is missing"));
    }
  }
  return lease;
}

}  // namespace nfsroot
