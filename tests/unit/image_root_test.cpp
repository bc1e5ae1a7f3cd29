// Image mode: the format by magic, a channel's current, the image= path (tables), and the
// image root's system calls through the FakeSystem (channel -> version -> loop mount).
#include "rootmount/image_root.h"

#include <sys/sysmacros.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdint>
#include <string>

#include "base/cat.h"
#include "fake_system.h"
#include "plan/boot_plan.h"
#include "plan/plan_format.h"

using namespace nfsroot;
using nfsroot::testing::FakeSystem;
using nfsroot::testing::Lines;

namespace {

std::string squashfs_head() { return std::string("hsqs") + std::string(1100, '\x01'); }

std::string erofs_head() {
  std::string head(1100, '\0');
  head.replace(1024, 4, "\xe2\xe1\xf5\xe0");
  return head;
}

FileStatus regular(std::uint64_t size) {
  FileStatus status;
  status.regular = true;
  status.size = size;
  return status;
}

FileStatus directory() {
  FileStatus status;
  status.directory = true;
  return status;
}

constexpr const char* kExport = "/run/nfsroot-init/image";

}  // namespace

TEST_CASE("image format: squashfs by hsqs at 0, EROFS by its magic at 1024, nothing else", "[image]") {
  CHECK(image_format(squashfs_head()) == ImageFormat::Squashfs);
  CHECK(image_format(erofs_head()) == ImageFormat::Erofs);
  CHECK_FALSE(image_format(""));
  CHECK_FALSE(image_format("sqsh"));  // big-endian squashfs (never written by Linux tools) is not taken
  CHECK_FALSE(image_format(erofs_head().substr(0, 1027)));  // too short to hold the magic
  std::string ext4(2048, '\0');
  ext4[0x438] = '\x53';
  ext4[0x439] = '\xef';
  CHECK_FALSE(image_format(ext4));
  CHECK(to_string(ImageFormat::Squashfs) == "squashfs");
  CHECK(to_string(ImageFormat::Erofs) == "erofs");
}

TEST_CASE("channel current: one plain file name, with or without its newline", "[image]") {
  CHECK(parse_channel_current("debian-2026-12-06-1a2b3c.squashfs\n", "c/current") ==
        "debian-2026-12-06-1a2b3c.squashfs");
  CHECK(parse_channel_current("  v1.erofs  ", "c/current") == "v1.erofs");
  CHECK(parse_channel_current("v1.squashfs\n\n", "c/current") == "v1.squashfs");
  for (const char* bad : {"", "\n", "../etc/shadow", "/srv/x.squashfs", "sub/v1.squashfs", ".hidden", "..",
                          "v1\nv2\n", "v1 v2", "v1\x1b[2J"}) {
    INFO(bad);
    const auto parsed = parse_channel_current(bad, "c/current");
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().operation == "c/current");
    CHECK(describe(parsed.error()).find('\x1b') == std::string::npos);  // escaped for the console
  }
  CHECK(parse_channel_current(std::string(256, 'a'), "c/current").has_value() == false);
  CHECK(parse_channel_current(std::string(255, 'a'), "c/current").has_value());
}

TEST_CASE("image= path: inside the export, normalized; '..', '.', empty or unprintable parts refused", "[image]") {
  CHECK(normalize_image_path("images/debian") == "images/debian");
  CHECK(normalize_image_path("/images/debian/") == "images/debian");
  CHECK(normalize_image_path("v1.squashfs") == "v1.squashfs");
  for (const char* bad : {"", "/", "../x", "images/../../x", "images//debian", "./x", "im ages", "x\ty"}) {
    INFO(bad);
    const auto normalized = normalize_image_path(bad);
    REQUIRE_FALSE(normalized);
    CHECK(normalized.error().operation == "nfsroot-init.image=");
  }
}

