// The checks a DHCP server's names, texts and MTU pass before they enter the lease.
#include "net/dhcp_lease.h"

#include <catch2/catch.hpp>

using namespace nfsroot;

TEST_CASE("dhcp lease: a DNS name is labels of letters, digits and hyphens (RFC 1123)", "[dhcp_lease]") {
  struct Case {
    std::string name;
    bool valid;
  };
  const Case cases[] = {
      {"node7", true},
      {"lab.example", true},
      {"lab.example.", true},  // the absolute form
      {"3com", true},          // RFC 1123 2.1: a label may start with a digit
      {"a-b", true},
      {std::string(63, 'a'), true},
      {std::string(64, 'a'), false},
      {std::string(63, 'a') + "." + std::string(63, 'b') + "." + std::string(63, 'c') + "." + std::string(61, 'd'),
       true},  // 253 bytes
      {std::string(63, 'a') + "." + std::string(63, 'b') + "." + std::string(63, 'c') + "." + std::string(62, 'd'),
       false},  // 254 bytes
      {"", false},
      {".", false},
      {"a..b", false},
      {".a", false},
      {"-a", false},
      {"a-", false},
      {"a_b", false},
      {"a b", false},
      {"..", false},
      {"a/b", false},
      {"lab\nnameserver", false},
      {"caf\xc3\xa9", false},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    CHECK(is_valid_dns_name(c.name) == c.valid);
  }
}

TEST_CASE("dhcp lease: the host name is one label, else none", "[dhcp_lease]") {
  struct Case {
    const char* sent;
    const char* kept;
    bool warned;
  };
  const Case cases[] = {
      {"", "", false},
      {"node7", "node7", false},
      {"Node7", "Node7", false},
      {"node7.lab.example", "node7", false},  // the first label: %s and sethostname take no domain
      {"../../etc", "", true},
      {"node7/../../etc", "", true},
      {"localhost", "", true},
      {"LocalHost.lab", "", true},
      {"-x", "", true},
  };
  for (const auto& c : cases) {
    INFO(c.sent);
    std::vector<std::string> warnings;
    CHECK(lease_host_name(c.sent, warnings) == c.kept);
    CHECK(warnings.size() == (c.warned ? 1u : 0u));
  }
}

TEST_CASE("dhcp lease: the domain is a DNS name, without its final dot", "[dhcp_lease]") {
  std::vector<std::string> warnings;
  CHECK(lease_domain_name("lab.example.", warnings) == "lab.example");
  CHECK(lease_domain_name("lab\nnameserver 10.6.6.6", warnings).empty());
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0] == "domain name (option 15) 'lab\\nnameserver 10.6.6.6' is not a valid domain name (RFC 1123); "
                       "ignoring it");
}

TEST_CASE("dhcp lease: texts for the root system hold no control character and fit", "[dhcp_lease]") {
  struct Case {
    std::string sent;
    std::size_t max_size;
    std::string kept;
    const char* warning;
  };
  const Case cases[] = {
      {"10.0.2.2:/srv/nfs,vers=3", 1024, "10.0.2.2:/srv/nfs,vers=3", ""},
      {"/srv/with space/and'quote", 1024, "/srv/with space/and'quote", ""},  // quoted when written
      {"/srv\nROOTSERVER=x", 1024, "", "root path '/srv\\nROOTSERVER=x' holds control characters; ignoring it"},
      {"/srv\x7f", 1024, "", "root path '/srv\\x7f' holds control characters; ignoring it"},
      {std::string(1025, 'a'), 1024, "", "root path of 1025 bytes is longer than 1024; ignoring it"},
  };
  for (const auto& c : cases) {
    INFO(c.sent);
    std::vector<std::string> warnings;
    CHECK(lease_text(c.sent, "root path", c.max_size, warnings) == c.kept);
    if (*c.warning) {
      REQUIRE(warnings.size() == 1);
      CHECK(warnings[0] == c.warning);
    } else {
      CHECK(warnings.empty());
    }
  }
}

TEST_CASE("dhcp lease: an MTU below 576 is not applied", "[dhcp_lease]") {
  std::vector<std::string> warnings;
  CHECK(lease_mtu(std::nullopt, warnings) == std::nullopt);
  CHECK(lease_mtu(576, warnings) == 576);
  CHECK(lease_mtu(9000, warnings) == 9000);
  CHECK(warnings.empty());
  CHECK(lease_mtu(575, warnings) == std::nullopt);
  CHECK(lease_mtu(68, warnings) == std::nullopt);
  CHECK(warnings.size() == 2);
}
