// MOUNT version 3 (RFC 1813 appendix I): the EXPORT procedure's result, the server's exports.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/error.h"

namespace nfsroot {

inline constexpr std::uint32_t kMountVersion3 = 3;
inline constexpr std::uint32_t kMountExport = 5;  // MOUNTPROC3_EXPORT (RFC 1813 I 5.2.5)

// RFC 1813 I 5.1: MNTPATHLEN (ex_dir, dirpath<1024>) and MNTNAMLEN (gr_name, name<255>).
inline constexpr std::size_t kMountPathLength = 1024;
inline constexpr std::size_t kMountNameLength = 255;
// Caps of our own: more than any server's /etc/exports.
inline constexpr std::size_t kMaxExports = 1024;
inline constexpr std::size_t kMaxExportGroups = 256;  // per export

// RFC 1813 I 5.2.5: struct exportnode { dirpath ex_dir; groups ex_groups; exports ex_next; }
struct ExportNode {
  std::string directory;            // ex_dir
  std::vector<std::string> groups;  // ex_groups' gr_name: hosts, networks, netgroups, "*"
  bool operator==(const ExportNode&) const = default;
};

// EXPORT's result: `exports`, a list of exportnode, each with its list of groupnode, both as
// XDR optional-data (a value-follows bool before each node, FALSE at the end). Refused, with
// the export's number and field: ex_dir over 1024 bytes, gr_name over 255, more than
// kMaxExports exports or kMaxExportGroups groups in one, truncation, bytes after the list.
[[nodiscard]] Result<std::vector<ExportNode>> decode_export_result(std::span<const std::byte> results);

}  // namespace nfsroot