TEST_CASE("image root: a channel's current names the version, which is loop-mounted read-only", "[image]") {
  FakeSystem system;
  system.initramfs["/run/nfsroot-init/image/images/debian"] = directory();
  system.files["/run/nfsroot-init/image/images/debian/current"] = "v2.squashfs\n";
  system.initramfs["/run/nfsroot-init/image/images/debian/v2.squashfs"] = regular(8 << 20);
  system.files["/run/nfsroot-init/image/images/debian/v2.squashfs"] = squashfs_head();
  const auto root = mount_image_root(system, kExport, "images/debian", "/root");
  REQUIRE(root);
  CHECK(root->version == "v2.squashfs");
  CHECK(root->channel == "images/debian");
  CHECK(root->format == ImageFormat::Squashfs);
  CHECK(root->size == 8 << 20);
  CHECK(root->device == "/dev/loop0");
  CHECK(system.trace == Lines{"head(/run/nfsroot-init/image/images/debian/current)",
                              "head(/run/nfsroot-init/image/images/debian/v2.squashfs)",
                              "mount_loop(/run/nfsroot-init/image/images/debian/v2.squashfs,/root,squashfs,ro)"});
}

TEST_CASE("image root: a file named directly; EROFS by its magic", "[image]") {
  FakeSystem system;
  system.initramfs["/run/nfsroot-init/image/v1.erofs"] = regular(4096);
  system.files["/run/nfsroot-init/image/v1.erofs"] = erofs_head();
  const auto root = mount_image_root(system, kExport, "v1.erofs", "/root");
  REQUIRE(root);
  CHECK(root->version == "v1.erofs");
  CHECK(root->channel.empty());
  CHECK(system.trace.back() == "mount_loop(/run/nfsroot-init/image/v1.erofs,/root,erofs,ro)");
}

TEST_CASE("image root: each fault names the file and the fix, and nothing is mounted", "[image]") {
  SECTION("no such image") {
    FakeSystem system;
    const auto root = mount_image_root(system, kExport, "images/nope", "/root");
    REQUIRE_FALSE(root);
    CHECK(root.error().errno_value == ENOENT);
    CHECK(describe(root.error()).find("images/nope") != std::string::npos);
  }
  SECTION("a channel without current") {
    FakeSystem system;
    system.initramfs["/run/nfsroot-init/image/images/debian"] = directory();
    const auto root = mount_image_root(system, kExport, "images/debian", "/root");
    REQUIRE_FALSE(root);
    CHECK(root.error().input == "/run/nfsroot-init/image/images/debian/current");
    CHECK(root.error().hint == "the channel images/debian has no current file: " + std::string(kImageBuildHint));
  }
  SECTION("current names a version that is not there") {
    FakeSystem system;
    system.initramfs["/run/nfsroot-init/image/images/debian"] = directory();
    system.files["/run/nfsroot-init/image/images/debian/current"] = "v9.squashfs\n";
    const auto root = mount_image_root(system, kExport, "images/debian", "/root");
    REQUIRE_FALSE(root);
    CHECK(root.error().hint.starts_with("/run/nfsroot-init/image/images/debian/current names v9.squashfs, which is "
                                        "not in the channel"));
  }
  SECTION("current climbing out of the channel") {
    FakeSystem system;
    system.initramfs["/run/nfsroot-init/image/images/debian"] = directory();
    system.files["/run/nfsroot-init/image/images/debian/current"] = "../../etc/shadow\n";
    const auto root = mount_image_root(system, kExport, "images/debian", "/root");
    REQUIRE_FALSE(root);
    CHECK(describe(root.error()).find("not a plain file name") != std::string::npos);
  }
  SECTION("a symlink is not followed") {
    FakeSystem system;
    FileStatus link;
    link.symlink = true;
    system.initramfs["/run/nfsroot-init/image/latest.squashfs"] = link;
    const auto root = mount_image_root(system, kExport, "latest.squashfs", "/root");
    REQUIRE_FALSE(root);
    CHECK(describe(root.error()).find("a symlink") != std::string::npos);
  }
  SECTION("wrong magic") {
    FakeSystem system;
    system.initramfs["/run/nfsroot-init/image/v1.img"] = regular(4096);
    system.files["/run/nfsroot-init/image/v1.img"] = std::string(2048, '\0');
    const auto root = mount_image_root(system, kExport, "v1.img", "/root");
    REQUIRE_FALSE(root);
    CHECK(describe(root.error()).find("not a squashfs or EROFS image") != std::string::npos);
    CHECK(system.trace == Lines{"head(/run/nfsroot-init/image/v1.img)"});
  }
  SECTION("the kernel lacks the filesystem") {
    FakeSystem system;
    system.initramfs["/run/nfsroot-init/image/v1.erofs"] = regular(4096);
    system.files["/run/nfsroot-init/image/v1.erofs"] = erofs_head();
    system.failing_loop_mounts["/run/nfsroot-init/image/v1.erofs"] = ENODEV;
    const auto root = mount_image_root(system, kExport, "v1.erofs", "/root");
    REQUIRE_FALSE(root);
    CHECK(root.error().hint == "the kernel has no erofs filesystem: is the erofs module in the initramfs?");
  }
}

