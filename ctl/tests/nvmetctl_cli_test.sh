#!/bin/bash
# nvmetctl against a directory laid out like configfs: output, JSON, exit codes
# and the error a person sees when the target is not loaded.
set -u
bin=$1
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail=0
expect() { # WHAT ACTUAL EXPECTED_REGEX
	if grep -Eq -- "$3" <<<"$2"; then echo "ok - $1"; else echo "not ok - $1: got '$2'"; fail=1; fi
}
mkdir -p "$t/subsystems/nqn.a/namespaces/1" "$t/subsystems/nqn.a/allowed_hosts" "$t/ports"
echo 1 >"$t/subsystems/nqn.a/attr_allow_any_host"
echo /dev/loop0 >"$t/subsystems/nqn.a/namespaces/1/device_path"
echo 1 >"$t/subsystems/nqn.a/namespaces/1/enable"

out=$("$bin" --root "$t" subsystem list)
expect "plain list" "$out" '^nqn.a  hosts: any  namespaces: 1$'
out=$("$bin" --root "$t" subsystem list --json)
expect "json list" "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(d[0]["namespaces"][0]["device_path"])' <<<"$out")" '^/dev/loop0$'
out=$("$bin" --root "$t/absent" port list 2>&1); rc=$?
expect "missing root exits 1" "$rc" '^1$'
expect "missing root says what to do" "$out" "modprobe nvmet"
"$bin" --root "$t" frobnicate >/dev/null 2>&1; rc=$?
expect "bad command line exits non-zero, not 1" "$rc" '^(2|10[0-9])$'
# Object verbs end to end, on a directory with configfs's rules (FakeTree).
f=$t/fake
mkdir "$f"
ctl() { "$bin" --root "$f" --fake-configfs "$@"; }
H=nqn.2014-08.org.nvmexpress:uuid:9f8e7d6c-0000-4000-8000-000000000001
S=nqn.2026-11.org.nvmet-oot:cli
ctl host add $H && ctl subsystem add $S --serial 42 && ctl subsystem allow $S $H &&
	ctl namespace add $S 1 /dev/loop0 --buffered && ctl port add 1 --trtype tcp --traddr ::1 --trsvcid 4420 &&
	ctl port link 1 $S && ctl ana set 1 2 non-optimized &&
	ctl referral add 1 peer --trtype tcp --traddr 10.0.0.9 --trsvcid 8009 --remote-portid 3
