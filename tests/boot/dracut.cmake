# Every NFS root form dracut users have (issue 16), each a boot in netns_lab.py's private network:
# dnsmasq with one host entry per client MAC, each tagged and given its own root-path (option 17),
# and rpcbind + nfs-ganesha answering on three addresses of the same bridge (10.99.0.1, the DHCP
# server's own, and 10.99.0.2, 10.99.0.3), on the standard NFS port 2049, so no form needs port=.
# Every test's dnsmasq holds the whole host table below and the guest boots with one MAC of it:
# it must get its own root-path, not a neighbour's. The root's own /proc/mounts (make_test_root.py's
# TESTROOT: root-source=, root-fs=, root-options= lines) shows the server the boot chose, the type
# and the options; wsize=4096 (and rsize=8192) only where the root-path or root= asked for them.
#
#   boot.lab_dracut_<form>   label boot and fault_matrix; each is one QEMU boot (12-30 s under TCG,
#                            55-80 s on a host at load average 20)
#
# include() this from tests/CMakeLists.txt after boot/nfs_fixture.cmake, FULL_BOOT_MODULES and
# ROOT_IS_READY.

if(NOT COMMAND nfsroot_add_boot_test OR NOT NFSROOT_TEST_ROOT OR NOT ROOT_IS_READY OR NOT FULL_BOOT_MODULES)
  message(WARNING "dracut.cmake: include it after boot/nfs_fixture.cmake, FULL_BOOT_MODULES and ROOT_IS_READY; "
                  "boot.lab_dracut_* skipped")
  return()
endif()

set(_dr_root "${NFSROOT_TEST_ROOT}")          # the NFSv3 export path
set(_dr_pseudo "${NFSROOT_TEST_ROOT_PSEUDO}")  # its NFSv4 path

# The host table: FORM|MAC|ROOT-PATH|NEXT-SERVER (empty: none; dnsmasq then sends its own).
# The command-line forms' hosts get a decoy root-path: server, path and options the command line
# pinned, which the boot must ignore as a whole.
set(_dr_hosts
  "dhcp_nfs_colon|52:54:00:16:00:01|nfs:10.99.0.2:${_dr_root}:wsize=4096|"
  "dhcp_nfs_comma|52:54:00:16:00:02|nfs:10.99.0.3:${_dr_root},rsize=8192,wsize=4096|"
  "dhcp_nfs4|52:54:00:16:00:03|nfs4:10.99.0.2:${_dr_pseudo}:wsize=4096|"
  "dhcp_kernel_comma|52:54:00:16:00:04|10.99.0.3:${_dr_root},wsize=4096|"
  "dhcp_kernel_colon|52:54:00:16:00:05|10.99.0.2:${_dr_root}:wsize=4096|"
  "dhcp_no_server|52:54:00:16:00:06|${_dr_root}|10.99.0.3"
  "root_legacy|52:54:00:16:00:07|nfs:10.99.0.2:/decoy:rsize=1024|"
  "root_nfs|52:54:00:16:00:08||"
  "root_nfs4|52:54:00:16:00:09|10.99.0.2:/decoy,vers=3,wsize=4096|"
  "dhcp_nfs4_comma_no_server|52:54:00:16:00:0a|nfs4:${_dr_pseudo},wsize=4096|10.99.0.2"
  "dhcp_server_list|52:54:00:16:00:0b|10.99.0.7,10.99.0.2:${_dr_root}|")

set(_dr_lab --dnsmasq=0 --address=10.99.0.2 --address=10.99.0.3 --nfs=0 --nfs-port=2049
    "--export=${_dr_root}:${_dr_pseudo}")
set(_dr_forms "")
set(_dr_index 0)
foreach(_dr_host IN LISTS _dr_hosts)
  string(REPLACE "|" ";" _dr_fields "${_dr_host}")
  list(GET _dr_fields 0 _dr_form)
  list(GET _dr_fields 1 _dr_mac)
  list(GET _dr_fields 2 _dr_root_path)
  list(GET _dr_fields 3 _dr_next)
  list(APPEND _dr_lab "--client=${_dr_mac}=${_dr_root_path}")
  if(_dr_next)
    list(APPEND _dr_lab "--next-server=${_dr_mac}=${_dr_next}")
  endif()
  list(APPEND _dr_forms "${_dr_form}")
  set(_dr_mac_${_dr_form} "${_dr_mac}")
  math(EXPR _dr_address_${_dr_form} "20 + ${_dr_index}")  # netns_lab.py: the j-th --client's address
  math(EXPR _dr_index "${_dr_index} + 1")
endforeach()

# What every form's root shows, less the type (ROOT_IS_READY says nfs).
set(_dr_ready ${ROOT_IS_READY})
list(REMOVE_ITEM _dr_ready "TESTROOT: root-fs=nfs ro")

