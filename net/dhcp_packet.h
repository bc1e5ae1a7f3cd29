// DHCP messages (RFC 2131, options RFC 2132): building a client's DISCOVER / REQUEST and
// parsing a server's reply into checked values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/ipv4.h"
#include "net/dhcp_client_id.h"

namespace nfsroot {

// RFC 2132 9.6, option 53.
enum class DhcpMessageType : std::uint8_t { Discover = 1, Offer, Request, Decline, Ack, Nak, Release, Inform };

// The option codes this client sends or reads (RFC 2132).
enum class DhcpOption : std::uint8_t {
  Pad = 0,
  SubnetMask = 1,
  Router = 3,
  DomainNameServer = 6,
  HostName = 12,
  DomainName = 15,
  RootPath = 17,
  InterfaceMtu = 26,
  BroadcastAddress = 28,
  NtpServers = 42,
  RequestedAddress = 50,
  LeaseTime = 51,
  Overload = 52,
  MessageType = 53,
  ServerIdentifier = 54,
  ParameterRequestList = 55,
  Message = 56,
  MaxMessageSize = 57,
  RenewalTime = 58,
  RebindingTime = 59,
  VendorClass = 60,
  ClientIdentifier = 61,
  End = 255,
};

inline constexpr std::uint8_t kBootRequest = 1;
inline constexpr std::uint8_t kBootReply = 2;
// RFC 2131 2: the fixed header is 236 bytes, then the magic cookie 99.130.83.99.
inline constexpr std::size_t kDhcpFixedHeaderSize = 236;
inline constexpr std::size_t kDhcpMinimumMessageSize = kDhcpFixedHeaderSize + 4;
// RFC 1542 3.2 / RFC 951: a BOOTP message is at least 300 bytes; some relays drop shorter ones.
inline constexpr std::size_t kBootpMinimumMessageSize = 300;
inline constexpr std::uint16_t kDhcpBroadcastFlag = 0x8000;  // RFC 2131 4.1

// The decoded, checked fields of one BOOTREPLY. Options the server did not send stay empty.
struct DhcpMessage {
  std::uint8_t op = 0;
  std::uint32_t xid = 0;
  std::uint16_t secs = 0;
  std::uint16_t flags = 0;
  Ipv4Address ciaddr, yiaddr, siaddr, giaddr;
  MacAddress chaddr;
  std::string server_name;  // sname, when not overloaded with options
  std::string boot_file;    // file, when not overloaded with options

  std::optional<DhcpMessageType> type;  // absent in a plain BOOTP reply
  std::optional<Ipv4Address> subnet_mask;
  std::optional<Ipv4Address> broadcast;
  std::optional<Ipv4Address> server_id;
  std::vector<Ipv4Address> routers;
  std::vector<Ipv4Address> dns_servers;
  std::vector<Ipv4Address> ntp_servers;
  std::string host_name;
  std::string domain_name;
  std::string root_path;
  std::string message;  // option 56: why a NAK, for the log
  std::optional<std::uint16_t> mtu;
  std::optional<std::uint32_t> lease_seconds;
  std::optional<std::uint32_t> renewal_seconds;
  std::optional<std::uint32_t> rebinding_seconds;

  // Options that were malformed and left out, one line each for the log
  // ("option 26 (interface MTU): 2 bytes expected, got 3; ignoring it").
  std::vector<std::string> dropped;
};

// The whole UDP payload of a server's reply. Rejected (with the reason): shorter than 240
// bytes; op not BOOTREPLY; htype not Ethernet (1) or hlen not 6; a wrong magic cookie; an
// option whose length runs past its field; a malformed message type (53) or server
// identifier (54), which the client's decisions depend on. Tolerated:
//  - PAD runs anywhere between options;
//  - no END: the options then end where the buffer (or the overloaded field) ends, as many
//    servers and the kernel's ipconfig accept; anything after an END is padding;
//  - the same option more than once: RFC 3396 concatenates the pieces, in the order options,
//    file, sname; for a fixed-size option a wrong total length drops it;
//  - option overload (52) = 1, 2 or 3: options continue in file, sname or both (RFC 2131 4.1),
//    and then those fields hold no name; an overload option inside them is ignored;
//  - a malformed option other than 53/54 (wrong fixed length, an address list not a
//    multiple of 4, an MTU below 68): left out and reported in `dropped`.
// Strings (host name, domain, root path, message, sname, file) end at their first NUL.
[[nodiscard]] Result<DhcpMessage> parse_dhcp_message(std::span<const std::byte> payload);

struct DhcpRequestFields {
  DhcpMessageType type = DhcpMessageType::Discover;
  std::uint32_t xid = 0;
  std::uint16_t secs = 0;
  MacAddress mac;
  std::optional<Ipv4Address> requested_address;  // option 50
  std::optional<Ipv4Address> server_id;          // option 54
  // ciaddr: the address a bound client renews (RENEWING, REBINDING); it can then take the
  // server's unicast answer, so the broadcast flag is left clear (RFC 2131 4.1, 4.4.5).
  std::optional<Ipv4Address> client_address;
  std::string vendor_class;                      // option 60; none when empty
  std::optional<DhcpClientId> client_id;         // option 61; none when absent or empty
  std::string host_name;                         // option 12; none when empty
  std::uint16_t max_message_size = 1500;         // option 57; RFC 2132 9.10: at least 576
};

// A BOOTREQUEST from 0.0.0.0: htype 1, hlen 6, the broadcast flag (we cannot receive unicast
// before the address is configured, RFC 2131 4.1) unless client_address is set, the cookie, then options 53, 61, 50, 54,
// 57, 55 (asking for 1 3 6 12 15 17 26 28 42 51 54 58 59), 60, 12 and END; zero-padded to
// 300 bytes. Options longer than 255 bytes are split into pieces (RFC 3396).
[[nodiscard]] std::vector<std::byte> build_dhcp_request(const DhcpRequestFields& fields);

[[nodiscard]] std::string_view to_string(DhcpMessageType type);  // "DISCOVER", "OFFER", …

}  // namespace nfsroot
