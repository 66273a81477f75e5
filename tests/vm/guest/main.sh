#!/bin/bash
# Stage 2 of a lab guest, run by /init from the job share (/lab):
# sets the guest up, installs our modules when the job says so, runs the
# scenarios (one or more, in order) each under a timeout, and leaves their
# results in /lab/out (one scenario) or /lab/out/<name>/ (several):
#   rc            the scenario's exit status
#   scenario.log  its output
#   dmesg.txt     the whole kernel log (the host scans it after the start marker)
#   kmemleak.txt  kmemleak's report, where the kernel has kmemleak
#   modules.txt   which file modprobe resolves each nvmet module to, and its version
set -u
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb LANG=C.UTF-8
# shellcheck source=/dev/null
. /lab/job.env
out=/lab/out
mkdir -p "$out"

poweroff_now() {
	sync
	echo o >/proc/sysrq-trigger
	sleep 30
}

mount -t configfs configfs /sys/kernel/config
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mkdir -p /dev/pts /dev/shm /root
mount -t devpts devpts /dev/pts
# devtmpfs has no /dev/fd: bash's process substitution needs it.
ln -sfn /proc/self/fd /dev/fd
ln -sfn /proc/self/fd/0 /dev/stdin
ln -sfn /proc/self/fd/1 /dev/stdout
ln -sfn /proc/self/fd/2 /dev/stderr
hostname lab
ip link set lo up
# The NIC (QEMU user networking, restrict=on: reaches nothing outside) carries
# 10.0.2.15, the address RDMA (rxe) and "non-loopback" scenarios use.
modprobe -q virtio_net
for i in 1 2 3 4 5 6 7 8 9 10; do [ -e /sys/class/net/eth0 ] && break; sleep 0.2; done
ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0

