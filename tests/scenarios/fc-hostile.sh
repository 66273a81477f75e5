#!/bin/bash
# A hostile NVMe/FC host at the LLD API: the test module fc-hostile.ko
# (tests/kmod) registers an FC target port with nvmet-fc and lets
# fc_hostile.py inject link services and FCP exchanges, complete, hold or
# fail each data operation, send ABTS, invalidate the host and unregister
# the target port, recording every callback of the transport. Cases: the
# malformed fields of Create Association, Create I/O Connection and
# Disconnect Association (the LS_RJT reason and explanation asserted),
# malformed CMD IUs, more commands than a queue holds (deferred, started in
# order by defer_rcv), ABTS before the data, with data arriving anyway,
# mid-write, during READDATA and around the response, LLD operations that
# fail, a namespace disabled under a write whose data never comes,
# invalidate_host and unregister_targetport with operations held and a
# Disconnect Association the harness never answers, registering again.
# Runs against the in-tree target and ours (docs/fc.md lists where they
# differ; fc_hostile.py --ours expects ours).
. ./lib.sh
NQN=nqn.2026-12.org.nvmet-oot:fc-hostile
H_WWNN=0x10001100ac000001 H_WWPN=0x20001100ac000001
TRADDR=nn-$H_WWNN:pn-$H_WWPN
CFS=$NVMET_CFS

check "fc-hostile.ko and fc_hostile.py are in the scenario directory" \
	test -f ./fc-hostile.ko -a -f ./fc_hostile.py
check "load nvmet-fc" modprobe nvmet-fc
cp ./fc-hostile.ko /tmp/fc-hostile.ko
check "load fc-hostile: target port $TRADDR registered" \
	insmod /tmp/fc-hostile.ko wwnn=$H_WWNN wwpn=$H_WWPN
check "its control file" test -f /sys/kernel/debug/fc_hostile/ctl
NS_DEV=$(backing_loop 64)
check "create subsystem $NQN" subsys_add $NQN
check "namespace 1 on $NS_DEV" ns_add $NQN 1 "$NS_DEV"
check "FC port 1 on $TRADDR" port_add 1 fc fc "$TRADDR"
disc_events() { python3 -c '
import sys; sys.path.insert(0, ".")
import fc_hostile as f; print(f.stats()["disc_events"])'; }
d0=$(disc_events)
check "link $NQN to port 1" port_link 1 $NQN
check "the link reached the LLD as a discovery event" test "$(disc_events)" -gt "${d0:-0}"

args=(--nqn $NQN --ns-enable "$CFS/subsystems/$NQN/namespaces/1/enable")
target_is_ours && args+=(--ours)
log=$(mktemp)
rc=0
timeout -k 5 400 python3 ./fc_hostile.py "${args[@]}" >"$log" 2>&1 || rc=$?
sed 's/^/# /' "$log"
for c in setup io ls-create-assoc ls-create-conn ls-disconnect ls-other cmd-iu defer \
	abts-before-data abts-data-arrives-anyway abts-mid-write abts-readdata abts-rsp op-fail \
	ns-disable-held-write invalidate-host unregister reregister violations; do
	check "fc_hostile.py $c" grep -qE "^$c ok: " "$log"
done
check "fc_hostile.py exited 0 (rc $rc)" test $rc -eq 0

check "target teardown through configfs" with_deadline 60 target_clear
check "unload fc-hostile (targetport_delete came)" with_deadline 90 rmmod fc_hostile
# In-tree frees its target port while the LLD still has an exchange
# (fc_hostile.py unregister gives that exchange up): that one is expected.
if target_is_ours; then
	check_output "fc-hostile saw no API violation" "unloaded: 0 API violations" dmesg
else
	check_output "fc-hostile saw at most in-tree's one API violation (7.2)" "unloaded: [01] API violations" dmesg
fi
check "unload nvmet-fc and nvmet" modprobe -r nvmet-fc nvmet
losetup -d "$NS_DEV"
finish
