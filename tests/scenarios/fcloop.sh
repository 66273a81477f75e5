#!/bin/bash
# nvme-fcloop itself (docs/fcloop.md), with our nvmet-fc: the ctl interface
# and every error its attributes give (the errno of each case is the
# in-tree module's: with --mode intree this scenario checks the table
# against the in-tree fcloop and stops there); ports added and deleted in
# every order; then the kernel's NVMe/FC host connected with fio write +
# crc32c verify running while the remote port, the target port, both (in
# either order), the local port, everything (also in quick rounds), and the
# module itself go away and come back; commands dropped on the way (set_cmd_drop: the host times
# out and aborts); reads with NVMET_FCTGTFEAT_READDATA_RSP; unloading with
# ports and an association present. No step may hang (with_deadline), and
# the harness fails any splat or leak.
. ./lib.sh
NQN=nqn.2026-12.org.nvmet-oot:fcloop
# A name no port has.
FC_X_WWNN=0x10001100ff000001 FC_X_WWPN=0x20001100ff000001
L="wwnn=$FC_L_WWNN,wwpn=$FC_L_WWPN"
R="wwnn=$FC_R_WWNN,wwpn=$FC_R_WWPN"
X="wwnn=$FC_X_WWNN,wwpn=$FC_X_WWPN"
LP="lpwwnn=$FC_L_WWNN,lpwwpn=$FC_L_WWPN"

fcloop_is_ours() { modinfo -F description nvme-fcloop 2>/dev/null | grep -q nvmet-oot; }
add_local() { echo "$L" >$FCLOOP/add_local_port; }
del_local() { echo "$L" >$FCLOOP/del_local_port; }

check "host: nvme-core with native multipath (its default)" host_multipath_default
check "load nvmet-fc" modprobe nvmet-fc
check "load nvme-fc (host)" modprobe nvme-fc
check "load nvme-fcloop" fcloop_load
if target_is_ours; then
	check_output "nvme-fcloop is ours (version $(cat VERSION))" "^$(cat VERSION)\$" \
		cat /sys/module/nvme_fcloop/version
fi
check "class fcloop, device ctl" test -d /sys/class/fcloop/ctl
for a in add_local_port del_local_port add_remote_port del_remote_port add_target_port \
	del_target_port set_cmd_drop; do
	check_output "ctl/$a is write-only (0200)" '^200$' stat -c %a "$FCLOOP/$a"
done

# --- 1. The ctl attributes' errors: ATTR, option string, what the write gives.
# One python3 process writes them all in order (each is one write(2)).
# In-tree 6.12 loses a target port whose remote port was deleted first: its
# del_target_port then fails with ENOENT (the port stays registered).
tport_after_rport=ok
if ! fcloop_is_ours && [[ $(uname -r) == 6.* ]]; then
	tport_after_rport=ENOENT
	note "in-tree fcloop of $(uname -r): del_target_port after del_remote_port expected to fail (ENOENT)"
