// The union plan: steps for the defaults, aufs fallback, tmpfs attribute rules, parents before
// children, the merge of the overlay list's sources with their origins, and the pure helpers.
#include "overlay/union_plan.h"

#include <catch2/catch.hpp>

#include "base/text.h"

using namespace nfsroot;

namespace {

const UnionLayout kLayout{"/root", "/run/nfsroot-init/unions", AufsSupport::Absent};

OverlayEntry entry(std::string_view text, std::string_view origin = "test") {
  auto parsed = parse_overlay_entry(text, origin);
  REQUIRE(parsed);
  return *parsed;
}

std::vector<std::string> describe_all(const UnionPlan& plan) {
  std::vector<std::string> lines;
  for (const auto& step : plan.setup) lines.push_back(describe(step));
  for (const auto& planned : plan.unions) {
    lines.push_back(planned.summary());
    for (const auto& step : planned.steps) lines.push_back("  " + describe(step));
  }
  return lines;
}

std::vector<std::string> mount_points(const UnionPlan& plan) {
  std::vector<std::string> points;
  for (const auto& planned : plan.unions) points.push_back(planned.entry.mount_point);
  return points;
}

}  // namespace

TEST_CASE("union plan: the seed's defaults, step by step", "[union_plan]") {
  const auto plan = plan_union_steps(default_overlay_list(), kLayout);
  REQUIRE(plan);
  CHECK(plan->notices.empty());
  // What explain prints: each step in order, each union's line first.
  const std::vector<std::string> expected = {
      "mkdir -p /run/nfsroot-init/unions (mode 0755)",
      "/tmp tmpfs 128M, mode=1777 (built-in default)",
      "  mount tmpfs on /tmp in the new root (size=128M); mode 1777 from the options; owner, group from the "
      "image's /tmp",
      "/var overlay on tmpfs 128M (built-in default)",
      "  check that /var is a directory in the new root",
      "  mkdir -p /run/nfsroot-init/unions/2-var (mode 0755)",
      "  mount tmpfs on /run/nfsroot-init/unions/2-var (mode=0755,size=128M)",
      "  mkdir -p /run/nfsroot-init/unions/2-var/upper (mode 0755)",
      "  mkdir -p /run/nfsroot-init/unions/2-var/work (mode 0700)",
      "  give /run/nfsroot-init/unions/2-var/upper the attributes of the lower directory: mode, owner, group from "
      "the image's /var",
      "  mount overlay on /var in the new root: lower the image's /var, upper /run/nfsroot-init/unions/2-var/upper, "
      "work /run/nfsroot-init/unions/2-var/work",
      "/etc/udev/rules.d overlay on tmpfs 1M (built-in default)",
      "  check that /etc/udev/rules.d is a directory in the new root",
      "  mkdir -p /run/nfsroot-init/unions/3-etc-udev-rules.d (mode 0755)",
      "  mount tmpfs on /run/nfsroot-init/unions/3-etc-udev-rules.d (mode=0755,size=1M)",
      "  mkdir -p /run/nfsroot-init/unions/3-etc-udev-rules.d/upper (mode 0755)",
      "  mkdir -p /run/nfsroot-init/unions/3-etc-udev-rules.d/work (mode 0700)",
      "  give /run/nfsroot-init/unions/3-etc-udev-rules.d/upper the attributes of the lower directory: mode, owner, "
      "group from the image's /etc/udev/rules.d",
      "  mount overlay on /etc/udev/rules.d in the new root: lower the image's /etc/udev/rules.d, upper "
      "/run/nfsroot-init/unions/3-etc-udev-rules.d/upper, work /run/nfsroot-init/unions/3-etc-udev-rules.d/work",
  };
  CHECK(describe_all(*plan) == expected);

  const auto& var = plan->unions[1];
  CHECK(var.kind == UnionKind::Overlay);
  CHECK(var.layer_dir == "/run/nfsroot-init/unions/2-var");
  REQUIRE(std::holds_alternative<MountOverlay>(var.steps.back()));
  const auto& overlay = std::get<MountOverlay>(var.steps.back());
  CHECK(overlay.mount_point == "/var");
  CHECK(overlay.upper == "/run/nfsroot-init/unions/2-var/upper");
  CHECK(overlay.work == "/run/nfsroot-init/unions/2-var/work");
  CHECK(plan->unions[0].layer_dir.empty());
}

