// The kernel's module index as depmod writes it (modules.dep, .alias, .softdep, .builtin) and
// the pure decisions made from it: which modules a device's modalias wants, and in what order
// to load modules so that every dependency comes first. No I/O: see init/module_loader.
#pragma once

#include <string>
#include <string_view>
#include <map>
#include <set>
#include <vector>

#include "base/error.h"

namespace nfsroot {

// kmod treats '-' and '_' in module names as the same character; the kernel's own names
// (/sys/module/NAME) use '_', so that is the spelling kept everywhere.
[[nodiscard]] std::string normalize_module_name(std::string_view name);

// kmod's alias_normalize: '-' becomes '_' except inside [...]. depmod applies it to the alias
// patterns it indexes and modprobe to the name it looks up, so both sides go through it here.
[[nodiscard]] std::string normalize_alias(std::string_view alias);

// fnmatch(3) with flags 0, which is what kmod matches aliases with: '*' any run (including
// '/' and a leading '.'), '?' one character, '[...]' a set with ranges, negated by '!' or '^',
// ']' literal when first; '\' escapes the next character; a '[' without its ']' is literal.
// No [:class:] names (depmod's patterns have none).
[[nodiscard]] bool glob_match(std::string_view pattern, std::string_view text);

// "kernel/drivers/net/mii.ko" and "…/mii.ko.xz" name the module "mii".
[[nodiscard]] std::string module_name_from_path(std::string_view path);

struct KernelModule {
  std::string name;                       // normalised
  std::string path;                       // as modules.dep has it: relative to /lib/modules/VER
  std::vector<std::string> dependencies;  // normalised names, depmod's order (all of them, transitively)
};

struct ModuleAlias {
  std::string pattern;  // normalised
  std::string module;   // normalised
};

struct SoftDependencies {
  std::vector<std::string> pre;   // module names or aliases, loaded before the module when present
  std::vector<std::string> post;  // … and after it
};

struct ModuleIndex {
  std::map<std::string, KernelModule> modules;  // by name
  std::vector<ModuleAlias> aliases;                       // in file order
  std::map<std::string, SoftDependencies> soft_dependencies;
  std::set<std::string> builtin;  // built into the kernel: present, nothing to load
};

// Blank lines and '#' comments are skipped. A modules.dep line without ':' and an alias line
// that is not "alias PATTERN MODULE" are errors naming the file and line: depmod never writes
// them, so the file is damaged. softdep lines may name words before pre:/post:; kmod ignores
// those, and so does this.
[[nodiscard]] Result<ModuleIndex> parse_module_index(std::string_view modules_dep, std::string_view modules_alias,
                                                     std::string_view modules_softdep,
                                                     std::string_view modules_builtin);

// Every module whose alias pattern matches the modalias, in modules.alias order, each once. A
// device may match several drivers (8139too and 8139cp both claim the RTL-8139); like modprobe,
// all of them are wanted and the kernel lets the right one bind.
[[nodiscard]] std::vector<std::string> modules_for_modalias(const ModuleIndex& index, std::string_view modalias);

struct LoadOrder {
  std::vector<std::string> modules;  // to insert, in this order; each once
  std::vector<std::string> builtin;  // wanted but built into the kernel
};

// The modules to insert for the wanted names (module names or aliases, as modprobe takes
// them), as modprobe orders them: for each module its dependencies in the reverse of
// modules.dep's order, its softdep pre: modules, the module, its post: modules. Soft dependencies
// that name nothing in the index are skipped, as kmod does; a wanted name or a dependency that
// is not in modules.dep is an error naming it.
[[nodiscard]] Result<LoadOrder> load_order(const ModuleIndex& index, const std::vector<std::string>& wanted);

}  // namespace nfsroot
