# Helpers for scenarios, sourced inside the lab guest (cwd = the scenario dir).
# A scenario is a bash script: it sources this file, runs checks, ends with `finish`.
# Output is TAP-like ("ok N - what" / "not ok N - what"); `finish` exits non-zero
# when any check failed, which is what run-guest reports.
# shellcheck shell=bash

NVMET_CFS=/sys/kernel/config/nvmet
# Where this scenario's results go (run-guest: one directory per scenario).
LAB_OUT=${LAB_OUT:-/lab/out}
LAB_HOSTNQN=$(cat /etc/nvme/hostnqn 2>/dev/null)
# Whether the nvmet module modprobe loads is ours (nvmet-oot) or in-tree: for
# the few checks of documented differences (docs/configfs.md).
target_is_ours() { modinfo -F description nvmet 2>/dev/null | grep -q nvmet-oot; }
_lab_n=0
_lab_failed=0

note() { echo "# $*"; }

_lab_result() {
	local rc=$1 what=$2 outf=$3
	_lab_n=$((_lab_n + 1))
	if [[ $rc -eq 0 ]]; then
		echo "ok $_lab_n - $what"
	else
		_lab_failed=$((_lab_failed + 1))
		echo "not ok $_lab_n - $what (exit $rc)"
		sed 's/^/#   /' "$outf" | tail -n 30
	fi
}

# check WHAT CMD [ARGS...]: CMD must exit 0.
check() {
	local what=$1 rc=0 outf
	shift
	outf=$(mktemp)
	"$@" </dev/null >"$outf" 2>&1 || rc=$?
	_lab_result $rc "$what" "$outf"
	rm -f "$outf"
	return $rc
}

# check_fails WHAT CMD [ARGS...]: CMD must exit non-zero.
check_fails() {
	local what=$1 rc=0 outf
	shift
	outf=$(mktemp)
	"$@" </dev/null >"$outf" 2>&1 || rc=$?
	if [[ $rc -ne 0 ]]; then rc=0; else echo "# expected a failure, got success" >>"$outf"; rc=1; fi
	_lab_result $rc "$what" "$outf"
	rm -f "$outf"
	return $rc
}

# check_output WHAT REGEX CMD [ARGS...]: CMD must exit 0 and print a line matching REGEX.
check_output() {
	local what=$1 re=$2 rc=0 outf
	shift 2
	outf=$(mktemp)
	"$@" </dev/null >"$outf" 2>&1 || rc=$?
	if [[ -z $re ]]; then
		echo "# empty pattern: nothing to match (a value the scenario needed is missing)" >>"$outf"
		rc=1
	elif [[ $rc -eq 0 ]] && ! grep -Eq -- "$re" "$outf"; then
		echo "# output does not match /$re/" >>"$outf"
		rc=1
	fi
	_lab_result $rc "$what" "$outf"
	rm -f "$outf"
	return $rc
}

# cfs_write FILE VALUE: writes VALUE (as is) to a configfs file in one
# write(2); prints "accepted" or the errno's name (EINVAL, EBUSY...).
cfs_write() {
	python3 -c 'import errno, os, sys
try:
    fd = os.open(sys.argv[1], os.O_WRONLY)
    try:
        os.write(fd, sys.argv[2].encode())
    finally:
        os.close(fd)
    print("accepted")
except OSError as e:
    print(errno.errorcode.get(e.errno, e.errno))' "$1" "$2"
}

finish() {
	echo "# $_lab_n checks, $_lab_failed failed"
	[[ $_lab_n -gt 0 && $_lab_failed -eq 0 ]]
	exit $?
}

# save_output NAME CMD [ARGS...]: runs CMD as a check and keeps its output in
# out/artifacts/NAME, which tests/vm/side-by-side compares between targets.
save_output() {
	local name=$1 dir=$LAB_OUT/artifacts rc=0
	shift
	mkdir -p "$dir"
	"$@" </dev/null >"$dir/$name" 2>&1 || rc=$?
	_lab_result $rc "$name: $*" "$dir/$name"
	return $rc
}

