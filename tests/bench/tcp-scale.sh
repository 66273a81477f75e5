#!/bin/bash
# Scaling over I/O queues (run with --mode ours --smp 4, without --icount:
# wall clock, all vCPUs at once, nothing else running on the machine): the
# in-tree nvmet-tcp and ours, each twice in turn (in-tree, ours, in-tree,
# ours) in one boot, so each target's two passes give the A/A spread.
# Each pass connects with 1, 2 and 4 I/O queues and runs as many fio jobs
# (4 KiB random read, then random write, QD 32 each, one job per vCPU);
# the figure is IOPS with N queues over IOPS with 1 (the same pass).
# Results: out/artifacts/bench.txt, lines "scale TARGET PASS JOB QUEUES iops=".
. ./lib.sh
TR=tcp
NQN=nqn.2026-12.org.nvmet-oot:scale
. ./lib-targets.sh
ADDR=127.0.0.1
NCPU=$(nproc)

fio_iops() { # DEVICE RW JOBS: total IOPS
	fio --name=scale --filename="$1" --ioengine=libaio --direct=1 --rw="$2" --bs=4k \
		--iodepth=32 --numjobs="$3" --cpus_allowed=0-$((NCPU - 1)) \
		--cpus_allowed_policy=split --time_based --runtime=8 --ramp_time=2 \
		--group_reporting --output-format=json 2>/dev/null |
		python3 -c 'import json, sys
j = json.load(sys.stdin)["jobs"][0]
print(round(j["read"]["iops"] + j["write"]["iops"]))'
}

one_queues() { # LABEL PASS QUEUES
	local before dev rw iops
	before=$(nvme_blockdevs)
	check "$1 pass $2, $3 I/O queues: connect" \
		nvme connect -t tcp -a $ADDR -s 4420 -n $NQN -i "$3"
	dev=$(wait_new_blockdev "$before")
	for rw in randread randwrite; do
		iops=$(fio_iops "$dev" $rw "$3")
		check "$1 pass $2, $3 I/O queues: fio $rw" test -n "$iops"
		echo "scale $1 $2 $rw $3 iops=$iops" >>"$out"
	done
	check "$1 pass $2, $3 I/O queues: disconnect" nvme disconnect -n $NQN
	wait_for 20 bash -c "! grep -qx $NQN /sys/class/nvme/*/subsysnqn 2>/dev/null"
}

one_pass() { # LABEL DIR PASS
	local q
	check "$1: load target" load_target "$2"
	check "$1: subsystem" subsys_add $NQN
	check "$1: namespace on null_blk" ns_add $NQN 1 /dev/nullb0
	check "$1: port" port_add 1 tcp ipv4 $ADDR 4420
	check "$1: link" port_link 1 $NQN
	for q in 1 2 4; do
		one_queues "$1" "$3" $q
	done
	check "$1: teardown" target_clear
	check "$1: unload" unload_target
}

check "4 vCPUs (run-guest --smp 4)" test "$NCPU" -ge 4
check "null_blk (submit_queues one per vCPU)" modprobe null_blk nr_devices=1 gb=1 submit_queues="$NCPU"
check "nvme-tcp" modprobe nvme-tcp
check "our modules are installed" test -f "$ours/nvmet.ko"
for pass in 1 2; do
	one_pass in-tree "$intree" $pass
	one_pass ours "$ours" $pass
done
# Per target and pass: IOPS with 2 and 4 queues over 1; the A/A spread is
# the difference between a target's two passes.
python3 - "$out" <<'PY' >"$out.sum"
import re, sys
v = {}
for line in open(sys.argv[1]):
    m = re.match(r'scale (\S+) (\d) (\S+) (\d) iops=(\d+)', line)
    if m:
        v[m.group(1), m.group(2), m.group(3), int(m.group(4))] = int(m.group(5))
for t in ('in-tree', 'ours'):
    for rw in ('randread', 'randwrite'):
        s = []
        for p in ('1', '2'):
            one = v[t, p, rw, 1]
            s.append(f'pass {p}: 1q {one} 2q {v[t, p, rw, 2] / one:.2f}x 4q {v[t, p, rw, 4] / one:.2f}x')
        print(f'scale-summary {t} {rw} ' + '; '.join(s))
PY
cat "$out.sum" >>"$out"
rm -f "$out.sum"
cat "$out"
finish
