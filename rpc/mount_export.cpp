// MOUNT v3 EXPORT result decoding (RFC 1813 appendix I 5.2.5).
#include "rpc/mount_export.h"

#include "base/cat.h"
#include "rpc/xdr.h"

namespace nfsroot {

Result<std::vector<ExportNode>> decode_export_result(std::span<const std::byte> results) {
  XdrReader in(results, "MOUNT v3 EXPORT result");
  std::vector<ExportNode> exports;
  // typedef struct exportnode *exports; (RFC 4506 4.19: *p is a bool, then the node)
  while (TRY(in.boolean(cat("export ", exports.size() + 1, " value-follows")))) {
    if (exports.size() == kMaxExports) {
      return std::unexpected(in.error("exports", cat("more than ", kMaxExports, " exports")));
    }
    const std::string name = cat("export ", exports.size() + 1);
    ExportNode node;
    node.directory = TRY(in.string(name + " ex_dir", kMountPathLength));
    // typedef struct groupnode *groups; struct groupnode { name gr_name; groups gr_next; }
    while (TRY(in.boolean(cat(name, " group ", node.groups.size() + 1, " value-follows")))) {
      if (node.groups.size() == kMaxExportGroups) {
        return std::unexpected(in.error(name + " ex_groups", cat("more than ", kMaxExportGroups, " groups")));
      }
      node.groups.push_back(TRY(in.string(cat(name, " group ", node.groups.size() + 1, " gr_name"), kMountNameLength)));
    }
    exports.push_back(std::move(node));
  }
  TRY(in.expect_end("exports"));
  return exports;
}

}  // namespace nfsroot
