#!/bin/bash
# nvmetcli against the target's configfs: restore a sample configuration,
# save it (kept as an artifact that tests/vm/side-by-side compares between the
# in-tree target and ours), clear, restore the saved file, save again: the two
# saves must be identical; a host connects in between; clear leaves nothing.
# Then the same with DH-HMAC-CHAP host keys and a TLS port.
. ./lib.sh
NQN=nqn.2026-11.org.nvmet-oot:demo

check "load nvmet-tcp" modprobe nvmet-tcp
check "loop device /dev/loop0" sh -c 'modprobe loop && truncate -s 64M /tmp/rt.img && losetup /dev/loop0 /tmp/rt.img'
check "host nqn for allowed_hosts" test -n "$LAB_HOSTNQN"
check "nvmetcli restore demo.json" nvmetcli restore demo.json
check "nvmetcli save" nvmetcli save /tmp/save-1.json
save_output save-1.json cat /tmp/save-1.json
check_output "saved config names the subsystem" "$NQN" cat $LAB_OUT/artifacts/save-1.json
check "nvmetcli clear" nvmetcli clear
check "clear leaves nothing" bash -c "[ -z \"\$(find $NVMET_CFS/subsystems $NVMET_CFS/ports $NVMET_CFS/hosts -mindepth 1 -maxdepth 1)\" ]"
check "nvmetcli restore of the saved file" nvmetcli restore /tmp/save-1.json
check "nvmetcli save again" nvmetcli save /tmp/save-2.json
save_output save-2.json cat /tmp/save-2.json
check "second save equals the first" cmp /tmp/save-1.json /tmp/save-2.json

check "load nvme-tcp" modprobe nvme-tcp
check_output "discover" "subnqn: +$NQN" nvme discover -t tcp -a 127.0.0.1 -s 4420
check "connect" nvme connect -t tcp -a 127.0.0.1 -s 4420 -n $NQN
check_output "disconnect" "disconnected 1 controller" nvme disconnect -n $NQN

# Host access control: a subsystem restricted to another host refuses us.
check "restrict the subsystem to another host" sh -c "
	echo 0 > $NVMET_CFS/subsystems/$NQN/attr_allow_any_host &&
	mkdir $NVMET_CFS/hosts/nqn.2014-08.org.nvmexpress:uuid:00000000-0000-0000-0000-000000000001 &&
	ln -s $NVMET_CFS/hosts/nqn.2014-08.org.nvmexpress:uuid:00000000-0000-0000-0000-000000000001 \
		$NVMET_CFS/subsystems/$NQN/allowed_hosts/"
check_fails "connect refused for a host not in allowed_hosts" \
	nvme connect -t tcp -a 127.0.0.1 -s 4420 -n $NQN
check "allow our host" sh -c "mkdir $NVMET_CFS/hosts/$LAB_HOSTNQN &&
	ln -s $NVMET_CFS/hosts/$LAB_HOSTNQN $NVMET_CFS/subsystems/$NQN/allowed_hosts/"
check "connect allowed through allowed_hosts" nvme connect -t tcp -a 127.0.0.1 -s 4420 -n $NQN
check_output "disconnect" "disconnected 1 controller" nvme disconnect -n $NQN
check_fails "allow_any_host cannot be set while allowed_hosts has links" \
	sh -c "echo 1 > $NVMET_CFS/subsystems/$NQN/attr_allow_any_host"

# configfs rules the in-tree target enforces.
check_fails "addr_traddr of an enabled port is read-only (EACCES)" \
	sh -c "echo 127.0.0.2 > $NVMET_CFS/ports/1/addr_traddr"
check_fails "a subsystem cannot take the discovery NQN" \
	mkdir "$NVMET_CFS/subsystems/nqn.2014-08.org.nvmexpress.discovery"
check_fails "device_path of an enabled namespace cannot change" \
	sh -c "echo -n /dev/null > $NVMET_CFS/subsystems/$NQN/namespaces/1/device_path"
