#!/bin/bash
# Enabling a namespace whose backing store hangs on open (an NBD device whose
# server never answers: the first open's partition scan waits, as a path on
# a hung NFS mount would) holds only that namespace: meanwhile a host
# connects to the same subsystem, identifies and does I/O on its other
# namespace, and the rest of the configuration can change. When the backing
# store gives up, the enable returns and the target is consistent. The
# in-tree target holds the subsystem lock across the open (a Connect to that
# subsystem waits): ours alone.
. ./lib.sh
NQN=nqn.2026-11.org.nvmet-oot:hang
S=$NVMET_CFS/subsystems/$NQN
check "load" modprobe -a nvmet nvmet-tcp nvme-tcp loop nbd
backing=$(backing_loop 64)
check "subsystem with namespace 1 on a loop device" sh -c "$(declare -f subsys_add ns_add); NVMET_CFS=$NVMET_CFS; subsys_add $NQN && ns_add $NQN 1 $backing"
check "port" port_add 1 tcp ipv4 127.0.0.1 4420
check "link" port_link 1 $NQN
check "namespace 2 on /dev/nbd0" sh -c "mkdir $S/namespaces/2 && echo -n /dev/nbd0 >$S/namespaces/2/device_path"
python3 ./nbd_hang.py /dev/nbd0 20 >/tmp/nbd.out 2>&1 &
nbd=$!
check "the NBD device is set up (its next open hangs)" sh -c 'for i in $(seq 20); do grep -q ready /tmp/nbd.out && exit 0; sleep 0.5; done; cat /tmp/nbd.out; exit 1'
t0=$(date +%s)
(echo 1 >"$S/namespaces/2/enable") 2>/tmp/enable.err &
enabler=$!
sleep 3
check "the enable is still waiting on the backing store" kill -0 $enabler
before=$(nvme_blockdevs)
check "a host connects to the same subsystem meanwhile (within 15 s)" \
	timeout 15 nvme connect -t tcp -a 127.0.0.1 -s 4420 -n $NQN
dev=$(wait_new_blockdev "$before" 15)
check "its namespace 1 appears" test -b "$dev"
check "Identify Controller answers" timeout 10 nvme id-ctrl "${dev%n*}"
check "I/O on namespace 1 meanwhile" timeout 10 dd if=/dev/urandom of="$dev" bs=4k count=16 oflag=direct
check "another subsystem can be made meanwhile" timeout 5 mkdir "$NVMET_CFS/subsystems/$NQN.other"
check "the enable was still waiting all along" kill -0 $enabler
wait $nbd
wait $enabler
rc=$?
note "enable returned $rc after $(($(date +%s) - t0)) s: $(cat /tmp/enable.err)"
check "enable state is consistent with the write's result" sh -c \
	"[ \$(cat $S/namespaces/2/enable) = $([[ $rc -eq 0 ]] && echo 1 || echo 0) ]"
check "namespace 2 can be disabled and removed" sh -c "echo 0 >$S/namespaces/2/enable && rmdir $S/namespaces/2"
check_output "disconnect" "disconnected 1 controller" nvme disconnect -n $NQN
check "teardown" target_clear
check "unload" modprobe -r nvme-tcp nvmet-tcp nvmet
modprobe -r nbd 2>/dev/null
finish
