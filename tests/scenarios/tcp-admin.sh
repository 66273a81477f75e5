#!/bin/bash
# Admin behaviour over NVMe/TCP, side by side with the in-tree target:
# Set Features then Get Features round trips (asynchronous event
# configuration, keep alive timer, volatile write cache, number of queues
# after Connect, namespace write protection and a write refused while it is
# on); a namespace added while the host is connected shows up on the host
# (namespace attribute AEN, rescan) and one removed goes away; a host not in
# allowed_hosts is refused until it is linked or allow_any_host is set.
# loop-admin runs it over trtype loop (TR, lib.sh).
. ./lib.sh
NQN=nqn.2026-11.org.nvmet-oot:admin
ADDR=127.0.0.1
SVC=4420
S=$NVMET_CFS/subsystems/$NQN
HOST_A=nqn.2014-08.org.nvmexpress:uuid:2b9e1f4c-6d0a-4c3e-8f11-0a1b2c3d4e5f
HOST_B=nqn.2014-08.org.nvmexpress:uuid:7c0d2e5b-1a9f-4b8c-9e22-5f4e3d2c1b0a

check "load $(tr_mods)" modprobe -a $(tr_mods)
serve $NQN 64
dev2=$(backing_loop 32)

connect_host $NQN --hostnqn=$HOST_A
[[ -n $bdev ]] || finish
ctrl=
for c in /sys/class/nvme/nvme*; do
	[[ $(cat "$c/subsysnqn" 2>/dev/null) == "$NQN" ]] && ctrl=/dev/$(basename "$c")
done
check "controller character device ($ctrl)" test -c "$ctrl"

# Set then Get: the value read back is the one set (or the command fails
# the same way on both targets).
save_any set-aec nvme set-feature "$ctrl" -f 0x0b -V 0x100
save_any get-aec nvme get-feature "$ctrl" -f 0x0b
save_any set-aec-unsupported-bits nvme set-feature "$ctrl" -f 0x0b -V 0xffffffff
save_any get-aec-after nvme get-feature "$ctrl" -f 0x0b
save_any set-kato nvme set-feature "$ctrl" -f 0x0f -V 20000
save_any get-kato nvme get-feature "$ctrl" -f 0x0f
save_any set-vwc nvme set-feature "$ctrl" -f 0x06 -V 0
save_any get-vwc nvme get-feature "$ctrl" -f 0x06
save_any set-nr-queues nvme set-feature "$ctrl" -f 0x07 -V 0x00030003
save_any get-nr-queues nvme get-feature "$ctrl" -f 0x07
save_any set-unknown-feature nvme set-feature "$ctrl" -f 0x7e -V 1
save_any get-wp nvme get-feature "$ctrl" -n 1 -f 0x84
save_any set-wp-on nvme set-feature "$ctrl" -n 1 -f 0x84 -V 1
save_any get-wp-on nvme get-feature "$ctrl" -n 1 -f 0x84
check_fails "a write while namespace 1 is write protected fails" \
	dd if=/dev/zero of="$bdev" bs=4k count=1 oflag=direct
check "reads still work while write protected" dd if="$bdev" of=/dev/null bs=4k count=1 iflag=direct
save_any set-wp-off nvme set-feature "$ctrl" -n 1 -f 0x84 -V 0
save_any get-wp-off nvme get-feature "$ctrl" -n 1 -f 0x84
check "a write works again once write protection is off" \
	dd if=/dev/zero of="$bdev" bs=4k count=1 oflag=direct

# Namespace hot add and removal on a live host.
before=$(nvme_blockdevs)
check "add namespace 2 while the host is connected" ns_add $NQN 2 "$dev2"
ns2=$(wait_new_blockdev "$before" 30)
check "the host sees namespace 2 ($ns2)" test -b "$ns2"
save_any list-ns-after-add nvme list-ns "$ctrl" -o json
check "disable namespace 2" sh -c "echo 0 > $S/namespaces/2/enable && rmdir $S/namespaces/2"
check "the host drops namespace 2" sh -c "for i in \$(seq 120); do [ -b '$ns2' ] || exit 0; sleep 0.25; done; exit 1"
save_any list-ns-after-remove nvme list-ns "$ctrl" -o json
check_output "disconnect" "disconnected 1 controller" nvme disconnect -n $NQN

# Host access control.
check "restrict the subsystem to allowed_hosts" sh -c "echo 0 > $S/attr_allow_any_host"
check "host A entry" mkdir "$NVMET_CFS/hosts/$HOST_A"
check "host B entry" mkdir "$NVMET_CFS/hosts/$HOST_B"
check "allow host A" ln -s "$NVMET_CFS/hosts/$HOST_A" "$S/allowed_hosts/$HOST_A"
check_fails "host B is refused" nvme_tr connect -n $NQN --hostnqn=$HOST_B
check "host A connects" nvme_tr connect -n $NQN --hostnqn=$HOST_A
check_output "disconnect host A" "disconnected 1 controller" nvme disconnect -n $NQN
check "allow host B" ln -s "$NVMET_CFS/hosts/$HOST_B" "$S/allowed_hosts/$HOST_B"
check "host B connects once allowed" nvme_tr connect -n $NQN --hostnqn=$HOST_B
check_output "disconnect host B" "disconnected 1 controller" nvme disconnect -n $NQN
check "unlink host B again" rm "$S/allowed_hosts/$HOST_B"
check_fails "host B is refused again" nvme_tr connect -n $NQN --hostnqn=$HOST_B
check_fails "allow_any_host cannot be set while hosts are linked" sh -c "echo 1 > $S/attr_allow_any_host"
check "unlink host A" rm "$S/allowed_hosts/$HOST_A"
check "allow any host" sh -c "echo 1 > $S/attr_allow_any_host"
check "host B connects with allow_any_host" nvme_tr connect -n $NQN --hostnqn=$HOST_B
check_output "disconnect" "disconnected 1 controller" nvme disconnect -n $NQN

check_fails "$(tr_target_mod) cannot be unloaded while a port uses it" modprobe -r "$(tr_target_mod)"
check_fails "nvmet cannot be unloaded while configured" modprobe -r nvmet
check "teardown" target_clear
check "unload" eval 'modprobe -r "$(tr_host_mod)" && tr_unload_target'
losetup -d "$dev" "$dev2"
finish
