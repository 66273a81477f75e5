#!/bin/bash
# TCP robustness: one subsystem with a loop-device namespace on a TCP port at
# 127.0.0.1:4420; the kernel's NVMe/TCP host connects and runs fio write +
# crc32c verify in the background while tcp_bad_client.py attacks the same
# port with malformed PDUs (each on its own connection). The target must answer
# every attack with a C2HTermReq, a close or a response, never leave a
# connection hanging where it had all it needed to react, and never splat (the
# harness scans the kernel log); the well-behaved host must not notice.
# Then: fio verified, nvme list still shows the namespace, disconnect,
# teardown, module unload. Runs unchanged against the in-tree target and ours.
. ./lib.sh
NQN=nqn.2026-11.org.nvmet-oot:malformed
BADHOST=nqn.2014-08.org.nvmexpress:uuid:$(cat /proc/sys/kernel/random/uuid)
ADDR=127.0.0.1
SVC=4420
FIO_RUNTIME=60

check "tcp_bad_client.py is in the scenario directory" test -f ./tcp_bad_client.py
check "load nvmet and nvmet-tcp" modprobe nvmet-tcp
serve $NQN 256

check "load nvme-tcp (host)" modprobe nvme-tcp
connect_host $NQN

fio_log=$(mktemp)
fio --name=bystander --filename="$bdev" --ioengine=libaio --direct=1 \
	--rw=randwrite --bs=4k --size=32M --iodepth=16 --time_based \
	--runtime=$FIO_RUNTIME --verify=crc32c --do_verify=1 --verify_backlog=256 \
	--verify_fatal=1 --output-format=terse >"$fio_log" 2>&1 &
fio_pid=$!
sleep 3
check "fio is running on $bdev" kill -0 $fio_pid

# The per-case table goes into the log whatever the outcome.
bad_log=$(mktemp)
bad_rc=0
timeout -k 5 100 python3 ./tcp_bad_client.py $ADDR $SVC $NQN "$BADHOST" >"$bad_log" 2>&1 ||
	bad_rc=$?
sed 's/^/# /' "$bad_log"
check "malformed PDUs: every case answered as the spec requires (rc $bad_rc)" test $bad_rc -eq 0

kill -0 $fio_pid 2>/dev/null && note "fio was still running when the attacks ended" ||
	note "fio had ended before the attacks did (runtime ${FIO_RUNTIME}s)"
fio_rc=0
wait $fio_pid || fio_rc=$?
check "fio write + crc32c verify finished cleanly (rc $fio_rc)" \
	bash -c "[[ $fio_rc -eq 0 ]] && ! grep -qiE 'verify|error|bad magic' '$fio_log' || { cat '$fio_log'; exit 1; }"
check_output "nvme list still shows the namespace" "${bdev#/dev/}" nvme list
check "the namespace still reads" dd if="$bdev" of=/dev/null bs=4k count=256 iflag=direct
check_output "disconnect" "disconnected 1 controller" nvme disconnect -n $NQN

check "target teardown through configfs" target_clear
check "unload nvme-tcp" modprobe -r nvme-tcp
check "unload nvmet-tcp and nvmet" modprobe -r nvmet-tcp nvmet
check "nvmet is unloaded" bash -c '! grep -q "^nvmet " /proc/modules'
losetup -d "$dev"
finish