# save_any NAME CMD [ARGS...]: like save_output, but CMD may fail (a page the
# reference target of an older kernel lacks): the output is still compared.
save_any() {
	local name=$1 dir=$LAB_OUT/artifacts
	shift
	mkdir -p "$dir"
	"$@" </dev/null >"$dir/$name" 2>&1
	note "$name: $* (exit $?, output kept)"
}

# --- target side (raw configfs, as blktests does) -------------------------

# backing_loop SIZE_MB: a loop device over a file in tmpfs; prints /dev/loopN.
backing_loop() {
	local f
	modprobe loop || return 1
	f=$(mktemp /tmp/backing.XXXXXX)
	truncate -s "${1}M" "$f"
	losetup -f --show "$f"
}

subsys_add() { # NQN
	mkdir "$NVMET_CFS/subsystems/$1" &&
		echo 1 >"$NVMET_CFS/subsystems/$1/attr_allow_any_host"
}

ns_add() { # NQN NSID DEVICE
	local d="$NVMET_CFS/subsystems/$1/namespaces/$2"
	mkdir "$d" && echo -n "$3" >"$d/device_path" && echo 1 >"$d/enable"
}

port_add() { # ID TRTYPE ADRFAM TRADDR [TRSVCID] (fc has none)
	local d="$NVMET_CFS/ports/$1"
	mkdir "$d" &&
		echo "$2" >"$d/addr_trtype" && echo "$3" >"$d/addr_adrfam" &&
		echo "$4" >"$d/addr_traddr" && { [[ -z $5 ]] || echo "$5" >"$d/addr_trsvcid"; }
}

port_link() { # PORT_ID NQN
	ln -s "$NVMET_CFS/subsystems/$2" "$NVMET_CFS/ports/$1/subsystems/$2"
}

