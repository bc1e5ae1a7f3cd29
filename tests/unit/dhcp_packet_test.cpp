// DHCP message codec: a captured dnsmasq OFFER, every parsing rule of RFC 2131 / 2132 / 3396
// we follow, and the bytes of our DISCOVER and REQUEST.
#include "net/dhcp_packet.h"

#include <catch2/catch.hpp>

#include <string>

#include "net/udp_frame.h"

using namespace nfsroot;

namespace {

Ipv4Address ip4(const char* text) { return *Ipv4Address::parse(text); }

// Hex digits in pairs; spaces are skipped.
std::vector<std::byte> from_hex(std::string_view hex) {
  std::string digits;
  for (const char c : hex) {
    if (c != ' ') digits += c;
  }
  std::vector<std::byte> bytes;
  for (std::size_t i = 0; i + 1 < digits.size(); i += 2) {
    bytes.push_back(static_cast<std::byte>(std::stoi(digits.substr(i, 2), nullptr, 16)));
  }
  return bytes;
}

std::vector<std::byte> bytes_of(std::initializer_list<unsigned> values) {
  std::vector<std::byte> bytes;
  for (const unsigned value : values) bytes.push_back(static_cast<std::byte>(value));
  return bytes;
}

void append(std::vector<std::byte>& to, const std::vector<std::byte>& more) { to.insert(to.end(), more.begin(), more.end()); }

void put(std::vector<std::byte>& to, std::size_t at, std::initializer_list<unsigned> values) {
  for (const unsigned value : values) to[at++] = static_cast<std::byte>(value);
}

void put_text(std::vector<std::byte>& to, std::size_t at, std::string_view text) {
  for (const char c : text) to[at++] = static_cast<std::byte>(c);
}

// An option as code, length, data.
std::vector<std::byte> option(unsigned code, std::string_view data) {
  std::vector<std::byte> bytes = bytes_of({code, static_cast<unsigned>(data.size())});
  for (const char c : data) bytes.push_back(static_cast<std::byte>(c));
  return bytes;
}

std::vector<std::byte> option(unsigned code, std::initializer_list<unsigned> data) {
  std::vector<std::byte> bytes = bytes_of({code, static_cast<unsigned>(data.size())});
  append(bytes, bytes_of(data));
  return bytes;
}

constexpr std::size_t kSname = 44, kFile = 108;

// A BOOTREPLY header for 52:54:00:12:34:56, xid 0x1a2b3c4d, yiaddr 10.0.2.15, with the
// cookie, followed by `options` as given (no END unless the caller adds one).
std::vector<std::byte> reply(const std::vector<std::byte>& options = {}) {
  std::vector<std::byte> bytes(240);
  put(bytes, 0, {2, 1, 6, 0, 0x1a, 0x2b, 0x3c, 0x4d});
  put(bytes, 16, {10, 0, 2, 15});
  put(bytes, 28, {0x52, 0x54, 0x00, 0x12, 0x34, 0x56});
  put(bytes, 236, {99, 130, 83, 99});
  append(bytes, options);
  return bytes;
}

std::vector<std::byte> concat(std::initializer_list<std::vector<std::byte>> parts) {
  std::vector<std::byte> bytes;
  for (const auto& part : parts) append(bytes, part);
  return bytes;
}

const std::vector<std::byte> kOfferType = option(53, {2});
const std::vector<std::byte> kEnd = bytes_of({255});

bool mentions(const std::vector<std::string>& lines, std::string_view needle) {
  for (const auto& line : lines) {
    if (line.find(needle) != std::string::npos) return true;
  }
  return false;
}

// An OFFER captured from dnsmasq 2.90 on a veth pair (checksum offload off), answering the
// DISCOVER that build_dhcp_request() makes for 52:54:00:12:34:56 with vendor class
// "nfsroot-init". dnsmasq ran with --dhcp-range=10.0.2.15,10.0.2.30,255.255.255.0,1h
// --dhcp-option=option:router,10.0.2.2 option:dns-server,10.0.2.3 option:domain-name,lab.test
// option:root-path,10.0.2.2:/srv/nfsroot,vers=3 option:mtu,1400
// --dhcp-host=52:54:00:12:34:56,10.0.2.15,client7 --dhcp-boot=pxelinux.0,boothost,10.0.2.2
constexpr std::string_view kDnsmasqOfferFrame =
    // IPv4: 45 ver/IHL, c0 TOS, 0175 = 373 bytes, id 6e9f, no fragment, TTL 64, UDP, checksum fe17,
    // 10.0.2.2 -> 255.255.255.255; UDP 67 -> 68, length 0x161 = 353, checksum 44d2.
    // DHCP: op 2 BOOTREPLY, htype 1, hlen 6, hops 0
    "45c001756e9f00004011fe170a000202ffffffff00430044016144d202010600"
    // xid 1a2b3c4d, secs 0, flags 8000 (broadcast), ciaddr 0, yiaddr 10.0.2.15, siaddr 10.0.2.2,
    // giaddr 0, chaddr 52:54:00:12:34:56 …
    "1a2b3c4d00008000000000000a00020f0a000202000000005254001234560000"
    // … chaddr padding, sname "boothost" …
    "0000000000000000626f6f74686f737400000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    // … file "pxelinux.0" …
    "00000000000000007078656c696e75782e300000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    // cookie 63825363; 53=2 OFFER; 54=10.0.2.2; 51=3600 s; 58=1800 s …
    "00000000000000006382536335010236040a000202330400000e103a04000007"
    // … 59=2700 s; 1=255.255.255.0; 28=10.0.2.255; 12="client7"; 26=1400 …
    "083b0400000c4e0104ffffff001c040a0002ff0c07636c69656e74371a020578"
    // … 17="10.0.2.2:/srv/nfsroot,vers=3" (28 bytes); 15="lab.test" …
    "111c31302e302e322e323a2f7372762f6e6673726f6f742c766572733d330f08"
    // … 6=10.0.2.3; 3=10.0.2.2; END
    "6c61622e7465737406040a00020303040a000202ff";

std::vector<std::byte> dnsmasq_offer_payload() {
  const auto frame = from_hex(kDnsmasqOfferFrame);
  return std::vector<std::byte>(frame.begin() + 28, frame.end());
}

}  // namespace

