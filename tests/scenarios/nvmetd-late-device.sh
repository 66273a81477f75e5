#!/bin/bash
# nvmetd at boot with a device that appears late (LVM, MD, multipath): the
# saved configuration has namespace 2 on /dev/loop100, which does not exist
# when nvmetd starts. The rest is restored and served (a host connects and
# sees namespace 1); namespace 2 is created with its settings but disabled.
# The device appears about 20 s later: nvmetd enables the namespace (one log
# line) from its poll loop, and the host sees it (namespace attribute AEN).
. ./lib.sh
NQN=nqn.2026-12.org.nvmet-oot:late
ADDR=127.0.0.1
SVC=4420
LOG=/tmp/nvmetd.log
CONF=/etc/nvmet/config.json
LATE=/dev/loop100
NS2=$NVMET_CFS/subsystems/$NQN/namespaces/2

check "nvmetctl and nvmetd are in the scenario directory" test -x ./nvmetctl -a -x ./nvmetd
check "load nvmet-tcp and nvme-tcp" modprobe -a nvmet-tcp nvme-tcp
check "loop device for namespace 1" sh -c 'modprobe loop && truncate -s 64M /tmp/d.img && losetup /dev/loop0 /tmp/d.img'
check "$LATE does not exist yet" test ! -e $LATE

check "build a configuration with namespace 1" sh -c "./nvmetctl host add $LAB_HOSTNQN && ./nvmetctl subsystem add $NQN &&
	./nvmetctl subsystem allow $NQN $LAB_HOSTNQN && ./nvmetctl namespace add $NQN 1 /dev/loop0 &&
	./nvmetctl port add 1 --trtype tcp --traddr $ADDR --trsvcid $SVC && ./nvmetctl port link 1 $NQN"
check "save it to $CONF" ./nvmetctl save $CONF
# Namespace 2, enabled, on the device that is not there yet.
cat >/tmp/add_ns2.py <<'PY'
import copy, json, sys
path, nqn, dev = sys.argv[1:]
c = json.load(open(path))
s = next(s for s in c["subsystems"] if s["nqn"] == nqn)
ns = copy.deepcopy(s["namespaces"][0])
ns["nsid"], ns["enable"] = 2, 1
ns["device"]["path"] = dev
ns["device"].pop("uuid", None)
ns["device"].pop("nguid", None)
s["namespaces"].append(ns)
json.dump(c, open(path, "w"), indent=2, sort_keys=True)
PY
check "add namespace 2 on $LATE to the saved file" python3 /tmp/add_ns2.py "$CONF" "$NQN" "$LATE"
check "clear the target" ./nvmetctl clear

cat >/tmp/nvmetd.conf <<EOF2
restore = "$CONF";
log = "$LOG";
save_on_change = true;
save_interval = 2;
late_device_timeout = 120;
late_device_interval = 1;
EOF2
check_output "nvmetd --check-config prints ok" "^ok$" ./nvmetd -c /tmp/nvmetd.conf --check-config
./nvmetd -c /tmp/nvmetd.conf </dev/null >/tmp/nvmetd.out 2>&1 &
dpid=$!
wait_log() {
	local i
	for ((i = 0; i < ${2:-80}; i++)); do
		grep -Eq -- "$1" "$LOG" 2>/dev/null && return 0
		sleep 0.25
	done
	echo "no line matching /$1/ in $LOG:"
	cat "$LOG" /tmp/nvmetd.out 2>/dev/null
	return 1
}
check "nvmetd started" wait_log "nvmetd .* started"
check "log: it restored the rest" wait_log "restored $CONF: 1 hosts, 1 subsystems, 1 ports"
check "log: one line saying it waits for $LATE" \
	wait_log "device $LATE of namespace 2 of $NQN does not exist yet: the namespace stays disabled, waiting up to 120 s"
check_output "namespace 2 exists, disabled" "^0$" cat "$NS2/enable"
check_output "namespace 2 has its device path" "^$LATE$" cat "$NS2/device_path"
check_output "namespace 1 is enabled" "^1$" cat "$NVMET_CFS/subsystems/$NQN/namespaces/1/enable"
check "the port is linked" test -L "$NVMET_CFS/ports/1/subsystems/$NQN"

before=$(nvme_blockdevs)
check "connect while namespace 2 waits" nvme connect -t tcp -a $ADDR -s $SVC -n $NQN -i 1
b1=$(wait_new_blockdev "$before")
check "namespace 1 appears ($b1)" test -b "$b1"
sleep 1
n=$(comm -13 <(echo "$before") <(nvme_blockdevs) | wc -l)
check_output "the host sees one namespace" "^1$" echo "$n"
# A save meanwhile (save_interval 2 s, a change without an event) keeps
# namespace 2 enabled in the file for the next boot.
check "a change made without an event" ./nvmetctl host add nqn.2026-12.org.nvmet-oot:another
check "log: saved (changed)" wait_log "saved the configuration to $CONF \(changed\)" 40
check "the saved file keeps namespace 2 enabled" python3 -c "
import json, sys
c = json.load(open('$CONF'))
s = next(s for s in c['subsystems'] if s['nqn'] == '$NQN')
n = next(n for n in s['namespaces'] if n['nsid'] == 2)
sys.exit(0 if n['enable'] == 1 and any(h['nqn'].endswith(':another') for h in c['hosts']) else 1)"

note "waiting about 20 s before the device appears"
sleep 20
check_output "still disabled" "^0$" cat "$NS2/enable"
before2=$(nvme_blockdevs)
# LOOP_CTL_ADD 100 makes /dev/loop100 (devtmpfs), then it gets its file.
late_device() {
	local i
	truncate -s 32M /tmp/late.img &&
		python3 -c 'import fcntl, os; fcntl.ioctl(os.open("/dev/loop-control", os.O_RDWR), 0x4C80, 100)' ||
		return 1
	for ((i = 0; i < 50; i++)); do
		test -b $LATE && break
		sleep 0.1
	done
	losetup $LATE /tmp/late.img
}
check "the device appears: $LATE" late_device
check "log: nvmetd enabled namespace 2" \
	wait_log "device $LATE appeared after [0-9]+ s: namespace 2 of $NQN enabled" 40
check_output "namespace 2 is enabled" "^1$" cat "$NS2/enable"
check "log: its ns-add event" wait_log "ns-add subsys=$NQN nsid=2 device=$LATE size=33554432$"
b2=$(wait_new_blockdev "$before2" 30)
check "the host sees namespace 2 ($b2)" test -b "$b2"
check_output "of 32 MiB" "^33554432$" blockdev --getsize64 "$b2"
# The file had no identifiers for it: the stable ones (docs/nvmetd.md), a
# loop device's identity being its path: RFC 9562 version 5 computed here.
stable=$(python3 -c "import uuid; print(uuid.uuid5(uuid.UUID('552e3981-acc8-424a-ab11-2d680261441d'), '$NQN\n2\npath:$LATE'))")
check_output "namespace 2 has the stable UUID ($stable)" "^$stable$" cat "$NS2/device_uuid"
check_output "the host sees it (Namespace Identification Descriptors)" "$stable" nvme ns-descs "$b2"

check "disconnect" nvme disconnect -n $NQN
check "SIGTERM" kill -TERM $dpid
check "nvmetd exits 0" wait $dpid
check "clear" ./nvmetctl clear
losetup -d $LATE /dev/loop0 2>/dev/null
check "unload" modprobe -r nvmet-tcp nvmet
finish
