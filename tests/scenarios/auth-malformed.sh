#!/bin/bash
# In-band authentication robustness: a subsystem with a loop-device namespace
# on a TCP port at 127.0.0.1:4420 and two host entries with keys. The kernel
# host (direct paths) authenticates bidirectionally and runs a write +
# read-compare loop while auth_bad_client.py (the raw host of nvme_tcp.py)
# speaks broken DH-HMAC-CHAP to the same port as the second host: commands
# before authentication, broken AUTH_Negotiate and Reply messages, messages
# out of sequence, replays, wrong transaction IDs, tiny and huge TL/AL, a
# connection that goes silent. Each case's answers (status codes, failure
# reason codes, whether the target ends the connection) must be the in-tree
# target's (the reference; where that is unsafe, the case is recorded only:
# see the client; ours: its documented differences, target_is_ours). Afterwards the kernel host's I/O has not failed, a new
# connect authenticates and fio write + verify passes; no splat (the harness
# scans the kernel log). Runs unchanged against the in-tree target and ours.
# With AUTH_STRICT set (auth-malformed-strict), the client judges every case
# against the safe outcome instead, which the in-tree target fails.
. ./lib.sh
NQN=nqn.2026-12.org.nvmet-oot:auth-malformed
HN=$LAB_HOSTNQN
BADHOST=nqn.2014-08.org.nvmexpress:uuid:$(cat /proc/sys/kernel/random/uuid)
ADDR=127.0.0.1
SVC=4420
S=$NVMET_CFS/subsystems/$NQN

check "auth_bad_client.py and nvme_tcp.py are in the scenario directory" \
	test -f ./auth_bad_client.py -a -f ./nvme_tcp.py
check "direct paths: nvme_core reloaded with multipath=N" \
	bash -c 'modprobe -r nvme-tcp nvme-fabrics nvme nvme_core 2>/dev/null; modprobe nvme_core multipath=N &&
		grep -qx N /sys/module/nvme_core/parameters/multipath'
check "load nvmet-tcp" modprobe nvmet-tcp
check "load nvme-tcp (host)" modprobe nvme-tcp

# host_entry NQN HASH GROUP KEY CTRLKEY: a host entry allowed on the subsystem.
host_entry() {
	local h=$NVMET_CFS/hosts/$1
	mkdir "$h" && echo "$2" >"$h/dhchap_hash" && echo "$3" >"$h/dhchap_dhgroup" &&
		echo "$4" >"$h/dhchap_key" && echo "$5" >"$h/dhchap_ctrl_key" &&
		ln -s "$h" "$S/allowed_hosts/$1"
}
K=$(nvme gen-dhchap-key -n "$HN" -m 1 -l 32)
C=$(nvme gen-dhchap-key -n "$HN" -m 0 -l 48)
BK=$(nvme gen-dhchap-key -n "$BADHOST" -m 2 -l 48)
BC=$(nvme gen-dhchap-key -n "$BADHOST" -m 0 -l 32)
dev=$(backing_loop 256)
check "loop device as backing store" test -b "$dev"
check "subsystem $NQN (no allow_any_host)" mkdir "$S"
check "namespace 1 on $dev" ns_add $NQN 1 "$dev"
check "kernel host's entry: hmac(sha256), ffdhe2048, key and controller key" \
	host_entry "$HN" "hmac(sha256)" ffdhe2048 "$K" "$C"
check "raw host's entry: hmac(sha384), null group, key and controller key" \
	host_entry "$BADHOST" "hmac(sha384)" null "$BK" "$BC"
serve_port $NQN

connect_host $NQN --dhchap-secret="$K" --dhchap-ctrl-secret="$C"
ctrl=$(basename "$(readlink -f "/sys/block/${bdev#/dev/}/device")")
check_output "$ctrl: both sides authenticated" "controller authenticated" \
	bash -c "dmesg | grep -E '$ctrl: qid 0: '"

# A write + read-compare loop over 64 KiB blocks of the first 32 MiB; rounds
# and failures counted in files.
rounds=/tmp/io.rounds stop=/tmp/io.stop
io_loop() {
	local n=0 f=/tmp/io.loopdata
	head -c 64k /dev/urandom >$f
	while [[ ! -e $stop ]]; do
		dd if=$f of="$bdev" bs=64k count=1 seek=$((n % 512)) oflag=direct conv=notrunc status=none &&
			cmp -s <(dd if="$bdev" bs=64k count=1 skip=$((n % 512)) iflag=direct status=none) $f ||
			echo "round $n failed" >>/tmp/io.failed
		n=$((n + 1))
		echo $n >$rounds
	done
}
io_loop </dev/null >/dev/null 2>&1 &
io_pid=$!
sleep 2
check "the kernel host's I/O loop is running" kill -0 $io_pid

bad_log=$(mktemp)
bad_rc=0
r0=$(cat $rounds)
# Ours: its documented differences (docs/security.md) are expected.
opts=()
target_is_ours && opts+=(--ours)
[[ -n ${AUTH_STRICT:-} ]] && opts+=(--strict)
note "auth_bad_client.py options: ${opts[*]}"
timeout -k 5 400 python3 ./auth_bad_client.py $ADDR $SVC $NQN "$BADHOST" "$BK" "$BC" "${opts[@]}" \
	>"$bad_log" 2>&1 || bad_rc=$?
sed 's/^/# /' "$bad_log"
check "broken authentication: every case answered as expected (rc $bad_rc)" \
	test $bad_rc -eq 0
check "the kernel host's I/O went on meanwhile ($r0 -> $(cat $rounds) rounds)" test "$(cat $rounds)" -gt "$r0"
touch $stop
wait $io_pid
check "no I/O failure in $(cat $rounds) rounds" bash -c "! cat /tmp/io.failed 2>/dev/null | grep ."
check_output "$ctrl is live" "^live\$" cat "/sys/class/nvme/$ctrl/state"
check_output "disconnect" "disconnected 1 controller" nvme disconnect -n $NQN

connect_host $NQN --dhchap-secret="$K" --dhchap-ctrl-secret="$C"
check "a new connect: fio 4k random write + crc32c verify" \
	fio --name=after --filename="$bdev" --ioengine=libaio --direct=1 --rw=randwrite \
	--bs=4k --size=16M --iodepth=16 --verify=crc32c --do_verify=1 --verify_fatal=1 \
	--output-format=terse
check_output "disconnect" "disconnected 1 controller" nvme disconnect -n $NQN

check "target teardown through configfs" target_clear
check "unload nvme-tcp" modprobe -r nvme-tcp
check "unload nvmet-tcp and nvmet" modprobe -r nvmet-tcp nvmet
losetup -d "$dev"
finish
