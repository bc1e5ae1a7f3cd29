// LinuxSystem for real where no root is needed: reading a file of the image inside its root, on
// a tree in a temporary directory (symlinks, a FIFO, a device link, a file too large).
#include "sys/system.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <filesystem>
#include <fstream>

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