# Removes every object under configfs, children first (links, namespaces,
# referrals, ANA groups, subsystems, ports, hosts).
target_clear() {
	local p s n
	[[ -d $NVMET_CFS ]] || return 0
	for p in "$NVMET_CFS"/ports/*/; do
		[[ -d $p ]] || continue
		rm -f "$p"subsystems/* 2>/dev/null
		for n in "$p"referrals/*/ "$p"ana_groups/*/; do
			[[ -d $n && $(basename "$n") != 1 ]] && rmdir "$n"
		done
		rmdir "$p"
	done
	for s in "$NVMET_CFS"/subsystems/*/; do
		[[ -d $s ]] || continue
		rm -f "$s"allowed_hosts/* 2>/dev/null
		for n in "$s"namespaces/*/; do
			[[ -d $n ]] || continue
			echo 0 >"$n/enable" 2>/dev/null
			rmdir "$n"
		done
		rmdir "$s"
	done
	for s in "$NVMET_CFS"/hosts/*/; do
		[[ -d $s ]] && rmdir "$s"
	done
	[[ -z $(find "$NVMET_CFS/ports" "$NVMET_CFS/subsystems" "$NVMET_CFS/hosts" \
		-mindepth 1 -maxdepth 1 2>/dev/null) ]]
}

# same_config A B: the same configuration, whatever the order of array
# elements (configfs lists objects in an order of its own).
same_config() {
	python3 -c '
import json, sys
def norm(v):
    if isinstance(v, dict):
        return {k: norm(x) for k, x in v.items()}
    if isinstance(v, list):
        return sorted((norm(x) for x in v), key=lambda x: json.dumps(x, sort_keys=True))
    return v
a, b = (norm(json.load(open(f))) for f in sys.argv[1:3])
if a != b:
    print(json.dumps(a, sort_keys=True, indent=1)); print("---"); print(json.dumps(b, sort_keys=True, indent=1))
    sys.exit(1)' "$1" "$2"
}

# --- the transport of the scenarios written for NVMe/TCP ------------------

# tcp-smoke, tcp-identify, tcp-admin and tcp-teardown run over trtype loop
# too (loop-smoke, loop-identify, ... set TR=loop and source them): TR (tcp
# unless set before lib.sh) picks the port, the modules and the host's
# address options. nvme-loop is both the target's and the host's module;
# the host connects to the first loop port (no address), as blktests does.
TR=${TR:-tcp}
tr_target_mod() { if [[ $TR == loop ]]; then echo nvme-loop; else echo "nvmet-$TR"; fi; }
tr_host_mod() { if [[ $TR == loop ]]; then echo nvme-loop; else echo "nvme-$TR"; fi; }
# tr_mods: both, once each.
tr_mods() { if [[ $TR == loop ]]; then echo nvme-loop; else echo "nvmet-$TR nvme-$TR"; fi; }
# tr_port_add ID: port ID of transport TR (TCP: at ADDR:SVC).
tr_port_add() {
	if [[ $TR == loop ]]; then
		mkdir "$NVMET_CFS/ports/$1" && echo loop >"$NVMET_CFS/ports/$1/addr_trtype"
	else
		port_add "$1" "$TR" ipv4 "${ADDR:-127.0.0.1}" "${SVC:-4420}"
	fi
}
# tr_port_name: how check names call that port.
tr_port_name() { if [[ $TR == loop ]]; then echo "loop port"; else echo "TCP port on ${ADDR:-127.0.0.1}:${SVC:-4420}"; fi; }
# nvme_tr VERB ARGS...: nvme-cli's connect or discover to port 1 over TR.
nvme_tr() {
	local verb=$1
	shift
	if [[ $TR == loop ]]; then
		nvme "$verb" -t loop "$@"
	else
		nvme "$verb" -t "$TR" -a "${ADDR:-127.0.0.1}" -s "${SVC:-4420}" "$@"
	fi
}
# tr_unload_target: after the host's module is gone (nvme-loop: that was the
# target's too), the target's modules and nvmet.
tr_unload_target() {
	if [[ $TR == loop ]]; then
		modprobe -r nvmet && ! grep -q '^nvme_loop ' /proc/modules
	else
		modprobe -r "nvmet-$TR" nvmet
	fi
}

# --- host side -----------------------------------------------------------

# The usual target and host, each step a check. ADDR and SVC (default
# 127.0.0.1 and 4420) are the TCP port's address (TR above: or a loop port).
#
# serve NQN [SIZE_MB]: subsystem NQN (any host) with namespace 1 on a new loop
# device of SIZE_MB (default 64), linked to TCP port 1; sets dev to the loop
# device.
serve() {
	local nqn=$1
	dev=$(backing_loop "${2:-64}")
	check "loop device as backing store" test -b "$dev"
	check "create subsystem $nqn" subsys_add "$nqn"
	check "namespace 1 on $dev" ns_add "$nqn" 1 "$dev"
	serve_port "$nqn"
}

# serve_port NQN: port 1 (TCP at ADDR:SVC, or loop: TR), with NQN linked to it.
serve_port() {
	if [[ $TR == tcp ]]; then
		check "TCP port 1 on ${ADDR:-127.0.0.1}:${SVC:-4420}" \
			port_add 1 tcp ipv4 "${ADDR:-127.0.0.1}" "${SVC:-4420}"
	else
		check "$(tr_port_name) 1" tr_port_add 1
	fi
	check "link $1 to port 1" port_link 1 "$1"
}

# connect_host NQN [NVME-CONNECT OPTIONS...]: the kernel host connected to
# NQN at ADDR:SVC (or over loop: TR); sets bdev to the host's block device of the first
# namespace that appeared ("" if none did).
connect_host() {
	local nqn=$1 before
	shift
	before=$(nvme_blockdevs)
	check "connect the kernel host" nvme_tr connect -n "$nqn" "$@"
	bdev=$(wait_new_blockdev "$before")
	check "namespace block device appears ($bdev)" test -b "$bdev"
}

# serve_and_connect NQN [NVME-CONNECT OPTIONS...]: serve_port and
# connect_host for a subsystem made by the caller; sets dev to the host's
# block device of its first namespace.
serve_and_connect() {
	local nqn=$1
	shift
	serve_port "$nqn"
	connect_host "$nqn" "$@"
	dev=$bdev
}

# fio_verify NAME DEV BS SIZE QD [more fio options]: a check; writes, then verifies
fio_verify() {
	local name=$1 d=$2 bs=$3 size=$4 qd=$5
	shift 5
	check "fio $name: $bs writes + crc32c verify, QD$qd, $size on $d" \
		fio --name="$name" --filename="$d" --ioengine=libaio --direct=1 --bs="$bs" \
		--size="$size" --iodepth="$qd" --verify=crc32c --do_verify=1 --verify_fatal=1 \
		--output-format=terse "$@"
}

# Two-namespace smoke helpers (rdma-smoke, fc-smoke).
# subsys_two_ns NQN: subsystem NQN, namespace 1 on a 128 MiB loop device
# (NS_DEV) and namespace 2 on a 64 MiB file (NS_FILE). Sets the fio sizes
# SMALL and BIG, smaller on the debug kernel (DBG=1), where KASAN under TCG
# makes every transport several times slower: what matters there is every
# path, not volume.
subsys_two_ns() {
	NS_DEV=$(backing_loop 128)
	NS_FILE=$(mktemp /tmp/nsfile.XXXXXX)
	truncate -s 64M "$NS_FILE"
	check "create subsystem $1" subsys_add "$1"
	check "namespace 1 on $NS_DEV (block)" ns_add "$1" 1 "$NS_DEV"
	check "namespace 2 on $NS_FILE (file)" ns_add "$1" 2 "$NS_FILE"
	SMALL=8M BIG=16M DBG=0
	[[ $(uname -r) == *labdbg* ]] && SMALL=2M BIG=4M DBG=1
}
# two_ns_connected PREFIX BEFORE: after a connect, B1 and B2 are the two new
# block devices (BEFORE: nvme_blockdevs before it), checked to exist.
two_ns_connected() {
	local bdevs
	wait_new_blockdev "$2" >/dev/null
	sleep 1
	bdevs=$(comm -13 <(echo "$2") <(nvme_blockdevs) | tr '\n' ' ')
	note "${1}new block devices: $bdevs"
	B1=/dev/$(awk '{ print $1 }' <<<"$bdevs")
	B2=/dev/$(awk '{ print $2 }' <<<"$bdevs")
	check "${1}two namespaces appear ($B1 $B2)" test -b "$B1" -a -b "$B2"
}
# fio_two_ns PREFIX: write + verify at 4 KiB, 16 KiB and 1 MiB on B1 (block)
# and 4 KiB and 128 KiB on B2 (file); not 16 and 128 KiB on the debug kernel.
fio_two_ns() {
	local p=${1:+$1-}
	fio_verify "${p}4k" "$B1" 4k "$SMALL" 32 --rw=randwrite
	[[ $DBG == 1 ]] || fio_verify "${p}16k" "$B1" 16k "$SMALL" 16 --rw=randwrite
	fio_verify "${p}1m" "$B1" 1M "$BIG" 8 --rw=write
	fio_verify "${p}file-4k" "$B2" 4k "$SMALL" 32 --rw=randwrite
	[[ $DBG == 1 ]] || fio_verify "${p}file-128k" "$B2" 128k "$BIG" 8 --rw=write
}

nvme_blockdevs() { lsblk -dno NAME 2>/dev/null | grep -E '^nvme[0-9]+n[0-9]+$' | sort; }

# wait_new_blockdev BEFORE_LIST [SECONDS]: prints the first nvme block device
# that was not in BEFORE_LIST, waiting for it to appear.
# io_work_trace CMD...: the workqueue_execute_start lines of
# nvmet_tcp_io_work (both targets name their worker function so) while CMD
# runs. No comm recording: it would hook sched_switch, patching __schedule
# live (tests/vm/tcg-artefact: under TCG the other vCPU may trap on it).
io_work_trace() {
	local t=/sys/kernel/tracing
	mountpoint -q $t || mount -t tracefs nodev $t || return 1
	echo 0 >$t/tracing_on
	echo >$t/trace
	echo 0 >$t/options/record-cmd
	echo 1 >$t/events/workqueue/workqueue_execute_start/enable
	echo 1 >$t/tracing_on
	"$@"
	echo 0 >$t/tracing_on
	echo 0 >$t/events/workqueue/workqueue_execute_start/enable
	grep 'function nvmet_tcp_io_work' $t/trace
	echo >$t/trace
}

wait_new_blockdev() {
	local before=$1 secs=${2:-20} i d
	for ((i = 0; i < secs * 4; i++)); do
		for d in $(nvme_blockdevs); do
			grep -qx "$d" <<<"$before" || { echo "/dev/$d"; return 0; }
		done
		sleep 0.25
	done
	return 1
}

# --- RDMA: soft-RoCE on the guest's eth0 ------------------------------------

# rxe_add: the soft-RoCE device rxe0 over eth0 (loads rdma_rxe).
rxe_add() { modprobe rdma_rxe && rdma link add rxe0 type rxe netdev eth0; }
# rxe_addr: eth0's IPv4 address, where RDMA ports listen and hosts connect.
rxe_addr() { ip -4 -o addr show eth0 | awk '{ sub(/\/.*/, "", $4); print $4; exit }'; }

