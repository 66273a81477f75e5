#!/bin/bash
# Secure channel concatenation (DH-HMAC-CHAP with SC_C; NVMe Base 2.1
# 8.3.5, NVMe/TCP 3.6.1.3): a host authenticates on a plain admin queue of a
# port with addr_tsas tls1.3 and addr_treq "not required", and the session
# key becomes a TLS PSK the target puts into the .nvme keyring.
#
# 1. auth_concat_client.py (a raw host, standard library only: ffdhe DH,
#    HMAC, HKDF from the specifications) negotiates NEWTLSPSK with
#    hmac(sha256) and hmac(sha384) over ffdhe2048 and hmac(sha256) over
#    ffdhe4096, authenticates (C2 valid, sequence number 0) and gets
#    Success1, and once bidirectionally (S2 not 0, the controller's response
#    checked, Success2); from its side of each transaction it computes the
#    identity (NVMe1G01/02 <hostnqn> <subnqn> <digest>) and the TLS PSK:
#    exactly one psk key of that description is in /proc/keys, its payload
#    (keyctl pipe) is that PSK, hash-length bytes, expiring in an hour.
# 2. Refusals (AUTH_Failure1 03h, Secure Channel Concatenation Mismatch):
#    SC_C on an I/O queue, on a port without TLS, REPLACETLSPSK on a plain
#    admin queue, with dhchap_dhgroup null, with hmac(sha512); then the same
#    host authenticates without SC_C.
# 3. Where TLS handshakes work: the kernel host connects with --tls and
#    --tls-key=<serial of a key of step 1> (as the raw host's NQN) and fio
#    write + verify passes, for the SHA-256 and the SHA-384 key.
# 4. Where the kernel host has --concat (6.15 and later) and TLS handshakes
#    work: nvme connect --concat --dhchap-secret, tls_mode concat, one live
#    key of the host's identity (host and target derived the same digest),
#    fio verify; re-authentication over TLS (REPLACETLSPSK) keeps the
#    controller live with a new key of one description; a reset concatenates
#    again; fio verify after each; disconnect.
#
# The in-tree target of 7.2 (sid) is the reference; the in-tree target of
# 6.12 has no concatenation: it refuses SC_C (recorded below). Ours does it
# on every kernel: a documented superset on 6.12 (target_is_ours).
# TLS handshakes need a tlshd that fits the kernel: start_tlshd (lib.sh)
# where it exists, else sid's tlshd on Linux 6.19 and later (ktls-utils 1.4
# needs TLS_TX_MAX_PAYLOAD_LEN); without one, steps 3 and 4 are skipped with
# a note.
. ./lib.sh
NQN=nqn.2026-12.org.nvmet-oot:auth-concat
HN=$LAB_HOSTNQN
# The raw host: a fixed NQN, so that check names are the same on every run.
RAWID=5e0c0c47-0a7c-4c0c-8a7c-00000000c0c0
RAW=nqn.2014-08.org.nvmexpress:uuid:$RAWID
ADDR=127.0.0.1
TLS_SVC=4420    # port 1: tls1.3, not required
PLAIN_SVC=4421  # port 2: no TLS
S=$NVMET_CFS/subsystems/$NQN

kver_ge() { # MAJOR MINOR: the running kernel is at least MAJOR.MINOR
	local maj min
	IFS=. read -r maj min _ <<<"$(uname -r)"
	((maj > $1 || (maj == $1 && min >= $2)))
}
# Whether the target does concatenation: ours on every kernel; in-tree from
# 6.15 on (Linux 6.15 added it to host and target). In-tree 6.12 refuses
# every SC_C: ours there is a documented superset.
concat_target=0
if target_is_ours; then
	concat_target=1
	note "target: ours (concatenation on every kernel)"
elif kver_ge 6 15; then
	concat_target=1
	note "target: in-tree $(uname -r) (has concatenation)"
else
	note "target: in-tree $(uname -r) (no concatenation: SC_C refused)"
fi
# The kernel host's --concat: 6.15 and later.
concat_host=0
kver_ge 6 15 && concat_host=1

check "auth_concat_client.py and nvme_tcp.py are in the scenario directory" \
	test -f ./auth_concat_client.py -a -f ./nvme_tcp.py
check "auth_concat_client.py selftest (ffdhe primes, DH, derivation)" \
	python3 ./auth_concat_client.py selftest
