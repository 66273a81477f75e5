#!/bin/bash
# nvmetctl save / clear / restore against the real nvmetcli, on the target of
# the run (in-tree or ours; side by side). A configuration restored by
# nvmetcli saves byte for byte the same with nvmetctl; nvmetctl's restore
# of nvmetcli's file saves the same with nvmetcli; a host connects to what
# nvmetctl restored; a file with problems and a file the kernel refuses part
# of change nothing; clear leaves nothing.
. ./lib.sh
NQN=nqn.2026-11.org.nvmet-oot:demo
CFG=$NVMET_CFS

empty() { [ -z "$(find $CFG/subsystems $CFG/ports $CFG/hosts -mindepth 1 -maxdepth 1)" ]; }

check "nvmetctl is in the scenario directory" test -x ./nvmetctl
check "load nvmet-tcp and nvme-tcp" modprobe -a nvmet-tcp nvme-tcp
check "loop device /dev/loop0" sh -c 'modprobe loop && truncate -s 64M /tmp/c.img && losetup /dev/loop0 /tmp/c.img'
# demo.json plus a host entry, an allowed host, a second subsystem, a referral
# and an ANA group, so every kind of object is in the file.
cat >/tmp/sample.py <<'PY'
import json
c = json.load(open("demo.json"))
h = "nqn.2014-08.org.nvmexpress:uuid:2b9e1f4c-6d0a-4c3e-8f11-0a1b2c3d4e5f"
c["hosts"] = [{"nqn": h}]
c["subsystems"].append({"nqn": "nqn.2026-11.org.nvmet-oot:restricted", "allowed_hosts": [h],
                        "attr": {"allow_any_host": "0", "serial": "fedcba9876543210"},
                        "namespaces": []})
p = c["ports"][0]
p["ana_groups"].append({"grpid": 2, "ana": {"state": "inaccessible"}})
p["referrals"] = [{"name": "peer", "enable": 1, "addr": {"trtype": "tcp", "adrfam": "ipv4",
                   "traddr": "127.0.0.2", "trsvcid": "4420", "portid": "2"}}]
p["subsystems"].append("nqn.2026-11.org.nvmet-oot:restricted")
json.dump(c, open("/tmp/sample.json", "w"), indent=2)
PY
check "a richer sample configuration" python3 /tmp/sample.py

check "nvmetcli restore" nvmetcli restore /tmp/sample.json
check "nvmetcli save" nvmetcli save /tmp/by-nvmetcli.json
check "nvmetctl save" ./nvmetctl save /tmp/by-nvmetctl.json
check "nvmetctl's save is byte for byte nvmetcli's" diff -u /tmp/by-nvmetcli.json /tmp/by-nvmetctl.json
check_output "nvmetctl save - prints the same" "\"nqn\": \"$NQN\"" ./nvmetctl save -
check_output "the saved file is readable by root only" '^600$' stat -c %a /tmp/by-nvmetctl.json
save_output by-nvmetctl.json cat /tmp/by-nvmetctl.json

check "nvmetctl clear" ./nvmetctl clear
check "clear leaves nothing" empty
check "nvmetctl restore of nvmetcli's file" ./nvmetctl restore /tmp/by-nvmetcli.json
check "nvmetcli save after nvmetctl restore" nvmetcli save /tmp/after-nvmetctl.json
# Arrays come in directory order, which need not be the order of the file:
# compare with what nvmetcli's own restore of the same file gives.
check "nvmetcli restore of the same file" nvmetcli restore /tmp/by-nvmetcli.json
check "nvmetcli save after nvmetcli restore" nvmetcli save /tmp/after-nvmetcli.json
check "nvmetctl restored exactly what nvmetcli restores" diff -u /tmp/after-nvmetcli.json /tmp/after-nvmetctl.json
check_output "a host discovers it" "subnqn: +$NQN" nvme discover -t tcp -a 127.0.0.1 -s 4420
check "a host connects to it" nvme connect -t tcp -a 127.0.0.1 -s 4420 -n $NQN
check_output "disconnect" "disconnected 1 controller" nvme disconnect -n $NQN

# Files that must change nothing.
check "a file with problems" python3 -c '
import json; c = json.load(open("/tmp/by-nvmetcli.json"))
c["ports"][0]["addr"]["trtype"] = "tcpx"
next(s for s in c["subsystems"] if s["namespaces"])["namespaces"][0]["nsid"] = 0
json.dump(c, open("/tmp/bad.json", "w"))'
check_output "nvmetctl restore --check names the problems" \
	'ports\[0\]\.addr\.trtype.*nsid|nsid.*ports\[0\]\.addr\.trtype' \
	sh -c './nvmetctl restore --check /tmp/bad.json 2>&1 | tr "\n" " "; true'
check_fails "nvmetctl restore of it fails" ./nvmetctl restore /tmp/bad.json
check "nvmetcli save after the refused file" nvmetcli save /tmp/after-bad.json
check "the refused file changed nothing" same_config /tmp/after-nvmetcli.json /tmp/after-bad.json
check "a file the kernel refuses part of (a namespace on a missing device)" python3 -c '
import json; c = json.load(open("/tmp/by-nvmetcli.json"))
next(s for s in c["subsystems"] if s["namespaces"])["namespaces"][0]["device"]["path"] = "/dev/does-not-exist"
json.dump(c, open("/tmp/refused.json", "w"))'
check_output "nvmetctl restore fails at the namespace and puts the old one back" \
	'namespaces\[0\].*previous configuration is back' \
	sh -c './nvmetctl restore /tmp/refused.json 2>&1; true'
check "nvmetcli save after the kernel's refusal" nvmetcli save /tmp/after-refused.json
check "the refusal changed nothing" same_config /tmp/after-nvmetcli.json /tmp/after-refused.json
check_fails "nvmetctl restore of a missing file fails" ./nvmetctl restore /tmp/no-such-file.json
check_fails "nvmetctl restore of something not JSON fails" sh -c 'echo "{" | ./nvmetctl restore -'

check "nvmetctl clear" ./nvmetctl clear
check "clear leaves nothing" empty
check "unload" modprobe -r nvme-tcp nvmet-tcp nvmet
losetup -d /dev/loop0
finish
