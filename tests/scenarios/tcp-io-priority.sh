#!/bin/bash
# nvmet-tcp's io_highpri parameter (ours only; the in-tree target has none
# and always runs io_work on high-priority workers): 0 at load runs io_work
# on the normal-priority per-CPU workers (nice 0), 1 on the high-priority
# ones (nice -20), as in-tree; by default (-1) a queue whose runs find one
# command at a time (dd, one read after the other) moves to the
# high-priority workers after its first run. Which worker
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

one_way() { # NICE LABEL [PARAM...] [--any]: --any: at least one worker of NICE
	local want=$1 label=$2 any=0
	shift 2
	[[ ${!#} == --any ]] && { any=1; set -- "${@:1:$#-1}"; }
	check "load nvmet-tcp $*" modprobe nvmet-tcp "$@"
	serve $NQN
	check "load nvme-tcp (host)" modprobe nvme-tcp
	connect_host $NQN
	nice=$(io_work_nice)
	note "$label: io_work ran on workers of nice: $(echo $nice)"
	if [[ $any == 1 ]]; then
		check "$label: io_work ran on workers of nice $want" \
			bash -c 'grep -qx -- "$1" <<<"$2"' _ "$want" "$nice"
	else
		check "$label: io_work ran, and only on workers of nice $want" \
			test -n "$nice" -a "$nice" = "$want"
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
check_output "io_highpri defaults to -1 (by load)" '^-1$' cat $P/io_highpri
check_output "io_highpri is mode 0444 (read at load)" '^444$' stat -c %a $P/io_highpri
check_output "modinfo describes io_highpri" '^io_highpri:.*priority' modinfo -p nvmet-tcp
check "unload nvmet-tcp" modprobe -r nvmet-tcp nvmet
one_way 0 "io_highpri=0" io_highpri=0
one_way -20 "io_highpri=1" io_highpri=1
one_way -20 "default (one read at a time)" --any
finish
