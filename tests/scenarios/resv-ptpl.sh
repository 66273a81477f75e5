#!/bin/bash
# Reservations that Persist Through Power Loss (PTPL; NVMe Base 2.x,
# Reservations, Reservation Register CPTPL, Feature 83h, Reservation Report
# PTPLS): beyond the in-tree target, which keeps reservations in memory only.
# Run with --mode ours.
#
# Our interface: the namespace attribute resv_ptpl_file, the absolute path
# of a state file, written only while the namespace is disabled (EBUSY
# otherwise; a relative path EINVAL; a newline alone clears it). Empty (the
# default): no PTPL on that namespace (RESCAP bit 0 clear; Register with
# CPTPL 11b and Set Features 83h with PTPL 1 fail with Invalid Field). With a
# file and resv_enable: enabling the namespace reads it (absent: created, no
# reservation); with PTPL on, every change is in the file when its command
# completes; after disable/enable, rmdir and recreation with the same file,
# and unloading the modules, the registrants, keys, holder, type and
# generation are back; with PTPL off (CPTPL 10b, Set Features 83h PTPL 0, or
# never on) they are gone. A corrupt file (a byte changed, truncated, its
# start overwritten) makes the enable fail with a kernel log line that names
# the file and says it is corrupt; the good file enables again.
. ./lib.sh
NQN=nqn.2026-11.org.nvmet-oot:ptpl
ADDR=127.0.0.1
SVC=4420
NS=$NVMET_CFS/subsystems/$NQN/namespaces/1
RC=(python3 ./resv_client.py $ADDR $SVC $NQN)
STATE=/tmp/ptpl/ns1.state
KA=0xa1a1a1a1a1a1a101 KB=0xb1b1b1b1b1b1b101 KK=0x4b4b4b4b00000001

check "load" modprobe -a nvmet nvmet-tcp nvme-tcp loop
backing=$(backing_loop 32)
check "loop device" test -b "$backing"
mkdir -p /tmp/ptpl

# make_target [FILE]: subsystem, namespace 1 (resv_enable, resv_ptpl_file
# FILE when given), enabled, port 1 linked.
make_target() {
	subsys_add $NQN && mkdir "$NS" && echo -n "$backing" >"$NS/device_path" &&
		echo 1 >"$NS/resv_enable" &&
		{ [[ -z ${1:-} ]] || echo -n "$1" >"$NS/resv_ptpl_file"; } &&
		echo 1 >"$NS/enable" && port_add 1 tcp ipv4 $ADDR $SVC && port_link 1 $NQN
}
ns_cycle() { echo 0 >"$NS/enable" && echo 1 >"$NS/enable"; }
op() { "${RC[@]}" op "$@"; }
# report_gen: the generation of the current reservation status.
report_gen() { op A report | sed -n 's/.*"gen": \([0-9]*\).*/\1/p'; }
# changed WHAT FILE BEFORE CMD...: CMD succeeds and FILE's content then
# differs from BEFORE (a sha256): the state was written when it completed.
changed() {
	local before=$1
	shift
	"$@" || return 1
	[[ $(sha256sum <"$STATE") != "$before" ]] || { echo "$STATE unchanged"; return 1; }
}
sum() { sha256sum <"$STATE"; }
is_empty() { [[ -f $1 && -z $(cat "$1") ]]; }
a_writes_c_cannot() { op A write --expect ok && op C write --expect conflict; }
a_holds_we() { op A register 0 0 $KA --expect ok && op A acquire 0 1 $KA --expect ok; }
unload_all() { target_clear && modprobe -r nvmet-tcp nvmet; }
reload_all() { modprobe nvmet-tcp && make_target $STATE; }

# --- without a file: no PTPL ----------------------------------------------
check "subsystem with namespace 1 (resv_enable), no state file, port" make_target
check "resv_ptpl_file exists, mode 0644" test "$(stat -c %a "$NS/resv_ptpl_file" 2>/dev/null)" = 644
check "resv_ptpl_file is empty by default" is_empty "$NS/resv_ptpl_file"
check "RESCAP FEh: six types, IEKEY 1.3, no PTPL (bit 0)" op A identify-ns --check "rescap == 0xfe"
check "Register with CPTPL 11b: Invalid Field in Command" op A register 0 0 $KA --cptpl 3 --expect invalid
check "and nothing was registered" op A report --check "regctl == 0 and ptpls == 0"
check "Set Features 83h PTPL 1: Invalid Field in Command" op A set-feature 0x83 1 --expect invalid
check "Get Features 83h: PTPL 0" op A get-feature 0x83 --expect ok --check "result & 1 == 0"
check_output "resv_ptpl_file while enabled: EBUSY" '^EBUSY$' \
	cfs_write "$NS/resv_ptpl_file" "$STATE"
check "still empty" is_empty "$NS/resv_ptpl_file"

