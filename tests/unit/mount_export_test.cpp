// MOUNT v3 EXPORT (RFC 1813 appendix I 5.2.5): ganesha's golden export list, and every limit.
#include "rpc/mount_export.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "rpc/rpc_message.h"
#include "rpc/xdr.h"
#include "rpc_golden.h"

using namespace nfsroot;

namespace {

std::span<const std::byte> export_results() {
  const auto results = decode_reply(golden::bytes(golden::kExportReply), {golden::kXid, kMountProgram, 3, kMountExport});
  REQUIRE(results);
  return *results;
}

std::vector<std::byte> exports_of(const std::vector<ExportNode>& nodes) {
  XdrWriter out;
  for (const auto& node : nodes) {
    out.u32(1);
    out.string(node.directory);
    for (const auto& group : node.groups) {
      out.u32(1);
      out.string(group);
    }
    out.u32(0);
  }
  out.u32(0);
  return out.take();
}

std::string refusal(std::span<const std::byte> results) {
  const auto exports = decode_export_result(results);
  REQUIRE_FALSE(exports);
  return describe(exports.error());
}

}  // namespace

TEST_CASE("EXPORT: ganesha's two exports, one to everyone, one to a network and a host") {
  const auto exports = decode_export_result(export_results());
  REQUIRE(exports);
  const std::vector<ExportNode> expected{
      {"/tmp/rpc-golden/srv/root", {}},
      {"/tmp/rpc-golden/srv/lab", {"10.0.2.0/24", "192.168.7.7/32"}},
  };
  CHECK(*exports == expected);
  CHECK(decode_export_result(exports_of({})) == std::vector<ExportNode>{});
}

TEST_CASE("EXPORT: every cut of the list is refused as truncated, naming the export and field") {
  const auto results = export_results();
  for (std::size_t size = 0; size < results.size(); ++size) {
    INFO("size " << size);
    CHECK(refusal(results.first(size)).find("truncated") != std::string::npos);
  }
  CHECK(refusal(results.first(48)) ==
        "MOUNT v3 EXPORT result export 2 ex_dir: truncated: length 23 (24 with padding), 4 bytes left");
  CHECK(refusal(results.first(104)) ==
        "MOUNT v3 EXPORT result export 2 group 2 gr_name: truncated: length 14 (16 with padding), 8 bytes left");
}

TEST_CASE("EXPORT: ex_dir up to MNTPATHLEN 1024, gr_name up to MNTNAMLEN 255 (RFC 1813 I 5.1)") {
  const std::string longest_path = "/" + std::string(1023, 'p');
  const std::string longest_name(255, 'n');
  const auto fits = decode_export_result(exports_of({{longest_path, {longest_name}}}));
  REQUIRE(fits);
  CHECK(fits->front().directory == longest_path);
  CHECK(refusal(exports_of({{"/a", {}}, {longest_path + "p", {}}})) ==
        "MOUNT v3 EXPORT result export 2 ex_dir: length 1025 is over its limit of 1024");
  CHECK(refusal(exports_of({{"/a", {"*", longest_name + "n"}}})) ==
        "MOUNT v3 EXPORT result export 1 group 2 gr_name: length 256 is over its limit of 255");
}

TEST_CASE("EXPORT: too many exports or groups, a bad value-follows, bytes after the list") {
  const std::vector<ExportNode> at_cap(kMaxExports, ExportNode{"/e", {}});
  CHECK(decode_export_result(exports_of(at_cap))->size() == kMaxExports);
  auto over = at_cap;
  over.push_back({"/f", {}});
  CHECK(refusal(exports_of(over)) == "MOUNT v3 EXPORT result exports: more than 1024 exports");
  ExportNode crowded{"/g", std::vector<std::string>(kMaxExportGroups + 1, "h")};
  CHECK(refusal(exports_of({crowded})) == "MOUNT v3 EXPORT result export 1 ex_groups: more than 256 groups");
  auto bad_bool = exports_of({{"/a", {}}});
  bad_bool[15] = std::byte{7};  // the group list's value-follows
  CHECK(refusal(bad_bool) ==
        "MOUNT v3 EXPORT result export 1 group 1 value-follows: 7 is not an XDR bool (0 or 1, RFC 4506 4.4)");
  auto trailing = exports_of({{"/a", {}}});
  trailing.push_back(std::byte{0});
  CHECK(refusal(trailing) == "MOUNT v3 EXPORT result exports: 1 unexpected bytes after it");
}
