// A file of the hand-off: written into /run, which moves into the root system, for a program
// of the root (udev, networkd, NetworkManager, ifupdown) to read when it starts.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>

namespace nfsroot {

struct RuntimeFile {
  std::string path;  // relative to /run, which moves into the root system with the hand-off
  std::string content;
};

// Whether an interface name can name a runtime file and be one token in it. The kernel's names
// hold no '/', ':' or blank (dev_valid_name()); this keeps each file one interface's, each key
// one line, and leaves out every character a manager reads as syntax (NetworkManager's device
// lists split at ',' and ';' and glob '*' and '?'; ifupdown's state line splits at '=').
[[nodiscard]] inline bool is_plain_interface_name(std::string_view name) {
  return !name.empty() && name.size() < 16 && name != "." && name != ".." &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                  c == '_' || c == '.' || c == '@';
         });
}

}  // namespace nfsroot