TEST_CASE("union plan: aufs where the kernel has it, else overlay with a notice", "[union_plan]") {
  const std::vector<OverlayEntry> entries = {entry("/var aufs size=64M", "/root/etc/nfsroot-init/overlays:2")};

  UnionLayout with_aufs = kLayout;
  with_aufs.aufs = AufsSupport::Present;
  const auto present = plan_union_steps(entries, with_aufs);
  REQUIRE(present);
  CHECK(present->notices.empty());
  CHECK(present->unions[0].kind == UnionKind::Aufs);
  REQUIRE(std::holds_alternative<MountAufs>(present->unions[0].steps.back()));
  CHECK(describe(present->unions[0].steps.back()) ==
        "mount aufs on /var in the new root: br=/run/nfsroot-init/unions/1-var/upper=rw:<the image's /var>=ro");
  CHECK(present->unions[0].summary() == "/var aufs on tmpfs 64M (/root/etc/nfsroot-init/overlays:2)");

  const auto absent = plan_union_steps(entries, kLayout);
  REQUIRE(absent);
  CHECK(absent->unions[0].kind == UnionKind::Overlay);
  CHECK(std::holds_alternative<MountOverlay>(absent->unions[0].steps.back()));
  REQUIRE(absent->notices.size() == 1);
  CHECK(absent->notices[0] ==
        "/var: kind aufs (/root/etc/nfsroot-init/overlays:2), but this kernel has no aufs (not in /proc/filesystems): "
        "using overlay instead");
  CHECK(absent->unions[0].summary() ==
        "/var overlay (aufs asked, the kernel has none) on tmpfs 64M (/root/etc/nfsroot-init/overlays:2)");
}

TEST_CASE("union plan: mode=, uid=, gid= in the options win over the covered directory", "[union_plan]") {
  struct Case {
    const char* line;
    const char* options;  // what MountTmpfs passes besides the attributes
    AttributeOverrides overrides;
  };
  const std::vector<Case> cases = {
      {"/tmp tmpfs", "", {}},
      {"/tmp tmpfs size=128M", "size=128M", {}},
      {"/tmp tmpfs size=128M,mode=1777", "size=128M", {01777, std::nullopt, std::nullopt}},
      {"/srv tmpfs mode=0700,uid=1000,gid=100,nosuid", "nosuid", {0700, 1000, 100}},
      {"/srv tmpfs nr_inodes=1k,uid=0", "nr_inodes=1k", {std::nullopt, 0, std::nullopt}},
  };
  for (const auto& c : cases) {
    INFO(c.line);
    const auto plan = plan_union_steps({entry(c.line)}, kLayout);
    REQUIRE(plan);
    CHECK(plan->setup.empty());  // no layers directory without an overlay
    REQUIRE(plan->unions[0].steps.size() == 1);
    const auto& tmpfs = std::get<MountTmpfs>(plan->unions[0].steps[0]);
    CHECK(tmpfs.options == c.options);
    CHECK(tmpfs.overrides == c.overrides);
  }

  // The same rule for an overlay's upper directory: the options decide, else the lower does.
  const auto plan = plan_union_steps({entry("/var overlay size=8M,mode=0750,gid=4")}, kLayout);
  REQUIRE(plan);
  const auto& copy = std::get<CopyAttributes>(plan->unions[0].steps[5]);
  CHECK(copy.from == "/var");
  CHECK(copy.overrides == AttributeOverrides{0750, std::nullopt, 4});
  CHECK(copy.describe() ==
        "give /run/nfsroot-init/unions/1-var/upper the attributes of the lower directory: mode 0750, gid 4 from the "
        "options; owner from the image's /var");
  // They are not the layer tmpfs's: that one stays 0755 root:root.
  CHECK(std::get<MountLayerTmpfs>(plan->unions[0].steps[2]).options == "mode=0755,size=8M");
}

TEST_CASE("union plan: an overlay's flags go to the visible mount, and to its layer except ro", "[union_plan]") {
  const auto plan = plan_union_steps({entry("/var overlay size=8M,nosuid,nodev,ro")}, kLayout);
  REQUIRE(plan);
  CHECK(std::get<MountLayerTmpfs>(plan->unions[0].steps[2]).options == "mode=0755,size=8M,nosuid,nodev");
  CHECK(std::get<MountOverlay>(plan->unions[0].steps.back()).flags == "nosuid,nodev,ro");
}

