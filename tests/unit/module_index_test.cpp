// The module index: depmod's files, modalias matching (fnmatch semantics), name normalisation,
// and the load order (dependencies first, soft dependencies around, each module once).
#include "drivers/module_index.h"

#include <fnmatch.h>

#include <catch2/catch.hpp>

using namespace nfsroot;

namespace {

// Excerpts of the test kernel's files (linux-image-6.1.0-56-amd64, depmod'ed), lines verbatim.
constexpr std::string_view kModulesDep =
    "kernel/fs/nfs_common/nfs_acl.ko: kernel/net/sunrpc/sunrpc.ko\n"
    "kernel/fs/nfs_common/grace.ko:\n"
    "kernel/fs/netfs/netfs.ko:\n"
    "kernel/fs/fscache/fscache.ko: kernel/fs/netfs/netfs.ko\n"
    "kernel/fs/nfs/nfs.ko: kernel/fs/lockd/lockd.ko kernel/fs/nfs_common/grace.ko kernel/net/sunrpc/sunrpc.ko "
    "kernel/fs/fscache/fscache.ko kernel/fs/netfs/netfs.ko\n"
    "kernel/fs/nfs/nfsv3.ko: kernel/fs/nfs_common/nfs_acl.ko kernel/fs/nfs/nfs.ko kernel/fs/lockd/lockd.ko "
    "kernel/fs/nfs_common/grace.ko kernel/net/sunrpc/sunrpc.ko kernel/fs/fscache/fscache.ko kernel/fs/netfs/netfs.ko\n"
    "kernel/fs/nfs/nfsv4.ko: kernel/net/dns_resolver/dns_resolver.ko kernel/fs/nfs/nfs.ko kernel/fs/lockd/lockd.ko "
    "kernel/fs/nfs_common/grace.ko kernel/net/sunrpc/sunrpc.ko kernel/fs/fscache/fscache.ko kernel/fs/netfs/netfs.ko\n"
    "kernel/fs/lockd/lockd.ko: kernel/fs/nfs_common/grace.ko kernel/net/sunrpc/sunrpc.ko\n"
    "kernel/drivers/net/phy/libphy.ko:\n"
    "kernel/drivers/net/phy/realtek.ko: kernel/drivers/net/phy/libphy.ko\n"
    "kernel/drivers/net/phy/mdio_devres.ko: kernel/drivers/net/phy/libphy.ko\n"
    "kernel/drivers/net/ethernet/realtek/8139cp.ko: kernel/drivers/net/mii.ko\n"
    "kernel/drivers/net/ethernet/realtek/8139too.ko: kernel/drivers/net/mii.ko\n"
    "kernel/drivers/net/ethernet/realtek/r8169.ko: kernel/drivers/net/phy/mdio_devres.ko "
    "kernel/drivers/net/phy/libphy.ko\n"
    "kernel/drivers/net/mii.ko:\n"
    "kernel/net/sunrpc/sunrpc.ko:\n"
    "kernel/net/dns_resolver/dns_resolver.ko:\n"
    "kernel/arch/x86/crypto/crc32c-intel.ko:\n"
    "kernel/crypto/crc32c_generic.ko:\n"
    "kernel/lib/libcrc32c.ko:\n"
    "kernel/arch/x86/crypto/crc32-pclmul.ko:\n"
    "kernel/crypto/crc32_generic.ko:\n";

constexpr std::string_view kModulesAlias =
    "# Aliases extracted from modules themselves.\n"
    "alias crypto-crc32c-intel crc32c_intel\n"
    "alias crc32c-intel crc32c_intel\n"
    "alias crypto-crc32c crc32c_intel\n"
    "alias crc32c crc32c_intel\n"
    "alias cpu:type:x86,ven*fam*mod*:feature:*0094* crc32c_intel\n"
    "alias crypto-crc32c-generic crc32c_generic\n"
    "alias crc32c-generic crc32c_generic\n"
    "alias crypto-crc32c crc32c_generic\n"
    "alias crc32c crc32c_generic\n"
    "alias crc32 crc32_pclmul\n"
    "alias crc32 crc32_generic\n"
    "alias nfs4 nfs\n"
    "alias fs-nfs4 nfs\n"
    "alias fs-nfs nfs\n"
    "alias pci:v00000357d0000000Asv*sd*bc*sc*i* 8139cp\n"
    "alias pci:v000010ECd00008139sv*sd*bc*sc*i* 8139cp\n"
    "alias pci:v*d00008139sv000013D1sd0000AB06bc*sc*i* 8139too\n"
    "alias pci:v*d00008139sv00001186sd00001300bc*sc*i* 8139too\n"
    "alias pci:v*d00008139sv000010ECsd00008139bc*sc*i* 8139too\n"
    "alias pci:v000010ECd00008129sv*sd*bc*sc*i* 8139too\n"
    "alias pci:v000010ECd00008138sv*sd*bc*sc*i* 8139too\n"
    "alias pci:v000010ECd00008139sv*sd*bc*sc*i* 8139too\n"
    "alias pci:v000010ECd00003000sv*sd*bc*sc*i* r8169\n"
    "alias pci:v00001186d00004300sv00001186sd00004B10bc*sc*i* r8169\n"
    "alias pci:v000010ECd00008169sv*sd*bc*sc*i* r8169\n"
    "alias pci:v000010ECd00008168sv*sd*bc*sc*i* r8169\n"
    "alias pci:v000010ECd00008129sv*sd*bc*sc*i* r8169\n";

constexpr std::string_view kModulesSoftdep =
    "# Soft dependencies extracted from modules themselves.\n"
    "softdep ext4 pre: crypto-crc32c\n"
    "softdep cifs gcm\n"
    "softdep libcrc32c pre: crc32c\n"
    "softdep ipmi_msghandler post: ipmi_devintf\n"
    "softdep r8169 pre: realtek\n";

constexpr std::string_view kModulesBuiltin =
    "kernel/fs/nfs_common/nfs_ssc.ko\n"
    "kernel/net/ipv6/ipv6.ko\n"
    "kernel/lib/crc32.ko\n"
    "kernel/net/packet/af_packet.ko\n";

// What QEMU's -device rtl8139 (an RTL-8139C+, subsystem Red Hat/QEMU) shows in sysfs.
constexpr std::string_view kQemuRtl8139 = "pci:v000010ECd00008139sv00001AF4sd00001100bc02sc00i00";

ModuleIndex test_index() {
  auto index = parse_module_index(kModulesDep, kModulesAlias, kModulesSoftdep, kModulesBuiltin);
  REQUIRE(index);
  return *index;
}

using Names = std::vector<std::string>;

Names order_of(const ModuleIndex& index, const Names& wanted) {
  const auto order = load_order(index, wanted);
  REQUIRE(order);
  return order->modules;
}

}  // namespace

