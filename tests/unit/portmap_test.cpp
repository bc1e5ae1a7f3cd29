// Portmapper v2 (RFC 1833 3): GETPORT and DUMP from golden rpcbind replies, and their refusals.
#include "rpc/portmap.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "rpc/xdr.h"
#include "rpc_golden.h"

using namespace nfsroot;

namespace {

std::span<const std::byte> results_of(std::span<const std::byte> reply, std::uint32_t procedure) {
  const auto results = decode_reply(reply, {golden::kXid, kPortmapProgram, kPortmapVersion, procedure});
  REQUIRE(results);
  return *results;
}

// A pmaplist from (prog, vers, prot, port) rows, with the value-follows words.
std::vector<std::byte> pmaplist(const std::vector<PortMapping>& rows) {
  XdrWriter out;
  for (const auto& row : rows) {
    out.u32(1);
    out.u32(row.program);
    out.u32(row.version);
    out.u32(row.protocol);
    out.u32(row.port);
  }
  out.u32(0);
  return out.take();
}

std::string refusal(const Result<std::vector<PortMapping>>& result) {
  REQUIRE_FALSE(result);
  return describe(result.error());
}

}  // namespace

TEST_CASE("GETPORT: rpcbind's port for MOUNT v3 over TCP; 0 is 'not registered'") {
  CHECK(decode_getport_result(results_of(golden::bytes(golden::kGetportMount3Reply), kPortmapGetport), kMountProgram, 3) ==
        20048);
  const auto unregistered =
      decode_getport_result(results_of(golden::bytes(golden::kGetportUnregisteredReply), kPortmapGetport), 100099, 1);
  REQUIRE_FALSE(unregistered);
  CHECK(describe(unregistered.error()) ==
        "portmap v2 GETPORT result port: 0: program 100099 version 1 is not registered over TCP");
  XdrWriter too_big;
  too_big.u32(65536);
  const auto bytes = too_big.take();
  CHECK(describe(decode_getport_result(bytes, kMountProgram, 3).error()) ==
        "portmap v2 GETPORT result port: 65536 is not a port number");
  CHECK_FALSE(decode_getport_result({}, kMountProgram, 3));
}

TEST_CASE("DUMP: rpcbind's ten registrations, in its order") {
  const auto mappings = decode_dump_result(results_of(golden::bytes(golden::kDumpReply), kPortmapDump));
  REQUIRE(mappings);
  const std::vector<PortMapping> expected{
      {100000, 4, 6, 111},    {100000, 3, 6, 111},    {100000, 2, 6, 111},   {100000, 4, 17, 111},
      {100000, 3, 17, 111},   {100000, 2, 17, 111},   {100003, 3, 6, 20490}, {100005, 1, 6, 20048},
      {100005, 3, 6, 20048},  {100003, 4, 6, 20490},
  };
  CHECK(*mappings == expected);
  CHECK(decode_dump_result(pmaplist({})) == std::vector<PortMapping>{});  // nothing registered
}

TEST_CASE("DUMP: every cut of the list is refused as truncated, naming the entry") {
  const auto results = results_of(golden::bytes(golden::kDumpReply), kPortmapDump);
  for (std::size_t size = 0; size < results.size(); ++size) {
    INFO("size " << size);
    CHECK(refusal(decode_dump_result(results.first(size))).find("truncated") != std::string::npos);
  }
  CHECK(refusal(decode_dump_result(results.first(30))) ==
        "portmap v2 DUMP result pmaplist entry 2 vers: truncated: 4 bytes needed at offset 28, 2 left");
}

TEST_CASE("DUMP: a bad value-follows, a port over 65535, bytes after the list, too many entries") {
  auto bad_bool = pmaplist({{100003, 3, 6, 2049}});
  bad_bool[23] = std::byte{2};
  CHECK(refusal(decode_dump_result(bad_bool)) ==
        "portmap v2 DUMP result pmaplist entry 2 value-follows: 2 is not an XDR bool (0 or 1, RFC 4506 4.4)");
  CHECK(refusal(decode_dump_result(pmaplist({{100003, 3, 6, 2049}, {100005, 3, 6, 70000}}))) ==
        "portmap v2 DUMP result pmaplist entry 2 port: 70000 is not a port number");
  auto trailing = pmaplist({{100003, 3, 6, 2049}});
  trailing.resize(trailing.size() + 4);
  CHECK(refusal(decode_dump_result(trailing)) == "portmap v2 DUMP result pmaplist: 4 unexpected bytes after it");
  const std::vector<PortMapping> at_cap(kMaxPortMappings, PortMapping{100003, 3, 6, 2049});
  CHECK(decode_dump_result(pmaplist(at_cap))->size() == kMaxPortMappings);
  auto over_cap = at_cap;
  over_cap.push_back({100005, 3, 6, 20048});
  CHECK(refusal(decode_dump_result(pmaplist(over_cap))) == "portmap v2 DUMP result pmaplist: more than 1024 entries");
}
