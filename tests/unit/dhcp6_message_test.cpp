// DHCPv6 messages: the bytes we send, and dnsmasq 2.90's real answers to them.
#include "net/dhcp6_message.h"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

using namespace nfsroot;

namespace {

std::vector<std::byte> from_hex(std::string_view hex) {
  std::vector<std::byte> bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes.push_back(static_cast<std::byte>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return bytes;
}

std::string to_hex(const std::vector<std::byte>& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  for (const auto b : bytes) {
    text += kHex[std::to_integer<unsigned>(b) >> 4];
    text += kHex[std::to_integer<unsigned>(b) & 0xf];
  }
  return text;
}

Ipv6Address ip6(std::string_view text) { return *Ipv6Address::parse(text); }

// Captured on veths in two network namespaces: dnsmasq 2.90 with
//   --dhcp-range=fd00:99::10,fd00:99::20,64,1h --dhcp-option=option6:dns-server,[fd00:99::53]
//   --dhcp-option=option6:domain-search,lab.example,example.org
//   --dhcp-option=option6:bootfile-url,nfs://[fd00:99::1]/srv/root
// answering the SOLICIT and REQUEST below (sent from [fe80::5054:ff:fe12:3456]:546).
constexpr std::string_view kSolicit =
    "011234560001000a000300015254001234560003000c0000000100000000000000000008000200000006000600170018003b";
constexpr std::string_view kAdvertise =
    "021234560001000a000300015254001234560002000e0001000132a95ef98e86b196fa0600030028000000010000070800000c4e0005"
    "0018fd00009900000000000000000000001f00000e1000000e10000d00090000737563636573730007000100003b001b6e66733a2f2f"
    "5b666430303a39393a3a315d2f7372762f726f6f740018001a036c6162076578616d706c6500076578616d706c65036f726700001700"
    "10fd000099000000000000000000000053";
constexpr std::string_view kRequest =
    "036543210001000a000300015254001234560002000e0001000132a95ef98e86b196fa060003002800000001000000000000000000"
    "050018fd00009900000000000000000000001f00000000000000000008000200000006000600170018003b";
constexpr std::string_view kServerId = "0001000132a95ef98e86b196fa06";

const std::vector<std::byte> kClientId = duid_ll(*MacAddress::parse("52:54:00:12:34:56"));

}  // namespace

TEST_CASE("dhcp6: SOLICIT and REQUEST are the bytes dnsmasq answered", "[dhcp6]") {
  CHECK(to_hex(kClientId) == "00030001525400123456");  // DUID-LL: type 3, Ethernet, the MAC
  Dhcp6RequestFields solicit;
  solicit.transaction_id = 0x123456;
  solicit.client_id = kClientId;
  solicit.iaid = 1;
  CHECK(to_hex(build_dhcp6_message(solicit)) == kSolicit);
  Dhcp6RequestFields request = solicit;
  request.type = Dhcp6MessageType::Request;
  request.transaction_id = 0xff654321;  // only 24 bits go out
  request.server_id = from_hex(kServerId);
  request.addresses = {ip6("fd00:99::1f")};
  CHECK(to_hex(build_dhcp6_message(request)) == kRequest);
}

TEST_CASE("dhcp6: dnsmasq's ADVERTISE, every field", "[dhcp6]") {
  const auto parsed = parse_dhcp6_message(from_hex(kAdvertise));
  REQUIRE(parsed);
  const Dhcp6Message& m = *parsed;
  CHECK(m.type == Dhcp6MessageType::Advertise);
  CHECK(m.transaction_id == 0x123456);
  CHECK(m.client_id == kClientId);
  CHECK(to_hex(m.server_id) == kServerId);
  CHECK(m.preference == 0);
  CHECK_FALSE(m.rapid_commit);
  // dnsmasq puts its "success" at the message's level, not in the IA_NA.
  CHECK(m.status == Dhcp6Status::Success);
  CHECK(m.status_message == "success");
  REQUIRE(m.ia_na.size() == 1);
  CHECK(m.ia_na[0].iaid == 1);
  CHECK(m.ia_na[0].t1_seconds == 1800);
  CHECK(m.ia_na[0].t2_seconds == 3150);
  CHECK_FALSE(m.ia_na[0].status);
  REQUIRE(m.ia_na[0].addresses.size() == 1);
  CHECK(m.ia_na[0].addresses[0].address == ip6("fd00:99::1f"));
  CHECK(m.ia_na[0].addresses[0].preferred_seconds == 3600);
  CHECK(m.ia_na[0].addresses[0].valid_seconds == 3600);
  CHECK(m.dns_servers == std::vector<Ipv6Address>{ip6("fd00:99::53")});
  CHECK(m.domain_list == std::vector<std::string>{"lab.example", "example.org"});
  CHECK(m.bootfile_url == "nfs://[fd00:99::1]/srv/root");
  CHECK(m.dropped.empty());
  CHECK(check_dhcp6_reply(m, 0x123456, kClientId));
}

TEST_CASE("dhcp6: a reply is ours only with our transaction, a server id and our DUID", "[dhcp6]") {
  const auto m = *parse_dhcp6_message(from_hex(kAdvertise));
  const auto refused = [&](const Dhcp6Message& message, std::uint32_t xid, std::string_view reason) {
    const auto checked = check_dhcp6_reply(message, xid, kClientId);
    REQUIRE_FALSE(checked);
    CHECK_THAT(describe(checked.error()), Catch::Contains(std::string(reason)));
  };
  refused(m, 0x123457, "transaction id 1193046 is not ours (1193047)");
  Dhcp6Message other = m;
  other.client_id = duid_ll(*MacAddress::parse("52:54:00:12:34:57"));
  refused(other, 0x123456, "another client's identifier");
  other.client_id.clear();
  refused(other, 0x123456, "no client identifier");
  other = m;
  other.server_id.clear();
  refused(other, 0x123456, "no server identifier");
  other = m;
  other.type = Dhcp6MessageType::Solicit;
  refused(other, 0x123456, "not an ADVERTISE or REPLY");
}

TEST_CASE("dhcp6: what is malformed is refused or left out, with the reason", "[dhcp6]") {
  const auto header = std::string("07123456");
  const auto parse = [&](std::string_view options) { return parse_dhcp6_message(from_hex(header + std::string(options))); };
  CHECK_FALSE(parse_dhcp6_message(from_hex("071234")));
  CHECK_FALSE(parse("0001000a00030001"));                 // the client id runs past the end
  CHECK_FALSE(parse("000100"));                            // stray bytes
  CHECK_FALSE(parse("00010002abcd"));                      // a DUID of 2 bytes
  CHECK_FALSE(parse("0002000a00030001525400123456" "0002000a00030001525400123456"));  // two server ids
  CHECK(parse(""));                                        // no options at all: the caller's check refuses it

  // IA_NA with T1 > T2 (RFC 8415 21.4), an address with preferred > valid (21.6), an address
  // whose own status is NoAddrsAvail: each left out with a line.
  auto m = parse("0003000c000000010000001000000008");
  REQUIRE(m);
  CHECK(m->ia_na.empty());
  REQUIRE(m->dropped.size() == 1);
  CHECK_THAT(m->dropped[0], Catch::Contains("T1 16 s above T2 8 s"));
  m = parse("00030028" "000000010000000000000000" "00050018" "fd000099000000000000000000000001" "0000000200000001");
  REQUIRE(m);
  REQUIRE(m->ia_na.size() == 1);
  CHECK(m->ia_na[0].addresses.empty());
  CHECK_THAT(m->dropped.at(0), Catch::Contains("fd00:99::1: preferred lifetime 2 s above the valid 1 s"));
  m = parse("0003002e" "000000010000000000000000" "0005001e" "fd000099000000000000000000000001" "0000000100000001"
            "000d00020002");
  REQUIRE(m);
  CHECK(m->ia_na.at(0).addresses.empty());
  CHECK_THAT(m->dropped.at(0), Catch::Contains("status NoAddrsAvail"));
  // The IA's own status, as a server without addresses sends it.
  m = parse("00030019" "000000010000000000000000" "000d00090002" "6e6f20726f6f6d");
  REQUIRE(m);
  CHECK(m->ia_na.at(0).status == Dhcp6Status::NoAddrsAvail);
  CHECK(m->ia_na.at(0).status_message == "no room");
  // A short IA_NA, a DNS list of 15 bytes, a compressed domain name, a name with a space, a
  // URL with a control character, a preference of 2 bytes.
  m = parse("00030004" "00000001");
  REQUIRE(m);
  CHECK(m->ia_na.empty());
  m = parse("0017000f" "fd0000990000000000000000000000");
  REQUIRE(m);
  CHECK(m->dns_servers.empty());
  CHECK_THAT(m->dropped.at(0), Catch::Contains("15 bytes, not a list of 16-byte addresses"));
  m = parse("00180004" "01610c00" "00180005" "0361206200" "003b0003" "610a62" "00070002" "0001");
  REQUIRE(m);
  CHECK(m->domain_list.empty());
  CHECK(m->bootfile_url.empty());
  CHECK_FALSE(m->preference);
  CHECK(m->dropped.size() == 4);
  // Search domains pass the DHCPv4 search domain's rule (is_valid_dns_name): no label starting
  // with '-', no '_', no '.' inside a wire label.
  for (const char* list : {"00180006" "042d6c616200", "00180006" "045f6c616200", "00180005" "03612e6200"}) {
    INFO(list);
    m = parse(list);
    REQUIRE(m);
    CHECK(m->domain_list.empty());
    CHECK(m->dropped.size() == 1);
  }
  // A status message is escaped for the log; an unknown option is skipped.
  m = parse("000d0007" "0001" "610a1b5b32" "ffff0000");
  REQUIRE(m);
  CHECK(m->status == Dhcp6Status::UnspecFail);
  CHECK(m->status_message == "a\\n\\x1b[2");
  CHECK(m->dropped.empty());
}
