#!/bin/bash
# A namespace resize reaches the Linux host even after earlier namespace
# changes. Grows a file namespace (and a loop-device namespace) with
# revalidate_size, first on a fresh controller and then after namespace
# attach/detach events, and waits for the host's block device to follow.
. ./lib.sh
NQN=nqn.2026-11.org.nvmet-oot:resize
S=$NVMET_CFS/subsystems/$NQN
check "load" modprobe -a nvmet nvmet-tcp nvme-tcp loop
check "backing files" sh -c 'truncate -s 64M /tmp/f1.img && truncate -s 64M /tmp/f2.img && truncate -s 64M /tmp/f3.img'
check "subsystem" subsys_add $NQN
check "namespace 1 on a file" ns_add $NQN 1 /tmp/f1.img
serve_and_connect $NQN
[[ -n $dev ]] || finish
ctrl=${dev%n*}

# grows BYTES: waits up to 30 s for the host's size of $dev to reach BYTES.
grows() {
	local i
	for ((i = 0; i < 30; i++)); do
		[[ $(blockdev --getsize64 "$dev") -ge $1 ]] && return 0
		sleep 1
	done
	echo "host size $(blockdev --getsize64 "$dev"), wanted $1"
	dmesg | grep -E 'nvme|nvmet' | tail -15
	return 1
}
nr_ns() { nvme list-ns "$ctrl" 2>/dev/null | grep -c '^\['; }

check "grow the file to 96 MiB" truncate -s 96M /tmp/f1.img
check "revalidate_size" sh -c "echo 1 >$S/namespaces/1/revalidate_size"
check "the host sees 96 MiB (first change)" grows $((96 << 20))

check "attach namespace 2" ns_add $NQN 2 /tmp/f2.img
check "the host sees namespace 2" sh -c "for i in \$(seq 30); do [ -b ${dev%n*}n2 ] && exit 0; sleep 1; done; exit 1"
check "detach namespace 2" sh -c "echo 0 >$S/namespaces/2/enable && rmdir $S/namespaces/2"
check "the host drops namespace 2" sh -c "for i in \$(seq 30); do [ ! -b ${dev%n*}n2 ] && exit 0; sleep 1; done; exit 1"
check "attach namespace 3" ns_add $NQN 3 /tmp/f3.img
sleep 1
check "grow the file to 128 MiB" truncate -s 128M /tmp/f1.img
check "revalidate_size" sh -c "echo 1 >$S/namespaces/1/revalidate_size"
check "the host sees 128 MiB (after other namespace changes)" grows $((128 << 20))
check "write protect namespace 1 and lift it again" sh -c "nvme set-feature $ctrl -n 1 -f 0x84 -V 1 && nvme set-feature $ctrl -n 1 -f 0x84 -V 0"
check "the changed-namespace log read by user space (nvme-cli keeps the AEN: RAE)" nvme changed-ns-list-log "$ctrl"
check "grow the file to 160 MiB" truncate -s 160M /tmp/f1.img
check "revalidate_size" sh -c "echo 1 >$S/namespaces/1/revalidate_size"
check "the host sees 160 MiB (back to back)" grows $((160 << 20))

check_output "disconnect" "disconnected 1 controller" nvme disconnect -n $NQN
check "teardown" target_clear
check "unload" modprobe -r nvme-tcp nvmet-tcp nvmet
finish
