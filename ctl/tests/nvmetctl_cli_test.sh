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
# Stable namespace identifiers (docs/nvmetd.md): RFC 9562 version 5 of
# "NQN\nNSID\nIDENTITY", a file's identity its path; --uuid/--nguid win,
# --no-stable-ids keeps the kernel's.
S2=nqn.2026-12.org.nvmet-oot:ids
: >"$t/ns.img"
v5() { python3 -c 'import sys, uuid; print(uuid.uuid5(uuid.UUID(sys.argv[1]), sys.argv[2]))' "$1" "$2"; }
name=$(printf '%s\n%s\npath:%s' $S2 1 "$t/ns.img")
ctl subsystem add $S2 && ctl namespace add $S2 1 "$t/ns.img" && ctl namespace add $S2 2 "$t/ns.img" --no-stable-ids &&
	ctl namespace add $S2 3 "$t/ns.img" --uuid 0b8d6f3e-6a1f-4d7e-9c55-3f2a1e0d0042
expect "namespace add with and without stable identifiers" "$?" '^0$'
n=$f/subsystems/$S2/namespaces
expect "namespace add: the stable UUID" "$(cat "$n/1/device_uuid")" "^$(v5 552e3981-acc8-424a-ab11-2d680261441d "$name")\$"
expect "namespace add: the stable NGUID" "$(cat "$n/1/device_nguid")" "^$(v5 e241deca-9ee9-491f-b2ea-46643957f491 "$name")\$"
expect "--no-stable-ids: the kernel's UUID, no NGUID" "$(cat "$n/2/device_uuid" "$n/2/device_nguid" | tr '\n' ' ')" '^0b8d6f3e-6a1f-4d7e-9c55-3f2a1e0d0001 00000000-0000-0000-0000-000000000000 $'
expect "--uuid wins, the NGUID stays stable" "$(cat "$n/3/device_uuid")" '^0b8d6f3e-6a1f-4d7e-9c55-3f2a1e0d0042$'
expect "namespace 3 has an NGUID" "$(cat "$n/3/device_nguid")" "^[0-9a-f-]{36}\$"
[[ $(cat "$n/3/device_nguid") != $(cat "$n/1/device_nguid") ]]
expect "NSIDs 1 and 3 have different NGUIDs" "$?" '^0$'
ctl subsystem del $S2 --force
# status reads the kernel's nvmet_oot netlink family; without our module
# (this build host, or the in-tree nvmet) it says what to load.
if ! grep -qw nvmet_oot /proc/net/genetlink 2>/dev/null; then
	out=$("$bin" status 2>&1); rc=$?
	expect "status without our module exits 1 and says what to load" "$rc:$out" "^1:.*nvmet_oot.*load nvmet-oot's nvmet module"
fi
exit $fail
