#!/bin/bash
# Benchmark, one guest boot (run with --mode ours --icount): the in-tree
# nvmet/nvmet-tcp and ours in turn, same null_blk device, same fio jobs, over
# NVMe/TCP on loopback. With -icount the guest clock counts instructions, so
# IOPS and latency measure the path length per I/O, not host load.
# Results: out/artifacts/bench.txt (one line per target and job).
. ./lib.sh
NQN=nqn.2026-11.org.nvmet-oot:bench
kdir=/lib/modules/$(uname -r)
intree=$kdir/kernel/drivers/nvme/target
ours=$kdir/updates/nvmet-oot
out=/lab/out/artifacts/bench.txt
mkdir -p /lab/out/artifacts
: >"$out"

load_target() { # DIR: insmod nvmet and nvmet-tcp from DIR (deps first)
	modprobe -a configfs nvme-core nvme-auth nvme-keyring 2>/dev/null
	insmod "$(ls "$1"/nvmet.ko* | head -1)" && insmod "$(ls "$1"/nvmet-tcp.ko* | head -1)"
}
run_jobs() { # LABEL DEVICE
	local label=$1 dev=$2 name rw bs qd
	while read -r name rw bs qd; do
		fio --name="$name" --filename="$dev" --ioengine=libaio --direct=1 --rw="$rw" \
			--bs="$bs" --iodepth="$qd" --time_based --runtime=8 --ramp_time=2 \
			--output-format=json >/tmp/fio.json 2>/dev/null || return 1
		python3 - "$label" "$name" <<'PY' >>"$out"
import json, sys
j = json.load(open('/tmp/fio.json'))['jobs'][0]
d = j['read'] if j['read']['io_bytes'] else j['write']
print(f"{sys.argv[1]} {sys.argv[2]} iops={d['iops']:.0f} lat_us={d['clat_ns']['mean'] / 1000:.1f}")
PY
	done <<'JOBS'
4k-randread-qd1 randread 4k 1
4k-randread-qd32 randread 4k 32
4k-randwrite-qd32 randwrite 4k 32
128k-read-qd8 read 128k 8
JOBS
}
one_target() { # LABEL DIR
	local before dev
	check "$1: load target" load_target "$2"
	check "$1: subsystem" subsys_add $NQN
	check "$1: namespace on null_blk" ns_add $NQN 1 /dev/nullb0
	check "$1: port" port_add 1 tcp ipv4 127.0.0.1 4420
	check "$1: link" port_link 1 $NQN
	before=$(nvme_blockdevs)
	check "$1: connect" nvme connect -t tcp -a 127.0.0.1 -s 4420 -n $NQN -i 2
	dev=$(wait_new_blockdev "$before")
	check "$1: fio jobs" run_jobs "$1" "$dev"
	check "$1: disconnect" nvme disconnect -n $NQN
	check "$1: teardown" target_clear
	check "$1: unload" rmmod nvmet_tcp nvmet
}
check "null_blk (1 GiB, no memory backing: measures the target, not memcpy)" \
	modprobe null_blk nr_devices=1 gb=1
check "nvme-tcp" modprobe nvme-tcp
check "our modules are installed" test -f "$ours/nvmet.ko"
one_target in-tree "$intree"
one_target ours "$ours"
cat "$out"
finish
