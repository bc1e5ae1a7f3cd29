// /run/nfsroot-init/lease-<interface>: what /init leaves for its lease keeper.
#include "net/lease_file.h"

#include <catch2/catch.hpp>

using namespace nfsroot;

namespace {

HeldLease held() {
  HeldLease lease;
  lease.interface = "eth0";
  lease.mac = *MacAddress::parse("52:54:00:12:34:56");
  lease.address = *Ipv4Address::parse("10.99.0.10");
  lease.server = *Ipv4Address::parse("10.99.0.1");
  lease.client_id = DhcpClientId{1, std::string("\x52\x54\x00\x12\x34\x56", 6)};
  lease.vendor_class = "PXEClient\nX=1";  // a newline cannot add a key
  lease.host_name = "node7";
  lease.lease_seconds = 600;
  lease.renewal_seconds = 300;
  lease.rebinding_seconds = 525;
  lease.bound_at = Uptime(30'250);
  lease.renewals = 2;
  return lease;
}

}  // namespace

TEST_CASE("lease file: written and read back") {
  const std::string text = format_lease_file(held(), RenewalState::Bound);
  CHECK(text.find("\nINTERFACE=eth0\nMAC=52:54:00:12:34:56\nADDRESS=10.99.0.10\nSERVER=10.99.0.1\n"
                  "CLIENT_ID_HEX=01525400123456\nVENDOR_CLASS_HEX=505845436c69656e740a583d31\n"
                  "HOST_NAME_HEX=6e6f646537\nLEASE_SECONDS=600\nRENEWAL_SECONDS=300\nREBINDING_SECONDS=525\n"
                  "BOUND_AT_MS=30250\nRENEWALS=2\nSTATE=bound\n") != std::string::npos);
  const auto back = parse_lease_file(text, "/run/nfsroot-init/lease-eth0");
  REQUIRE(back);
  CHECK(back->interface == "eth0");
  CHECK(back->mac == held().mac);
  CHECK(back->address == held().address);
  CHECK(back->server == held().server);
  CHECK(back->client_id == held().client_id);
  CHECK(back->vendor_class == held().vendor_class);
  CHECK(back->host_name == "node7");
  CHECK(back->lease_seconds == 600);
  CHECK(back->renewal_seconds == 300);
  CHECK(back->rebinding_seconds == 525);
  CHECK(back->bound_at == Uptime(30'250));
  CHECK(back->renewals == 2);

  HeldLease plain = held();
  plain.client_id.reset();
  plain.vendor_class.clear();
  const auto plain_back = parse_lease_file(format_lease_file(plain, RenewalState::Lost), "x");
  REQUIRE(plain_back);
  CHECK_FALSE(plain_back->client_id);
  CHECK(plain_back->vendor_class.empty());
  CHECK(lease_file_path("/run", "eth0") == "/run/nfsroot-init/lease-eth0");
}

TEST_CASE("lease file: what is wrong is named with its line") {
  const std::string good = format_lease_file(held(), RenewalState::Bound);
  const auto error_of = [](const std::string& text) {
    const auto parsed = parse_lease_file(text, "/run/nfsroot-init/lease-eth0");
    REQUIRE_FALSE(parsed);
    return describe(parsed.error());
  };
  CHECK(error_of(good + "COLOUR=blue\n").find("/run/nfsroot-init/lease-eth0 line 16") != std::string::npos);
  CHECK(error_of(good + "COLOUR=blue\n").find("unknown key 'COLOUR'") != std::string::npos);
  CHECK(error_of(good + "MAC=52:54:00:12:34:57\n").find("MAC given twice") != std::string::npos);
  std::string bad_address = good;
  bad_address.replace(bad_address.find("10.99.0.10"), 10, "10.99.0.300");
  CHECK(error_of(bad_address).find("ADDRESS='10.99.0.300' is not valid") != std::string::npos);
  std::string odd_hex = good;
  odd_hex.replace(odd_hex.find("6e6f646537"), 10, "6e6f64653");
  CHECK(error_of(odd_hex).find("HOST_NAME_HEX='6e6f64653' is not valid") != std::string::npos);
  std::string no_server = good;
  no_server.erase(no_server.find("SERVER=10.99.0.1\n"), 17);
  CHECK(error_of(no_server).find("SERVER is missing") != std::string::npos);
  CHECK(error_of(good + "junk\n").find("not KEY=value") != std::string::npos);
}

TEST_CASE("lease_to_keep: the ACK's address and times, the identity the boot's client sent") {
  DhcpLease lease;
  lease.address = *Ipv4Address::parse("10.99.0.10");
  lease.server_id = *Ipv4Address::parse("10.99.0.1");
  lease.next_server = *Ipv4Address::parse("10.99.0.9");  // TFTP's, not the lease's server
  lease.lease_seconds = 600;
  lease.renewal_seconds = 300;
  lease.rebinding_seconds = 525;
  NetworkStep step;
  step.client_id = DhcpClientId{0, "node7"};
  step.vendor_class = "lab-gw";
  step.hostname = "node7";
  const auto mac = *MacAddress::parse("52:54:00:12:34:56");
  const HeldLease held = lease_to_keep(lease, "eth0", mac, step, Uptime(4'200));
  CHECK(held.interface == "eth0");
  CHECK(held.mac == mac);
  CHECK(held.address == lease.address);
  CHECK(held.server == lease.server_id);
  CHECK(held.client_id == step.client_id);
  CHECK(held.vendor_class == "lab-gw");
  CHECK(held.host_name == "node7");
  CHECK(held.lease_seconds == 600);
  CHECK(held.renewal_seconds == 300);
  CHECK(held.rebinding_seconds == 525);
  CHECK(held.bound_at == Uptime(4'200));
  CHECK(held.renewals == 0);
}

namespace {

std::vector<std::byte> bytes_of(std::initializer_list<unsigned> values) {
  std::vector<std::byte> out;
  for (const unsigned v : values) out.push_back(static_cast<std::byte>(v));
  return out;
}

// ISC dhcpd -6's lease: fd00:99::77 from DUID-LLT 000100012f…, IA_NA 0x00123456.
HeldLease held6() {
  HeldLease lease;
  lease.interface = "eth0";
  lease.mac = *MacAddress::parse("52:54:00:12:34:56");
  lease.lease_seconds = 20;     // the valid lifetime
  lease.renewal_seconds = 5;    // T1
  lease.rebinding_seconds = 8;  // T2
  lease.bound_at = Uptime(30'250);
  lease.renewals = 3;
  lease.v6 = HeldLease6{*Ipv6Address::parse("fd00:99::77"), duid_ll(lease.mac),
                        bytes_of({0x00, 0x01, 0x00, 0x01, 0x2f, 0x9a, 0xbc, 0xde, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01}),
                        0x00123456, 10};
  return lease;
}

}  // namespace

TEST_CASE("lease file: a DHCPv6 lease written with its own keys and read back", "[ipv6]") {
  const std::string text = format_lease_file(held6(), RenewalState::Renewing);
  CHECK(text.find("# The DHCPv6 lease nfsroot-init took for eth0;") == 0);
  CHECK(text.find("\nINTERFACE=eth0\nMAC=52:54:00:12:34:56\nADDRESS=fd00:99::77\n"
                  "SERVER_ID_HEX=000100012f9abcde020000000001\nCLIENT_ID_HEX=00030001525400123456\n"
                  "IAID=1193046\nPREFERRED_SECONDS=10\nLEASE_SECONDS=20\nRENEWAL_SECONDS=5\nREBINDING_SECONDS=8\n"
                  "BOUND_AT_MS=30250\nRENEWALS=3\nSTATE=renewing\n") != std::string::npos);
  // DHCPv4's keys are not there: a reader tells the kinds apart by ADDRESS alone.
  CHECK(text.find("\nSERVER=") == std::string::npos);
  CHECK(text.find("VENDOR_CLASS_HEX") == std::string::npos);
  const auto back = parse_lease_file(text, "/run/nfsroot-init/lease-eth0");
  REQUIRE(back);
  REQUIRE(back->v6);
  const HeldLease expected = held6();
  CHECK(back->v6->address == expected.v6->address);
  CHECK(back->v6->client_id == expected.v6->client_id);
  CHECK(back->v6->server_id == expected.v6->server_id);
  CHECK(back->v6->iaid == 0x00123456);
  CHECK(back->v6->preferred_seconds == 10);
  CHECK(back->interface == "eth0");
  CHECK(back->mac == expected.mac);
  CHECK(back->lease_seconds == 20);
  CHECK(back->renewal_seconds == 5);
  CHECK(back->rebinding_seconds == 8);
  CHECK(back->bound_at == Uptime(30'250));
  CHECK(back->renewals == 3);
  CHECK_FALSE(back->client_id);
  // And a DHCPv4 file stays one.
  const auto v4 = parse_lease_file(format_lease_file(held(), RenewalState::Bound), "x");
  REQUIRE(v4);
  CHECK_FALSE(v4->v6);
}

TEST_CASE("lease file: a DHCPv6 lease with a key missing or one of DHCPv4's is refused", "[ipv6]") {
  const std::string good = format_lease_file(held6(), RenewalState::Bound);
  const auto error_of = [](const std::string& text) {
    const auto parsed = parse_lease_file(text, "/run/nfsroot-init/lease-eth0");
    REQUIRE_FALSE(parsed);
    return describe(parsed.error());
  };
  const auto without = [&](std::string_view key) {
    std::string text = good;
    const auto at = text.find(std::string("\n") + std::string(key) + "=");
    REQUIRE(at != std::string::npos);
    text.erase(at + 1, text.find('\n', at + 1) - at);
    return text;
  };
  CHECK(error_of(without("IAID")).find("IAID is missing") != std::string::npos);
  CHECK(error_of(without("SERVER_ID_HEX")).find("SERVER_ID_HEX is missing") != std::string::npos);
  CHECK(error_of(without("PREFERRED_SECONDS")).find("PREFERRED_SECONDS is missing") != std::string::npos);
  CHECK(error_of(without("CLIENT_ID_HEX")).find("CLIENT_ID_HEX, the DUID of a DHCPv6 lease, is missing") !=
        std::string::npos);
  CHECK(error_of(good + "SERVER=10.99.0.1\n").find("line 16: SERVER is a DHCPv4 key, and ADDRESS is IPv6") !=
        std::string::npos);
  const std::string v4 = format_lease_file(held(), RenewalState::Bound);
  CHECK(error_of(v4 + "IAID=1\n").find("IAID is a DHCPv6 key, and ADDRESS is IPv4") != std::string::npos);
  std::string bad_server = good;
  bad_server.replace(bad_server.find("SERVER_ID_HEX=") + 14, 28, "");
  CHECK(error_of(bad_server).find("SERVER_ID_HEX='' is not valid") != std::string::npos);
  std::string bad_address = good;
  bad_address.replace(bad_address.find("fd00:99::77"), 11, "fd00:99::7::7");
  CHECK(error_of(bad_address).find("ADDRESS='fd00:99::7::7' is not valid") != std::string::npos);
}

TEST_CASE("lease6_to_keep: the REPLY's address, lifetimes and server, the boot's DUID-LL and IAID", "[ipv6]") {
  Dhcp6Lease lease;
  lease.address = *Ipv6Address::parse("fd00:99::77");
  lease.preferred_seconds = 10;
  lease.valid_seconds = 20;
  lease.t1_seconds = 5;
  lease.t2_seconds = 8;
  lease.iaid = 0x00123456;
  lease.server_id = bytes_of({0, 3, 0, 1, 2, 0, 0, 0, 0, 1});
  const auto mac = *MacAddress::parse("52:54:00:12:34:56");
  const HeldLease held = lease6_to_keep(lease, "eth0", mac, Uptime(4'200));
  REQUIRE(held.v6);
  CHECK(held.interface == "eth0");
  CHECK(held.mac == mac);
  CHECK(held.v6->address == lease.address);
  CHECK(held.v6->client_id == duid_ll(mac));
  CHECK(held.v6->server_id == lease.server_id);
  CHECK(held.v6->iaid == 0x00123456);
  CHECK(held.v6->preferred_seconds == 10);
  CHECK(held.lease_seconds == 20);
  CHECK(held.renewal_seconds == 5);
  CHECK(held.rebinding_seconds == 8);
  CHECK(held.bound_at == Uptime(4'200));
  CHECK(held.renewals == 0);
}
