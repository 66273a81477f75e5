#!/bin/bash
# In-band authentication (DH-HMAC-CHAP, NVMe Base 2.x 8.3.5) with the
# kernel's NVMe/TCP host on direct paths (nvme_core multipath=N, so a
# refusal reaches nvme-cli unretried):
#   - configfs ABI of hosts/<nqn>/dhchap_{key,ctrl_key,hash,dhgroup}: files,
#     modes, defaults, values read back, invalid values refused with EINVAL
#     and the old value kept, a NUL byte clears a key;
#   - each hash (hmac(sha256|sha384|sha512)) with the DH groups null,
#     ffdhe2048, ffdhe3072, ffdhe4096 and ffdhe6144 or ffdhe8192 (15 cases),
#     unidirectional and bidirectional, keys made by `nvme gen-dhchap-key`
#     (transforms 0..3, lengths 32/48/64): connect (timed), the host's log
#     names the hash and group the target chose, sysfs shows the secrets,
#     1 MiB written and read back (and the previous case's MiB, written
#     through another controller with other keys), disconnect;
#   - refusals: no secret, wrong secret, the secret with another transform,
#     wrong controller secret, bidirectional asked of a target without a
#     controller key, target keys configfs takes but cannot be used; after
#     each, no controller is left on either side (the subsystem's controller
#     ID range is one ID, so the next good connect proves the target freed it);
#   - a host entry without a key and a subsystem open to any host do not
#     authenticate;
#   - re-authentication of a live controller while a write + read-compare
#     loop runs: new host key, new hash and DH group, NULL group, new
#     controller key (the target's configfs first, then the host's sysfs
#     dhchap_secret / dhchap_ctrl_secret); then the host re-authenticates with
#     a key the target does not have: the target ends the controller, the
#     host's reconnect is refused, and with the target given that key a
#     connect gets the only controller ID again.
# Runs unchanged against the in-tree target and ours.
. ./lib.sh
NQN=nqn.2026-12.org.nvmet-oot:auth
HN=$LAB_HOSTNQN
ADDR=127.0.0.1
SVC=4420
H=$NVMET_CFS/hosts/$HN
S=$NVMET_CFS/subsystems/$NQN
HASHES=("hmac(sha256)" "hmac(sha384)" "hmac(sha512)")
GROUPS_ALL=(null ffdhe2048 ffdhe3072 ffdhe4096 ffdhe6144 ffdhe8192)
timings=()

# cfs_write FILE VALUE [escapes]: one write(2) of VALUE (as given: add the
# newline in VALUE; with "escapes", printf's backslash escapes such as \0
# are decoded first); prints "ok" or the errno's name (EINVAL...).
cfs_write() {
	local err fmt=%s
	[[ -n ${3:-} ]] && fmt=%b
	if err=$({ printf "$fmt" "$2" >"$1"; } 2>&1); then
		echo ok
		return
	fi
	case $err in
	*"Invalid argument") echo EINVAL ;;
	*"Bad address") echo EFAULT ;;
	*"No such device") echo ENODEV ;;
	*"Operation not permitted") echo EPERM ;;
	*"Device or resource busy") echo EBUSY ;;
	*"Cannot allocate memory") echo ENOMEM ;;
	*) echo "error: $err" ;;
	esac
}

# cfs_expect FILE VALUE RESULT [escapes]: the write of VALUE gives RESULT.
cfs_expect() {
	local got
	got=$(cfs_write "$1" "$2" ${4:+"$4"})
	echo "write $(printf '%q' "$2") to ${1##*/}: $got (expected $3)"
	[[ $got == "$3" ]]
}

# cfs_refused FILE VALUE...: each VALUE plus a newline is refused with
# EINVAL and FILE reads back as before.
cfs_refused() {
	local f=$1 v before after rc=0
	shift
	for v; do
		before=$(<"$f")
		cfs_expect "$f" "$v"$'\n' EINVAL || rc=1
		after=$(<"$f")
		[[ $before == "$after" ]] || { echo "  changed: [$before] -> [$after]"; rc=1; }
	done
	return $rc
}

# cfs_reads FILE VALUE [READBACK]: VALUE plus a newline (what echo writes) is
# accepted and FILE reads back READBACK (default VALUE).
cfs_reads() {
	local got
	cfs_expect "$1" "$2"$'\n' ok || return 1
	got=$(<"$1")
	echo "  reads back [$got], expected [${3-$2}]"
	[[ $got == "${3-$2}" ]]
}

