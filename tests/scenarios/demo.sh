#!/bin/bash
# The README demo, run inside the guest: restore a sample nvmetcli JSON, connect
# the kernel's NVMe/TCP host, run a short fio write + verify, tell what happened.
. ./lib.sh
NQN=nqn.2026-11.org.nvmet-oot:demo
say() { echo "# --- $*"; }

say "which target modules modprobe picks:"
for m in nvmet nvmet-tcp; do
	f=$(modinfo -F filename $m)
	case $f in
	*/updates/*) echo "#   $m: ours ($f, version $(modinfo -F version $m))" ;;
	*) echo "#   $m: the kernel's in-tree module ($f): the nvmet-oot core has not landed yet," \
		"so this demo runs the in-tree target, our reference" ;;
	esac
done
check "a 256 MiB loop device for the namespace" bash -c 'modprobe loop && truncate -s 256M /tmp/demo.img && losetup /dev/loop0 /tmp/demo.img'
check "load the target (modprobe nvmet-tcp)" modprobe nvmet-tcp
check "nvmetcli restore demo.json" nvmetcli restore demo.json
say "configfs now holds:"
(cd $NVMET_CFS && find subsystems ports -maxdepth 3 \( -type d -o -type l \) | sed 's/^/#   /')
check "load the host (modprobe nvme-tcp)" modprobe nvme-tcp
check_output "nvme discover sees the subsystem" "subnqn: +$NQN" nvme discover -t tcp -a 127.0.0.1 -s 4420
before=$(nvme_blockdevs)
check "nvme connect over TCP" nvme connect -t tcp -a 127.0.0.1 -s 4420 -n $NQN
bdev=$(wait_new_blockdev "$before")
say "nvme list:"
nvme list | sed 's/^/#   /'
check "fio: 16 MiB of 4 KiB random writes at QD 16, then verify (crc32c)" \
	fio --name=demo --filename="$bdev" --ioengine=libaio --direct=1 --rw=randwrite --bs=4k \
	--size=16M --iodepth=16 --verify=crc32c --do_verify=1 --verify_fatal=1
check_output "nvme disconnect" "disconnected 1 controller" nvme disconnect -n $NQN
check "nvmetcli clear" nvmetcli clear
losetup -d /dev/loop0
finish
