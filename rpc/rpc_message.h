// ONC RPC v2 messages (RFC 5531): a CALL with AUTH_NONE, TCP record marking, and the checked
// decoding of a REPLY.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/error.h"

namespace nfsroot {

// The programs this client calls (RFC 1833 portmapper, RFC 1813 MOUNT), and NFS for names.
inline constexpr std::uint32_t kPortmapProgram = 100000;
inline constexpr std::uint32_t kNfsProgram = 100003;
inline constexpr std::uint32_t kMountProgram = 100005;

struct RpcCall {
  std::uint32_t xid = 0;
  std::uint32_t program = 0;
  std::uint32_t version = 0;
  std::uint32_t procedure = 0;
};

// "portmap v2 DUMP", "MOUNT v3 EXPORT", "program 100099 v1 procedure 7": for error messages.
[[nodiscard]] std::string describe_call(const RpcCall& call);

// RFC 5531 9: xid, CALL, rpcvers 2, prog, vers, proc, the credential and the verifier (both
// AUTH_NONE with an empty body, RFC 5531 10.1), then the procedure's XDR arguments.
[[nodiscard]] std::vector<std::byte> encode_call(const RpcCall& call, std::span<const std::byte> arguments = {});

// RFC 5531 11: a record on a stream is fragments, each after a 4-byte mark (the top bit: the
// last fragment; the rest: its length). What we send is one last fragment.
[[nodiscard]] std::vector<std::byte> add_record_mark(std::span<const std::byte> message);

// What a server's record may be: every fragment and the whole record are bounded, and so is
// the count of fragments (empty ones would otherwise cost nothing to send, forever).
struct RecordLimits {
  std::size_t max_record_size = 256 * 1024;  // a DUMP of 1000 services is 20 KiB
  std::size_t max_fragments = 64;
};

// Reassembles one record from the stream (RFC 5531 11), fed as bytes arrive.
class RecordReader {
 public:
  explicit RecordReader(RecordLimits limits = {}) : limits_(limits) {}
  // Takes bytes up to the end of the record and returns how many it took (the rest belongs to
  // whatever follows). Refuses a fragment or record over the limits.
  [[nodiscard]] Result<std::size_t> feed(std::span<const std::byte> stream);
  [[nodiscard]] bool complete() const { return complete_; }
  [[nodiscard]] std::span<const std::byte> record() const { return record_; }
  // The fragments read so far (with the one being read).
  [[nodiscard]] std::size_t fragments() const { return fragments_; }

 private:
  RecordLimits limits_;
  std::vector<std::byte> record_;
  std::uint32_t mark_ = 0;
  std::size_t mark_bytes_ = 0;      // of the current 4-byte mark
  std::size_t fragment_left_ = 0;   // bytes of the current fragment still to come
  bool last_fragment_ = false;
  bool in_fragment_ = false;
  bool complete_ = false;
  std::size_t fragments_ = 0;
};

// RFC 5531 9: the reply to `call`. Returns the procedure's results (a view into `record`) when
// it is MSG_ACCEPTED with SUCCESS. Refused, with what and which field: a reply whose xid is not
// the call's, a CALL, MSG_DENIED (RPC_MISMATCH with the versions, AUTH_ERROR with its
// auth_stat), MSG_ACCEPTED with PROG_UNAVAIL, PROG_MISMATCH (low/high), PROC_UNAVAIL,
// GARBAGE_ARGS, SYSTEM_ERR or an unknown status, a verifier over 400 bytes, truncation.
[[nodiscard]] Result<std::span<const std::byte>> decode_reply(std::span<const std::byte> record, const RpcCall& call);

}  // namespace nfsroot