# --- TLS: tlshd, the user-space agent of the kernel's TLS handshakes -------

# tlshd_binary: the tlshd that fits the running kernel. sid's tlshd (ktls-utils
# 1.4) needs Linux >= 6.19 (it sets TLS_TX_MAX_PAYLOAD_LEN); older kernels
# (trixie's 6.12) get trixie's (ktls-utils 1.0), which build-guest installs
# as /usr/sbin/tlshd-trixie.
tlshd_binary() {
	local maj min
	IFS=. read -r maj min _ <<<"$(uname -r)"
	if ((maj < 6 || (maj == 6 && min < 19))); then
		echo /usr/sbin/tlshd-trixie
	else
		echo /usr/sbin/tlshd
	fi
}

# start_tlshd [CONFIG]: starts that tlshd in the background with CONFIG (by
# default /tmp/tlshd.conf, written here: keyrings=.nvme, the keyring
# `nvme check-tls-key --insert` uses). Messages go to stderr (-s), appended to
# $LAB_OUT/tlshd.log. Sets TLSHD_PID; fails when it is not running a second
# later.
start_tlshd() {
	local conf=${1:-/tmp/tlshd.conf} bin
	bin=$(tlshd_binary)
	[[ -x $bin ]] || { echo "no $bin in the guest (tests/vm/build-guest)"; return 1; }
	if [[ -z ${1:-} ]]; then
		printf '%s\n' '[debug]' 'loglevel=1' 'tls=0' 'nl=0' \
			'[authenticate]' 'keyrings=.nvme' >"$conf"
	fi
	echo "--- $(date +%T) $bin -s -c $conf" >>"$LAB_OUT/tlshd.log"
	"$bin" -s -c "$conf" </dev/null >>"$LAB_OUT/tlshd.log" 2>&1 &
	TLSHD_PID=$!
	sleep 1
	kill -0 "$TLSHD_PID" 2>/dev/null ||
		{ echo "$bin exited:"; tail -n 5 "$LAB_OUT/tlshd.log"; TLSHD_PID=""; return 1; }
}

