# NIC coverage (issue 17): the hook's default initrd (NFSROOT_INIT_NICS=small) boots to the
# test root with each NIC model QEMU offers a PC, and a NIC the initrd has no driver for fails
# within nfsroot-init.interface_timeout= naming the device.
#
#   boot.nic_initrd       builds the hook's initrd once (mkinitramfs_initrd.py, checked) as the
#                         CTest fixture nfsroot_nic_initrd: every boot.nic_* below shares it
#   boot.nic_<model>      the seed's line, a full boot to the test root, with -device <model>
#                         (usb_net: QEMU's CDC Ethernet adapter behind qemu-xhci, driven by a
#                         module loaded from the uevent that USB enumeration sends later)
#   boot.nic_without_driver  the minimal initrd (8139cp, no e1000) with an e1000 NIC: "no network
#                         interface yet", then the failure naming pci 8086:100e, then panic=-1
#
# include() this from tests/CMakeLists.txt after boot/nfs_fixture.cmake and ROOT_IS_READY.

if(NOT COMMAND nfsroot_use_nfs_server OR NOT NFSROOT_TEST_NFSROOT_V3 OR NOT ROOT_IS_READY
   OR NOT TARGET nfsroot-init)
  message(WARNING "nics.cmake: include it after boot/nfs_fixture.cmake and ROOT_IS_READY, with the "
                  "nfsroot-init target; boot.nic_* skipped")
  return()
endif()

set(_nic_dir "${NFSROOT_BOOT_BINARY_DIR}")
set(_nic_initrd "${_nic_dir}/nic.initrd.img")

# The shared initrd: built and checked once, before any boot.nic_* runs.
set(_nic_steps "")
nfsroot_boot_step(_nic_steps
  FAIL "boot.nic_initrd: mkinitramfs_initrd.py failed (needs root and initramfs-tools: \
apt-get install --no-install-recommends initramfs-tools)"
  COMMAND "${NFSROOT_PYTHON3}" "${CMAKE_CURRENT_LIST_DIR}/mkinitramfs_initrd.py" "--output=${_nic_initrd}"
          "--kernel-dir=${NFSROOT_TEST_KERNEL_DIR}" "--hook=${PROJECT_SOURCE_DIR}/initramfs-hook/hooks/nfsroot-init"
          "--overlays=${PROJECT_SOURCE_DIR}/initramfs-hook/overlays" "--nics=small"
  AT_TEST_TIME [[--init=${INIT}]])
nfsroot_add_scripted_boot_test(nic_initrd INIT "$<TARGET_FILE:nfsroot-init>" TIMEOUT 180 STEPS _nic_steps)
set_tests_properties(boot.nic_initrd PROPERTIES FIXTURES_SETUP nfsroot_nic_initrd)

# The USB adapter's interface may be usb0 (cdc_ether names a locally administered MAC so).
string(REPLACE "/run/net-eth0\\.conf" "/run/net-[a-z0-9]+\\.conf" _nic_ready "${ROOT_IS_READY}")
string(REPLACE "/run/net-eth0.conf" "/run/net-[a-z0-9]+\\.conf" _nic_ready "${_nic_ready}")
foreach(_nic_model virtio-net-pci e1000 e1000e vmxnet3 rtl8139 usb-net)
  string(REPLACE "-" "_" _nic_name "nic_${_nic_model}")
  set(_nic_boot "${NFSROOT_PYTHON3}" "${CMAKE_CURRENT_LIST_DIR}/qemu_boot.py" "--initrd=${_nic_initrd}"
      "--log=${_nic_dir}/${_nic_name}.console.log" "--nic=${_nic_model}"
      "--append=ip=dhcp root=/dev/nfs ro nfsroot=${NFSROOT_TEST_NFSROOT_V3} console=ttyS0" "--timeout=120"
      "--expect=root: mounted 10\\.0\\.2\\.2:${NFSROOT_TEST_ROOT} on /root in [0-9]+ ms"
      "--expect=hand-off: freed the initramfs .* exec /sbin/init after [0-9]+ ms"
      "--reject=TESTROOT: FAIL" "--reject=warning:" "--reject=waiting for carrier")
  if(_nic_model STREQUAL "usb-net")
    # The adapter enumerates after xhci_pci loads; its driver comes from the uevent.
    list(APPEND _nic_boot "--expect=hotplug: loaded .*cdc_ether \\([0-9.]+ ms\\)"
         "--expect=hotplug: interface [a-z0-9]+ appeared [0-9]+ ms after xhci_pci loaded")
  endif()
  foreach(e IN LISTS _nic_ready)
    list(APPEND _nic_boot "--expect=${e}")
  endforeach()
  set(_nic_steps "")
  nfsroot_boot_step(_nic_steps FAIL "boot.${_nic_name} failed" COMMAND ${_nic_boot} AT_TEST_TIME [[--kernel=${kernel}]])
  nfsroot_add_scripted_boot_test("${_nic_name}" INIT "$<TARGET_FILE:nfsroot-init>" TIMEOUT 180 STEPS _nic_steps)
  set_tests_properties("boot.${_nic_name}" PROPERTIES FIXTURES_REQUIRED nfsroot_nic_initrd)
  nfsroot_use_nfs_server("boot.${_nic_name}")
endforeach()

# No driver for the NIC: the minimal initrd has 8139cp only, the guest an e1000. The default
# bound (10 s) applies; the message names the device and the fix, then panic=-1 reboots.
set(_nic_steps "")
nfsroot_mkinitrd_step(_nic_steps nic_without_driver "${_nic_dir}/nic_without_driver.initrd.img"
                      MODULES 8139cp nfsv3)
nfsroot_boot_step(_nic_steps FAIL "boot.nic_without_driver failed"
  COMMAND "${NFSROOT_PYTHON3}" "${CMAKE_CURRENT_LIST_DIR}/qemu_boot.py"
          "--initrd=${_nic_dir}/nic_without_driver.initrd.img" "--log=${_nic_dir}/nic_without_driver.console.log"
          "--nic=e1000" "--append=ip=dhcp root=/dev/nfs ro nfsroot=10.0.2.2:/srv/nfsroot panic=-1 console=ttyS0"
          "--timeout=90"
          "--expect=no network interface yet \\(5 s of 10 s, nfsroot-init\\.interface_timeout=\\)"
          "--expect=network failed: waiting for an Ethernet interface: none appeared within 10 s. interfaces present: lo 00:00:00:00:00:00. network devices the kernel sees without a driver: pci 8086:100e \\(Ethernet controller, no module in the initramfs' modules\\.alias\\). add its module to NFSROOT_INIT_NICS \\(`modinfo -F alias` on the server finds it\\)"
          "--expect=rebooting now" "--expect=reboot: Restarting system"
          "--reject=waiting for carrier" "--reject=no network interface yet \\(1[0-9] s"
  AT_TEST_TIME [[--kernel=${kernel}]])
nfsroot_add_scripted_boot_test(nic_without_driver INIT "$<TARGET_FILE:nfsroot-init>" TIMEOUT 150 STEPS _nic_steps)

foreach(v dir initrd steps ready model name boot)
  unset(_nic_${v})
endforeach()