# cfs_plain FILE VALUE: VALUE without a newline is accepted and read back.
cfs_plain() { cfs_expect "$1" "$2" ok && [[ $(<"$1") == "$2" ]]; }
# cfs_clear FILE: one NUL byte is accepted and FILE reads back empty.
cfs_clear() { cfs_expect "$1" '\0' ok escapes && [[ -z $(<"$1") ]]; }

# cfs_reads_all FILE VALUE...: cfs_reads of each VALUE.
cfs_reads_all() {
	local f=$1 v rc=0
	shift
	for v; do cfs_reads "$f" "$v" || rc=1; done
	return $rc
}

mark_n=0
# mark: a marker in the kernel log; since_mark prints the log after the last one.
mark() {
	mark_n=$((mark_n + 1))
	echo "auth-dhchap: mark $mark_n" >/dev/kmsg
}
since_mark() { dmesg | sed -n "/auth-dhchap: mark $mark_n\$/,\$p"; }
# log_has REGEX: the kernel log after the last mark has a line matching REGEX.
log_has() { since_mark | grep -E -- "$1"; }
log_lacks() { ! since_mark | grep -E -- "$1"; }
# wait_log REGEX [SECONDS]: until a line after the last mark matches.
wait_log() {
	local i
	for ((i = 0; i < ${2:-20} * 4; i++)); do
		log_has "$1" && return 0
		sleep 0.25
	done
	echo "no log line /$1/ after mark $mark_n within ${2:-20}s:"
	since_mark | tail -20
	return 1
}
# note the target's log lines since the last mark (for the record).
note_target_log() { since_mark | grep -E 'nvmet' | sed 's/^\[[ .0-9]*\] //' | while read -r l; do note "target log: $l"; done; }

# host_ctrls: the host's controllers of NQN (nvmeX), one per line.
host_ctrls() {
	local c
	for c in /sys/class/nvme/nvme*; do
		[[ -e $c/subsysnqn && $(cat "$c/subsysnqn") == "$NQN" ]] && basename "$c"
	done
	return 0
}
no_host_ctrl() { local l; l=$(host_ctrls); echo "host controllers of $NQN: [${l}]"; [[ -z $l ]]; }

gen_key() { nvme gen-dhchap-key -n "$HN" "$@"; } # gen_key -m M -l L

# The I/O of a case: 1 MiB of fresh random data at OFF MiB, read back and
# compared; the previous case's MiB read back too (written through another
# controller, authenticated with other keys).
last_off=""
io_check() {
	local bdev=$1 off=$2
	head -c 1M /dev/urandom >"/tmp/io.$off" &&
		dd if="/tmp/io.$off" of="$bdev" bs=1M count=1 seek="$off" oflag=direct conv=notrunc status=none &&
		cmp <(dd if="$bdev" bs=1M count=1 skip="$off" iflag=direct status=none) "/tmp/io.$off" || return 1
	if [[ -n $last_off ]]; then
		cmp <(dd if="$bdev" bs=1M count=1 skip="$last_off" iflag=direct status=none) "/tmp/io.$last_off" ||
			return 1
		echo "the previous case's MiB at $last_off MiB reads back"
	fi
	last_off=$off
}

elapsed() { python3 -c "import sys; print('%.2f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$1" "$2"; }

# target_keys HASH GROUP HOSTKEY CTRLKEY: the host entry's settings ("" key:
# none; cleared with a NUL byte).
target_keys() {
	echo "$1" >"$H/dhchap_hash" && echo "$2" >"$H/dhchap_dhgroup" || return 1
	if [[ -n $3 ]]; then echo "$3" >"$H/dhchap_key"; else printf '\0' >"$H/dhchap_key"; fi || return 1
	if [[ -n $4 ]]; then echo "$4" >"$H/dhchap_ctrl_key"; else printf '\0' >"$H/dhchap_ctrl_key"; fi
}

nvme_connect() { nvme connect -t tcp -a $ADDR -s $SVC -n $NQN "$@"; }