TEST_CASE("dhcp: a dnsmasq OFFER decodes to every field it carries", "[dhcp_packet]") {
  const auto frame = from_hex(kDnsmasqOfferFrame);
  const auto datagram = parse_udp_frame(frame);
  REQUIRE(datagram);
  CHECK(datagram->source == ip4("10.0.2.2"));
  CHECK(datagram->source_port == 67);
  CHECK(datagram->destination_port == 68);
  const auto message = parse_dhcp_message(datagram->payload);
  REQUIRE(message);
  CHECK(message->op == 2);
  CHECK(message->xid == 0x1a2b3c4du);
  CHECK(message->flags == 0x8000);
  CHECK(message->yiaddr == ip4("10.0.2.15"));
  CHECK(message->siaddr == ip4("10.0.2.2"));
  CHECK(message->ciaddr.is_unspecified());
  CHECK(message->giaddr.is_unspecified());
  CHECK(message->chaddr.to_string() == "52:54:00:12:34:56");
  CHECK(message->server_name == "boothost");
  CHECK(message->boot_file == "pxelinux.0");
  CHECK(message->type == DhcpMessageType::Offer);
  CHECK(message->server_id == ip4("10.0.2.2"));
  CHECK(message->lease_seconds == 3600u);
  CHECK(message->renewal_seconds == 1800u);
  CHECK(message->rebinding_seconds == 3150u);
  CHECK(message->subnet_mask == ip4("255.255.255.0"));
  CHECK(message->broadcast == ip4("10.0.2.255"));
  CHECK(message->host_name == "client7");
  CHECK(message->mtu == 1400);
  CHECK(message->root_path == "10.0.2.2:/srv/nfsroot,vers=3");
  CHECK(message->domain_name == "lab.test");
  CHECK(message->dns_servers == std::vector<Ipv4Address>{ip4("10.0.2.3")});
  CHECK(message->routers == std::vector<Ipv4Address>{ip4("10.0.2.2")});
  CHECK(message->ntp_servers.empty());
  CHECK(message->message.empty());
  CHECK(message->dropped.empty());
}

