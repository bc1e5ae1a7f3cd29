# nfsroot_library(): one folder, one concern, one library in two flavours.
#
#   nfsroot_library(NAME SOURCES a.cpp ... [LINKS lib ...] [EXTERNAL lib ...] [SYSTEM_INCLUDES dir ...])
#
# makes nfsroot_NAME (host: ASan + UBSan, -O1 -g) and nfsroot_NAME_release (-Os, no RTTI, for
# the static /init), each linking the same flavour of the LINKS libraries.
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
# Our own code builds without exceptions: an escaped exception in PID 1 is a kernel panic
# with no context, so errors travel as std::expected and nothing may throw.
set(NFSROOT_CODE_FLAGS ${NFSROOT_WARNINGS} -fno-exceptions)

# nfsroot_link(TARGET host|release lib ...): links TARGET to that flavour of our libraries.
function(nfsroot_link target flavour)
  foreach(lib IN LISTS ARGN)
    if(flavour STREQUAL "host")
      target_link_libraries(${target} PRIVATE nfsroot_${lib})
    else()
      target_link_libraries(${target} PRIVATE nfsroot_${lib}_release)
    endif()
  endforeach()
endfunction()

function(nfsroot_library name)
  cmake_parse_arguments(PARSE_ARGV 1 L "" "" "SOURCES;LINKS;EXTERNAL;SYSTEM_INCLUDES")
  set(staging ${PROJECT_BINARY_DIR}/include/${name})
  file(MAKE_DIRECTORY ${staging})
  file(CREATE_LINK ${PROJECT_SOURCE_DIR}/${name} ${staging}/${name} SYMBOLIC)

  foreach(flavour host release)
    if(flavour STREQUAL "host")
      set(target nfsroot_${name})
      set(links ${L_LINKS})
      set(flags ${NFSROOT_HOST_FLAGS})
    else()
      set(target nfsroot_${name}_release)
      set(links ${L_LINKS})
      list(TRANSFORM links APPEND _release)
      set(flags ${NFSROOT_RELEASE_FLAGS})
    endif()
    list(TRANSFORM links PREPEND nfsroot_)
    add_library(${target} STATIC ${L_SOURCES})
    target_include_directories(${target} PUBLIC ${staging})
    if(L_SYSTEM_INCLUDES)
      target_include_directories(${target} SYSTEM PRIVATE ${L_SYSTEM_INCLUDES})
    endif()
    target_link_libraries(${target} PUBLIC ${links} ${L_EXTERNAL})
    target_compile_options(${target} PRIVATE ${NFSROOT_CODE_FLAGS} ${flags})
    if(flavour STREQUAL "host")
      target_compile_options(${target} PUBLIC ${NFSROOT_SANITIZE})
      target_link_options(${target} PUBLIC ${NFSROOT_SANITIZE})
    endif()
  endforeach()
endfunction()
