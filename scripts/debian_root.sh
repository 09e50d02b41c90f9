#!/usr/bin/env bash
# A Debian root with QGIS from Debian's packages, for testing SM Fusion on another QGIS (make test-qgis340).
#
#   scripts/debian_root.sh build SUITE ROOT       # debootstrap + apt packages + pip configuration (cached)
#   scripts/debian_root.sh run ROOT SRC -- CMD…   # copy the checkout SRC to ROOT/work/smfusion, run CMD there
#
# SUITE: trixie (Debian 13, QGIS 3.40) or sid (Debian unstable, QGIS 3.44). `build` is skipped when ROOT
# holds a finished root of the same package list. `run` binds /proc, /dev and /sys for the command's
# length, copies the tracked and untracked-but-not-ignored files of SRC (never build/, .venv/ or caches),
# and ../shared beside SRC when it exists (read-only data for the tests).
set -euo pipefail

APT_PKGS="make git qgis python3-qgis qgis-providers gdal-bin python3-gdal python3-numpy python3-scipy python3-xarray python3-netcdf4 python3-venv \
python3-pip python3-matplotlib qttools5-dev-tools"

apt_opts() {   # Debian unstable's Release files outlive their Valid-Until in snapshots
    [ "$1" = sid ] && echo "-o Acquire::Check-Valid-Until=false" || true
}

mounts() {      # bind /proc, /dev and /sys into ROOT (idempotent)
    local root=$1 d
    for d in proc dev sys; do
        mountpoint -q "$root/$d" || mount --bind "/$d" "$root/$d"
    done
}

unmounts() {
    local root=$1 d
    for d in sys dev proc; do
        mountpoint -q "$root/$d" && umount -l "$root/$d" || true
    done
}

pip_config() {  # this machine's pip configuration and CA bundle, so that pip inside the root reaches PyPI
    local root=$1 f
    for f in /etc/pip.conf /etc/xdg/pip /root/.config/pip "${SSL_CERT_FILE:-}" "${PIP_CERT:-}"; do
        [ -n "$f" ] && [ -e "$f" ] || continue
        mkdir -p "$root$(dirname "$f")"
        cp -a "$f" "$root$(dirname "$f")/"
    done
    # a local wheel folder named by the configuration stays on the host: leave it out inside the root
    [ -f "$root/root/.config/pip/pip.conf" ] && sed -i '/^find-links\|^extra-index-url/d' "$root/root/.config/pip/pip.conf"
    rm -rf "$root/etc/xdg/pip"   # its torch cap lists wheels of this machine's Python only
}

build() {
    local suite=$1 root=$2 stamp="$2/.smfusion-root"
    local want="$suite $APT_PKGS"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        echo "debian_root: $root is ready ($suite)"
        return 0
    fi
    command -v debootstrap >/dev/null || { apt-get update -q && apt-get install -y -q debootstrap; }
    if [ ! -x "$root/usr/bin/apt-get" ]; then
        rm -rf "$root"
        mkdir -p "$(dirname "$root")"
        echo "debian_root: debootstrap $suite into $root"
        debootstrap --variant=minbase --include=ca-certificates "$suite" "$root" http://deb.debian.org/debian \
            > "$root.debootstrap.log" 2>&1 || { tail -20 "$root.debootstrap.log"; exit 1; }
    fi
    trap "unmounts '$root'" EXIT
    mounts "$root"
    cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
    echo "debian_root: installing QGIS and the build packages in $root"
    # dpkg --configure -a first: an install that was cut off (a stopped CI run) is finished before apt runs
    chroot "$root" /usr/bin/env DEBIAN_FRONTEND=noninteractive bash -c \
        "dpkg --configure -a && apt-get $(apt_opts "$suite") update -q && apt-get $(apt_opts "$suite") install -y -q --no-install-recommends $APT_PKGS" \
        > "$root.apt.log" 2>&1 || { tail -30 "$root.apt.log"; exit 1; }
    pip_config "$root"
    echo "$want" > "$stamp"
    chroot "$root" qgis_process.bin --version 2>/dev/null | sed -n '1p;/Python version/p' || true
}

run() {
    local root=$1 src=$2
    shift 2
    [ "${1:-}" = "--" ] && shift
    [ -f "$root/.smfusion-root" ] || { echo "debian_root: $root is not built"; exit 2; }
    local dest="$root/work/smfusion"
    mkdir -p "$dest"
    # the checkout's files; files of an earlier copy that the checkout no longer has are removed, while what
    # the root built (.venv/, build/, compiled-kernel caches) is kept for the next run
    local list
    list=$(mktemp)
    (cd "$src" && git ls-files -co --exclude-standard | sort) > "$list"
    (cd "$dest" && find . -type f ! -path './.venv/*' ! -path './build/*' ! -path '*/__pycache__/*' \
        ! -name '*.nbi' ! -name '*.nbc' | sed 's|^\./||' | sort | comm -23 - "$list" | xargs -r -d '\n' rm -f)
    (cd "$src" && tr '\n' '\0' < "$list" | tar --null -T - -cf -) | tar -C "$dest" -xf -
    rm -f "$list"
    if [ -d "$src/../shared" ]; then
        rm -rf "$root/work/shared"
        cp -a "$src/../shared" "$root/work/shared"
    fi
    pip_config "$root"
    trap "unmounts '$root'" EXIT
    mounts "$root"
    chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
        SSL_CERT_FILE="${SSL_CERT_FILE:-}" PIP_CERT="${PIP_CERT:-}" PIP_DISABLE_PIP_VERSION_CHECK=1 \
        CI="${CI:-}" bash -c "cd /work/smfusion && $*"
}

case "${1:-}" in
    build) build "$2" "$3" ;;
    run) shift; run "$@" ;;
    *) sed -n '2,11p' "$0"; exit 2 ;;
esac
