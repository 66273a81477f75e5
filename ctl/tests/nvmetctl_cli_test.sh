#!/bin/bash
# nvmetctl against a directory laid out like configfs: output, JSON, exit codes
# and the error a person sees when the target is not loaded.
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") # absolute: some tests cd
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
# Object verbs end to end, on a directory with configfs's rules (FakeTree).
f=$t/fake
mkdir "$f"
# The old form of the fake configfs: --root DIR --fake-configfs.
ctl() { "$bin" --root "$f" --fake-configfs "$@"; }
disk=$t/disk.img
: >"$disk"
H=nqn.2014-08.org.nvmexpress:uuid:9f8e7d6c-0000-4000-8000-000000000001
S=nqn.2026-11.org.nvmet-oot:cli
ctl host add $H && ctl subsystem add $S --serial 42 && ctl subsystem allow $S $H &&
	ctl namespace add $S 1 "$disk" --buffered && ctl port add 1 --trtype tcp --traddr ::1 --trsvcid 4420 &&
	ctl port link 1 $S && ctl ana set 1 2 non-optimized &&
	ctl referral add 1 peer --trtype tcp --traddr 10.0.0.9 --trsvcid 8009 --remote-portid 3
expect "build a configuration with the verbs" "$?" '^0$'
expect "port address family from the address" "$(cat "$f/ports/1/addr_adrfam")" '^ipv6$'
expect "namespace enabled and buffered" "$(cat "$f/subsystems/$S/namespaces/1/enable" "$f/subsystems/$S/namespaces/1/buffered_io" | tr '\n' ' ')" '^1 1 $'
out=$(ctl subsystem show $S --json)
expect "subsystem show --json: list's keys" "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["allowed_hosts"][0], d["namespaces"][0]["device_path"], d["ports"])' <<<"$out")" "^$H $disk \\[1\\]\$"
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
out=$(ctl namespace add nqn.2026-11.org.nvmet-oot:none 1 "$disk" 2>&1); rc=$?
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
expect "subsystem show works" "$out" "^    o- $H\$"
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
expect "port list: TLS required" "$out" '^port 7  tcp ipv4 10.0.0.7:4420  tls: required  subsystems: -$'
expect "port list: TLS optional" "$out" '^port 8  .*  tls: yes \(hosts without TLS too\)  '
expect "port list: no TLS" "$out" '^port 9  .*  tls: no  '
out=$(ctl port add 10 --trtype rdma --traddr 10.0.0.10 --trsvcid 4420 --tls 2>&1)
expect "--tls on RDMA is refused" "$?:$out" '^1:.*TLS is for TCP ports only'
ctl port del 7 && ctl port del 8 && ctl port del 9
# --fake-configfs DIR: made if missing; save and restore default to
# DIR/config.json, never to the real /etc/nvmet/config.json.
g=$t/new/fake
real_before=$(stat -c %Y /etc/nvmet/config.json 2>/dev/null || echo none)
"$bin" --fake-configfs "$g" subsystem add $S --allow-any-host && "$bin" --fake-configfs "$g" save
expect "--fake-configfs DIR makes DIR and saves into it" "$?:$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["subsystems"][0]["nqn"])' "$g/config.json")" "^0:$S\$"
expect "and not to /etc/nvmet/config.json" "$(stat -c %Y /etc/nvmet/config.json 2>/dev/null || echo none)" "^$real_before\$"
"$bin" --fake-configfs "$g" clear && "$bin" --fake-configfs "$g" restore
expect "restore reads DIR/config.json" "$?:$("$bin" --fake-configfs "$g" subsystem list)" "^0:$S  hosts: any"
expect "the option after the command" "$("$bin" subsystem list --fake-configfs "$g")" "^$S  hosts: any"
# Command-line errors exit 2 and say what was meant; aliases and prefixes.
cli() { # WHAT REGEX ARGS...: exit 2 and stderr matching REGEX
	local what=$1 re=$2 out rc
	shift 2
	out=$("$bin" --fake-configfs "$g" "$@" 2>&1 >/dev/null); rc=$?
	expect "$what" "$rc:$out" "^2:$re"
}
cli "a mistyped verb: did you mean" "nvmetctl: subsystem: unknown command 'lsit' \(did you mean 'list'\?\)" subsystem lsit
cli "a mistyped object" "nvmetctl: unknown command 'subsytem' \(did you mean 'subsystem'\?\)" subsytem list
cli "an unknown word lists the commands" "nvmetctl: unknown command 'frobnicate' \(commands: host, subsystem" frobnicate
cli "an ambiguous prefix names the choices" "nvmetctl: ambiguous command 's' \(it could be subsystem, show, save, status\)" s
cli "a missing verb lists the verbs" "nvmetctl: subsystem: which command\? \(add, del, set" subsystem
cli "no command at all" "nvmetctl: no command given" 
cli "a missing argument" "nvmetctl: nqn is required" subsystem del
cli "an unknown option" "nvmetctl: unknown option '--frob' for 'nvmetctl subsystem list' \(see 'nvmetctl subsystem list --help'\)" subsystem list --frob
cli "a mistyped option: did you mean" "nvmetctl: unknown option '--jsno' for 'nvmetctl port list' \(did you mean '--json'\?\)" port list --jsno
cli "a number that is not one" "nvmetctl: .*" port show seven
expect "--help exits 0" "$("$bin" port add --help >/dev/null; echo $?)" '^0$'
expect "'sub ls' is 'subsystem list'" "$("$bin" --fake-configfs "$g" sub ls)" "^$S  hosts: any"
expect "'ports ls' is 'port list'" "$("$bin" --fake-configfs "$g" ports ls; echo $?)" '^0$'
"$bin" --fake-configfs "$g" subsystem rm $S && "$bin" --fake-configfs "$g" subsystem add $S && "$bin" --fake-configfs "$g" subsys delete $S
expect "'rm' and 'delete' are 'del'" "$?:$("$bin" --fake-configfs "$g" subsystem list | wc -l)" '^0:0$'
# port add: defaults, and every value checked before configfs is touched.
pa() { "$bin" --fake-configfs "$g" port add "$@" 2>&1; }
out=$(pa 5)
expect "port add ID alone: tcp, every IPv4 address, 4420" "$?:$(cat "$g/ports/5/addr_trtype" "$g/ports/5/addr_adrfam" "$g/ports/5/addr_traddr" "$g/ports/5/addr_trsvcid" | tr '\n' ' ')" '^0:tcp ipv4 0.0.0.0 4420 $'
out=$(pa 6 --adrfam ipv6)
expect "port add --adrfam ipv6: ::" "$?:$(cat "$g/ports/6/addr_traddr")" '^0:::$'
refused() { # WHAT REGEX PORTID ARGS...: exit 1, message, no port made
	local what=$1 re=$2 id=$3 out rc
	shift 3
	out=$(pa "$id" "$@"); rc=$?
	expect "$what" "$rc:$out:$([[ -e $g/ports/$id ]] && echo made)" "^1:$re.*:\$"
}
refused "a bad IPv4 address" "nvmetctl: port 7: cannot use the address '10.0.0.300' with address family ipv4" 7 --traddr 10.0.0.300
refused "an IPv6 address with --adrfam ipv4 says which family" ".*it is an IPv6 address: give --adrfam ipv6" 7 --traddr ::1 --adrfam ipv4
refused "a port number out of range" ".*service ID \(port number\) '65536'.*1 to 65535" 7 --trsvcid 65536
refused "an unknown transport lists them" ".*transport type 'tpc' \(transport types: fc, loop, pci, rdma, tcp\)" 7 --trtype tpc
refused "an unknown family lists them" ".*address family 'ipv5' \(address families: fc, ib, ipv4, ipv6, loop, pci\)" 7 --adrfam ipv5
refused "a family the transport does not take" ".*address family fc on transport tcp" 7 --adrfam fc
refused "a bad FC address" ".*FC address 'wwn'" 7 --trtype fc --traddr wwn
# NQNs are checked; a namespace's file must exist and is stored absolute.
out=$("$bin" --fake-configfs "$g" subsystem add testnqn 2>&1)
expect "an NQN that is not one says what one is" "$?:$out" "^1:nvmetctl: subsystem testnqn: cannot use 'testnqn' as a subsystem NQN \(it does not start with nqn.YYYY-MM.; an NQN is nqn.YYYY-MM.reverse-domain:name"
out=$("$bin" --fake-configfs "$g" host add "nqn.2014-08.org.nvmexpress:uuid:not-a-uuid" 2>&1)
expect "a uuid NQN needs a UUID" "$?:$out" "^1:.*is not a UUID"
out=$("$bin" --fake-configfs "$g" subsystem add "nqn.2026-11.org.example:$(printf 'x%.0s' {1..200})" 2>&1)
expect "an NQN over 223 bytes" "$?:$out" "^1:.*it is 224 bytes"
"$bin" --fake-configfs "$g" subsystem add $S
out=$(cd "$t" && "$bin" --fake-configfs "$g" namespace add $S 1 disk.img 2>&1)
expect "namespace add makes the path absolute" "$?:$out:$(cat "$g/subsystems/$S/namespaces/1/device_path")" "^0::$disk\$"
out=$("$bin" --fake-configfs "$g" namespace add $S 2 "$t/no-such.img" 2>&1)
expect "namespace add of a missing file is refused" "$?:$out:$([[ -e $g/subsystems/$S/namespaces/2 ]] && echo made)" "^1:nvmetctl: namespace 2 of subsystem $S: cannot use the device $t/no-such.img: No such file or directory \(give a block device or a file that exists\):\$"
out=$("$bin" --fake-configfs "$g" port link 5 $S 2>&1)
expect "linking a subsystem no host may reach warns" "$?:$out" "^0:nvmetctl: warning: subsystem $S allows no host, so none can connect: allow one with 'nvmetctl subsystem allow"
"$bin" --fake-configfs "$g" subsystem set $S allow_any_host 1
out=$("$bin" --fake-configfs "$g" port link 6 $S 2>&1)
expect "and not when any host may" "$?:$out" '^0:$'
# Hints that fit the error.
out=$("$bin" --fake-configfs "$g" ana del 5 1 2>&1)
expect "a refusal with its own hint gets no 'needs root' hint" "$?:$out" '^1:.*group 1 always exists; set its state instead\)$'
out=$("$bin" --fake-configfs "$g" port link 5 $S 2>&1)
expect "linking twice says so, not how to enable a port" "$?:$out" "^1:nvmetctl: port 5: cannot create .*: File exists \(the port exports that subsystem already\)\$"
"$bin" --fake-configfs "$g" subsystem set $S allow_any_host 0 && "$bin" --fake-configfs "$g" host add $H &&
	"$bin" --fake-configfs "$g" subsystem allow $S $H
