// The checks a DHCP server's values pass before they enter the lease.
#include "net/dhcp_lease.h"

#include <algorithm>

#include "base/cat.h"
#include "base/text.h"

namespace nfsroot {

namespace {

constexpr std::size_t kMaxLabel = 63;   // RFC 1035 2.3.4
constexpr std::size_t kMaxName = 253;   // RFC 1035 2.3.4: 255 on the wire, 253 as text

bool is_letter_or_digit(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

bool is_valid_label(std::string_view label) {
  if (label.empty() || label.size() > kMaxLabel) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  return std::all_of(label.begin(), label.end(), [](char c) { return is_letter_or_digit(c) || c == '-'; });
}

std::string_view without_final_dot(std::string_view name) {
  if (name.size() > 1 && name.ends_with('.')) name.remove_suffix(1);
  return name;
}

std::string quoted(std::string_view value) { return "'" + escape_for_log(value) + "'"; }

}  // namespace

bool is_valid_dns_name(std::string_view name) {
  name = without_final_dot(name);
  if (name.empty() || name.size() > kMaxName) return false;
  const auto labels = split(name, '.');
  return std::all_of(labels.begin(), labels.end(), is_valid_label);
}

std::string lease_host_name(std::string_view sent, std::vector<std::string>& warnings) {
  if (sent.empty()) return {};
  const std::string_view first = sent.substr(0, sent.find('.'));
  if (!is_valid_dns_name(sent)) {
    warnings.push_back("host name (option 12) " + quoted(sent) +
                       " is not a valid host name (RFC 1123: letters, digits and hyphens, labels of at most 63 "
                       "bytes); ignoring it, %s in the NFS path becomes the client address");
    return {};
  }
  const bool localhost = first.size() == 9 && std::equal(first.begin(), first.end(), "localhost", [](char a, char b) {
    return (a | 0x20) == b;
  });
  if (localhost) {
    warnings.push_back("host name (option 12) " + quoted(sent) +
                       " names no host; ignoring it, %s in the NFS path becomes the client address");
    return {};
  }
  return std::string(first);
}

std::string lease_domain_name(std::string_view sent, std::vector<std::string>& warnings) {
  if (sent.empty()) return {};
  if (!is_valid_dns_name(sent) || without_final_dot(sent) == "localhost") {
    warnings.push_back("domain name (option 15) " + quoted(sent) +
                       " is not a valid domain name (RFC 1123); ignoring it");
    return {};
  }
  return std::string(without_final_dot(sent));
}

std::string lease_text(std::string_view sent, std::string_view what, std::size_t max_size,
                       std::vector<std::string>& warnings) {
  const bool control = std::any_of(sent.begin(), sent.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7f;
  });
  if (control) {
    warnings.push_back(std::string(what) + " " + quoted(sent) + " holds control characters; ignoring it");
    return {};
  }
  if (sent.size() > max_size) {
    warnings.push_back(cat(what, " of ", sent.size(), " bytes is longer than ", max_size, "; ignoring it"));
    return {};
  }
  return std::string(sent);
}

std::optional<std::uint16_t> lease_mtu(std::optional<std::uint16_t> sent, std::vector<std::string>& warnings) {
  if (!sent || *sent >= kMinimumLeaseMtu) return sent;
  warnings.push_back(cat("interface MTU (option 26) ", *sent, " is below ", kMinimumLeaseMtu,
                         ", the datagram size every IPv4 host must take (RFC 791); ignoring it, the link keeps "
                         "its MTU"));
  return std::nullopt;
}

namespace {
std::uint32_t fraction_of(std::uint32_t lease, std::uint64_t numerator, std::uint64_t denominator) {
  if (lease == kInfiniteLease) return kInfiniteLease;
  return static_cast<std::uint32_t>(lease * numerator / denominator);
}
}  // namespace

std::uint32_t default_renewal_seconds(std::uint32_t lease_seconds) { return fraction_of(lease_seconds, 1, 2); }
std::uint32_t default_rebinding_seconds(std::uint32_t lease_seconds) { return fraction_of(lease_seconds, 7, 8); }

}  // namespace nfsroot