# stop_tlshd: ends the tlshd start_tlshd started (also a stopped one) and its
# handshake children; waits for it.
stop_tlshd() {
	local pid=${TLSHD_PID:-} kids i
	[[ -n $pid ]] || return 0
	kids=$(pgrep -P "$pid" | tr '\n' ' ')
	# shellcheck disable=SC2086
	kill -CONT "$pid" $kids 2>/dev/null
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < 20; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.25
	done
	# shellcheck disable=SC2086
	kill -KILL "$pid" $kids 2>/dev/null
	wait "$pid" 2>/dev/null
	TLSHD_PID=""
	return 0
}

# NVMe/FC over nvme-fcloop, with blktests' port names: a target port (R_*,
# the address nvmet ports name), a local host port (L_*) and the remote
# port that joins them (roles=0x60: FCP initiator and target).
FC_L_WWNN=0x10001100aa000001 FC_L_WWPN=0x20001100aa000001
FC_R_WWNN=0x10001100ab000001 FC_R_WWPN=0x20001100ab000001
FC_TRADDR=nn-$FC_R_WWNN:pn-$FC_R_WWPN
FC_HOST_TRADDR=nn-$FC_L_WWNN:pn-$FC_L_WWPN
FCLOOP=/sys/class/fcloop/ctl
# host_multipath_default: the host's nvme-core with native multipath on (its
# default), reloaded if an earlier step turned it off. A scenario that takes
# paths away under I/O needs it: without multipath a path error is retried
# at once and counted (nvme_max_retries), and a command that meets a lost
# path five times before the host resets fails with ENOLINK, whatever the
# target does; with it the command waits for the path to come back.
host_multipath_default() {
	if [[ -d /sys/module/nvme_core && $(cat /sys/module/nvme_core/parameters/multipath) != Y ]]; then
		modprobe -r nvme-fc nvme-rdma nvme-tcp nvme-fabrics nvme nvme-core 2>/dev/null
	fi
	modprobe nvme-core && grep -qx Y /sys/module/nvme_core/parameters/multipath
}

