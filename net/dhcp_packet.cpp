// DHCP message codec: explicit big-endian reads bounded by the received length, never a cast
// of the buffer to a struct.
#include "net/dhcp_packet.h"

#include <algorithm>
#include <array>
#include <bitset>

#include "base/cat.h"
#include "base/network_order.h"

namespace nfsroot {

namespace {

// RFC 2131 2, figure 1: offsets of the fixed header.
constexpr std::size_t kOp = 0, kHtype = 1, kHlen = 2, kXid = 4, kSecs = 8, kFlags = 10, kCiaddr = 12, kYiaddr = 16,
                      kSiaddr = 20, kGiaddr = 24, kChaddr = 28, kSname = 44, kFile = 108, kCookie = 236;
constexpr std::size_t kSnameSize = 64, kFileSize = 128, kChaddrSize = 16;
constexpr std::uint8_t kHtypeEthernet = 1;
constexpr std::uint8_t kHlenEthernet = 6;
constexpr std::array<std::uint8_t, 4> kMagicCookie{99, 130, 83, 99};  // RFC 2131 3
constexpr std::uint16_t kMinimumMtu = 68;                              // RFC 2132 5.1 / RFC 791
constexpr std::uint16_t kMinimumMaxMessageSize = 576;                  // RFC 2132 9.10
constexpr std::size_t kMaxOptionLength = 255;

// Option 52's values (RFC 2132 9.3): which header fields hold more options.
constexpr std::uint8_t kOverloadFile = 1, kOverloadSname = 2;

// The parameters this client asks for (option 55). The server may send others; we ignore them.
constexpr std::array<DhcpOption, 13> kRequestedParameters{
    DhcpOption::SubnetMask,       DhcpOption::Router,           DhcpOption::DomainNameServer,
    DhcpOption::HostName,         DhcpOption::DomainName,       DhcpOption::RootPath,
    DhcpOption::InterfaceMtu,     DhcpOption::BroadcastAddress, DhcpOption::NtpServers,
    DhcpOption::LeaseTime,        DhcpOption::ServerIdentifier, DhcpOption::RenewalTime,
    DhcpOption::RebindingTime,
};

// Text up to the first NUL, or the whole field.
std::string text_until_nul(std::span<const std::byte> bytes) {
  std::string text;
  for (const auto byte : bytes) {
    if (byte == std::byte{0}) break;
    text += static_cast<char>(byte);
  }
  return text;
}

std::string_view option_name(std::uint8_t code) {
  switch (static_cast<DhcpOption>(code)) {
    case DhcpOption::SubnetMask: return "subnet mask";
    case DhcpOption::Router: return "router";
    case DhcpOption::DomainNameServer: return "DNS server";
    case DhcpOption::HostName: return "host name";
    case DhcpOption::DomainName: return "domain name";
    case DhcpOption::RootPath: return "root path";
    case DhcpOption::InterfaceMtu: return "interface MTU";
    case DhcpOption::BroadcastAddress: return "broadcast address";
    case DhcpOption::NtpServers: return "NTP server";
    case DhcpOption::LeaseTime: return "lease time";
    case DhcpOption::Overload: return "option overload";
    case DhcpOption::MessageType: return "message type";
    case DhcpOption::ServerIdentifier: return "server identifier";
    case DhcpOption::Message: return "message";
    case DhcpOption::RenewalTime: return "renewal time";
    case DhcpOption::RebindingTime: return "rebinding time";
    default: return "unknown";
  }
}

std::string option_label(DhcpOption option) {
  const auto code = static_cast<std::uint8_t>(option);
  return cat("option ", code, " (", option_name(code), ")");
}

Error packet_error(std::string problem) { return error_with_problem("parse DHCP message", {}, problem); }

// Every option's data, its pieces concatenated in the order they came (RFC 3396).
struct OptionData {
  std::array<std::vector<std::byte>, 256> bytes;
  std::bitset<256> present;

