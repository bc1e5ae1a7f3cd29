// DHCPv6 message building and parsing (RFC 8415 8 and 21).
#include "net/dhcp6_message.h"

#include <algorithm>

#include "base/cat.h"
#include "base/network_order.h"
#include "base/text.h"
#include "net/dhcp_lease.h"

namespace nfsroot {

namespace {

// RFC 8415 8: msg-type, then a 3-byte transaction id; options are code, length (2 bytes each,
// network order), then the data.
constexpr std::size_t kHeaderSize = 4;
constexpr std::size_t kOptionHeaderSize = 4;
constexpr std::size_t kIaNaFixedSize = 12;       // IAID, T1, T2
constexpr std::size_t kIaAddressFixedSize = 24;  // address, preferred, valid
constexpr std::size_t kMaxDomainName = 253;      // RFC 1035 2.3.4, as text

Ipv6Address load_address(std::span<const std::byte> bytes, std::size_t at) {
  Ipv6Address address;
  for (std::size_t i = 0; i < 16; ++i) address.octets[i] = byte_at(bytes, at + i);
  return address;
}

void put16(std::vector<std::byte>& out, std::uint16_t value) {
  out.push_back(static_cast<std::byte>(value >> 8));
  out.push_back(static_cast<std::byte>(value & 0xff));
}

void put32(std::vector<std::byte>& out, std::uint32_t value) {
  put16(out, static_cast<std::uint16_t>(value >> 16));
  put16(out, static_cast<std::uint16_t>(value & 0xffff));
}

Error packet_error(std::string problem) { return error_with_problem("parse DHCPv6 message", {}, problem); }

std::string option_label(std::uint16_t code) {
  switch (static_cast<Dhcp6Option>(code)) {
    case Dhcp6Option::ClientId: return "option 1 (client identifier)";
    case Dhcp6Option::ServerId: return "option 2 (server identifier)";
    case Dhcp6Option::IaNa: return "option 3 (IA_NA)";
    case Dhcp6Option::IaAddress: return "option 5 (IA address)";
    case Dhcp6Option::Preference: return "option 7 (preference)";
    case Dhcp6Option::ElapsedTime: return "option 8 (elapsed time)";
    case Dhcp6Option::StatusCode: return "option 13 (status code)";
    case Dhcp6Option::DnsServers: return "option 23 (DNS servers)";
    case Dhcp6Option::DomainList: return "option 24 (domain list)";
    case Dhcp6Option::BootfileUrl: return "option 59 (bootfile URL)";
    default: return cat("option ", code);
  }
}

struct RawOption {
  std::uint16_t code = 0;
  std::span<const std::byte> data;
};

// The options of one level (the message, or inside an IA_NA or IA address), each checked to
// lie inside `bytes`.
Result<std::vector<RawOption>> split_options(std::span<const std::byte> bytes, std::string_view where) {
  std::vector<RawOption> options;
  std::size_t at = 0;
  while (at < bytes.size()) {
    if (bytes.size() - at < kOptionHeaderSize) {
      return std::unexpected(packet_error(cat(bytes.size() - at, " stray bytes at the end of ", where)));
    }
    const std::uint16_t code = load_be16(bytes, at);
    const std::size_t length = load_be16(bytes, at + 2);
    if (length > bytes.size() - at - kOptionHeaderSize) {
      return std::unexpected(packet_error(cat(option_label(code), " in ", where, ": length ", length, " with ",
                                              bytes.size() - at - kOptionHeaderSize, " bytes left")));
    }
    options.push_back({code, bytes.subspan(at + kOptionHeaderSize, length)});
    at += kOptionHeaderSize + length;
  }
  return options;
}

// A status code option: its code, and its UTF-8 message escaped for the log.
bool read_status(std::span<const std::byte> data, std::optional<Dhcp6Status>& status, std::string& message,
                 std::vector<std::string>& dropped) {
  if (data.size() < 2) {
    dropped.push_back(cat(option_label(13), ": ", data.size(), " bytes, at least 2 expected; ignoring it"));
    return false;
  }
  status = static_cast<Dhcp6Status>(load_be16(data, 0));
  const auto text = data.subspan(2);
  message = escape_for_log(std::string_view(reinterpret_cast<const char*>(text.data()), text.size()));
  return true;
}

// RFC 1035 3.1 names, uncompressed (RFC 8415 10), each one that is_valid_dns_name() takes: the
// rule the DHCPv4 search domain (option 15) passes before it reaches resolv.conf too.
std::optional<std::vector<std::string>> read_domain_list(std::span<const std::byte> data) {
  std::vector<std::string> names;
  std::string name;
  std::size_t at = 0;
  while (at < data.size()) {
    const std::size_t length = byte_at(data, at++);
    if (length == 0) {
      if (!is_valid_dns_name(name)) return std::nullopt;  // also the root alone, which is no search domain
      names.push_back(std::move(name));
      name.clear();
      continue;
    }
    if (length > 63 || length > data.size() - at) return std::nullopt;  // 0xc0: a compression pointer
    const std::string_view label(reinterpret_cast<const char*>(data.data() + at), length);
    if (label.find('.') != std::string_view::npos) return std::nullopt;  // would read as two labels
    if (!name.empty()) name += '.';
    name += label;
    at += length;
  }
  if (!name.empty()) return std::nullopt;  // a name without its terminating root label
  return names;
}

std::optional<Dhcp6Address> read_ia_address(std::span<const std::byte> data, std::vector<std::string>& dropped) {
  if (data.size() < kIaAddressFixedSize) {
    dropped.push_back(cat(option_label(5), ": ", data.size(), " bytes, at least 24 expected; ignoring it"));
    return std::nullopt;
  }
  Dhcp6Address address{load_address(data, 0), load_be32(data, 16), load_be32(data, 20)};
  // RFC 8415 21.6: a preferred lifetime above the valid one makes the address invalid.
  if (address.preferred_seconds > address.valid_seconds) {
    dropped.push_back(cat(option_label(5), " ", address.address.to_string(), ": preferred lifetime ",
                          address.preferred_seconds, " s above the valid ", address.valid_seconds,
                          " s; ignoring it"));
    return std::nullopt;
  }
  // Its own options hold at most a status code; a malformed nesting drops the address.
  auto nested = split_options(data.subspan(kIaAddressFixedSize), "an IA address");
  if (!nested) {
    dropped.push_back(cat(describe(nested.error()), "; ignoring ", address.address.to_string()));
    return std::nullopt;
  }
  for (const auto& option : *nested) {
    if (option.code != static_cast<std::uint16_t>(Dhcp6Option::StatusCode)) continue;
    std::optional<Dhcp6Status> status;
    std::string message;
    if (read_status(option.data, status, message, dropped) && status != Dhcp6Status::Success) {
      dropped.push_back(cat(option_label(5), " ", address.address.to_string(), ": status ", to_string(*status),
                            message.empty() ? std::string() : cat(" (", message, ")"), "; ignoring it"));
      return std::nullopt;
    }
  }
  return address;
}

std::optional<Dhcp6IaNa> read_ia_na(std::span<const std::byte> data, std::vector<std::string>& dropped) {
  if (data.size() < kIaNaFixedSize) {
    dropped.push_back(cat(option_label(3), ": ", data.size(), " bytes, at least 12 expected; ignoring it"));
    return std::nullopt;
  }
  Dhcp6IaNa ia;
  ia.iaid = load_be32(data, 0);
  ia.t1_seconds = load_be32(data, 4);
  ia.t2_seconds = load_be32(data, 8);
  // RFC 8415 21.4: T1 above T2, both set, means the client discards the IA_NA.
  if (ia.t1_seconds > 0 && ia.t2_seconds > 0 && ia.t1_seconds > ia.t2_seconds) {
    dropped.push_back(cat(option_label(3), " ", ia.iaid, ": T1 ", ia.t1_seconds, " s above T2 ", ia.t2_seconds,
                          " s; ignoring it"));
    return std::nullopt;
  }
  auto nested = split_options(data.subspan(kIaNaFixedSize), "an IA_NA");
  if (!nested) {
    dropped.push_back(cat(describe(nested.error()), "; ignoring the IA_NA"));
    return std::nullopt;
  }
  for (const auto& option : *nested) {
    if (option.code == static_cast<std::uint16_t>(Dhcp6Option::IaAddress)) {
      if (auto address = read_ia_address(option.data, dropped)) ia.addresses.push_back(*address);
    } else if (option.code == static_cast<std::uint16_t>(Dhcp6Option::StatusCode)) {
      read_status(option.data, ia.status, ia.status_message, dropped);
    }
  }
  return ia;
}

Result<std::vector<std::byte>> read_duid(std::span<const std::byte> data, std::uint16_t code,
                                         const std::vector<std::byte>& already) {
  if (!already.empty()) return std::unexpected(packet_error(cat(option_label(code), " twice")));
  // RFC 8415 11.1: a 2-byte type and at most 128 bytes of identifier.
  if (data.size() < 3 || data.size() > kMaxDuidSize) {
    return std::unexpected(packet_error(cat(option_label(code), ": ", data.size(), " bytes, 3 to 130 expected")));
  }
  return std::vector<std::byte>(data.begin(), data.end());
}

}  // namespace

std::vector<std::byte> duid_ll(const MacAddress& mac) {
  std::vector<std::byte> duid;
  put16(duid, 3);  // DUID-LL
  put16(duid, 1);  // hardware type: Ethernet (RFC 826)
  for (const auto octet : mac.octets) duid.push_back(static_cast<std::byte>(octet));
  return duid;
}

Result<Dhcp6Message> parse_dhcp6_message(std::span<const std::byte> payload) {
  if (payload.size() < kHeaderSize) {
    return std::unexpected(packet_error(cat(payload.size(), " bytes, shorter than the 4-byte header")));
  }
  Dhcp6Message message;
  message.type = static_cast<Dhcp6MessageType>(byte_at(payload, 0));
  message.transaction_id = load_be32(payload, 0) & 0xffffff;
  const auto options = TRY(split_options(payload.subspan(kHeaderSize), "the message"));
  for (const auto& [code, data] : options) {
    switch (static_cast<Dhcp6Option>(code)) {
      case Dhcp6Option::ClientId: message.client_id = TRY(read_duid(data, code, message.client_id)); break;
      case Dhcp6Option::ServerId: message.server_id = TRY(read_duid(data, code, message.server_id)); break;
      case Dhcp6Option::IaNa:
        if (auto ia = read_ia_na(data, message.dropped)) message.ia_na.push_back(std::move(*ia));
        break;
      case Dhcp6Option::Preference:
        if (data.size() == 1) {
          message.preference = byte_at(data, 0);
        } else {
          message.dropped.push_back(cat(option_label(code), ": ", data.size(), " bytes, 1 expected; ignoring it"));
        }
        break;
      case Dhcp6Option::StatusCode:
        read_status(data, message.status, message.status_message, message.dropped);
        break;
      case Dhcp6Option::RapidCommit: message.rapid_commit = true; break;
      case Dhcp6Option::DnsServers:
        if (data.empty() || data.size() % 16 != 0) {
          message.dropped.push_back(
              cat(option_label(code), ": ", data.size(), " bytes, not a list of 16-byte addresses; ignoring it"));
        } else {
          for (std::size_t at = 0; at < data.size(); at += 16) message.dns_servers.push_back(load_address(data, at));
        }
        break;
      case Dhcp6Option::DomainList:
        if (auto names = read_domain_list(data)) {
          message.domain_list = std::move(*names);
        } else {
          message.dropped.push_back(cat(option_label(code),
                                        ": not a list of plain uncompressed DNS names; ignoring it"));
        }
        break;
      case Dhcp6Option::BootfileUrl: {
        const bool printable = !data.empty() && std::all_of(data.begin(), data.end(), [](std::byte b) {
          const auto c = std::to_integer<unsigned>(b);
          return c > ' ' && c < 127;
        });
        if (printable) {
          message.bootfile_url.assign(reinterpret_cast<const char*>(data.data()), data.size());
        } else {
          message.dropped.push_back(cat(option_label(code), ": ", data.size(),
                                        " bytes, not a URL of printable ASCII; ignoring it"));
        }
        break;
      }
      default: break;  // RFC 8415 16: options a client does not know are ignored
    }
  }
  return message;
}

Result<void> check_dhcp6_reply(const Dhcp6Message& message, std::uint32_t transaction_id,
                               std::span<const std::byte> client_id) {
  const auto refuse = [&](std::string problem) {
    return std::unexpected(error_with_problem("check DHCPv6 reply", to_string(message.type), std::move(problem)));
  };
  if (message.type != Dhcp6MessageType::Advertise && message.type != Dhcp6MessageType::Reply) {
    return refuse("not an ADVERTISE or REPLY");
  }
  if (message.transaction_id != (transaction_id & 0xffffff)) {
    return refuse(cat("transaction id ", message.transaction_id, " is not ours (", transaction_id & 0xffffff, ")"));
  }
  if (message.server_id.empty()) return refuse("no server identifier (RFC 8415 16.3)");
  if (!std::equal(message.client_id.begin(), message.client_id.end(), client_id.begin(), client_id.end())) {
    return refuse(message.client_id.empty() ? "no client identifier" : "another client's identifier");
  }
  return {};
}

std::vector<std::byte> build_dhcp6_message(const Dhcp6RequestFields& fields) {
  std::vector<std::byte> out;
  put32(out, static_cast<std::uint32_t>(fields.type) << 24 | (fields.transaction_id & 0xffffff));
  const auto option = [&](Dhcp6Option code, std::span<const std::byte> data) {
    put16(out, static_cast<std::uint16_t>(code));
    put16(out, static_cast<std::uint16_t>(data.size()));
    out.insert(out.end(), data.begin(), data.end());
  };
  option(Dhcp6Option::ClientId, fields.client_id);
  if (!fields.server_id.empty()) option(Dhcp6Option::ServerId, fields.server_id);
  std::vector<std::byte> ia;
  put32(ia, fields.iaid);
  put32(ia, 0);  // T1, T2: the server's choice (RFC 8415 18.2.1)
  put32(ia, 0);
  for (const auto& address : fields.addresses) {
    put16(ia, static_cast<std::uint16_t>(Dhcp6Option::IaAddress));
    put16(ia, static_cast<std::uint16_t>(kIaAddressFixedSize));
    for (const auto octet : address.octets) ia.push_back(static_cast<std::byte>(octet));
    put32(ia, 0);  // lifetimes: the server's choice (RFC 8415 21.6)
    put32(ia, 0);
  }
  option(Dhcp6Option::IaNa, ia);
  std::vector<std::byte> elapsed;
  put16(elapsed, fields.elapsed_hundredths);
  option(Dhcp6Option::ElapsedTime, elapsed);
  std::vector<std::byte> requested;
  for (const auto code : {Dhcp6Option::DnsServers, Dhcp6Option::DomainList, Dhcp6Option::BootfileUrl}) {
    put16(requested, static_cast<std::uint16_t>(code));
  }
  option(Dhcp6Option::OptionRequest, requested);
  return out;
}

std::string_view to_string(Dhcp6MessageType type) {
  switch (type) {
    case Dhcp6MessageType::Solicit: return "SOLICIT";
    case Dhcp6MessageType::Advertise: return "ADVERTISE";
    case Dhcp6MessageType::Request: return "REQUEST";
    case Dhcp6MessageType::Confirm: return "CONFIRM";
    case Dhcp6MessageType::Renew: return "RENEW";
    case Dhcp6MessageType::Rebind: return "REBIND";
    case Dhcp6MessageType::Reply: return "REPLY";
    case Dhcp6MessageType::Release: return "RELEASE";
    case Dhcp6MessageType::Decline: return "DECLINE";
    case Dhcp6MessageType::Reconfigure: return "RECONFIGURE";
    case Dhcp6MessageType::InformationRequest: return "INFORMATION-REQUEST";
  }
  return "message of an unknown type";
}

std::string_view to_string(Dhcp6Status status) {
  switch (status) {
    case Dhcp6Status::Success: return "Success";
    case Dhcp6Status::UnspecFail: return "UnspecFail";
    case Dhcp6Status::NoAddrsAvail: return "NoAddrsAvail";
    case Dhcp6Status::NoBinding: return "NoBinding";
    case Dhcp6Status::NotOnLink: return "NotOnLink";
    case Dhcp6Status::UseMulticast: return "UseMulticast";
  }
  return "an unknown status";
}

}  // namespace nfsroot
