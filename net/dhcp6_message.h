// DHCPv6 messages (RFC 8415): building a client's SOLICIT, REQUEST, RENEW and REBIND, and
// parsing a server's ADVERTISE or REPLY into checked values. A pure codec, as net/dhcp_packet.h
// is for DHCPv4: the exchange that sends them is not here.
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
#include "base/ipv6.h"

namespace nfsroot {

// RFC 8415 7.3.
enum class Dhcp6MessageType : std::uint8_t {
  Solicit = 1,
  Advertise = 2,
  Request = 3,
  Confirm = 4,
  Renew = 5,
  Rebind = 6,
  Reply = 7,
  Release = 8,
  Decline = 9,
  Reconfigure = 10,
  InformationRequest = 11,
};

// The option codes this client sends or reads (RFC 8415 21, RFC 3646, RFC 5970).
enum class Dhcp6Option : std::uint16_t {
  ClientId = 1,
  ServerId = 2,
  IaNa = 3,
  IaAddress = 5,
  OptionRequest = 6,
  Preference = 7,
  ElapsedTime = 8,
  StatusCode = 13,
  RapidCommit = 14,
  DnsServers = 23,   // RFC 3646
  DomainList = 24,   // RFC 3646
  BootfileUrl = 59,  // RFC 5970: the netboot URL, where a root path can come from
};

// RFC 8415 21.13.
enum class Dhcp6Status : std::uint16_t {
  Success = 0,
  UnspecFail = 1,
  NoAddrsAvail = 2,
  NoBinding = 3,
  NotOnLink = 4,
  UseMulticast = 5,
};

// RFC 8415 7.1: the client's port and the All_DHCP_Relay_Agents_and_Servers group.
inline constexpr std::uint16_t kDhcp6ClientPort = 546;
inline constexpr std::uint16_t kDhcp6ServerPort = 547;
// RFC 8415 11.1: a DUID is at most 128 bytes after its 2-byte type.
inline constexpr std::size_t kMaxDuidSize = 130;

// RFC 8415 11.4: DUID-LL (type 3, hardware type 1, the MAC). A diskless client has nowhere
// to keep DUID-LLT's time between boots, and DUID-LL is the same at every boot, so the server
// gives back the same address, as the DHCPv4 client's MAC does.
[[nodiscard]] std::vector<std::byte> duid_ll(const MacAddress& mac);

struct Dhcp6Address {
  Ipv6Address address;
  std::uint32_t preferred_seconds = 0;
  std::uint32_t valid_seconds = 0;
};

struct Dhcp6IaNa {
  std::uint32_t iaid = 0;
  std::uint32_t t1_seconds = 0;
  std::uint32_t t2_seconds = 0;
  std::vector<Dhcp6Address> addresses;
  std::optional<Dhcp6Status> status;  // its own status code option, when sent
  std::string status_message;         // escaped for the log
};

// The decoded, checked fields of one message. Options the server did not send stay empty.
struct Dhcp6Message {
  Dhcp6MessageType type = Dhcp6MessageType::Advertise;
  std::uint32_t transaction_id = 0;  // 24 bits
  std::vector<std::byte> client_id;  // the DUIDs as sent
  std::vector<std::byte> server_id;
  std::optional<std::uint8_t> preference;  // RFC 8415 21.8; none means 0
  bool rapid_commit = false;
  std::optional<Dhcp6Status> status;  // the message's own status code
  std::string status_message;         // escaped for the log
  std::vector<Dhcp6IaNa> ia_na;
  std::vector<Ipv6Address> dns_servers;
  std::vector<std::string> domain_list;  // "example.org", each checked
  std::string bootfile_url;              // printable ASCII only
  // Options that were malformed and left out, one line each for the log.
  std::vector<std::string> dropped;
};

// The whole UDP payload. Rejected (with the reason): shorter than the 4-byte header; an option
// whose length runs past the message (or past the option it is nested in); a second client or
// server identifier; an identifier that is empty or longer than a DUID may be. Left out and
// reported in `dropped`, as RFC 8415 asks or as is safe:
//  - an IA_NA shorter than 12 bytes, or with T1 > T2 when both are set (21.4);
//  - an IA address shorter than 24 bytes, or whose preferred lifetime is above the valid one
//    (21.6);
//  - a DNS server list not a multiple of 16 bytes; a domain list that is not uncompressed
//    (RFC 8415 10) DNS names that is_valid_dns_name() takes (net/dhcp_lease.h: RFC 1123 labels,
//    the DHCPv4 search domain's rule), as these go into resolv.conf;
//  - a bootfile URL with bytes that are not printable ASCII (it ends up in a log line);
//  - a preference or status code of the wrong length.
// Options this client does not know are skipped.
[[nodiscard]] Result<Dhcp6Message> parse_dhcp6_message(std::span<const std::byte> payload);

// What a client accepts from a server (RFC 8415 16.3, 16.10): an ADVERTISE or REPLY with our
// transaction id, a server identifier, and our client identifier. The error says which.
[[nodiscard]] Result<void> check_dhcp6_reply(const Dhcp6Message& message, std::uint32_t transaction_id,
                                             std::span<const std::byte> client_id);

struct Dhcp6RequestFields {
  Dhcp6MessageType type = Dhcp6MessageType::Solicit;
  std::uint32_t transaction_id = 0;       // the low 24 bits are sent
  std::vector<std::byte> client_id;       // duid_ll()
  std::vector<std::byte> server_id;       // REQUEST and RENEW; empty for SOLICIT and REBIND
  std::uint32_t iaid = 0;                 // RFC 8415 21.4: the same at every boot for this link
  std::vector<Ipv6Address> addresses;     // in the IA_NA of REQUEST, RENEW and REBIND
  std::uint16_t elapsed_hundredths = 0;   // RFC 8415 21.9, 0xffff at most
};

// CLIENTID, SERVERID when given, IA_NA (T1 and T2 0: the server decides, 18.2.1) holding the
// addresses with lifetimes 0, ELAPSED_TIME, then ORO asking for DNS servers, the domain list
// and the bootfile URL.
[[nodiscard]] std::vector<std::byte> build_dhcp6_message(const Dhcp6RequestFields& fields);

[[nodiscard]] std::string_view to_string(Dhcp6MessageType type);  // "SOLICIT", "ADVERTISE", …
[[nodiscard]] std::string_view to_string(Dhcp6Status status);     // "NoAddrsAvail", …

}  // namespace nfsroot
