#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The NVMe host's internal definitions for the kernel we build for.
#
# Passthru (nvmet) and nvme-loop need drivers/nvme/host/nvme.h and fabrics.h,
# which no linux-headers package ships. This script copies those two files,
# unmodified, out of the source of the very kernel whose headers we build
# against; their structures are then laid out by that kernel's own
# configuration (autoconf.h of the headers). Nothing of them is typed into
# our tree (docs/compat.md).
#
#   host-internals.sh KDIR OUTDIR [KSRC]
#
# KDIR    the kernel build directory (the headers' tree: objtree)
# OUTDIR  where the files go: OUTDIR/drivers/nvme/host/{nvme.h,fabrics.h}
# KSRC    optional: a kernel source tree or tarball (.tar.xz, .tar.gz, .tar)
#         of the same version. Without it: KDIR itself when it is a full
#         source tree, else Debian's /usr/src/linux-source-X.Y.tar.xz
#         (package linux-source-X.Y) or its unpacked /usr/src/linux-source-X.Y.
#
# Prints one line and writes it to OUTDIR/status: "ok", or the reason the
# files are not there, naming what to install. Always exits 0 (the caller, a
# Kbuild $(shell), builds everything else either way). The work is done once
# per kernel and source: OUTDIR/stamp records what the result was made from.

KDIR=$1
OUTDIR=$2
KSRC=${3:-}
FILES="drivers/nvme/host/nvme.h drivers/nvme/host/fabrics.h"

# The reason ends up in a C string literal and a shell word: no quotes,
# backslashes or dollars in it.
finish() {
	line=$(printf '%s' "$1" | tr -d "\"'\\\\\$\`" | tr '\n' ' ')
	printf '%s\n' "$line" >"$OUTDIR/status.tmp" && mv -f "$OUTDIR/status.tmp" "$OUTDIR/status"
	# Only a success is remembered: a failure is looked at again next time.
	[ "$line" != ok ] || printf '%s\n' "$key" >"$OUTDIR/stamp"
	printf '%s\n' "$line"
	exit 0
}

# makefile_version FILE: "V.P.S" from a kernel Makefile, following Debian's
# "include .../Makefile" of the per-flavour headers.
makefile_version() {
	mf=$1
	for _ in 1 2 3; do
		[ -r "$mf" ] || return 1
		v=$(sed -n 's/^VERSION *= *\([0-9]*\).*/\1/p' "$mf" | head -1)
		if [ -n "$v" ]; then
			p=$(sed -n 's/^PATCHLEVEL *= *\([0-9]*\).*/\1/p' "$mf" | head -1)
			s=$(sed -n 's/^SUBLEVEL *= *\([0-9]*\).*/\1/p' "$mf" | head -1)
			echo "$v.$p.$s"
			return 0
		fi
		mf=$(sed -n 's/^include *\(.*\/Makefile\) *$/\1/p' "$mf" | head -1)
		[ -n "$mf" ] || return 1
	done
	return 1
}

# deb_source PATH: "package source-package source-version" of the Debian
# package that owns PATH, or nothing (no dpkg, or not from a package).
deb_source() {
	command -v dpkg-query >/dev/null 2>&1 || return 0
	pkg=$(dpkg-query -S "$1" 2>/dev/null | sed -n '1s/: .*//p')
	case $pkg in '' | *,*) return 0 ;; esac
	dpkg-query -W -f='${Package} ${source:Package} ${source:Version}' "$pkg" 2>/dev/null
}

key=
if [ -z "$KDIR" ] || [ -z "$OUTDIR" ]; then
	echo "usage: host-internals.sh KDIR OUTDIR [KSRC]" >&2
	exit 2
fi
mkdir -p "$OUTDIR" || { echo "cannot create $OUTDIR"; exit 0; }
KDIR=$(cd "$KDIR" 2>/dev/null && pwd -P) || finish "no kernel build directory $1"

release=$(cat "$KDIR/include/config/kernel.release" 2>/dev/null)
kver=$(makefile_version "$KDIR/Makefile") ||
	finish "cannot read the kernel version of $KDIR/Makefile"
xy=${kver%.*}
srcpkg=linux-source-$xy
also="set KSRC= to the source tree or tarball of Linux $kver"

# Where the source is, and what it is.
src=
if [ -n "$KSRC" ]; then
	src=$KSRC
	[ -e "$src" ] || finish "KSRC=$KSRC does not exist: $also, or install $srcpkg"
elif [ -f "$KDIR/drivers/nvme/host/nvme.h" ]; then
	src=$KDIR
elif [ -f "$KDIR/source/drivers/nvme/host/nvme.h" ]; then
	src=$KDIR/source
