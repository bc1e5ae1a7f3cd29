// Fuzzes what a hostile DHCPv6 server can send: whatever parses holds only checked values (a
// 24-bit transaction id, DUIDs of 3 to 130 bytes, lifetimes and T1/T2 in RFC 8415's order, plain
// domain names, a printable URL), and a client message built from those values parses back to
// them.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "net/dhcp6_message.h"
#include "net/dhcp_lease.h"

namespace {

using namespace nfsroot;

void check(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto parsed = parse_dhcp6_message(std::as_bytes(std::span(data, size)));
  if (!parsed) return 0;
  const Dhcp6Message& m = *parsed;
  check(m.transaction_id <= 0xffffff);
  for (const auto* duid : {&m.client_id, &m.server_id}) check(duid->empty() || (duid->size() >= 3 && duid->size() <= 130));
  for (const auto& ia : m.ia_na) {
    check(ia.t1_seconds == 0 || ia.t2_seconds == 0 || ia.t1_seconds <= ia.t2_seconds);
    for (const auto& address : ia.addresses) check(address.preferred_seconds <= address.valid_seconds);
    check(ia.status_message.find('\n') == std::string::npos);
  }
  for (const auto& name : m.domain_list) check(is_valid_dns_name(name));
  for (const char c : m.bootfile_url) check(c > ' ' && c < 127);
  check(m.status_message.find('\n') == std::string::npos);
  (void)check_dhcp6_reply(m, m.transaction_id, m.client_id);

  if (m.client_id.empty()) return 0;
  Dhcp6RequestFields fields;
  fields.type = Dhcp6MessageType::Request;
  fields.transaction_id = m.transaction_id;
  fields.client_id = m.client_id;
  fields.server_id = m.server_id;
  if (!m.ia_na.empty()) {
    fields.iaid = m.ia_na[0].iaid;
    for (const auto& address : m.ia_na[0].addresses) fields.addresses.push_back(address.address);
  }
  const auto built = build_dhcp6_message(fields);
  const auto again = parse_dhcp6_message(built);
  check(again.has_value());
  check(again->type == Dhcp6MessageType::Request && again->transaction_id == m.transaction_id);
  check(again->client_id == m.client_id && again->server_id == m.server_id);
  check(again->ia_na.size() == 1 && again->ia_na[0].iaid == fields.iaid);
  check(again->ia_na[0].addresses.size() == fields.addresses.size());
  for (std::size_t i = 0; i < fields.addresses.size(); ++i) {
    check(again->ia_na[0].addresses[i].address == fields.addresses[i]);
  }
  check(again->dropped.empty());
  return 0;
}
