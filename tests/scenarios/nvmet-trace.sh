#!/bin/bash
# The target's tracepoints events/nvmet/{nvmet_req_init,nvmet_req_complete,
# nvmet_async_event}, which field-debugging guides enable: they exist under
# the nvmet trace system, and while the kernel host connects over TCP, writes
# and reads 4 KiB, reads beyond the namespace and gets a namespace-change AEN,
# the trace shows those commands with sane field values:
# Connects (admin and I/O queue, controller not yet known), the write and
# the read (controller ID as Identify reports it, disk, nsid, SLBA, length),
# each command's completion with its queue and command ID, the failed read's
# LBA Out of Range status, the AEN (namespace attribute changed) and the AER
# completion that carries it (result 0x40002: notice, log page 04h).
# Runs unchanged against the in-tree target and ours.
. ./lib.sh
NQN=nqn.2026-11.org.nvmet-oot:trace
ADDR=127.0.0.1
SVC=4420
T=/sys/kernel/tracing
EV="nvmet_req_init nvmet_req_complete nvmet_async_event"
TRACE=$LAB_OUT/trace.txt

check "load nvmet-tcp" modprobe nvmet-tcp
check "tracefs" bash -c "mountpoint -q $T || mount -t tracefs nodev $T"
for e in $EV; do
	check "events/nvmet/$e exists" test -f $T/events/nvmet/$e/enable
	check_output "events/nvmet/$e/format has its fields" \
		"$(case $e in
			nvmet_req_init) echo 'field:u8 cdw10\[24\]' ;;
			nvmet_req_complete) echo 'field:u16 status' ;;
			nvmet_async_event) echo 'field:u32 result' ;;
		esac)" cat $T/events/nvmet/$e/format
done

serve $NQN
check "load nvme-tcp (host)" modprobe nvme-tcp

# Without comm recording, which would hook sched_switch and patch
# __schedule live (tests/vm/tcg-artefact: under TCG the other vCPU may trap
# on the patch; the events' fields do not need the comm).
check "start tracing the three events" bash -c "
	echo 0 > $T/tracing_on && echo > $T/trace && echo 0 > $T/options/record-cmd &&
	for e in $EV; do echo 1 > $T/events/nvmet/\$e/enable || exit 1; done &&
	echo 1 > $T/tracing_on"
before=$(nvme_blockdevs)
check "connect" nvme connect -t tcp -a $ADDR -s $SVC -n $NQN
bdev=$(wait_new_blockdev "$before")
check "namespace block device appears ($bdev)" test -b "$bdev"
cntlid=$(nvme id-ctrl "$bdev" 2>/dev/null | sed -nE 's/^cntlid +: *(0x)?([0-9a-f]+)$/\1\2/p')
cntlid=$((cntlid))
note "controller ID from Identify: $cntlid"
check "write 4 KiB at byte 4096" sh -c "head -c 4096 /dev/urandom > /tmp/blk &&
	dd if=/tmp/blk of=$bdev bs=4096 seek=1 count=1 oflag=direct"
check "read it back" sh -c "dd if=$bdev of=/tmp/back bs=4096 skip=1 count=1 iflag=direct &&
	cmp /tmp/blk /tmp/back"
lbas=$(( $(blockdev --getsize64 "$bdev") / $(blockdev --getss "$bdev") ))
check_fails "a read beyond the namespace fails" \
	nvme read "$bdev" -s $lbas -c 0 -z "$(blockdev --getss "$bdev")" -d /dev/null
dev2=$(backing_loop 16)
before=$(nvme_blockdevs)
check "namespace 2 added on a live host (AEN)" ns_add $NQN 2 "$dev2"
check "the host sees namespace 2" test -n "$(wait_new_blockdev "$before" 30)"
sleep 1
check "stop tracing" bash -c "echo 0 > $T/tracing_on"
check "save the trace" bash -c "cp $T/trace $TRACE"
for e in $EV; do echo 0 >$T/events/nvmet/$e/enable; done
echo >$T/trace
note "$(grep -c nvmet_ "$TRACE") nvmet trace lines (kept in out/trace.txt)"

# Patterns of the trace output (the events' TP_printk format).
lba=$(( 4096 / $(blockdev --getss "$bdev") ))
nlb=$(( lba - 1 ))
check_output "admin Connect traced before the controller exists" \
	'nvmet_req_init: nvmet_: qid=0, cmdid=[0-9]+, nsid=[0-9]+, flags=0x[0-9a-f]+, meta=0x0, cmd=\(nvme_fabrics_type_connect, recfmt=0, qid=0, sqsize=[1-9][0-9]*, cattr=[0-9]+, kato=[1-9]' \
	cat "$TRACE"
