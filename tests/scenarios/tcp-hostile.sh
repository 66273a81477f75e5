#!/bin/bash
# Hostile or broken hosts, what only ours bounds (tcp_hostile.py, raw
# NVMe/TCP, each answer checked exactly): an admin Connect larger than ASQSZ
# (32) refused at SQSIZE (in-tree accepts any admin SQSIZE); Set Features
# with a 4 MiB write SGL gets its R2Ts without the target allocating the
# surplus (MemFree); four 4 MiB writes on one queue get 8 MiB of R2Ts at a
# time (the per-queue budget), all complete and read back; MDTS 10 (4 MiB)
# reported when param_mdts is unset, a larger Read gets Invalid Field in
# Command; connections without ICReq or without Connect are closed (10 s
# timers); NN is the highest NSID configfs accepts; a host with a DH-HMAC-CHAP
# key must authenticate its I/O queues too (AUTHREQ, 191h before, Failure1
# and the controller gone after a bad message). Then the kernel host
# connects and runs fio write + verify on the same port, and the target
# unloads. The cases where the in-tree target behaves the same are in
# tcp-hostile-common.sh (side by side).
. ./lib.sh
NQN=nqn.2026-12.org.nvmet-oot:hostile
RAWHOST=nqn.2014-08.org.nvmexpress:uuid:$(cat /proc/sys/kernel/random/uuid)
ADDR=127.0.0.1
SVC=4420

check "tcp_hostile.py is in the scenario directory" test -f ./tcp_hostile.py
check "load nvmet-tcp" modprobe nvmet-tcp
serve $NQN 256
# A subsystem that makes the raw host authenticate (DH-HMAC-CHAP): I/O
# queues authenticate too, which 7.2's in-tree target no longer asks.
AUTHNQN=$NQN-auth
CFS=/sys/kernel/config/nvmet
check "create subsystem $AUTHNQN" subsys_add $AUTHNQN
check "$AUTHNQN allows only the raw host, which has a key" sh -c "
	echo 0 > $CFS/subsystems/$AUTHNQN/attr_allow_any_host &&
	mkdir $CFS/hosts/$RAWHOST &&
	nvme gen-dhchap-key -n $RAWHOST > $CFS/hosts/$RAWHOST/dhchap_key &&
	ln -s $CFS/hosts/$RAWHOST $CFS/subsystems/$AUTHNQN/allowed_hosts/ &&
	ln -s $CFS/subsystems/$AUTHNQN $CFS/ports/1/subsystems/"

log=$(mktemp)
rc=0
cases=admin-sqsize-cap,surplus-sgl-no-buffer,r2t-budget,mdts-default,icreq-connect-timeout,identify-nn
cases+=,auth-io-queue
timeout -k 5 300 python3 ./tcp_hostile.py $ADDR $SVC $NQN "$RAWHOST" --only $cases \
	--auth-subsys $AUTHNQN >"$log" 2>&1 || rc=$?
sed 's/^/# /' "$log"
for c in ${cases//,/ }; do
	check "tcp_hostile.py $c" grep -qE "^$c +ok " "$log"
done
check "tcp_hostile.py exited 0 (rc $rc)" test $rc -eq 0
check_output "the target logged the closed connections" "no (ICReq|Connect) within" dmesg
check_output "the target logged the authentication failure" \
	"host $RAWHOST failed DH-HMAC-CHAP with subsystem $AUTHNQN: incorrect protocol message" dmesg

check "load nvme-tcp (host)" modprobe nvme-tcp
before=$(nvme_blockdevs)
check "connect the kernel host" nvme connect -t tcp -a $ADDR -s $SVC -n $NQN
bdev=$(wait_new_blockdev "$before")
check "namespace block device appears ($bdev)" test -b "$bdev"
check "fio 1M sequential write + verify, QD16 (R2T budget on the kernel host's queues)" \
	fio --name=hostile-1m --filename="$bdev" --ioengine=libaio --direct=1 --rw=write \
	--bs=1M --size=32M --iodepth=16 --verify=crc32c --do_verify=1 --verify_fatal=1 \
	--output-format=terse
check "the range tcp_hostile.py wrote reads on the kernel host" \
	dd if="$bdev" of=/dev/null bs=1M skip=192 count=16 iflag=direct
check_output "disconnect" "disconnected 1 controller" nvme disconnect -n $NQN

check "target teardown through configfs" target_clear
check "unload nvme-tcp" modprobe -r nvme-tcp
check "unload nvmet-tcp and nvmet" modprobe -r nvmet-tcp nvmet
losetup -d "$dev"
finish