check "direct paths: nvme_core reloaded with multipath=N, admin_timeout=15" \
	bash -c 'modprobe -r nvme-tcp nvme-fabrics nvme nvme_core 2>/dev/null
		modprobe nvme_core multipath=N admin_timeout=15'
check "load nvmet-tcp" modprobe nvmet-tcp
check "load nvme-tcp (host)" modprobe nvme-tcp

# host_entry NQN KEY [CTRL_KEY]: a host entry (hmac(sha256), ffdhe2048)
# allowed on NQN.
host_entry() {
	local h=$NVMET_CFS/hosts/$1
	mkdir "$h" && echo "hmac(sha256)" >"$h/dhchap_hash" && echo ffdhe2048 >"$h/dhchap_dhgroup" &&
		echo -n "$2" >"$h/dhchap_key" && echo -n "${3:-}" >"$h/dhchap_ctrl_key" &&
		ln -s "$h" "$S/allowed_hosts/$1"
}
# set_raw HASH GROUP: the raw host's hash and group (read again at its next
# Negotiate on an admin queue).
set_raw() {
	echo "$1" >"$NVMET_CFS/hosts/$RAW/dhchap_hash" &&
		echo "$2" >"$NVMET_CFS/hosts/$RAW/dhchap_dhgroup"
}
RK=$(nvme gen-dhchap-key -n "$RAW" -m 1 -l 32)
RC=$(nvme gen-dhchap-key -n "$NQN" -m 2 -l 48)
HK=$(nvme gen-dhchap-key -n "$HN" -m 1 -l 32)
dev=$(backing_loop 128)
check "loop device as backing store" test -b "$dev"
check "subsystem $NQN (no allow_any_host)" mkdir "$S"
check "namespace 1 on $dev" ns_add "$NQN" 1 "$dev"
check "raw host's entry: hmac(sha256), ffdhe2048, key and controller key" \
	host_entry "$RAW" "$RK" "$RC"
check "kernel host's entry: hmac(sha256), ffdhe2048, key" host_entry "$HN" "$HK"
tls_port() { # ID SVC: a TCP port with tls1.3, not required
	port_add "$1" tcp ipv4 $ADDR "$2" && echo tls1.3 >"$NVMET_CFS/ports/$1/addr_tsas" &&
		echo "not required" >"$NVMET_CFS/ports/$1/addr_treq"
}
check "port 1 on $ADDR:$TLS_SVC: tls1.3, not required" tls_port 1 $TLS_SVC
check_output "port 1: addr_treq reads 'not required'" '^not required$' cat "$NVMET_CFS/ports/1/addr_treq"
check "port 2 on $ADDR:$PLAIN_SVC: no TLS" port_add 2 tcp ipv4 $ADDR $PLAIN_SVC
check "link $NQN to port 1" port_link 1 "$NQN"
check "link $NQN to port 2" port_link 2 "$NQN"

out=$(mktemp)
# raw MODE SVC SC_C [CTRL_KEY]: the raw host's transaction (bidirectional
# with CTRL_KEY), its output in $out (and the scenario log); sets steps to
# its "steps:" line.
raw() {
	timeout -k 5 120 python3 ./auth_concat_client.py "$1" $ADDR "$2" "$NQN" "$RAW" "$RK" "$3" \
		${4:+"$4"} >"$out" 2>&1
	sed 's/^/#   /' "$out"
	steps=$(sed -n 's/^steps: //p' "$out")
}

# How a refused Negotiate ends. In-tree ends the controller at once and
# may lose the Failure1 it queued (docs/testing.md, in-band authentication:
# the reference); ours sends it and keeps the queue unauthenticated until
# the controller ends 5 s later (Identify: Authentication Required).
# refused XX: the pattern of a message refused with Failure1 XXh.
refused() {
	local f="failure1\\(rcode 1 rexp 0x$1 tid 1\\)"
	if target_is_ours; then
		echo "0x000 ; $f ; identify 0x191/dnr ; open"
	else
		echo "0x000 ; ($f ; )?closed"
	fi
}
REFUSED=$(refused 03)
# accepted HASH_ID HL [GROUP_ID DH_LEN]: a whole transaction (default
# ffdhe2048), the queue authenticated.
accepted() {
	echo "0x000 ; challenge\(hash $1 hl $2 dhgroup ${3:-1} dhvlen ${4:-256} tid 1\) ; 0x000 ; success1\(hl $2 rvalid 0 tid 1\) ; identify 0x000 ; open"
}