# nfsroot_dracut_boot(<form> APPEND <root words> SERVER <a.b.c.d> TYPE nfs|nfs4 SOURCE <log regex>
#                     [EXPECT <regex>...] [REJECT <regex>...])
# SOURCE: what the root line says about where server, path and version came from, as a regex.
function(nfsroot_dracut_boot form)
  cmake_parse_arguments(PARSE_ARGV 1 F "" "APPEND;SERVER;TYPE;SOURCE" "EXPECT;REJECT")
  if(NOT "${form}" IN_LIST _dr_forms OR F_UNPARSED_ARGUMENTS OR NOT F_SERVER OR NOT F_TYPE OR NOT F_SOURCE)
    message(FATAL_ERROR "nfsroot_dracut_boot(${form}): a form of the host table, with SERVER, TYPE and SOURCE")
  endif()
  string(REPLACE "." "\\." server "${F_SERVER}")
  if(F_TYPE STREQUAL "nfs4")
    set(path "${_dr_pseudo}")
  else()
    set(path "${_dr_root}")
  endif()
  nfsroot_add_boot_test(lab_dracut_${form}
    LAB ${_dr_lab} "--tap=tap0=${_dr_mac_${form}}"
    APPEND "ip=dhcp ${F_APPEND} ro panic=-1 console=ttyS0"
    ${FULL_BOOT_MODULES}
    EXPECT "eth0: bound to 10\\.99\\.0\\.${_dr_address_${form}} from 10\\.99\\.0\\.1"
           "root: ${server}:${path} \\(${F_SOURCE}\\), type ${F_TYPE}, read-only"
           "root: mounted ${server}:${path} on /root in [0-9]+ ms"
           "TESTROOT: root-fs=${F_TYPE} ro" "TESTROOT: root-source=${server}:${path}"
           "TESTROOT: root-options=ro,[^ ]*,addr=${server}\\b"
           ${F_EXPECT} ${_dr_ready}
    REJECT "TESTROOT: FAIL" "rebooting" ${F_REJECT}
    TIMEOUT 120)
  set_tests_properties(boot.lab_dracut_${form} PROPERTIES FIXTURES_REQUIRED nfs_test_root
                       LABELS "boot;fault_matrix")
endfunction()

set(_dr_rp "DHCP root-path \\(option 17\\)")
set(_dr_v3 "TESTROOT: root-options=ro,[^ ]*vers=3,")
set(_dr_wsize "TESTROOT: root-options=ro,[^ ]*,wsize=4096,")

# --- from DHCP option 17, the command line leaving the root to DHCP (ip=dhcp root=/dev/nfs) ----
# dracut's nfs:SERVER:PATH:OPTIONS: the root-path's server, not the DHCP server (10.99.0.1).
nfsroot_dracut_boot(dhcp_nfs_colon APPEND "root=/dev/nfs" SERVER 10.99.0.2 TYPE nfs
  SOURCE "server from ${_dr_rp}, path from ${_dr_rp}, version from the default"
  EXPECT "${_dr_v3}" "${_dr_wsize}")
# nfs:SERVER:PATH,OPTIONS: after ',' every option, to the end.
nfsroot_dracut_boot(dhcp_nfs_comma APPEND "root=/dev/nfs" SERVER 10.99.0.3 TYPE nfs
  SOURCE "server from ${_dr_rp}, path from ${_dr_rp}, version from the default"
  EXPECT "${_dr_v3}" "${_dr_wsize}" "TESTROOT: root-options=ro,[^ ]*,rsize=8192,")
# nfs4:SERVER:PSEUDO:OPTIONS: NFSv4, so no mountaddr= and no nolock.
nfsroot_dracut_boot(dhcp_nfs4 APPEND "root=/dev/nfs" SERVER 10.99.0.2 TYPE nfs4
  SOURCE "server from ${_dr_rp}, path from ${_dr_rp}, version from nfs4: in the ${_dr_rp}"
  EXPECT "${_dr_wsize}" "TESTROOT: root-options=ro,[^ ]*vers=4\\.[0-2],"
  REJECT "root: 10.*type nfs4.*mountaddr=" "root: 10.*type nfs4.*nolock")
# The kernel's own SERVER:PATH,OPTIONS.
nfsroot_dracut_boot(dhcp_kernel_comma APPEND "root=/dev/nfs" SERVER 10.99.0.3 TYPE nfs
  SOURCE "server from ${_dr_rp}, path from ${_dr_rp}, version from the default"
  EXPECT "${_dr_v3}" "${_dr_wsize}")
# SERVER:PATH:OPTIONS.
nfsroot_dracut_boot(dhcp_kernel_colon APPEND "root=/dev/nfs" SERVER 10.99.0.2 TYPE nfs
  SOURCE "server from ${_dr_rp}, path from ${_dr_rp}, version from the default"
  EXPECT "${_dr_v3}" "${_dr_wsize}")
