// Test tool for tests/integration/unions.py: plans and builds the unions of one overlay list file
// over a new root with the real syscalls. Run it only inside a private mount namespace.
//
//   union_tool NEW_ROOT LAYERS_DIR ENTRIES_FILE
//
// Prints "plan: STEP" for each step, then "notice: …", "error: …" (bad lines, skipped), and one
// "union: LINE" per union. Exit status: 0 every union built, 1 some skipped or none could be
// built, 2 usage.
#include <unistd.h>

#include <string>
#include <string_view>

#include "overlay/overlay_list.h"
#include "overlay/union_builder.h"
#include "overlay/union_plan.h"

using namespace nfsroot;

namespace {

void print(std::string_view prefix, std::string_view text) {
  std::string line(prefix);
  line += text;
  line += '\n';
  for (std::string_view rest = line; !rest.empty();) {
    const ssize_t written = ::write(STDOUT_FILENO, rest.data(), rest.size());
    if (written <= 0) return;
    rest.remove_prefix(static_cast<std::size_t>(written));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    print("", "usage: union_tool NEW_ROOT LAYERS_DIR ENTRIES_FILE");
    return 2;
  }
  LinuxSystem system;
  const auto text = system.read_file(argv[3]);
  if (!text) {
    print("error: ", describe(text.error()));
    return 2;
  }
  const auto list = parse_overlay_list(*text, argv[3]);
  for (const auto& error : list.errors) print("error: ", describe(error));

  const auto aufs = detect_aufs(system);
  if (!aufs) print("notice: ", describe(aufs.error()) + "; taking aufs as absent");
  const auto plan = plan_union_steps(list.entries, {argv[1], argv[2], aufs.value_or(AufsSupport::Absent)});
  if (!plan) {
    print("error: ", describe(plan.error()));
    return 1;
  }
  for (const auto& step : plan->setup) print("plan: ", describe(step));
  for (const auto& planned : plan->unions) {
    print("plan: ", planned.summary());
    for (const auto& step : planned.steps) print("plan:   ", describe(step));
  }

  const auto report = build_unions(system, *plan);
  if (!report) {
    print("error: ", describe(report.error()));
    return 1;
  }
  for (const auto& notice : report->notices) print("notice: ", notice);
  for (const auto& line : report->lines()) print("union: ", line);
  return report->all_done() ? 0 : 1;
}
