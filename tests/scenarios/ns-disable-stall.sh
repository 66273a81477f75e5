#!/bin/bash
# A host that starts a write and never sends its data holds a reference to the
# write's namespace; disabling that namespace must not wait for it forever.
# r2t_stall.py (raw NVMe/TCP) gets an R2T for a write to namespace 1 and sends
# nothing, while it keeps its controller alive. Disabling namespace 1 then
# waits the grace period (NVMET_NS_DISABLE_GRACE_SECS, 5 s), closes that
# host's stalled I/O queue (only that one), and completes; the host's admin
# queue keeps working. Meanwhile the kernel host, connected to the same
# subsystem, runs fio write + verify on namespace 2 and must not notice.
# The in-tree target waits until the stalling host goes away: ours only
# (docs/configfs.md).
. ./lib.sh
NQN=nqn.2026-12.org.nvmet-oot:stall
RAWHOST=nqn.2014-08.org.nvmexpress:uuid:$(cat /proc/sys/kernel/random/uuid)
ADDR=127.0.0.1
SVC=4420
S=$NVMET_CFS/subsystems/$NQN
HOLD=60		# how long the stalling host waits for the target to act

check "r2t_stall.py is in the scenario directory" test -f ./r2t_stall.py
check "load nvmet-tcp and nvme-tcp" modprobe -a nvmet-tcp nvme-tcp
serve $NQN 256
dev2=$(backing_loop 64)
check "namespace 2 on $dev2" ns_add $NQN 2 "$dev2"

check "connect the kernel host" nvme connect -t tcp -a $ADDR -s $SVC -n $NQN
ns2() { # the kernel host's block device of namespace 2
	local d
	for d in $(nvme_blockdevs); do
		[[ $(cat /sys/block/$d/nsid 2>/dev/null) == 2 ]] && { echo "/dev/$d"; return 0; }
	done
	return 1
}
check "namespace 2 appears on the kernel host" sh -c 'for i in $(seq 40); do
	for d in /sys/block/nvme*n*; do [ "$(cat $d/nsid 2>/dev/null)" = 2 ] && exit 0; done
	sleep 0.25; done; exit 1'
bdev=$(ns2)
[[ -n $bdev ]] || finish

fio_log=$(mktemp)
fio --name=bystander --filename="$bdev" --ioengine=libaio --direct=1 \
	--rw=randwrite --bs=4k --size=32M --iodepth=16 --time_based --runtime=25 \
	--verify=crc32c --do_verify=1 --verify_backlog=256 --verify_fatal=1 \
	--output-format=terse >"$fio_log" 2>&1 &
fio_pid=$!

log=$(mktemp)
python3 ./r2t_stall.py $ADDR $SVC $NQN "$RAWHOST" $HOLD >"$log" 2>&1 &
raw_pid=$!
check "the raw host holds a write of namespace 1 without its data" sh -c "for i in \$(seq 80); do
	grep -qx stalled $log && exit 0; kill -0 $raw_pid 2>/dev/null || exit 1; sleep 0.25; done; exit 1"

t0=$(date +%s)
check "disable namespace 1 (the host never sends the data)" \
	timeout $((HOLD + 30)) sh -c "echo 0 > $S/namespaces/1/enable"
took=$(($(date +%s) - t0))
note "the disable took ${took}s"
check "the disable first waited the grace period (${took}s >= 4s)" test "$took" -ge 4
check "then ended the wait itself (${took}s < 30s, the host holds for ${HOLD}s)" test "$took" -lt 30
wait $raw_pid
raw_rc=$?
sed 's/^/# raw: /' "$log"
check "raw host: its I/O queue closed, its admin queue still serves" test "$raw_rc" -eq 0
check_output "the kernel log names the stalled queue and the namespace" \
	"closed, it holds a command of $NQN namespace 1" dmesg
check "enable namespace 1 again" sh -c "echo 1 > $S/namespaces/1/enable"

wait $fio_pid
fio_rc=$?
[[ $fio_rc -eq 0 ]] || sed 's/^/# fio: /' "$fio_log"
check "the kernel host's fio write+verify on namespace 2 is unaffected" test "$fio_rc" -eq 0

check "disconnect the kernel host" nvme disconnect -n $NQN
check "target teardown through configfs" target_clear
check "unload" modprobe -r nvmet-tcp nvmet nvme-tcp
finish
