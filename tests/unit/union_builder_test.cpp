// The union builder against the FakeSystem (fake_system.h) that records a trace: the order of mkdir, stat,
// chown and mount; mount points resolved inside the image; per-union results when a mount point
// is missing, a mount fails or a size does not fit.
#include "overlay/union_builder.h"

#include <sys/mount.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <map>

#include "base/text.h"
#include "fake_system.h"

using namespace nfsroot;
using nfsroot::testing::FakeSystem;
using nfsroot::testing::octal;
using nfsroot::testing::Lines;

namespace {

const UnionLayout kLayout{"/root", "/run/nfsroot-init/unions", AufsSupport::Absent};

OverlayEntry entry(std::string_view text, std::string_view origin = "overlays:1") {
  auto parsed = parse_overlay_entry(text, origin);
  REQUIRE(parsed);
  return *parsed;
}

UnionReport build(FakeSystem& system, const std::vector<OverlayEntry>& entries,
                  const UnionLayout& layout = kLayout) {
  const auto plan = plan_union_steps(entries, layout);
  REQUIRE(plan);
  auto report = build_unions(system, *plan);
  REQUIRE(report);
  return std::move(*report);
}

// The image of a Debian root, as far as the defaults care.
void add_debian_image(FakeSystem& system) {
  system.add_directory("/tmp", {01777, 0, 0});
  system.add_directory("/var", {0755, 0, 0});
  system.add_directory("/etc", {0755, 0, 0});
  system.add_directory("/etc/udev", {0755, 0, 0});
  system.add_directory("/etc/udev/rules.d", {0755, 0, 0});
}

Lines without_stats(const Lines& trace) {
  Lines kept;
  for (const auto& line : trace) {
    if (!line.starts_with("stat(") && !line.starts_with("read(")) kept.push_back(line);
  }
  return kept;
}

}  // namespace

TEST_CASE("union builder: the defaults, in order", "[union_builder]") {
  FakeSystem system;
  add_debian_image(system);
  const auto report = build(system, default_overlay_list());

  const Lines expected = {
      "mkdir(/run/nfsroot-init/unions,0755)",
      // /tmp: its attributes read (and the root's, once, to refuse mounting over the root),
      // then MemTotal for the size check, then the mount with mode, owner and group.
      "stat(/root/tmp)",
      "stat(/root)",
      "read(/proc/meminfo)",
      "mount(tmpfs,/root/tmp,tmpfs,0,mode=1777,uid=0,gid=0,size=128M)",
      // /var: the mount point found first, then the layer tmpfs, upper/ and work/ in it, upper/
      // given the lower's attributes, then the overlay in place.
      "stat(/root/var)",
      "mkdir(/run/nfsroot-init/unions/2-var,0755)",
      "mount(tmpfs,/run/nfsroot-init/unions/2-var,tmpfs,0,mode=0755,size=128M)",
      "mkdir(/run/nfsroot-init/unions/2-var/upper,0755)",
      "mkdir(/run/nfsroot-init/unions/2-var/work,0700)",
      "stat(/root/var)",
      "chown+chmod(/run/nfsroot-init/unions/2-var/upper,0:0,0755)",
      "stat(/root/var)",
      "mount(overlay,/root/var,overlay,0,lowerdir=/root/var,upperdir=/run/nfsroot-init/unions/2-var/upper,"
      "workdir=/run/nfsroot-init/unions/2-var/work)",
      "stat(/root/etc/udev/rules.d)",
      "mkdir(/run/nfsroot-init/unions/3-etc-udev-rules.d,0755)",
      "mount(tmpfs,/run/nfsroot-init/unions/3-etc-udev-rules.d,tmpfs,0,mode=0755,size=1M)",
      "mkdir(/run/nfsroot-init/unions/3-etc-udev-rules.d/upper,0755)",
      "mkdir(/run/nfsroot-init/unions/3-etc-udev-rules.d/work,0700)",
      "stat(/root/etc/udev/rules.d)",
      "chown+chmod(/run/nfsroot-init/unions/3-etc-udev-rules.d/upper,0:0,0755)",
      "stat(/root/etc/udev/rules.d)",
      "mount(overlay,/root/etc/udev/rules.d,overlay,0,lowerdir=/root/etc/udev/rules.d,"
      "upperdir=/run/nfsroot-init/unions/3-etc-udev-rules.d/upper,workdir=/run/nfsroot-init/unions/3-etc-udev-rules.d/"
      "work)",
  };
  CHECK(system.trace == expected);
  CHECK(report.all_done());
  CHECK(report.notices.empty());
  CHECK(report.lines() == Lines{
                              "/tmp tmpfs 128M, mode=1777 (built-in default)",
                              "/var overlay on tmpfs 128M (built-in default)",
                              "/etc/udev/rules.d overlay on tmpfs 1M (built-in default)",
                          });
}

