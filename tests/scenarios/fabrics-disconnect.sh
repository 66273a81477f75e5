#!/bin/bash
# The Fabrics Disconnect command (NVMe Base 2.x), which neither the in-tree
# target nor the kernel's host implements: run with --mode ours only.
# fabrics_disconnect.py speaks raw NVMe/TCP: OFCS bit 0 in Identify,
# Disconnect on the admin queue and with a bad record format refused, a write
# in flight completes before the Disconnect, the connection then closes, the
# QID can be connected again and the data reads back, a command after
# Disconnect ends the connection. Meanwhile the kernel host, connected to the
# same subsystem, runs fio write + verify: it must not notice.
. ./lib.sh
NQN=nqn.2026-11.org.nvmet-oot:disconnect
RAWHOST=nqn.2014-08.org.nvmexpress:uuid:$(cat /proc/sys/kernel/random/uuid)
ADDR=127.0.0.1
SVC=4420

check "fabrics_disconnect.py is in the scenario directory" test -f ./fabrics_disconnect.py
check "load nvmet-tcp and nvme-tcp" modprobe -a nvmet-tcp nvme-tcp
serve $NQN 256
connect_host $NQN
[[ -n $bdev ]] || finish
check_output "nvme id-ctrl shows OFCS bit 0 (Disconnect)" '^ofcs +: (0x)?1$' nvme id-ctrl "$bdev"

fio_log=$(mktemp)
fio --name=bystander --filename="$bdev" --ioengine=libaio --direct=1 \
	--rw=randwrite --bs=4k --size=32M --iodepth=16 --time_based --runtime=20 \
	--verify=crc32c --do_verify=1 --verify_backlog=256 --verify_fatal=1 \
	--output-format=terse >"$fio_log" 2>&1 &
fio_pid=$!
sleep 2

log=$(mktemp)
rc=0
timeout -k 5 90 python3 ./fabrics_disconnect.py $ADDR $SVC $NQN "$RAWHOST" >"$log" 2>&1 || rc=$?
sed 's/^/# /' "$log"
while IFS= read -r line; do
	case $line in
	"ok   "*) check "${line#ok   }" true ;;
	"FAIL "*) check "${line#FAIL }" false ;;
	esac
done <"$log"
check "fabrics_disconnect.py ran to its end (rc $rc)" grep -q '^# 0 failed' "$log"

fio_rc=0
wait $fio_pid || fio_rc=$?
check "the kernel host's fio write + verify finished cleanly (rc $fio_rc)" \
	bash -c "[[ $fio_rc -eq 0 ]] && ! grep -qiE 'verify|error|bad magic' '$fio_log' || { cat '$fio_log'; exit 1; }"
check_output "disconnect the kernel host" "disconnected 1 controller" nvme disconnect -n $NQN
check "target teardown through configfs" target_clear
check "unload" modprobe -r nvme-tcp nvmet-tcp nvmet
losetup -d "$dev"
finish