TEST_CASE("union plan: attribute and layout errors", "[union_plan]") {
  const auto bad_uid = plan_union_steps({entry("/srv tmpfs uid=root", "overlays:4"), entry("/tmp tmpfs")}, kLayout);
  REQUIRE(bad_uid);
  REQUIRE(bad_uid->unions.size() == 2);
  REQUIRE(bad_uid->unions[0].error);
  CHECK(describe(*bad_uid->unions[0].error) ==
        "union /srv (overlays:4): uid=root: not a valid uid=; uid= and gid= take a number, e.g. uid=0");
  CHECK(bad_uid->unions[0].steps.empty());
  CHECK_FALSE(bad_uid->unions[1].error);

  for (const char* layers : {"relative/unions", "/run/a,b", "/run/a:b", "/run/a=b", "/", "/run/a b"}) {
    INFO(layers);
    const auto plan = plan_union_steps(default_overlay_list(), {"/root", layers, AufsSupport::Absent});
    REQUIRE_FALSE(plan);
    CHECK(describe(plan.error()).starts_with("union plan " + std::string(layers) + ": the layers directory"));
  }
  CHECK_FALSE(plan_union_steps(default_overlay_list(), {"root", "/run/u", AufsSupport::Absent}));
  const auto trailing = plan_union_steps(default_overlay_list(), {"/root", "/run/u/", AufsSupport::Absent});
  REQUIRE(trailing);
  CHECK(trailing->unions[1].layer_dir == "/run/u/2-var");
}

TEST_CASE("union plan: parents before children whatever the input order", "[union_plan]") {
  // Not merged, not sorted: the plan puts parents first itself.
  const std::vector<OverlayEntry> entries = {
      entry("/var/lib/docker overlay"),
      entry("/etc/udev/rules.d overlay"),
      entry("/var overlay"),
      entry("/var/lib overlay"),
      entry("/home none"),
  };
  const auto plan = plan_union_steps(entries, kLayout);
  REQUIRE(plan);
  CHECK(mount_points(*plan) ==
        std::vector<std::string>{"/var", "/var/lib", "/var/lib/docker", "/etc/udev/rules.d"});
  for (std::size_t i = 0; i < plan->unions.size(); ++i) {
    for (std::size_t j = i + 1; j < plan->unions.size(); ++j) {
      const auto& later = plan->unions[j].entry.mount_point;
      CHECK_FALSE(plan->unions[i].entry.mount_point.starts_with(later + "/"));
    }
  }
  // Layer numbers follow the mount order.
  CHECK(plan->unions[0].layer_dir == "/run/nfsroot-init/unions/1-var");
  CHECK(plan->unions[2].layer_dir == "/run/nfsroot-init/unions/3-var-lib-docker");
}

TEST_CASE("union plan: a union inside an empty tmpfs has nothing to cover", "[union_plan]") {
  const auto plan = plan_union_steps({entry("/tmp tmpfs", "a:1"), entry("/tmp/cache overlay", "a:2"),
                                      entry("/tmpfoo overlay", "a:3")},
                                     kLayout);
  REQUIRE(plan);
  REQUIRE(plan->unions.size() == 3);
  CHECK_FALSE(plan->unions[0].error);
  CHECK_FALSE(plan->unions[1].error);  // /tmpfoo is not inside /tmp
  REQUIRE(plan->unions[2].error);
  CHECK(describe(*plan->unions[2].error) ==
        "union /tmp/cache (a:2): it is inside /tmp, an empty tmpfs, so there is no directory to mount on; make /tmp "
        "an overlay, or drop one of the two entries");
}

TEST_CASE("union plan: a mount point listed twice keeps the later entry and says so", "[union_plan]") {
  const auto plan = plan_union_steps({entry("/var overlay size=1M", "a:1"), entry("/var tmpfs", "b:7")}, kLayout);
  REQUIRE(plan);
  REQUIRE(plan->unions.size() == 1);
  CHECK(plan->unions[0].entry.origin == "b:7");
  CHECK(plan->notices == std::vector<std::string>{"/var: listed twice; the entry from b:7 replaces the one from a:1"});
}

TEST_CASE("union plan: layer names keep only safe characters", "[union_plan]") {
  const auto plan = plan_union_steps({entry("/srv/a:b,c=d overlay")}, kLayout);
  REQUIRE(plan);
  CHECK(plan->unions[0].layer_dir == "/run/nfsroot-init/unions/1-srv-a_b_c_d");
}

