// ONC RPC messages (RFC 5531): our CALL's bytes, record marking both ways, and every kind of
// REPLY, from golden captures of rpcbind and nfs-ganesha (rpc_golden.h).
#include "rpc/rpc_message.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "rpc/portmap.h"
#include "rpc_golden.h"

using namespace nfsroot;

namespace {

std::vector<std::byte> bytes_of(std::initializer_list<unsigned> values) {
  std::vector<std::byte> bytes;
  for (const unsigned value : values) bytes.push_back(static_cast<std::byte>(value));
  return bytes;
}

std::vector<std::byte> copy(std::span<const std::byte> bytes) { return {bytes.begin(), bytes.end()}; }

const RpcCall kGetport{golden::kXid, kPortmapProgram, 2, 3};
const RpcCall kDump{golden::kXid, kPortmapProgram, 2, 4};
const RpcCall kExport{golden::kXid, kMountProgram, 3, 5};

std::string refusal(std::span<const std::byte> record, const RpcCall& call) {
  const auto results = decode_reply(record, call);
  REQUIRE_FALSE(results);
  return describe(results.error());
}

}  // namespace

TEST_CASE("a CALL is xid, CALL, rpcvers 2, prog, vers, proc, AUTH_NONE cred and verf, arguments (RFC 5531 9)") {
  // The GETPORT that capture_rpc_golden.py sent rpcbind, which answered kGetportMount3Reply.
  const auto call = encode_call(kGetport, encode_getport_arguments(kMountProgram, 3, kIpProtoTcp));
  CHECK(call == bytes_of({0x4e, 0x46, 0x53, 0x52,  // xid
                          0, 0, 0, 0,              // msg_type CALL
                          0, 0, 0, 2,              // rpcvers 2
                          0, 0x01, 0x86, 0xa0,     // prog 100000 (portmap)
                          0, 0, 0, 2,              // vers 2
                          0, 0, 0, 3,              // proc 3 (GETPORT)
                          0, 0, 0, 0, 0, 0, 0, 0,  // cred AUTH_NONE, empty body
                          0, 0, 0, 0, 0, 0, 0, 0,  // verf AUTH_NONE, empty body
                          0, 0x01, 0x86, 0xa5,     // mapping.prog 100005 (MOUNT)
                          0, 0, 0, 3,              // mapping.vers 3
                          0, 0, 0, 6,              // mapping.prot IPPROTO_TCP
                          0, 0, 0, 0}));           // mapping.port (ignored)
  CHECK(describe_call(kGetport) == "portmap v2 GETPORT");
  CHECK(describe_call(kExport) == "MOUNT v3 EXPORT");
  CHECK(describe_call({1, 100099, 1, 7}) == "program 100099 v1 procedure 7");
}

TEST_CASE("what we send is one last fragment (RFC 5531 11)") {
  const auto record = add_record_mark(bytes_of({1, 2, 3, 4, 5}));
  CHECK(record == bytes_of({0x80, 0, 0, 5, 1, 2, 3, 4, 5}));
}

TEST_CASE("a record is reassembled from fragments however the stream cuts it") {
  // The DUMP reply in three fragments, fed one byte at a time, then followed by a stray byte.
  const auto reply = golden::bytes(golden::kDumpReply);
  std::vector<std::byte> stream = bytes_of({0, 0, 0, 10});
  stream.insert(stream.end(), reply.begin(), reply.begin() + 10);
  for (const auto byte : bytes_of({0, 0, 0, 0})) stream.push_back(byte);  // an empty fragment
  const auto last = add_record_mark(reply.subspan(10));
  stream.insert(stream.end(), last.begin(), last.end());
  stream.push_back(std::byte{0x99});

  RecordReader reader;
  std::size_t used = 0;
  for (std::size_t i = 0; i < stream.size(); ++i) {
    const auto took = reader.feed(std::span(stream).subspan(i, 1));
    REQUIRE(took);
    used += *took;
  }
  REQUIRE(reader.complete());
  CHECK(used == stream.size() - 1);  // the stray byte is not the record's
  CHECK(reader.fragments() == 3);
  CHECK(copy(reader.record()) == copy(reply));

  RecordReader whole;
  CHECK(whole.feed(stream) == stream.size() - 1);
  CHECK(copy(whole.record()) == copy(reply));
}

