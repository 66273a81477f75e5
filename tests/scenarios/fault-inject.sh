#!/bin/bash
# Fault injection under load (debug kernel: CONFIG_FAILSLAB, CONFIG_FAIL_MAKE_REQUEST):
# a data set written and acknowledged first; then, while a host writes and
# reads over NVMe/TCP, the backing device fails bios (fail_make_request on the
# loop device) and slab allocations fail in kernel workers (failslab, task
# filter on every kworker: the target's receive, execute and send paths run
# there). The host must get errors (it retries them), not hangs; afterwards,
# with the faults off, the acknowledged data set reads back intact and new
# I/O verifies.
# run-guest fails the scenario on any splat or kmemleak report. Ours alone.
. ./lib.sh
NQN=nqn.2026-11.org.nvmet-oot:faults
DBG=/sys/kernel/debug
if [[ ! -d $DBG/failslab || ! -d $DBG/fail_make_request ]]; then
	note "this kernel has no failslab/fail_make_request: run on the debug kernel"
	check "fault injection is available (debug kernel)" false
	finish
fi
check "load" modprobe -a nvmet nvmet-tcp nvme-tcp loop
backing=$(backing_loop 128)
check "loop device" test -b "$backing"
check "subsystem" subsys_add $NQN
check "namespace" ns_add $NQN 1 "$backing"
serve_and_connect $NQN --ctrl-loss-tmo=-1 --reconnect-delay=1
bdev=$dev
[[ -n $bdev ]] || finish

# The acknowledged data set: the first 32 MiB.
acked() { # write|verify
	local extra=(--do_verify=0)
	[[ $1 == verify ]] && extra=(--verify_only)
	fio --name=acked --filename="$bdev" --allow_file_create=0 --ioengine=libaio --direct=1 \
		--rw=write --bs=64k --size=32M --iodepth=8 --verify=crc32c --verify_fatal=1 \
		--output-format=terse "${extra[@]}"
}
# Load on the rest of the namespace: errors are expected and tolerated.
load() { # SECONDS
	fio --name=load --filename="$bdev" --allow_file_create=0 --ioengine=libaio --direct=1 \
		--rw=randrw --bs=4k --offset=64M --size=32M --iodepth=16 --numjobs=2 \
		--time_based --runtime="$1" --continue_on_error=all --output-format=terse
}
check "write the acknowledged data set" acked write
check "it verifies before any fault" acked verify

faults_on() {
	echo 10 >$DBG/fail_make_request/probability
	echo 1 >$DBG/fail_make_request/interval
	echo -1 >$DBG/fail_make_request/times
	echo 1 >$DBG/fail_make_request/verbose
	echo 1 >"/sys/block/${backing#/dev/}/make-it-fail"
	echo 2 >$DBG/failslab/probability
	echo 1 >$DBG/failslab/interval
	echo -1 >$DBG/failslab/times
	echo 1 >$DBG/failslab/verbose
	echo Y >$DBG/failslab/task-filter
	echo N >$DBG/failslab/ignore-gfp-wait
	for p in $(pgrep kworker); do echo 1 >"/proc/$p/make-it-fail" 2>/dev/null; done
}
faults_off() {
	echo 0 >"/sys/block/${backing#/dev/}/make-it-fail"
	echo 0 >$DBG/fail_make_request/probability
	echo 0 >$DBG/failslab/probability
	for p in $(pgrep kworker); do echo 0 >"/proc/$p/make-it-fail" 2>/dev/null; done
}
check "faults on (10% of backing bios, 2% of kworker slab allocations)" faults_on
# New kworkers appear under load: mark them as they come.
(for i in $(seq 20); do for p in $(pgrep kworker); do echo 1 >"/proc/$p/make-it-fail" 2>/dev/null; done; sleep 1; done) &
marker=$!
timeout 120 bash -c "$(declare -f load); bdev=$bdev; load 20" >/tmp/load.out 2>&1
rc=$?
kill $marker 2>/dev/null; wait $marker 2>/dev/null
check "the host's load ended on its own (errors, not a hang)" test $rc -ne 124
note "fio under faults exited $rc: $(tail -c 300 /tmp/load.out | tr '\n' ' ')"
# verbose=1: one line per injected failure, no stack trace.
check_output "backing bio failures were injected" "[1-9]" sh -c \
	"dmesg | grep -A1 'FAULT_INJECTION: forcing a failure' | grep -c 'name fail_make_request' || true"
note "slab failures injected in kworkers: $(dmesg | grep -A1 'FAULT_INJECTION: forcing a failure' | grep -c 'name failslab')"
check "faults off" faults_off
# The failures come back as Write Fault / Unrecovered Read Error without DNR:
# the host retries them (it need not see an error at all), and the target
# records each in its Error Information log.
check_output "the target recorded the failures in its error log" '"error_count" *: *[1-9]' \
	nvme error-log "$(ls -d /dev/nvme[0-9] | head -1)" -e 4 -o json
check "the controller is live (or comes back)" sh -c 'for i in $(seq 60); do grep -qx live /sys/class/nvme/nvme*/state && exit 0; sleep 1; done; exit 1'
bdev=/dev/$(nvme_blockdevs | head -1)
check "the acknowledged data set is intact" acked verify
check "new I/O verifies" fio --name=after --filename="$bdev" --allow_file_create=0 --ioengine=libaio \
	--direct=1 --rw=randwrite --bs=4k --offset=64M --size=8M --iodepth=8 --verify=crc32c \
	--verify_fatal=1 --output-format=terse
check_output "disconnect" "disconnected 1 controller" nvme disconnect -n $NQN
check "teardown" target_clear
check "unload" modprobe -r nvme-tcp nvmet-tcp nvmet
finish