TEST_CASE("union builder: tmpfs keeps the covered directory's mode and owner unless the options say",
          "[union_builder]") {
  struct Case {
    const char* line;
    const char* mount;
  };
  // The image's /srv/spool is 2750 8:12; the set-group-ID bit is part of the mode it keeps.
  const std::vector<Case> cases = {
      {"/srv/spool tmpfs size=8M", "mount(tmpfs,/root/srv/spool,tmpfs,0,mode=2750,uid=8,gid=12,size=8M)"},
      {"/srv/spool tmpfs mode=0700", "mount(tmpfs,/root/srv/spool,tmpfs,0,mode=0700,uid=8,gid=12)"},
      {"/srv/spool tmpfs uid=0,gid=0,nosuid,nodev",
       "mount(tmpfs,/root/srv/spool,tmpfs,nosuid|nodev,mode=2750,uid=0,gid=0)"},
  };
  for (const auto& c : cases) {
    INFO(c.line);
    FakeSystem system;
    system.add_directory("/srv");
    system.add_directory("/srv/spool", {02750, 8, 12});
    const auto report = build(system, {entry(c.line)});
    CHECK(report.all_done());
    CHECK(without_stats(system.trace) == Lines{c.mount});
  }
}

TEST_CASE("union builder: an overlay's upper gets the lower's attributes, the options' where given",
          "[union_builder]") {
  FakeSystem system;
  system.add_directory("/var", {02775, 0, 50});
  build(system, {entry("/var overlay size=8M,nosuid"), entry("/home overlay uid=1000")});
  // /home is not in the image: nothing is made for it.
  CHECK(without_stats(system.trace) ==
        Lines{
            "mkdir(/run/nfsroot-init/unions,0755)",
            "mkdir(/run/nfsroot-init/unions/1-var,0755)",
            "mount(tmpfs,/run/nfsroot-init/unions/1-var,tmpfs,nosuid,mode=0755,size=8M)",
            "mkdir(/run/nfsroot-init/unions/1-var/upper,0755)",
            "mkdir(/run/nfsroot-init/unions/1-var/work,0700)",
            "chown+chmod(/run/nfsroot-init/unions/1-var/upper,0:50,2775)",
            "mount(overlay,/root/var,overlay,nosuid,lowerdir=/root/var,upperdir=/run/nfsroot-init/unions/1-var/upper,"
            "workdir=/run/nfsroot-init/unions/1-var/work)",
        });
}

TEST_CASE("union builder: a missing mount point skips that union, with its origin; the rest is built",
          "[union_builder]") {
  FakeSystem system;
  add_debian_image(system);
  const auto report = build(system, {entry("/srv overlay size=4M", "/root/etc/nfsroot-init/overlays:3"),
                                     entry("/var overlay size=4M", "built-in default")});
  REQUIRE(report.unions.size() == 2);
  CHECK(report.unions[0].mount_point == "/srv");
  CHECK(report.unions[0].status == UnionStatus::Skipped);
  REQUIRE(report.unions[0].error);
  CHECK(describe(*report.unions[0].error) ==
        "union /srv (/root/etc/nfsroot-init/overlays:3): openat2 /srv in /root: No such file or directory (errno 2); "
        "the image has no directory /srv: create it there, or drop the entry (nfsroot-init.overlay=/srv:none)");
  CHECK(report.unions[0].line ==
        "/srv overlay on tmpfs 4M (/root/etc/nfsroot-init/overlays:3) skipped: openat2 /srv in /root: No such file or "
        "directory (errno 2); the image has no directory /srv: create it there, or drop the entry "
        "(nfsroot-init.overlay=/srv:none)");
  CHECK(report.unions[1].status == UnionStatus::Done);
  CHECK_FALSE(report.all_done());
  CHECK(system.trace.back().starts_with("mount(overlay,/root/var,"));
}

TEST_CASE("union builder: a failing mount skips that union; later unions are still built", "[union_builder]") {
  FakeSystem system;
  add_debian_image(system);
  system.failing_mounts["/root/var"] = EINVAL;
  const auto report = build(system, default_overlay_list());
  REQUIRE(report.unions.size() == 3);
  CHECK(report.unions[0].status == UnionStatus::Done);
  CHECK(report.unions[1].status == UnionStatus::Skipped);
  CHECK(describe(*report.unions[1].error) ==
        "union /var (built-in default): mount overlay /var in /root: Invalid argument (errno 22); overlay refused "
        "these layers; the kernel log (dmesg) says why");
  CHECK(report.unions[2].status == UnionStatus::Done);
  CHECK(system.trace.back().starts_with("mount(overlay,/root/etc/udev/rules.d,"));
}