# A path and no server: next-server (siaddr, 10.99.0.3 from dhcp-boot) wins over the DHCP server
# identifier (10.99.0.1), as mounts/root_path.h orders them after the kernel; no options asked.
nfsroot_dracut_boot(dhcp_no_server APPEND "root=/dev/nfs" SERVER 10.99.0.3 TYPE nfs
  SOURCE "server from DHCP next-server \\(siaddr\\), path from ${_dr_rp}, version from the default"
  EXPECT "${_dr_v3}"
  REJECT "wsize=4096")

# dracut's root=dhcp; nfs4: with ',' options and no server: NFSv4 from next-server (10.99.0.2).
nfsroot_dracut_boot(dhcp_nfs4_comma_no_server APPEND "root=dhcp" SERVER 10.99.0.2 TYPE nfs4
  SOURCE "server from DHCP next-server \\(siaddr\\), path from ${_dr_rp}, version from nfs4: in the ${_dr_rp}"
  EXPECT "${_dr_wsize}" "TESTROOT: root-options=ro,[^ ]*vers=4\\.[0-2],"
  REJECT "root: 10.*type nfs4.*mountaddr=")

# Ours: several servers of one root in the root-path, <server>,<server>…:<path> (README "Several
# servers"). 10.99.0.7 has no host on the bridge, so 10.99.0.2 answers first and is mounted; a
# list turns the MAC's jitter on by default.
nfsroot_add_boot_test(lab_dracut_dhcp_server_list
  LAB ${_dr_lab} "--tap=tap0=${_dr_mac_dhcp_server_list}"
  APPEND "ip=dhcp root=/dev/nfs ro panic=-1 console=ttyS0"
  ${FULL_BOOT_MODULES}
  EXPECT "eth0: bound to 10\\.99\\.0\\.${_dr_address_dhcp_server_list} from 10\\.99\\.0\\.1"
         "root: 10\\.99\\.0\\.7:${_dr_root} \\(server from ${_dr_rp}, path from ${_dr_rp}"
         "root: waiting [0-9]+ ms before the first attempt \\(0 to 300 by the MAC"
         "root: servers 10\\.99\\.0\\.7, 10\\.99\\.0\\.2 \\(port 111\\): 10\\.99\\.0\\.2 answered in [0-9]+ ms. 10\\.99\\.0\\.7 had not answered. mounting from 10\\.99\\.0\\.2"
         "root: mounted 10\\.99\\.0\\.2:${_dr_root} on /root in [0-9]+ ms"
         "TESTROOT: root-source=10\\.99\\.0\\.2:${_dr_root}" ${ROOT_IS_READY}
  REJECT "TESTROOT: FAIL" "rebooting" "mounted 10\\.99\\.0\\.7"
  TIMEOUT 120)
set_tests_properties(boot.lab_dracut_dhcp_server_list PROPERTIES FIXTURES_REQUIRED nfs_test_root
                     LABELS "boot;fault_matrix")

# --- on the command line (ip=dhcp still, so the lease's root-path is there to be ignored) -----
# dracut's legacy root=SERVER:PATH:OPTIONS; the decoy root-path (10.99.0.2:/decoy, rsize=1024)
# is ignored as a whole.
nfsroot_dracut_boot(root_legacy APPEND "root=10.99.0.3:${_dr_root}:wsize=4096" SERVER 10.99.0.3 TYPE nfs
  SOURCE "server from root=, path from command line, version from the default"
  EXPECT "${_dr_v3}" "${_dr_wsize}"
         "ignoring the DHCP root-path 'nfs:10\\.99\\.0\\.2:/decoy:rsize=1024'"
  REJECT "root: .*rsize=1024" "TESTROOT: root-options=.*rsize=1024" "mounted 10\\.99\\.0\\.2")
# root=nfs:SERVER:PATH:OPTIONS, and a host without a root-path.
nfsroot_dracut_boot(root_nfs APPEND "root=nfs:10.99.0.2:${_dr_root}:wsize=4096" SERVER 10.99.0.2 TYPE nfs
  SOURCE "server from root=, path from command line, version from the default"
  EXPECT "${_dr_v3}" "${_dr_wsize}"
  REJECT "ignoring the DHCP root-path")
# root=nfs4:SERVER:PATH, no options: NFSv4 with the defaults; the decoy root-path's vers=3 and
# wsize=4096 change nothing.
nfsroot_dracut_boot(root_nfs4 APPEND "root=nfs4:10.99.0.3:${_dr_pseudo}" SERVER 10.99.0.3 TYPE nfs4
  SOURCE "server from root=, path from command line, version from root=nfs4:"
  EXPECT "TESTROOT: root-options=ro,[^ ]*vers=4\\.[0-2],"
         "ignoring the DHCP root-path '10\\.99\\.0\\.2:/decoy,vers=3,wsize=4096'"
  REJECT "root: .*wsize=4096" "TESTROOT: root-options=.*wsize=4096" "root: 10.*type nfs4.*mountaddr=")