# good_case N HASH GROUP HOSTKEY CTRLKEY: the host connects with HOSTKEY (and
# CTRLKEY, bidirectional, when not empty); hash and group are the target's.
case_n=0
good_case() {
	local what=$1 hash=$2 group=$3 hkey=$4 ckey=$5 t0 t1 ctrl bdev before args
	case_n=$((case_n + 1))
	check "$what: target host entry: $hash, $group, key${ckey:+ and controller key}" \
		target_keys "$hash" "$group" "$hkey" "$ckey"
	args=(--dhchap-secret="$hkey")
	[[ -n $ckey ]] && args+=(--dhchap-ctrl-secret="$ckey")
	before=$(nvme_blockdevs)
	mark
	t0=$(date +%s.%N)
	check "$what: connect" nvme_connect "${args[@]}" || return 1
	t1=$(date +%s.%N)
	timings+=("$(printf '%-13s %-10s %-4s %ss' "$hash" "$group" "$([[ -n $ckey ]] && echo bi || echo uni)" "$(elapsed "$t0" "$t1")")")
	note "connect took $(elapsed "$t0" "$t1")s"
	ctrl=$(host_ctrls | head -1)
	check_output "$what: host log: $ctrl authenticated with $hash, $group" \
		"$ctrl: qid 0: authenticated with hash ${hash//[()]/.} dhgroup $group\$" since_mark
	if [[ -n $ckey ]]; then
		check_output "$what: host log: $ctrl: controller authenticated" "$ctrl: qid 0: controller authenticated" since_mark
		check_output "$what: sysfs dhchap_ctrl_secret is the controller key" "^${ckey//+/\\+}\$" cat "/sys/class/nvme/$ctrl/dhchap_ctrl_secret"
	else
		check "$what: host log: no controller authentication (unidirectional)" log_lacks "controller authenticated"
		check_output "$what: sysfs dhchap_ctrl_secret is none" "^none\$" cat "/sys/class/nvme/$ctrl/dhchap_ctrl_secret"
	fi
	check_output "$what: sysfs dhchap_secret is the host key" "^${hkey//+/\\+}\$" cat "/sys/class/nvme/$ctrl/dhchap_secret"
	check_output "$what: $ctrl is live" "^live\$" cat "/sys/class/nvme/$ctrl/state"
	bdev=$(wait_new_blockdev "$before")
	check "$what: 1 MiB written and read back on $bdev" io_check "$bdev" "$case_n"
	check_output "$what: disconnect" "disconnected 1 controller" nvme disconnect -n $NQN
}

# refused WHAT CONNECT-ARGS...: the connect fails, no controller is left on
# the host, and the target's only controller ID is free again: after
# $REPAIR (a command, when set), a good connect (GOOD_ARGS) gets controller 1
# within 10 s.
REPAIR=""
refused() {
	local what=$1 i ok=1 ctrl
	shift
	mark
	check_fails "$what: connect refused" nvme_connect "$@"
	check "$what: no controller left on the host" no_host_ctrl
	note_target_log
	[[ -z $REPAIR ]] || check "$what: $REPAIR_WHAT" bash -c "$REPAIR"
	for ((i = 0; i < 10; i++)); do
		nvme_connect "${GOOD_ARGS[@]}" >/dev/null 2>&1 && { ok=0; break; }
		sleep 1
	done
	ctrl=$(host_ctrls | head -1)
	check "$what: then a good connect gets the only controller ID (1): nothing left on the target" \
		test $ok -eq 0 -a -n "$ctrl" -a "$(cat "/sys/class/nvme/$ctrl/cntlid" 2>/dev/null)" = 1
	[[ -n $ctrl ]] && nvme disconnect -n $NQN >/dev/null
}

# The host's admin timeout 15 s (default 60): the in-tree target ends a
# controller whose authentication failed before the completion it owes the
# host is on the wire (nvmet_ctrl_fatal_error before nvmet_req_complete),
# and a host still connecting waits out the command's timeout. Seen on 6.12
# after a wrong secret: a 60 s wait, a hung-task report (the lab's threshold
# is 30 s) and the scenario over its time.
check "direct paths: nvme_core reloaded with multipath=N, admin_timeout=15" \
	bash -c 'modprobe -r nvme-tcp nvme-fabrics nvme nvme_core 2>/dev/null; modprobe nvme_core multipath=N admin_timeout=15 &&
		grep -qx N /sys/module/nvme_core/parameters/multipath &&
		grep -qx 15 /sys/module/nvme_core/parameters/admin_timeout'
check "load nvmet-tcp" modprobe nvmet-tcp
check "load nvme-tcp (host)" modprobe nvme-tcp
check "host NQN is set" test -n "$HN"

