// The unit tests' one fake of the syscall layer (sys/system.h): an image of directories and
// symlinks resolved as RESOLVE_IN_ROOT does, files of the initramfs (with /proc and /sys, and the
// module files finit_module is given), scripted failures, a clock that only wait_until() moves,
// and a trace of every effect in call order.
#pragma once

#include <sys/mount.h>

#include <catch2/catch.hpp>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/text.h"
#include "sys/system.h"

namespace nfsroot::testing {

using Lines = std::vector<std::string>;

inline std::string octal(std::uint32_t mode) {
  std::string text;
  for (int shift = 9; shift >= 0; shift -= 3) text += static_cast<char>('0' + ((mode >> shift) & 7));
  return text;
}

inline std::string flag_names(unsigned long flags) {
  std::vector<std::string> names;
  for (const auto& [flag, name] : std::vector<std::pair<unsigned long, std::string>>{
           {MS_RDONLY, "ro"}, {MS_NOSUID, "nosuid"}, {MS_NODEV, "nodev"}, {MS_NOEXEC, "noexec"},
           {MS_MOVE, "move"}, {MS_REC, "rec"}, {MS_PRIVATE, "private"}}) {
    if (flags & flag) names.push_back(name);
  }
  return names.empty() ? "0" : join(names, "|");
}

// An image of directories and symlinks, resolved the way RESOLVE_IN_ROOT does: ".." stops at the
// root, absolute links start from it. Effects are recorded, nothing is touched.
class FakeSystem final : public System {
 public:
  struct Directory {
    DirectoryAttributes attributes;
    std::uint64_t inode = 0;
  };

  explicit FakeSystem(std::string root = "/root") : root_(std::move(root)) {
    add_directory("/");
    files["/proc/meminfo"] = "MemTotal:        2097152 kB\n";  // 2 GiB
    files["/proc/filesystems"] = "nodev\ttmpfs\nnodev\toverlay\n";
  }

  void add_directory(const std::string& path, DirectoryAttributes attributes = {}) {
    directories[path] = {attributes, directories.size() + 100};
  }

  std::map<std::string, Directory> directories;  // in the image: "/", "/var", …
  std::map<std::string, std::string> symlinks;   // in the image: "/var" -> "/aufs/var/mount"
  std::map<std::string, std::string> files;      // in the initramfs
  std::map<std::string, int> failing_mounts;     // target -> errno
  // target -> the errno of each call in turn (0: it works); then failing_mounts, else success
  std::map<std::string, std::vector<int>> mount_errors_in_turn;
  std::map<std::string, int> failing_mkdirs;     // path -> errno
  Lines trace;

  Result<void> make_directories(const std::string& path, std::uint32_t mode) override {
    trace.push_back("mkdir(" + path + "," + octal(mode) + ")");
    if (failing_mkdirs.contains(path)) return std::unexpected(error_from_errno("mkdir", path, failing_mkdirs[path]));
    return {};
  }

  Result<void> mount(const std::string& source, const std::string& target, const std::string& type,
                     unsigned long flags, const std::string& data) override {
    trace.push_back("mount(" + source + "," + target + "," + type + "," + flag_names(flags) + "," + data + ")");
    if (auto turn = mount_errors_in_turn.find(target); turn != mount_errors_in_turn.end() && !turn->second.empty()) {
      const int error = turn->second.front();
      turn->second.erase(turn->second.begin());
      if (error != 0) return std::unexpected(error_from_errno("mount " + type, target, error));
      return {};
    }
    if (failing_mounts.contains(target)) {
      return std::unexpected(error_from_errno("mount " + type, target, failing_mounts[target]));
    }
    return {};
  }

  // target -> how long each mount_until() call takes before the kernel would answer; a call whose
  // answer comes past its deadline is stopped there: "stopped(after Ns)" and ETIMEDOUT.
  std::map<std::string, std::chrono::seconds> slow_mounts;
  std::vector<Clock::time_point> mount_deadlines;  // of each mount_until() call, in order

