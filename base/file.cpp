// Whole-file reads and writes through file descriptors (no stdio, no iostreams).
#include "base/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "base/unique_fd.h"

namespace nfsroot {

Result<std::string> read_file(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return std::unexpected(error_from_errno("open", path, errno));
  std::string content;
  char buffer[4096];
  for (;;) {
    const ssize_t got = ::read(fd.get(), buffer, sizeof buffer);
    if (got < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(error_from_errno("read", path, errno));
    }
    if (got == 0) return content;
    content.append(buffer, static_cast<std::size_t>(got));
  }
}

namespace {

// All of CONTENT to FD, opened on PATH (for the message).
Result<void> write_all(const UniqueFd& fd, const std::string& path, std::string_view content) {
  while (!content.empty()) {
    const ssize_t written = ::write(fd.get(), content.data(), content.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(error_from_errno("write", path, errno));
    }
    if (written == 0) return std::unexpected(error_from_errno("write", path, EIO));  // no progress
    content.remove_prefix(static_cast<std::size_t>(written));
  }
  return {};
}

}  // namespace

Result<void> write_file(const std::string& path, std::string_view content) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd.valid()) return std::unexpected(error_from_errno("open", path, errno));
  return write_all(fd, path, content);
}

Result<void> write_existing_file(const std::string& path, std::string_view content) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC));
  if (!fd.valid()) return std::unexpected(error_from_errno("open", path, errno));
  return write_all(fd, path, content);
}

Result<void> make_directories(const std::string& path) {
  for (std::size_t slash = path.find('/', 1);; slash = path.find('/', slash + 1)) {
    const std::string prefix = path.substr(0, slash);
    if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) {
      return std::unexpected(error_from_errno("mkdir", prefix, errno));
    }
    if (slash == std::string::npos) return {};
  }
}

bool path_exists(const std::string& path) {
  struct stat status {};
  return ::stat(path.c_str(), &status) == 0;
}

}  // namespace nfsroot
