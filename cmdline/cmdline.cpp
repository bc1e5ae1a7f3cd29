// Kernel command line tokenizer: the rules of lib/cmdline.c next_arg() and init/main.c.
#include "cmdline/cmdline.h"

namespace nfsroot {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

// One parameter starting at text[0] (not a space); returns it and how many characters it used.
std::pair<KernelParameter, std::size_t> next_parameter(std::string_view text) {
  std::size_t start = 0;
  bool in_quote = false;
  bool quoted = false;
  if (text.front() == '"') {
    start = 1;
    in_quote = quoted = true;
  }
  std::size_t end = start;
  std::size_t equals = std::string_view::npos;
  for (; end < text.size(); ++end) {
    if (is_space(text[end]) && !in_quote) break;
    if (equals == std::string_view::npos && text[end] == '=') equals = end;
    if (text[end] == '"') in_quote = !in_quote;
  }
  std::string_view word = text.substr(start, end - start);
  const std::size_t used = end;

  KernelParameter parameter;
  if (equals == std::string_view::npos) {
    // "\"word\"" -> word: the closing quote pairs with the opening one.
    if (quoted && !word.empty() && word.back() == '"') word.remove_suffix(1);
    parameter.key = std::string(word);
    return {parameter, used};
  }
  std::string_view key = word.substr(0, equals - start);
  std::string_view value = word.substr(equals - start + 1);
  bool strip_last_quote = quoted;
  if (!value.empty() && value.front() == '"') {
    value.remove_prefix(1);
    strip_last_quote = true;
  }
  if (strip_last_quote && !value.empty() && value.back() == '"') value.remove_suffix(1);
  parameter.key = std::string(key);
  parameter.value = std::string(value);
  return {parameter, used};
}

}  // namespace

KernelCommandLine split_kernel_command_line(std::string_view text) {
  KernelCommandLine line;
  bool after_separator = false;
  while (true) {
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    if (text.empty()) break;
    auto [parameter, used] = next_parameter(text);
    text.remove_prefix(used);
    if (after_separator) {
      // init/main.c: everything after "--" is handed to init as arguments, unparsed.
      std::string word = parameter.key;
      if (parameter.value) word += "=" + *parameter.value;
      line.init_arguments.push_back(std::move(word));
    } else if (parameter.key == "--" && !parameter.value) {
      after_separator = true;
    } else {
      line.parameters.push_back(std::move(parameter));
    }
  }
  return line;
}

}  // namespace nfsroot
