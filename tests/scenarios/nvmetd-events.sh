#!/bin/bash
# nvmetd and nvmetctl status against our modules (the in-tree target has no
# netlink family): nvmetd restores /etc/nvmet/config.json at start, logs one
# line per event (controller created/destroyed, namespace removed/added/
# resized, port disabled/enabled), saves the configuration when it changes,
# serves Prometheus counters, and stops cleanly on SIGTERM leaving the target
# serving. The counters `nvmetctl status --json` reports match fio's own.
. ./lib.sh
NQN=nqn.2026-11.org.nvmet-oot:nvmetd
ADDR=127.0.0.1
SVC=4420
LOG=/tmp/nvmetd.log
CONF=/etc/nvmet/config.json
ctl() { ./nvmetctl "$@"; }

check "nvmetctl and nvmetd are in the scenario directory" test -x ./nvmetctl -a -x ./nvmetd
check "load nvmet-tcp and nvme-tcp" modprobe -a nvmet-tcp nvme-tcp
check "loop device" sh -c 'modprobe loop && truncate -s 64M /tmp/d.img && losetup /dev/loop0 /tmp/d.img'

# The configuration nvmetd restores: made with nvmetctl, saved, then cleared.
check "build a configuration" sh -c "./nvmetctl host add $LAB_HOSTNQN && ./nvmetctl subsystem add $NQN &&
	./nvmetctl subsystem allow $NQN $LAB_HOSTNQN && ./nvmetctl namespace add $NQN 1 /dev/loop0 &&
	./nvmetctl port add 1 --trtype tcp --traddr $ADDR --trsvcid $SVC && ./nvmetctl port link 1 $NQN"
check "save it to $CONF" ctl save $CONF
check "clear the target" ctl clear
check_fails "nothing left" test -e "$NVMET_CFS/subsystems/$NQN"

cat >/tmp/nvmetd.conf <<EOF
restore = "$CONF";
log = "$LOG";
save_on_change = true;
metrics = true;
metrics_address = "127.0.0.1";
metrics_port = 9775;
EOF
check "nvmetd --check-config" ./nvmetd -c /tmp/nvmetd.conf --check-config
check_output "a typo in the configuration is refused with its line" "line 2: unknown setting 'metric_port'" \
	sh -c 'printf "metrics = true;\nmetric_port = 1;\n" >/tmp/bad.conf; ./nvmetd -c /tmp/bad.conf --check-config 2>&1; test $? = 1'

./nvmetd -c /tmp/nvmetd.conf </dev/null >/tmp/nvmetd.out 2>&1 &
dpid=$!
# wait_log REGEX: the log gets a matching line within 20 s.
wait_log() {
	local i
	for ((i = 0; i < 80; i++)); do
		grep -Eq -- "$1" "$LOG" 2>/dev/null && return 0
		sleep 0.25
	done
	echo "no line matching /$1/ in $LOG:"
	cat "$LOG" /tmp/nvmetd.out 2>/dev/null
	return 1
}
check "nvmetd started with events on" wait_log "nvmetd .* started \(nvmet module [0-9.]+, events on\)"
check "it restored $CONF" wait_log "restored $CONF: 1 hosts, 1 subsystems, 1 ports"
check "the subsystem is back" test -e "$NVMET_CFS/subsystems/$NQN/namespaces/1"

before=$(nvme_blockdevs)
check "connect" nvme connect -t tcp -a $ADDR -s $SVC -n $NQN -i 2
bdev=$(wait_new_blockdev "$before")
check "namespace appears ($bdev)" test -b "$bdev"
[[ -n $bdev ]] || finish
check "log: ctrl-create with subsystem, host and address" \
	wait_log "^[^ ]+ nvmetd: ctrl-create cntlid=[0-9]+ subsys=$NQN host=$LAB_HOSTNQN hostid=[0-9a-f-]+ addr=127\.0\.0\.1 port=1 trtype=tcp auth=none tls=no$"
check_output "status: the controller with its 2 I/O queues" "$NQN ctrl [0-9]+  host $LAB_HOSTNQN  from 127.0.0.1 via port 1 \(tcp\)  2 I/O queues" \
	ctl status