  Result<void> mount_until(const std::string& source, const std::string& target, const std::string& type,
                           unsigned long flags, const std::string& data, Clock::time_point deadline) override {
    mount_deadlines.push_back(deadline);
    if (auto slow = slow_mounts.find(target); slow != slow_mounts.end()) {
      if (clock + slow->second > deadline) {
        trace.push_back("mount(" + source + "," + target + "," + type + "," + flag_names(flags) + "," + data + ")");
        trace.push_back("stopped(after " + format_seconds(std::chrono::duration<double>(deadline - clock).count()) +
                        ")");
        clock = std::max(clock, deadline);
        return std::unexpected(error_from_errno("mount " + type, target, ETIMEDOUT));
      }
      clock += slow->second;
    }
    return mount(source, target, type, flags, data);
  }

  Result<ResolvedDirectory> open_directory_in_root(const std::string& root, const std::string& path) override {
    CHECK(root == root_);
    int error = 0;
    const auto resolved = resolve(path, true, error);
    if (!resolved) return std::unexpected(error_from_errno("openat2", path + " in " + root, error));
    if (!directories.contains(*resolved)) {
      return std::unexpected(error_from_errno("openat2", path + " in " + root, ENOTDIR));
    }
    return ResolvedDirectory{UniqueFd(), root_ + (*resolved == "/" ? "" : *resolved)};
  }

  Result<std::optional<std::string>> read_link_in_root(const std::string& root, const std::string& path) override {
    CHECK(root == root_);
    int error = 0;
    const auto resolved = resolve(path, false, error);
    if (!resolved) return std::unexpected(error_from_errno("openat2", path, error));
    if (!symlinks.contains(*resolved)) return std::optional<std::string>{};
    return std::optional<std::string>(symlinks[*resolved]);
  }

  std::map<std::string, std::string> image_files;  // in the image: "/etc/nfsroot-init/overlays" -> text

  Result<std::optional<std::string>> read_file_in_root(const std::string& root, const std::string& path,
                                                       std::size_t max_bytes) override {
    trace.push_back("read(" + path + " in " + root + ")");
    int error = 0;
    const auto resolved = resolve(path, true, error);
    if (!resolved) {
      if (error == ENOENT) return std::optional<std::string>{};
      return std::unexpected(error_from_errno("openat2", path + " in " + root, error));
    }
    if (!image_files.contains(*resolved)) return std::optional<std::string>{};
    if (image_files[*resolved].size() > max_bytes) {
      return std::unexpected(error_with_problem(root + path, "", "larger than " + std::to_string(max_bytes) + " bytes"));
    }
    return std::optional<std::string>(image_files[*resolved]);
  }

  Result<DirectoryStatus> stat_directory(const ResolvedDirectory& directory) override {
    trace.push_back("stat(" + directory.path + ")");
    std::string path = directory.path.substr(root_.size());
    if (path.empty()) path = "/";
    const auto& found = directories.at(path);
    return DirectoryStatus{found.attributes, 1, found.inode};
  }

  Result<void> set_directory_attributes(const std::string& path, const DirectoryAttributes& attributes) override {
    trace.push_back("chown+chmod(" + path + "," + std::to_string(attributes.uid) + ":" +
                    std::to_string(attributes.gid) + "," + octal(attributes.mode) + ")");
    return {};
  }

  Result<std::string> read_file(const std::string& path) override {
    trace.push_back("read(" + path + ")");
    if (!files.contains(path)) return std::unexpected(error_from_errno("open", path, ENOENT));
    return files[path];
  }

  Result<std::string> read_file_head(const std::string& path, std::size_t max_bytes) override {
    trace.push_back("head(" + path + ")");
    if (!files.contains(path)) return std::unexpected(error_from_errno("open", path, ENOENT));
    return files[path].substr(0, max_bytes);
  }

