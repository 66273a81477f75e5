#!/bin/bash
# Memory the NVMe/TCP target holds per connection (run with --mode ours; no
# -icount needed): the in-tree nvmet/nvmet-tcp, then ours, in one boot.
#
# The kernel's allocation tracepoints (kmalloc, kmem_cache_alloc,
# mm_page_alloc, percpu_alloc_percpu and their frees), each allocation with
# its call stack, run from before the connect until the controller is idle
# again. An allocation belongs to the target when a function of the nvmet
# modules is on its stack (both targets name theirs nvmet_*; the host's are
# nvme_*); what is still allocated at a marker is what the target holds
# then. Pages under a slab or a large kmalloc are counted once, as the
# object. Socket buffers allocated outside the target's calls (the
# accepted socket, skbs received for it) are the kernel's TCP stack, the
# same for both, and not counted.
#
# Three connections: 1 I/O queue of 32 slots, 1 of 128, 2 of 128 (the admin
# queue always 32; the host makes no more I/O queues than vCPUs, and the
# lab's guest has 2); markers after the connect (idle, never used) and
# after 4 KiB and 128 KiB reads and writes on every I/O queue, then idle
# again (what the data path keeps). Per I/O queue slot: (1x128 - 1x32) /
# 96; per I/O queue of 128 slots: 2x128 - 1x128. Pages the target keeps
# for its own use (the in-tree target's page fragments, our page pool and
# header pages) come in chunks, so the per-slot and per-queue figures move
# by a chunk between runs; the call sites say which. Results:
# out/artifacts/bench.txt and mem-*.txt (by call site: the innermost nvmet
# function on the stack, largest first).
. ./lib.sh
TR=tcp
NQN=nqn.2026-12.org.nvmet-oot:mem
. ./lib-targets.sh
art=/lab/out/artifacts
ADDR=127.0.0.1
T=/sys/kernel/tracing

ALLOC_EVENTS="kmem/kmalloc kmem/kmem_cache_alloc kmem/mm_page_alloc percpu/percpu_alloc_percpu"
FREE_EVENTS="kmem/kfree kmem/kmem_cache_free kmem/mm_page_free kmem/mm_page_free_batched percpu/percpu_free_percpu"

trace_start() {
	local e
	mountpoint -q $T || mount -t tracefs nodev $T || return 1
	echo 0 >$T/tracing_on
	# No comm recording: it hooks sched_switch (tests/vm/tcg-artefact).
	echo 0 >$T/options/record-cmd
	echo 32768 >$T/buffer_size_kb
	echo >$T/trace
	for e in $ALLOC_EVENTS; do
		[[ -d $T/events/$e ]] || continue
		echo stacktrace >$T/events/$e/trigger || return 1
		echo 1 >$T/events/$e/enable || return 1
	done
	for e in $FREE_EVENTS; do
		[[ -d $T/events/$e ]] && { echo 1 >$T/events/$e/enable || return 1; }
	done
	echo 1 >$T/tracing_on
}
trace_stop() { # FILE: the trace, then tracing off and cleared
	local e
	echo 0 >$T/tracing_on
	cp $T/trace "$1"
	for e in $ALLOC_EVENTS $FREE_EVENTS; do
		[[ -d $T/events/$e ]] || continue
		echo 0 >$T/events/$e/enable
		[[ $ALLOC_EVENTS == *$e* ]] && echo '!stacktrace' >$T/events/$e/trigger
	done
	echo >$T/trace
	echo 1408 >$T/buffer_size_kb
	# An overrun buffer lost events: the figures would be wrong.
	! grep -q 'overrun: [1-9]' $T/per_cpu/cpu*/stats
}
mark() { echo "MARK $1" >$T/trace_marker; }

io_each_queue() { # DEVICE QUEUES: 4 KiB and 128 KiB I/O from as many jobs as I/O queues
	fio --name=m --filename="$1" --ioengine=libaio --direct=1 --rw=randrw --bs=4k \
		--iodepth=32 --numjobs="$2" --cpus_allowed_policy=split --io_size=1M \
		--group_reporting >/dev/null 2>&1 &&
		fio --name=m --filename="$1" --ioengine=libaio --direct=1 --rw=rw --bs=128k \
			--iodepth=8 --numjobs="$2" --io_size=4M --group_reporting >/dev/null 2>&1
}

one_conn() { # LABEL IOQUEUES QSIZE
	local label=$1 nq=$2 qs=$3 before dev f=/tmp/trace-$1-$2x$3.txt
	check "$label ${nq}x$qs: tracing on" trace_start
	before=$(nvme_blockdevs)
	check "$label ${nq}x$qs: connect" nvme connect -t tcp -a $ADDR -s 4420 -n $NQN -i "$nq" -Q "$qs"
	dev=$(wait_new_blockdev "$before")
	sleep 2
	mark connected
	check "$label ${nq}x$qs: I/O on every queue" io_each_queue "$dev" "$nq"
	sleep 2
	mark after-io
	check "$label ${nq}x$qs: no trace event lost" trace_stop "$f"
	check "$label ${nq}x$qs: disconnect" nvme disconnect -n $NQN
	wait_for 20 bash -c "! grep -qx $NQN /sys/class/nvme/*/subsysnqn 2>/dev/null"
	check "$label ${nq}x$qs: held memory" held "$label" "${nq}x$qs" "$f"
	rm -f "$f"
}