TEST_CASE("union builder: a layer tmpfs that cannot be mounted skips its union", "[union_builder]") {
  FakeSystem system;
  add_debian_image(system);
  system.failing_mounts["/run/nfsroot-init/unions/2-var"] = ENODEV;
  const auto report = build(system, default_overlay_list());
  CHECK(report.unions[1].status == UnionStatus::Skipped);
  CHECK(describe(*report.unions[1].error) ==
        "union /var (built-in default): mount tmpfs /run/nfsroot-init/unions/2-var: No such device (errno 19); the "
        "kernel has no tmpfs filesystem: add its module to the initramfs");
  // Nothing more for /var after the failed mount: no mkdir of upper/, no overlay.
  const Lines trace = without_stats(system.trace);
  CHECK(std::find(trace.begin(), trace.end(), "mkdir(/run/nfsroot-init/unions/2-var/upper,0755)") == trace.end());
  CHECK(report.unions[2].status == UnionStatus::Done);
}

TEST_CASE("union builder: a size above the machine's RAM skips that union before its tmpfs", "[union_builder]") {
  FakeSystem system;
  add_debian_image(system);
  system.files["/proc/meminfo"] = "MemTotal:        1048576 kB\n";  // 1 GiB
  const auto report =
      build(system, {entry("/var overlay size=2G", "nfsroot-init.overlay="), entry("/tmp tmpfs size=200%", "f:2"),
                     entry("/etc/udev/rules.d overlay size=1M")});
  REQUIRE(report.unions.size() == 3);
  CHECK(report.unions[0].mount_point == "/var");
  CHECK(describe(*report.unions[0].error) ==
        "union /var (nfsroot-init.overlay=): tmpfs size=2G: more than this machine's RAM (MemTotal 1024 MiB); lower "
        "size= for this entry (e.g. size=256M, or size=25%), or give the client more memory");
  CHECK(describe(*report.unions[1].error) ==
        "union /tmp (f:2): tmpfs size=200%: more than all of this machine's RAM (MemTotal 1024 MiB); write at most "
        "size=100%, better 50% or less");
  CHECK(report.unions[2].status == UnionStatus::Done);
  for (const auto& line : system.trace) {
    CHECK_FALSE(line.starts_with("mount(tmpfs,/run/nfsroot-init/unions/1-var,"));
    CHECK_FALSE(line.starts_with("mount(tmpfs,/root/tmp,"));
  }
  // MemTotal is read once.
  CHECK(std::count(system.trace.begin(), system.trace.end(), "read(/proc/meminfo)") == 1);
}

TEST_CASE("union builder: nr_blocks= above the machine's RAM skips that union, without any size=",
          "[union_builder]") {
  FakeSystem system;
  add_debian_image(system);
  system.files["/proc/meminfo"] = "MemTotal:        1048576 kB\n";  // 1 GiB: 262144 pages
  const auto report = build(system, {entry("/var overlay nr_blocks=1m"), entry("/tmp tmpfs nr_blocks=262145")});
  REQUIRE(report.unions.size() == 2);
  REQUIRE(report.unions[0].error);
  CHECK(describe(*report.unions[0].error).find("tmpfs nr_blocks=1m: more than this machine's RAM") != std::string::npos);
  REQUIRE(report.unions[1].error);
  CHECK(describe(*report.unions[1].error).find("tmpfs nr_blocks=262145: more than this machine's RAM") !=
        std::string::npos);
  for (const auto& line : system.trace) CHECK_FALSE(line.starts_with("mount(tmpfs,"));
}

TEST_CASE("union builder: without /proc/meminfo sizes are not checked, and the report says so", "[union_builder]") {
  FakeSystem system;
  add_debian_image(system);
  system.files.erase("/proc/meminfo");
  const auto report = build(system, {entry("/var overlay size=64G")});
  CHECK(report.all_done());
  CHECK(report.notices == Lines{"no MemTotal in /proc/meminfo: tmpfs sizes are not checked against RAM"});
}