# fcloop_load: nvme-fcloop of the target under test (ours with ours, the
# in-tree one with the in-tree target).
fcloop_load() { modprobe nvme-fcloop; }
fcloop_add_target() { echo "wwnn=$FC_R_WWNN,wwpn=$FC_R_WWPN" >$FCLOOP/add_target_port; }
fcloop_add_remote() {
	echo "wwnn=$FC_R_WWNN,wwpn=$FC_R_WWPN,lpwwnn=$FC_L_WWNN,lpwwpn=$FC_L_WWPN,roles=0x60" >$FCLOOP/add_remote_port
}
fcloop_del_target() { echo "wwnn=$FC_R_WWNN,wwpn=$FC_R_WWPN" >$FCLOOP/del_target_port; }
fcloop_del_remote() { echo "wwnn=$FC_R_WWNN,wwpn=$FC_R_WWPN" >$FCLOOP/del_remote_port; }
fcloop_add_ports() {
	fcloop_add_target && echo "wwnn=$FC_L_WWNN,wwpn=$FC_L_WWPN" >$FCLOOP/add_local_port &&
		fcloop_add_remote
}
# fcloop_del_pair: the target port and the remote port that leads to it,
# in the order the in-tree fcloop of the running kernel survives (ours
# survives either: the fcloop scenario deletes them in every order): 6.12's
# loses track of a target port whose remote port went first (del_target_port
# then fails with ENOENT); 7.2's host side reads the remote port's target
# port twice without a lock, and a target port deleted first under host I/O
# can make it dereference NULL (seen on the debug kernel).
fcloop_del_pair() {
	if [[ $(uname -r) == 6.* || ${FCLOOP_TARGET_FIRST:-} == 1 ]]; then
		fcloop_del_target && fcloop_del_remote
	else
		fcloop_del_remote && fcloop_del_target
	fi
}
fcloop_del_ports() {
	fcloop_del_pair && echo "wwnn=$FC_L_WWNN,wwpn=$FC_L_WWPN" >$FCLOOP/del_local_port
}

# wait_for SECS CMD...: runs CMD every half second until it succeeds, for
# at most SECS seconds; fails when it never did.
wait_for() {
	local i n=$(($1 * 2))
	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.5
	done
	return 1
}

# with_deadline SECS CMD...: runs CMD (a function too); if it is still
# running after SECS, prints the kernel stacks of the tasks in D state (and
# asks sysrq for the blocked ones in the kernel log), leaves it running and
# fails, so a hang is reported with where it hangs instead of by the timeout.
with_deadline() {
	local secs=$1 pid i t
	shift
	"$@" &
	pid=$!
	for ((i = 0; i < secs; i++)); do
		kill -0 $pid 2>/dev/null || { wait $pid; return; }
		sleep 1
	done
	echo "still running after ${secs}s: $*"
	for t in /proc/[0-9]*; do
		[[ $(awk '{ print $3 }' "$t/stat" 2>/dev/null) == D ]] || continue
		echo "== $(cat "$t/comm" 2>/dev/null) ($(basename "$t"))"
		cat "$t/stack" 2>/dev/null
	done
	echo w >/proc/sysrq-trigger 2>/dev/null
	return 1
}
