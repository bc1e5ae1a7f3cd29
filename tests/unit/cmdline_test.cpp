// Kernel command line tokenizer: lib/cmdline.c next_arg() quoting and init/main.c "--".
#include "cmdline/cmdline.h"

#include <catch2/catch.hpp>

using nfsroot::KernelParameter;
using nfsroot::split_kernel_command_line;

namespace {
KernelParameter word(const char* key) { return {key, std::nullopt}; }
KernelParameter pair(const char* key, const char* value) { return {key, std::string(value)}; }
}  // namespace

TEST_CASE("cmdline: spaces separate parameters; key=value and bare words", "[cmdline]") {
  struct Case {
    const char* text;
    std::vector<KernelParameter> expected;
  };
  const std::vector<Case> cases = {
      {"", {}},
      {"   \n", {}},
      {"ro", {word("ro")}},
      {"ip=dhcp root=/dev/nfs ro nfsroot=10.0.2.2:/srv/nfsroot\n",
       {pair("ip", "dhcp"), pair("root", "/dev/nfs"), word("ro"), pair("nfsroot", "10.0.2.2:/srv/nfsroot")}},
      // only the first '=' splits key from value
      {"a=b=c", {pair("a", "b=c")}},
      // "key=" is an empty value, not a bare word
      {"ip=", {pair("ip", "")}},
      // tabs and several spaces
      {"quiet\t\tsplash   debug", {word("quiet"), word("splash"), word("debug")}},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    CHECK(split_kernel_command_line(c.text).parameters == c.expected);
  }
}

TEST_CASE("cmdline: double quotes keep spaces and are dropped like the kernel does", "[cmdline]") {
  struct Case {
    const char* text;
    std::vector<KernelParameter> expected;
  };
  const std::vector<Case> cases = {
      // a quoted value
      {"nfsroot-init.overlay=\"/srv overlay size=1G\" ro",
       {pair("nfsroot-init.overlay", "/srv overlay size=1G"), word("ro")}},
      // the whole parameter quoted
      {"\"nfsroot-init.overlay=/srv overlay\" ro", {pair("nfsroot-init.overlay", "/srv overlay"), word("ro")}},
      // a quoted bare word
      {"\"hello world\" x", {word("hello world"), word("x")}},
      // a quote inside a value that does not start with one stays
      {"a=b\"c d\"", {pair("a", "b\"c d\"")}},
      // an unterminated quote runs to the end of the line
      {"a=\"b c", {pair("a", "b c")}},
      // an empty quoted value
      {"a=\"\" b", {pair("a", ""), word("b")}},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    CHECK(split_kernel_command_line(c.text).parameters == c.expected);
  }
}

TEST_CASE("cmdline: everything after -- goes to init as arguments", "[cmdline]") {
  const auto line = split_kernel_command_line("ro -- single a=b --");
  CHECK(line.parameters == std::vector<KernelParameter>{word("ro")});
  CHECK(line.init_arguments == std::vector<std::string>{"single", "a=b", "--"});
}
