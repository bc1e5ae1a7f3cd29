// Fuzzes the kernel command line path: tokenizer, BootConfig parser, planner and plan text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cmdline/boot_config.h"
#include "plan/boot_plan.h"
#include "plan/plan_format.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto plan = nfsroot::plan_boot(nfsroot::parse_boot_config(text));
  const auto rendered = nfsroot::format_plan(plan);
  // Every address the parser kept must print back as a dotted quad it would accept again.
  if (const auto& client = plan.network.address) {
    if (!nfsroot::Ipv4Address::parse(client->to_string())) __builtin_trap();
  }
  // libFuzzer ignores the return value: a broken render must trap to be found.
  if (rendered.empty()) __builtin_trap();
  return 0;
}
