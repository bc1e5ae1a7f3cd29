// The runtime's own check, built and run by build-musl-runtime.sh: exceptions unwind through
// libgcc_eh and the _dl_find_object shim, system_error's messages come from musl's strerror
// (the unsound glibc libstdc++ crashed right here), containers and threads work.
#include <cerrno>
#include <cstdio>
#include <map>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>

int main() {
  std::map<std::string, int> m{{"a", 1}, {"b", 2}};
  int caught = 0;
  try {
    throw std::runtime_error("thrown");
  } catch (const std::exception& e) {
    caught = std::string(e.what()) == "thrown";
  }
  std::string message = std::generic_category().message(ENOENT);
  int ran = 0;
  std::thread t([&] { ran = 1; });
  t.join();
  std::printf("caught=%d map=%d thread=%d enoent=%s\n", caught, m.at("b"), ran, message.c_str());
  return caught && m.at("b") == 2 && ran && message == "No such file or directory" ? 0 : 1;
}