TEST_CASE("overlay sources: command line over the root's file over the initramfs copy over the default",
          "[union_plan]") {
  OverlaySources sources;
  sources.command_line = {"/var:overlay:size=1G", "/srv:tmpfs"};
  sources.root_file = OverlayListFile{"/root/etc/nfsroot-init/overlays",
                                      "# the image's own list\n"
                                      "/var overlay size=256M\n"
                                      "/opt overlay size=64M\n"
                                      "/etc/udev/rules.d none\n"};
  sources.initramfs_file = OverlayListFile{"/etc/nfsroot-init/overlays",
                                           "/tmp tmpfs size=32M,mode=1777\n"
                                           "/opt overlay size=16M\n"
                                           "/home overlay size=16M\n"};
  const auto merged = merge_overlay_sources(sources);
  CHECK(merged.errors.empty());

  struct Expected {
    const char* mount_point;
    const char* options;
    const char* origin;
  };
  const std::vector<Expected> expected = {
      {"/tmp", "size=32M,mode=1777", "/etc/nfsroot-init/overlays:1"},
      {"/home", "size=16M", "/etc/nfsroot-init/overlays:3"},
      {"/opt", "size=64M", "/root/etc/nfsroot-init/overlays:3"},
      {"/var", "size=1G", "nfsroot-init.overlay="},
      {"/srv", "", "nfsroot-init.overlay="},
  };
  REQUIRE(merged.entries.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    INFO(expected[i].mount_point);
    CHECK(merged.entries[i].mount_point == expected[i].mount_point);
    CHECK(join(merged.entries[i].options, ",") == expected[i].options);
    CHECK(merged.entries[i].origin == expected[i].origin);
  }
}

TEST_CASE("overlay sources: without files, the default under the command line", "[union_plan]") {
  const auto merged = merge_overlay_sources({{"/tmp:none"}, std::nullopt, std::nullopt});
  CHECK(merged.errors.empty());
  REQUIRE(merged.entries.size() == 2);
  CHECK(merged.entries[0].mount_point == "/var");
  CHECK(merged.entries[0].origin == "built-in default");
  CHECK(merged.entries[1].mount_point == "/etc/udev/rules.d");
}

TEST_CASE("overlay sources: a bad line is reported with FILE:LINE and skipped; the rest applies", "[union_plan]") {
  OverlaySources sources;
  sources.command_line = {"/home:bogus"};
  sources.root_file = OverlayListFile{"/root/etc/nfsroot-init/overlays",
                                      "/var overlay size=lots\n"  // bad: the lower /var entry stays
                                      "/opt overlay size=8M\n"
                                      "/srv\n"};
  sources.initramfs_file = OverlayListFile{"/etc/nfsroot-init/overlays", "/var overlay size=64M\n"};
  const auto merged = merge_overlay_sources(sources);

  REQUIRE(merged.errors.size() == 3);
  CHECK(describe(merged.errors[0])
            .starts_with("/root/etc/nfsroot-init/overlays:1 /var overlay size=lots: bad size=lots"));
  CHECK(describe(merged.errors[1]).starts_with("/root/etc/nfsroot-init/overlays:3 /srv: expected 2 or 3 fields"));
  CHECK(describe(merged.errors[2]).starts_with("nfsroot-init.overlay= /home:bogus: unknown kind 'bogus'"));

  REQUIRE(merged.entries.size() == 4);
  CHECK(merged.entries[1].mount_point == "/var");
  CHECK(merged.entries[1].origin == "/etc/nfsroot-init/overlays:1");  // the next source down
  CHECK(merged.entries[1].options == std::vector<std::string>{"size=64M"});
  CHECK(merged.entries[2].mount_point == "/opt");
  CHECK(merged.entries[2].origin == "/root/etc/nfsroot-init/overlays:2");
}

TEST_CASE("union helpers: attributes, tmpfs options", "[union_plan]") {
  const DirectoryAttributes image{040750, 8, 12};  // type bits are dropped
  CHECK(apply_overrides(image, {}) == DirectoryAttributes{0750, 8, 12});
  CHECK(apply_overrides(image, {01777, std::nullopt, 0}) == DirectoryAttributes{01777, 8, 0});
  CHECK(tmpfs_options_with_attributes({01777, 0, 0}, "size=128M") == "mode=1777,uid=0,gid=0,size=128M");
  CHECK(tmpfs_options_with_attributes({0750, 8, 12}, "") == "mode=0750,uid=8,gid=12");
}

