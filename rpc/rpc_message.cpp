// ONC RPC v2 call encoding, record marking and reply decoding (RFC 5531).
#include "rpc/rpc_message.h"

#include <algorithm>
#include <string_view>

#include "base/cat.h"
#include "rpc/xdr.h"

namespace nfsroot {

namespace {

// RFC 5531 9: msg_type, reply_stat, accept_stat, reject_stat; 8.2: auth_flavor AUTH_NONE.
constexpr std::uint32_t kCall = 0, kReply = 1;
constexpr std::uint32_t kRpcVersion = 2;
constexpr std::uint32_t kMsgAccepted = 0, kMsgDenied = 1;
constexpr std::uint32_t kSuccess = 0, kProgUnavail = 1, kProgMismatch = 2, kProcUnavail = 3, kGarbageArgs = 4,
                        kSystemErr = 5;
constexpr std::uint32_t kRpcMismatch = 0, kAuthError = 1;
constexpr std::uint32_t kAuthNone = 0;
constexpr std::size_t kMaxAuthBody = 400;  // RFC 5531 8.2: opaque body<400>
constexpr std::uint32_t kLastFragment = 0x80000000u;
constexpr std::size_t kMarkSize = 4;

std::string_view program_name(std::uint32_t program) {
  switch (program) {
    case kPortmapProgram: return "portmap";
    case kNfsProgram: return "NFS";
    case kMountProgram: return "MOUNT";
    default: return {};
  }
}

std::string_view procedure_name(std::uint32_t program, std::uint32_t procedure) {
  if (procedure == 0) return "NULL";
  if (program == kPortmapProgram) {
    // RFC 1833 3.2 (version 2)
    switch (procedure) {
      case 1: return "SET";
      case 2: return "UNSET";
      case 3: return "GETPORT";
      case 4: return "DUMP";
      case 5: return "CALLIT";
      default: return {};
    }
  }
  if (program == kMountProgram) {
    // RFC 1813 appendix I 5.2
    switch (procedure) {
      case 1: return "MNT";
      case 2: return "DUMP";
      case 3: return "UMNT";
      case 4: return "UMNTALL";
      case 5: return "EXPORT";
      default: return {};
    }
  }
  return {};
}

// RFC 5531 9: enum auth_stat.
std::string auth_stat_text(std::uint32_t stat) {
  switch (stat) {
    case 0: return "AUTH_OK";
    case 1: return "AUTH_BADCRED (bad credential, seal broken)";
    case 2: return "AUTH_REJECTEDCRED (the client must begin a new session)";
    case 3: return "AUTH_BADVERF (bad verifier, seal broken)";
    case 4: return "AUTH_REJECTEDVERF (verifier expired or replayed)";
    case 5: return "AUTH_TOOWEAK (rejected for security reasons)";
    case 6: return "AUTH_INVALIDRESP (bogus response verifier)";
    case 7: return "AUTH_FAILED (reason unknown)";
    default: return cat("auth_stat ", stat);
  }
}

}  // namespace

std::string describe_call(const RpcCall& call) {
  const auto program = program_name(call.program);
  const auto procedure = procedure_name(call.program, call.procedure);
  std::string text = program.empty() ? cat("program ", call.program) : std::string(program);
  text += cat(" v", call.version, ' ');
  text += procedure.empty() ? cat("procedure ", call.procedure) : std::string(procedure);
  return text;
}

std::vector<std::byte> encode_call(const RpcCall& call, std::span<const std::byte> arguments) {
  XdrWriter out;
  out.u32(call.xid);
  out.u32(kCall);
  out.u32(kRpcVersion);
  out.u32(call.program);
  out.u32(call.version);
  out.u32(call.procedure);
  out.u32(kAuthNone);  // cred: flavor, empty body
  out.u32(0);
  out.u32(kAuthNone);  // verf: flavor, empty body
  out.u32(0);
  out.append(arguments);
  return out.take();
}

std::vector<std::byte> add_record_mark(std::span<const std::byte> message) {
  XdrWriter out;
  out.u32(kLastFragment | static_cast<std::uint32_t>(message.size()));
  out.append(message);
  return out.take();
}

Result<std::size_t> RecordReader::feed(std::span<const std::byte> stream) {
  std::size_t used = 0;
  while (!complete_ && used < stream.size()) {
    if (!in_fragment_) {
      // The 4-byte mark may arrive in pieces.
      mark_ = (mark_ << 8) | std::to_integer<std::uint32_t>(stream[used++]);
      if (++mark_bytes_ < kMarkSize) continue;
      last_fragment_ = (mark_ & kLastFragment) != 0;
      fragment_left_ = mark_ & ~kLastFragment;
      mark_ = 0;
      mark_bytes_ = 0;
      if (++fragments_ > limits_.max_fragments) {
        return std::unexpected(error_with_problem("RPC record", "record mark",
                                                  cat("more than ", limits_.max_fragments, " fragments")));
      }
      if (fragment_left_ > limits_.max_record_size - record_.size()) {
        return std::unexpected(error_with_problem(
            "RPC record", "record mark",
            cat("a fragment of ", fragment_left_, " bytes after ", record_.size(), " takes the record over its cap of ",
                limits_.max_record_size, " bytes")));
      }
      in_fragment_ = true;
    } else {
      const std::size_t take = std::min(fragment_left_, stream.size() - used);
      record_.insert(record_.end(), stream.begin() + static_cast<std::ptrdiff_t>(used),
                     stream.begin() + static_cast<std::ptrdiff_t>(used + take));
      used += take;
      fragment_left_ -= take;
    }
    if (in_fragment_ && fragment_left_ == 0) {
      in_fragment_ = false;
      complete_ = last_fragment_;
    }
  }
  return used;
}

Result<std::span<const std::byte>> decode_reply(std::span<const std::byte> record, const RpcCall& call) {
  XdrReader in(record, cat("reply to ", describe_call(call)));
  // RFC 5531 9: struct rpc_msg { xid; union switch (msg_type mtype) { ... REPLY: reply_body } }
  const std::uint32_t xid = TRY(in.u32("xid"));
  if (xid != call.xid) {
    return std::unexpected(in.error("xid", cat(xid, " is not the call's ", call.xid, ": not our reply")));
  }
  const std::uint32_t type = TRY(in.u32("msg_type"));
  if (type != kReply) return std::unexpected(in.error("msg_type", cat(type, " is not REPLY (1)")));
  const std::uint32_t reply_stat = TRY(in.u32("reply_stat"));
  if (reply_stat == kMsgDenied) {
    // rejected_reply: switch (reject_stat) { RPC_MISMATCH: {low, high}; AUTH_ERROR: auth_stat }
    const std::uint32_t reject = TRY(in.u32("reject_stat"));
    if (reject == kRpcMismatch) {
      const std::uint32_t low = TRY(in.u32("mismatch_info.low"));
      const std::uint32_t high = TRY(in.u32("mismatch_info.high"));
      return std::unexpected(in.error("reject_stat", cat("MSG_DENIED, RPC_MISMATCH: the server speaks RPC versions ", low,
                                                         " to ", high, ", not 2")));
    }
    if (reject == kAuthError) {
      const std::uint32_t stat = TRY(in.u32("auth_stat"));
      return std::unexpected(in.error("reject_stat", "MSG_DENIED, AUTH_ERROR: " + auth_stat_text(stat)));
    }
    return std::unexpected(in.error("reject_stat", cat("MSG_DENIED with unknown reject_stat ", reject)));
  }
  if (reply_stat != kMsgAccepted) {
    return std::unexpected(in.error("reply_stat", cat(reply_stat, " is neither MSG_ACCEPTED (0) nor MSG_DENIED (1)")));
  }
  // accepted_reply: opaque_auth verf; union switch (accept_stat stat) { ... }
  TRY(in.u32("verf.flavor"));
  TRY(in.skip_opaque("verf.body", kMaxAuthBody));
  const std::uint32_t accept = TRY(in.u32("accept_stat"));
  switch (accept) {
    case kSuccess: return in.rest();
    case kProgUnavail:
      return std::unexpected(in.error("accept_stat", cat("PROG_UNAVAIL: the server does not serve program ", call.program)));
    case kProgMismatch: {
      const std::uint32_t low = TRY(in.u32("mismatch_info.low"));
      const std::uint32_t high = TRY(in.u32("mismatch_info.high"));
      return std::unexpected(in.error("accept_stat", cat("PROG_MISMATCH: the server serves versions ", low, " to ", high,
                                                         " of program ", call.program, ", not ", call.version)));
    }
    case kProcUnavail:
      return std::unexpected(in.error("accept_stat", cat("PROC_UNAVAIL: no procedure ", call.procedure)));
    case kGarbageArgs:
      return std::unexpected(in.error("accept_stat", "GARBAGE_ARGS: the server could not decode the arguments"));
    case kSystemErr:
      return std::unexpected(in.error("accept_stat", "SYSTEM_ERR: the server failed on its side (RFC 5531: e.g. memory allocation)"));
    default: return std::unexpected(in.error("accept_stat", cat("unknown accept_stat ", accept)));
  }
}

}  // namespace nfsroot