expect "build a configuration with the verbs" "$?" '^0$'
expect "port address family from the address" "$(cat "$f/ports/1/addr_adrfam")" '^ipv6$'
expect "namespace enabled and buffered" "$(cat "$f/subsystems/$S/namespaces/1/enable" "$f/subsystems/$S/namespaces/1/buffered_io" | tr '\n' ' ')" '^1 1 $'
out=$(ctl subsystem show $S)
expect "show prints the subsystem in nvmetcli's shape" "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["attr"]["serial"], d["allowed_hosts"][0])' <<<"$out")" "^42 $H\$"
out=$(ctl port set 1 addr_traddr ::2 2>&1); rc=$?
expect "set on an enabled port exits 1" "$rc" '^1$'
expect "and says what to do" "$out" 'unlink its subsystems first'
out=$(ctl subsystem del $S 2>&1); rc=$?
expect "del of an exported subsystem exits 1 and names the port" "$rc:$out" '^1:.*ports 1 export it.*--force'
ctl save "$t/saved.json"
expect "save" "$?" '^0$'
ctl clear && ctl restore "$t/saved.json"
expect "clear then restore of the saved file" "$?" '^0$'
expect "restored the same" "$(ctl save - | cmp - "$t/saved.json" && echo same)" '^same$'
ctl subsystem del $S --force && ctl port del 1 && ctl host del $H
expect "delete everything" "$?" '^0$'
expect "nothing left" "$(find "$f/subsystems" "$f/ports" "$f/hosts" -mindepth 1 | wc -l)" '^0$'
out=$(ctl namespace add nqn.none 1 /dev/x 2>&1); rc=$?
expect "namespace of a missing subsystem says to create it" "$rc:$out" "^1:.*nvmetctl subsystem add"
# DH-HMAC-CHAP keys: from a file, standard input, the command line (with a
# warning); listed as set/unset, the keys only with --show-secrets.
K1=DHHC-1:00:ia6zGodOr4SEG0Zzaw398rpY0wqipUWj4jWjUh4HWUz6aQ2n:
K2=DHHC-1:02:FSIvPElWY3B9ipeksb7L2OXy/wwZJjNATVpndIGOm6i1ws/c6fYDEB0qN0RRXmt4Knz36A==:
(umask 077 && echo "$K1" >"$t/host.key")
ctl host add $H && ctl subsystem add $S && ctl subsystem allow $S $H
out=$(echo "$K2" | ctl host set-key $H --key-file "$t/host.key" --ctrl-key - --hash sha384 --dhgroup ffdhe3072 2>&1)
expect "set-key from a file and standard input, no warning" "$?:$out" '^0:$'
expect "the keys are in configfs" "$(cat "$f/hosts/$H/dhchap_key" "$f/hosts/$H/dhchap_ctrl_key" "$f/hosts/$H/dhchap_hash" | tr '\n' ' ')" "^$K1 $K2 hmac\(sha384\) \$"
out=$(ctl host list)
expect "list says set, not the key" "$out" "^$H  dhchap key: set  ctrl key: set  hash: hmac\(sha384\)  dhgroup: ffdhe3072\$"
expect "list shows no secret" "$(grep -c DHHC <<<"$out")" '^0$'
expect "show shows no secret" "$(ctl host show $H | grep -c DHHC)" '^0$'
expect "show says bidirectional" "$(ctl host show $H)" '^  authentication: bidirectional$'
expect "--show-secrets shows them" "$(ctl host list --show-secrets)" "dhchap key: $K1  ctrl key: $K2"
expect "JSON with secrets" "$(ctl host show $H --json --show-secrets | python3 -c 'import json,sys; d=json.load(sys.stdin)["dhchap"]; print(d["key"], d["ctrl_key_set"])')" "^$K1 True\$"
expect "save writes the key, as nvmetcli" "$(ctl save - | grep -c "$K1")" '^1$'
out=$(ctl subsystem show $S)
expect "subsystem show works" "$out" "^    \"$H\"\$"
expect "and holds no key" "$(grep -c DHHC <<<"$out")" '^0$'
out=$(ctl host set-key $H --key "$K2" 2>&1)
expect "a key on the command line works, with a warning about ps" "$?:$out" '^0:.*warning: .*--key on the command line can be seen by other users'
out=$(echo "${K1%:}" | ctl host set-key $H --key - 2>&1)
expect "a key without its last ':' is refused before writing" "$?:$out" "^1:nvmetctl: host $H: cannot parse the DH-HMAC-CHAP key \(it does not end with ':'"
expect "and the key it has stays" "$(cat "$f/hosts/$H/dhchap_key")" "^$K2\$"
out=$(ctl host set-key $H --key - --ctrl-key - </dev/null 2>&1)
expect "two keys from one standard input are refused" "$?:$out" '^1:.*cannot both read standard input'
ctl host clear-key $H --ctrl-only
expect "clear-key --ctrl-only" "$(ctl host list)" 'dhchap key: set  ctrl key: unset'
ctl host clear-key $H
expect "clear-key" "$(ctl host list)" 'dhchap key: unset  ctrl key: unset'
ctl subsystem del $S && ctl host del $H
# TLS ports: tsas tls1.3, treq required unless not-required.
ctl port add 7 --trtype tcp --traddr 10.0.0.7 --trsvcid 4420 --tls &&
	ctl port add 8 --trtype tcp --traddr 10.0.0.8 --trsvcid 4420 --tls --treq not-required &&
	ctl port add 9 --trtype tcp --traddr 10.0.0.9 --trsvcid 4420
expect "port add --tls" "$?" '^0$'
expect "addr_tsas and addr_treq" "$(cat "$f/ports/7/addr_tsas" "$f/ports/7/addr_treq" "$f/ports/8/addr_treq" | tr '\n' ' ')" '^tls1.3 required not required $'
out=$(ctl port list)
expect "port list: TLS required" "$out" '^port 7  tcp ipv4 10.0.0.7:4420  tls: required  subsystems: 0$'
expect "port list: TLS optional" "$out" '^port 8  .*  tls: yes \(hosts without TLS too\)  '
expect "port list: no TLS" "$out" '^port 9  .*  tls: no  '
out=$(ctl port add 10 --trtype rdma --traddr 10.0.0.10 --trsvcid 4420 --tls 2>&1)
expect "--tls on RDMA is refused" "$?:$out" '^1:.*TLS is for TCP ports only'
ctl port del 7 && ctl port del 8 && ctl port del 9
# apply: only what differs, a plan with --dry-run, "nothing to change" the
# second time, exit 1 and the configuration as it was when a step fails.
ctl subsystem add $S --allow-any-host && ctl namespace add $S 1 /dev/loop0 &&
	ctl port add 3 --trtype tcp --traddr 10.0.0.3 --trsvcid 4420 && ctl port link 3 $S && ctl save "$t/live.json"
