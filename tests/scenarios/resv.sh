#!/bin/bash
# NVMe reservations (NVMe Base 2.x, Reservations), side by side with the
# in-tree target of Linux 7.2 (6.12's in-tree target has none: there the
# scenario prints one SKIP line and checks only that it has no resv_enable).
#
# Namespace 1 (a loop device) has resv_enable, written while the namespace
# is disabled (a write while it is enabled is refused with EINVAL, as
# in-tree); namespace 2 has none. Then:
#  - resv_spec.py (raw NVMe/TCP, resv_client.py): hosts A (two controllers,
#    one host NQN and ID), B and C: Register/Replace/Unregister rules, per
#    host ID registrations, Acquire, the six types x holder / registrant /
#    non-registrant x Read, Write, Write Zeroes, Deallocate, Flush, Release,
#    Clear, Preempt, Preempt and Abort, Report (extended; non-extended with
#    128-bit host IDs refused), the generation, notifications (AEN + log
#    80h) and their mask (Feature 82h), Feature 83h, Identify RESCAP/ONCS.
#    Where the in-tree target departs from the specification it prints
#    "info" lines; on ours (target_is_ours) those steps are asserted;
#  - the kernel host (direct paths: multipath=N) with nvme-cli's
#    resv-register / resv-acquire / resv-release / resv-report;
#  - fencing under load: the kernel host holds Write Exclusive and runs fio
#    random writes; a raw host preempts (then, a second round, preempts and
#    aborts) its registration: the backing device's region does not change
#    after the preempt and abort completes (after 2 s for a plain preempt),
#    fio ends with an error, a new write gets Reservation Conflict.
. ./lib.sh
NQN=nqn.2026-11.org.nvmet-oot:resv
ADDR=127.0.0.1
SVC=4420
NS1=$NVMET_CFS/subsystems/$NQN/namespaces/1
NS2=$NVMET_CFS/subsystems/$NQN/namespaces/2
RC=(python3 ./resv_client.py $ADDR $SVC $NQN)
OURS=()
target_is_ours && OURS=(--ours)

