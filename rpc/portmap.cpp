// Portmapper version 2 codec (RFC 1833 3).
#include "rpc/portmap.h"

#include "base/cat.h"
#include "rpc/xdr.h"

namespace nfsroot {

namespace {

constexpr std::uint32_t kMaxPort = 65535;

}  // namespace

std::vector<std::byte> encode_getport_arguments(std::uint32_t program, std::uint32_t version, std::uint32_t protocol) {
  XdrWriter out;
  out.u32(program);
  out.u32(version);
  out.u32(protocol);
  out.u32(0);
  return out.take();
}

Result<std::uint16_t> decode_getport_result(std::span<const std::byte> results, std::uint32_t program,
                                            std::uint32_t version) {
  XdrReader in(results, "portmap v2 GETPORT result");
  const std::uint32_t port = TRY(in.u32("port"));
  TRY(in.expect_end("port"));
  if (port == 0) {
    return std::unexpected(in.error("port", cat("0: program ", program, " version ", version, " is not registered over TCP")));
  }
  if (port > kMaxPort) return std::unexpected(in.error("port", cat(port, " is not a port number")));
  return static_cast<std::uint16_t>(port);
}

Result<std::vector<PortMapping>> decode_dump_result(std::span<const std::byte> results) {
  XdrReader in(results, "portmap v2 DUMP result");
  std::vector<PortMapping> mappings;
  while (TRY(in.boolean(cat("pmaplist entry ", mappings.size() + 1, " value-follows")))) {
    if (mappings.size() == kMaxPortMappings) {
      return std::unexpected(in.error("pmaplist", cat("more than ", kMaxPortMappings, " entries")));
    }
    const std::string entry = cat("pmaplist entry ", mappings.size() + 1);
    PortMapping mapping;
    mapping.program = TRY(in.u32(entry + " prog"));
    mapping.version = TRY(in.u32(entry + " vers"));
    mapping.protocol = TRY(in.u32(entry + " prot"));
    mapping.port = TRY(in.u32(entry + " port"));
    if (mapping.port > kMaxPort) return std::unexpected(in.error(entry + " port", cat(mapping.port, " is not a port number")));
    mappings.push_back(mapping);
  }
  TRY(in.expect_end("pmaplist"));
  return mappings;
}

}  // namespace nfsroot