kdir=/lib/modules/$(uname -r)
if [ "$LAB_MODE" = ours ]; then
	mkdir -p "$kdir/updates/nvmet-oot"
	cp /lab/modules/*.ko "$kdir/updates/nvmet-oot/"
fi
depmod -a

for m in $LAB_MODULES; do
	printf '%s %s %s\n' "$m" "$(modinfo -F filename "$m" 2>/dev/null || echo none)" \
		"$(modinfo -F version "$m" 2>/dev/null)"
done >"$out/modules.txt"

[ -w /proc/sys/kernel/hung_task_timeout_secs ] &&
	echo 30 >/proc/sys/kernel/hung_task_timeout_secs
kmemleak=/sys/kernel/debug/kmemleak

# reset_nvme_core: nvme-core goes (with nvme, loaded again if it was) when
# one of its parameters differs from its default, read once at boot.
core_params() { grep -H . /sys/module/nvme_core/parameters/* 2>/dev/null; }
if [ -d /sys/module/nvme_core ]; then
	core_defaults=$(core_params)
else
	core_defaults=$(modprobe nvme-core 2>/dev/null && core_params)
	modprobe -r nvme-core 2>/dev/null
fi
reset_nvme_core() {
	local pci=
	[ -d /sys/module/nvme_core ] || return 0
	[ "$(core_params)" = "$core_defaults" ] && return 0
	[ -d /sys/module/nvme ] && pci=1
	modprobe -r nvme nvme-core >/dev/null 2>&1
	[ -z "$pci" ] || modprobe nvme
	[ ! -d /sys/module/nvme_core ] || [ "$(core_params)" = "$core_defaults" ] ||
		echo "lab: nvme-core keeps an earlier scenario's parameters: $(core_params | tr '\n' ' ')" >/dev/kmsg
}

# Between two scenarios of one boot: what a scenario may leave behind (a
# host connection, target configuration, modules, loop devices, files in
# /tmp) is removed, so the next one starts as after a boot.
reset_guest() {
	pkill -KILL -x 'nvmetd|fio|python3|tlshd|tlshd-trixie|socat' 2>/dev/null && sleep 1
	nvme disconnect-all >/dev/null 2>&1
	(cd /lab/scenario && . ./lib.sh && target_clear) >/dev/null 2>&1
	rmmod nvme_fcloop >/dev/null 2>&1
	# The PCIe driver (passthru's emulated controller, run-guest --nvme-disk).
	modprobe -r nvme >/dev/null 2>&1
	modprobe -r nvme-loop nvme-tcp nvme-rdma nvme-fc nvme-fabrics >/dev/null 2>&1
	modprobe -r nvmet-tcp nvmet-rdma nvmet-fc nvmet >/dev/null 2>&1
	# The host's core with its boot-time parameters: a scenario on direct
	# paths (multipath=N, a short admin_timeout) must not hand them to the
	# next one, whose host would then count retries instead of failing
	# over (an I/O error where a default host keeps going).
	reset_nvme_core
	# Soft-RoCE links (rdma scenarios) go with their module.
	for l in $(rdma link show 2>/dev/null | awk '$1 == "link" { sub("/.*", "", $2); print $2 }'); do
		rdma link delete "$l" >/dev/null 2>&1
	done
	modprobe -r rdma_rxe >/dev/null 2>&1
	losetup -D >/dev/null 2>&1
	# Loop devices keep their I/O counters (SMART log) across attachments.
	modprobe -r loop >/dev/null 2>&1
	umount /tmp && mount -t tmpfs tmpfs /tmp
	rm -f /etc/nvmet/config.json 2>/dev/null
}

# scan_kmemleak FILE: kmemleak's report into FILE. An object is reported
# when it stayed unreferenced and unchanged across two scans and is older
# than 5 s.
scan_kmemleak() {
	echo scan >$kmemleak; sleep 6; echo scan >$kmemleak
	cat $kmemleak >"$1"
}

# run_scenario SCRIPT OUTDIR: runs one scenario and leaves its results in
# OUTDIR (rc, scenario.log, dmesg.txt up to its end, kmemleak.txt, secs).
run_scenario() {
	local s=$1 o=$2 rc start
	mkdir -p "$o"
	[ -w $kmemleak ] && [ "$LAB_KMEMLEAK" = each ] && echo clear >$kmemleak
	echo "LAB-SCENARIO-START $s" >/dev/kmsg
	start=$(date +%s)
	(cd /lab/scenario && LAB_OUT=$o timeout -k 5 "$LAB_GUEST_TIMEOUT" bash "./$s") \
		>"$o/scenario.log" 2>&1
	rc=$?
	echo $(($(date +%s) - start)) >"$o/secs"
	echo "LAB-SCENARIO-END rc=$rc after $(cat "$o/secs")s" >/dev/kmsg
	[ $rc -eq 124 ] && echo "lab: scenario killed by the guest timeout (${LAB_GUEST_TIMEOUT}s)" >>"$o/scenario.log"
	[ -w $kmemleak ] && [ "$LAB_KMEMLEAK" = each ] && scan_kmemleak "$o/kmemleak.txt"
	dmesg >"$o/dmesg.txt"
	echo $rc >"$o/rc"
}

# One scenario: results in /lab/out; several: in /lab/out/<name>/ each.
# With LAB_KMEMLEAK=batch, kmemleak is cleared once before the first
# scenario and scanned once after the last one (kmemleak-batch.txt).
LAB_KMEMLEAK=${LAB_KMEMLEAK:-each}
[ -w $kmemleak ] && [ "$LAB_KMEMLEAK" = batch ] && echo clear >$kmemleak
set -- $LAB_SCENARIOS
# LAB_MULTI=1: per-name directories even for one (run-guest booted again
# for the rest of a batch).
if [ $# -eq 1 ] && [ "${LAB_MULTI:-0}" != 1 ]; then
	run_scenario "$1" "$out"
else
	first=1
	for s; do
		[ $first = 1 ] || reset_guest
		first=0
		run_scenario "$s" "$out/${s%.sh}"
	done
fi
if [ "$LAB_KMEMLEAK" = batch ]; then
	if [ -w $kmemleak ]; then
		scan_kmemleak "$out/kmemleak-batch.txt"
	else
		: >"$out/kmemleak-none"
	fi
fi
poweroff_now