fi
ERRNO_TABLE=(
	"add_local_port|\n|EINVAL"
	"add_local_port|wwnn=$FC_L_WWNN|EINVAL"
	"add_local_port|wwpn=$FC_L_WWPN|EINVAL"
	"add_local_port|wwnn=0x1000,wwpn=$FC_L_WWPN|EINVAL"
	"add_local_port|wwnn=10001100aa000001,wwpn=$FC_L_WWPN|EINVAL"
	"add_local_port|wwnn=0x10001100aa00000g,wwpn=$FC_L_WWPN|EINVAL"
	"add_local_port|wwnn=0X10001100aa000001,wwpn=$FC_L_WWPN|EINVAL"
	"add_local_port|$L,bogus=1|EINVAL"
	"add_local_port|$L,roles=abc|EINVAL"
	"add_local_port|$L,fcaddr=xyz|EINVAL"
	"add_local_port|$L,wwnn|EINVAL"
	"add_local_port|$L,fcaddr=0x10100,roles=0x10\n|ok"
	"add_local_port|$L|EEXIST"
	"add_target_port|\n|EIO"
	"add_target_port|wwnn=$FC_R_WWNN|EIO"
	"add_target_port|wwnn=0x12,wwpn=$FC_R_WWPN|EIO"
	"add_target_port|$R,bogus=1|EIO"
	"add_target_port|$R,roles=zz|EIO"
	"add_target_port|$L|EIO"
	"add_target_port|$R|ok"
	"add_target_port|$R|EIO"
	"add_remote_port|$R,roles=0x60|EIO"
	"add_remote_port|$R,lpwwnn=$FC_L_WWNN,roles=0x60|EIO"
	"add_remote_port|$R,lpwwnn=$FC_X_WWNN,lpwwpn=$FC_X_WWPN,roles=0x60|EIO"
	"add_remote_port|$R,lpwwnn=0x1,lpwwpn=$FC_L_WWPN,roles=0x60|EIO"
	"add_remote_port|$L,$LP,roles=0x60|EIO"
	"add_remote_port|$R,$LP,roles=zz|EIO"
	"add_remote_port|$R,$LP,bogus=1|EIO"
	"add_remote_port|$R,$LP,roles=0x60|ok"
	"add_remote_port|$R,$LP,roles=0x60|EIO"
	"del_remote_port|\n|EINVAL"
	"del_remote_port|wwnn=$FC_R_WWNN|EINVAL"
	"del_remote_port|wwnn=0x12,wwpn=$FC_R_WWPN|EINVAL"
	"del_remote_port|$R,roles=0x60|EINVAL"
	"del_remote_port|$R,$LP|EINVAL"
	"del_remote_port|wwnn=0xffffffffffffffff,wwpn=$FC_R_WWPN|EINVAL"
	"del_remote_port|$X|ENOENT"
	"del_remote_port|$L|ENOENT"
	"del_target_port|\n|EINVAL"
	"del_target_port|wwpn=$FC_R_WWPN|EINVAL"
	"del_target_port|$R,fcaddr=1|EINVAL"
	"del_target_port|$X|ENOENT"
	"del_target_port|$L|ENOENT"
	"del_local_port|\n|EINVAL"
	"del_local_port|wwnn=$FC_L_WWNN|EINVAL"
	"del_local_port|$L,bogus|EINVAL"
	"del_local_port|$X|ENOENT"
	"del_local_port|$R|ENOENT"
	"set_cmd_drop|bogus|EBADRQC"
	"set_cmd_drop|1:2|EBADRQC"
	"del_remote_port|$R|ok"
	"del_remote_port|$R|ENOENT"
	"del_target_port|$R|$tport_after_rport"
	"del_target_port|$R|ENOENT"
	"del_local_port|$L\n|ok"
	"del_local_port|$L|ENOENT"
)
ctl_writes() { # reads "ATTR|STRING" lines; prints what each write gave (ok or the errno's name)
	python3 -c '
import errno, os, sys
for line in sys.stdin.read().splitlines():
    attr, s = line.split("|", 1)
    fd = os.open(os.path.join(sys.argv[1], attr), os.O_WRONLY)
    try:
        os.write(fd, s.replace("\\n", "\n").encode())
        print("ok")
    except OSError as e:
        print(errno.errorcode.get(e.errno, str(e.errno)))
    finally:
        os.close(fd)' "$FCLOOP"
}
got=$(printf '%s\n' "${ERRNO_TABLE[@]}" | sed 's/|[^|]*$//' | ctl_writes)
mapfile -t results <<<"$got"
for i in "${!ERRNO_TABLE[@]}"; do
	IFS='|' read -r attr str want <<<"${ERRNO_TABLE[$i]}"
	check_output "$attr '$str': $want" "^$want\$" echo "${results[$i]:-nothing}"
done

if ! target_is_ours || ! fcloop_is_ours; then
	note "the in-tree target or fcloop: the errors above are the reference; the rest is ours only"
	check "unload nvme-fcloop" rmmod nvme_fcloop
	finish
fi

# --- 2. Ports added and deleted in every order (no host connected).
check "target, local, remote; delete remote, target, local" sh -c "
	echo '$R' >$FCLOOP/add_target_port && echo '$L' >$FCLOOP/add_local_port &&
	echo '$R,$LP,roles=0x60' >$FCLOOP/add_remote_port &&
	echo '$R' >$FCLOOP/del_remote_port && echo '$R' >$FCLOOP/del_target_port &&
	echo '$L' >$FCLOOP/del_local_port"
check "target, local, remote; delete target, remote, local" sh -c "
	echo '$R' >$FCLOOP/add_target_port && echo '$L' >$FCLOOP/add_local_port &&
	echo '$R,$LP,roles=0x60' >$FCLOOP/add_remote_port &&
	echo '$R' >$FCLOOP/del_target_port && echo '$R' >$FCLOOP/del_remote_port &&
	echo '$L' >$FCLOOP/del_local_port"