TEST_CASE("image mode in the plan: the export on /run, the image on /root, loop and both filesystems loaded",
          "[image]") {
  const BootPlan plan = plan_boot(parse_boot_config(
      "ip=dhcp root=/dev/nfs nfsroot=10.0.2.2:/srv/images nfsroot-init.image=/channels/debian/"));
  REQUIRE(plan.errors.empty());
  CHECK(plan.root.image == "channels/debian");
  CHECK(plan.root.image_source == "/run/nfsroot-init/image");
  CHECK(plan.root.target == "/root");
  CHECK(plan.modules.image_modules == std::vector<std::string>{"loop", "squashfs", "erofs"});
  const std::string text = format_plan(plan);
  CHECK(text.find("mount 10.0.2.2:/srv/images on /run/nfsroot-init/image") != std::string::npos);
  CHECK(text.find("image: channels/debian in the export") != std::string::npos);
  CHECK(text.find("then nfs, nfsv3, loop, squashfs, erofs") != std::string::npos);
  CHECK(text.find("names the version (nfsroot-init.image=)") != std::string::npos);

  // dracut's livenet URL plans the same mounts, and explain names the option.
  const BootPlan live = plan_boot(parse_boot_config("ip=dhcp root=live:nfs4://10.0.2.2/images/channels/debian"));
  REQUIRE(live.errors.empty());
  CHECK(live.root.image == "debian");
  CHECK(live.root.image_option == "root=live:");
  CHECK(live.root.mount.version == 4);
  CHECK(live.modules.image_modules == std::vector<std::string>{"loop", "squashfs", "erofs"});
  const std::string live_text = format_plan(live);
  CHECK(live_text.find("mount 10.0.2.2:/images/channels on /run/nfsroot-init/image") != std::string::npos);
  CHECK(live_text.find("names the version (root=live:)") != std::string::npos);

  const BootPlan directory_mode = plan_boot(parse_boot_config("ip=dhcp root=/dev/nfs nfsroot=10.0.2.2:/srv/root"));
  CHECK(directory_mode.root.image.empty());
  CHECK(directory_mode.modules.image_modules.empty());

  const BootPlan bad = plan_boot(parse_boot_config("ip=dhcp root=/dev/nfs nfsroot=10.0.2.2:/srv nfsroot-init.image=../x"));
  REQUIRE(bad.errors.size() == 1);
  CHECK(bad.errors.front().operation == "nfsroot-init.image=");
}

// --- copy to RAM (nfsroot-init.toram)