held() { # LABEL CONF TRACE: one line per marker in bench.txt, call sites in mem-LABEL-CONF.txt
	python3 - "$@" "$out" "$art/mem-$1-$2.txt" <<'PY'
import re, sys
label, conf, trace, out, sites_out = sys.argv[1:6]
ev_re = re.compile(r'^\s*\S+-\d+\s+\[\d+\].*?\s(\w+):\s(.*)$')
kv = lambda s: dict(re.findall(r'(\w+)=(\S+)', s))
live = {}          # key -> (bytes, kind, site)
snaps = []
pending = None     # an allocation whose stack comes next
stack = None
SLAB_PAGE = re.compile(r'allocate_slab|new_slab|kmalloc_large')

def finish_pending():
    global pending, stack
    if pending is None:
        return
    key, nbytes, kind = pending
    frames = stack or []
    if kind == 'page' and any(SLAB_PAGE.search(f) for f in frames):
        pass  # counted as the slab object or large kmalloc
    else:
        site = next((f for f in frames if re.match(r'nvmet', f)), None)
        if site is not None:
            live[key] = (nbytes, kind, site.split('+')[0])
    pending = None
    stack = None

for line in open(trace, errors='replace'):
    if line.startswith('#'):
        continue
    s = line.strip()
    if s.startswith('=>'):
        if stack is not None:
            stack.append(s[2:].strip())
        continue
    if '<stack trace>' in s:
        stack = []
        continue
    m = ev_re.match(line)
    if not m:
        continue
    finish_pending()
    ev, rest = m.group(1), m.group(2)
    if ev == 'tracing_mark_write' or rest.startswith('MARK '):
        name = rest.split('MARK ', 1)[1].strip()
        tot = {}
        for nbytes, kind, site in live.values():
            tot[kind] = tot.get(kind, 0) + nbytes
        snaps.append((name, sum(tot.values()), tot, dict(live)))
        continue
    f = kv(rest)
    if ev in ('kmalloc', 'kmem_cache_alloc'):
        pending = (('obj', f.get('ptr')), int(f.get('bytes_alloc', 0)), 'slab')
    elif ev == 'mm_page_alloc':
        pending = (('page', f.get('pfn')), 4096 << int(f.get('order', 0)), 'page')
    elif ev == 'percpu_alloc_percpu':
        pending = (('pcpu', f.get('ptr')), int(f.get('bytes_alloc', f.get('size', 0))), 'percpu')
    elif ev in ('kfree', 'kmem_cache_free'):
        live.pop(('obj', f.get('ptr')), None)
    elif ev in ('mm_page_free', 'mm_page_free_batched'):
        live.pop(('page', f.get('pfn')), None)
    elif ev == 'percpu_free_percpu':
        live.pop(('pcpu', f.get('ptr')), None)
finish_pending()
if len(snaps) != 2:
    sys.exit(f'expected 2 markers in the trace, found {len(snaps)}')
with open(out, 'a') as o, open(sites_out, 'w') as so:
    for name, total, tot, objs in snaps:
        parts = ' '.join(f'{k}={v}' for k, v in sorted(tot.items()))
        o.write(f'mem {label} {conf} {name} bytes={total} {parts}\n')
        by = {}
        for nbytes, kind, site in objs.values():
            c = by.setdefault((site, kind), [0, 0])
            c[0] += nbytes
            c[1] += 1
        so.write(f'# {name}: {total} bytes\n')
        for (site, kind), (b, n) in sorted(by.items(), key=lambda x: -x[1][0]):
            so.write(f'{b:10d} {n:6d} {kind:6s} {site}\n')
if snaps[0][1] == 0:
    sys.exit('no allocation of the target found: the stacks did not show nvmet functions')
PY
}

one_target() { # LABEL DIR
	check "$1: load target" load_target "$2"
	check "$1: subsystem" subsys_add $NQN
	check "$1: namespace on null_blk" ns_add $NQN 1 /dev/nullb0
	check "$1: port" port_add 1 tcp ipv4 $ADDR 4420
	check "$1: link" port_link 1 $NQN
	one_conn "$1" 1 32
	one_conn "$1" 1 128
	one_conn "$1" 2 128
	check "$1: teardown" target_clear
	check "$1: unload" unload_target
}

check "null_blk" modprobe null_blk nr_devices=1 gb=1
check "nvme-tcp" modprobe nvme-tcp
check "our modules are installed" test -f "$ours/nvmet.ko"
one_target in-tree "$intree"
one_target ours "$ours"
# The per-slot, per-queue and per-connection figures from the six lines.
python3 - "$out" <<'PY' >>"$out.tmp" && cat "$out.tmp" >>"$out"
import re, sys
v = {}
for line in open(sys.argv[1]):
    m = re.match(r'mem (\S+) (\S+) (\S+) bytes=(\d+)', line)
    if m:
        v[m.group(1), m.group(2), m.group(3)] = int(m.group(4))
for t in ('in-tree', 'ours'):
    for mk in ('connected', 'after-io'):
        g = lambda c: v[t, c, mk]
        slot = (g('1x128') - g('1x32')) / 96
        queue = g('2x128') - g('1x128')
        print(f'mem-summary {t} {mk} per_slot={slot:.0f} per_ioqueue_128={queue} '
              f'conn_1x32={g("1x32")} conn_1x128={g("1x128")} conn_2x128={g("2x128")}')
PY
rm -f "$out.tmp"
cat "$out"
finish