out=$("$bin" --fake-configfs "$g" subsystem allow $S $H 2>&1)
expect "allowing twice says so, not allow_any_host's rule" "$?:$out" "^1:.*File exists \(that host is allowed already\)\$"
"$bin" --fake-configfs "$g" subsystem disallow $S $H && "$bin" --fake-configfs "$g" host del $H &&
	"$bin" --fake-configfs "$g" subsystem set $S allow_any_host 1
mkdir "$t/empty"
out=$("$bin" --root "$t/empty" host add $H 2>&1)
expect "a missing parent gets no NQN hint" "$?:$(grep -c '223 bytes' <<<"$out")" '^1:0$'
# show (ls): the whole configuration as a tree, by name; -j everywhere.
"$bin" --fake-configfs "$g" host add $H && "$bin" --fake-configfs "$g" referral add 6 peer --traddr fd00::9 --remote-portid 4 &&
	"$bin" --fake-configfs "$g" ana set 5 2 inaccessible
out=$("$bin" --fake-configfs "$g" show)
expect "show: hosts by name" "$out" "^  o- $H\$"
expect "show: an IPv6 port as [::]:4420 with its subsystems" "$(grep -A2 '^  o- 6 ' <<<"$out")" "^  o- 6  tcp \[::\]:4420  tls: no
    o- subsystems
      o- $S\$"
