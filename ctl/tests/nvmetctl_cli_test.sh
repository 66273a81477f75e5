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
# status reads the kernel's nvmet_oot netlink family; without our module
# (this build host, or the in-tree nvmet) it says what to load.
if ! grep -qw nvmet_oot /proc/net/genetlink 2>/dev/null; then
	out=$("$bin" status 2>&1); rc=$?
	expect "status without our module exits 1 and says what to load" "$rc:$out" "^1:.*nvmet_oot.*load nvmet-oot's nvmet module"
fi
exit $fail
