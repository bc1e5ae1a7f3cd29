// Parsing depmod's text index files and deciding the module load order; pure, no I/O.
#include "drivers/module_index.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "base/cat.h"
#include "base/text.h"

namespace nfsroot {

namespace {

constexpr auto npos = std::string_view::npos;

// The blank-separated words of a line.
std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  for (;;) {
    const auto start = line.find_first_not_of(" \t");
    if (start == npos) return out;
    line.remove_prefix(start);
    const auto end = line.find_first_of(" \t");
    out.push_back(line.substr(0, end));
    if (end == npos) return out;
    line.remove_prefix(end);
  }
}

// Calls visit(line, line_number) for each line that is not blank or a '#' comment; stops at the
// first error visit returns.
template <class Visit>
Result<void> for_each_line(std::string_view text, Visit visit) {
  int number = 0;
  for (std::string_view line : split(text, '\n')) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    line = trim(line);
    if (line.empty() || line.front() == '#') continue;
    if (auto visited = visit(line, number); !visited) return visited;
  }
  return {};
}

Error line_error(std::string_view file, int line_number, std::string_view line, std::string_view expected) {
  return error_with_problem(cat(file, ":", line_number), line, cat("expected '", expected, "'"),
                            "depmod never writes this; run depmod for this kernel again");
}

struct Bracket {
  std::size_t end;  // index just past the closing ']'
  bool matches;
};

// The bracket expression that starts at pattern[open] == '['. nullopt when it has no closing
// ']': then, as in glibc, the '[' is an ordinary character.
std::optional<Bracket> match_bracket(std::string_view pattern, std::size_t open, char c) {
  const auto byte = [](char ch) { return static_cast<unsigned char>(ch); };
  std::size_t i = open + 1;
  bool negated = false;
  if (i < pattern.size() && (pattern[i] == '!' || pattern[i] == '^')) {
    negated = true;
    ++i;
  }
  bool found = false;
  for (bool first = true; i < pattern.size(); first = false) {
    if (pattern[i] == ']' && !first) return Bracket{i + 1, found != negated};  // a leading ']' is literal
    char low = pattern[i++];
    if (low == '\\') {
      if (i == pattern.size()) break;
      low = pattern[i++];
    }
    char high = low;
    if (i + 1 < pattern.size() && pattern[i] == '-' && pattern[i + 1] != ']') {  // "a-]": '-' is literal
      high = pattern[i + 1];
      i += 2;
      if (high == '\\') {
        if (i == pattern.size()) break;
        high = pattern[i++];
      }
    }
    if (byte(low) <= byte(c) && byte(c) <= byte(high)) found = true;
  }
  return std::nullopt;
}

// Builds a LoadOrder depth-first, each module once.
class Planner {
 public:
  explicit Planner(const ModuleIndex& index) : index_(index) {}

  enum class Need { Required, Optional };

  // A name as modprobe takes it, looked up in kmod's order: a module, else an alias of modules,
  // else a built-in module ("crc32" is both built in and an alias of crc32_generic, loaded).
  Result<void> add_name(std::string_view name, Need need) {
    const std::string module = normalize_module_name(name);
    if (index_.modules.contains(module)) return add_module(module, {});
    const auto matches = modules_for_modalias(index_, name);
    for (const auto& match : matches) {
      if (auto added = add_module(match, name); !added) return added;
    }
    if (!matches.empty()) return {};
    if (index_.builtin.contains(module)) {
      if (std::ranges::find(order_.builtin, module) == order_.builtin.end()) order_.builtin.push_back(module);
      return {};
    }
    if (need == Need::Optional) return {};
    return std::unexpected(error_with_problem(
        "load module", name, "not in modules.dep, modules.alias or modules.builtin",
        "is it in the initramfs? depmod lists every module under /lib/modules/VERSION"));
  }

  LoadOrder take() { return std::move(order_); }

 private:
  Result<void> add_module(const std::string& name, std::string_view needed_by) {
    if (visited_.contains(name)) return {};
    const auto found = index_.modules.find(name);
    if (found == index_.modules.end()) {
      return std::unexpected(error_with_problem("load module", name,
                                                "not in modules.dep, but " + std::string(needed_by) + " needs it",
                                                "run depmod for this kernel again"));
    }
    visited_.insert(name);  // before recursing: soft dependencies may form cycles
    // modules.dep lists what a module needs, the most dependent first: modprobe loads it backwards.
    const auto& dependencies = found->second.dependencies;
    for (auto dependency = dependencies.rbegin(); dependency != dependencies.rend(); ++dependency) {
      if (auto added = add_module(*dependency, name); !added) return added;
    }
    // Then, as kmod orders them, the module's pre: soft dependencies right before it.
    const auto soft = index_.soft_dependencies.find(name);
    if (soft != index_.soft_dependencies.end()) {
      for (const auto& pre : soft->second.pre) {
        if (auto added = add_name(pre, Need::Optional); !added) return added;
      }
    }
    order_.modules.push_back(name);
    if (soft != index_.soft_dependencies.end()) {
      for (const auto& post : soft->second.post) {
        if (auto added = add_name(post, Need::Optional); !added) return added;
      }
    }
    return {};
  }

  const ModuleIndex& index_;
  LoadOrder order_;
  std::set<std::string> visited_;
};

}  // namespace

std::string normalize_module_name(std::string_view name) {
  std::string normalized(name);
  std::ranges::replace(normalized, '-', '_');
  return normalized;
}