  std::string release = "6.1.0-test";  // kernel_release(); empty: uname fails
  Result<std::string> kernel_release() override {
    if (release.empty()) return std::unexpected(error_from_errno("uname", "", EFAULT));
    return release;
  }

  // start_process(): recorded with its arguments; `failing_start` makes fork() fail.
  int failing_start = 0;
  long next_pid = 4242;
  Result<long> start_process(const std::string& path, const std::vector<std::string>& arguments) override {
    std::string call = "start(" + path;
    for (const auto& argument : arguments) call += "," + argument;
    trace.push_back(call + ")");
    if (failing_start != 0) return std::unexpected(error_from_errno("fork", path, failing_start));
    return next_pid;
  }

  // write_existing_file(): the path must be in `files` (sysfs settings exist or do not).
  std::map<std::string, int> failing_writes;  // path -> errno
  Result<void> write_existing_file(const std::string& path, std::string_view text) override {
    trace.push_back("write(" + path + "," + std::string(text) + ")");
    if (!files.contains(path)) return std::unexpected(error_from_errno("open", path, ENOENT));
    if (failing_writes.contains(path)) return std::unexpected(error_from_errno("write", path, failing_writes[path]));
    files[path] = text;
    return {};
  }

  std::map<std::string, int> failing_loop_mounts;  // image -> errno
  Result<std::string> mount_loop(const std::string& image, const std::string& target, const std::string& type,
                                 unsigned long flags) override {
    trace.push_back("mount_loop(" + image + "," + target + "," + type + "," + flag_names(flags) + ")");
    if (failing_loop_mounts.contains(image)) {
      return std::unexpected(error_from_errno("mount " + type + " /dev/loop0", target, failing_loop_mounts[image]));
    }
    return std::string("/dev/loop0");
  }

  // copy_file(): SOURCE's text in `files` goes to TARGET; the digest is the one given here for
  // SOURCE (the kernel's hash is not the fake's to compute); `copied_bytes` makes a short copy.
  std::map<std::string, std::string> digests;
  std::map<std::string, std::uint64_t> copied_bytes;
  std::map<std::string, int> failing_copies;  // source -> errno
  std::map<std::string, int> failing_unmounts;  // target -> errno
  Result<CopiedFile> copy_file(const std::string& source, const std::string& target,
                               const CopyFileOptions& options) override {
    trace.push_back("copy(" + source + "," + target + (options.sha256 ? ",sha256" : "") +
                    (options.mode != 0444 ? "," + octal(options.mode) : std::string()) + ")");
    if (!files.contains(source)) return std::unexpected(error_from_errno("open", source, ENOENT));
    if (failing_copies.contains(source)) {
      return std::unexpected(error_from_errno("copy " + source + " to", target, failing_copies[source]));
    }
    files[target] = files[source];
    CopiedFile copied;
    copied.bytes = copied_bytes.contains(source) ? copied_bytes[source] : files[source].size();
    if (options.progress) options.progress(copied.bytes);
    if (options.sha256) copied.sha256 = digests.contains(source) ? digests[source] : std::string(64, '0');
    return copied;
  }
  Result<void> unmount(const std::string& target) override {
    trace.push_back("umount(" + target + ")");
    if (failing_unmounts.contains(target)) {
      return std::unexpected(error_from_errno("umount", target, failing_unmounts[target]));
    }
    return {};
  }

  // A clock of its own, moved only by wait_until(): retries and deadlines without real time.
  Clock::time_point clock{std::chrono::hours(1)};
  std::map<std::string, std::uint64_t> filesystem_types;  // path -> f_type; absent: ENOENT
  std::map<std::string, int> failing_moves;               // from -> errno

  Result<void> move_mount(const std::string& from, const ResolvedDirectory& to) override {
    trace.push_back("move_mount(" + from + "," + to.path + ")");
    if (failing_moves.contains(from)) {
      return std::unexpected(error_from_errno("move mount " + from + " to", to.path, failing_moves[from]));
    }
    return {};
  }

