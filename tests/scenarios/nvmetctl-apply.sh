#!/bin/bash
# nvmetctl apply under load (ours only: nvmetcli has no apply). A namespace
# exported over TCP, the kernel host connected and fio writing and
# verifying on it; meanwhile apply adds a second subsystem with a
# namespace, links it to the live port and to a new one, and adds a host
# entry and an ANA group (unrelated changes). fio passes, the host's
# controller stays live with the same controller ID and no reconnect or
# reset in the kernel log, the new subsystem is discoverable, and a second
# apply has nothing to change. A file the kernel refuses part of fails,
# says which step, and leaves the live configuration as it was, under the
# same load.
. ./lib.sh
NQN=nqn.2026-11.org.nvmet-oot:apply1
NQN2=nqn.2026-11.org.nvmet-oot:apply2
HOST2=nqn.2014-08.org.nvmexpress:uuid:7d1c9a3e-2f4b-4c5d-8e6f-0a1b2c3d4e5f

check "nvmetctl is in the scenario directory" test -x ./nvmetctl
check "load nvmet-tcp and nvme-tcp" modprobe -a nvmet-tcp nvme-tcp
serve "$NQN" 128
connect_host "$NQN"
ctrl=$(dirname "$(grep -lx "$NQN" /sys/class/nvme/nvme*/subsysnqn | head -1)")
cntlid=$(cat "$ctrl/cntlid")
note "host controller $ctrl, cntlid $cntlid"
check "nvmetctl save of the live configuration" ./nvmetctl save /tmp/live.json
check_output "apply of it: nothing to change" '^nothing to change$' ./nvmetctl apply /tmp/live.json

dev2=$(backing_loop 32)
check "second loop device ($dev2)" test -b "$dev2"
cat >/tmp/more.py <<'PY'
import json, sys
nqn2, host2, dev2 = sys.argv[1:4]
c = json.load(open("/tmp/live.json"))
c["hosts"].append({"nqn": host2})
c["subsystems"].append({"nqn": nqn2, "attr": {"allow_any_host": "1"},
                        "namespaces": [{"nsid": 1, "enable": 1, "device": {"path": dev2}}]})
p1 = c["ports"][0]
p1["subsystems"].append(nqn2)
p1["ana_groups"].append({"grpid": 2, "ana": {"state": "non-optimized"}})
c["ports"].append({"portid": 2, "addr": {"trtype": "tcp", "adrfam": "ipv4", "traddr": "127.0.0.1",
                   "trsvcid": "4421"}, "subsystems": [nqn2]})
json.dump(c, open("/tmp/more.json", "w"), indent=2)
# The same with a namespace on a device that does not exist: the kernel
# refuses to enable it, after the subsystem was made.
c["subsystems"][-1]["namespaces"][0]["device"]["path"] = "/dev/does-not-exist"
json.dump(c, open("/tmp/refused.json", "w"), indent=2)
PY
check "the files to apply" python3 /tmp/more.py "$NQN2" "$HOST2" "$dev2"
save_output apply-dry-run.txt ./nvmetctl apply --dry-run /tmp/more.json
check_output "--dry-run: the new subsystem is made before anything else names it" \
	"^would: add subsystem $NQN2\$" grep -m1 "$NQN2" "$LAB_OUT/artifacts/apply-dry-run.txt"
check_fails "--dry-run: no step touches the live subsystem or disturbs a host" \
	grep -E "$NQN( |$)|disable|unlink|again" "$LAB_OUT/artifacts/apply-dry-run.txt"
check "--dry-run changed nothing" sh -c './nvmetctl save - | cmp - /tmp/live.json'

# What the host logs when it loses a controller (a disconnect of ours,
# later, logs "Removing ctrl", which is not counted).
resets() { dmesg | grep -ciE 'reconnect|resetting|error recovery|failed to connect' || true; }
resets_before=$(resets)
# About 8 s of writes (48 on the debug kernel, where the five nvmetctl runs
# below took 25 s), then the verify: the applies run inside the writes.
LOAD_SIZE=32M RATE=4m
[[ $(uname -r) == *labdbg* ]] && LOAD_SIZE=24M RATE=512k
timeout 400 fio --name=apply-load --filename="$bdev" --ioengine=libaio --direct=1 --rw=write --bs=64k \
	--size=$LOAD_SIZE --iodepth=8 --rate=$RATE --verify=crc32c --do_verify=1 --verify_fatal=1 \
	--output-format=terse >"$LAB_OUT/fio-apply-load.log" 2>&1 &
fpid=$!
sleep 2
check_output "apply of a file the kernel refuses part of fails at the namespace, rolled back" \
	"step [0-9]+ of [0-9]+ \(add namespace $NQN2 nsid 1 .*/dev/does-not-exist.*previous configuration is back in place" \
	sh -c './nvmetctl apply /tmp/refused.json 2>&1; true'
check_fails "and exits non-zero" ./nvmetctl apply /tmp/refused.json
check "the live configuration is as it was" sh -c './nvmetctl save - | cmp - /tmp/live.json'
save_output apply.txt ./nvmetctl apply /tmp/more.json
check "fio is still running (the applies took less than its run)" kill -0 $fpid
check "fio write + crc32c verify across the applies" wait $fpid ||
	tail -n 30 "$LAB_OUT/fio-apply-load.log"
check_output "the host's controller is live" '^live$' cat "$ctrl/state"
check_output "with the same controller ID" "^$cntlid\$" cat "$ctrl/cntlid"
check_output "no reconnect or reset in the kernel log" "^$resets_before\$" resets
check_output "the new subsystem is discoverable on the live port" "subnqn: +$NQN2" \
	nvme discover -t tcp -a 127.0.0.1 -s 4420
check_output "and on the new port" "trsvcid: +4421" nvme discover -t tcp -a 127.0.0.1 -s 4421
check_output "ANA group 2 is there" '^non-optimized$' cat "$NVMET_CFS/ports/1/ana_groups/2/ana_state"
check_output "apply again: nothing to change" '^nothing to change$' ./nvmetctl apply /tmp/more.json
SVC=4421 connect_host "$NQN2"
check_output "disconnect the new subsystem" "disconnected 1 controller" nvme disconnect -n "$NQN2"
check_output "disconnect the first, still the same controller" "disconnected 1 controller" nvme disconnect -n "$NQN"
check "nvmetctl clear" ./nvmetctl clear
check "unload" modprobe -r nvme-tcp nvmet-tcp nvmet
finish
