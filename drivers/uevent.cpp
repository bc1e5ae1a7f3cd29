// Parsing kernel uevents (see uevent.h).
#include "drivers/uevent.h"

#include <string_view>

#include "base/text.h"

namespace nfsroot {

Result<Uevent> parse_uevent(std::span<const std::byte> message) {
  const std::string_view text(reinterpret_cast<const char*>(message.data()), message.size());
  const auto malformed = [&](std::string_view problem) {
    return std::unexpected(error_with_problem("uevent", std::string(text.substr(0, text.find('\0'))), problem));
  };
  // libudev's monitor messages go to group 2 and start with this magic; a socket on group 1
  // should never see them, and a message from udev is not the kernel's word (systemd's
  // device-monitor.c tells them apart the same way).
  if (text.starts_with(std::string_view("libudev\0", 8))) return malformed("a udev message, not the kernel's");
  const auto header_end = text.find('\0');
  const std::string_view header = text.substr(0, header_end);
  const auto at = header.find('@');
  if (at == std::string_view::npos || at == 0) return malformed("no ACTION@DEVPATH header");

  Uevent event;
  std::string_view rest = header_end == std::string_view::npos ? std::string_view{} : text.substr(header_end + 1);
  while (!rest.empty()) {
    const auto end = rest.find('\0');
    const std::string_view field = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
    const auto equals = field.find('=');
    if (equals == std::string_view::npos) continue;  // the kernel writes none; skip rather than guess
    const std::string_view key = field.substr(0, equals);
    const std::string_view value = field.substr(equals + 1);
    if (key == "ACTION") {
      event.action = value;
    } else if (key == "DEVPATH") {
      event.devpath = value;
    } else if (key == "SUBSYSTEM") {
      event.subsystem = value;
    } else if (key == "MODALIAS") {
      event.modalias = value;
    } else if (key == "INTERFACE") {
      event.interface = value;
    } else if (key == "SEQNUM") {
      event.seqnum = parse_decimal<std::uint64_t>(value).value_or(0);
    }
  }
  if (event.action.empty() || event.devpath.empty()) return malformed("no ACTION= or DEVPATH=");
  if (header.substr(0, at) != event.action || header.substr(at + 1) != event.devpath) {
    return malformed("the header disagrees with ACTION= and DEVPATH=");
  }
  return event;
}

bool wants_modules(const Uevent& event) { return event.action == "add" && !event.modalias.empty(); }

bool is_new_interface(const Uevent& event) {
  return event.action == "add" && event.subsystem == "net" && !event.interface.empty();
}

}  // namespace nfsroot