namespace {

constexpr const char* kDigest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

std::string meminfo(std::uint64_t total_mib, std::uint64_t available_mib) {
  return cat("MemTotal:       ", total_mib * 1024, " kB\nMemFree:        1000 kB\nMemAvailable:   ",
             available_mib * 1024, " kB\nBuffers:        0 kB\n");
}

// A channel "c" whose current is v1.squashfs of SIZE bytes, with its .sha256 unless told not.
FakeSystem toram_channel(std::uint64_t size, bool with_checksum = true) {
  FakeSystem system;
  system.initramfs["/run/nfsroot-init/image/c"] = directory();
  system.files["/run/nfsroot-init/image/c/current"] = "v1.squashfs\n";
  system.initramfs["/run/nfsroot-init/image/c/v1.squashfs"] = regular(size);
  system.files["/run/nfsroot-init/image/c/v1.squashfs"] = squashfs_head();
  system.copied_bytes["/run/nfsroot-init/image/c/v1.squashfs"] = size;
  system.digests["/run/nfsroot-init/image/c/v1.squashfs"] = kDigest;
  if (with_checksum) system.files["/run/nfsroot-init/image/c/v1.squashfs.sha256"] = cat(kDigest, "  v1.squashfs\n");
  system.files["/proc/meminfo"] = meminfo(1024, 900);
  return system;
}

}  // namespace

TEST_CASE("image checksum: sha256sum's line for this version, or the digits alone", "[image]") {
  const std::string upper = "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08";
  CHECK(parse_image_checksum(cat(kDigest, "  v1.squashfs\n"), "v1.squashfs", "f") == kDigest);
  CHECK(parse_image_checksum(cat(kDigest, " *v1.squashfs"), "v1.squashfs", "f") == kDigest);
  CHECK(parse_image_checksum(cat(kDigest, "\r\n"), "v1.squashfs", "f") == kDigest);
  CHECK(parse_image_checksum(upper + "  v1.squashfs", "v1.squashfs", "f") == kDigest);
  const auto other = parse_image_checksum(cat(kDigest, "  v2.squashfs\n"), "v1.squashfs", "c/v1.squashfs.sha256");
  REQUIRE_FALSE(other);
  CHECK(describe(other.error()) == "c/v1.squashfs.sha256 v2.squashfs: is the checksum of another file, not v1.squashfs; "
                                   "write it again with sha256sum (nfsroot-image build does), or remove it to copy "
                                   "unchecked");
  for (const std::string& bad : {std::string(), std::string("\n"), std::string(kDigest).substr(1),
                                std::string(kDigest) + "0", "g" + std::string(kDigest).substr(1),
                                std::string("\x1b[2J")}) {
    INFO(bad);
    const auto parsed = parse_image_checksum(bad, "v1.squashfs", "f");
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().problem == "does not start with a SHA-256 (64 hex digits)");
    CHECK(describe(parsed.error()).find('\x1b') == std::string::npos);
  }
}

TEST_CASE("copy to RAM: the image must fit in MemAvailable and leave an eighth of RAM, 64 MiB at least", "[image]") {
  constexpr std::uint64_t kMiB = 1024 * 1024;
  const auto fits = check_ram_for_copy(300 * kMiB, meminfo(1024, 900), "img");
  REQUIRE(fits);
  CHECK(fits->available == 900 * kMiB);
  CHECK(fits->total == 1024 * kMiB);
  CHECK(fits->reserve == 128 * kMiB);
  CHECK(check_ram_for_copy(772 * kMiB, meminfo(1024, 900), "img"));       // 128 MiB left: just fits
  CHECK_FALSE(check_ram_for_copy(773 * kMiB, meminfo(1024, 900), "img"));  // one MiB over
  CHECK(check_ram_for_copy(60 * kMiB, meminfo(256, 124), "img"));          // 64 MiB floor
  CHECK_FALSE(check_ram_for_copy(61 * kMiB, meminfo(256, 124), "img"));
  const auto large = check_ram_for_copy(2048 * kMiB, meminfo(512, 400), "/run/nfsroot-init/image/big.squashfs");
  REQUIRE_FALSE(large);
  CHECK(describe(large.error()) ==
        "copy to RAM of /run/nfsroot-init/image/big.squashfs: its 2048 MiB do not fit: 400 MiB of 512 MiB RAM "
        "available, of which 64 MiB must stay free for the root system; give the client more RAM, make the image "
        "smaller, or leave copy to RAM off");
  CHECK_FALSE(check_ram_for_copy(1, "MemTotal: 1 kB\n", "img"));  // no MemAvailable (Linux < 3.14)
  CHECK_FALSE(check_ram_for_copy(1, "MemTotal: 1024\nMemAvailable: 1024\n", "img"));  // no unit
  CHECK(ram_copy_tmpfs_bytes(0) == kMiB);
  CHECK(ram_copy_tmpfs_bytes(1) == 2 * kMiB);
  CHECK(ram_copy_tmpfs_bytes(300 * kMiB) == 301 * kMiB);
  CHECK(whole_mib(0) == 0);
  CHECK(whole_mib(1) == 1);
  CHECK(whole_mib(kMiB) == 1);
  CHECK(whole_mib(kMiB + 1) == 2);
}