elif [ -f "/usr/src/$srcpkg.tar.xz" ]; then
	src=/usr/src/$srcpkg.tar.xz
elif [ -f "/usr/src/$srcpkg/drivers/nvme/host/nvme.h" ]; then
	src=/usr/src/$srcpkg
else
	finish "install $srcpkg (the source of kernel ${release:-$kver}) or $also"
fi
src=$(cd "$(dirname "$src")" && echo "$(pwd -P)/$(basename "$src")")

# What the result depends on: the headers, the source, and their packages.
hdeb=$(deb_source "$KDIR")
sdeb=$(deb_source "$src")
key="1 $kver $release $hdeb | $src $sdeb $(stat -L -c '%s %Y' "$src" 2>/dev/null)"
# shellcheck disable=SC2086 # FILES is a list
[ -d "$src" ] && key="$key $(cd "$src" && stat -L -c '%s %Y' Makefile $FILES 2>/dev/null | tr '\n' ' ')"
if [ -f "$OUTDIR/stamp" ] && [ -f "$OUTDIR/status" ] && [ "$(cat "$OUTDIR/stamp")" = "$key" ]; then
	if [ "$(cat "$OUTDIR/status")" = ok ] &&
	   [ -f "$OUTDIR/drivers/nvme/host/nvme.h" ] && [ -f "$OUTDIR/drivers/nvme/host/fabrics.h" ]; then
		echo ok
		exit 0
	fi
fi
rm -f "$OUTDIR/stamp"
rm -rf "$OUTDIR/drivers"

# Debian: the headers and the source must come from the same upload of the
# same source package (a security update may change a structure without
# changing the kernel version).
if [ -n "$hdeb" ] && [ -n "$sdeb" ]; then
	# shellcheck disable=SC2086 # split into package, source, version
	set -- $hdeb
	hpkg=$1 hsrc=$2 hver=$3
	# shellcheck disable=SC2086
	set -- $sdeb
	spkg=$1 ssrc=$2 sver=$3
	if [ "$hsrc" = "$ssrc" ] && [ "$hver" != "$sver" ]; then
		finish "$spkg $sver does not match $hpkg $hver: install $spkg version $hver, or $also"
	fi
fi

# Copy (or extract) the Makefile and the two files into a scratch directory,
# check the version, then move the files into place.
tmp=$OUTDIR/.extract
rm -rf "$tmp" && mkdir -p "$tmp" || finish "cannot create $tmp"
if [ -d "$src" ]; then
	for f in Makefile $FILES; do
		[ -f "$src/$f" ] || finish "$src has no $f: $also, or install $srcpkg"
		mkdir -p "$tmp/$(dirname "$f")" && cp "$src/$f" "$tmp/$f" ||
			finish "cannot copy $src/$f to $tmp"
	done
else
	case $src in
	*.tar.xz | *.txz) z=-J ;;
	*.tar.gz | *.tgz) z=-z ;;
	*.tar.bz2) z=-j ;;
	*.tar) z= ;;
	*) finish "KSRC=$src is neither a directory nor a tarball: $also" ;;
	esac
	[ "$z" != -J ] || command -v xz >/dev/null 2>&1 ||
		finish "install xz-utils to read $src"
	# The tarball's top directory: linux-source-7.2/ for Debian's.
	top=$(tar $z -tf "$src" 2>/dev/null | head -1 | cut -d/ -f1)
	[ -n "$top" ] || finish "cannot read $src: reinstall $srcpkg, or $also"
	names=
	for f in Makefile $FILES; do names="$names $top/$f"; done
	# --occurrence: tar stops reading once it has them (about 60% of the
	# tarball for drivers/nvme), instead of decompressing all of it.
	# shellcheck disable=SC2086
	tar $z -xf "$src" -C "$tmp" --strip-components=1 --occurrence=1 $names 2>"$tmp.err" ||
		finish "cannot extract $FILES from $src: $(head -1 "$tmp.err"); reinstall $srcpkg, or $also"
	rm -f "$tmp.err"
fi
sver_mk=$(makefile_version "$tmp/Makefile") || finish "$src has no readable Makefile: $also"
if [ "$sver_mk" != "$kver" ]; then
	rm -rf "$tmp"
	finish "$src is Linux $sver_mk, the headers in $KDIR are $kver: install $srcpkg of $kver, or $also"
fi
mkdir -p "$OUTDIR/drivers/nvme/host"
for f in $FILES; do
	mv -f "$tmp/$f" "$OUTDIR/$f" || finish "cannot write $OUTDIR/$f"
done
rm -rf "$tmp"
finish ok
