// Fuzzes the kernel command line path: tokenizer, BootConfig parser, planner and plan text.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cmdline/boot_config.h"
#include "cmdline/cmdline.h"
#include "mounts/image_file.h"
#include "plan/boot_plan.h"
#include "plan/plan_format.h"

namespace {

void check(bool condition) {
  if (!condition) __builtin_trap();
}

bool has_space(std::string_view text) { return text.find_first_of(" \t\n\r\v\f") != std::string_view::npos; }

// The parameters written back the way a boot loader writes them: key, key=value, or
// key="value" when the value has blanks. nullopt when the kernel's quoting cannot say it
// (a '"' inside, a blank in a key or after "--": lib/cmdline.c has no escape).
std::optional<std::string> render(const nfsroot::KernelCommandLine& line) {
  std::string text;
  for (const auto& parameter : line.parameters) {
    if (parameter.key.find('"') != std::string::npos || has_space(parameter.key) || parameter.key.empty()) {
      return std::nullopt;
    }
    text += parameter.key;
    if (parameter.value) {
      if (parameter.value->find('"') != std::string::npos) return std::nullopt;
      text += has_space(*parameter.value) ? "=\"" + *parameter.value + "\"" : "=" + *parameter.value;
    }
    text += ' ';
  }
  if (!line.init_arguments.empty()) text += "--";
  for (const auto& word : line.init_arguments) {
    if (word.find('"') != std::string::npos || has_space(word)) return std::nullopt;
    text += word.empty() ? std::string(" \"\"") : ' ' + word;  // a lone '"' gives init an empty word
  }
  return text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // The tokenizer keeps what the kernel gives each parameter: written back with the kernel's
  // quoting, the line splits into the same parameters and init arguments.
  const auto line = nfsroot::split_kernel_command_line(text);
  if (const auto again = render(line)) {
    const auto resplit = nfsroot::split_kernel_command_line(*again);
    check(resplit.parameters == line.parameters && resplit.init_arguments == line.init_arguments);
  }

  const auto plan = nfsroot::plan_boot(nfsroot::parse_boot_config(text));
  const auto rendered = nfsroot::format_plan(plan);
  // Every address the parser kept must print back as a dotted quad it would accept again.
  if (const auto& client = plan.network.address) {
    if (!nfsroot::Ipv4Address::parse(client->to_string())) __builtin_trap();
  }
  // A static IPv6 address (ip=[<v6 client>]…:none) prints back as text the parser takes again,
  // is never link-local (the parser refuses one) and has a prefix length of 0..128.
  if (const auto& client6 = plan.network.address6) {
    const auto again = nfsroot::Ipv6Address::parse(client6->to_string());
    check(again && *again == *client6 && !client6->is_link_local());
    check(plan.network.prefix6 >= 0 && plan.network.prefix6 <= 128);
    check(plan.network.mode == nfsroot::NetworkMode::Static6);
  }
  // Image mode (nfsroot-init.image=, root=live:nfs://…): the image is a path inside the export,
  // already in the one normal form, never '/' in front nor a ".." that would climb out of it.
  if (!plan.root.image.empty()) {
    const auto normal = nfsroot::normalize_image_path(plan.root.image);
    check(normal && *normal == plan.root.image);
  }
  // The plan is text in lines (plan_format.h), and the same line always gives the same plan:
  // nothing in the parser or planner depends on state outside the input.
  check(rendered.ends_with('\n'));
  check(nfsroot::format_plan(nfsroot::plan_boot(nfsroot::parse_boot_config(text))) == rendered);
  return 0;
}