# key_count: the psk keys in /proc/keys described as the identity the raw
# host printed last (fails when it printed none).
key_count() {
	local id
	id=$(sed -n 's/^identity: //p' "$out")
	[[ -n $id ]] || { echo "the raw host computed no identity"; return 1; }
	python3 ./auth_concat_client.py keys "$id"
}

# --- 1. NEWTLSPSK from the raw host: the target's key, checked ------------

# new_key NAME HASH_ID HL: the raw host's last transaction left exactly one
# psk key of the identity it computed, holding the TLS PSK it computed;
# sets key to its serial.
new_key() {
	local name=$1 hid=$2 hl=$3 id psk b64
	id=$(sed -n 's/^identity: //p' "$out")
	psk=$(sed -n 's/^tls-psk: //p' "$out")
	# The digest: Base64 of HL bytes, padded.
	b64=$([[ $hl == 32 ]] && echo '[A-Za-z0-9+/]{43}=' || echo '[A-Za-z0-9+/]{64}')
	check_output "$name: the raw host's identity is NVMe1G0$hid <raw host NQN> <subsystem NQN> <digest>" \
		"^NVMe1G0$hid $RAW $NQN $b64\$" echo "$id"
	python3 ./auth_concat_client.py keys "$id" >"$out"
	sed 's/^/#   /' "$out"
	check_output "$name: exactly one psk key of that description in /proc/keys" '^count 1$' cat "$out"
	key=$(awk '$1 == "key" { print $2 }' "$out" | head -1)
	check_output "$name: its payload (keyctl pipe) is the TLS PSK the raw host computed" \
		"^$psk\$" bash -c "keyctl pipe '$key' | od -An -v -tx1 | tr -d ' \n'; echo"
	check_output "$name: $hl bytes (/proc/keys)" "^key $key [^ ]+ $hl\$" cat "$out"
	# Both targets give it an hour (in-tree 7.2 too, measured).
	check_output "$name: expires in an hour" "^key $key (59|60)m " cat "$out"
	note "keyctl rdescribe $key: $(keyctl rdescribe "$key" 2>&1)"
}

# HASH_ID HL GROUP GROUP_ID DH_LEN: SHA-256 and SHA-384 with ffdhe2048
# (their keys serve step 3), SHA-256 with ffdhe4096 (a longer session key
# input).
declare -A serial=()
for c in "1 32 ffdhe2048 1 256" "2 48 ffdhe2048 1 256" "1 32 ffdhe4096 3 512"; do
	read -r hid hl group gid dhlen <<<"$c"
	hash=$([[ $hid == 1 ]] && echo sha256 || echo sha384)
	name="NEWTLSPSK, hmac($hash), $group"
	check "raw host: hmac($hash), $group" set_raw "hmac($hash)" $group
	raw auth $TLS_SVC 2
	if [[ $concat_target == 0 ]]; then
		check_output "$name: refused with Failure1 03h (in-tree 6.12)" \
			"^atr ; $REFUSED\$" echo "$steps"
		continue
	fi
	check_output "$name: Challenge, Reply with C2 and S2 0, Success1; authenticated" \
		"^atr ; $(accepted $hid $hl $gid $dhlen)\$" echo "$steps"
	new_key "$name" $hid $hl
	[[ $gid == 1 ]] && serial[$hid]=$key
done
# Bidirectional: the key is made after Success2.
check "raw host: hmac(sha256), ffdhe2048" set_raw "hmac(sha256)" ffdhe2048
raw auth $TLS_SVC 2 "$RC"
if [[ $concat_target == 0 ]]; then
	check_output "NEWTLSPSK, bidirectional: refused with Failure1 03h (in-tree 6.12)" \
		"^atr ; $REFUSED\$" echo "$steps"