# --- a file: created at enable --------------------------------------------
check "disable namespace 1" sh -c "echo 0 >$NS/enable"
check_output "a relative path: EINVAL" '^EINVAL$' cfs_write "$NS/resv_ptpl_file" ptpl.state
check_output "resv_ptpl_file = $STATE while disabled" '^accepted$' \
	cfs_write "$NS/resv_ptpl_file" "$STATE"
check_output "reads back" "^$STATE\$" cat "$NS/resv_ptpl_file"
check "absent before the enable" test ! -e $STATE
check "enable" sh -c "echo 1 >$NS/enable"
check "the enable created the state file" test -f $STATE
check "RESCAP FFh: PTPL supported" op A identify-ns --check "rescap == 0xff"
check "no registrant, no reservation, PTPLS 0" op A report --check "regctl == 0 and rtype == 0 and ptpls == 0"
check "Get Features 83h: PTPL 0" op A get-feature 0x83 --expect ok --check "result & 1 == 0"
check "Register with CPTPL 01b (reserved): Invalid Field in Command" \
	op A register 0 0 $KA --cptpl 1 --expect invalid

# --- PTPL on by Register CPTPL 11b (raw host and nvme-cli) ------------------
s=$(sum)
check "A registers with CPTPL 11b; the file changed when it completed" \
	changed "$s" op A register 0 0 $KA --cptpl 3 --expect ok
check "PTPLS 1" op A report --check "ptpls == 1 and keys == {'A': $KA}"
check "Get Features 83h: PTPL 1" op A get-feature 0x83 --expect ok --check "result & 1 == 1"
s=$(sum)
check "B registers (no CPTPL); the file changed" changed "$s" op B register 0 0 $KB --expect ok
connect_host $NQN
kdev=$bdev
s=$(sum)
check "nvme resv-register --cptpl=3 (kernel host K); the file changed" \
	changed "$s" nvme resv-register "$kdev" --nrkey=$KK --rrega=0 --cptpl=3
check_output "disconnect the kernel host" "disconnected 1 controller" nvme disconnect -n $NQN
s=$(sum)
check "A acquires WERO; the file changed" changed "$s" op A acquire 0 3 $KA --expect ok
WANT="keys == {'A': $KA, 'B': $KB, 'K': $KK} and holders == ['A'] and rtype == 3 and ptpls == 1"
check "report: A, B, K; A holds WERO; PTPLS 1" op A report --check "$WANT"
gen=$(report_gen)
check "generation known ($gen)" test -n "$gen"
WANT="$WANT and gen == ${gen:-0}"

check "namespace disabled and enabled" ns_cycle
check "after disable/enable: registrants, keys, holder, type, generation back" op C report --check "$WANT"
check "Get Features 83h: PTPL 1 after disable/enable" op A get-feature 0x83 --expect ok --check "result & 1 == 1"
check "B (registrant) writes under WERO" op B write --expect ok
check "C (not registered) writes: Reservation Conflict" op C write --expect conflict

check "rmdir the whole configuration" target_clear
check "recreate it with the same state file" make_target $STATE
check "after rmdir and recreation: all back" op C report --check "$WANT"
check "C writes: Reservation Conflict" op C write --expect conflict

check "rmdir the configuration, unload nvmet" unload_all
check "nvmet is unloaded" bash -c '! grep -q "^nvmet " /proc/modules'
check "reload, recreate with the same state file" reload_all
check "after unloading the modules: all back" op C report --check "$WANT"
# nvmetctl status (netlink, from the guest build of ctl/ when there is one):
# the restored reservation, its holder and registrants.
if [[ -x ./nvmetctl ]]; then
	check_output "nvmetctl status: WERO held by A, three registrants, PTPL" \
		"reservation: Write Exclusive - Registrants Only +holder: 5e5e0000-0000-4000-8000-0000000000a0 +generation: $gen +ptpl: yes +registrants: 3" \
		./nvmetctl status
	check_output "nvmetctl status --json: B's registration and key" \
		"\"hostid\": *\"5e5e0000-0000-4000-8000-0000000000a1\", *\"key\": *\"$KB\"|\"key\": *\"$KB\", *\"hostid\": *\"5e5e0000-0000-4000-8000-0000000000a1\"" \
		sh -c './nvmetctl status --json | python3 -c "import json,sys; print(json.dumps(json.load(sys.stdin)))"'
else
	note "no guest build of nvmetctl (tests/vm/build-ctl): status not checked"
fi
check "A still holds it: A writes, C cannot" a_writes_c_cannot

