#!/bin/bash
# Connection options and backends over NVMe/TCP, each checked with fio
# write + verify: header and data digests, several I/O queues and queue sizes,
# IPv6, a file namespace with direct and with buffered I/O; then blkdiscard
# -z reads back as zeroes and blkdiscard is accepted. Compare and Verify,
# which the in-tree target lacks, are in nvm-compare-verify.sh (ours only).
. ./lib.sh
NQN=nqn.2026-11.org.nvmet-oot:options
S=$NVMET_CFS/subsystems/$NQN

verify_io() { # DEVICE: random 4k..128k writes at QD 32, crc32c verify
	fio --name=opt --filename="$1" --allow_file_create=0 --ioengine=libaio --direct=1 \
		--rw=randwrite --bsrange=4k-128k --size=24M --iodepth=32 --numjobs=2 \
		--offset_increment=32M --verify=crc32c --do_verify=1 --verify_fatal=1 \
		--group_reporting --output-format=terse
}
session() { # WHAT CONNECT-ARGS...: connect, verify I/O, disconnect
	local what=$1 before dev
	shift
	before=$(nvme_blockdevs)
	check "connect: $what" nvme connect -n $NQN "$@"
	dev=$(wait_new_blockdev "$before")
	check "namespace appears: $what" test -b "$dev"
	[[ -b $dev ]] && check "fio write + verify: $what" verify_io "$dev"
	check_output "disconnect: $what" "disconnected 1 controller" nvme disconnect -n $NQN
}

check "load nvmet-tcp and nvme-tcp" modprobe -a nvmet-tcp nvme-tcp loop
check "128 MiB loop device" sh -c 'truncate -s 128M /tmp/opt.img && losetup /dev/loop0 /tmp/opt.img'
check "subsystem" subsys_add $NQN
check "namespace 1 on /dev/loop0" ns_add $NQN 1 /dev/loop0
check "IPv4 port 1" port_add 1 tcp ipv4 127.0.0.1 4420
check "IPv6 port 2" port_add 2 tcp ipv6 ::1 4421
check "link port 1" port_link 1 $NQN
check "link port 2" port_link 2 $NQN

session "header + data digests" -t tcp -a 127.0.0.1 -s 4420 --hdr-digest --data-digest
session "4 I/O queues of 16 entries" -t tcp -a 127.0.0.1 -s 4420 -i 4 --queue-size=16
session "1 I/O queue of 1024 entries" -t tcp -a 127.0.0.1 -s 4420 -i 1 --queue-size=1024
session "IPv6" -t tcp -a ::1 -s 4421

# Discard and Write Zeroes read back as zeroes.
before=$(nvme_blockdevs)
check "connect for discard tests" nvme connect -t tcp -a 127.0.0.1 -s 4420 -n $NQN
dev=$(wait_new_blockdev "$before")
check "namespace appears" test -b "$dev"
zeroes() { # DEVICE OFFSET LENGTH: the range reads back as zeroes
	cmp -n "$3" <(dd if="$1" bs=1M iflag=direct,skip_bytes,count_bytes skip="$2" count="$3" 2>/dev/null) /dev/zero
}
check "fill 8 MiB with data" dd if=/dev/urandom of="$dev" bs=1M count=8 oflag=direct
check "blkdiscard -z (Write Zeroes) 4 MiB" blkdiscard -z -o 0 -l 4M "$dev"
check "zeroed range reads back as zeroes" zeroes "$dev" 0 4194304
check_fails "the rest is still data" zeroes "$dev" 4194304 4194304
check "blkdiscard (Deallocate) the zeroed range" blkdiscard -o 0 -l 4M "$dev"
check_output "disconnect" "disconnected 1 controller" nvme disconnect -n $NQN

# File namespaces, direct and buffered.
check "disable namespace 1" sh -c "echo 0 > $S/namespaces/1/enable"
check "a 96 MiB file for namespace 2" truncate -s 96M /tmp/ns2.img
check "namespace 2 on a file (direct I/O)" ns_add $NQN 2 /tmp/ns2.img
session "file namespace, direct I/O" -t tcp -a 127.0.0.1 -s 4420
check "namespace 2 buffered_io" sh -c "echo 0 > $S/namespaces/2/enable &&
	echo 1 > $S/namespaces/2/buffered_io && echo 1 > $S/namespaces/2/enable"
session "file namespace, buffered I/O" -t tcp -a 127.0.0.1 -s 4420

check "teardown" target_clear
check "unload" modprobe -r nvme-tcp nvmet-tcp nvmet
losetup -d /dev/loop0
finish
