// Fuzzes the module index against the C library: glob_match() must agree with fnmatch(3) with
// flags 0, which is what kmod matches modules.alias patterns with, and the modules a modalias
// wants must be exactly those a modprobe-style scan of modules.alias with fnmatch finds.
#include <fnmatch.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/text.h"
#include "drivers/module_index.h"

namespace {

using namespace nfsroot;

void check(bool condition) {
  if (!condition) __builtin_trap();
}

// Whether some '[' has no closing ']' (scanned as a bracket expression is: '!' or '^' first, a
// ']' right after is literal, '\' escapes).
bool has_unclosed_bracket(std::string_view pattern) {
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\') {
      ++i;
    } else if (pattern[i] == '[') {
      std::size_t j = i + 1;
      if (j < pattern.size() && (pattern[j] == '!' || pattern[j] == '^')) ++j;
      if (j < pattern.size() && pattern[j] == ']') ++j;
      while (j < pattern.size() && pattern[j] != ']') j += pattern[j] == '\\' ? 2 : 1;
      if (j >= pattern.size()) return true;
      i = j;
    }
  }
  return false;
}

// glob_match() leaves out what depmod never writes: the bracket expressions glibc adds
// ([:class:], [=equivalence=], [.collating.]) and a '[' never closed, which glibc reads as a
// literal '[' in some cases and as no match in others ("[a-" at the end). Not compared.
bool comparable(std::string_view pattern) {
  for (const std::string_view opener : {"[:", "[=", "[."}) {
    if (pattern.find(opener) != std::string_view::npos) return false;
  }
  return !has_unclosed_bracket(pattern);
}

bool reference_match(const std::string& pattern, const std::string& text) {
  return fnmatch(pattern.c_str(), text.c_str(), 0) == 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // NUL-separated: a modalias, then modules.alias patterns (each for module mN).
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto fields = split(input, '\0');
  const std::string modalias(fields[0]);
  if (modalias.find('\n') != std::string::npos) return 0;

  std::string aliases;
  std::vector<ModuleAlias> written;  // as written, module names mN
  for (std::size_t i = 1; i < fields.size(); ++i) {
    const std::string pattern(fields[i]);
    // One alias line holds a pattern without blanks (depmod writes "alias PATTERN MODULE").
    if (pattern.empty() || pattern.find_first_of(" \t\n#") != std::string::npos) continue;
    // The bare matcher, exactly as the C library matches.
    if (comparable(pattern)) check(glob_match(pattern, modalias) == reference_match(pattern, modalias));
    const std::string module = "m" + std::to_string(i);
    aliases += "alias " + pattern + " " + module + "\n";
    written.push_back({pattern, module});
  }

  const auto index = parse_module_index("", aliases, "", "");
  check(index.has_value());  // well-formed alias lines only
  // modprobe: the name and each pattern normalised alike (kmod's alias_normalize), then every
  // alias line in file order whose pattern matches, each module once.
  const std::string name = normalize_alias(modalias);
  std::vector<std::string> expected;
  for (const auto& alias : written) {
    const std::string pattern = normalize_alias(alias.pattern);
    if (!comparable(pattern)) return 0;
    if (reference_match(pattern, name) && std::find(expected.begin(), expected.end(), alias.module) == expected.end()) {
      expected.push_back(alias.module);
    }
  }
  check(modules_for_modalias(*index, modalias) == expected);
  return 0;
}