# --- corrupt state files ------------------------------------------------------
check "disable" sh -c "echo 0 >$NS/enable"
cp $STATE /tmp/ptpl/good
corrupt_case() { # WHAT PYTHON-EXPRESSION-ON-d
	check "state file: $1" python3 -c "
import sys
d = bytearray(open('$STATE', 'rb').read())
$2
open('$STATE', 'wb').write(bytes(d))"
	local mark="resv-ptpl: corrupt case $1"
	echo "$mark" >/dev/kmsg
	check_fails "enable with it fails" sh -c "echo 1 >$NS/enable"
	check_output "namespace 1 stays disabled" '^0$' cat "$NS/enable"
	check_output "the kernel log names the file and says it is corrupt" \
		"$STATE.*corrupt|corrupt.*$STATE" sh -c "dmesg | sed -n '\\|$mark|,\$p'"
	check "the good file back" cp /tmp/ptpl/good $STATE
}
corrupt_case "one byte in the middle changed" 'd[len(d) // 2] ^= 0x01'
corrupt_case "truncated to half" 'del d[len(d) // 2:]'
corrupt_case "its first 8 bytes overwritten" 'd[0:8] = b"\xde\xad\xbe\xef\x00\x11\x22\x33"'
# A torn write (a crash while a command wrote the slot after the newest):
# its checksum fails, its header is intact. Here the older slot's body is
# damaged: the newest slot is the state, and the kernel says what it ignored.
check "state file: a byte in the body of the older slot changed (a torn write)" python3 -c "
d = bytearray(open('$STATE', 'rb').read())
seq = [int.from_bytes(d[o + 16:o + 24], 'little') for o in (0, 8192)]
d[(0 if seq[0] < seq[1] else 8192) + 4096] ^= 0x01
open('$STATE', 'wb').write(bytes(d))"
mark="resv-ptpl: torn case"
echo "$mark" >/dev/kmsg
check "enable with it works" sh -c "echo 1 >$NS/enable"
check "all back from the newest slot" op C report --check "$WANT"
check_output "the kernel log says an incomplete write was ignored" \
	"$STATE: an incomplete write" sh -c "dmesg | sed -n '\\|$mark|,\$p'"
check "disable" sh -c "echo 0 >$NS/enable"
check "the good file back" cp /tmp/ptpl/good $STATE
check "enable with the good file" sh -c "echo 1 >$NS/enable"
check "all back" op C report --check "$WANT"

# --- PTPL off: CPTPL 10b --------------------------------------------------
s=$(sum)
check "A registers its key again with CPTPL 10b; the file changed" \
	changed "$s" op A register 0 0 $KA --cptpl 2 --expect ok
check "PTPLS 0, the reservation unchanged" op A report --check "ptpls == 0 and holders == ['A'] and rtype == 3"
check "Get Features 83h: PTPL 0" op A get-feature 0x83 --expect ok --check "result & 1 == 0"
check "namespace disabled and enabled" ns_cycle
check "PTPL off: no registrant, no reservation after disable/enable" \
	op C report --check "regctl == 0 and rtype == 0 and ptpls == 0"
check "C writes" op C write --expect ok

# --- PTPL on and off by Set Features 83h -------------------------------------
s=$(sum)
check "Set Features 83h PTPL 1; the file changed" changed "$s" op A set-feature 0x83 1 --expect ok
check "Get Features 83h: PTPL 1" op A get-feature 0x83 --expect ok --check "result & 1 == 1"
check "A registers, acquires Write Exclusive" a_holds_we
gen=$(report_gen)
check "namespace disabled and enabled" ns_cycle
check "PTPL on (Set Features): A holds WE again, same generation, PTPLS 1" \
	op C report --check "keys == {'A': $KA} and holders == ['A'] and rtype == 1 and ptpls == 1 and gen == ${gen:-0}"
check "Set Features 83h PTPL 0" op A set-feature 0x83 0 --expect ok
check "namespace disabled and enabled" ns_cycle
check "PTPL off (Set Features): nothing registered" op C report --check "regctl == 0 and rtype == 0 and ptpls == 0"

# --- never on: a fresh file -------------------------------------------------
check "disable, another state file, enable" sh -c \
	"echo 0 >$NS/enable && echo -n /tmp/ptpl/other.state >$NS/resv_ptpl_file && echo 1 >$NS/enable"
check "A registers and acquires WE (PTPL never on)" a_holds_we
check "namespace disabled and enabled" ns_cycle
check "PTPL never on: nothing registered" op C report --check "regctl == 0 and rtype == 0"

# --- cleared: no PTPL again ------------------------------------------------
check "disable" sh -c "echo 0 >$NS/enable"
check_output "clear resv_ptpl_file (a newline)" '^accepted$' cfs_write "$NS/resv_ptpl_file" $'\n'
check "resv_ptpl_file is empty" is_empty "$NS/resv_ptpl_file"
check "enable" sh -c "echo 1 >$NS/enable"
check "RESCAP FEh again" op A identify-ns --check "rescap == 0xfe"

check "teardown" target_clear
check "unload" modprobe -r nvme-tcp nvmet-tcp nvmet
losetup -d "$backing"
finish