# Counters against fio: a write-only job then a read-only job, queue depth 1
# so the block layer cannot merge: commands and bytes must match exactly.
ctl status --json >/tmp/s0.json
check "fio: 4 KiB random writes, 8 MiB" fio --name=w --filename="$bdev" --allow_file_create=0 --ioengine=libaio \
	--direct=1 --rw=randwrite --bs=4k --size=8M --iodepth=1 --output-format=json --output=/tmp/fw.json
check "fio: 64 KiB sequential reads, 8 MiB" fio --name=r --filename="$bdev" --allow_file_create=0 --ioengine=libaio \
	--direct=1 --rw=read --bs=64k --size=8M --iodepth=1 --output-format=json --output=/tmp/fr.json
ctl status --json >/tmp/s1.json
cat >/tmp/cmp.py <<'EOF'
import json, sys
s0, s1 = (json.load(open(f)) for f in ("/tmp/s0.json", "/tmp/s1.json"))
fw, fr = (json.load(open(f))["jobs"][0] for f in ("/tmp/fw.json", "/tmp/fr.json"))
nqn = sys.argv[1]
def ns(s):
    return next(n["stats"] for n in s["namespaces"] if n["subsys"] == nqn and n["nsid"] == 1)
def ctrl(s):
    return next(c["stats"] for c in s["controllers"] if c["subsys"] == nqn)
bad = []
for name, get in (("namespace", ns), ("controller", ctrl)):
    a, b = get(s0), get(s1)
    d = lambda cls, k: b[cls][k] - a[cls][k]
    want = {("write", "commands"): fw["write"]["total_ios"], ("write", "bytes"): fw["write"]["io_bytes"]}
    for (cls, k), v in want.items():
        print(f"{name} {cls} {k}: +{d(cls, k)}, fio {v}")
        if d(cls, k) != v:
            bad.append(f"{name} {cls} {k}")
    # Reads: fio's, plus any the host issued itself (partition scan): at least fio's.
    print(f"{name} read bytes: +{d('read', 'bytes')}, fio {fr['read']['io_bytes']}")
    if d("read", "bytes") < fr["read"]["io_bytes"] or d("read", "commands") < fr["read"]["total_ios"]:
        bad.append(f"{name} reads")
    if b["errors"] != a["errors"]:
        bad.append(f"{name} errors")
    if d("write", "latency_ns") <= 0:
        bad.append(f"{name} write latency sum")
if bad:
    print("mismatch:", ", ".join(bad))
    sys.exit(1)
EOF
check "status --json: write commands and bytes equal fio's, reads at least fio's" python3 /tmp/cmp.py $NQN
cat >/tmp/prom.py <<'EOF'
import json, sys, urllib.request
body = urllib.request.urlopen("http://127.0.0.1:9775/metrics", timeout=10).read().decode()
s = json.load(open("/tmp/s1.json"))
nqn = sys.argv[1]
n = next(n["stats"] for n in s["namespaces"] if n["subsys"] == nqn and n["nsid"] == 1)
line = f'nvmet_ns_bytes_total{{subsys="{nqn}",nsid="1",class="write"}} {n["write"]["bytes"]}'
print(line)
sys.exit(0 if line in body.splitlines() else 1)
EOF
check "metrics: the namespace's write bytes in Prometheus format" python3 /tmp/prom.py $NQN
check_output "metrics: anything but /metrics is 404" "404" \
	python3 -c 'import urllib.request, urllib.error
try: urllib.request.urlopen("http://127.0.0.1:9775/", timeout=10)
except urllib.error.HTTPError as e: print(e.code)'

# Namespace and port events, and the saves they cause.
rm -f $CONF
check "grow the device and resize" sh -c "truncate -s 96M /tmp/d.img && losetup -c /dev/loop0 && ./nvmetctl namespace resize $NQN 1"
check "log: ns-resize with the new size" wait_log "ns-resize subsys=$NQN nsid=1 device=/dev/loop0 size=100663296$"
check "log: saved after the change" wait_log "saved the configuration to $CONF \(ns-resize\)"
check "the saved file restores (--check)" ctl restore --check $CONF
check "namespace disable" ctl namespace disable $NQN 1
check "log: ns-remove" wait_log "ns-remove subsys=$NQN nsid=1 device=/dev/loop0 size=0$"
check "namespace enable" ctl namespace enable $NQN 1
check "log: ns-add" wait_log "ns-add subsys=$NQN nsid=1 device=/dev/loop0 size=100663296$"
check_output "the saved file has the namespace enabled" '"enable": 1' cat $CONF

