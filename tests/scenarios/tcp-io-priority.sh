#!/bin/bash
# nvmet-tcp's io_highpri parameter (ours only; the in-tree target has none
# and always runs io_work on high-priority workers): by default io_work
# runs on the normal-priority per-CPU workers (nice 0), with io_highpri=Y
# at load on the high-priority ones (nice -20), as in-tree. Which worker
# ran io_work: the pid in the workqueue_execute_start tracepoint's lines
# (no comm recording: tests/vm/tcg-artefact), its nice value from ps.
# Both ways a host connects and fio write + verify works.
. ./lib.sh
NQN=nqn.2026-12.org.nvmet-oot:io-priority
ADDR=127.0.0.1
SVC=4420
P=/sys/module/nvmet_tcp/parameters

# The nice values of the workers that ran io_work for a few reads, one per line.
io_work_nice() {
	local pids
	pids=$(io_work_trace dd if="$bdev" of=/dev/null bs=4096 count=64 iflag=direct 2>/dev/null |
	       sed -E 's/^ *[^ ]*-([0-9]+) .*/\1/' | sort -u)
	for p in $pids; do
		ps -o ni= -p "$p" | tr -d ' '
	done | sort -u
}

# one_way MODPROBE-ARGS... : load, serve, check the workers, fio, tear down.
one_way() {
	local want=$1 label=$2
	shift 2
	check "load nvmet-tcp $*" modprobe nvmet-tcp "$@"
	serve $NQN
	check "load nvme-tcp (host)" modprobe nvme-tcp
	connect_host $NQN
	nice=$(io_work_nice)
	note "$label: io_work ran on workers of nice: $(echo $nice)"
	check "$label: io_work ran, and only on workers of nice $want" \
		test -n "$nice" -a "$nice" = "$want"
	check "$label: fio 4k random write + verify" \
		fio --name=prio --filename="$bdev" --ioengine=libaio --direct=1 --rw=randwrite \
		--bs=4k --size=2M --iodepth=16 --verify=crc32c --do_verify=1 --verify_fatal=1 \
		--output-format=terse
	check_output "$label: disconnect" "disconnected 1 controller" nvme disconnect -n $NQN
	check "$label: teardown" target_clear
	check "$label: unload" modprobe -r nvme-tcp nvmet-tcp nvmet
	losetup -d "$dev"
}

check "load nvmet-tcp" modprobe nvmet-tcp
check_output "io_highpri defaults to N" '^N$' cat $P/io_highpri
check_output "io_highpri is mode 0444 (read at load)" '^444$' stat -c %a $P/io_highpri
check_output "modinfo describes io_highpri" '^io_highpri:.*priority' modinfo -p nvmet-tcp
check "unload nvmet-tcp" modprobe -r nvmet-tcp nvmet
one_way 0 "default"
one_way -20 "io_highpri=Y" io_highpri=1
finish
