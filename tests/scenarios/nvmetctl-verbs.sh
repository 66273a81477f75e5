#!/bin/bash
# nvmetctl's object verbs against the real target (in-tree or ours; side by
# side): a configuration built verb by verb serves a host; refusals come with
# exit status 1 and say what to do; --force takes things down in order.
. ./lib.sh
NQN=nqn.2026-11.org.nvmet-oot:verbs
HOST=$LAB_HOSTNQN
ctl() { ./nvmetctl "$@"; }

check "nvmetctl is in the scenario directory" test -x ./nvmetctl
check "load nvmet-tcp and nvme-tcp" modprobe -a nvmet-tcp nvme-tcp
check "loop device" sh -c 'modprobe loop && truncate -s 64M /tmp/v.img && losetup /dev/loop0 /tmp/v.img'
check "host add" ctl host add "$HOST"
check "subsystem add" ctl subsystem add $NQN --serial 1234567890 --model "nvmetctl verbs"
check "subsystem allow" ctl subsystem allow $NQN "$HOST"
check "namespace add" ctl namespace add $NQN 1 /dev/loop0 --uuid 0b8d6f3e-6a1f-4d7e-9c55-3f2a1e0d0009
check "port add" ctl port add 1 --trtype tcp --traddr 127.0.0.1 --trsvcid 4420
check "referral add" ctl referral add 1 peer --trtype tcp --traddr 127.0.0.2 --trsvcid 8009 --remote-portid 2
check "ana set" ctl ana set 1 2 inaccessible
check "port link" ctl port link 1 $NQN
save_output show-subsystem ctl subsystem show $NQN
save_output show-port ctl port show 1
check_output "discover shows the subsystem" "subnqn: +$NQN" nvme discover -t tcp -a 127.0.0.1 -s 4420
check_output "discover shows the referral" "traddr: +127.0.0.2" nvme discover -t tcp -a 127.0.0.1 -s 4420
before=$(nvme_blockdevs)
check "connect" nvme connect -t tcp -a 127.0.0.1 -s 4420 -n $NQN
bdev=$(wait_new_blockdev "$before")
check "namespace appears ($bdev)" test -b "$bdev"
check "grow the device" sh -c 'truncate -s 96M /tmp/v.img && losetup -c /dev/loop0'
check "namespace resize" ctl namespace resize $NQN 1
check "the host sees 96 MiB" sh -c "for i in \$(seq 40); do [ \$(blockdev --getsize64 $bdev) = 100663296 ] && exit 0; sleep 0.25; done; exit 1"
check_output "port set on an enabled port: exit 1 and what to do" '^1:.*unlink' \
	sh -c 'ctl() { ./nvmetctl "$@"; }; out=$(ctl port set 1 addr_traddr 127.0.0.3 2>&1); echo "$?:$out"'
check_output "subsystem del while exported: exit 1 and --force" '^1:.*--force' \
	sh -c "out=\$(./nvmetctl subsystem del $NQN 2>&1); echo \"\$?:\$out\""
check "namespace disable" ctl namespace disable $NQN 1
check "the host drops the namespace" sh -c "for i in \$(seq 80); do [ -b $bdev ] || exit 0; sleep 0.25; done; exit 1"
check "namespace enable" ctl namespace enable $NQN 1
check_output "disconnect" "disconnected 1 controller" nvme disconnect -n $NQN
check "subsystem del --force" ctl subsystem del $NQN --force
check "port del" ctl port del 1
check "host del" ctl host del "$HOST"
check "nothing left" sh -c "[ -z \"\$(find $NVMET_CFS/subsystems $NVMET_CFS/ports $NVMET_CFS/hosts -mindepth 1 -maxdepth 1)\" ]"
check "unload" modprobe -r nvme-tcp nvmet-tcp nvmet
losetup -d /dev/loop0
finish