TEST_CASE("module names: '-' and '_' are the same, the path's file names the module", "[module_index]") {
  struct Case {
    std::string_view input;
    std::string_view name;
  };
  const std::vector<Case> cases = {
      {"nfs_acl", "nfs_acl"},
      {"nfs-acl", "nfs_acl"},
      {"kernel/drivers/net/mii.ko", "mii"},
      {"kernel/arch/x86/crypto/crc32c-intel.ko", "crc32c_intel"},
      {"kernel/sound/pci/hda/snd-hda-intel.ko.xz", "snd_hda_intel"},
      {"kernel/fs/nfs/nfsv4.ko.zst", "nfsv4"},
      {"/updates/dkms/zfs.ko.gz", "zfs"},
      {"8139too.ko", "8139too"},
      {"kernel/odd.kobj/x.ko", "x"},
  };
  for (const auto& c : cases) {
    INFO(c.input);
    CHECK(module_name_from_path(c.input) == c.name);
  }
  CHECK(normalize_module_name("snd-hda-intel") == "snd_hda_intel");
}

TEST_CASE("alias normalisation: '-' becomes '_' outside brackets, as kmod's alias_normalize", "[module_index]") {
  CHECK(normalize_alias("crc32c-intel") == "crc32c_intel");
  CHECK(normalize_alias("platform:intel-lpss") == "platform:intel_lpss");
  CHECK(normalize_alias("of:N*T*Cfoo-bar[-_]x-y") == "of:N*T*Cfoo_bar[-_]x_y");
  CHECK(normalize_alias(kQemuRtl8139) == kQemuRtl8139);
}