check "disconnect the host before unload tests" modprobe -r nvme-tcp
check_fails "nvmet cannot be unloaded while configured" modprobe -r nvmet
check "the configuration is still there" test -d "$NVMET_CFS/subsystems/$NQN/namespaces/1"
check "nvmetcli clear" nvmetcli clear

# DH-HMAC-CHAP keys and a TLS port through nvmetcli: restored into configfs,
# saved with the keys, and saved the same after clear and restore.
H1=nqn.2014-08.org.nvmexpress:uuid:5d2c7a10-4b8e-4f3a-9c61-7e0f1a2b3c01
H2=nqn.2014-08.org.nvmexpress:uuid:5d2c7a10-4b8e-4f3a-9c61-7e0f1a2b3c02
K1=DHHC-1:00:ia6zGodOr4SEG0Zzaw398rpY0wqipUWj4jWjUh4HWUz6aQ2n:
K2=DHHC-1:02:FSIvPElWY3B9ipeksb7L2OXy/wwZJjNATVpndIGOm6i1ws/c6fYDEB0qN0RRXmt4Knz36A==:
cat >/tmp/sec.py <<PY
import json
c = json.load(open("demo.json"))
c["hosts"] = [{"nqn": "$H1", "dhchap": {"key": "$K1", "ctrl_key": "$K2", "hash": "hmac(sha384)",
                                        "dhgroup": "ffdhe3072"}},
              {"nqn": "$H2", "dhchap": {"key": "", "ctrl_key": ""}}]
c["ports"].append({"portid": 2, "addr": {"trtype": "tcp", "adrfam": "ipv4", "traddr": "127.0.0.1",
                                       "trsvcid": "4421", "tsas": "tls1.3", "treq": "not required"},
                 "param": {}, "ana_groups": [], "referrals": [], "subsystems": []})
json.dump(c, open("/tmp/sec.json", "w"), indent=2)
PY
check "a configuration with host keys and a TLS port" python3 /tmp/sec.py
check "nvmetcli restore of it" nvmetcli restore /tmp/sec.json
check "configfs holds the keys, hash and group" sh -c "[ \"\$(cat $NVMET_CFS/hosts/$H1/dhchap_key)\" = '$K1' ] &&
	[ \"\$(cat $NVMET_CFS/hosts/$H1/dhchap_ctrl_key)\" = '$K2' ] &&
	[ \"\$(cat $NVMET_CFS/hosts/$H1/dhchap_hash)\" = 'hmac(sha384)' ] &&
	[ \"\$(cat $NVMET_CFS/hosts/$H1/dhchap_dhgroup)\" = ffdhe3072 ]"
check "the host without keys has none" sh -c "[ -z \"\$(cat $NVMET_CFS/hosts/$H2/dhchap_key)\" ]"
check "the TLS port: tsas tls1.3, treq not required" sh -c "[ \"\$(cat $NVMET_CFS/ports/2/addr_tsas)\" = tls1.3 ] &&
	[ \"\$(cat $NVMET_CFS/ports/2/addr_treq)\" = 'not required' ]"
check "nvmetcli save" nvmetcli save /tmp/sec-1.json
check_output "the keys are saved" "\"ctrl_key\": \"$K2\"" cat /tmp/sec-1.json
check_output "in a file only root reads" '^600$' stat -c %a /tmp/sec-1.json
check "nvmetcli clear" nvmetcli clear
check "nvmetcli restore of the saved file" nvmetcli restore /tmp/sec-1.json
check "nvmetcli save again" nvmetcli save /tmp/sec-2.json
check "the same configuration (ports may list in another order)" same_config /tmp/sec-1.json /tmp/sec-2.json
check "nvmetcli clear" nvmetcli clear
check "unload" modprobe -r nvmet-tcp nvmet
losetup -d /dev/loop0
finish
