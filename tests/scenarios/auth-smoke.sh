#!/bin/bash
# DH-HMAC-CHAP smoke: one host entry with keys on a TCP port; the kernel host
# connects unidirectionally (SHA-256, NULL group) and bidirectionally
# (SHA-384, ffdhe2048) with fio verify over each; a wrong secret and a
# missing secret are refused and leave no controller; the target's key
# changes and the host re-authenticates with its new key while I/O goes on.
# The short form of auth-dhchap (the full matrix); runs against both targets.
. ./lib.sh
NQN=nqn.2026-12.org.nvmet-oot:auth-smoke
HOSTNQN=$(cat /etc/nvme/hostnqn)
CFS=/sys/kernel/config/nvmet

# Direct paths: the target's refusals reach nvme-cli unretried.
modprobe -r nvme-tcp nvme-fabrics nvme nvme_core 2>/dev/null
# A 15 s admin timeout: the in-tree target (6.12 often) loses the Failure1
# of a refused connect, and the host would wait 60 s with a hung-task report.
check "load nvme_core without multipath" modprobe nvme_core multipath=N admin_timeout=15
check "load nvmet and nvmet-tcp" modprobe nvmet-tcp
dev=$(backing_loop 64)
check "create subsystem $NQN" subsys_add "$NQN"
check "namespace 1 on $dev" ns_add "$NQN" 1 "$dev"
check "allow_any_host off" sh -c "echo 0 > $CFS/subsystems/$NQN/attr_allow_any_host"
check "host entry $HOSTNQN" mkdir -p "$CFS/hosts/$HOSTNQN"
check "link the host into allowed_hosts" \
	ln -s "$CFS/hosts/$HOSTNQN" "$CFS/subsystems/$NQN/allowed_hosts/$HOSTNQN"
serve_port "$NQN"
check "load nvme-tcp (host)" modprobe nvme-tcp

hkey=$(nvme gen-dhchap-key -n "$HOSTNQN" -m 1 -l 32)
ckey=$(nvme gen-dhchap-key -n "$NQN" -m 2 -l 48)
hkey2=$(nvme gen-dhchap-key -n "$HOSTNQN" -m 0 -l 64)
check "three DHHC-1 secrets from nvme gen-dhchap-key" \
	bash -c "[[ '$hkey' == DHHC-1:01:* && '$ckey' == DHHC-1:02:* && '$hkey2' == DHHC-1:00:* ]]"

set_host() { # KEY CTRL_KEY HASH GROUP
	echo -n "$1" >"$CFS/hosts/$HOSTNQN/dhchap_key" &&
		echo -n "$2" >"$CFS/hosts/$HOSTNQN/dhchap_ctrl_key" &&
		echo "$3" >"$CFS/hosts/$HOSTNQN/dhchap_hash" &&
		echo "$4" >"$CFS/hosts/$HOSTNQN/dhchap_dhgroup"
}
ctrls() { ls -d /sys/class/nvme/nvme* 2>/dev/null | wc -l; }
io_verify() {
	fio --name=auth --filename="$1" --ioengine=libaio --direct=1 --rw=randwrite --bs=4k \
		--size=8M --iodepth=8 --verify=crc32c --do_verify=1 --verify_fatal=1 \
		--output-format=terse >/dev/null
}

check "configure: host key, SHA-256, NULL group" set_host "$hkey" "" "hmac(sha256)" null
check_output "dhchap_hash reads back" '^hmac\(sha256\)$' cat "$CFS/hosts/$HOSTNQN/dhchap_hash"
check "dhchap_key reads back" test "$(cat "$CFS/hosts/$HOSTNQN/dhchap_key")" = "$hkey"
check_fails "no secret: refused" nvme connect -t tcp -a 127.0.0.1 -s 4420 -n "$NQN"
check_output "no controller left after the refusal" '^0$' ctrls
check_fails "wrong secret: refused" nvme connect -t tcp -a 127.0.0.1 -s 4420 -n "$NQN" \
	--dhchap-secret="$hkey2"
check_output "no controller left after the wrong secret" '^0$' ctrls
connect_host "$NQN" --dhchap-secret="$hkey"
check "unidirectional: fio verify" io_verify "$bdev"
check_output "disconnect" "disconnected 1 controller" nvme disconnect -n "$NQN"

check "configure: controller key, SHA-384, ffdhe2048" set_host "$hkey" "$ckey" "hmac(sha384)" ffdhe2048
connect_host "$NQN" --dhchap-secret="$hkey" --dhchap-ctrl-secret="$ckey"
check "bidirectional: fio verify" io_verify "$bdev"
ctrl=$(basename "$(dirname "$(readlink -f "/sys/block/${bdev#/dev/}/device")")" 2>/dev/null)
[[ -e /sys/class/nvme/$ctrl/dhchap_secret ]] || ctrl=$(ls /sys/class/nvme | head -1)
check "re-authentication: the target's key changes" \
	sh -c "echo -n '$hkey2' > $CFS/hosts/$HOSTNQN/dhchap_key"
check "re-authentication: the host writes its new key" \
	sh -c "echo -n '$hkey2' > /sys/class/nvme/$ctrl/dhchap_secret"
sleep 2
check_output "the controller is still live" '^live$' cat "/sys/class/nvme/$ctrl/state"
check "after re-authentication: fio verify" io_verify "$bdev"
check_output "disconnect" "disconnected 1 controller" nvme disconnect -n "$NQN"
check_fails "the old secret is refused now" nvme connect -t tcp -a 127.0.0.1 -s 4420 -n "$NQN" \
	--dhchap-secret="$hkey" --dhchap-ctrl-secret="$ckey"
check_output "no controller left" '^0$' ctrls

check "target teardown through configfs" target_clear
check "unload nvme-tcp" modprobe -r nvme-tcp
check "unload nvmet-tcp and nvmet" modprobe -r nvmet-tcp nvmet
losetup -d "$dev"
finish
