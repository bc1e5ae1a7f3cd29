// Portmapper version 2 (RFC 1833 3): GETPORT's arguments and result, DUMP's list.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/error.h"
#include "rpc/rpc_message.h"

namespace nfsroot {

inline constexpr std::uint32_t kPortmapVersion = 2;
inline constexpr std::uint32_t kPortmapGetport = 3;  // PMAPPROC_GETPORT
inline constexpr std::uint32_t kPortmapDump = 4;     // PMAPPROC_DUMP
inline constexpr std::uint16_t kPortmapPort = 111;
inline constexpr std::uint32_t kIpProtoTcp = 6, kIpProtoUdp = 17;  // RFC 1833 3: IPPROTO_TCP, IPPROTO_UDP

// RFC 1833 3: struct mapping { prog; vers; prot; port; }
struct PortMapping {
  std::uint32_t program = 0;
  std::uint32_t version = 0;
  std::uint32_t protocol = 0;
  std::uint32_t port = 0;
  auto operator<=>(const PortMapping&) const = default;
};

// More registrations than any rpcbind has (Debian's with NFS, MOUNT, NLM, status: ~30).
inline constexpr std::size_t kMaxPortMappings = 1024;

// GETPORT's argument: the mapping with port 0 (ignored by the server).
[[nodiscard]] std::vector<std::byte> encode_getport_arguments(std::uint32_t program, std::uint32_t version,
                                                              std::uint32_t protocol);

// GETPORT's result, an unsigned int: 0 when the program is not registered (an error here,
// naming the program), above 65535 refused.
[[nodiscard]] Result<std::uint16_t> decode_getport_result(std::span<const std::byte> results, std::uint32_t program,
                                                          std::uint32_t version);

// DUMP's result, pmaplist (RFC 1833 3, "struct pmaplist { mapping map; pmaplist *next; }"): as
// XDR optional-data (RFC 4506 4.19), a value-follows bool before each mapping and FALSE at the
// end. At most kMaxPortMappings; a port above 65535 is refused.
[[nodiscard]] Result<std::vector<PortMapping>> decode_dump_result(std::span<const std::byte> results);

}  // namespace nfsroot