check "disconnect" nvme disconnect -n $NQN
# Errors: the host's Identify of the disabled namespace fails (Invalid Namespace).
check "log: ctrl-destroy with its counters" \
	wait_log "ctrl-destroy cntlid=[0-9]+ subsys=$NQN host=$LAB_HOSTNQN .* reads=[1-9][0-9]* writes=2048 errors=[0-9]+$"
check "port unlink" ctl port unlink 1 $NQN
check "log: port-disable" wait_log "port-disable port=1 trtype=tcp traddr=127.0.0.1 trsvcid=$SVC$"
check "port link" ctl port link 1 $NQN
check "log: port-enable" wait_log "port-enable port=1 trtype=tcp traddr=127.0.0.1 trsvcid=$SVC$"
check_output "status: no controllers left" "^controllers: 0$" ctl status

# Keep-alive timeout: a raw NVMe/TCP admin queue with KATO 1 s that then
# stays silent (nvme_tcp.py, the raw host): the target ends the controller.
cat >/tmp/kato.py <<'EOF'
import sys
import nvme_tcp as tc
t = tc.Target(sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4])
c = t.conn()
t.icreq(c)
ev = c.send_wait(tc.capsule(tc.connect_sqe(c.next_cid(), qid=0, kato=1000), t.cdata()))
if ev[0] != "response" or ev[1] != 0:
    sys.exit("connect failed: " + tc.describe(ev))
print("cntlid", ev[2] & 0xFFFF)
end = c.wait(timeout=30)  # nothing more is sent: the target must close
print("then:", tc.describe(end))
sys.exit(0 if end[0] == "closed" else 1)
EOF
check "a silent admin queue with KATO 1 s is closed by the target" \
	env PYTHONPATH="$PWD" python3 /tmp/kato.py $ADDR $SVC $NQN "$LAB_HOSTNQN"
check "log: kato-expired" wait_log "kato-expired cntlid=[0-9]+ subsys=$NQN host=$LAB_HOSTNQN .* kato=1$"
check "log: fatal-error" wait_log "fatal-error cntlid=[0-9]+ subsys=$NQN host=$LAB_HOSTNQN "
check "log: its ctrl-destroy" wait_log "ctrl-destroy .* reads=0 writes=0 errors=0$"

# Authentication failure: the host gets a DH-HMAC-CHAP key, a host that
# answers with another key fails; nvmetd logs the event with queue and reason.
hkey=$(nvme gen-dhchap-key -n "$LAB_HOSTNQN" -m 1 -l 32)
wrong=$(nvme gen-dhchap-key -n "$LAB_HOSTNQN" -m 1 -l 32)
check "set the host's DH-HMAC-CHAP key" ctl host set-key "$LAB_HOSTNQN" --key "$hkey"
check_fails "connect with another key fails" \
	nvme connect -t tcp -a $ADDR -s $SVC -n $NQN -i 1 --dhchap-secret="$wrong"
check "log: auth-failure on the admin queue, reason failed" \
	wait_log "auth-failure cntlid=[0-9]+ subsys=$NQN host=$LAB_HOSTNQN port=1 qid=0 reason=failed code=0x01$"
nvme disconnect -n $NQN >/dev/null 2>&1
before=$(nvme_blockdevs)
check "connect with the right key" nvme connect -t tcp -a $ADDR -s $SVC -n $NQN -i 1 --dhchap-secret="$hkey"
check "log: ctrl-create of a host that must authenticate says auth=pending" \
	wait_log "ctrl-create cntlid=[0-9]+ subsys=$NQN host=$LAB_HOSTNQN .* auth=pending tls=no$"
check_output "status: the controller authenticated the host" "$NQN ctrl [0-9]+ .*  auth: host  tls: no" \
	ctl status
check "disconnect the authenticated host" nvme disconnect -n $NQN
check "clear the host's key" ctl host clear-key "$LAB_HOSTNQN"

check "SIGTERM" kill -TERM $dpid
check "nvmetd exits 0" wait $dpid
check "log: stopping" wait_log "stopping on Terminated"
check "the target keeps its configuration (clear_on_stop is off)" test -e "$NVMET_CFS/subsystems/$NQN/namespaces/1"
check "clear" ctl clear
check "unload" modprobe -r nvmet-tcp nvmet
finish