TEST_CASE("copy to RAM: tmpfs sized to the image, a checked copy, the loop on the copy, the export unmounted",
          "[image]") {
  FakeSystem system = toram_channel(8 << 20);
  Lines reports;
  RamCopy copy;
  copy.report = [&](std::string_view line) { reports.emplace_back(line); };
  const auto root = mount_image_root(system, kExport, "c", "/root", &copy);
  REQUIRE(root);
  CHECK(root->copy == "/run/nfsroot-init/ram/v1.squashfs");
  CHECK(root->checksum_checked);
  CHECK(root->export_unmounted);
  CHECK(system.trace == Lines{"head(/run/nfsroot-init/image/c/current)",
                              "head(/run/nfsroot-init/image/c/v1.squashfs)",
                              "read(/proc/meminfo)",
                              "head(/run/nfsroot-init/image/c/v1.squashfs.sha256)",
                              "mkdir(/run/nfsroot-init/ram,0700)",
                              "mount(nfsroot-ram,/run/nfsroot-init/ram,tmpfs,nosuid|nodev|noexec,size=9437184,mode=0700)",
                              "copy(/run/nfsroot-init/image/c/v1.squashfs,/run/nfsroot-init/ram/v1.squashfs,sha256)",
                              "mount_loop(/run/nfsroot-init/ram/v1.squashfs,/root,squashfs,ro)",
                              "umount(/run/nfsroot-init/image)"});
  CHECK(reports == Lines{"root: copying v1.squashfs to RAM: 8 of 8 MiB (100%)"});
}

TEST_CASE("copy to RAM: without a .sha256 the copy is unchecked, with a notice", "[image]") {
  FakeSystem system = toram_channel(4096, false);
  Lines reports;
  RamCopy copy;
  copy.report = [&](std::string_view line) { reports.emplace_back(line); };
  const auto root = mount_image_root(system, kExport, "c", "/root", &copy);
  REQUIRE(root);
  CHECK_FALSE(root->checksum_checked);
  CHECK(system.trace.at(6) == "copy(/run/nfsroot-init/image/c/v1.squashfs,/run/nfsroot-init/ram/v1.squashfs)");
  CHECK(reports.at(0) == "root: no /run/nfsroot-init/image/c/v1.squashfs.sha256: the copy is not checked "
                         "(nfsroot-image build writes it)");
}

