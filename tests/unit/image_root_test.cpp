// Image mode: the format by magic, a channel's current, the image= path (tables), and the
// image root's system calls through the FakeSystem (channel -> version -> loop mount).
#include "rootmount/image_root.h"

#include <catch2/catch.hpp>
#include <cerrno>
#include <string>

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