check_output "I/O queue Connect traced" \
	'nvmet_req_init: nvmet_: qid=[0-9]+, .*cmd=\(nvme_fabrics_type_connect, recfmt=0, qid=[1-9][0-9]*, sqsize=[1-9]' \
	cat "$TRACE"
check_output "the write: controller $cntlid, disk $dev, nsid 1, slba $lba, len $nlb" \
	"nvmet_req_init: nvmet$cntlid: disk=$dev, qid=[1-9][0-9]*, cmdid=[0-9]+, nsid=1, flags=0x[0-9a-f]+, meta=0x0, cmd=\\(nvme_cmd_write, slba=$lba, len=$nlb, " \
	cat "$TRACE"
check_output "the read: slba $lba, len $nlb" \
	"nvmet_req_init: nvmet$cntlid: disk=$dev, qid=[1-9][0-9]*, cmdid=[0-9]+, nsid=1, .*cmd=\\(nvme_cmd_read, slba=$lba, len=$nlb, " \
	cat "$TRACE"
check_output "an admin command of the controller (Identify) is traced" \
	"nvmet_req_init: nvmet$cntlid: qid=0, .*cmd=\\(nvme_admin_identify, " cat "$TRACE"
# The in-tree target sends the read to the block device and reports its
# failure as Internal Error (0x6006); ours checks the range first: LBA Out
# of Range (0x6080). Both: an error with More (0x2000) and DNR (0x4000).
check_output "the failed read completes with an error, More and DNR set" \
	"nvmet_req_complete: nvmet$cntlid: disk=$dev, qid=[1-9][0-9]*, cmdid=[0-9]+, res=0x0, status=0x6[0-9a-f]{3}\$" \
	cat "$TRACE"
check_output "the AEN: namespace attribute changed on controller $cntlid" \
	"nvmet_async_event: nvmet$cntlid: NVME_AEN=0x0+ \\[NVME_AER_NOTICE_NS_CHANGED\\]" cat "$TRACE"
check_output "the AER completes with result 0x40002 (notice, log page 04h)" \
	"nvmet_req_complete: nvmet$cntlid: qid=0, cmdid=[0-9]+, res=0x40002, status=0x0\$" cat "$TRACE"

# Every traced command but a parked AER has one completion with its queue
# and command ID, traced after it, on the same controller.
pairs() {
	python3 - "$TRACE" <<'EOF'
import re, sys
init = re.compile(r'nvmet_req_init: nvmet(\d+|_): (?:disk=[^,]*, )?qid=(\d+), cmdid=(\d+), .*cmd=\((\w+)')
done = re.compile(r'nvmet_req_complete: nvmet(\d+|_): (?:disk=[^,]*, )?qid=(\d+), cmdid=(\d+), res=(0x[0-9a-f]+), status=(0x[0-9a-f]+)')
# A Connect runs on the queue it connects (its qid field), which the
# queue may not be known as yet when the Connect arrives.
connect_qid = re.compile(r'cmd=\(nvme_fabrics_type_connect, recfmt=\d+, qid=(\d+)')
open_cmds, bad, n_init, n_done = {}, [], 0, 0
for line in open(sys.argv[1]):
    m = init.search(line)
    if m:
        n_init += 1
        c = connect_qid.search(line)
        key = (c.group(1) if c else m.group(2), m.group(3))
        if key in open_cmds and open_cmds[key][1] != 'nvme_admin_async_event':
            bad.append('second init before completion: ' + line.strip())
        open_cmds[key] = (m.group(1), m.group(4))
        continue
    m = done.search(line)
    if m:
        n_done += 1
        key = (m.group(2), m.group(3))
        if key not in open_cmds:
            bad.append('completion without init: ' + line.strip())
            continue
        ctrl, op = open_cmds.pop(key)
        # The Connect's completion names the controller it made.
        if ctrl != '_' and ctrl != m.group(1):
            bad.append('controller changed: ' + line.strip())
left = [k for k, v in open_cmds.items() if v[1] != 'nvme_admin_async_event']
for k in left:
    bad.append('no completion for qid=%s cmdid=%s (%s)' % (k[0], k[1], open_cmds[k][1]))
print('%d inits, %d completions' % (n_init, n_done))
for b in bad:
    print(b)
sys.exit(1 if bad or n_init < 10 else 0)
EOF
}
check_output "every command has one completion after it (qid, cmdid, controller)" 'inits' pairs

check_output "disconnect" "disconnected 1 controller" nvme disconnect -n $NQN
check "teardown" target_clear
check "unload" modprobe -r nvme-tcp nvmet-tcp nvmet
losetup -d "$dev" "$dev2"
finish
