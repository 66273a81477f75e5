#!/bin/bash
# Hostile or broken hosts (tcp_hostile.py, raw NVMe/TCP), each answer checked
# exactly: an admin Connect larger than ASQSZ (32) refused at SQSIZE; an I/O
# queue Connect to the discovery subsystem refused at QID; a discovery
# controller enabled with CC.IOSQES/IOCQES 0; an Identify with a 4 MiB SGL
# refused before a buffer is allocated; Set Features with a 4 MiB write SGL
# gets its R2Ts without the target allocating the surplus (MemFree); four
# 4 MiB writes on one queue get 8 MiB of R2Ts at a time (the per-queue
# budget), all complete and read back; MDTS 10 (4 MiB) reported when
# param_mdts is unset, a larger Read gets Invalid Field in Command;
# connections without ICReq or without Connect are closed (10 s timers); NN
# is the highest NSID configfs accepts; the Changed Namespace List holds
# 1024 NSIDs and FFFFFFFFh alone beyond. Then the kernel host connects and
# runs fio write + verify on the same port, and the target unloads.
# Several of these are beyond the in-tree target: ours only.
. ./lib.sh
NQN=nqn.2026-12.org.nvmet-oot:hostile
NSNQN=nqn.2026-12.org.nvmet-oot:hostile-ns
RAWHOST=nqn.2014-08.org.nvmexpress:uuid:$(cat /proc/sys/kernel/random/uuid)
ADDR=127.0.0.1
SVC=4420

check "tcp_hostile.py is in the scenario directory" test -f ./tcp_hostile.py
check "load nvmet-tcp" modprobe nvmet-tcp
dev=$(backing_loop 256)
dev2=$(backing_loop 16)
check "create subsystem $NQN" subsys_add $NQN
check "namespace 1 on $dev" ns_add $NQN 1 "$dev"
check "create subsystem $NSNQN (no namespaces)" subsys_add $NSNQN
check "TCP port 1 on $ADDR:$SVC" port_add 1 tcp ipv4 $ADDR $SVC
check "link $NQN to port 1" port_link 1 $NQN
check "link $NSNQN to port 1" port_link 1 $NSNQN

log=$(mktemp)
rc=0
timeout -k 5 500 python3 ./tcp_hostile.py $ADDR $SVC $NQN "$RAWHOST" \
	--ns-subsys $NSNQN --ns-device "$dev2" >"$log" 2>&1 || rc=$?
sed 's/^/# /' "$log"
for c in admin-sqsize-cap discovery-io-connect discovery-cc-qes-0 identify-sgl-4m \
	surplus-sgl-no-buffer r2t-budget mdts-default icreq-connect-timeout identify-nn changed-ns; do
	check "tcp_hostile.py $c" grep -qE "^$c +ok " "$log"
done
check "tcp_hostile.py exited 0 (rc $rc)" test $rc -eq 0
check_output "the target logged the closed connections" "no (ICReq|Connect) within" dmesg

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
losetup -d "$dev" "$dev2"
finish
