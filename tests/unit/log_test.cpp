// The boot log's writes: records /dev/kmsg takes, and the console when /dev/kmsg refuses one.
#include "pid1/log.h"

#include <fcntl.h>
#include <unistd.h>

#include <string>

#include <catch2/catch.hpp>

#include "base/file.h"
#include "base/text.h"
#include "pid1/log_record.h"

using namespace nfsroot;

namespace {

// A file in /tmp that the test reads back; removed at the end.
struct TempFile {
  std::string path;
  int fd = -1;
  TempFile() {
    char name[] = "/tmp/nfsroot-log-test-XXXXXX";
    fd = ::mkstemp(name);
    path = name;
  }
  ~TempFile() {
    ::close(fd);
    ::unlink(path.c_str());
  }
  std::string text() const { return read_file(path).value_or("<unreadable>"); }
};

std::string long_message() {
  std::string message = "root failed: the server exports:";
  while (message.size() < 2500) message += " /srv/export-" + std::to_string(message.size());
  return message;
}

}  // namespace

TEST_CASE("log: a record longer than /dev/kmsg takes is written as several, none over the limit", "[log]") {
  TempFile kmsg;
  TempFile console;
  REQUIRE(kmsg.fd >= 0);
  log_start(LogTarget::Stderr);
  log_use_kmsg_fd(kmsg.fd, console.fd);
  log_warning(long_message());
  log_start(LogTarget::Stderr);  // back to stderr for the other tests
  const std::string written = kmsg.text();
  const auto lines = split(written, '\n');
  REQUIRE(lines.size() >= 4);  // the last is the empty rest after the final newline
  std::string joined;
  for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
    INFO(lines[i]);
    CHECK(lines[i].size() + 1 <= kKmsgRecordMax);
    CHECK(lines[i].starts_with("<4>nfsroot-init: [+"));
    auto text = lines[i].substr(lines[i].find("] ") + 2);
    if (i > 0) {
      REQUIRE(text.starts_with(kContinuationMarker));
      text.remove_prefix(kContinuationMarker.size());
    }
    joined += text;
  }
  CHECK(joined == long_message());
  CHECK(console.text().empty());
}

TEST_CASE("log: when /dev/kmsg refuses a write, the record goes to the console", "[log]") {
  const int full = ::open("/dev/full", O_WRONLY | O_CLOEXEC);  // every write fails with ENOSPC
  REQUIRE(full >= 0);
  TempFile console;
  log_start(LogTarget::Stderr);
  log_use_kmsg_fd(full, console.fd);
  log_error("root failed: mount nfs 10.0.2.2:/srv: Permission denied");
  log_start(LogTarget::Stderr);
  ::close(full);
  const std::string text = console.text();
  CHECK(text.starts_with("nfsroot-init: [+"));  // no "<3>": the console shows no priority
  CHECK(text.ends_with("] root failed: mount nfs 10.0.2.2:/srv: Permission denied\n"));
}