TEST_CASE("dhcp: a message cut at any length is rejected or, at an option boundary, read up to there",
          "[dhcp_packet]") {
  const auto payload = dnsmasq_offer_payload();
  REQUIRE(payload.size() == 345);
  // Where each option of the OFFER starts, and the END: a cut there loses only what follows
  // (no END is tolerated); a cut anywhere else splits an option and is an error.
  const std::vector<std::size_t> boundaries{240, 243, 249, 255, 261, 267, 273, 279, 288, 292, 322, 332, 338, 344, 345};
  for (std::size_t length = 0; length <= payload.size(); ++length) {
    INFO("length " << length);
    const auto message = parse_dhcp_message(std::span(payload).first(length));
    const bool at_boundary = std::find(boundaries.begin(), boundaries.end(), length) != boundaries.end();
    CHECK(message.has_value() == at_boundary);
    if (length < 240) {
      REQUIRE_FALSE(message);
      CHECK(message.error().problem.find("shorter than the 240") != std::string::npos);
    } else if (!message) {
      const auto& problem = message.error().problem;
      CHECK((problem.find("runs past the end of the options field") != std::string::npos ||
             problem.find("has no length byte") != std::string::npos));
    }
  }
  CHECK(parse_dhcp_message(std::span(payload).first(249))->server_id == ip4("10.0.2.2"));
  CHECK_FALSE(parse_dhcp_message(std::span(payload).first(249))->lease_seconds);
}

TEST_CASE("dhcp: the header must be a BOOTREPLY for Ethernet with the magic cookie", "[dhcp_packet]") {
  struct Case {
    std::size_t offset;
    unsigned value;
    const char* problem;
  };
  const Case cases[] = {
      {0, 1, "op 1, not a BOOTREPLY (2)"},
      {0, 3, "op 3, not a BOOTREPLY (2)"},
      {1, 6, "hardware type 6 length 6, not Ethernet (1, 6)"},
      {2, 16, "hardware type 1 length 16, not Ethernet (1, 6)"},
      {236, 98, "no DHCP magic cookie"},
      {239, 0, "no DHCP magic cookie"},
  };
  for (const auto& c : cases) {
    INFO(c.problem);
    auto bytes = reply(concat({kOfferType, kEnd}));
    REQUIRE(parse_dhcp_message(bytes));
    put(bytes, c.offset, {c.value});
    const auto message = parse_dhcp_message(bytes);
    REQUIRE_FALSE(message);
    CHECK(message.error().operation == "parse DHCP message");
    CHECK(message.error().problem.find(c.problem) != std::string::npos);
  }
  // Our own DISCOVER is a BOOTREQUEST: never taken for a reply.
  CHECK_FALSE(parse_dhcp_message(build_dhcp_request({})));
}

TEST_CASE("dhcp: 240 bytes is the minimum; no options at all is a BOOTP-like reply", "[dhcp_packet]") {
  const auto bytes = reply();
  CHECK_FALSE(parse_dhcp_message(std::span(bytes).first(239)));
  const auto message = parse_dhcp_message(bytes);
  REQUIRE(message);
  CHECK_FALSE(message->type);
  CHECK(message->yiaddr == ip4("10.0.2.15"));
}