# ---------------------------------------------------------------- configfs ABI
check "host entry for $HN" mkdir "$H"
# Ours keeps the two secrets readable by root only (docs/configfs.md).
km=644
target_is_ours && km=600
check_output "host entry has the four dhchap files, secrets mode $km" \
	"^dhchap_ctrl_key $km dhchap_dhgroup 644 dhchap_hash 644 dhchap_key $km \$" \
	bash -c "cd '$H' && stat -c '%n %a' dhchap_* | sort | tr '\n' ' '"
check_output "defaults: hash hmac(sha256), group null, no keys" \
	'^hmac\(sha256\)/null//$' bash -c "cd '$H' && echo \$(<dhchap_hash)/\$(<dhchap_dhgroup)/\$(<dhchap_key)/\$(<dhchap_ctrl_key)"
check "dhchap_hash: ${HASHES[*]} accepted, read back" cfs_reads_all "$H/dhchap_hash" "${HASHES[@]}"
check "dhchap_dhgroup: ${GROUPS_ALL[*]} accepted, read back" cfs_reads_all "$H/dhchap_dhgroup" "${GROUPS_ALL[@]}"
# In-tree compares the known names as prefixes: trailing text is ignored.
# Ours takes whole names only (docs/configfs.md).
if target_is_ours; then
	check "dhchap_hash 'hmac(sha384)x', dhchap_dhgroup 'ffdhe3072x' refused (whole names)" \
		bash -c "! echo 'hmac(sha384)x' >'$H/dhchap_hash' && ! echo ffdhe3072x >'$H/dhchap_dhgroup'"
else
	check "dhchap_hash hmac(sha384)x reads back hmac(sha384) (prefix match)" cfs_reads "$H/dhchap_hash" "hmac(sha384)x" "hmac(sha384)"
	check "dhchap_dhgroup ffdhe3072x reads back ffdhe3072 (prefix match)" cfs_reads "$H/dhchap_dhgroup" "ffdhe3072x" ffdhe3072
fi
check "dhchap_hash: sha256, hmac(sha1), hmac(md5), hmac(sha224), HMAC(SHA256), hmac(sha25, none, '' refused (EINVAL), value kept" \
	cfs_refused "$H/dhchap_hash" sha256 "hmac(sha1)" "hmac(md5)" "hmac(sha224)" "HMAC(SHA256)" "hmac(sha25" none ""
check "dhchap_dhgroup: ffdhe1024, NULL, 2048, ffdhe, none, 'ffdhe 2048', '' refused (EINVAL), value kept" \
	cfs_refused "$H/dhchap_dhgroup" ffdhe1024 NULL 2048 ffdhe none "ffdhe 2048" ""
keys=()
for ml in "0 32" "0 48" "0 64" "1 32" "2 48" "3 64"; do
	set -- $ml
	keys+=("$(gen_key -m "$1" -l "$2")")
done
check "gen-dhchap-key -m 0 -l 32/48/64, -m 1 -l 32, -m 2 -l 48, -m 3 -l 64: DHHC-1:00/00/00/01/02/03 keys" \
	python3 -c '
import base64, sys, zlib
ok = True
for k, (m, n) in zip(sys.argv[1:], [(0, 32), (0, 48), (0, 64), (1, 32), (2, 48), (3, 64)]):
    p = k.split(":")
    raw = base64.b64decode(p[2])
    good = (p[0] == "DHHC-1" and p[1] == "%02d" % m and len(raw) == n + 4 and
            zlib.crc32(raw[:-4]).to_bytes(4, "little") == raw[-4:])
    print(k, "ok" if good else "BAD")
    ok &= good
sys.exit(0 if ok else 1)' "${keys[@]}"
check "dhchap_key: each transform and length accepted, read back" cfs_reads_all "$H/dhchap_key" "${keys[@]}"
check "dhchap_ctrl_key: each transform and length accepted, read back" cfs_reads_all "$H/dhchap_ctrl_key" "${keys[@]}"
k=${keys[3]}
for f in dhchap_key dhchap_ctrl_key; do
	check "$f: a key without a newline is accepted and read back" cfs_plain "$H/$f" "$k"
	check "$f: hash 04 or -1, DHHC-2, lower case, leading space, no prefix, foo refused (EINVAL), value kept" \
		cfs_refused "$H/$f" "DHHC-1:04:${k:10}" "DHHC-1:-1:${k:10}" "DHHC-2:01:${k:10}" "dhhc-1:01:${k:10}" " $k" "${k:10}" foo
	# An empty line: in-tree refuses it (a NUL byte clears); ours clears
	# with it too (docs/configfs.md).
	if target_is_ours; then
		check "$f: an empty line clears the key" bash -c "echo >'$H/$f' && [ -z \"\$(cat '$H/$f')\" ] && echo -n '$k' >'$H/$f'"
	else
		check "$f: '' refused (EINVAL), value kept" cfs_refused "$H/$f" ""
	fi
	check "$f: a NUL byte clears the key (reads back empty)" cfs_clear "$H/$f"
