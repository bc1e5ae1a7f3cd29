// Interface selection for the network step.
#include "net/link_selection.h"

#include "base/text.h"

namespace nfsroot {

std::vector<LinkInfo> select_links(const std::vector<LinkInfo>& links, const NetworkStep& step) {
  std::vector<LinkInfo> chosen;
  for (const auto& link : links) {
    bool wanted = false;
    switch (step.choice) {
      case InterfaceChoice::ByName: wanted = link.name == step.device; break;
      case InterfaceChoice::ByMac: wanted = link.mac && step.mac && *link.mac == *step.mac; break;
      case InterfaceChoice::EveryEthernet: wanted = link.ethernet; break;
    }
    if (wanted) chosen.push_back(link);
  }
  return chosen;
}

std::string describe_links(const std::vector<LinkInfo>& links) {
  std::string text;
  for (const auto& link : links) {
    if (!text.empty()) text += ", ";
    text += link.name;
    if (link.mac) text += " " + link.mac->to_string();
  }
  return text.empty() ? "none" : text;
}

std::string describe_choice(const NetworkStep& step) {
  switch (step.choice) {
    case InterfaceChoice::ByName:
      if (step.vlan) return "VLAN " + step.device + " on " + step.vlan->parent + " (vlan=)";
      if (step.bond) return "bond " + step.device + " of " + join(step.bond->slaves, ", ") + " (bond=)";
      return "interface " + step.device + " (ip= <device>)";
    case InterfaceChoice::ByMac: return "the interface with MAC " + step.mac->to_string() + " (BOOTIF=)";
    case InterfaceChoice::EveryEthernet: break;
  }
  return "an Ethernet interface";
}

}  // namespace nfsroot
