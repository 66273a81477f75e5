# The benchmark body, for any transport: sourced by tcp-fio.sh, rdma-fio.sh
# and fc-fio.sh after lib.sh, with TR (trtype) and ADDR (not for fc) set. The in-tree
# nvmet/nvmet-$TR and ours in turn, same null_blk device, same fio jobs, in
# one guest boot (run with --mode ours --icount). Results:
# out/artifacts/bench.txt (one line per target and job).
# shellcheck shell=bash
NQN=nqn.2026-11.org.nvmet-oot:bench
. ./lib-targets.sh

if [[ $TR == fc ]]; then
	PORT=(fc fc "$FC_TRADDR")
	CONNECT=(-a "$FC_TRADDR" -w "$FC_HOST_TRADDR")
else
	PORT=("$TR" ipv4 "$ADDR" 4420)
	CONNECT=(-a "$ADDR" -s 4420)
fi

# The jobs: name, rw, block size, queue depth, fio jobs (the issue's goals:
# docs/performance.md). BENCH_JOBS (a regex) keeps only the jobs it matches.
JOBS="4k-randread-qd1 randread 4k 1 1
4k-randread-qd32-2j randread 4k 32 2
4k-randwrite-qd32-2j randwrite 4k 32 2
128k-read-qd8 read 128k 8 1
128k-write-qd8 write 128k 8 1"
# PROFILE=1: each job runs again under perf (cpu-clock, which -icount makes
# instruction-based), its reports in out/artifacts/profile-LABEL-JOB.txt
# (self) and profile-LABEL-JOB-children.txt (with callees, above 2%);
# the IOPS lines come from the run without perf.
run_jobs() { # LABEL DEVICE
	local label=$1 dev=$2 name rw bs qd nj
	while read -r name rw bs qd nj; do
		[[ -n ${BENCH_JOBS:-} && ! $name =~ $BENCH_JOBS ]] && continue
		# Context switches per I/O: the whole machine's, over the run.
		local cs0 cs1 t0 t1
		cs0=$(awk '$1 == "ctxt" { print $2 }' /proc/stat) t0=$(date +%s.%N)
		fio_job "$dev" "$rw" "$bs" "$qd" "$nj" >/tmp/fio.json || return 1
		cs1=$(awk '$1 == "ctxt" { print $2 }' /proc/stat) t1=$(date +%s.%N)
		python3 - "$label" "$name" "$((cs1 - cs0))" "$t0" "$t1" <<'PY' >>"$out"
import json, sys
js = json.load(open('/tmp/fio.json'))['jobs']
d = [j['read'] if j['read']['io_bytes'] else j['write'] for j in js]
iops = sum(x['iops'] for x in d)
lat = sum(x['clat_ns']['mean'] for x in d) / len(d) / 1000
cs = int(sys.argv[3]) / (float(sys.argv[5]) - float(sys.argv[4])) / max(iops, 1)
print(f"{sys.argv[1]} {sys.argv[2]} iops={iops:.0f} lat_us={lat:.1f} cs_per_io={cs:.2f}")
PY
		[[ ${PROFILE:-0} == 1 ]] || continue
		perf record -q -a -g -e cpu-clock -F 999 -o /tmp/perf.data 2>/dev/null &
		local perf_pid=$!
		fio_job "$dev" "$rw" "$bs" "$qd" "$nj" >/dev/null
		kill -INT "$perf_pid"
		wait "$perf_pid"
		perf report -i /tmp/perf.data --stdio --no-children --sort sym -g none \
			--percent-limit 0.3 2>/dev/null >"/lab/out/artifacts/profile-$label-$name.txt"
		# Inclusive shares: each transport's io_work with all it calls.
		perf report -i /tmp/perf.data --stdio --children --sort sym -g none \
			--percent-limit 2 2>/dev/null >"/lab/out/artifacts/profile-$label-$name-children.txt"
		rm -f /tmp/perf.data
	done <<<"$JOBS"
}
fio_job() { # DEVICE RW BS QD NUMJOBS: fio's JSON on stdout
	fio --name=bench --filename="$1" --ioengine=libaio --direct=1 --rw="$2" --bs="$3" \
		--iodepth="$4" --numjobs="$5" --group_reporting=0 --time_based --runtime=8 \
		--ramp_time=2 --output-format=json 2>/dev/null
}
one_target() { # LABEL DIR [PARAM...]: PARAMs for nvmet-$TR
	local before dev
	check "$1: load target" load_target "$2" "${@:3}"
	check "$1: subsystem" subsys_add $NQN
	check "$1: namespace on null_blk" ns_add $NQN 1 /dev/nullb0
	check "$1: port" port_add 1 "${PORT[@]}"
	check "$1: link" port_link 1 $NQN
	before=$(nvme_blockdevs)
	check "$1: connect" nvme connect -t $TR "${CONNECT[@]}" -n $NQN -i 2
	dev=$(wait_new_blockdev "$before")
	check "$1: fio jobs" run_jobs "$1" "$dev"
	check "$1: disconnect" nvme disconnect -n $NQN
	# NVMe/TCP with header and data digests (BENCH_DIGESTS=0: not).
	if [[ $TR == tcp && ${BENCH_DIGESTS:-1} == 1 ]]; then
		wait_for 20 bash -c "! grep -qx $NQN /sys/class/nvme/*/subsysnqn 2>/dev/null"
		before=$(nvme_blockdevs)
		check "$1: connect with digests" nvme connect -t $TR "${CONNECT[@]}" -n $NQN -i 2 -g -G
		dev=$(wait_new_blockdev "$before")
		check "$1: fio jobs with digests" run_jobs "$1+digests" "$dev"
		check "$1: disconnect" nvme disconnect -n $NQN
	fi
	check "$1: teardown" target_clear
	check "$1: unload" unload_target
}
check "null_blk (1 GiB, no memory backing: measures the target, not memcpy)" \
	modprobe null_blk nr_devices=1 gb=1
check "nvme-$TR" modprobe nvme-$TR
check "our modules are installed" test -f "$ours/nvmet.ko"
one_target in-tree "$intree"
one_target ours "$ours"
# BENCH_OURS_AGAIN="LABEL PARAM...": ours once more, loaded with PARAMs.
if [[ -n ${BENCH_OURS_AGAIN:-} ]]; then
	read -r -a again <<<"$BENCH_OURS_AGAIN"
	one_target "ours+${again[0]}" "$ours" "${again[@]:1}"
fi
cat "$out"
