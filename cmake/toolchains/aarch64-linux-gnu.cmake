# Cross build for arm64 with Debian's g++-aarch64-linux-gnu (g++ 12) and the multiarch
# toolchain of crossbuild-essential-arm64 (scripts/setup.sh
# installs them):
#   cmake -S . -B build-arm64 -G Ninja -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake \
#         -DNFSROOT_BUILD_TESTS=OFF && cmake --build build-arm64 --target nfsroot-init
# The compiler searches /usr/lib/aarch64-linux-gnu itself (Debian's multiarch layout), and CMake's
# find_* look there through CMAKE_LIBRARY_ARCHITECTURE, which it learns from the compiler.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++-12)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc-12)
# Programs (python3, busybox) are the build machine's; libraries and headers the target's.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