_said() { echo "$1"; return 1; }
# run_py WHAT SECS CMD...: runs a Python step list; each "ok"/"FAIL" line
# becomes a check (details after two spaces and a parenthesis are printed
# with a failure only, so check names are the same on every target), "info"
# lines are notes.
run_py() {
	local what=$1 secs=$2 log rc=0 line name
	shift 2
	log=$(mktemp)
	timeout -k 5 "$secs" "$@" >"$log" 2>&1 || rc=$?
	while IFS= read -r line; do
		name=${line#* }
		name=${name# }
		name=${name# }
		name=${name# }
		name=${name%%  (*}
		case $line in
		"ok   "*) check "$name" true ;;
		"FAIL "*) check "$name" _said "$line" ;;
		"info "*) note "$line" ;;
		esac
	done <"$log"
	check "$what ran to its end (rc $rc)" grep -q '^# 0 failed' "$log" ||
		sed 's/^/#   /' "$log" | grep -vE '^#   (ok|info) ' | tail -n 20
	cp "$log" "$LAB_OUT/$(tr -c 'a-z0-9\n' - <<<"$what" | head -c 40).log" 2>/dev/null
	rm -f "$log"
}

check "direct paths (nvme_core multipath=N)" sh -c \
	'modprobe -r nvme-tcp nvme-fabrics nvme nvme-core 2>/dev/null; modprobe nvme-core multipath=N &&
	 grep -qx N /sys/module/nvme_core/parameters/multipath'
check "load" modprobe -a nvmet nvmet-tcp nvme-tcp loop
backing1=$(backing_loop 64)
backing2=$(backing_loop 16)
check "two loop devices over tmpfs files" test -b "$backing1" -a -b "$backing2"
check "subsystem" subsys_add $NQN
check "namespace 1 directory, device path" sh -c "mkdir $NS1 && echo -n $backing1 >$NS1/device_path"

if [[ ! -e $NS1/resv_enable ]] && ! target_is_ours; then
	echo "SKIP: the in-tree target of Linux $(uname -r) has no reservations (no resv_enable); nothing to compare"
	check "in-tree target without reservations: no resv_enable attribute (SKIP)" test ! -e "$NS1/resv_enable"
	check "teardown" target_clear
	check "unload" modprobe -r nvme-tcp nvmet-tcp nvmet
	losetup -d "$backing1" "$backing2"
	finish
fi

check_output "resv_enable defaults to 0" '^0$' cat "$NS1/resv_enable"
check "resv_enable=1 while namespace 1 is disabled" sh -c "echo 1 >$NS1/resv_enable"
check_output "resv_enable reads 1" '^1$' cat "$NS1/resv_enable"
check "enable namespace 1" sh -c "echo 1 >$NS1/enable"
check_output "resv_enable=0 while enabled is refused with EINVAL" '^EINVAL$' \
	cfs_write "$NS1/resv_enable" 0
check_output "resv_enable=1 while enabled is refused too" '^EINVAL$' \
	cfs_write "$NS1/resv_enable" 1
check_output "resv_enable still reads 1" '^1$' cat "$NS1/resv_enable"
check "namespace 2 without reservations" ns_add $NQN 2 "$backing2"
check "port" port_add 1 tcp ipv4 $ADDR $SVC
check "link" port_link 1 $NQN

# --- the specification, from raw hosts ---------------------------------------
run_py "resv_spec.py" 300 python3 ./resv_spec.py $ADDR $SVC $NQN "${OURS[@]}"

# --- the kernel host and nvme-cli --------------------------------------------
check "nvme connect (kernel host, direct paths)" nvme connect -t tcp -a $ADDR -s $SVC -n $NQN
kdev=""
for ((i = 0; i < 80; i++)); do
	for d in /sys/block/nvme*n*; do
		[[ -e $d/nsid && $(cat "$d/nsid") == 1 && $(cat "$d/device/subsysnqn" 2>/dev/null) == "$NQN" ]] &&
			kdev=/dev/${d##*/}
	done
	[[ -b $kdev ]] && break
	sleep 0.25
done
check "the kernel host's block device of namespace 1 ($kdev)" test -b "$kdev"
[[ -b $kdev ]] || finish
kctrl=${kdev%n*}
rcheck() { nvme resv-report "$kdev" --eds -o json | "${RC[@]:0:2}" nvme-report-check "$1"; }
K=0x4b4b4b4b00000001
F=0x4646464600000001
KP=0x5050505000000001
check_output "nvme id-ctrl: ONCS has reservations (bit 5)" '^ok' \
	sh -c "nvme id-ctrl $kctrl -o json | python3 -c 'import json,sys; print(\"ok\" if json.load(sys.stdin)[\"oncs\"] & 0x20 else \"no\")'"
check_output "nvme id-ns: RESCAP 0xfe" '^ok' \
	sh -c "nvme id-ns $kdev -o json | python3 -c 'import json,sys; r=json.load(sys.stdin)[\"rescap\"]; print(\"ok\" if r == 0xfe else r)'"
check "nvme resv-register: the kernel host registers key K" \
	nvme resv-register "$kdev" --nrkey=$K --rrega=0
check "nvme resv-report --eds: K registered, no reservation, dynamic CNTLID" \
	rcheck "keys == {'K': $K} and rtype == 0 and holders == [] and regctl == 1 and cntlids == [0xffff]"
# nvme-cli 2.16 asks for the extended structure by itself (the
# non-extended one with 128-bit host IDs is resv_spec.py's).
check "nvme resv-report without --eds: nvme-cli's own choice works, K's 128-bit host ID" \
	sh -c "nvme resv-report $kdev -o json | ${RC[*]:0:2} nvme-report-check \"keys == {'K': $K}\""
check_output "nvme resv-register replace with a wrong CRKEY: Reservation Conflict (0x4083)" \
	'\(0x[46]083\)' sh -c "nvme resv-register $kdev --crkey=0x1 --nrkey=0x2 --rrega=2 2>&1; true"
check "nvme resv-acquire: Write Exclusive" nvme resv-acquire "$kdev" --crkey=$K --rtype=1 --racqa=0
check "nvme resv-report: the kernel host holds Write Exclusive" \
	rcheck "rtype == 1 and holders == ['K'] and keys == {'K': $K}"
check "raw host B (not registered) writes: Reservation Conflict" "${RC[@]}" op B write --expect conflict
check "raw host B reads under Write Exclusive" "${RC[@]}" op B read --expect ok
check "the kernel host writes through its block layer" \
	dd if=/dev/urandom of="$kdev" bs=4k count=4 oflag=direct
check "nvme resv-release with the holder's type" nvme resv-release "$kdev" --crkey=$K --rtype=1 --rrela=0
check "nvme resv-report: no reservation, K still registered" \
	rcheck "rtype == 0 and holders == [] and keys == {'K': $K}"
check "raw host B writes again" "${RC[@]}" op B write --expect ok
check "nvme resv-register: unregister" nvme resv-register "$kdev" --crkey=$K --rrega=1
check "nvme resv-report: nobody registered" rcheck "regctl == 0 and keys == {}"

# --- fencing a writing host ---------------------------------------------------
fence_round() { # RACQA LABEL SETTLE
	local fio_pid fio_rc=0 fio_log i
	head -c 512 /dev/urandom >/tmp/pat
	check "$2: the kernel host registers F and acquires Write Exclusive (nvme-cli)" sh -c \
		"nvme resv-register $kdev --nrkey=$F --rrega=0 && nvme resv-acquire $kdev --crkey=$F --rtype=1 --racqa=0"
	fio_log=$(mktemp)
	fio --name=fenced --filename="$kdev" --ioengine=libaio --direct=1 --rw=randwrite \
		--bs=4k --iodepth=32 --size=4M --time_based --runtime=90 --refill_buffers \
		--norandommap --randrepeat=0 --output-format=terse >"$fio_log" 2>&1 &
	fio_pid=$!
	sleep 4
	check "$2: fio random writes from the kernel host are running" kill -0 $fio_pid
	run_py "$2 (resv_client.py fence)" 120 "${RC[@]}" fence P $KP $F "$1" "$backing1" 4 "$3"
	for ((i = 0; i < 120; i++)); do
		kill -0 $fio_pid 2>/dev/null || break
		sleep 0.5
	done
	kill -0 $fio_pid 2>/dev/null && { kill $fio_pid; note "fio still running 60 s after the fence"; }
	wait $fio_pid || fio_rc=$?
	check "$2: the fenced host's fio ended with an I/O error" \
		bash -c "[[ $fio_rc -ne 0 ]] || { cat '$fio_log'; exit 1; }"
	rm -f "$fio_log"
	check_output "$2: a new write from the fenced host: Reservation Conflict (0x4083)" \
		'\(0x[46]083\)' sh -c "nvme write $kdev -s 0 -c 0 -z 512 -d /tmp/pat 2>&1; true"
	check "$2: the fenced host still reads (Write Exclusive)" \
		nvme read "$kdev" -s 0 -c 0 -z 512 -d /tmp/got
	check "$2: nvme resv-report: P holds Write Exclusive, F is gone" \
		rcheck "rtype == 1 and holders == ['P'] and keys == {'P': $KP}"
	check "$2: P clears" "${RC[@]}" op P release 1 0 $KP --expect ok
}
fence_round 1 "preempt" 2
fence_round 2 "preempt and abort" 0

check_output "disconnect" "disconnected 1 controller" nvme disconnect -n $NQN
check "teardown" target_clear
check "unload" modprobe -r nvme-tcp nvmet-tcp nvmet
losetup -d "$backing1" "$backing2"
finish