expect "apply setup" "$?" '^0$'
out=$(ctl apply "$t/live.json")
expect "apply of the live configuration: nothing to change" "$?:$out" '^0:nothing to change$'
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); S=sys.argv[2]
d["subsystems"].append({"nqn": S + "2", "attr": {"allow_any_host": "1"}, "namespaces": [{"nsid": 1, "enable": 1, "device": {"path": "/dev/loop1"}}]})
d["ports"][0]["subsystems"].append(S + "2")
json.dump(d, open(sys.argv[3], "w"))
d["subsystems"][1]["namespaces"][0]["device"]["path"] = ""
json.dump(d, open(sys.argv[4], "w"))' "$t/live.json" $S "$t/more.json" "$t/bad.json"
out=$(ctl apply --dry-run "$t/more.json")
expect "apply --dry-run exits 0 and prints one line per step" "$?:$(wc -l <<<"$out")" '^0:4$'
expect "the plan adds, then links" "$(head -3 <<<"$out" | tr '\n' '|')" "^would: add subsystem ${S}2\|would: add namespace ${S}2 nsid 1 \(/dev/loop1, enabled\)\|would: port 3: link ${S}2 \(export it\)\|\$"
expect "--dry-run changed nothing" "$(ctl save - | cmp - "$t/live.json" && echo same)" '^same$'
out=$(ctl apply "$t/bad.json" 2>&1)
expect "a refused step exits 1, names the step, the object and the kernel's error" "$?:$out" "^1:nvmetctl: step 2 of 3 \(add namespace ${S}2 nsid 1 \(no device, enabled\)\): cannot write '1' to $f/subsystems/${S}2/namespaces/1/enable: No such file or directory \(rolled back: .*previous configuration is back in place\)"
expect "and the configuration is as it was" "$(ctl save - | cmp - "$t/live.json" && echo same)" '^same$'
out=$(ctl apply "$t/more.json")
expect "apply" "$?:$(tail -1 <<<"$out")" '^0:took 3 step\(s\)$'
expect "applied" "$(ls "$f/ports/3/subsystems" | wc -l)" '^2$'
expect "apply again: nothing to change" "$(ctl apply "$t/more.json")" '^nothing to change$'
exec 9>"$f/.nvmetctl.lock" && flock 9
out=$(ctl apply "$t/live.json" 2>&1)
expect "a second caller fails at once" "$?:$out" "^1:.*another 'nvmetctl apply' is changing the configuration.*--wait"
exec 9>&-
ctl apply "$t/live.json" >/dev/null && ctl port del 3 --force && ctl subsystem del $S --force
expect "apply cleanup" "$?" '^0$'
# The same tree saved by the real nvmetcli, when its Python module is here
# (the lab's guest root has it): byte for byte what nvmetctl saves.
nvmetcli_py=${NVMETCLI_PYTHONPATH:-${LAB_BUILD:-$(dirname "$0")/../../build}/roots/guest/usr/lib/python3/dist-packages}
if [[ -f $nvmetcli_py/nvmet/nvme.py ]]; then
	echo "$K1" | ctl host add $H && echo "$K1" | ctl host set-key $H --key - --dhgroup ffdhe2048 &&
		ctl port add 7 --trtype tcp --traddr 10.0.0.7 --trsvcid 4420 --tls && ctl save "$t/by-nvmetctl.json"
	PYTHONPATH=$nvmetcli_py python3 -c 'import sys, nvmet.nvme as n
n.CFSNode.configfs_dir = sys.argv[1]
n.Root().save_to_file(sys.argv[2])' "$f" "$t/by-nvmetcli.json"
	expect "nvmetcli's save of keys and TLS ports is nvmetctl's" "$(cmp "$t/by-nvmetcli.json" "$t/by-nvmetctl.json" && echo same)" '^same$'
	ctl port del 7 && ctl host del $H
else
	echo "ok - # skip: no nvmetcli Python module at $nvmetcli_py to compare saves with"
fi
# status reads the kernel's nvmet_oot netlink family; without our module
# (this build host, or the in-tree nvmet) it says what to load.
if ! grep -qw nvmet_oot /proc/net/genetlink 2>/dev/null; then
	out=$("$bin" status 2>&1); rc=$?
	expect "status without our module exits 1 and says what to load" "$rc:$out" "^1:.*nvmet_oot.*load nvmet-oot's nvmet module"
fi
exit $fail
