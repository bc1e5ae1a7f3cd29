// LinuxSystem for real where no root is needed: reading a file of the image inside its root, on
// a tree in a temporary directory (symlinks, a FIFO, a device link, a file too large). As root,
// the mount in a child process with a deadline, in a mount namespace of this test's own.
#include "sys/system.h"

#include <linux/magic.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <filesystem>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using namespace nfsroot;
namespace fs = std::filesystem;

namespace {

class TemporaryImage {
 public:
  TemporaryImage() {
    char name[] = "/tmp/linux_system_test.XXXXXX";
    REQUIRE(::mkdtemp(name) != nullptr);
    root = name;
    fs::create_directories(root / "etc/nfsroot-init");
  }
  ~TemporaryImage() { fs::remove_all(root); }
  void write(const std::string& path, const std::string& text) const { std::ofstream(root / path) << text; }
  fs::path root;
};

const std::string kList = "/etc/nfsroot-init/overlays";

}  // namespace

TEST_CASE("file in root: a plain file is read; none is nullopt, not an error", "[linux_system]") {
  TemporaryImage image;
  LinuxSystem system;
  auto absent = system.read_file_in_root(image.root, kList, 65536);
  REQUIRE(absent);
  CHECK_FALSE(*absent);
  image.write("etc/nfsroot-init/overlays", "/srv tmpfs size=1M\n");
  auto text = system.read_file_in_root(image.root, kList, 65536);
  REQUIRE(text);
  REQUIRE(*text);
  CHECK(**text == "/srv tmpfs size=1M\n");
}

TEST_CASE("file in root: an absolute or climbing symlink is followed inside the image, never outside",
          "[linux_system]") {
  TemporaryImage image;
  LinuxSystem system;
  // Outside the image this names the host's /etc/passwd; inside it, the image's own (absent).
  fs::create_symlink("/etc/passwd", image.root / "etc/nfsroot-init/overlays");
  auto absolute = system.read_file_in_root(image.root, kList, 65536);
  REQUIRE(absolute);
  CHECK_FALSE(*absolute);
  image.write("etc/passwd", "/var none\n");
  absolute = system.read_file_in_root(image.root, kList, 65536);
  REQUIRE(absolute);
  REQUIRE(*absolute);
  CHECK(**absolute == "/var none\n");
  fs::remove(image.root / "etc/nfsroot-init/overlays");
  fs::create_symlink("../../../../../../../../etc/passwd", image.root / "etc/nfsroot-init/overlays");
  auto climbing = system.read_file_in_root(image.root, kList, 65536);
  REQUIRE(climbing);
  REQUIRE(*climbing);
  CHECK(**climbing == "/var none\n");
}

TEST_CASE("file in root: a FIFO fails at once instead of blocking; a device is refused", "[linux_system]") {
  TemporaryImage image;
  LinuxSystem system;
  REQUIRE(::mkfifo((image.root / "etc/nfsroot-init/overlays").c_str(), 0644) == 0);
  auto fifo = system.read_file_in_root(image.root, kList, 65536);
  REQUIRE_FALSE(fifo);
  CHECK(describe(fifo.error()).find("not a regular file") != std::string::npos);
  fs::remove(image.root / "etc/nfsroot-init/overlays");
  // A link to the host's /dev/zero would read until memory ran out: inside the image it names
  // the image's /dev/zero, absent here, and a magic link through /proc is refused.
  fs::create_symlink("/dev/zero", image.root / "etc/nfsroot-init/overlays");
  auto device_link = system.read_file_in_root(image.root, kList, 65536);
  REQUIRE(device_link);
  CHECK_FALSE(*device_link);
  fs::remove(image.root / "etc/nfsroot-init/overlays");
  fs::create_symlink("/proc/self/root/dev/zero", image.root / "etc/nfsroot-init/overlays");
  fs::create_directories(image.root / "proc");
  fs::create_symlink("/proc/self", image.root / "proc/self");  // still not the host's /proc
  auto magic = system.read_file_in_root(image.root, kList, 65536);
  CHECK((!magic || !*magic));
  // The image's own device node (root only: mknod) is not a regular file.
  if (::geteuid() == 0) {
    fs::remove(image.root / "etc/nfsroot-init/overlays");
    REQUIRE(::mknod((image.root / "etc/nfsroot-init/overlays").c_str(), S_IFCHR | 0644, ::makedev(1, 5)) == 0);
    auto device = system.read_file_in_root(image.root, kList, 65536);
    REQUIRE_FALSE(device);
    CHECK(describe(device.error()).find("not a regular file") != std::string::npos);
  }
}