TEST_CASE("dhcp: option lengths are checked against the field they are in", "[dhcp_packet]") {
  struct Case {
    const char* name;
    std::vector<std::byte> options;
    const char* problem;
  };
  const Case cases[] = {
      {"length past the end", concat({kOfferType, bytes_of({12, 10, 'a', 'b'})}),
       "option 12 at byte 243: length 10 runs past the end of the options field (2 bytes left)"},
      {"no length byte", concat({kOfferType, bytes_of({12})}), "option 12 at byte 243 has no length byte"},
      {"past the end after PADs", concat({bytes_of({0, 0, 0}), bytes_of({6, 8, 10, 0, 2, 3})}),
       "option 6 at byte 243: length 8 runs past"},
      {"last byte of 255", concat({kOfferType, bytes_of({17, 255})}), "length 255 runs past"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    const auto message = parse_dhcp_message(reply(c.options));
    REQUIRE_FALSE(message);
    CHECK(message.error().problem.find(c.problem) != std::string::npos);
  }
}

TEST_CASE("dhcp: PAD runs are skipped, a missing END is tolerated, bytes after END are ignored",
          "[dhcp_packet]") {
  const std::vector<std::byte> pads = bytes_of({0, 0, 0, 0});
  SECTION("PAD runs between options") {
    const auto message =
        parse_dhcp_message(reply(concat({pads, kOfferType, pads, pads, option(1, {255, 255, 0, 0}), pads, kEnd})));
    REQUIRE(message);
    CHECK(message->type == DhcpMessageType::Offer);
    CHECK(message->subnet_mask == ip4("255.255.0.0"));
  }
  SECTION("no END: the options stop where the message does") {
    const auto message = parse_dhcp_message(reply(concat({kOfferType, option(26, {0x05, 0xdc})})));
    REQUIRE(message);
    CHECK(message->mtu == 1500);
  }
  SECTION("after END: padding or garbage, not options") {
    const auto message = parse_dhcp_message(reply(concat({kOfferType, kEnd, option(12, "ghost"), bytes_of({17, 200})})));
    REQUIRE(message);
    CHECK(message->host_name.empty());
    CHECK(message->root_path.empty());
  }
}

TEST_CASE("dhcp: a repeated option is concatenated (RFC 3396); a fixed-size one then is dropped",
          "[dhcp_packet]") {
  SECTION("address lists and strings join") {
    const auto message = parse_dhcp_message(reply(concat({kOfferType, option(6, {10, 0, 2, 3}), option(17, "10.0.2.2:/srv"),
                                                          option(6, {10, 0, 2, 4, 10, 0, 2, 5}), option(17, "/nfsroot"),
                                                          option(12, ""), option(12, "client7"), kEnd})));
    REQUIRE(message);
    CHECK(message->dns_servers == std::vector<Ipv4Address>{ip4("10.0.2.3"), ip4("10.0.2.4"), ip4("10.0.2.5")});
    CHECK(message->root_path == "10.0.2.2:/srv/nfsroot");
    CHECK(message->host_name == "client7");
    CHECK(message->dropped.empty());
  }
  SECTION("two subnet masks make 8 bytes: dropped, with the reason") {
    const auto message =
        parse_dhcp_message(reply(concat({kOfferType, option(1, {255, 255, 255, 0}), option(1, {255, 255, 0, 0}), kEnd})));
    REQUIRE(message);
    CHECK_FALSE(message->subnet_mask);
    CHECK(message->dropped == std::vector<std::string>{"option 1 (subnet mask): 4 bytes expected, got 8; ignoring it"});
  }
  SECTION("two message types: the message is rejected") {
    const auto message = parse_dhcp_message(reply(concat({kOfferType, option(53, {5}), kEnd})));
    REQUIRE_FALSE(message);
    CHECK(message.error().problem == "option 53 (message type) is malformed (2 bytes, value 0)");
  }
}

TEST_CASE("dhcp: option overload 1, 2, 3 reads options from file, sname or both", "[dhcp_packet]") {
  struct Case {
    unsigned overload;
    bool options_in_file;
    bool options_in_sname;
  };
  for (const auto& c : {Case{1, true, false}, Case{2, false, true}, Case{3, true, true}}) {
    INFO("overload " << c.overload);
    auto bytes = reply(concat({kOfferType, option(52, {c.overload}), option(17, "10.0.2.2:"), kEnd}));
    // file: 15="lab.test", 17 continues the root path, END. sname: 12="client7", 17 again, END.
    // Where overloaded, the field holds options; otherwise it is read as a name.
    put(bytes, kFile, {15, 8});
    put_text(bytes, kFile + 2, "lab.test");
    put(bytes, kFile + 10, {17, 4});
    put_text(bytes, kFile + 12, "/srv");
    put(bytes, kFile + 16, {255});
    put(bytes, kSname, {12, 7});
    put_text(bytes, kSname + 2, "client7");
    put(bytes, kSname + 9, {17, 8});
    put_text(bytes, kSname + 11, "/nfsroot");
    put(bytes, kSname + 19, {255});
    const auto message = parse_dhcp_message(bytes);
    REQUIRE(message);
    CHECK(message->dropped.empty());
    CHECK(message->domain_name == (c.options_in_file ? "lab.test" : ""));
    CHECK(message->host_name == (c.options_in_sname ? "client7" : ""));
    // RFC 3396 7: the pieces join in the order options, file, sname.
    std::string root_path = "10.0.2.2:";
    if (c.options_in_file) root_path += "/srv";
    if (c.options_in_sname) root_path += "/nfsroot";
    CHECK(message->root_path == root_path);
    CHECK(message->boot_file.empty() == c.options_in_file);
    CHECK(message->server_name.empty() == c.options_in_sname);
    if (!c.options_in_file) CHECK(message->boot_file == "\x0f\x08lab.test\x11\x04/srv\xff");
  }
}

TEST_CASE("dhcp: overload edge cases: inside an overloaded field, a bad value, an option past the field",
          "[dhcp_packet]") {
  SECTION("an overload option inside file is ignored, with a note") {
    auto bytes = reply(concat({kOfferType, option(52, {1}), kEnd}));
    put(bytes, kFile, {52, 1, 3, 12, 2, 'h', 'i', 255});
    put_text(bytes, kSname, "boothost");
    const auto message = parse_dhcp_message(bytes);
    REQUIRE(message);
    CHECK(message->host_name == "hi");
    CHECK(message->server_name == "boothost");  // sname was not made an option field
    CHECK(mentions(message->dropped, "option 52 (option overload) inside the file field; ignoring it"));
  }
  SECTION("overload values other than 1..3, or the wrong length, are dropped") {
    for (const auto& overload : {option(52, {0}), option(52, {4}), option(52, {1, 2})}) {
      auto bytes = reply(concat({kOfferType, overload, kEnd}));
      put_text(bytes, kFile, "pxelinux.0");
      const auto message = parse_dhcp_message(bytes);
      REQUIRE(message);
      CHECK(message->boot_file == "pxelinux.0");
      CHECK(mentions(message->dropped, "option 52 (option overload)"));
    }
  }
  SECTION("an option running past the end of sname is an error naming the field") {
    auto bytes = reply(concat({kOfferType, option(52, {2}), kEnd}));
    put(bytes, kSname + 60, {12, 9, 'a', 'b'});
    const auto message = parse_dhcp_message(bytes);
    REQUIRE_FALSE(message);
    CHECK(message.error().problem == "option 12 at byte 104: length 9 runs past the end of the sname field (2 bytes left)");
  }
  SECTION("an overloaded field without END ends with the field") {
    auto bytes = reply(concat({kOfferType, option(52, {1}), kEnd}));
    put(bytes, kFile + 122, {26, 2, 0x05, 0x78, 0, 0});
    const auto message = parse_dhcp_message(bytes);
    REQUIRE(message);
    CHECK(message->mtu == 1400);
  }
}

TEST_CASE("dhcp: a malformed option is dropped with a reason; the rest of the message stands", "[dhcp_packet]") {
  struct Case {
    std::vector<std::byte> option_bytes;
    const char* reason;
  };
  const Case cases[] = {
      {option(1, {255, 255, 255}), "option 1 (subnet mask): 4 bytes expected, got 3; ignoring it"},
      {option(28, {10, 0, 2, 255, 0}), "option 28 (broadcast address): 4 bytes expected, got 5; ignoring it"},
      {option(26, {5}), "option 26 (interface MTU): 2 bytes expected, got 1; ignoring it"},
      {option(26, {0, 5, 0}), "option 26 (interface MTU): 2 bytes expected, got 3; ignoring it"},
      {option(26, {0, 67}), "option 26 (interface MTU): 67 is below 68; ignoring it"},
      {option(51, {0, 0, 14}), "option 51 (lease time): 4 bytes expected, got 3; ignoring it"},
      {option(58, {}), "option 58 (renewal time): 4 bytes expected, got 0; ignoring it"},
      {option(59, {0, 0, 0, 0, 1}), "option 59 (rebinding time): 4 bytes expected, got 5; ignoring it"},
      {option(3, {10, 0, 2, 2, 10}), "option 3 (router): 5 bytes, not a list of 4-byte addresses; ignoring it"},
      {option(6, {}), "option 6 (DNS server): 0 bytes, not a list of 4-byte addresses; ignoring it"},
      {option(42, {1, 2, 3, 4, 5, 6, 7}), "option 42 (NTP server): 7 bytes, not a list of 4-byte addresses; ignoring it"},
  };
  for (const auto& c : cases) {
    INFO(c.reason);
    const auto message = parse_dhcp_message(reply(concat({kOfferType, c.option_bytes, option(54, {10, 0, 2, 2}), kEnd})));
    REQUIRE(message);
    CHECK(message->dropped == std::vector<std::string>{c.reason});
    CHECK(message->type == DhcpMessageType::Offer);
    CHECK(message->server_id == ip4("10.0.2.2"));
    CHECK_FALSE(message->subnet_mask);
    CHECK_FALSE(message->broadcast);
    CHECK_FALSE(message->mtu);
    CHECK_FALSE(message->lease_seconds);
    CHECK_FALSE(message->renewal_seconds);
    CHECK_FALSE(message->rebinding_seconds);
    CHECK(message->routers.empty());
    CHECK(message->dns_servers.empty());
    CHECK(message->ntp_servers.empty());
  }
  CHECK(parse_dhcp_message(reply(concat({kOfferType, option(26, {0, 68}), kEnd})))->mtu == 68);
}

TEST_CASE("dhcp: a malformed message type or server identifier rejects the message", "[dhcp_packet]") {
  struct Case {
    std::vector<std::byte> options;
    const char* problem;
  };
  const Case cases[] = {
      {option(53, {}), "option 53 (message type) is malformed (0 bytes, value 0)"},
      {option(53, {0}), "option 53 (message type) is malformed (1 bytes, value 0)"},
      {option(53, {9}), "option 53 (message type) is malformed (1 bytes, value 9)"},
      {option(53, {2, 2}), "option 53 (message type) is malformed (2 bytes, value 0)"},
      {concat({kOfferType, option(54, {10, 0, 2})}), "option 54 (server identifier) is 3 bytes, not 4"},
      {concat({kOfferType, option(54, {10, 0, 2, 2}), option(54, {10, 0, 2, 3})}),
       "option 54 (server identifier) is 8 bytes, not 4"},
  };
  for (const auto& c : cases) {
    INFO(c.problem);
    const auto message = parse_dhcp_message(reply(concat({c.options, kEnd})));
    REQUIRE_FALSE(message);
    CHECK(message.error().problem == c.problem);
  }
  for (unsigned type = 1; type <= 8; ++type) {
    CHECK(parse_dhcp_message(reply(concat({option(53, {type}), kEnd})))->type == static_cast<DhcpMessageType>(type));
  }
}

TEST_CASE("dhcp: strings end at the first NUL; sname and file at their field's end", "[dhcp_packet]") {
  auto bytes = reply(concat({kOfferType, option(12, std::string_view("client7\0junk", 12)),
                             option(17, std::string_view("\0/srv", 5)), option(56, "no address"), kEnd}));
  put_text(bytes, kSname, std::string(64, 's'));
  put_text(bytes, kFile, std::string("boot.img\0old-name", 17));
  const auto message = parse_dhcp_message(bytes);
  REQUIRE(message);
  CHECK(message->host_name == "client7");
  CHECK(message->root_path.empty());
  CHECK(message->message == "no address");
  CHECK(message->server_name == std::string(64, 's'));
  CHECK(message->boot_file == "boot.img");
  put_text(bytes, kFile, std::string(128, 'f'));
  CHECK(parse_dhcp_message(bytes)->boot_file == std::string(128, 'f'));
}

namespace {

// The options of a request we built, walked independently of the parser: code -> data.
std::vector<std::pair<unsigned, std::vector<std::byte>>> request_options(const std::vector<std::byte>& bytes) {
  std::vector<std::pair<unsigned, std::vector<std::byte>>> options;
  for (std::size_t at = 240; at < bytes.size();) {
    const unsigned code = std::to_integer<unsigned>(bytes[at]);
    if (code == 0) {
      ++at;
      continue;
    }
    if (code == 255) break;
    const std::size_t length = std::to_integer<std::size_t>(bytes[at + 1]);
    options.emplace_back(code, std::vector<std::byte>(bytes.begin() + static_cast<std::ptrdiff_t>(at + 2),
                                                      bytes.begin() + static_cast<std::ptrdiff_t>(at + 2 + length)));
    at += 2 + length;
  }
  return options;
}

std::vector<unsigned> codes(const std::vector<std::pair<unsigned, std::vector<std::byte>>>& options) {
  std::vector<unsigned> out;
  for (const auto& [code, data] : options) out.push_back(code);
  return out;
}

}  // namespace

TEST_CASE("dhcp: our DISCOVER, byte for byte", "[dhcp_packet]") {
  DhcpRequestFields fields;
  fields.type = DhcpMessageType::Discover;
  fields.xid = 0x1a2b3c4d;
  fields.secs = 3;
  fields.mac = *MacAddress::parse("52:54:00:12:34:56");
  fields.vendor_class = "nfsroot-init";
  const auto bytes = build_dhcp_request(fields);
  REQUIRE(bytes.size() == 300);  // the BOOTP minimum
  // op 1 BOOTREQUEST, htype 1, hlen 6, hops 0; xid; secs 3; flags 8000 (broadcast);
  // ciaddr, yiaddr, siaddr, giaddr 0; chaddr.
  const auto header = from_hex(
      "01010600 1a2b3c4d 0003 8000 00000000 00000000 00000000 00000000 525400123456 00000000000000000000");
  CHECK(std::vector<std::byte>(bytes.begin(), bytes.begin() + 44) == header);
  CHECK(std::all_of(bytes.begin() + 44, bytes.begin() + 236, [](std::byte b) { return b == std::byte{0}; }));
  // cookie; 53=1 DISCOVER; 57=1500; 55=1,3,6,12,15,17,26,28,42,51,54,58,59; 60="nfsroot-init"; END
  const auto options = from_hex(
      "63825363 350101 390205dc 370d0103060c0f111a1c2a33363a3b 3c0c6e6673726f6f742d696e6974 ff");
  CHECK(std::vector<std::byte>(bytes.begin() + 236, bytes.begin() + 236 + static_cast<std::ptrdiff_t>(options.size())) ==
        options);
  CHECK(std::all_of(bytes.begin() + 236 + static_cast<std::ptrdiff_t>(options.size()), bytes.end(),
                    [](std::byte b) { return b == std::byte{0}; }));
}

TEST_CASE("dhcp: REQUEST carries 50 and 54; 61 and 12 only when given", "[dhcp_packet]") {
  DhcpRequestFields fields;
  fields.type = DhcpMessageType::Request;
  fields.xid = 7;
  fields.mac = *MacAddress::parse("52:54:00:12:34:56");
  fields.requested_address = ip4("10.0.2.15");
  fields.server_id = ip4("10.0.2.2");
  fields.vendor_class = "lab-gw";
  fields.client_id = DhcpClientId{1, "client-17"};
  fields.host_name = "client7";
  fields.max_message_size = 1400;
  const auto options = request_options(build_dhcp_request(fields));
  CHECK(codes(options) == std::vector<unsigned>{53, 61, 50, 54, 57, 55, 60, 12});
  CHECK(options[0].second == bytes_of({3}));
  CHECK(options[1].second == bytes_of({1, 'c', 'l', 'i', 'e', 'n', 't', '-', '1', '7'}));
  CHECK(options[2].second == bytes_of({10, 0, 2, 15}));
  CHECK(options[3].second == bytes_of({10, 0, 2, 2}));
  CHECK(options[4].second == bytes_of({0x05, 0x78}));
  CHECK(options[6].second == bytes_of({'l', 'a', 'b', '-', 'g', 'w'}));
  CHECK(options[7].second == bytes_of({'c', 'l', 'i', 'e', 'n', 't', '7'}));

  DhcpRequestFields plain;
  plain.client_id = DhcpClientId{0, ""};  // nothing to identify with: no option 61
  plain.max_message_size = 300;           // below the RFC 2132 9.10 minimum: 576 is sent
  const auto plain_options = request_options(build_dhcp_request(plain));
  CHECK(codes(plain_options) == std::vector<unsigned>{53, 57, 55});
  CHECK(plain_options[1].second == bytes_of({0x02, 0x40}));
}

TEST_CASE("dhcp: an option longer than 255 bytes is sent in pieces (RFC 3396)", "[dhcp_packet]") {
  DhcpRequestFields fields;
  fields.vendor_class = std::string(300, 'v');
  const auto bytes = build_dhcp_request(fields);
  CHECK(bytes.size() > 300);
  const auto options = request_options(bytes);
  REQUIRE(codes(options) == std::vector<unsigned>{53, 57, 55, 60, 60});
  CHECK(options[3].second.size() == 255);
  CHECK(options[4].second.size() == 45);
}

TEST_CASE("dhcp: message type names", "[dhcp_packet]") {
  CHECK(to_string(DhcpMessageType::Discover) == "DISCOVER");
  CHECK(to_string(DhcpMessageType::Nak) == "NAK");
  CHECK(to_string(DhcpMessageType::Inform) == "INFORM");
}
