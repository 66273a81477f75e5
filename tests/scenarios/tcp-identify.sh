#!/bin/bash
# What the host sees: Identify, log pages, features and the discovery log over
# NVMe/TCP, saved as artifacts that tests/vm/side-by-side compares field by
# field between the in-tree target and ours. Values that are random by design
# (serial, namespace UUID/NGUID) are set explicitly so both targets agree.
# loop-identify runs it over trtype loop (TR, lib.sh).
. ./lib.sh
NQN=nqn.2026-11.org.nvmet-oot:identify
ADDR=127.0.0.1
SVC=4420
S=$NVMET_CFS/subsystems/$NQN

check "load $(tr_target_mod)" modprobe "$(tr_target_mod)"
dev=$(backing_loop 64)
check "create subsystem" subsys_add $NQN
check "fixed serial" sh -c "echo 0123456789abcdef > $S/attr_serial"
check "namespace 1 with fixed UUID and NGUID" sh -c "mkdir $S/namespaces/1 &&
	echo -n $dev > $S/namespaces/1/device_path &&
	echo 0b8d6f3e-6a1f-4d7e-9c55-3f2a1e0d0001 > $S/namespaces/1/device_uuid &&
	echo 4e564d65-742d-6f6f-7400-64656d6f0001 > $S/namespaces/1/device_nguid &&
	echo 1 > $S/namespaces/1/enable"
serve_port $NQN
check "load $(tr_host_mod)" modprobe "$(tr_host_mod)"

save_output discover nvme_tr discover -o json
before=$(nvme_blockdevs)
check "connect" nvme_tr connect -n $NQN
bdev=$(wait_new_blockdev "$before")
check "namespace appears" test -b "$bdev"
ctrl=/dev/$(basename "$(readlink -f /sys/block/${bdev#/dev/}/device 2>/dev/null)" 2>/dev/null)
[[ -c $ctrl ]] || ctrl=$(ls /dev/nvme[0-9]* | grep -E '^/dev/nvme[0-9]+$' | head -1)
check "controller character device ($ctrl)" test -c "$ctrl"

save_output id-ctrl nvme id-ctrl "$ctrl" -o json
save_output id-ns nvme id-ns "$bdev" -o json
save_output list-ns nvme list-ns "$ctrl" -o json
save_output ns-descs nvme ns-descs "$bdev" -o json
save_output smart-log nvme smart-log "$ctrl" -o json
save_output error-log nvme error-log "$ctrl" -e 4 -o json
save_output fw-log nvme fw-log "$ctrl" -o json
save_output changed-ns-log nvme changed-ns-list-log "$ctrl" -o json
save_output effects-log nvme effects-log "$ctrl" -o json
save_output ana-log nvme ana-log "$ctrl" -o json
save_any supported-log-pages nvme supported-log-pages "$ctrl" -o json
for f in 0x6 0x7 0xb 0xf; do
	save_output "get-feature-$f" nvme get-feature "$ctrl" -f $f -H
done
save_output show-regs nvme show-regs "$ctrl" -H

check_output "disconnect" "disconnected 1 controller" nvme disconnect -n $NQN
check "teardown" target_clear
check "unload" eval 'modprobe -r "$(tr_host_mod)" && tr_unload_target'
losetup -d "$dev"
finish