TEST_CASE("file in root: more than the limit is an error naming the file", "[linux_system]") {
  TemporaryImage image;
  LinuxSystem system;
  image.write("etc/nfsroot-init/overlays", std::string(70000, '#'));
  auto big = system.read_file_in_root(image.root, kList, 65536);
  REQUIRE_FALSE(big);
  CHECK(describe(big.error()).find("overlays") != std::string::npos);
  CHECK(describe(big.error()).find("larger than 65536 bytes") != std::string::npos);
}

TEST_CASE("delete walk calls: lstat never follows a link, names come sorted without . and .., remove by kind",
          "[linux_system]") {
  TemporaryImage image;
  LinuxSystem system;
  image.write("b-file", "12345");
  fs::create_directory(image.root / "a-dir");
  fs::create_symlink("a-dir", image.root / "c-link");
  fs::create_hard_link(image.root / "b-file", image.root / "d-hardlink");

  const auto names = system.directory_names(image.root.string());
  REQUIRE(names);
  CHECK(*names == std::vector<std::string>{"a-dir", "b-file", "c-link", "d-hardlink", "etc"});

  const auto link = system.file_status((image.root / "c-link").string());
  REQUIRE(link);
  CHECK_FALSE(link->directory);  // a symlink to a directory is not one
  const auto file = system.file_status((image.root / "b-file").string());
  REQUIRE(file);
  CHECK(file->size == 5);
  CHECK(file->links == 2);
  const auto top = system.file_status(image.root.string());
  REQUIRE(top);
  CHECK(top->directory);
  CHECK(file->device == top->device);

  CHECK(system.remove((image.root / "c-link").string(), RemoveKind::File));
  CHECK(fs::exists(image.root / "a-dir"));  // the link went, not what it points to
  const auto not_empty = system.remove(image.root.string(), RemoveKind::Directory);
  REQUIRE_FALSE(not_empty);
  CHECK(not_empty.error().errno_value == ENOTEMPTY);
  CHECK(system.remove((image.root / "a-dir").string(), RemoveKind::Directory));
  CHECK_FALSE(system.file_status((image.root / "a-dir").string()));
  CHECK_FALSE(system.directory_names((image.root / "missing").string()));
}

TEST_CASE("module load: a file that is not there fails at the open, named, before any finit_module",
          "[linux_system]") {
  // finit_module(2) itself needs root and a module built for this kernel: not called here.
  TemporaryImage image;
  LinuxSystem system;
  const std::string missing = (image.root / "missing.ko").string();
  const auto absent = system.load_module(missing);
  REQUIRE_FALSE(absent);
  CHECK(absent.error().operation == "open");
  CHECK(absent.error().errno_value == ENOENT);
  CHECK(describe(absent.error()) == "open " + missing + ": No such file or directory (errno 2)");
  image.write("plain", "not a folder");
  const auto through_file = system.load_module((image.root / "plain/net.ko.zst").string());
  REQUIRE_FALSE(through_file);
  CHECK(through_file.error().operation == "open");
  CHECK(through_file.error().errno_value == ENOTDIR);
}

namespace {

// This test process's own mount namespace, private, so nothing it mounts is seen outside.
bool own_mount_namespace() {
  if (::geteuid() != 0 || ::unshare(CLONE_NEWNS) != 0) return false;
  return ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0;
}

}  // namespace

TEST_CASE("mount until a deadline: the child's mount is the caller's, its errno comes back", "[linux_system]") {
  if (!own_mount_namespace()) {
    WARN("needs root and unshare(CLONE_NEWNS): not run");
    return;
  }
  TemporaryImage image;
  LinuxSystem system;
  const std::string target = image.root.string();
  const auto later = System::Clock::now() + std::chrono::seconds(30);

  const auto mounted = system.mount_until("tmpfs", target, "tmpfs", MS_NOSUID, "size=1m", later);
  REQUIRE(mounted);
  const auto type = system.filesystem_type(target);
  REQUIRE(type);
  CHECK(*type == TMPFS_MAGIC);  // mounted by the child, in the namespace the caller shares
  CHECK(::umount(target.c_str()) == 0);

  const auto missing = system.mount_until("tmpfs", target + "/missing", "tmpfs", 0, "", later);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().errno_value == ENOENT);
  CHECK(missing.error().operation == "mount tmpfs");

  const auto bad_option = system.mount_until("tmpfs", target, "tmpfs", 0, "no_such_option=1", later);
  REQUIRE_FALSE(bad_option);
  CHECK(bad_option.error().errno_value == EINVAL);
}