TEST_CASE("glob matching agrees with fnmatch(3), flags 0", "[module_index]") {
  struct Case {
    const char* pattern;
    const char* text;
    bool matches;
  };
  const std::vector<Case> cases = {
      {"", "", true},
      {"", "a", false},
      {"*", "", true},
      {"*", "anything/at all", true},
      {"*", ".hidden", true},  // no FNM_PERIOD
      {"?", "", false},
      {"?", "/", true},  // no FNM_PATHNAME
      {"a?c", "abc", true},
      {"a?c", "ac", false},
      {"a*b", "ab", true},
      {"a*b", "axxxb", true},
      {"a*b", "axxbc", false},
      {"*b*", "abc", true},
      {"**a", "a", true},
      {"*a*a*a*", "aaa", true},
      {"*a*a*a*", "aa", false},
      {"*ab", "aab", true},
      {"*aab", "aaab", true},
      {"[abc]", "b", true},
      {"[abc]", "d", false},
      {"[!abc]", "d", true},
      {"[!abc]", "a", false},
      {"[^abc]", "a", false},
      {"[a-c]", "b", true},
      {"[a-c]", "d", false},
      {"[A-F0-9]", "E", true},
      {"[A-F0-9]", "e", false},  // case matters
      {"[]]", "]", true},
      {"[]a]", "a", true},
      {"[!]]", "]", false},
      {"[!]]", "x", true},
      {"[a-]", "-", true},
      {"[-a]", "-", true},
      {"[a\\-z]", "-", true},
      {"[a\\-z]", "m", false},
      {"[\\]]", "]", true},
      {"[", "[", true},
      {"[ab", "[ab", true},
      {"a[", "a[", true},
      {"[!", "[!", true},
      {"\\*", "*", true},
      {"\\*", "x", false},
      {"\\a", "a", true},
      {"a\\", "a\\", false},  // a trailing backslash matches nothing
      {"a\\", "a", false},
      {"*[0-9]", "abc5", true},
      {"*[0-9]", "abc", false},
      {"[!a-z]x", "Ax", true},
      {"pci:v000010ECd00008139sv*sd*bc*sc*i*", "pci:v000010ECd00008139sv00001AF4sd00001100bc02sc00i00", true},
      {"pci:v*d00008139sv000010ECsd00008139bc*sc*i*", "pci:v000010ECd00008139sv00001AF4sd00001100bc02sc00i00",
       false},
      {"pci:v000010ECd00008139sv*sd*bc*sc*i*", "pci:v000010ECd00008129sv00001AF4sd00001100bc02sc00i00", false},
      {"cpu:type:x86,ven*fam*mod*:feature:*0094*", "cpu:type:x86,ven0000fam0006mod003F:feature:,0000,0094,00E5", true},
      {"cpu:type:x86,ven*fam*mod*:feature:*0094*", "cpu:type:x86,ven0000fam0006mod003F:feature:,0000,0095", false},
      {"usb:v*p*d*dc*dsc*dp*ic02isc06ip00in*", "usb:v0B95p1790d0100dcFFdscFFdp00icFFiscFFip00in00", false},
      {"acpi*:PNP0C0A:*", "acpi:PNP0C0A:", true},
  };
  for (const auto& c : cases) {
    INFO("pattern '" << c.pattern << "' text '" << c.text << "'");
    CHECK(glob_match(c.pattern, c.text) == c.matches);
    CHECK((::fnmatch(c.pattern, c.text, 0) == 0) == c.matches);  // the reference
  }
}

