#!/bin/bash
# What blktests' nvme group does with nvme_trtype=loop (its nvme/rc: a port
# numbered from 0 with addr_trtype loop, addr_traddr 127.0.0.1, ipv4, 4420;
# subsystem blktests-subsystem-1 with a host entry in allowed_hosts and a
# loop-device namespace; `nvme connect -t loop` with --hostnqn/--hostid and
# no address), step by step as its tests do: discovery, connect, fio verify
# (nvme/010), a read past the end (nvme/018), several I/O queues,
# keep-alive, reset and delete controller, disconnect, teardown. Runs
# unchanged against the in-tree nvme-loop and ours.
. ./lib.sh
SUBSYS=blktests-subsystem-1
HOSTNQN=nqn.2014-08.org.nvmexpress:uuid:0f01fb42-9f7f-4856-b0b3-51e60b8de349
HOSTID=0f01fb42-9f7f-4856-b0b3-51e60b8de349
S=$NVMET_CFS/subsystems/$SUBSYS
SMALL=16M
[[ $(uname -r) == *labdbg* ]] && SMALL=4M

# blktests' _create_nvmet_port: the first free port number from 0.
port=0
while [[ -e $NVMET_CFS/ports/$port ]]; do port=$((port + 1)); done

check "modprobe nvmet and nvme-loop (_setup_nvmet)" modprobe -a nvmet nvme-loop
dev=$(backing_loop 128)
check "subsystem $SUBSYS with namespace 1 on $dev" sh -c "mkdir $S &&
	echo 0 > $S/attr_allow_any_host && mkdir $S/namespaces/1 &&
	echo -n $dev > $S/namespaces/1/device_path && echo 1 > $S/namespaces/1/enable"
check "host entry, allowed" sh -c "mkdir $NVMET_CFS/hosts/$HOSTNQN &&
	ln -s $NVMET_CFS/hosts/$HOSTNQN $S/allowed_hosts/$HOSTNQN"
check "port $port: trtype loop, traddr 127.0.0.1, ipv4, trsvcid 4420" \
	port_add $port loop ipv4 127.0.0.1 4420
check "link the subsystem to port $port" port_link $port $SUBSYS

H=("--hostnqn=$HOSTNQN" "--hostid=$HOSTID")
check_output "nvme discover -t loop lists the subsystem" "subnqn: +$SUBSYS" \
	nvme discover -t loop "${H[@]}"
check_output "the discovery log entry is trtype loop" "trtype: +loop" nvme discover -t loop "${H[@]}"
check_fails "a host not in allowed_hosts is refused" nvme connect -t loop -n $SUBSYS \
	--hostnqn=nqn.2014-08.org.nvmexpress:uuid:00000000-0000-0000-0000-00000000dead

# nvme_ctrl_of NQN: the host's controller of NQN (/dev/nvmeN).
nvme_ctrl_of() {
	local c
	for c in /sys/class/nvme/nvme*; do
		[[ $(cat "$c/subsysnqn" 2>/dev/null) == "$1" ]] && { echo "/dev/${c##*/}"; return 0; }
	done
	return 1
}
# connect_loop OPTIONS...: connects blktests-subsystem-1; sets ctrl and bdev.
connect_loop() {
	local before
	before=$(nvme_blockdevs)
	check "nvme connect -t loop -n $SUBSYS $*" nvme connect -t loop -n $SUBSYS "${H[@]}" "$@"
	bdev=$(wait_new_blockdev "$before")
	check "namespace block device appears ($bdev)" test -b "$bdev"
	ctrl=$(nvme_ctrl_of $SUBSYS)
	check "controller ($ctrl) is live" grep -qx live "/sys/class/nvme/${ctrl#/dev/}/state"
}
disconnect_loop() {
	check_output "nvme disconnect -n $SUBSYS" "disconnected 1 controller" nvme disconnect -n $SUBSYS
	check "no controller of $SUBSYS is left" wait_for 10 eval "! nvme_ctrl_of $SUBSYS"
}