  [[nodiscard]] bool has(DhcpOption option) const { return present[static_cast<std::uint8_t>(option)]; }
  [[nodiscard]] std::span<const std::byte> get(DhcpOption option) const { return bytes[static_cast<std::uint8_t>(option)]; }
};

enum class OptionField : std::uint8_t { Options, File, Sname };

std::string_view field_name(OptionField field) {
  switch (field) {
    case OptionField::Options: return "options";
    case OptionField::File: return "file";
    case OptionField::Sname: return "sname";
  }
  return "options";
}

// Reads code/length/value triples from one field. `offset` is where the field starts in the
// message, for the error text.
Result<void> collect_options(std::span<const std::byte> field_bytes, OptionField field, std::size_t offset,
                             OptionData& options, std::vector<std::string>& dropped) {
  std::size_t at = 0;
  while (at < field_bytes.size()) {
    const std::uint8_t code = byte_at(field_bytes, at);
    if (code == static_cast<std::uint8_t>(DhcpOption::Pad)) {
      ++at;
      continue;
    }
    if (code == static_cast<std::uint8_t>(DhcpOption::End)) return {};
    const std::string where = cat("option ", code, " at byte ", offset + at);
    if (at + 1 >= field_bytes.size()) {
      return std::unexpected(
          packet_error(cat(where, " has no length byte before the end of the ", field_name(field), " field")));
    }
    const std::size_t length = byte_at(field_bytes, at + 1);
    if (at + 2 + length > field_bytes.size()) {
      return std::unexpected(packet_error(cat(where, ": length ", length, " runs past the end of the ",
                                              field_name(field), " field (", field_bytes.size() - at - 2,
                                              " bytes left)")));
    }
    if (code == static_cast<std::uint8_t>(DhcpOption::Overload) && field != OptionField::Options) {
      // RFC 2131 4.1: option 52 belongs in the options field; inside file or sname it would
      // point at itself, so it is ignored.
      dropped.push_back(option_label(DhcpOption::Overload) + " inside the " + std::string(field_name(field)) +
                        " field; ignoring it");
    } else {
      const auto value = field_bytes.subspan(at + 2, length);
      options.bytes[code].insert(options.bytes[code].end(), value.begin(), value.end());
      options.present[code] = true;
    }
    at += 2 + length;
  }
  return {};  // no END: the field ends the options
}

// Fixed-size options: the total length must be exact, else the option is left out.
bool has_length(const OptionData& options, DhcpOption option, std::size_t expected, std::vector<std::string>& dropped) {
  if (!options.has(option)) return false;
  const std::size_t length = options.get(option).size();
  if (length == expected) return true;
  dropped.push_back(cat(option_label(option), ": ", expected, " bytes expected, got ", length, "; ignoring it"));
  return false;
}

std::optional<Ipv4Address> address_option(const OptionData& options, DhcpOption option,
                                          std::vector<std::string>& dropped) {
  if (!has_length(options, option, 4, dropped)) return std::nullopt;
  return Ipv4Address{load_be32(options.get(option), 0)};
}

std::optional<std::uint32_t> seconds_option(const OptionData& options, DhcpOption option,
                                            std::vector<std::string>& dropped) {
  if (!has_length(options, option, 4, dropped)) return std::nullopt;
  return load_be32(options.get(option), 0);
}

// RFC 2132 3.5 and on: a list of one or more addresses, so a non-zero multiple of 4.
std::vector<Ipv4Address> address_list_option(const OptionData& options, DhcpOption option,
                                             std::vector<std::string>& dropped) {
  std::vector<Ipv4Address> addresses;
  if (!options.has(option)) return addresses;
  const auto bytes = options.get(option);
  if (bytes.empty() || bytes.size() % 4 != 0) {
    dropped.push_back(
        cat(option_label(option), ": ", bytes.size(), " bytes, not a list of 4-byte addresses; ignoring it"));
    return addresses;
  }
  for (std::size_t at = 0; at < bytes.size(); at += 4) addresses.push_back(Ipv4Address{load_be32(bytes, at)});
  return addresses;
}

std::string string_option(const OptionData& options, DhcpOption option) {
  return options.has(option) ? text_until_nul(options.get(option)) : std::string();
}

// Adds one option; data longer than 255 bytes becomes several pieces with the same code,
// which the server concatenates (RFC 3396).
void append_option(std::vector<std::byte>& out, DhcpOption option, std::span<const std::byte> data) {
  do {
    const std::size_t length = std::min(data.size(), kMaxOptionLength);
    out.push_back(static_cast<std::byte>(option));
    out.push_back(static_cast<std::byte>(length));
    out.insert(out.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(length));
    data = data.subspan(length);
  } while (!data.empty());
}

void append_text_option(std::vector<std::byte>& out, DhcpOption option, std::string_view text) {
  const auto bytes = std::as_bytes(std::span(text.data(), text.size()));
  append_option(out, option, bytes);
}

std::array<std::byte, 4> address_bytes(Ipv4Address address) {
  return {static_cast<std::byte>(address.value >> 24), static_cast<std::byte>((address.value >> 16) & 0xff),
          static_cast<std::byte>((address.value >> 8) & 0xff), static_cast<std::byte>(address.value & 0xff)};
}

void store_be(std::vector<std::byte>& out, std::size_t at, std::uint32_t value, std::size_t size) {
  for (std::size_t i = 0; i < size; ++i) {
    out[at + i] = static_cast<std::byte>((value >> (8 * (size - 1 - i))) & 0xff);
  }
}

}  // namespace

Result<DhcpMessage> parse_dhcp_message(std::span<const std::byte> payload) {
  if (payload.size() < kDhcpMinimumMessageSize) {
    return std::unexpected(packet_error(cat(payload.size(), " bytes, shorter than the ", kDhcpMinimumMessageSize,
                                            " of a DHCP header and magic cookie")));
  }
  DhcpMessage message;
  message.op = byte_at(payload, kOp);
  if (message.op != kBootReply) {
    return std::unexpected(packet_error(cat("op ", message.op, ", not a BOOTREPLY (2)")));
  }
  const std::uint8_t htype = byte_at(payload, kHtype);
  const std::uint8_t hlen = byte_at(payload, kHlen);
  if (htype != kHtypeEthernet || hlen != kHlenEthernet) {
    return std::unexpected(packet_error(cat("hardware type ", htype, " length ", hlen, ", not Ethernet (1, 6)")));
  }
  for (std::size_t i = 0; i < kMagicCookie.size(); ++i) {
    if (byte_at(payload, kCookie + i) != kMagicCookie[i]) {
      return std::unexpected(packet_error("no DHCP magic cookie (99.130.83.99); a plain BOOTP reply?"));
    }
  }
  message.xid = load_be32(payload, kXid);
  message.secs = load_be16(payload, kSecs);
  message.flags = load_be16(payload, kFlags);
  message.ciaddr = Ipv4Address{load_be32(payload, kCiaddr)};
  message.yiaddr = Ipv4Address{load_be32(payload, kYiaddr)};
  message.siaddr = Ipv4Address{load_be32(payload, kSiaddr)};
  message.giaddr = Ipv4Address{load_be32(payload, kGiaddr)};
  for (std::size_t i = 0; i < message.chaddr.octets.size(); ++i) message.chaddr.octets[i] = byte_at(payload, kChaddr + i);

  OptionData options;
  auto& dropped = message.dropped;
  if (auto collected = collect_options(payload.subspan(kDhcpMinimumMessageSize), OptionField::Options,
                                       kDhcpMinimumMessageSize, options, dropped);
      !collected) {
    return std::unexpected(collected.error());
  }
  // RFC 2131 4.1 / RFC 2132 9.3: option 52 moves more options into file and/or sname; then
  // those fields carry no names. The file field is read before sname (RFC 3396 7).
  std::uint8_t overload = 0;
  if (has_length(options, DhcpOption::Overload, 1, dropped)) {
    overload = byte_at(options.get(DhcpOption::Overload), 0);
    if (overload < 1 || overload > 3) {
      dropped.push_back(
          cat(option_label(DhcpOption::Overload), ": value ", overload, " is not 1, 2 or 3; ignoring it"));
      overload = 0;
    }
  }
  const auto file = payload.subspan(kFile, kFileSize);
  const auto sname = payload.subspan(kSname, kSnameSize);
  if ((overload & kOverloadFile) != 0) {
    if (auto collected = collect_options(file, OptionField::File, kFile, options, dropped); !collected) {
      return std::unexpected(collected.error());
    }
  } else {
    message.boot_file = text_until_nul(file);
  }
  if ((overload & kOverloadSname) != 0) {
    if (auto collected = collect_options(sname, OptionField::Sname, kSname, options, dropped); !collected) {
      return std::unexpected(collected.error());
    }
  } else {
    message.server_name = text_until_nul(sname);
  }

  // The client's decisions hang on these two: a malformed one rejects the message.
  if (options.has(DhcpOption::MessageType)) {
    const auto bytes = options.get(DhcpOption::MessageType);
    const unsigned value = bytes.size() == 1 ? byte_at(bytes, 0) : 0;
    if (value < static_cast<unsigned>(DhcpMessageType::Discover) || value > static_cast<unsigned>(DhcpMessageType::Inform)) {
      return std::unexpected(packet_error(cat(option_label(DhcpOption::MessageType), " is malformed (", bytes.size(),
                                              " bytes, value ", value, ")")));
    }
    message.type = static_cast<DhcpMessageType>(value);
  }
  if (options.has(DhcpOption::ServerIdentifier)) {
    const auto bytes = options.get(DhcpOption::ServerIdentifier);
    if (bytes.size() != 4) {
      return std::unexpected(
          packet_error(cat(option_label(DhcpOption::ServerIdentifier), " is ", bytes.size(), " bytes, not 4")));
    }
    message.server_id = Ipv4Address{load_be32(bytes, 0)};
  }

  message.subnet_mask = address_option(options, DhcpOption::SubnetMask, dropped);
  message.broadcast = address_option(options, DhcpOption::BroadcastAddress, dropped);
  message.routers = address_list_option(options, DhcpOption::Router, dropped);
  message.dns_servers = address_list_option(options, DhcpOption::DomainNameServer, dropped);
  message.ntp_servers = address_list_option(options, DhcpOption::NtpServers, dropped);
  message.host_name = string_option(options, DhcpOption::HostName);
  message.domain_name = string_option(options, DhcpOption::DomainName);
  message.root_path = string_option(options, DhcpOption::RootPath);
  message.message = string_option(options, DhcpOption::Message);
  if (has_length(options, DhcpOption::InterfaceMtu, 2, dropped)) {
    const std::uint16_t mtu = load_be16(options.get(DhcpOption::InterfaceMtu), 0);
    if (mtu >= kMinimumMtu) {
      message.mtu = mtu;
    } else {
      dropped.push_back(
          cat(option_label(DhcpOption::InterfaceMtu), ": ", mtu, " is below ", kMinimumMtu, "; ignoring it"));
    }
  }
  message.lease_seconds = seconds_option(options, DhcpOption::LeaseTime, dropped);
  message.renewal_seconds = seconds_option(options, DhcpOption::RenewalTime, dropped);
  message.rebinding_seconds = seconds_option(options, DhcpOption::RebindingTime, dropped);
  return message;
}

std::vector<std::byte> build_dhcp_request(const DhcpRequestFields& fields) {
  std::vector<std::byte> out(kDhcpMinimumMessageSize);
  out[kOp] = std::byte{kBootRequest};
  out[kHtype] = std::byte{kHtypeEthernet};
  out[kHlen] = std::byte{kHlenEthernet};
  store_be(out, kXid, fields.xid, 4);
  store_be(out, kSecs, fields.secs, 2);
  // RFC 2131 4.3.2 table 5: ciaddr is 0 in INIT, SELECTING and INIT-REBOOT, the client's
  // address in RENEWING and REBINDING; yiaddr, siaddr and giaddr are always 0.
  if (fields.client_address) {
    store_be(out, kCiaddr, fields.client_address->value, 4);
  } else {
    store_be(out, kFlags, kDhcpBroadcastFlag, 2);
  }
  static_assert(kChaddrSize >= 6);
  for (std::size_t i = 0; i < fields.mac.octets.size(); ++i) out[kChaddr + i] = std::byte{fields.mac.octets[i]};
  for (std::size_t i = 0; i < kMagicCookie.size(); ++i) out[kCookie + i] = std::byte{kMagicCookie[i]};

  const std::array<std::byte, 1> type{static_cast<std::byte>(fields.type)};
  append_option(out, DhcpOption::MessageType, type);
  if (fields.client_id && !fields.client_id->value.empty()) {
    // RFC 2132 9.14: a type byte, then the identifier.
    std::vector<std::byte> id{std::byte{fields.client_id->type}};
    for (const char c : fields.client_id->value) id.push_back(static_cast<std::byte>(c));
    append_option(out, DhcpOption::ClientIdentifier, id);
  }
  if (fields.requested_address) append_option(out, DhcpOption::RequestedAddress, address_bytes(*fields.requested_address));
  if (fields.server_id) append_option(out, DhcpOption::ServerIdentifier, address_bytes(*fields.server_id));
  const std::uint16_t max_size = std::max(fields.max_message_size, kMinimumMaxMessageSize);
  const std::array<std::byte, 2> size_bytes{static_cast<std::byte>(max_size >> 8), static_cast<std::byte>(max_size & 0xff)};
  append_option(out, DhcpOption::MaxMessageSize, size_bytes);
  std::array<std::byte, kRequestedParameters.size()> parameters{};
  std::transform(kRequestedParameters.begin(), kRequestedParameters.end(), parameters.begin(),
                 [](DhcpOption option) { return static_cast<std::byte>(option); });
  append_option(out, DhcpOption::ParameterRequestList, parameters);
  if (!fields.vendor_class.empty()) append_text_option(out, DhcpOption::VendorClass, fields.vendor_class);
  if (!fields.host_name.empty()) append_text_option(out, DhcpOption::HostName, fields.host_name);
  out.push_back(static_cast<std::byte>(DhcpOption::End));
  if (out.size() < kBootpMinimumMessageSize) out.resize(kBootpMinimumMessageSize);  // PAD (0) bytes
  return out;
}

std::string_view to_string(DhcpMessageType type) {
  switch (type) {
    case DhcpMessageType::Discover: return "DISCOVER";
    case DhcpMessageType::Offer: return "OFFER";
    case DhcpMessageType::Request: return "REQUEST";
    case DhcpMessageType::Decline: return "DECLINE";
    case DhcpMessageType::Ack: return "ACK";
    case DhcpMessageType::Nak: return "NAK";
    case DhcpMessageType::Release: return "RELEASE";
    case DhcpMessageType::Inform: return "INFORM";
  }
  return "unknown";
}

}  // namespace nfsroot
