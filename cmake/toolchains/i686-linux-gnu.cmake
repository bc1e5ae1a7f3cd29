# Cross build for i386 (i686 and later) with Debian's g++-i686-linux-gnu (g++ 12) and the multiarch
# toolchain of crossbuild-essential-i386 (scripts/setup.sh
# installs them):
#   cmake -S . -B build-i386 -G Ninja -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/i686-linux-gnu.cmake \
#         -DNFSROOT_BUILD_TESTS=OFF && cmake --build build-i386 --target nfsroot-init
# The compiler searches /usr/lib/i386-linux-gnu itself (Debian's multiarch layout), and CMake's
# find_* look there through CMAKE_LIBRARY_ARCHITECTURE, which it learns from the compiler.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR i686)
set(CMAKE_CXX_COMPILER i686-linux-gnu-g++-12)
set(CMAKE_C_COMPILER i686-linux-gnu-gcc-12)
# Programs (python3, busybox) are the build machine's; libraries and headers the target's.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
