# Shared helpers of the QEMU lab: paths, private apt configs, cached build roots.
# Sourced by the scripts in tests/vm; never run directly.
# shellcheck shell=bash
set -euo pipefail

LAB_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LAB_BUILD=${LAB_BUILD:-$LAB_TOP/build}
LAB_SHARED=${LAB_SHARED:-$(cd "$LAB_TOP/.." && pwd)/shared}
LAB_MIRROR=${LAB_MIRROR:-http://deb.debian.org/debian}
# Bump when the way roots are made changes, so every cached root is rebuilt.
LAB_ROOT_FORMAT=3
# shellcheck source=tests/vm/kernels.conf
. "$LAB_TOP/tests/vm/kernels.conf"

log() { printf '[lab %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '[lab] error: %s\n' "$*" >&2; exit 1; }

need_kernel() {
	[[ -n ${K_RELEASE[$1]:-} ]] ||
		die "unknown kernel '$1': pick one of ${LAB_KERNELS[*]} (tests/vm/kernels.conf)"
}

need_root_user() {
	[[ $(id -u) -eq 0 ]] || die "the lab needs root (debootstrap, chroot, mount): run it as root"
}

# Debian packages the host needs for the lab, the kernel style check and the
# C++ build; tests/run installs the missing ones from the host's own apt sources.
LAB_HOST_PKGS="qemu-system-x86 debootstrap zstd cpio kmod xz-utils perl git
cmake g++ make pkg-config libcli11-dev libfmt-dev libnl-3-dev libnl-genl-3-dev
libconfig++-dev catch2 nlohmann-json3-dev python3 clang libclang-rt-14-dev clang-format
clang-tidy help2man"

ensure_host_tools() {
	local want=() p
	for p in $LAB_HOST_PKGS; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || want+=("$p")
	done
	[[ ${#want[@]} -eq 0 ]] && return 0
	need_root_user
	log "installing host packages: ${want[*]}"
	apt-get update -q >/dev/null
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		"${want[@]}" >/dev/null || die "apt-get install ${want[*]} failed"
}

# A private apt configuration for SUITE, so packages of another Debian release can
# be looked up and downloaded without touching the host's /etc/apt.
apt_conf() {
	local suite=$1 d="$LAB_BUILD/apt/$1"
	if [[ ! -f $d/apt.conf ]]; then
		mkdir -p "$d/lists/partial" "$d/archives/partial"
		echo "deb $LAB_MIRROR $suite main" >"$d/sources.list"
		cat >"$d/apt.conf" <<-EOF
		Dir::Etc::SourceList "$d/sources.list";
		Dir::Etc::SourceParts "/dev/null";
		Dir::State::Lists "$d/lists";
		Dir::Cache::Archives "$d/archives";
		Dir::State::Status "/dev/null";
		Acquire::Check-Valid-Until "false";
		APT::Sandbox::User "root";
		EOF
	fi
	# Serialized: scripts of the lab may run concurrently.
	(
		flock 9
		if [[ ! -f $d/.updated ]]; then
			APT_CONFIG=$d/apt.conf apt-get update -q >/dev/null ||
				die "apt-get update for $suite failed (mirror $LAB_MIRROR)"
			touch "$d/.updated"
		fi
	) 9>"$d/.lock"
	echo "$d/apt.conf"
}

# Download Debian packages of SUITE into DIR (cached there).
apt_download() {
	local suite=$1 dir=$2 conf p
	shift 2
	conf=$(apt_conf "$suite")
	mkdir -p "$dir"
	(
		flock 9
		for p in "$@"; do
			compgen -G "$dir/${p}_*.deb" >/dev/null && continue
			(cd "$dir" && APT_CONFIG=$conf apt-get download -q "$p" >/dev/null) ||
				die "cannot download $p from $suite"
		done
	) 9>"$dir/.lock"
}

# Mount what a chroot needs; undone by root_umount. Idempotent.
root_mount() {
	local r=$1
	mountpoint -q "$r/proc" || mount -t proc proc "$r/proc"
	mountpoint -q "$r/dev" || mount --bind /dev "$r/dev"
}

# A process of the root may still be exiting (gpg-agent, dkms): retry, then
# detach lazily; a root is never left with the host's /dev bound into it.
root_umount() {
	local r=$1 m i
	for m in "$r/dev" "$r/proc"; do
		for ((i = 0; i < 10; i++)); do
			mountpoint -q "$m" || break
			umount "$m" 2>/dev/null && break
			sleep 0.5
		done
		mountpoint -q "$m" && umount -l "$m"
	done
	return 0
}

# ensure_root NAME SUITE "PACKAGES" [LOCAL_DEBS...]
# A minbase debootstrap root of SUITE at $LAB_BUILD/roots/NAME with PACKAGES and
# LOCAL_DEBS installed. Reused while its inputs are unchanged.
ensure_root() {
	local name=$1 suite=$2 pkgs=$3
	shift 3
	local dir="$LAB_BUILD/roots/$name" tmp key deb
	key=$( { echo "$LAB_ROOT_FORMAT $suite $LAB_MIRROR"; echo "$pkgs";
		 for deb in "$@"; do sha256sum <"$deb"; done; } | sha256sum | cut -c1-16)
	if [[ -f $dir/.lab-stamp && $(cat "$dir/.lab-stamp") == "$key" ]]; then
		return 0
	fi
	need_root_user
	log "building root '$name' ($suite): $pkgs $*"
	tmp="$dir.tmp"
	[[ -d $tmp ]] && root_umount "$tmp"
	[[ -d $dir ]] && root_umount "$dir"
	# Never delete through a bind mount of the host's /dev.
	if grep -qE " ($tmp|$dir)/" /proc/mounts; then
		die "something is still mounted under $dir: unmount it first"
	fi
	rm -rf "$tmp" "$dir"
	# One cache per root: roots may be built concurrently.
	mkdir -p "$LAB_BUILD/cache/debootstrap-$name" "$LAB_BUILD/roots"
	debootstrap --variant=minbase --cache-dir="$LAB_BUILD/cache/debootstrap-$name" \
		"$suite" "$tmp" "$LAB_MIRROR" >"$LAB_BUILD/roots/$name.debootstrap.log" 2>&1 ||
		die "debootstrap of $suite failed: see $LAB_BUILD/roots/$name.debootstrap.log"
	cat >"$tmp/etc/apt/apt.conf.d/99lab" <<-EOF
	Acquire::Check-Valid-Until "false";
	APT::Install-Recommends "false";
	Dpkg::Options { "--force-unsafe-io"; };
	EOF
	mkdir -p "$tmp/tmp/debs"
	for deb in "$@"; do cp "$deb" "$tmp/tmp/debs/"; done
	root_mount "$tmp"
	if ! chroot "$tmp" /bin/sh -ec "
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -q
		apt-get install -y -q $pkgs
		if ls /tmp/debs/*.deb >/dev/null 2>&1; then
			dpkg -i /tmp/debs/*.deb || apt-get install -y -q -f
		fi
		apt-get clean
		rm -rf /tmp/debs /var/lib/apt/lists/*" >"$LAB_BUILD/roots/$name.install.log" 2>&1; then
		root_umount "$tmp"
		die "installing packages in root '$name' failed: see $LAB_BUILD/roots/$name.install.log"
	fi
	root_umount "$tmp"
	echo "$key" >"$tmp/.lab-stamp"
	mv "$tmp" "$dir"
}

# The build root for kernel K (headers + compiler + sparse).
build_root_of() {
	echo "$LAB_BUILD/roots/${K_SUITE[$1]}-build"
}

ensure_build_root() {
	local k=$1 suite=${K_SUITE[$1]} pkgs debs=() kk srcdebs
	# One root per suite holds the headers of every kernel of that suite.
	pkgs="make sparse libelf-dev"
	for kk in "${LAB_KERNELS[@]}"; do
		[[ ${K_SUITE[$kk]} == "$suite" ]] || continue
		pkgs+=" ${K_CC[$kk]}"
		if [[ -n ${K_HEADERS[$kk]} ]]; then
			pkgs+=" ${K_HEADERS[$kk]}"
		else
			debs+=("$LAB_SHARED/kernels/$LAB_DBG_HEADERS_DEB")
		fi
	done
	pkgs=$(tr ' ' '\n' <<<"$pkgs" | sort -u | tr '\n' ' ')
	srcdebs=$(kernel_source_debs "$suite") || die "cannot get the kernel source packages of $suite"
	[[ -z $srcdebs ]] || mapfile -t -O "${#debs[@]}" debs <<<"$srcdebs"
	ensure_root "$suite-build" "$suite" "$pkgs" "${debs[@]}"
}

# kernel_source_debs SUITE: the linux-source-X.Y packages of the suite's
# kernels (K_SOURCE), of the version of their headers package (the check of
# kernel/host-internals.sh), downloaded once into build/cache/debs/SUITE
# (checkpatch takes its script from the same file); prints their paths.
# Installed into roots as local packages: apt would fetch the 150 MB again
# for every new root.
kernel_source_debs() {
	local suite=$1 cache="$LAB_BUILD/cache/debs/$1" kk p ver conf
	local -A want=()
	for kk in "${LAB_KERNELS[@]}"; do
		[[ ${K_SUITE[$kk]} == "$suite" && -n ${K_SOURCE[$kk]:-} ]] || continue
		# The debug kernel has no Debian headers package: it is built from
		# the source of its suite's kernel of the same version.
		[[ -n ${K_HEADERS[$kk]} ]] || { want[${K_SOURCE[$kk]}]=${want[${K_SOURCE[$kk]}]:-}; continue; }
		want[${K_SOURCE[$kk]}]=${K_HEADERS[$kk]}
	done
	[[ ${#want[@]} -gt 0 ]] || return 0
	conf=$(apt_conf "$suite")
	mkdir -p "$cache"
	(
		flock 9
		for p in "${!want[@]}"; do
			ver=
			[[ -z ${want[$p]} ]] ||
				ver=$(APT_CONFIG=$conf apt-cache show --no-all-versions "${want[$p]}" | sed -n 's/^Version: //p')
			compgen -G "$cache/${p}_${ver:-*}_all.deb" >/dev/null && continue
			(cd "$cache" && APT_CONFIG=$conf apt-get download -q "$p${ver:+=$ver}" >/dev/null) ||
				die "cannot download $p${ver:+ $ver} from $suite"
		done
	) 9>"$cache/.lock" || return 1
	for p in "${!want[@]}"; do
		ver=
		[[ -z ${want[$p]} ]] ||
			ver=$(APT_CONFIG=$conf apt-cache show --no-all-versions "${want[$p]}" | sed -n 's/^Version: //p')
		compgen -G "$cache/${p}_${ver:-*}_all.deb" | sort -V | tail -1
	done
}

# Where a kernel's copy of the NVMe host internals is kept in its build root
# (kernel/host-internals.sh's OUTDIR, NVMET_HOST_INTERNALS_DIR): outside the
# source copy that every build starts afresh, so the tarball is read once.
host_internals_dir_of() {
	echo "/var/cache/nvmet-oot/host-internals/${K_RELEASE[$1]}"
}

# Debian's 7.x headers call scripts/checker-valid.sh from the common headers
# tree but ship it nowhere there, so kbuild silently turns sparse off (C=1).
# Supply the script from another tree of the root that has it.
fix_sparse_checker() {
	local root=$1 rel=$2 common script
	common=$(sed -n 's/^include \(.*\)\/Makefile$/\1/p' \
		"$root/usr/src/linux-headers-$rel/Makefile" 2>/dev/null | head -1)
	[[ -n $common && -d $root$common ]] || return 0
	grep -q checker-valid.sh "$root$common/Makefile" || return 0
	[[ -e $root$common/scripts/checker-valid.sh ]] && return 0
	script=$(find "$root/usr/src" -path '*/scripts/checker-valid.sh' -print -quit)
	[[ -n $script ]] || die "no scripts/checker-valid.sh in $root to enable sparse for $rel"
	install -m 0755 "$script" "$root$common/scripts/checker-valid.sh"
}

# cmake_drop_foreign_cache DIR: a CMake build directory configured from
# another copy of the tree (a clone, a worktree) cannot be reused, CMake
# refuses it; remove it so the next configure starts over.
cmake_drop_foreign_cache() {
	if [[ -f $1/CMakeCache.txt ]] &&
		! grep -qxF "CMAKE_HOME_DIRECTORY:INTERNAL=$LAB_TOP" "$1/CMakeCache.txt"; then
		rm -rf "$1"
	fi
}