TEST_CASE("union helpers: size= against MemTotal", "[union_plan]") {
  const std::string meminfo = "MemTotal:        2030592 kB\nMemFree:          123456 kB\n";
  const auto mem_total = parse_mem_total(meminfo);
  REQUIRE(mem_total);
  CHECK(*mem_total == 2030592ULL * 1024);
  CHECK_FALSE(parse_mem_total("MemFree: 1 kB\n"));
  CHECK_FALSE(parse_mem_total("MemTotal: lots kB\n"));

  struct Case {
    const char* options;
    const char* error;  // empty: fits
  };
  const std::vector<Case> cases = {
      {"mode=0755", ""},
      {"mode=0755,size=128M", ""},
      {"size=1983m", ""},  // 1983 MiB fits in 1983.0 MiB
      {"size=2030592k", ""},
      {"size=2030593k", "tmpfs size=2030593k: more than this machine's RAM (MemTotal 1983 MiB); lower size= for "
                        "this entry (e.g. size=495M, or size=25%), or give the client more memory"},
      {"size=4G", "more than this machine's RAM"},
      {"size=99999999999E", "more than this machine's RAM"},
      {"size=100%", ""},
      {"size=150%", "tmpfs size=150%: more than all of this machine's RAM (MemTotal 1983 MiB)"},
      {"size=x%", "not a size"},
      {"size=", "not a size"},
  };
  for (const auto& c : cases) {
    INFO(c.options);
    const auto fits = check_tmpfs_size(c.options, *mem_total);
    if (std::string_view(c.error).empty()) {
      CHECK(fits);
    } else {
      REQUIRE_FALSE(fits);
      CHECK(describe(fits.error()).find(c.error) != std::string::npos);
    }
  }
}

TEST_CASE("union helpers: /proc/filesystems", "[union_plan]") {
  const std::string with_aufs = "nodev\tsysfs\nnodev\ttmpfs\n\text4\nnodev\taufs\nnodev\toverlay\n";
  CHECK(filesystem_listed(with_aufs, "aufs"));
  CHECK(filesystem_listed(with_aufs, "ext4"));
  CHECK_FALSE(filesystem_listed("nodev\tsysfs\nnodev\toverlay\n", "aufs"));
  CHECK_FALSE(filesystem_listed("nodev\taufs2\n", "aufs"));
}

TEST_CASE("union helpers: the seed's /var -> /aufs/var/mount layout", "[union_plan]") {
  struct Case {
    const char* mount_point;
    const char* link;
    std::optional<std::string> lower;
  };
  const std::vector<Case> cases = {
      {"/var", "/aufs/var/mount", "/aufs/var/ro"},
      {"/var", "/aufs/var/mount/", "/aufs/var/ro"},
      {"/var", "aufs/var/mount", "/aufs/var/ro"},
      {"/var", "../aufs/var/mount", "/aufs/var/ro"},  // ".." stops at the root, as in the kernel
      {"/etc/udev/rules.d", "/aufs/etc/udev/rules.d/mount", "/aufs/etc/udev/rules.d/ro"},
      {"/etc/udev/rules.d", "../../aufs/etc/udev/rules.d/mount", "/aufs/etc/udev/rules.d/ro"},
      {"/srv/x", "mount", "/srv/ro"},
      {"/var", "/aufs/var/ro", std::nullopt},  // the seed's maintenance link: already the contents
      {"/var", "/data/var", std::nullopt},
      {"/var", "/aufs/var/mounted", std::nullopt},
  };
  for (const auto& c : cases) {
    INFO(c.mount_point << " -> " << c.link);
    CHECK(seed_layout_lower(c.mount_point, c.link) == c.lower);
  }
}

TEST_CASE("union plan: nr_blocks= is checked against RAM like size=", "[union_plan]") {
  const std::uint64_t ram = 1024ull << 20;  // 1 GiB: 262144 pages of 4 KiB
  CHECK(check_tmpfs_size("nr_blocks=262144", ram));
  const auto refused = check_tmpfs_size("mode=0755,nr_blocks=262145", ram);
  REQUIRE_FALSE(refused);
  CHECK(describe(refused.error()).find("tmpfs nr_blocks=262145: more than this machine's RAM") == 0);
}

TEST_CASE("union plan: the counted tmpfs size is the last of size= and nr_blocks=, as tmpfs takes it",
          "[union_plan]") {
  // mm/shmem.c: size= and nr_blocks= both set the block limit; the later one wins.
  const std::uint64_t ram = 1024ull << 20;
  CHECK(tmpfs_size_bytes("nr_blocks=256", ram) == 1ull << 20);
  CHECK(tmpfs_size_bytes("mode=0755,nr_blocks=1k", ram) == 4ull << 20);
  CHECK(tmpfs_size_bytes("size=10M,nr_blocks=256", ram) == 1ull << 20);
  CHECK(tmpfs_size_bytes("nr_blocks=256,size=10M", ram) == 10ull << 20);
  CHECK(tmpfs_size_bytes("nr_blocks=256,size=50%", ram) == ram / 100 * 50);
  CHECK(tmpfs_size_bytes("mode=0755", ram) == ram / 2);
}
