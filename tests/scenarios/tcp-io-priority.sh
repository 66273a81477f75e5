#!/bin/bash
# nvmet-tcp's io_highpri parameter (ours only; the in-tree target has none
# and always runs io_work on high-priority workers): 0 at load runs io_work
# on the normal-priority per-CPU workers (nice 0), 1 on the high-priority
# ones (nice -20), as in-tree; by default (-1) io_work starts on the
# high-priority workers and stays there at light load (dd, one read after
# the other), and under load (fio, 2 jobs at queue depth 32 for 4 s) it
# runs on both kinds: every 16 windows of 1/16 s one runs at the other
# priority, to measure which receives more commands. Which worker
# ran io_work: the pid in the workqueue_execute_start tracepoint's lines
# (no comm recording: tests/vm/tcg-artefact), its nice value from ps.
# Both ways a host connects and fio write + verify works.
. ./lib.sh
NQN=nqn.2026-12.org.nvmet-oot:io-priority
ADDR=127.0.0.1
SVC=4420
P=/sys/module/nvmet_tcp/parameters

# The nice values of the workers that ran io_work for 32 reads (fewer than
# the 64 commands a window needs to measure; with "load": fio reads for
# 4 s), one per line.
io_work_nice() {
	local pids cmd=(dd if="$bdev" of=/dev/null bs=4096 count=32 iflag=direct)
	[[ ${1:-} == load ]] &&
		cmd=(fio --name=load --filename="$bdev" --ioengine=libaio --direct=1 --rw=randread
		     --bs=4k --iodepth=32 --numjobs=2 --time_based --runtime=4 --output-format=terse)
	pids=$(io_work_trace "${cmd[@]}" 2>/dev/null |
	       sed -E 's/^ *[^ ]*-([0-9]+) .*/\1/' | sort -u)
	for p in $pids; do
		ps -o ni= -p "$p" | tr -d ' '
	done | sort -u
}

one_way() { # NICE LABEL [PARAM...] [--load]: --load: under load, workers of both nice 0 and -20
	local want=$1 label=$2 load=0 nice
	shift 2
	[[ ${!#} == --load ]] && { load=1; set -- "${@:1:$#-1}"; }
	check "load nvmet-tcp $*" modprobe nvmet-tcp "$@"
	serve $NQN
	check "load nvme-tcp (host)" modprobe nvme-tcp
	connect_host $NQN
	nice=$(io_work_nice)
	note "$label: io_work ran on workers of nice: $(echo $nice)"
	check "$label: io_work ran, and only on workers of nice $want" \
		test -n "$nice" -a "$nice" = "$want"
	if [[ $load == 1 ]]; then
		nice=$(io_work_nice load)
		note "$label, under load: io_work ran on workers of nice: $(echo $nice)"
		check "$label, under load: io_work ran on workers of nice 0 and of nice -20" \
			bash -c 'grep -qx -- -20 <<<"$1" && grep -qx 0 <<<"$1"' _ "$nice"
	fi
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
check_output "io_highpri defaults to -1 (measured)" '^-1$' cat $P/io_highpri
check_output "io_highpri is mode 0444 (read at load)" '^444$' stat -c %a $P/io_highpri
check_output "modinfo describes io_highpri" '^io_highpri:.*priority' modinfo -p nvmet-tcp
check "unload nvmet-tcp" modprobe -r nvmet-tcp nvmet
one_way 0 "io_highpri=0" io_highpri=0
one_way -20 "io_highpri=1" io_highpri=1
one_way -20 "default" --load
finish