TEST_CASE("a fragment or record over the cap is refused before it is read") {
  SECTION("one fragment") {
    RecordReader reader(RecordLimits{.max_record_size = 100, .max_fragments = 4});
    const auto took = reader.feed(bytes_of({0x80, 0, 0, 101}));
    REQUIRE_FALSE(took);
    CHECK(describe(took.error()) ==
          "RPC record record mark: a fragment of 101 bytes after 0 takes the record over its cap of 100 bytes");
  }
  SECTION("the sum of fragments") {
    RecordReader reader(RecordLimits{.max_record_size = 100, .max_fragments = 4});
    std::vector<std::byte> stream = bytes_of({0, 0, 0, 60});
    stream.resize(stream.size() + 60);
    for (const auto byte : bytes_of({0x80, 0, 0, 41})) stream.push_back(byte);
    const auto took = reader.feed(stream);
    REQUIRE_FALSE(took);
    CHECK(describe(took.error()) ==
          "RPC record record mark: a fragment of 41 bytes after 60 takes the record over its cap of 100 bytes");
  }
  SECTION("the largest length a mark can say") {
    RecordReader reader;
    CHECK_FALSE(reader.feed(bytes_of({0xff, 0xff, 0xff, 0xff})));
  }
  SECTION("endless empty fragments") {
    RecordReader reader(RecordLimits{.max_record_size = 100, .max_fragments = 4});
    const auto took = reader.feed(bytes_of({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
    REQUIRE_FALSE(took);
    CHECK(describe(took.error()) == "RPC record record mark: more than 4 fragments");
  }
}

TEST_CASE("a SUCCESS reply gives the results that follow accept_stat") {
  const auto results = decode_reply(golden::bytes(golden::kGetportMount3Reply), kGetport);
  REQUIRE(results);
  CHECK(copy(*results) == bytes_of({0, 0, 0x4e, 0x50}));
  const auto dump = decode_reply(golden::bytes(golden::kDumpReply), kDump);
  REQUIRE(dump);
  CHECK(dump->size() == sizeof golden::kDumpReply - 24);
}

TEST_CASE("a reply whose xid is not the call's is refused") {
  const RpcCall other{golden::kXid + 1, kPortmapProgram, 2, 3};
  CHECK(refusal(golden::bytes(golden::kGetportMount3Reply), other) ==
        "reply to portmap v2 GETPORT xid: 1313231698 is not the call's 1313231699: not our reply");
}

TEST_CASE("every accept_stat but SUCCESS is refused with its meaning (RFC 5531 9)") {
  CHECK(refusal(golden::bytes(golden::kProgUnavailReply), {golden::kXid, 100099, 1, 0}) ==
        "reply to program 100099 v1 NULL accept_stat: PROG_UNAVAIL: the server does not serve program 100099");
  CHECK(refusal(golden::bytes(golden::kProgMismatchReply), {golden::kXid, kPortmapProgram, 5, 4}) ==
        "reply to portmap v5 DUMP accept_stat: PROG_MISMATCH: the server serves versions 2 to 4 of program 100000, not 5");
  CHECK(refusal(golden::bytes(golden::kProcUnavailReply), {golden::kXid, kPortmapProgram, 2, 99}) ==
        "reply to portmap v2 procedure 99 accept_stat: PROC_UNAVAIL: no procedure 99");
  CHECK(refusal(golden::bytes(golden::kGarbageArgsReply), kGetport) ==
        "reply to portmap v2 GETPORT accept_stat: GARBAGE_ARGS: the server could not decode the arguments");
  auto system_error = copy(golden::bytes(golden::kProcUnavailReply));
  system_error.back() = std::byte{5};
  CHECK(refusal(system_error, kDump) ==
        "reply to portmap v2 DUMP accept_stat: SYSTEM_ERR: the server failed on its side (RFC 5531: e.g. memory allocation)");
  system_error.back() = std::byte{6};
  CHECK(refusal(system_error, kDump) == "reply to portmap v2 DUMP accept_stat: unknown accept_stat 6");
  // PROG_MISMATCH without its mismatch_info
  CHECK(refusal(golden::bytes(golden::kProgMismatchReply).first(28), kDump) ==
        "reply to portmap v2 DUMP mismatch_info.high: truncated: 4 bytes needed at offset 28, 0 left");
}

TEST_CASE("MSG_DENIED is refused: AUTH_ERROR with its auth_stat, RPC_MISMATCH with the versions") {
  CHECK(refusal(golden::bytes(golden::kAuthErrorReply), kExport) ==
        "reply to MOUNT v3 EXPORT reject_stat: MSG_DENIED, AUTH_ERROR: AUTH_REJECTEDCRED (the client must begin a new session)");
  // RFC 5531 9: rejected_reply RPC_MISMATCH { low 2, high 2 } (built: no server sent one, rpc_golden.h)
  const auto mismatch = bytes_of({0x4e, 0x46, 0x53, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 4});
  CHECK(refusal(mismatch, kExport) ==
        "reply to MOUNT v3 EXPORT reject_stat: MSG_DENIED, RPC_MISMATCH: the server speaks RPC versions 3 to 4, not 2");
  auto unknown = mismatch;
  unknown[15] = std::byte{7};
  CHECK(refusal(unknown, kExport) == "reply to MOUNT v3 EXPORT reject_stat: MSG_DENIED with unknown reject_stat 7");
}

TEST_CASE("malformed replies are refused with the field") {
  auto call_not_reply = copy(golden::bytes(golden::kGetportMount3Reply));
  call_not_reply[7] = std::byte{0};
  CHECK(refusal(call_not_reply, kGetport) == "reply to portmap v2 GETPORT msg_type: 0 is not REPLY (1)");
  auto bad_stat = copy(golden::bytes(golden::kGetportMount3Reply));
  bad_stat[11] = std::byte{2};
  CHECK(refusal(bad_stat, kGetport) ==
        "reply to portmap v2 GETPORT reply_stat: 2 is neither MSG_ACCEPTED (0) nor MSG_DENIED (1)");
  // verifier body length 401 (RFC 5531 8.2: opaque body<400>)
  auto long_verifier = copy(golden::bytes(golden::kGetportMount3Reply));
  long_verifier[18] = std::byte{1};
  long_verifier[19] = std::byte{0x91};
  CHECK(refusal(long_verifier, kGetport) == "reply to portmap v2 GETPORT verf.body: length 401 is over its limit of 400");
  // Every cut of a real reply short of its accept_stat is "truncated", never a success.
  const auto reply = golden::bytes(golden::kGetportMount3Reply);
  for (std::size_t size = 0; size < 24; ++size) {
    INFO("size " << size);
    CHECK(refusal(reply.first(size), kGetport).find("truncated") != std::string::npos);
  }
}