TEST_CASE("union builder: symlinks in the image resolve inside the new root", "[union_builder]") {
  FakeSystem system;
  add_debian_image(system);
  system.add_directory("/data");
  system.add_directory("/data/cache", {0700, 33, 33});
  system.symlinks["/evil"] = "/";                         // the root itself
  system.symlinks["/up"] = "../../../../data/cache";      // ".." stops at the new root
  system.symlinks["/abs"] = "/data/cache";                // absolute: from the new root
  system.symlinks["/nowhere"] = "/run/nfsroot-init";      // only in the initramfs
  const auto report = build(system, {entry("/evil tmpfs", "a:1"), entry("/up tmpfs", "a:2"),
                                     entry("/abs overlay", "a:3"), entry("/nowhere overlay", "a:4")});
  REQUIRE(report.unions.size() == 4);
  CHECK(describe(*report.unions[0].error) ==
        "union /evil (a:1): openat2 /evil in /root: it is the new root itself (a symlink in the image points there); "
        "fix the symlink in the image, or drop the entry");
  CHECK(report.unions[1].status == UnionStatus::Done);
  CHECK(report.unions[2].status == UnionStatus::Done);
  CHECK(report.unions[3].status == UnionStatus::Skipped);
  CHECK(report.unions[3].error->errno_value == ENOENT);
  const Lines expected_mounts = {
      "mount(tmpfs,/root/data/cache,tmpfs,0,mode=0700,uid=33,gid=33)",
      "mount(tmpfs,/run/nfsroot-init/unions/3-abs,tmpfs,0,mode=0755)",
      "mount(overlay,/root/data/cache,overlay,0,lowerdir=/root/data/cache,upperdir=/run/nfsroot-init/unions/3-abs/"
      "upper,workdir=/run/nfsroot-init/unions/3-abs/work)",
  };
  Lines mounts;
  for (const auto& line : system.trace) {
    if (line.starts_with("mount(")) mounts.push_back(line);
  }
  CHECK(mounts == expected_mounts);
}

TEST_CASE("union builder: the seed's /var -> /aufs/var/mount layout takes /aufs/var/ro as lower", "[union_builder]") {
  FakeSystem system;
  system.add_directory("/aufs");
  system.add_directory("/aufs/var");
  system.add_directory("/aufs/var/mount", {0700, 0, 0});
  system.add_directory("/aufs/var/rw");
  system.add_directory("/aufs/var/ro", {0755, 0, 0});
  system.symlinks["/var"] = "/aufs/var/mount";
  const auto report = build(system, {entry("/var overlay size=128M", "built-in default")});
  CHECK(report.all_done());
  CHECK(without_stats(system.trace) ==
        Lines{
            "mkdir(/run/nfsroot-init/unions,0755)",
            "mkdir(/run/nfsroot-init/unions/1-var,0755)",
            "mount(tmpfs,/run/nfsroot-init/unions/1-var,tmpfs,0,mode=0755,size=128M)",
            "mkdir(/run/nfsroot-init/unions/1-var/upper,0755)",
            "mkdir(/run/nfsroot-init/unions/1-var/work,0700)",
            "chown+chmod(/run/nfsroot-init/unions/1-var/upper,0:0,0755)",  // from ro/, not mount/
            "mount(overlay,/root/aufs/var/mount,overlay,0,lowerdir=/root/aufs/var/ro,"
            "upperdir=/run/nfsroot-init/unions/1-var/upper,workdir=/run/nfsroot-init/unions/1-var/work)",
        });
  CHECK(report.lines() == Lines{"/var overlay on tmpfs 128M (built-in default); lower /aufs/var/ro: the image's /var "
                                "is a symlink to /aufs/var/mount (the seed's layout)"});
}

TEST_CASE("union builder: a link to .../mount without .../ro beside it is an ordinary symlink", "[union_builder]") {
  FakeSystem system;
  system.add_directory("/data");
  system.add_directory("/data/mount");
  system.symlinks["/var"] = "/data/mount";
  const auto report = build(system, {entry("/var overlay")});
  CHECK(report.all_done());
  CHECK(system.trace.back().starts_with("mount(overlay,/root/data/mount,overlay,0,lowerdir=/root/data/mount,"));
  CHECK(report.lines() == Lines{"/var overlay on tmpfs (no size=: up to half of RAM) (overlays:1)"});
}

