#!/usr/bin/env bash
# kernel/host-internals.sh on fake kernel trees (no kernel needed): where it
# takes the NVMe host's nvme.h and fabrics.h from, what it refuses and what
# it says then, and that a second run reuses the first's result.
#
#   host_internals_test.sh PATH/TO/host-internals.sh
set -uo pipefail
script=$(realpath "$1")
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAILED: $*"; fail=1; }
# expect NAME WANT GOT: GOT must contain WANT
expect() { if [[ $3 == *"$2"* ]]; then ok "$1"; else bad "$1: wanted '$2', got '$3'"; fi; }

# A Debian-style headers tree: the flavour's Makefile includes the common one.
# Version 99.1.5: no /usr/src/linux-source-99.1 exists anywhere.
mkdir -p "$t/common" "$t/kdir/include/config"
printf 'VERSION = 99\nPATCHLEVEL = 1\nSUBLEVEL = 5\nEXTRAVERSION =\n' >"$t/common/Makefile"
printf 'include %s/common/Makefile\n' "$t" >"$t/kdir/Makefile"
echo 99.1.5+test-amd64 >"$t/kdir/include/config/kernel.release"

mksrc() { # DIR SUBLEVEL
	mkdir -p "$1/drivers/nvme/host" "$1/drivers/nvme/target"
	printf 'VERSION = 99\nPATCHLEVEL = 1\nSUBLEVEL = %s\n' "$2" >"$1/Makefile"
	echo "/* nvme.h of $2 */" >"$1/drivers/nvme/host/nvme.h"
	echo "/* fabrics.h of $2 */" >"$1/drivers/nvme/host/fabrics.h"
	echo "/* not wanted */" >"$1/drivers/nvme/host/core.c"
}
mksrc "$t/src/linux-source-99.1" 5
mksrc "$t/old/linux-source-99.1" 4
tar -czf "$t/linux-source-99.1.tar.gz" -C "$t/src" linux-source-99.1
tar -czf "$t/old.tar.gz" -C "$t/old" linux-source-99.1

# No source anywhere: the reason names the package and KSRC.
out=$(sh "$script" "$t/kdir" "$t/o1")
expect "no source: names the package" "install linux-source-99.1 (the source of kernel 99.1.5+test-amd64)" "$out"
expect "no source: names KSRC" "KSRC=" "$out"
[[ $(cat "$t/o1/status") == "$out" ]] && ok "status file holds the line" || bad "status file: $(cat "$t/o1/status")"
[[ ! -e $t/o1/drivers ]] && ok "no source: no files" || bad "no source: files were left"

# A source tree: the two files, unmodified, nothing else.
out=$(sh "$script" "$t/kdir" "$t/o2" "$t/src/linux-source-99.1")
expect "source tree" ok "$out"
cmp -s "$t/o2/drivers/nvme/host/nvme.h" "$t/src/linux-source-99.1/drivers/nvme/host/nvme.h" &&
	cmp -s "$t/o2/drivers/nvme/host/fabrics.h" "$t/src/linux-source-99.1/drivers/nvme/host/fabrics.h" &&
	ok "source tree: files identical" || bad "source tree: files differ"
left=$(cd "$t/o2" && find . -type f ! -name stamp ! -name status | sort | tr '\n' ' ')
[[ $left == "./drivers/nvme/host/fabrics.h ./drivers/nvme/host/nvme.h " ]] &&
	ok "source tree: only nvme.h and fabrics.h" || bad "source tree: left $left"

# A tarball (top directory stripped), then the same again without tar: the
# stamp says the result is current, so the tarball is not read again.
out=$(sh "$script" "$t/kdir" "$t/o3" "$t/linux-source-99.1.tar.gz")
expect "tarball" ok "$out"
cmp -s "$t/o3/drivers/nvme/host/nvme.h" "$t/src/linux-source-99.1/drivers/nvme/host/nvme.h" &&
	ok "tarball: nvme.h identical" || bad "tarball: nvme.h differs"
[[ ! -e $t/o3/Makefile && ! -e $t/o3/drivers/nvme/host/core.c ]] && ok "tarball: nothing else extracted" ||
	bad "tarball: more than the two files extracted"
mkdir -p "$t/bin"
for c in sh sed head cat awk tr stat cut printf mkdir dirname basename pwd rm mv; do
	p=$(command -v "$c") && ln -sf "$p" "$t/bin/$c"
done
out=$(PATH=$t/bin sh "$script" "$t/kdir" "$t/o3" "$t/linux-source-99.1.tar.gz" 2>&1)
expect "second run reuses the result (no tar on PATH)" ok "$out"
touch -d '2001-01-01' "$t/linux-source-99.1.tar.gz"
out=$(PATH=$t/bin sh "$script" "$t/kdir" "$t/o3" "$t/linux-source-99.1.tar.gz" 2>&1)
[[ $out != ok ]] && ok "a changed tarball is read again (fails here: no tar)" || bad "a changed tarball was not read again"

# Another kernel version: refused, both versions named, no files.
out=$(sh "$script" "$t/kdir" "$t/o4" "$t/old.tar.gz")
expect "version mismatch" "is Linux 99.1.4, the headers in $t/kdir are 99.1.5" "$out"
[[ ! -e $t/o4/drivers/nvme/host/nvme.h ]] && ok "version mismatch: no files" || bad "version mismatch: files left"
out=$(sh "$script" "$t/kdir" "$t/o2" "$t/old/linux-source-99.1")
expect "version mismatch after a success" "99.1.4" "$out"
[[ ! -e $t/o2/drivers/nvme/host/nvme.h ]] && ok "the earlier result is removed" || bad "the earlier files stayed"

# Debian packages of the same source package, other versions: refused.
mkdir -p "$t/dpkg"
cat >"$t/dpkg/dpkg-query" <<EOF
#!/bin/sh
case "\$1" in
-S) case "\$2" in
    */kdir) echo "linux-headers-99.1.5+test-amd64: \$2" ;;
    *.tar.gz) echo "linux-source-99.1: \$2" ;;
    *) exit 1 ;;
    esac ;;
-W) case "\$3" in
    linux-headers-*) echo "linux-headers-99.1.5+test-amd64 linux 99.1.5-1" ;;
    linux-source-*) echo "linux-source-99.1 linux \${SRCVER:-99.1.5-2}" ;;
    esac | tr -d '\n' ;;
esac
EOF
chmod +x "$t/dpkg/dpkg-query"
out=$(PATH=$t/dpkg:$PATH sh "$script" "$t/kdir" "$t/o5" "$t/linux-source-99.1.tar.gz")
expect "Debian version mismatch" "linux-source-99.1 99.1.5-2 does not match linux-headers-99.1.5+test-amd64 99.1.5-1" "$out"
out=$(SRCVER=99.1.5-1 PATH=$t/dpkg:$PATH sh "$script" "$t/kdir" "$t/o5" "$t/linux-source-99.1.tar.gz")
expect "Debian versions equal" ok "$out"

# The reason becomes a C string: no quotes or backslashes in it.
out=$(sh "$script" "$t/kdir" "$t/o6" "$t/no\"such'dir\\")
[[ $out != *[\"\'\\]* ]] && ok "no quotes in the reason ($out)" || bad "quotes in the reason: $out"

exit $fail