# nvme/004, nvme/010: connect, fio verify, disconnect.
connect_loop
check_output "transport is loop" "^loop$" cat "/sys/class/nvme/${ctrl#/dev/}/transport"
check_output "the host NQN is blktests'" "^$HOSTNQN\$" cat "/sys/class/nvme/${ctrl#/dev/}/hostnqn"
check_fails "nvme-loop cannot be unloaded while its port serves" modprobe -r nvme-loop
fio_verify blktests-010 "$bdev" 4k "$SMALL" 16 --rw=randwrite --numjobs=2 --offset_increment="$SMALL"
fio_verify blktests-010-1m "$bdev" 1M "$SMALL" 4 --rw=write
# nvme/018: a read that starts past the end of the namespace fails.
nsze=$(nvme id-ns "$bdev" -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)["nsze"])')
check_fails "nvme read past the end of the namespace fails" \
	nvme read "$bdev" -s "$nsze" -c 0 -z 512
check "nvme read of the last block works" nvme read "$bdev" -s $((nsze - 1)) -c 0 -z 512 -d /dev/null
disconnect_loop

# Several I/O queues: -i 2 (the guest's CPUs bound it) of 32 entries, then
# one; write and poll queues are not loop's (refused, as in-tree: nvme/047
# runs over tcp and rdma only).
connect_loop -i 2 -Q 32
check_output "2 I/O queues (queue_count 3)" "^3$" cat "/sys/class/nvme/${ctrl#/dev/}/queue_count"
check_output "queue size 32 (sqsize 31)" "^31$" cat "/sys/class/nvme/${ctrl#/dev/}/sqsize"
fio_verify queues-2 "$bdev" 4k "$SMALL" 32 --rw=randwrite --numjobs=2 --offset_increment="$SMALL"
disconnect_loop
connect_loop -i 1
check_output "1 I/O queue (queue_count 2)" "^2$" cat "/sys/class/nvme/${ctrl#/dev/}/queue_count"
fio_verify queues-1 "$bdev" 16k "$SMALL" 8 --rw=randwrite
disconnect_loop
check_fails "write and poll queues are refused over loop" nvme connect -t loop -n $SUBSYS \
	"${H[@]}" --nr-write-queues=1 --nr-poll-queues=1

# Keep-alive: KATO 2 s, idle for 8 s: the controller stays, I/O works.
connect_loop --keep-alive-tmo=2
check_output "KATO is 2000 ms (Get Features 0Fh)" "value:0x0*7d0" \
	nvme get-feature "$ctrl" -f 0x0f
sleep 8
check "idle for four keep-alive periods: still live" grep -qx live \
	"/sys/class/nvme/${ctrl#/dev/}/state"
fio_verify after-idle "$bdev" 4k "$SMALL" 8 --rw=randwrite

# Reset controller under I/O, then delete controller (sysfs) under I/O.
fio --name=bg --filename="$bdev" --ioengine=libaio --direct=1 --rw=randread --bs=4k \
	--iodepth=16 --time_based --runtime=8 --continue_on_error=all --output-format=terse \
	>/dev/null 2>&1 &
bg=$!
sleep 2
check "nvme reset $ctrl under I/O" nvme reset "$ctrl"
check "live again after the reset" wait_for 30 grep -qx live "/sys/class/nvme/${ctrl#/dev/}/state"
wait $bg
fio_verify after-reset "$bdev" 4k "$SMALL" 16 --rw=randwrite
fio --name=bg --filename="$bdev" --ioengine=libaio --direct=1 --rw=randread --bs=4k \
	--iodepth=16 --time_based --runtime=8 --continue_on_error=all --output-format=terse \
	>/dev/null 2>&1 &
bg=$!
sleep 2
check "delete_controller under I/O" sh -c "echo 1 > /sys/class/nvme/${ctrl#/dev/}/delete_controller"
wait $bg
check "the controller is gone" wait_for 30 eval "! nvme_ctrl_of $SUBSYS"
connect_loop
fio_verify after-delete "$bdev" 4k "$SMALL" 8 --rw=randwrite --verify_only=0
disconnect_loop

# blktests' cleanup: unlink, port, subsystem, host; modules.
check "remove the subsystem from the port" rm "$NVMET_CFS/ports/$port/subsystems/$SUBSYS"
check "remove the port" rmdir "$NVMET_CFS/ports/$port"
check "remove the subsystem" sh -c "rm $S/allowed_hosts/$HOSTNQN && echo 0 > $S/namespaces/1/enable &&
	rmdir $S/namespaces/1 && rmdir $S && rmdir $NVMET_CFS/hosts/$HOSTNQN"
check "unload nvme-loop and nvmet" modprobe -r nvme-loop nvmet
losetup -d "$dev"
finish