TEST_CASE("copy to RAM: each fault names the file and the fix, frees the tmpfs, and mounts nothing", "[image]") {
  RamCopy copy;
  SECTION("checksum mismatch") {
    FakeSystem system = toram_channel(4096);
    system.digests["/run/nfsroot-init/image/c/v1.squashfs"] = std::string(64, 'e');
    const auto root = mount_image_root(system, kExport, "c", "/root", &copy);
    REQUIRE_FALSE(root);
    CHECK(describe(root.error()) ==
          "nfsroot-init.toram: copy to RAM of /run/nfsroot-init/image/c/v1.squashfs: its SHA-256 is " +
              std::string(64, 'e') + ", but v1.squashfs.sha256 says " + kDigest +
              "; the file was damaged on the server's disk or in transit: check it there (nfsroot-image list), "
              "rebuild it or roll back (nfsroot-image rollback)");
    CHECK(system.trace.back() == "umount(/run/nfsroot-init/ram)");
  }
  SECTION("a short read") {
    FakeSystem system = toram_channel(4096);
    system.copied_bytes["/run/nfsroot-init/image/c/v1.squashfs"] = 1000;
    const auto root = mount_image_root(system, kExport, "c", "/root", &copy);
    REQUIRE_FALSE(root);
    CHECK(root.error().problem == "read 1000 bytes, but the file had 4096");
    CHECK(system.trace.back() == "umount(/run/nfsroot-init/ram)");
  }
  SECTION("the copy fails (the server stalls)") {
    FakeSystem system = toram_channel(4096);
    system.failing_copies["/run/nfsroot-init/image/c/v1.squashfs"] = ETIMEDOUT;
    const auto root = mount_image_root(system, kExport, "c", "/root", &copy);
    REQUIRE_FALSE(root);
    CHECK(root.error().errno_value == ETIMEDOUT);
    CHECK(system.trace.back() == "umount(/run/nfsroot-init/ram)");
  }
  SECTION("larger than RAM: nothing is mounted or copied") {
    FakeSystem system = toram_channel(std::uint64_t{2} << 30);
    const auto root = mount_image_root(system, kExport, "c", "/root", &copy);
    REQUIRE_FALSE(root);
    CHECK(root.error().problem.starts_with("its 2048 MiB do not fit"));
    CHECK(system.trace.back() == "read(/proc/meminfo)");
  }
  SECTION("a .sha256 that is not one") {
    FakeSystem system = toram_channel(4096);
    system.files["/run/nfsroot-init/image/c/v1.squashfs.sha256"] = "<html>404</html>";
    const auto root = mount_image_root(system, kExport, "c", "/root", &copy);
    REQUIRE_FALSE(root);
    CHECK(root.error().operation == "/run/nfsroot-init/image/c/v1.squashfs.sha256");
    CHECK(system.trace.back() == "head(/run/nfsroot-init/image/c/v1.squashfs.sha256)");
  }
  SECTION("the export cannot be unmounted: a notice, the boot goes on from RAM") {
    FakeSystem system = toram_channel(4096);
    system.failing_unmounts["/run/nfsroot-init/image"] = EBUSY;
    Lines reports;
    copy.report = [&](std::string_view line) { reports.emplace_back(line); };
    const auto root = mount_image_root(system, kExport, "c", "/root", &copy);
    REQUIRE(root);
    CHECK_FALSE(root->export_unmounted);
    CHECK(reports.back().ends_with("; the export stays mounted"));
  }
}

TEST_CASE("copy to RAM in the plan: the crypto API's modules, and explain says where, what is checked, how long",
          "[image]") {
  const BootPlan plan = plan_boot(parse_boot_config(
      "ip=dhcp root=/dev/nfs nfsroot=10.0.2.2:/srv/images nfsroot-init.image=c nfsroot-init.toram "
      "nfsroot-init.mount_timeout=60"));
  REQUIRE(plan.errors.empty());
  CHECK(plan.root.copy_to_ram);
  CHECK(plan.root.ram_dir == "/run/nfsroot-init/ram");
  CHECK(plan.modules.image_modules ==
        std::vector<std::string>{"loop", "squashfs", "erofs", "af_alg", "algif_hash"});
  const std::string text = format_plan(plan);
  CHECK(text.find("copied to RAM first (nfsroot-init.toram): a tmpfs at /run/nfsroot-init/ram") != std::string::npos);
  CHECK(text.find("checked against VERSION.sha256") != std::string::npos);
  CHECK(text.find("60 s fails (nfsroot-init.mount_timeout=, at least 10 s)") != std::string::npos);
  CHECK(text.find("from RAM; the export is unmounted") != std::string::npos);
  CHECK(text.find("the export stays at") == std::string::npos);
  const BootPlan live = plan_boot(parse_boot_config("ip=dhcp root=live:nfs://10.0.2.2/images/a.squashfs rd.live.ram"));
  CHECK(format_plan(live).find("copied to RAM first (rd.live.ram)") != std::string::npos);
}

// --- the export's read-ahead (nfsroot-init.image_readahead=)

