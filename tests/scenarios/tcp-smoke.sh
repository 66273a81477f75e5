#!/bin/bash
# TCP smoke: configfs setup of one subsystem with a loop-device namespace on a
# TCP port at 127.0.0.1:4420, then from the kernel's NVMe/TCP host: discover,
# connect, nvme list, fio write + verify, disconnect; then target teardown and
# module unload. Runs unchanged against the in-tree target and ours.
# loop-smoke runs it over trtype loop (TR, lib.sh).
. ./lib.sh
NQN=nqn.2026-11.org.nvmet-oot:smoke
ADDR=127.0.0.1
SVC=4420

check "load nvmet and $(tr_target_mod)" modprobe "$(tr_target_mod)"
dev=$(backing_loop 256)
check "loop device as backing store" test -b "$dev"
check "create subsystem $NQN" subsys_add $NQN
check "namespace 1 on $dev" ns_add $NQN 1 "$dev"
check "$(tr_port_name) 1" tr_port_add 1
check "link subsystem to port 1" port_link 1 $NQN

check "load $(tr_host_mod) (host)" modprobe "$(tr_host_mod)"
check_output "discovery log lists the subsystem" "subnqn: +$NQN" nvme_tr discover
before=$(nvme_blockdevs)
check "connect" nvme_tr connect -n $NQN
bdev=$(wait_new_blockdev "$before")
check "namespace block device appears ($bdev)" test -b "$bdev"
check_output "nvme list shows the namespace" "${bdev#/dev/}" nvme list
check_output "id-ctrl reports the subsystem NQN" "subnqn +: $NQN" nvme id-ctrl "$bdev"
check "fio 4k random write + crc32c verify, QD32" \
	fio --name=smoke --filename="$bdev" --ioengine=libaio --direct=1 --rw=randwrite \
	--bs=4k --size=32M --iodepth=32 --verify=crc32c --do_verify=1 \
	--verify_fatal=1 --output-format=terse
check "fio 128k sequential write + verify" \
	fio --name=smoke-seq --filename="$bdev" --ioengine=libaio --direct=1 --rw=write \
	--bs=128k --size=32M --iodepth=8 --verify=crc32c --do_verify=1 --verify_fatal=1 \
	--output-format=terse
check "fio 1M sequential write + verify, 2 jobs, QD32 (beyond MDTS and MAXH2CDATA)" \
	fio --name=smoke-1m --filename="$bdev" --ioengine=libaio --direct=1 --rw=write \
	--bs=1M --size=16M --iodepth=32 --numjobs=2 --offset_increment=16M --verify=crc32c \
	--do_verify=1 --verify_fatal=1 --output-format=terse
check_output "disconnect" "disconnected 1 controller" nvme disconnect -n $NQN
check "block device is gone after disconnect" bash -c "! test -b $bdev"

check "target teardown through configfs" target_clear
check "unload $(tr_host_mod)" modprobe -r "$(tr_host_mod)"
check "unload $([[ $TR == loop ]] || echo "$(tr_target_mod) and ")nvmet" tr_unload_target
check "nvmet is unloaded" bash -c '! grep -q "^nvmet " /proc/modules'
losetup -d "$dev"
finish