std::string normalize_alias(std::string_view alias) {
  std::string normalized(alias);
  bool in_brackets = false;
  for (char& c : normalized) {
    if (c == '[') in_brackets = true;
    if (c == ']') in_brackets = false;
    if (c == '-' && !in_brackets) c = '_';
  }
  return normalized;
}

bool glob_match(std::string_view pattern, std::string_view text) {
  // Greedy with one backtrack point, the last '*': enough because every other element of a
  // pattern matches exactly one character.
  std::size_t p = 0;
  std::size_t t = 0;
  std::size_t star = npos;  // pattern index after the last '*'
  std::size_t star_text = 0;
  while (t < text.size()) {
    if (p < pattern.size()) {
      std::size_t next = npos;  // pattern index after an element that matched text[t]
      switch (pattern[p]) {
        case '*':
          star = ++p;
          star_text = t;
          continue;
        case '?':
          next = p + 1;
          break;
        case '[':
          if (const auto bracket = match_bracket(pattern, p, text[t])) {
            if (bracket->matches) next = bracket->end;
          } else if (text[t] == '[') {
            next = p + 1;
          }
          break;
        case '\\':  // a trailing '\' matches nothing, as in glibc
          if (p + 1 < pattern.size() && pattern[p + 1] == text[t]) next = p + 2;
          break;
        default:
          if (pattern[p] == text[t]) next = p + 1;
      }
      if (next != npos) {
        p = next;
        ++t;
        continue;
      }
    }
    if (star == npos) return false;
    p = star;  // let the last '*' take one more character
    t = ++star_text;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::string module_name_from_path(std::string_view path) {
  if (const auto slash = path.rfind('/'); slash != npos) path.remove_prefix(slash + 1);
  for (auto at = path.find(".ko"); at != npos; at = path.find(".ko", at + 1)) {
    if (at + 3 == path.size() || path[at + 3] == '.') return normalize_module_name(path.substr(0, at));
  }
  return normalize_module_name(path);
}

Result<ModuleIndex> parse_module_index(std::string_view modules_dep, std::string_view modules_alias,
                                       std::string_view modules_softdep, std::string_view modules_builtin) {
  ModuleIndex index;
  auto parsed = for_each_line(modules_dep, [&](std::string_view line, int number) -> Result<void> {
    const auto colon = line.find(':');
    if (colon == npos || trim(line.substr(0, colon)).empty()) {
      return std::unexpected(line_error("modules.dep", number, line, "MODULE.ko: DEPENDENCY.ko..."));
    }
    KernelModule module;
    module.path = trim(line.substr(0, colon));
    module.name = module_name_from_path(module.path);
    for (const auto dependency : words(line.substr(colon + 1))) {
      module.dependencies.push_back(module_name_from_path(dependency));
    }
    std::string name = module.name;
    index.modules.try_emplace(std::move(name), std::move(module));  // the first line wins, as in kmod
    return {};
  });
  if (!parsed) return std::unexpected(parsed.error());

  parsed = for_each_line(modules_alias, [&](std::string_view line, int number) -> Result<void> {
    const auto fields = words(line);
    if (fields.size() != 3 || fields[0] != "alias") {
      return std::unexpected(line_error("modules.alias", number, line, "alias PATTERN MODULE"));
    }
    index.aliases.push_back({normalize_alias(fields[1]), normalize_module_name(fields[2])});
    return {};
  });
  if (!parsed) return std::unexpected(parsed.error());

  parsed = for_each_line(modules_softdep, [&](std::string_view line, int number) -> Result<void> {
    const auto fields = words(line);
    if (fields.size() < 2 || fields[0] != "softdep") {
      return std::unexpected(line_error("modules.softdep", number, line, "softdep MODULE pre: ... post: ..."));
    }
    // depmod writes one line per MODULE_SOFTDEP() of a module (btrfs has four); they add up.
    // kmod 30 honours only the first line, a known bug (kmod-project/kmod#33).
    auto& soft = index.soft_dependencies[normalize_module_name(fields[1])];
    std::vector<std::string>* list = nullptr;  // words before "pre:"/"post:" are ignored, as kmod does
    for (std::size_t i = 2; i < fields.size(); ++i) {
      if (fields[i] == "pre:") {
        list = &soft.pre;
      } else if (fields[i] == "post:") {
        list = &soft.post;
      } else if (list != nullptr) {
        list->emplace_back(fields[i]);
      }
    }
    return {};
  });
  if (!parsed) return std::unexpected(parsed.error());

  parsed = for_each_line(modules_builtin, [&](std::string_view line, int) -> Result<void> {
    index.builtin.insert(module_name_from_path(line));
    return {};
  });
  if (!parsed) return std::unexpected(parsed.error());
  return index;
}

std::vector<std::string> modules_for_modalias(const ModuleIndex& index, std::string_view modalias) {
  const std::string name = normalize_alias(modalias);
  std::vector<std::string> modules;
  for (const auto& alias : index.aliases) {
    if (glob_match(alias.pattern, name) && std::ranges::find(modules, alias.module) == modules.end()) {
      modules.push_back(alias.module);
    }
  }
  return modules;
}

Result<LoadOrder> load_order(const ModuleIndex& index, const std::vector<std::string>& wanted) {
  Planner planner(index);
  for (const auto& name : wanted) {
    TRY(planner.add_name(name, Planner::Need::Required));
  }
  return planner.take();
}

}  // namespace nfsroot
