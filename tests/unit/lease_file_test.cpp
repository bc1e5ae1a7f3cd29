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