check "local, remote, target; delete local (its remote port goes with it), target" sh -c "
	echo '$L' >$FCLOOP/add_local_port && echo '$R,$LP,roles=0x60' >$FCLOOP/add_remote_port &&
	echo '$R' >$FCLOOP/add_target_port && echo '$L' >$FCLOOP/del_local_port &&
	echo '$R' >$FCLOOP/del_target_port"
ctl_write() { ctl_writes <<<"$1|$2"; }
check_output "the remote port went with its local port" '^ENOENT$' ctl_write del_remote_port "$R"
check "local, remote; delete target-less remote; remote again; delete local, nothing left" sh -c "
	echo '$L' >$FCLOOP/add_local_port && echo '$R,$LP,roles=0x60' >$FCLOOP/add_remote_port &&
	echo '$R' >$FCLOOP/del_remote_port && echo '$R,$LP,roles=0x60' >$FCLOOP/add_remote_port &&
	echo '$L' >$FCLOOP/del_local_port"
for n in 1 2 3; do
	check "cycle $n: target, local, remote added and deleted" sh -c "
		echo '$R' >$FCLOOP/add_target_port && echo '$L' >$FCLOOP/add_local_port &&
		echo '$R,$LP,roles=0x60' >$FCLOOP/add_remote_port &&
		echo '$L' >$FCLOOP/del_local_port && echo '$R' >$FCLOOP/del_target_port"
done

# --- 3. A host over the loop. The remote port is added before its target
# port: the two are joined when the target port comes.
dev=$(backing_loop 128)
check "create subsystem $NQN" subsys_add $NQN
check "namespace 1 on $dev" ns_add $NQN 1 "$dev"
check "FC port 1 on $FC_TRADDR (before the target port exists)" port_add 1 fc fc "$FC_TRADDR"
check "local port, remote port" sh -c "echo '$L' >$FCLOOP/add_local_port &&
	echo '$R,$LP,roles=0x60' >$FCLOOP/add_remote_port"
check "target port" fcloop_add_target
check "link $NQN to port 1" port_link 1 $NQN
check_output "discovery over the loop lists the subsystem" "subnqn: +$NQN" \
	nvme discover -t fc -a "$FC_TRADDR" -w "$FC_HOST_TRADDR"
before=$(nvme_blockdevs)
check "connect, 2 I/O queues, reconnect delay 1 s" \
	nvme connect -t fc -a "$FC_TRADDR" -w "$FC_HOST_TRADDR" -n $NQN -i 2 \
	--reconnect-delay=1 --ctrl-loss-tmo=120
bdev=$(wait_new_blockdev "$before")
check "namespace appears ($bdev)" test -b "$bdev"
[[ -n $bdev ]] || finish
ctrl_state() { cat "$(dirname "$(grep -l "$NQN" /sys/class/nvme/nvme*/subsysnqn | head -1)")/state"; }
wait_live() {
	local i
	for ((i = 0; i < 90; i++)); do
		[[ $(ctrl_state 2>/dev/null) == live ]] && test -b "$bdev" && return 0
		sleep 1
	done
	echo "controller state: $(ctrl_state 2>&1)"
	return 1
}
SMALL=8M LOAD_SIZE=24M
[[ $(uname -r) == *labdbg* ]] && SMALL=2M LOAD_SIZE=8M
fio_verify 4k "$bdev" 4k $SMALL 32 --rw=randwrite
fio_verify 1m "$bdev" 1M $LOAD_SIZE 8 --rw=write

