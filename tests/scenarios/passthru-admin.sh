#!/bin/bash
# Passthru with forward_all_admin (ours, beyond in-tree: docs/passthru.md):
# the guest's emulated PCIe NVMe controller (QEMU's nvme device, run-guest
# adds it for this line:)
# lab: nvme-disk
# exported over NVMe/TCP; by default Format NVM is refused as in-tree; with
# passthru/forward_all_admin 1 a Format NVM from the fabrics host reaches
# the device (its effects honoured: the target's namespaces are frozen
# around it and rescanned), the data is gone on both sides and I/O goes on;
# the commands that would break the local driver (queue management, Abort,
# Doorbell Buffer Config) stay refused; back at 0, Format is refused again.
. ./lib.sh
NQN=nqn.2026-12.org.nvmet-oot:passthru-admin
ADDR=127.0.0.1
SVC=4420
S=$NVMET_CFS/subsystems/$NQN
PT=$S/passthru
SMALL=16M
[[ $(uname -r) == *labdbg* ]] && SMALL=4M
. ./lib-passthru.sh

# refused_even_so WHAT OPCODE: an admin command with no data is refused
# with Invalid Command Opcode although forward_all_admin is 1.
refused_even_so() {
	check_refused "$1 ($2h): refused even with forward_all_admin" \
		nvme admin-passthru "/dev/$fctrl" --opcode="0x$2" --namespace-id=0
}

pcie_setup

check "load nvmet and nvmet-tcp" modprobe nvmet-tcp
check "create subsystem $NQN" subsys_add $NQN
check_output "passthru/forward_all_admin reads 0 (in-tree's behaviour)" '^0$' \
	cat "$PT/forward_all_admin"
check_output "forward_all_admin 'maybe': EINVAL" '^EINVAL$' cfs_write "$PT/forward_all_admin" maybe
check_output "device_path /dev/$pc" '^accepted$' cfs_write "$PT/device_path" "/dev/$pc"
check_output "clear_ids 1 (the host has the PCIe namespace too)" '^accepted$' \
	cfs_write "$PT/clear_ids" 1
check_output "enable" '^accepted$' cfs_write "$PT/enable" 1
check "TCP port 1 on $ADDR:$SVC" port_add 1 tcp ipv4 $ADDR $SVC
check "link $NQN to port 1" port_link 1 $NQN
check "load nvme-tcp (host)" modprobe nvme-tcp
connect "connect"

check_refused "format (80h) with forward_all_admin 0: refused" nvme format "/dev/$fctrl" -n 1 --force
check_output "forward_all_admin 1 while enabled" '^accepted$' cfs_write "$PT/forward_all_admin" 1
check_output "forward_all_admin reads 1" '^1$' cat "$PT/forward_all_admin"
refused_even_so "create I/O submission queue" 01
refused_even_so "delete I/O completion queue" 04
refused_even_so "abort" 08
refused_even_so "doorbell buffer config" 7c
refused_even_so "virtualization management" 1c

check "write 1 MiB of a pattern at block 0 over the fabric" bash -c "
	head -c 1M /dev/urandom >/tmp/pattern &&
	dd if=/tmp/pattern of=$bdev bs=1M oflag=direct status=none &&
	cmp /tmp/pattern <(dd if=/dev/${pc}n1 bs=1M count=1 iflag=direct status=none)"
check "format (80h) with forward_all_admin 1: the device formats" \
	timeout 120 nvme format "/dev/$fctrl" -n 1 --force
sleep 2
wait_for 20 test -b "$bdev"
check "the namespace is there after the format ($bdev)" test -b "$bdev"
check "the pattern is gone over the fabric (zeroes)" \
	cmp <(head -c 1M /dev/zero) <(dd if="$bdev" bs=1M count=1 iflag=direct status=none)
check "and on the PCIe namespace" \
	cmp <(head -c 1M /dev/zero) <(dd if="/dev/${pc}n1" bs=1M count=1 iflag=direct status=none)
fio_verify pt-after-format "$bdev" 4k "$SMALL" 16 --rw=randwrite

check_output "forward_all_admin 0" '^accepted$' cfs_write "$PT/forward_all_admin" 0
check_refused "format (80h) with forward_all_admin 0 again: refused" \
	nvme format "/dev/$fctrl" -n 1 --force
fio_verify pt-end "$bdev" 4k "$SMALL" 16 --rw=randwrite
check "host disconnected" disconnect

passthru_teardown
finish