done
check "dhchap_hash back to hmac(sha256), dhchap_dhgroup to null" \
	bash -c "echo 'hmac(sha256)' >'$H/dhchap_hash' && echo null >'$H/dhchap_dhgroup'"

# ---------------------------------------------------------------- the target
dev=$(backing_loop 64)
check "loop device as backing store" test -b "$dev"
check "subsystem $NQN (no allow_any_host)" mkdir "$S"
check_output "attr_allow_any_host is 0" '^0$' cat "$S/attr_allow_any_host"
# One controller ID: a controller the target failed to free makes the next
# connect fail.
check "controller ID range 1..1" bash -c "echo 1 >'$S/attr_cntlid_min' && echo 1 >'$S/attr_cntlid_max'"
check "namespace 1 on $dev" ns_add $NQN 1 "$dev"
check "$HN allowed" ln -s "$H" "$S/allowed_hosts/$HN"
serve_port $NQN

# ---------------------------------------------------------------- hash x group
# Each hash with null, ffdhe2048, ffdhe3072, ffdhe4096 and one of the two
# largest groups (ffdhe8192 for hmac(sha256) and hmac(sha512), ffdhe6144 for
# hmac(sha384)). The key kinds rotate over the cases: every transform and
# length, host and controller key, unidirectional and bidirectional.
KEYSPECS=("0 32" "1 32" "0 48" "2 48" "0 64" "3 64")
i=0
for h in 0 1 2; do
	hash=${HASHES[$h]}
	big=ffdhe8192
	[[ $h == 1 ]] && big=ffdhe6144
	for group in null ffdhe2048 ffdhe3072 ffdhe4096 $big; do
		set -- ${KEYSPECS[$((i % 6))]}
		hkey=$(gen_key -m "$1" -l "$2")
		ckey=""
		if ((i % 2)); then
			set -- ${KEYSPECS[$(((i + 3) % 6))]}
			ckey=$(gen_key -m "$1" -l "$2")
		fi
		good_case "$hash/$group" "$hash" "$group" "$hkey" "$ckey"
		i=$((i + 1))
	done
done

# ---------------------------------------------------------------- refusals
K1=$(gen_key -m 1 -l 32)
K2=$(gen_key -m 1 -l 32)
C1=$(gen_key -m 0 -l 48)
C2=$(gen_key -m 0 -l 48)
GOOD_ARGS=(--dhchap-secret="$K1")
check "target: ffdhe2048, hmac(sha256), key K1, no controller key" target_keys "hmac(sha256)" ffdhe2048 "$K1" ""
refused "no secret" 
refused "wrong secret" --dhchap-secret="$K2"
refused "the secret with transform 00 instead of 01" --dhchap-secret="DHHC-1:00:${K1:10}"
refused "bidirectional asked, target has no controller key" --dhchap-secret="$K1" --dhchap-ctrl-secret="$C1"
check "target: controller key C1" bash -c "echo '$C1' >'$H/dhchap_ctrl_key'"
GOOD_ARGS=(--dhchap-secret="$K1" --dhchap-ctrl-secret="$C1")
refused "wrong controller secret (the host refuses the controller)" --dhchap-secret="$K1" --dhchap-ctrl-secret="$C2"
refused "right controller secret, wrong host secret" --dhchap-secret="$K2" --dhchap-ctrl-secret="$C1"
# Keys with the right prefix that are no keys: configfs of the in-tree target
# takes them (it checks only "DHHC-1:<0..3>:") and refuses the connect; a
# target that refuses them at the write is as good.
bad_b64="DHHC-1:00:${K1:10:20}!!!!${K1:34}"
bad_crc=$(python3 -c '
import base64, sys
k = sys.argv[1]
raw = bytearray(base64.b64decode(k[10:-1]))
raw[-1] ^= 0xFF
print(k[:10] + base64.b64encode(bytes(raw)).decode() + ":")' "$K1")
short=$(python3 -c 'import base64, os, zlib; k = os.urandom(20); print("DHHC-1:00:" + base64.b64encode(k + zlib.crc32(k).to_bytes(4, "little")).decode() + ":")')
GOOD_ARGS=(--dhchap-secret="$K1")
printf '\0' >"$H/dhchap_ctrl_key"
for bad in "$bad_b64" "$bad_crc" "$short"; do
	what="target key $bad"
	case $bad in
	"$bad_b64") what="target key with a broken base64" ;;
	"$bad_crc") what="target key with a wrong CRC" ;;
	"$short") what="target key of 20 bytes" ;;
	esac
	r=$(cfs_write "$H/dhchap_key" "$bad"$'\n')
	note "$what: configfs write: $r"
	if [[ $r == EINVAL ]]; then
		check "$what: refused by configfs" true
	else
		check "$what: configfs took it" test "$r" = ok
		REPAIR="echo '$K1' >'$H/dhchap_key'" REPAIR_WHAT="target key back to K1"
		refused "$what" --dhchap-secret="$K1"
		REPAIR=""
	fi
	check "target key is K1" bash -c "echo '$K1' >'$H/dhchap_key'"