TEST_CASE("union builder: aufs where the kernel has it", "[union_builder]") {
  FakeSystem system;
  add_debian_image(system);
  system.files["/proc/filesystems"] = "nodev\ttmpfs\nnodev\taufs\n";
  const auto aufs = detect_aufs(system);
  REQUIRE(aufs);
  CHECK(*aufs == AufsSupport::Present);
  UnionLayout layout = kLayout;
  layout.aufs = *aufs;
  const auto report = build(system, {entry("/var aufs size=16M")}, layout);
  CHECK(report.all_done());
  CHECK(system.trace.back() == "mount(aufs,/root/var,aufs,0,br=/run/nfsroot-init/unions/1-var/upper=rw:/root/var=ro)");

  FakeSystem without;
  const auto absent = detect_aufs(without);
  REQUIRE(absent);
  CHECK(*absent == AufsSupport::Absent);
  without.files.erase("/proc/filesystems");
  CHECK_FALSE(detect_aufs(without));
}

TEST_CASE("union builder: no layers directory means no union at all", "[union_builder]") {
  FakeSystem system;
  add_debian_image(system);
  system.failing_mkdirs["/run/nfsroot-init/unions"] = EROFS;
  const auto plan = plan_union_steps(default_overlay_list(), kLayout);
  REQUIRE(plan);
  const auto report = build_unions(system, *plan);
  REQUIRE_FALSE(report);
  CHECK(describe(report.error()) ==
        "unions: mkdir /run/nfsroot-init/unions: Read-only file system (errno 30); no union can be built without the "
        "layers directory /run/nfsroot-init/unions");
  CHECK(system.trace == Lines{"mkdir(/run/nfsroot-init/unions,0755)"});
}

TEST_CASE("union builder: an entry the plan refused is reported as skipped", "[union_builder]") {
  FakeSystem system;
  add_debian_image(system);
  const auto report = build(system, {entry("/tmp tmpfs"), entry("/tmp/x overlay", "f:9")});
  REQUIRE(report.unions.size() == 2);
  CHECK(report.unions[1].status == UnionStatus::Skipped);
  CHECK(report.unions[1].line.starts_with("/tmp/x overlay on tmpfs (no size=: up to half of RAM) (f:9) skipped: "
                                          "union /tmp/x (f:9): it is inside /tmp"));
  CHECK(without_stats(system.trace) == Lines{"mount(tmpfs,/root/tmp,tmpfs,0,mode=1777,uid=0,gid=0)"});
}

TEST_CASE("overlay list: read inside the root; absent is none; too many entries is an error naming the file",
          "[union_builder]") {
  FakeSystem system;
  auto none = read_overlay_list(system, "/root");
  REQUIRE(none);
  CHECK_FALSE(*none);
  system.add_directory("/etc");
  system.add_directory("/etc/nfsroot-init");
  system.image_files["/etc/nfsroot-init/overlays"] = "# the image's\n/srv tmpfs size=1M\n";
  auto list = read_overlay_list(system, "/root");
  REQUIRE(list);
  REQUIRE(*list);
  CHECK((*list)->name == "/root/etc/nfsroot-init/overlays");
  CHECK((*list)->text == "# the image's\n/srv tmpfs size=1M\n");
  std::string many;
  for (int i = 0; i < 257; ++i) many += "/srv/" + std::to_string(i) + " tmpfs\n";
  system.image_files["/etc/nfsroot-init/overlays"] = "# comments do not count\n\n" + many;
  auto too_many = read_overlay_list(system, "/root");
  REQUIRE_FALSE(too_many);
  CHECK(describe(too_many.error()) ==
        "/root/etc/nfsroot-init/overlays: 257 entries, more than 256; keep one line per union the image needs");
}

TEST_CASE("unions: tmpfs sizes that add up to more than RAM are said so, and all still built", "[union_builder]") {
  // 2 GiB of RAM (the fake's /proc/meminfo); a tmpfs without size= may take half of it.
  struct Case {
    std::vector<std::string> entries;
    bool over;
  };
  for (const auto& c : {Case{{"/tmp tmpfs size=1500M", "/var overlay size=1G"}, true},
                        Case{{"/tmp tmpfs size=50%", "/var overlay size=60%"}, true},
                        Case{{"/tmp tmpfs", "/var overlay size=1100M"}, true},
                        Case{{"/tmp tmpfs size=512M", "/var overlay size=1G"}, false},
                        Case{{"/tmp tmpfs", "/var overlay size=25%"}, false}}) {
    INFO(join(c.entries, " + "));
    FakeSystem system;
    add_debian_image(system);
    std::vector<OverlayEntry> entries;
    for (const auto& text : c.entries) entries.push_back(entry(text));
    const UnionReport report = build(system, entries);
    CHECK(report.all_done());
    const bool said = std::any_of(report.notices.begin(), report.notices.end(), [](const std::string& notice) {
      return notice.find("more than MemTotal 2048 MiB: filled together they would exhaust memory") != std::string::npos;
    });
    CHECK(said == c.over);
  }
}