TEST_CASE("image read-ahead: the setting of the NFS mount's backing device, named by its st_dev", "[image]") {
  CHECK(read_ahead_setting_path(makedev(0, 53)) == "/sys/class/bdi/0:53/read_ahead_kb");
  CHECK(read_ahead_setting_path(makedev(259, 1048575)) == "/sys/class/bdi/259:1048575/read_ahead_kb");

  FakeSystem system;
  FileStatus export_dir = directory();
  export_dir.device = makedev(0, 53);
  system.initramfs[kExport] = export_dir;
  system.files["/sys/class/bdi/0:53/read_ahead_kb"] = "128\n";
  auto setting = set_export_read_ahead(system, kExport, 4096);
  REQUIRE(setting);
  CHECK(*setting == "/sys/class/bdi/0:53/read_ahead_kb");
  CHECK(system.trace == Lines{"write(/sys/class/bdi/0:53/read_ahead_kb,4096\n)"});

  // A kernel without the device's setting, or one that refuses the value: the error names it.
  system.files.erase("/sys/class/bdi/0:53/read_ahead_kb");
  auto missing = set_export_read_ahead(system, kExport, 4096);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().input == "/sys/class/bdi/0:53/read_ahead_kb");
  system.files["/sys/class/bdi/0:53/read_ahead_kb"] = "128\n";
  system.failing_writes["/sys/class/bdi/0:53/read_ahead_kb"] = EINVAL;
  auto refused = set_export_read_ahead(system, kExport, 4096);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().errno_value == EINVAL);
  CHECK_FALSE(set_export_read_ahead(system, "/run/nfsroot-init/none", 4096));
}

TEST_CASE("image read-ahead in the plan: by the block size unless told, 0 for the kernel's, explain's line",
          "[image]") {
  const std::string line = "ip=dhcp root=/dev/nfs nfsroot=10.0.2.2:/srv/images nfsroot-init.image=c";
  const BootPlan plan = plan_boot(parse_boot_config(line));
  CHECK_FALSE(plan.root.image_read_ahead_kib);
  CHECK(format_plan(plan).find("read ahead by the image's squashfs block size when above the kernel's 128 KiB (the "
                               "export's read_ahead_kb, nfsroot-init.image_readahead=)") != std::string::npos);
  const BootPlan set = plan_boot(parse_boot_config(line + " nfsroot-init.image_readahead=8192"));
  CHECK(set.root.image_read_ahead_kib == 8192u);
  CHECK(format_plan(set).find("read ahead 8192 KiB at a time") != std::string::npos);
  const BootPlan kernels = plan_boot(parse_boot_config(line + " nfsroot-init.image_readahead=0"));
  CHECK(kernels.root.image_read_ahead_kib == 0u);
  CHECK(format_plan(kernels).find("read ahead") == std::string::npos);
}

namespace {

// A squashfs superblock's first 24 bytes with this block size and block_log.
std::string squashfs_with_block(std::uint32_t size, std::uint16_t log) {
  std::string head = "hsqs" + std::string(20, '\0');
  for (int i = 0; i < 4; ++i) head[12 + i] = static_cast<char>((size >> (8 * i)) & 0xff);
  head[22] = static_cast<char>(log & 0xff);
  head[23] = static_cast<char>(log >> 8);
  return head + std::string(1100, '\0');
}

}  // namespace

