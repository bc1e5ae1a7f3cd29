// The boot plan as text a person reads at a glance (explain, and the boot log).
#pragma once

#include <string>
#include <string_view>

#include "plan/boot_plan.h"

namespace nfsroot {

// Lines end in '\n'. Parts the DHCP lease will decide are marked "(from the lease)".
[[nodiscard]] std::string format_plan(const BootPlan& plan);

}  // namespace nfsroot