  Result<std::uint64_t> filesystem_type(const std::string& path) override {
    trace.push_back("statfs(" + path + ")");
    if (!filesystem_types.contains(path)) return std::unexpected(error_from_errno("statfs", path, ENOENT));
    return filesystem_types[path];
  }

  Result<void> change_directory(const std::string& path) override {
    trace.push_back("chdir(" + path + ")");
    return {};
  }

  Result<void> change_root(const std::string& path) override {
    trace.push_back("chroot(" + path + ")");
    return {};
  }

  // load_module: the module file is one of `files`; when it is not there the open fails
  // (ENOENT, traced as "open(PATH)") and finit_module is not called. Otherwise traced as
  // "finit_module(PATH)" and answered by on_load_module when set, else by failing_modules
  // (path -> errno).
  std::map<std::string, int> failing_modules;
  std::function<int(const std::string& path)> on_load_module;
  Result<void> load_module(const std::string& path) override {
    if (!files.contains(path)) {
      trace.push_back("open(" + path + ")");
      return std::unexpected(error_from_errno("open", path, ENOENT));
    }
    trace.push_back("finit_module(" + path + ")");
    int error = 0;
    if (on_load_module) {
      error = on_load_module(path);
    } else if (const auto failing = failing_modules.find(path); failing != failing_modules.end()) {
      error = failing->second;
    }
    if (error != 0) return std::unexpected(error_from_errno("finit_module", path, error));
    return {};
  }

  // The initramfs as lstat(2) sees it, mounts included: path -> lstat result ("/", "/init",
  // "/lib", "/sys/bus/pci/devices/0000:00:03.0/driver", …); a directory's names are the entries
  // one level below it. The hand-off's delete walk removes from it; the drivers read sysfs from
  // it (with `files` for the contents). failing_removes: path -> errno.
  std::map<std::string, FileStatus> initramfs;
  std::map<std::string, int> failing_removes;
  // Whether file_status() and directory_names() are traced ("lstat(PATH)", "list(PATH)"): the
  // drivers' traces want them, the hand-off's are about what it removes.
  bool trace_lookups = false;

  // A file, with its directories, for read_file(), file_status() and directory_names().
  void add_initramfs_file(const std::string& path, std::string text) {
    FileStatus status;
    status.regular = true;
    status.links = 1;
    status.size = text.size();
    add_initramfs_entry(path, status);
    files[path] = std::move(text);
  }
  // A symlink (sysfs's "driver" of a bound device), with its directories.
  void add_initramfs_symlink(const std::string& path) {
    FileStatus status;
    status.symlink = true;
    status.links = 1;
    add_initramfs_entry(path, status);
  }
  void add_initramfs_directory(const std::string& path) {
    FileStatus status;
    status.directory = true;
    status.links = 2;
    add_initramfs_entry(path, status);
  }
  // PATH and everything below it, gone (as if unmounted or deleted).
  void remove_initramfs_tree(const std::string& path) {
    const auto below = [&](const std::string& entry) { return entry == path || entry.starts_with(path + "/"); };
    std::erase_if(initramfs, [&](const auto& entry) { return below(entry.first); });
    std::erase_if(files, [&](const auto& entry) { return below(entry.first); });
  }

