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
exit $fail