TEST_CASE("modalias: every matching module in modules.alias order, each once", "[module_index]") {
  const ModuleIndex index = test_index();
  struct Case {
    std::string_view modalias;
    Names modules;
  };
  const std::vector<Case> cases = {
      // 8139too refuses the C+ at probe time; only the kernel can tell, so both are wanted.
      {kQemuRtl8139, {"8139cp", "8139too"}},
      {"pci:v000010ECd00008168sv00001462sd00007C37bc02sc00i00", {"r8169"}},
      {"pci:v000010ECd00008129sv00000000sd00000000bc02sc00i00", {"8139too", "r8169"}},
      {"pci:v00001186d00004300sv00001186sd00004B10bc02sc00i00", {"r8169"}},
      {"pci:v00008086d0000100Esv00001AF4sd00001100bc02sc00i00", {}},  // e1000: not in this excerpt
      {"cpu:type:x86,ven0000fam0006mod003F:feature:,0000,0094", {"crc32c_intel"}},
      {"crypto-crc32c", {"crc32c_intel", "crc32c_generic"}},
      {"crc32c-intel", {"crc32c_intel"}},  // normalised on both sides
  };
  for (const auto& c : cases) {
    INFO(c.modalias);
    CHECK(modules_for_modalias(index, c.modalias) == c.modules);
  }
}

TEST_CASE("index: modules.dep keeps paths and dependencies in depmod's order", "[module_index]") {
  const ModuleIndex index = test_index();
  CHECK(index.modules.size() == 22);
  const auto& nfsv3 = index.modules.at("nfsv3");
  CHECK(nfsv3.path == "kernel/fs/nfs/nfsv3.ko");
  CHECK(nfsv3.dependencies == Names{"nfs_acl", "nfs", "lockd", "grace", "sunrpc", "fscache", "netfs"});
  CHECK(index.modules.at("crc32c_intel").path == "kernel/arch/x86/crypto/crc32c-intel.ko");
  CHECK(index.modules.at("grace").dependencies.empty());
  CHECK(index.aliases.size() == 27);
  CHECK(index.aliases.front().pattern == "crypto_crc32c_intel");
  CHECK(index.soft_dependencies.at("r8169").pre == Names{"realtek"});
  CHECK(index.soft_dependencies.at("ipmi_msghandler").post == Names{"ipmi_devintf"});
  CHECK(index.soft_dependencies.at("cifs").pre.empty());  // words before pre:/post: mean nothing
  CHECK(index.builtin.contains("af_packet"));
}

TEST_CASE("load order: dependencies first, in reverse of modules.dep's list, each once", "[module_index]") {
  const ModuleIndex index = test_index();
  struct Case {
    Names wanted;
    Names order;
  };
  const std::vector<Case> cases = {
      {{"nfsv3"}, {"netfs", "fscache", "sunrpc", "grace", "lockd", "nfs", "nfs_acl", "nfsv3"}},
      {{"nfsv4"}, {"netfs", "fscache", "sunrpc", "grace", "lockd", "nfs", "dns_resolver", "nfsv4"}},
      {{"nfs", "nfsv3", "nfsv4"},
       {"netfs", "fscache", "sunrpc", "grace", "lockd", "nfs", "nfs_acl", "nfsv3", "dns_resolver", "nfsv4"}},
      {{"8139cp"}, {"mii", "8139cp"}},
      {{"8139cp", "8139too"}, {"mii", "8139cp", "8139too"}},
      {{"nfs-acl"}, {"sunrpc", "nfs_acl"}},         // '-' for '_'
      {{"fs-nfs4"}, {"netfs", "fscache", "sunrpc", "grace", "lockd", "nfs"}},  // an alias, as modprobe takes
      {{"mii", "mii"}, {"mii"}},
  };
  for (const auto& c : cases) {
    INFO(Catch::Detail::stringify(c.wanted));
    CHECK(order_of(index, c.wanted) == c.order);
  }
}

