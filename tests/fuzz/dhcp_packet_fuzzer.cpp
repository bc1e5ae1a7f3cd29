// Fuzzes what arrives from the network: the IPv4/UDP frame parser, the DHCP message parser, the
// client state machine fed the same bytes, and the root-path rules fed the parsed option 17.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <variant>

#include "net/dhcp_client.h"
#include "net/dhcp_packet.h"
#include "mounts/root_path.h"
#include "net/udp_frame.h"

namespace {

using namespace nfsroot;

void check(bool condition) {
  if (!condition) __builtin_trap();
}

bool has_nul(const std::string& text) { return text.find('\0') != std::string::npos; }

bool has_control(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

bool is_ldh(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'; }

// What a host name the lease keeps may be: one label of letters, digits and hyphens, so that
// %s in the NFS path can never climb out with "..", nor add a path component.
void check_host_name(std::string_view name) {
  if (name.empty()) return;
  check(name.size() <= 63 && std::all_of(name.begin(), name.end(), is_ldh));
  check(name.front() != '-' && name.back() != '-');
}

void check_domain_name(std::string_view name) {
  if (name.empty()) return;
  check(name.size() <= 253 && name.find("..") == std::string_view::npos && name.front() != '.' &&
        name.back() != '.');
  check(std::all_of(name.begin(), name.end(), [](char c) { return is_ldh(c) || c == '.'; }));
}

// A bound lease: every value checked where it entered (net/dhcp_lease.h).
void check_lease(const DhcpLease& lease) {
  check(!lease.address.is_unspecified());
  check_host_name(lease.host_name);
  check_domain_name(lease.domain_name);
  check(!has_control(lease.root_path) && lease.root_path.size() <= kMaxRootPathSize);
  check(!has_control(lease.boot_file) && !has_control(lease.server_name));
  check(!lease.mtu || *lease.mtu >= kMinimumLeaseMtu);
  for (const auto& warning : lease.warnings) check(!has_control(warning));
}

void fuzz_message(std::span<const std::byte> payload) {
  const auto message = parse_dhcp_message(payload);
  if (message) {
    check(message->op == kBootReply);
    check(message->server_name.size() <= 64 && !has_nul(message->server_name));
    check(message->boot_file.size() <= 128 && !has_nul(message->boot_file));
    check(!has_nul(message->host_name) && !has_nul(message->domain_name) && !has_nul(message->root_path) &&
          !has_nul(message->message));
    check(!message->mtu || *message->mtu >= 68);
    DhcpLease lease;
    lease.root_path = message->root_path;
    lease.next_server = message->siaddr;
    lease.server_id = message->server_id.value_or(Ipv4Address{});
    const auto choice = choose_nfs_root(NfsRootSpec{}, std::nullopt, &lease);
    check(!choice.path.empty());
  }

  // A client whose xid and MAC are the packet's, so that the bytes get past the first checks.
  DhcpClientConfig config;
  config.timeout = std::chrono::seconds(60);
  if (payload.size() >= 34) {
    for (std::size_t i = 4; i < 8; ++i) config.xid = (config.xid << 8) | std::to_integer<std::uint32_t>(payload[i]);
    for (std::size_t i = 0; i < 6; ++i) config.mac.octets[i] = std::to_integer<std::uint8_t>(payload[28 + i]);
  }
  const DhcpTime start = DhcpTime{} + std::chrono::hours(1);
  for (const bool reboot : {false, true}) {
    if (reboot) config.requested_address = Ipv4Address{0x0a00020f};
    DhcpClient client(config);
    (void)client.start(start);
    // Twice: an OFFER moves to REQUESTING, where the same bytes are judged again.
    for (int round = 0; round < 2; ++round) {
      const auto action = client.on_packet(payload, start + std::chrono::milliseconds(round));
      if (const auto* bound = std::get_if<DhcpBound>(&action)) check_lease(bound->lease);
    }
    // Notes go to the debug log: what the server wrote is escaped there too.
    for (const auto& note : client.take_notes()) check(note.find_first_of("\n\r\x1b") == std::string::npos);
    const auto late = client.on_timeout(start + std::chrono::seconds(61));
    check(std::holds_alternative<DhcpFailed>(late) || std::holds_alternative<DhcpBound>(late));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  for (const auto mode : {UdpChecksum::Verify, UdpChecksum::Skip}) {
    const auto datagram = parse_udp_frame(bytes, mode);
    if (!datagram) continue;
    // The payload is a view inside the frame.
    check(datagram->payload.data() >= bytes.data() &&
          datagram->payload.data() + datagram->payload.size() <= bytes.data() + bytes.size());
    fuzz_message(datagram->payload);
  }
  // Most inputs fail the frame checks: take them as a DHCP payload too.
  fuzz_message(bytes);
  // The whole input as a name a server could send (RFC 3396 lets it be long).
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> warnings;
  check_host_name(lease_host_name(text, warnings));
  check_domain_name(lease_domain_name(text, warnings));
  for (const auto& warning : warnings) check(!has_control(warning));
  // What we build, we parse back unchanged.
  if (size > 65507) return 0;
  const auto frame = build_udp_frame(Ipv4Address{0x0a000202}, Ipv4Address{0xffffffff}, 67, 68, bytes);
  const auto round = parse_udp_frame(frame);
  check(round.has_value() && round->payload.size() == size &&
        std::equal(round->payload.begin(), round->payload.end(), bytes.begin()));
  return 0;
}