expect "show: referrals with their address" "$out" '^      o- peer  tcp \[fd00::9\]:8009  remote port 4$'
expect "show: ANA groups" "$out" '^      o- 2  inaccessible$'
expect "show: a subsystem's namespaces and ports" "$out" "^  o- $S  any host  ports: 5, 6\$"
expect "ls is show" "$("$bin" --fake-configfs "$g" ls)" "^      o- 1  $disk  enabled\$"
out=$("$bin" --fake-configfs "$g" show -j)
expect "show -j: list's objects under hosts, ports, subsystems" "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(sorted(d), d["ports"][1]["referrals"][0]["traddr"], d["subsystems"][0]["namespaces"][0]["nsid"])' <<<"$out")" "^\['hosts', 'ports', 'subsystems'\] fd00::9 1\$"
for v in "host list" "host show $H" "subsystem list" "subsystem show $S" "port list" "port show 5" "show"; do
	# shellcheck disable=SC2086
	out=$("$bin" --fake-configfs "$g" $v -j)
	expect "$v -j prints JSON" "$(python3 -c 'import json,sys; json.load(sys.stdin); print("json")' <<<"$out" 2>&1)" '^json$'
done
expect "port show -j is an element of port list -j" "$(python3 -c 'import json,sys; a=json.loads(sys.argv[1]); b=json.loads(sys.argv[2]); print(a == b[0])' "$("$bin" --fake-configfs "$g" port show 5 -j)" "$("$bin" --fake-configfs "$g" port list -j)")" '^True$'
expect "status takes -j" "$("$bin" status --help)" '-j,--json'
# apply: only what differs, a plan with --dry-run, "nothing to change" the
# second time, exit 1 and the configuration as it was when a step fails.
ctl subsystem add $S --allow-any-host && ctl namespace add $S 1 "$disk" &&
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