done

# ---------------------------------------------------------------- no authentication
check "target: host entry without a key" target_keys "hmac(sha256)" ffdhe2048 "" ""
mark
check "host with a secret, host entry without a key: connect" nvme_connect --dhchap-secret="$K1"
check "no authentication took place (host log)" log_lacks "authenticated"
ctrl=$(host_ctrls | head -1)
check_output "the controller is live" "^live\$" cat "/sys/class/nvme/$ctrl/state"
check_output "disconnect" "disconnected 1 controller" nvme disconnect -n $NQN
check "target: host entry with key K1 again" target_keys "hmac(sha256)" ffdhe2048 "$K1" ""
check "host entry no longer allowed, subsystem open to any host" \
	bash -c "rm '$S/allowed_hosts/$HN' && echo 1 >'$S/attr_allow_any_host'"
mark
check "allow_any_host: host without a secret connects (the entry's key is not used)" nvme_connect
check "no authentication took place (host log)" log_lacks "authenticated"
check_output "disconnect" "disconnected 1 controller" nvme disconnect -n $NQN
check "subsystem closed again, $HN allowed" \
	bash -c "echo 0 >'$S/attr_allow_any_host' && ln -s '$H' '$S/allowed_hosts/$HN'"

# ---------------------------------------------------------------- re-authentication
check "target: hmac(sha256), ffdhe2048, K1, controller key C1" target_keys "hmac(sha256)" ffdhe2048 "$K1" "$C1"
before=$(nvme_blockdevs)
mark
check "connect bidirectional, reconnect delay 1 s" \
	nvme_connect --dhchap-secret="$K1" --dhchap-ctrl-secret="$C1" --reconnect-delay=1 --ctrl-loss-tmo=120
ctrl=$(host_ctrls | head -1)
bdev=$(wait_new_blockdev "$before")
check "block device $bdev" test -b "$bdev"
check_output "authenticated with hmac(sha256), ffdhe2048" "$ctrl: qid 0: authenticated with hash hmac.sha256. dhgroup ffdhe2048" since_mark

# A write + read-compare loop on the namespace (its second half) while the
# controller re-authenticates; rounds and failures counted in files.
rounds=/tmp/io.rounds stop=/tmp/io.stop
io_loop() {
	local n=0 f=/tmp/io.loopdata
	head -c 64k /dev/urandom >$f
	while [[ ! -e $stop ]]; do
		dd if=$f of="$bdev" bs=64k count=1 seek=$((512 + n % 256)) oflag=direct conv=notrunc status=none &&
			cmp -s <(dd if="$bdev" bs=64k count=1 skip=$((512 + n % 256)) iflag=direct status=none) $f ||
			{ echo "round $n failed" >/tmp/io.failed; }
		n=$((n + 1))
		echo $n >$rounds
	done
}
io_loop </dev/null >/dev/null 2>&1 &
io_pid=$!
sleep 2
# io_progress: the loop has done more rounds than when the step began.
io_progress() {
	local r0=$1 i r
	for ((i = 0; i < 40; i++)); do
		r=$(cat $rounds 2>/dev/null || echo 0)
		[[ $r -gt $r0 ]] && { echo "I/O rounds $r0 -> $r"; return 0; }
		sleep 0.25
	done
	echo "I/O stuck at round $r"
	return 1
}
check "I/O loop running" kill -0 $io_pid