# under_load WHAT ACTION...: fio writes (64 KiB, rate-limited) and then
# verifies with crc32c while ACTION runs from 2 s in; ACTION, fio and the
# controller's return to live must all succeed.
n_load=0
under_load() {
	local what=$1 fpid
	shift
	n_load=$((n_load + 1))
	timeout 400 fio --name="load$n_load" --filename="$bdev" --ioengine=libaio --direct=1 \
		--rw=write --bs=64k --size=$LOAD_SIZE --iodepth=8 --rate=4m --verify=crc32c \
		--do_verify=1 --verify_fatal=1 --output-format=terse >"$LAB_OUT/fio-load$n_load.log" 2>&1 &
	fpid=$!
	sleep 2
	check "$what, under fio" with_deadline 150 "$@"
	check "fio write + crc32c verify across it (load$n_load)" wait "$fpid" ||
		tail -n 30 "$LAB_OUT/fio-load$n_load.log"
	check "the host's controller is live" wait_live
}
act_remote() { fcloop_del_remote && sleep 2 && fcloop_add_remote; }
act_target() { fcloop_del_target && sleep 2 && fcloop_add_target; }
act_target_remote() {
	fcloop_del_target && fcloop_del_remote && sleep 2 && fcloop_add_target && fcloop_add_remote
}
act_remote_target() {
	fcloop_del_remote && fcloop_del_target && sleep 2 && fcloop_add_remote && fcloop_add_target
}
act_local() { del_local && sleep 2 && add_local && fcloop_add_remote; }
act_all() { fcloop_del_target && del_local && sleep 2 && fcloop_add_ports; }
act_rapid() { # three rounds, no pauses: deletions land on exchanges and LS in flight
	local i
	for i in 1 2 3; do
		fcloop_del_target && fcloop_add_target && fcloop_del_remote && fcloop_add_remote &&
			del_local && add_local && fcloop_add_remote && sleep 0.3 || return 1
	done
}
under_load "remote port deleted, back 2 s later" act_remote
under_load "target port deleted, back 2 s later" act_target
under_load "target port then remote port deleted, both back" act_target_remote
under_load "remote port then target port deleted, both back (remote first)" act_remote_target
under_load "local port deleted (its remote port with it), both back" act_local
under_load "target and local ports deleted, all back" act_all
under_load "three rounds of target, remote and local port deleted and back, no pauses" act_rapid

# --- 4. Commands lost on the way (set_cmd_drop): the host times out (5 s
# here), aborts the exchange, resets and retries; the data is right.
set_io_timeout() { # the host's I/O timeout on the namespace's paths, in ms
	local q n=0
	for q in /sys/block/nvme*/queue/io_timeout; do
		[[ -f $q ]] && echo "$1" >"$q" && n=$((n + 1))
	done
	((n > 0))
}
check "the host's I/O timeout: 5 s" set_io_timeout 5000
check "drop the next Read" sh -c "echo 2:1:1 >$FCLOOP/set_cmd_drop"
check "a 4 KiB direct read completes after the host's timeout and abort" \
	with_deadline 120 dd if="$bdev" of=/dev/null bs=4k count=1 iflag=direct
check_output "fcloop dropped it" "set_cmd_drop: dropped command opcode 0x02" dmesg
check "drop the next two Writes" sh -c "echo 1:1:2 >$FCLOOP/set_cmd_drop"
check "writes complete after the host's timeouts" \
	with_deadline 150 fio --name=drop --filename="$bdev" --ioengine=libaio --direct=1 \
	--rw=write --bs=4k --size=64k --iodepth=1 --verify=crc32c --do_verify=1 --verify_fatal=1 \
	--output-format=terse
check "the host's controller is live" wait_live

# --- 5. The module goes with ports, an association and I/O; it comes back
# with READDATA_RSP and the host reconnects.
act_rmmod() {
	rmmod nvme_fcloop && modprobe nvme-fcloop readdata_rsp=1 && fcloop_add_ports
}
under_load "rmmod nvme-fcloop with ports, an association and I/O; loaded again, ports back" \
	act_rmmod
check_output "readdata_rsp is on" '^Y$' cat /sys/module/nvme_fcloop/parameters/readdata_rsp
fio_verify readdata-rsp-4k "$bdev" 4k $SMALL 16 --rw=randwrite
fio_verify readdata-rsp-1m "$bdev" 1M $LOAD_SIZE 4 --rw=write

# --- 6. Unload with the ports and the association still there (no I/O);
# the host gives up, everything unloads.
check "rmmod nvme-fcloop with the host connected" with_deadline 90 rmmod nvme_fcloop
check "the host disconnects" with_deadline 60 nvme disconnect -n $NQN
check "no controller left" sh -c "for i in \$(seq 30); do
	[ -z \"\$(ls /sys/class/nvme 2>/dev/null)\" ] && exit 0; sleep 1; done; exit 1"
check "target teardown through configfs" target_clear
check "unload nvme-fc" with_deadline 60 modprobe -r nvme-fc
check "unload nvmet-fc and nvmet" with_deadline 60 modprobe -r nvmet-fc nvmet
losetup -d "$dev"
finish
