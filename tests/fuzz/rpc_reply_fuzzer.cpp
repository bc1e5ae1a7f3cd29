// Fuzzes what a hostile NFS server's rpcbind or mountd can send the /init: the TCP record
// reassembly, the RPC reply decoder, and the portmap DUMP / GETPORT and MOUNT v3 EXPORT
// decoders (rpc/). Properties: chunking never changes the record, every cap holds, a decoded
// list encodes back to the very bytes it came from.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "rpc/mount_export.h"
#include "rpc/portmap.h"
#include "rpc/rpc_message.h"
#include "rpc/xdr.h"

namespace {

using namespace nfsroot;

void check(bool condition) {
  if (!condition) __builtin_trap();
}

std::vector<std::byte> copy(std::span<const std::byte> bytes) { return {bytes.begin(), bytes.end()}; }

// The record from the stream, fed in pieces of `chunk` bytes; nullopt when refused.
std::optional<std::vector<std::byte>> reassemble(std::span<const std::byte> stream, std::size_t chunk,
                                                 const RecordLimits& limits, std::size_t& used) {
  RecordReader reader(limits);
  used = 0;
  while (!reader.complete() && used < stream.size()) {
    const auto piece = stream.subspan(used, std::min(chunk, stream.size() - used));
    const auto took = reader.feed(piece);
    if (!took) return std::nullopt;
    check(*took <= piece.size());
    used += *took;
    if (!reader.complete()) check(*took == piece.size());  // an incomplete record takes everything
  }
  check(reader.fragments() <= limits.max_fragments);
  check(reader.record().size() <= limits.max_record_size);
  if (!reader.complete()) return std::vector<std::byte>{};
  return copy(reader.record());
}

void fuzz_dump(std::span<const std::byte> results) {
  const auto mappings = decode_dump_result(results);
  if (!mappings) return;
  check(mappings->size() <= kMaxPortMappings);
  // pmaplist has no padding and no choice: the encoding of what was decoded is the input.
  XdrWriter out;
  for (const auto& mapping : *mappings) {
    check(mapping.port <= 65535);
    out.u32(1);
    out.u32(mapping.program);
    out.u32(mapping.version);
    out.u32(mapping.protocol);
    out.u32(mapping.port);
  }
  out.u32(0);
  check(out.take() == copy(results));
}

void fuzz_exports(std::span<const std::byte> results) {
  const auto exports = decode_export_result(results);
  if (!exports) return;
  check(exports->size() <= kMaxExports);
  // Encoded again (with zero padding) it has the input's length and decodes to the same list.
  XdrWriter out;
  for (const auto& node : *exports) {
    check(node.directory.size() <= kMountPathLength && node.groups.size() <= kMaxExportGroups);
    out.u32(1);
    out.string(node.directory);
    for (const auto& group : node.groups) {
      check(group.size() <= kMountNameLength);
      out.u32(1);
      out.string(group);
    }
    out.u32(0);
  }
  out.u32(0);
  const auto again = out.take();
  check(again.size() == results.size());
  const auto round = decode_export_result(again);
  check(round.has_value() && *round == *exports);
}

void fuzz_getport(std::span<const std::byte> results) {
  const auto port = decode_getport_result(results, kMountProgram, kMountVersion3);
  if (!port) return;
  check(results.size() == 4 && *port != 0);
}

void fuzz_reply(std::span<const std::byte> record) {
  // The call whose xid the record carries, so that the bytes get past the xid check.
  RpcCall call{0, kMountProgram, kMountVersion3, kMountExport};
  if (record.size() >= 4) {
    for (std::size_t i = 0; i < 4; ++i) call.xid = (call.xid << 8) | std::to_integer<std::uint32_t>(record[i]);
  }
  const auto results = decode_reply(record, call);
  if (results) {
    // A view inside the record, after at least xid, msg_type, reply_stat, verifier, accept_stat.
    check(results->data() >= record.data() + 24 && results->data() + results->size() == record.data() + record.size());
    fuzz_exports(*results);
    fuzz_dump(*results);
    fuzz_getport(*results);
  }
  // Another xid is always refused.
  call.xid += 1;
  check(!decode_reply(record, call).has_value());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  // The input as a TCP stream: a record, reassembled whole and in pieces of 1..16 bytes with
  // small caps, must be the same either way (or refused either way).
  const RecordLimits limits{.max_record_size = 2048, .max_fragments = 8};
  const std::size_t chunk = size == 0 ? 1 : 1 + std::to_integer<std::size_t>(bytes[size - 1]) % 16;
  std::size_t used_whole = 0, used_pieces = 0;
  const auto whole = reassemble(bytes, bytes.size() + 1, limits, used_whole);
  const auto pieces = reassemble(bytes, chunk, limits, used_pieces);
  check(whole.has_value() == pieces.has_value());
  if (whole) {
    check(*whole == *pieces && used_whole == used_pieces);
    if (!whole->empty()) fuzz_reply(*whole);
  }
  // The input as a record, and as results.
  fuzz_reply(bytes);
  fuzz_exports(bytes);
  fuzz_dump(bytes);
  fuzz_getport(bytes);
  return 0;
}