  Result<FileStatus> file_status(const std::string& path) override {
    if (trace_lookups) trace.push_back("lstat(" + path + ")");
    const auto found = initramfs.find(path);
    if (found == initramfs.end()) return std::unexpected(error_from_errno("lstat", path, ENOENT));
    return found->second;
  }
  Result<std::vector<std::string>> directory_names(const std::string& path) override {
    if (trace_lookups) trace.push_back("list(" + path + ")");
    if (!initramfs.contains(path)) return std::unexpected(error_from_errno("opendir", path, ENOENT));
    const std::string prefix = path == "/" ? "/" : path + "/";
    std::vector<std::string> names;
    for (const auto& [entry, status] : initramfs) {
      if (entry.size() > prefix.size() && entry.starts_with(prefix) && entry.find('/', prefix.size()) == std::string::npos) {
        names.push_back(entry.substr(prefix.size()));
      }
    }
    return names;
  }
  Result<void> remove(const std::string& path, RemoveKind kind) override {
    const bool directory = kind == RemoveKind::Directory;
    trace.push_back((directory ? "rmdir(" : "unlink(") + path + ")");
    if (const auto failing = failing_removes.find(path); failing != failing_removes.end()) {
      return std::unexpected(error_from_errno(directory ? "rmdir" : "unlink", path, failing->second));
    }
    if (directory && !directory_names(path)->empty()) return std::unexpected(error_from_errno("rmdir", path, ENOTEMPTY));
    const FileStatus removed = initramfs.at(path);
    initramfs.erase(path);
    // The file's other names see one link fewer, as lstat does after unlink(2).
    for (auto& [other, status] : initramfs) {
      if (!directory && status.device == removed.device && status.inode == removed.inode) --status.links;
    }
    return {};
  }

  Clock::time_point now() override { return clock; }

  void wait_until(Clock::time_point deadline) override {
    const double seconds = std::chrono::duration<double>(deadline - clock).count();
    trace.push_back("wait(" + format_seconds(seconds) + ")");
    if (deadline > clock) clock = deadline;
  }

 private:
  static std::string format_seconds(double seconds) {
    std::string text = std::to_string(seconds);
    text.erase(text.find_last_not_of('0') + 1);
    if (text.ends_with('.')) text.pop_back();
    return text + "s";
  }

  // PATH with the directories above it that are not there yet.
  void add_initramfs_entry(const std::string& path, FileStatus status) {
    for (std::size_t slash = path.find('/', 1); slash != std::string::npos; slash = path.find('/', slash + 1)) {
      FileStatus directory;
      directory.directory = true;
      directory.links = 2;
      directory.inode = next_inode_;
      if (initramfs.try_emplace(path.substr(0, slash), directory).second) ++next_inode_;
    }
    if (!initramfs.contains("/")) {
      FileStatus root;
      root.directory = true;
      root.links = 2;
      root.inode = next_inode_++;
      initramfs["/"] = root;
    }
    status.inode = next_inode_++;
    initramfs[path] = status;
  }

  std::optional<std::string> resolve(std::string_view path, bool follow_last, int& error) {
    std::vector<std::string> pending;
    for (const auto part : split(path, '/')) pending.emplace_back(part);
    std::vector<std::string> parts;
    auto joined = [&](const std::string& last) {
      std::string text;
      for (const auto& part : parts) text += "/" + part;
      return text + "/" + last;
    };
    int links = 0;
    while (!pending.empty()) {
      const std::string part = pending.front();
      pending.erase(pending.begin());
      if (part.empty() || part == ".") continue;
      if (part == "..") {
        if (!parts.empty()) parts.pop_back();
        continue;
      }
      const std::string candidate = joined(part);
      if (symlinks.contains(candidate) && (follow_last || !pending.empty())) {
        if (++links > 40) {
          error = ELOOP;
          return std::nullopt;
        }
        const std::string& text = symlinks[candidate];
        if (text.starts_with('/')) parts.clear();
        std::vector<std::string> target;
        for (const auto piece : split(text, '/')) target.emplace_back(piece);
        pending.insert(pending.begin(), target.begin(), target.end());
        continue;
      }
      if (!symlinks.contains(candidate) && !directories.contains(candidate) && !image_files.contains(candidate)) {
        error = ENOENT;
        return std::nullopt;
      }
      parts.push_back(part);
    }
    std::string text;
    for (const auto& part : parts) text += "/" + part;
    return text.empty() ? "/" : text;
  }

  std::string root_;
  std::uint64_t next_inode_ = 1000;
};


}  // namespace nfsroot::testing