# reauth WHAT SYSFS-FILE VALUE REGEX: writes VALUE to the host's sysfs FILE
# and waits for REGEX in the host's log; the controller stays live, no
# authentication failure, I/O goes on.
reauth() {
	local what=$1 file=$2 value=$3 re=$4 r0
	r0=$(cat $rounds)
	mark
	check "$what: host writes $file" bash -c "echo '$value' >/sys/class/nvme/$ctrl/$file"
	check "$what: host log: $re" wait_log "$ctrl: $re" 30
	check "$what: no authentication failure" log_lacks "failed|error"
	check_output "$what: $ctrl still live" "^live\$" cat "/sys/class/nvme/$ctrl/state"
	check "$what: I/O goes on" io_progress "$r0"
	check "$what: no I/O failure" test ! -e /tmp/io.failed
}
check "target: new host key K2" bash -c "echo '$K2' >'$H/dhchap_key'"
reauth "new host key" dhchap_secret "$K2" "qid 0: authenticated with hash hmac.sha256. dhgroup ffdhe2048"
check_output "sysfs dhchap_secret is K2" "^${K2//+/\\+}\$" cat "/sys/class/nvme/$ctrl/dhchap_secret"
check "target: hash hmac(sha512), group ffdhe4096" \
	bash -c "echo 'hmac(sha512)' >'$H/dhchap_hash' && echo ffdhe4096 >'$H/dhchap_dhgroup'"
reauth "new hash and group (same key)" dhchap_secret "$K2" "qid 0: authenticated with hash hmac.sha512. dhgroup ffdhe4096"
check "target: hash hmac(sha384), group null" \
	bash -c "echo 'hmac(sha384)' >'$H/dhchap_hash' && echo null >'$H/dhchap_dhgroup'"
reauth "hmac(sha384), null group" dhchap_secret "$K2" "qid 0: authenticated with hash hmac.sha384. dhgroup null"
check "target: new controller key C2, group ffdhe3072" \
	bash -c "echo '$C2' >'$H/dhchap_ctrl_key' && echo ffdhe3072 >'$H/dhchap_dhgroup'"
reauth "new controller key" dhchap_ctrl_secret "$C2" "qid 0: controller authenticated"
check_output "... with hmac(sha384), ffdhe3072" "$ctrl: qid 0: authenticated with hash hmac.sha384. dhgroup ffdhe3072" since_mark

touch $stop
wait $io_pid
check "no I/O failure in $(cat $rounds) rounds across the re-authentications" test ! -e /tmp/io.failed

# The host re-authenticates with a key the target does not have: the target
# fails the transaction and ends the controller; the host's reconnect is
# refused too (the Linux host then removes the controller). Once the target
# has the key, a connect gets the only controller ID again.
K3=$(gen_key -m 2 -l 48)
mark
check "host writes K3, the target still has K2" bash -c "echo '$K3' >/sys/class/nvme/$ctrl/dhchap_secret"
check "host log: re-authentication failed" wait_log "$ctrl: qid 0: authentication failed" 30
gone() { local i; for ((i = 0; i < 120; i++)); do [[ -z $(host_ctrls) ]] && return 0; sleep 0.25; done; host_ctrls; return 1; }
check "the controller ends (the host's reconnect with K3 is refused too)" gone
check "host log: the reconnect was refused" log_has "$ctrl: qid 0: authentication failed, error"
note_target_log
check "target: K3" bash -c "echo '$K3' >'$H/dhchap_key'"
check "connect with K3 and C2" nvme_connect --dhchap-secret="$K3" --dhchap-ctrl-secret="$C2"
ctrl=$(host_ctrls | head -1)
check_output "... gets controller 1: nothing left on the target" "^1\$" cat "/sys/class/nvme/$ctrl/cntlid"
check_output "disconnect" "disconnected 1 controller" nvme disconnect -n $NQN

note "connect times (hash, group, direction; guest clock under TCG):"
for t in "${timings[@]}"; do note "  $t"; done

check "target teardown through configfs" target_clear
check "unload nvme-tcp" modprobe -r nvme-tcp
check "unload nvmet-tcp and nvmet" modprobe -r nvmet-tcp nvmet
losetup -d "$dev"
finish