TEST_CASE("image read-ahead: a squashfs block size from the superblock, and the window it asks for", "[image]") {
  CHECK(squashfs_block_size(squashfs_with_block(1 << 20, 20)) == (1u << 20));
  CHECK(squashfs_block_size(squashfs_with_block(4096, 12)) == 4096u);
  CHECK_FALSE(squashfs_block_size(squashfs_with_block(1 << 20, 19)));   // the two disagree
  CHECK_FALSE(squashfs_block_size(squashfs_with_block(2 << 20, 21)));   // above squashfs' 1 MiB
  CHECK_FALSE(squashfs_block_size(squashfs_with_block(2048, 11)));      // below its 4 KiB
  CHECK_FALSE(squashfs_block_size(squashfs_with_block(3000, 12)));
  CHECK_FALSE(squashfs_block_size("hsqs"));                             // cut short
  CHECK_FALSE(squashfs_block_size(erofs_head()));

  const std::string mib_blocks = squashfs_with_block(1 << 20, 20);
  CHECK(image_read_ahead_kib(std::nullopt, ImageFormat::Squashfs, mib_blocks) == 1024);
  CHECK(image_read_ahead_kib(std::nullopt, ImageFormat::Squashfs, squashfs_with_block(128 << 10, 17)) == 0);
  CHECK(image_read_ahead_kib(std::nullopt, ImageFormat::Squashfs, squashfs_with_block(256 << 10, 18)) == 256);
  CHECK(image_read_ahead_kib(std::nullopt, ImageFormat::Squashfs, squashfs_head()) == 0);  // no block size
  CHECK(image_read_ahead_kib(std::nullopt, ImageFormat::Erofs, erofs_head()) == 0);
  CHECK(image_read_ahead_kib(4096, ImageFormat::Squashfs, mib_blocks) == 4096);
  CHECK(image_read_ahead_kib(0, ImageFormat::Squashfs, mib_blocks) == 0);
  CHECK(image_read_ahead_kib(512, ImageFormat::Erofs, erofs_head()) == 512);
}

TEST_CASE("image read-ahead: set on the export after the magic, before the loop reads; a refusal is no failure",
          "[image]") {
  // toram_channel's channel "c", its image HEAD, on an export whose device is 0:53.
  auto channel = [](const std::string& head) {
    FakeSystem system = toram_channel(1 << 30);
    FileStatus export_dir = directory();
    export_dir.device = makedev(0, 53);
    system.initramfs[kExport] = export_dir;
    system.files["/run/nfsroot-init/image/c/v1.squashfs"] = head;
    system.files["/sys/class/bdi/0:53/read_ahead_kb"] = "128\n";
    return system;
  };
  FakeSystem system = channel(squashfs_with_block(1 << 20, 20));
  auto root = mount_image_root(system, kExport, "c", "/root");
  REQUIRE(root);
  CHECK(root->read_ahead_kib == 1024);
  CHECK(root->read_ahead_setting == "/sys/class/bdi/0:53/read_ahead_kb");
  CHECK_FALSE(root->read_ahead_error);
  CHECK(system.trace == Lines{"head(/run/nfsroot-init/image/c/current)", "head(/run/nfsroot-init/image/c/v1.squashfs)",
                              "write(/sys/class/bdi/0:53/read_ahead_kb,1024\n)",
                              "mount_loop(/run/nfsroot-init/image/c/v1.squashfs,/root,squashfs,ro)"});

  system = channel(squashfs_with_block(1 << 20, 20));
  root = mount_image_root(system, kExport, "c", "/root", nullptr, 0);  // nfsroot-init.image_readahead=0
  REQUIRE(root);
  CHECK(root->read_ahead_kib == 0);
  CHECK(system.files["/sys/class/bdi/0:53/read_ahead_kb"] == "128\n");

  system = channel(squashfs_with_block(128 << 10, 17));  // nfsroot-image build's default blocks
  REQUIRE(mount_image_root(system, kExport, "c", "/root"));
  CHECK(system.files["/sys/class/bdi/0:53/read_ahead_kb"] == "128\n");

  system = channel(squashfs_with_block(128 << 10, 17));
  REQUIRE(mount_image_root(system, kExport, "c", "/root", nullptr, 4096));
  CHECK(system.files["/sys/class/bdi/0:53/read_ahead_kb"] == "4096\n");

  system = channel(squashfs_with_block(1 << 20, 20));
  system.failing_writes["/sys/class/bdi/0:53/read_ahead_kb"] = EINVAL;
  root = mount_image_root(system, kExport, "c", "/root");
  REQUIRE(root);  // mounted all the same
  CHECK(root->read_ahead_kib == 0);
  REQUIRE(root->read_ahead_error);
  CHECK(root->read_ahead_error->errno_value == EINVAL);
  CHECK(root->device == "/dev/loop0");
}
