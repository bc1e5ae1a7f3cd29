# nfsroot_library(): one folder, one concern, one library in two (or three) flavours.
#
#   nfsroot_library(NAME SOURCES a.cpp ... [LINKS lib ...] [EXTERNAL lib ...] [SYSTEM_INCLUDES dir ...])
#
# makes nfsroot_NAME (host: ASan + UBSan, -O1 -g) and nfsroot_NAME_release (-Os, no RTTI, for
# the static /init, glibc), each linking the same flavour of the LINKS libraries; with
# NFSROOT_MUSL also nfsroot_NAME_musl: the release flags, compiled and linked against musl and
# its C++ runtime (NFSROOT_MUSL_FLAGS: g++ -specs=<runtime>/musl-g++.specs). Its EXTERNAL
# libraries are linked by the path of their static archive: musl's link must not search the
# glibc library folder, whose libc.a and libm.a would shadow musl's.
#
# Headers are included as "folder/file.h". Putting the source tree itself on the include path
# would let any folder include any other's headers; instead each library exports a folder of
# its own under build/include/NAME/ holding one symlink, NAME -> the source folder. A library's
# include path is then exactly its own folder plus those of what it links (PUBLIC include
# directories travel along target_link_libraries), so an include against the stated order
# fails to compile. tests/cli checks that it does.

set(NFSROOT_HOST_FLAGS -O1 -g)
set(NFSROOT_SANITIZE -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
set(NFSROOT_RELEASE_FLAGS -Os -ffunction-sections -fdata-sections -fno-rtti
    -fno-asynchronous-unwind-tables -fno-stack-protector)
# The release flavours are built with link-time optimisation where the compiler has it: one
# program is inlined and pruned across our libraries as a whole, which took the musl /init from
# 509752 to 423736 bytes (and the glibc one from 1240808 to 1167080) on 2026-12-07.
include(CheckIPOSupported)
check_ipo_supported(RESULT NFSROOT_LTO OUTPUT nfsroot_lto_output LANGUAGES CXX)
if(NOT NFSROOT_LTO)
  message(STATUS "nfsroot-init: no link-time optimisation for the release /init: ${nfsroot_lto_output}")
endif()
# Our own code builds without exceptions: an escaped exception in PID 1 is a kernel panic
# with no context, so errors travel as std::expected and nothing may throw.
set(NFSROOT_CODE_FLAGS ${NFSROOT_WARNINGS} -fno-exceptions)

# nfsroot_link(TARGET host|release|musl lib ...): links TARGET to that flavour of our libraries.
function(nfsroot_link target flavour)
  foreach(lib IN LISTS ARGN)
    if(flavour STREQUAL "host")
      target_link_libraries(${target} PRIVATE nfsroot_${lib})
    else()
      target_link_libraries(${target} PRIVATE nfsroot_${lib}_${flavour})
    endif()
  endforeach()
endfunction()

# A cross build (cmake/toolchains/, dpkg-buildpackage -a) and a build without the tests (the
# Debian package's) make the release flavours only: the sanitized host flavour is for the tests
# and the CLI tests, which run on the build machine; nothing installed links it. Without the
# tests, a musl build makes the musl flavour alone: the glibc /init is then installed nowhere
# (its own boot set is a test), and it was half of the amd64 package's compiling.
if(CMAKE_CROSSCOMPILING OR NOT NFSROOT_BUILD_TESTS)
  set(NFSROOT_FLAVOURS release)
else()
  set(NFSROOT_FLAVOURS host release)
endif()
if(NFSROOT_MUSL AND NOT NFSROOT_BUILD_TESTS)
  set(NFSROOT_FLAVOURS musl)
elseif(NFSROOT_MUSL)
  list(APPEND NFSROOT_FLAVOURS musl)
endif()

function(nfsroot_library name)
  cmake_parse_arguments(PARSE_ARGV 1 L "" "" "SOURCES;LINKS;EXTERNAL;SYSTEM_INCLUDES")
  set(staging ${PROJECT_BINARY_DIR}/include/${name})
  file(MAKE_DIRECTORY ${staging})
  file(CREATE_LINK ${PROJECT_SOURCE_DIR}/${name} ${staging}/${name} SYMBOLIC)

  foreach(flavour IN LISTS NFSROOT_FLAVOURS)
    set(externals ${L_EXTERNAL})
    set(links ${L_LINKS})
    if(flavour STREQUAL "host")
      set(target nfsroot_${name})
      set(flags ${NFSROOT_HOST_FLAGS})
    else()
      set(target nfsroot_${name}_${flavour})
      list(TRANSFORM links APPEND _${flavour})
      set(flags ${NFSROOT_RELEASE_FLAGS})
    endif()
    if(flavour STREQUAL "musl")
      list(APPEND flags ${NFSROOT_MUSL_FLAGS})
      set(externals "")
      foreach(ext IN LISTS L_EXTERNAL)
        if(NOT TARGET ${ext})
          find_library(NFSROOT_STATIC_${ext} NAMES lib${ext}.a REQUIRED)
          set(ext ${NFSROOT_STATIC_${ext}})
        endif()
        list(APPEND externals ${ext})
      endforeach()
    endif()
    list(TRANSFORM links PREPEND nfsroot_)
    add_library(${target} STATIC ${L_SOURCES})
    target_include_directories(${target} PUBLIC ${staging})
    if(L_SYSTEM_INCLUDES)
      target_include_directories(${target} SYSTEM PRIVATE ${L_SYSTEM_INCLUDES})
    endif()
    target_link_libraries(${target} PUBLIC ${links} ${externals})
    target_compile_options(${target} PRIVATE ${NFSROOT_CODE_FLAGS} ${flags})
    if(NOT flavour STREQUAL "host" AND NFSROOT_LTO)
      set_property(TARGET ${target} PROPERTY INTERPROCEDURAL_OPTIMIZATION ON)
    endif()
    if(flavour STREQUAL "host")
      target_compile_options(${target} PUBLIC ${NFSROOT_SANITIZE})
      target_link_options(${target} PUBLIC ${NFSROOT_SANITIZE})
    endif()
  endforeach()
endfunction()
