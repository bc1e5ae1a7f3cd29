// nfsroot-init as an ordinary command (when it is not PID 1): explain, --help, --version.
#pragma once

namespace nfsroot {

// Returns the exit status: 0 success, 1 the plan has errors, 2 usage or I/O error.
[[nodiscard]] int run_cli(int argc, char** argv);

}  // namespace nfsroot
