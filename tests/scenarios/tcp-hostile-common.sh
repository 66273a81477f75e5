#!/bin/bash
# Hostile or broken hosts, where the in-tree target behaves as ours
# (tcp_hostile.py, raw NVMe/TCP, each answer checked exactly): an I/O queue
# Connect to the discovery subsystem is refused with Connect Invalid
# Parameters at QID; a discovery controller enabled with CC.IOSQES/IOCQES 0
# (it has no I/O queues) becomes ready; an Identify with a 4 MiB SGL is
# refused with Data SGL Length Invalid and the controller goes on; the
# Changed Namespace List lists 1024 changed NSIDs and holds FFFFFFFFh alone
# beyond that (namespaces created, enabled and disabled through configfs on
# a subsystem only the raw host uses), and a namespace with NSID 2000 is
# identified. Runs unchanged against the in-tree target and ours.
. ./lib.sh
NQN=nqn.2026-12.org.nvmet-oot:hostile
NSNQN=nqn.2026-12.org.nvmet-oot:hostile-ns
RAWHOST=nqn.2014-08.org.nvmexpress:uuid:$(cat /proc/sys/kernel/random/uuid)
ADDR=127.0.0.1
SVC=4420

check "tcp_hostile.py is in the scenario directory" test -f ./tcp_hostile.py
check "load nvmet-tcp" modprobe nvmet-tcp
serve $NQN 64
dev2=$(backing_loop 16)
check "create subsystem $NSNQN (no namespaces)" subsys_add $NSNQN
check "link $NSNQN to port 1" port_link 1 $NSNQN

log=$(mktemp)
rc=0
cases=discovery-io-connect,discovery-cc-qes-0,identify-sgl-4m,changed-ns
timeout -k 5 400 python3 ./tcp_hostile.py $ADDR $SVC $NQN "$RAWHOST" --only $cases \
	--ns-subsys $NSNQN --ns-device "$dev2" >"$log" 2>&1 || rc=$?
sed 's/^/# /' "$log"
for c in ${cases//,/ }; do
	check "tcp_hostile.py $c" grep -qE "^$c +ok " "$log"
done
check "tcp_hostile.py exited 0 (rc $rc)" test $rc -eq 0

check "target teardown through configfs" target_clear
check "unload nvmet-tcp and nvmet" modprobe -r nvmet-tcp nvmet
losetup -d "$dev" "$dev2"
finish