TEST_CASE("load order: softdep pre: before the module, post: after, missing ones skipped", "[module_index]") {
  const ModuleIndex index = test_index();
  // r8169's dependencies, then its pre: realtek, as modprobe --show-depends r8169 lists them.
  CHECK(order_of(index, {"r8169"}) == Names{"libphy", "mdio_devres", "realtek", "r8169"});
  // crc32c is an alias of two modules: both come first, as kmod's softdep lookup gives both.
  CHECK(order_of(index, {"libcrc32c"}) == Names{"crc32c_intel", "crc32c_generic", "libcrc32c"});

  auto synthetic = parse_module_index(
      "a.ko: b.ko\nb.ko:\nc.ko:\nd.ko:\ne.ko:\n", "alias thing-e e\n",
      "softdep a pre: c not-there post: d\n"
      "softdep a post: thing-e\n"  // a second line adds up
      "softdep c pre: a\n",        // a cycle ends at what is already on its way
      "");
  REQUIRE(synthetic);
  CHECK(order_of(*synthetic, {"a"}) == Names{"b", "c", "a", "d", "e"});

  // mkinitrd.py copies only modules.dep dependencies: realtek is absent and skipped.
  auto trimmed = parse_module_index(
      "kernel/drivers/net/phy/libphy.ko:\n"
      "kernel/drivers/net/phy/mdio_devres.ko: kernel/drivers/net/phy/libphy.ko\n"
      "kernel/drivers/net/ethernet/realtek/r8169.ko: kernel/drivers/net/phy/mdio_devres.ko "
      "kernel/drivers/net/phy/libphy.ko\n",
      "", kModulesSoftdep, "");
  REQUIRE(trimmed);
  CHECK(order_of(*trimmed, {"r8169"}) == Names{"libphy", "mdio_devres", "r8169"});
}

TEST_CASE("load order: built-in modules are present, with nothing to load", "[module_index]") {
  const ModuleIndex index = test_index();
  const auto order = load_order(index, {"af_packet", "ipv6", "8139cp", "af-packet"});
  REQUIRE(order);
  CHECK(order->modules == Names{"mii", "8139cp"});
  CHECK(order->builtin == Names{"af_packet", "ipv6"});

  // Looked up as kmod does, module, then alias, then built-in: crc32 is built in, but also an
  // alias of two modules, and modprobe loads those (f2fs has "softdep f2fs pre: crc32").
  const auto crc32 = load_order(index, {"crc32"});
  REQUIRE(crc32);
  CHECK(crc32->modules == Names{"crc32_pclmul", "crc32_generic"});
  CHECK(crc32->builtin.empty());
}

TEST_CASE("load order: a module or dependency not in modules.dep is an error naming it", "[module_index]") {
  const ModuleIndex index = test_index();
  auto order = load_order(index, {"nfsv3", "nfsv9"});
  REQUIRE_FALSE(order);
  CHECK(describe(order.error()) ==
        "load module nfsv9: not in modules.dep, modules.alias or modules.builtin; is it in the initramfs? depmod "
        "lists every module under /lib/modules/VERSION");

  const auto broken = parse_module_index("kernel/drivers/net/ethernet/realtek/8139cp.ko: kernel/drivers/net/mii.ko\n",
                                         "", "", "");
  REQUIRE(broken);
  order = load_order(*broken, {"8139cp"});
  REQUIRE_FALSE(order);
  CHECK(describe(order.error()) ==
        "load module mii: not in modules.dep, but 8139cp needs it; run depmod for this kernel again");
}

TEST_CASE("index files: a damaged line is an error naming file and line", "[module_index]") {
  struct Case {
    std::string_view dep;
    std::string_view alias;
    std::string_view softdep;
    std::string_view message;
  };
  const std::vector<Case> cases = {
      {"a.ko:\nb.ko c.ko\n", "", "", "modules.dep:2 b.ko c.ko: expected 'MODULE.ko: DEPENDENCY.ko...'"},
      {": a.ko\n", "", "", "modules.dep:1 : a.ko: expected"},
      {"", "# c\nalias pci:v*\n", "", "modules.alias:2 alias pci:v*: expected 'alias PATTERN MODULE'"},
      {"", "options 8139too debug=1\n", "", "modules.alias:1 "},
      {"", "", "softdep\n", "modules.softdep:1 softdep: expected 'softdep MODULE pre: ... post: ...'"},
  };
  for (const auto& c : cases) {
    INFO(c.message);
    const auto index = parse_module_index(c.dep, c.alias, c.softdep, "");
    REQUIRE_FALSE(index);
    CHECK(describe(index.error()).starts_with(c.message));
  }
  // Blank lines, comments, CRLF and tabs are fine.
  const auto index = parse_module_index("\n# x\r\nkernel/a.ko:\tkernel/b.ko \r\n", "\talias  x*  a-b \n", "", "\n");
  REQUIRE(index);
  CHECK(index->modules.at("a").dependencies == Names{"b"});
  CHECK(index->aliases.front().module == "a_b");
}