else
	check_output "NEWTLSPSK, bidirectional: Success1 with the controller's response (checked), Success2" \
		'^atr ; 0x000 ; challenge\(hash 1 hl 32 dhgroup 1 dhvlen 256 tid 1\) ; 0x000 ; success1\(hl 32 rvalid 1 tid 1\) ; ctrl-ok ; 0x000 ; identify 0x000 ; open$' \
		echo "$steps"
	if target_is_ours; then
		new_key "NEWTLSPSK, bidirectional" 1 32
	else
		# In-tree 7.2 (recorded): the host authenticates, but no key is
		# made ("nvmet_auth_insert_psk: ... failed to generate PSK, error
		# -22"): the host would look for a PSK that does not exist.
		check_output "NEWTLSPSK, bidirectional: in-tree 7.2 makes no key" '^count 0$' key_count
	fi
fi

# --- 2. refusals ------------------------------------------------------------

check "raw host: hmac(sha256), ffdhe2048" set_raw "hmac(sha256)" ffdhe2048
raw ioqueue $TLS_SVC 2
# (I/O queue Connect: ATR on 6.12 and ours, none on in-tree 7.2.)
check_output "NEWTLSPSK on an I/O queue: Failure1 03h" \
	"^atr ; admin authenticated ; ioconnect (no-)?atr ; $REFUSED\$" echo "$steps"
raw auth $PLAIN_SVC 2
if target_is_ours || [[ $concat_target == 0 ]]; then
	check_output "NEWTLSPSK on a port without TLS: Failure1 03h" "^atr ; $REFUSED\$" echo "$steps"
else
	# In-tree 7.2 (recorded): it does not look at the port; the host
	# authenticates and gets a TLS PSK for a port that cannot use it.
	check_output "NEWTLSPSK on a port without TLS: in-tree 7.2 accepts it" \
		"^atr ; $(accepted 1 32)\$" echo "$steps"
	check_output "NEWTLSPSK on a port without TLS: in-tree 7.2 made the key" '^count 1$' \
		key_count
fi
raw auth $TLS_SVC 3
check_output "REPLACETLSPSK on a plain admin queue: Failure1 03h" "^atr ; $REFUSED\$" echo "$steps"
raw auth $TLS_SVC 2 --no-c2
if [[ $concat_target == 0 ]]; then
	check_output "NEWTLSPSK, Reply without C2: refused at the Negotiate (in-tree 6.12)" \
		"^atr ; $REFUSED\$" echo "$steps"
else
	check_output "NEWTLSPSK, Reply without C2 (nothing to seed the PSK): Failure1 01h" \
		"^atr ; 0x000 ; challenge\(hash 1 hl 32 dhgroup 1 dhvlen 256 tid 1\) ; $(refused 01)\$" \
		echo "$steps"
fi
check "raw host: dhchap_dhgroup null" set_raw "hmac(sha256)" null
raw auth $TLS_SVC 2
check_output "NEWTLSPSK with the NULL DH group: Failure1 03h" "^atr ; $REFUSED\$" echo "$steps"
check "raw host: hmac(sha512), ffdhe2048" set_raw "hmac(sha512)" ffdhe2048
raw auth $TLS_SVC 2
if target_is_ours || [[ $concat_target == 0 ]]; then
	check_output "NEWTLSPSK with hmac(sha512): Failure1 03h" "^atr ; $REFUSED\$" echo "$steps"
else
	# In-tree 7.2 (recorded): the host authenticates, but no key is made
	# ("nvmet_auth_insert_psk: ... failed to generate digest, error -22"):
	# the host would look for a PSK that does not exist.
	check_output "NEWTLSPSK with hmac(sha512): in-tree 7.2 authenticates the host" \
		"^atr ; $(accepted 3 64)\$" echo "$steps"
	check_output "NEWTLSPSK with hmac(sha512): in-tree 7.2 makes no key" '^count 0$' \
		key_count
fi
check "raw host: hmac(sha256), ffdhe2048 again" set_raw "hmac(sha256)" ffdhe2048
raw auth $TLS_SVC 0
check_output "no SC_C, same host and port: authenticated" "^atr ; $(accepted 1 32)\$" echo "$steps"

# --- TLS handshakes ------------------------------------------------------------

# tlshd for the kernel's handshakes (keyrings=.nvme): lib.sh's start_tlshd
# where it exists (it picks the tlshd that fits the kernel); until then
# sid's, which needs Linux 6.19 or later. Where the kernel host has
# --concat (7.2 here), TLS must work; elsewhere without a tlshd, the TLS
# steps are skipped with a note.
tls=0
tlshd_pid=""
if declare -F start_tlshd >/dev/null; then
	start_tlshd && tls=1 && tlshd_pid=$TLSHD_PID