TEST_CASE("mount until a deadline already past: either mounted or stopped with nothing mounted", "[linux_system]") {
  if (!own_mount_namespace()) {
    WARN("needs root and unshare(CLONE_NEWNS): not run");
    return;
  }
  TemporaryImage image;
  LinuxSystem system;
  const std::string target = image.root.string();
  // The child is killed at once; a tmpfs mount may still win the race. Whichever happened, the
  // result says it: success means it is mounted (the target's device changed), ETIMEDOUT means
  // it is not.
  const auto before = system.file_status(target);
  REQUIRE(before);
  for (int round = 0; round < 20; ++round) {
    const auto result = system.mount_until("tmpfs", target, "tmpfs", 0, "size=1m", System::Clock::now());
    const auto after = system.file_status(target);
    REQUIRE(after);
    if (result) {
      CHECK(after->device != before->device);
      CHECK(::umount(target.c_str()) == 0);
    } else {
      CHECK(result.error().errno_value == ETIMEDOUT);
      CHECK(after->device == before->device);
    }
  }
}

TEST_CASE("copy_file: every byte to a new file, progress on the way, the kernel's SHA-256 when asked",
          "[linux_system]") {
  TemporaryImage image;
  LinuxSystem system;
  std::string text;
  for (int i = 0; text.size() < (9u << 20) + 123; ++i) text += std::to_string(i) + ' ';
  image.write("image", text);
  std::vector<std::uint64_t> progress;
  CopyFileOptions options;
  options.progress = [&](std::uint64_t bytes) { progress.push_back(bytes); };
  const auto copied = system.copy_file(image.root / "image", image.root / "copy", options);
  REQUIRE(copied);
  CHECK(copied->bytes == text.size());
  CHECK(copied->sha256.empty());
  std::ifstream in(image.root / "copy");
  CHECK(std::string(std::istreambuf_iterator<char>(in), {}) == text);
  CHECK(progress == std::vector<std::uint64_t>{4u << 20, 8u << 20, text.size()});  // every 4 MiB, and the end
  CHECK((fs::status(image.root / "copy").permissions() & fs::perms::all) ==
        (fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read));

  // Never over an existing file, never through a symlink, never a FIFO (which would block).
  const auto again = system.copy_file(image.root / "image", image.root / "copy", {});
  REQUIRE_FALSE(again);
  CHECK(again.error().errno_value == EEXIST);
  fs::create_symlink(image.root / "image", image.root / "link");
  const auto link = system.copy_file(image.root / "link", image.root / "copy2", {});
  REQUIRE_FALSE(link);
  CHECK(link.error().errno_value == ELOOP);
  REQUIRE(::mkfifo((image.root / "fifo").c_str(), 0600) == 0);
  const auto fifo = system.copy_file(image.root / "fifo", image.root / "copy3", {});
  REQUIRE_FALSE(fifo);
  CHECK(fifo.error().problem == "not a regular file");

  // SHA-256 of "abc" (FIPS 180-2, appendix B.1) where the kernel offers AF_ALG; where it does
  // not (this machine's kernel may lack CONFIG_CRYPTO_USER_API_HASH), the error names the module.
  image.write("abc", "abc");
  options.sha256 = true;
  const auto hashed = system.copy_file(image.root / "abc", image.root / "abc.copy", options);
  if (hashed) {
    CHECK(hashed->sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  } else {
    CHECK(hashed.error().operation.find("AF_ALG") != std::string::npos);
    CHECK((hashed.error().hint.find("af_alg") != std::string::npos ||
           hashed.error().hint.find("algif_hash") != std::string::npos));
    CHECK_FALSE(fs::exists(image.root / "abc.copy"));  // nothing made before the hash was ready
  }
}

TEST_CASE("write_existing_file: replaces what a setting holds; never creates a file, never through a symlink",
          "[linux_system]") {
  TemporaryImage image;
  LinuxSystem system;
  image.write("read_ahead_kb", "128\n");
  REQUIRE(system.write_existing_file((image.root / "read_ahead_kb").string(), "4096\n"));
  CHECK(system.read_file((image.root / "read_ahead_kb").string()).value_or("") == "4096\n");

  const auto missing = system.write_existing_file((image.root / "none").string(), "1\n");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().errno_value == ENOENT);
  CHECK_FALSE(fs::exists(image.root / "none"));

  fs::create_symlink("read_ahead_kb", image.root / "link");
  const auto through_link = system.write_existing_file((image.root / "link").string(), "1\n");
  REQUIRE_FALSE(through_link);
  CHECK(through_link.error().errno_value == ELOOP);
  CHECK(system.read_file((image.root / "read_ahead_kb").string()).value_or("") == "4096\n");
}

TEST_CASE("kernel_release: uname's release, as /proc/sys/kernel/osrelease says it", "[linux_system]") {
  LinuxSystem system;
  const auto release = system.kernel_release();
  REQUIRE(release);
  CHECK_FALSE(release->empty());
  const auto proc = system.read_file("/proc/sys/kernel/osrelease");
  if (proc) CHECK(*release + "\n" == *proc);
}