elif kver_ge 6 19 && [[ -x /usr/sbin/tlshd ]]; then
	printf '%s\n' '[debug]' 'loglevel=1' 'tls=0' 'nl=0' '[authenticate]' 'keyrings=.nvme' \
		>/tmp/tlshd.conf
	/usr/sbin/tlshd -s -c /tmp/tlshd.conf </dev/null >>"$LAB_OUT/tlshd.log" 2>&1 &
	tlshd_pid=$!
	sleep 1
	kill -0 $tlshd_pid 2>/dev/null && tls=1
fi
if kver_ge 6 19 || [[ $tls == 1 ]]; then
	check "tlshd is running" test "$tls" = 1
else
	note "SKIP the TLS steps: no tlshd for Linux $(uname -r) in this guest (sid's" \
		"ktls-utils 1.4 needs 6.19 or later; 6.12 needs lib.sh's start_tlshd and trixie's tlshd)"
fi

io_verify() {
	fio --name=concat --filename="$1" --ioengine=libaio --direct=1 --rw=randwrite --bs=4k \
		--size=4M --iodepth=16 --verify=crc32c --do_verify=1 --verify_fatal=1 \
		--output-format=terse >/dev/null
}
ctrl_of() { basename "$(readlink -f "/sys/block/${1#/dev/}/device")"; }
sysfs_note() { note "$1: $(cd "/sys/class/nvme/$1" && grep -H . state tls_mode tls_key tls_configured_key 2>/dev/null | tr '\n' ' ')"; }
live() { python3 ./auth_concat_client.py live "NVMe1G01 $HN $NQN "; }
log_count() { dmesg | grep -c -- "$1"; }
# log_since PATTERN N: how many kernel log lines match PATTERN beyond N.
log_since() { echo $(($(log_count "$1") - $2)); }
GEN='TLS PSK [0-9a-f]* generated'
REF='secure channel concatenation refused'

# --- 3. the kernel host with a key the raw host made the target generate ------

if [[ $tls == 1 && $concat_target == 1 ]]; then
	for hid in 1 2; do
		[[ -n ${serial[$hid]} ]] || { note "no NVMe1G0$hid key to connect with"; continue; }
		connect_host "$NQN" --hostnqn="$RAW" --hostid="$RAWID" --tls --tls-key="${serial[$hid]}"
		c=$(ctrl_of "$bdev")
		sysfs_note "$c"
		check_output "$c: TLS with the NVMe1G0$hid key (sysfs tls_key)" \
			"^0*$(printf %x "${serial[$hid]}")\$" cat "/sys/class/nvme/$c/tls_key"
		check "TLS with NVMe1G0$hid: fio write + verify" io_verify "$bdev"
		check_output "disconnect" "disconnected 1 controller" nvme disconnect -n "$NQN"
	done
fi

# --- 4. the kernel host end to end: --concat ----------------------------------
#
# Host and target share the guest's .nvme keyring: the host inserts the PSK
# it derived under the same description, which displaces (or updates) the
# target's key. So a key of this description proves only that both derived
# the same generated PSK (its digest is in the description); the TLS PSK's
# bytes are checked against the raw host's computation in step 1.

if [[ $tls == 1 && $concat_target == 1 && $concat_host == 1 ]]; then
	gen0=$(log_count "$GEN")
	connect_host "$NQN" --concat --dhchap-secret="$HK"
	c=$(ctrl_of "$bdev")
	sysfs_note "$c"
	check_output "$c: tls_mode reads concat" '^concat$' cat "/sys/class/nvme/$c/tls_mode"
	k1=$(cat "/sys/class/nvme/$c/tls_key")
	# (A displaced key may take the garbage collector a moment to go.)
	for ((i = 0; i < 8; i++)); do
		[[ $(live | head -1) == "count 1" ]] && break
		sleep 0.25
	done
	live >"$out"
	sed 's/^/#   /' "$out"
	check_output "one live key NVMe1G01 <kernel host> <subsystem>: the host's and the target's digests agree" \
		'^count 1$' cat "$out"
	check_output "it is the key of the host's TLS connection (sysfs tls_key)" "^key $k1 " cat "$out"
	if target_is_ours; then
		check_output "ours logged the key it generated" '^1$' log_since "$GEN" "$gen0"
	fi
	check "--concat: fio write + verify" io_verify "$bdev"

	# Re-authentication over the TLS admin queue: the host asks for
	# REPLACETLSPSK; both sides make a new PSK, the connection stays.
	gen1=$(log_count "$GEN")
	ref1=$(log_count "$REF")
	check "re-authentication: the host writes its secret again (REPLACETLSPSK over TLS)" \
		sh -c "echo -n '$HK' > /sys/class/nvme/$c/dhchap_secret"
	for ((i = 0; i < 40; i++)); do
		[[ $(cat "/sys/class/nvme/$c/tls_configured_key") != "$k1" ]] && break
		sleep 0.25
	done
	k2=$(cat "/sys/class/nvme/$c/tls_configured_key")
	sysfs_note "$c"
	check_output "$c is live" '^live$' cat "/sys/class/nvme/$c/state"
	note "configured key: $k1 -> $k2"
	check "the host replaced its configured key" test "$k2" != "$k1"
	live >"$out"
	sed 's/^/#   /' "$out"
	# The old key is revoked by the host; the new one's description names
	# the new digest, and a target that derived another would leave a key
	# of another description.
	check_output "the live keys NVMe1G01 <kernel host> <subsystem> are the new key's description alone" \
		'^ok$' python3 -c '
import sys
import auth_concat_client as a
live = a.live_keys("NVMe1G01 %s %s " % (sys.argv[1], sys.argv[2]))
mine = [d for s, d in live if "%08x" % s == sys.argv[3]]
print("ok" if mine and all(d == mine[0] for s, d in live) else live)' "$HN" "$NQN" "$k2"
	if target_is_ours; then
		check_output "ours generated a key for the replacement" '^1$' log_since "$GEN" "$gen1"
		check_output "and refused nothing" '^0$' log_since "$REF" "$ref1"
	fi
	check "after the replacement: fio write + verify" io_verify "$bdev"
	# A reset: the host concatenates again from a plain connection.
	check "reset the controller" nvme reset "/dev/$c"
	for ((i = 0; i < 80; i++)); do
		[[ $(cat "/sys/class/nvme/$c/state") == live ]] && break
		sleep 0.25
	done
	sysfs_note "$c"
	check_output "$c is live after the reset" '^live$' cat "/sys/class/nvme/$c/state"
	check_output "after the reset: tls_mode concat" '^concat$' cat "/sys/class/nvme/$c/tls_mode"
	check "after the reset: a new TLS key" test "$(cat "/sys/class/nvme/$c/tls_key")" != "$k1"
	check "after the reset: fio write + verify" io_verify "$bdev"
	check_output "disconnect" "disconnected 1 controller" nvme disconnect -n "$NQN"
elif [[ $concat_host == 0 ]]; then
	note "SKIP the kernel host's --concat: Linux $(uname -r) has no host support (6.15 and later)"
fi

if [[ -n $tlshd_pid ]]; then
	if declare -F stop_tlshd >/dev/null; then
		stop_tlshd
	else
		kill "$tlshd_pid"
		wait "$tlshd_pid" 2>/dev/null
	fi
fi
dmesg | grep -iE 'concat|psk|tls|handshake' | tail -n 30 | sed 's/^/# dmesg: /'
check "target teardown through configfs" target_clear
check "unload nvme-tcp" modprobe -r nvme-tcp
check "unload nvmet-tcp and nvmet" modprobe -r nvmet-tcp nvmet
# The keys made here live an hour; unloading nvme-keyring unregisters key
# type psk, which destroys them, so later scenarios of the boot do not meet
# them.
our_keys() { awk -v n=" $NQN " '$8 == "psk" && index($0, n) { c++ } END { print c + 0 }' /proc/keys; }
if modprobe -r nvme-fabrics nvme_core nvme_keyring 2>/dev/null; then
	for ((i = 0; i < 20; i++)); do
		[[ $(our_keys) == 0 ]] && break
		sleep 0.25
	done
	check_output "nvme-keyring unloaded: no psk key of $NQN left" '^0$' our_keys
else
	note "nvme-keyring stays loaded (in use): $(our_keys) keys of $NQN expire within the hour"
fi
losetup -d "$dev"
rm -f "$out"
finish
