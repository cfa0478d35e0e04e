#!/usr/bin/env bash
# A throwaway single-node Ceph RADOS Gateway on 127.0.0.1:7480: a real S3 implementation (Debian's Ceph
# packages) for the S3 artifact repo's integration tests. One memory-backed OSD (memstore, 2 GiB cap), auth
# none between the daemons, S3 signatures checked by RGW as usual, path-style addressing.
#
# Usage: scripts/ceph-rgw.sh [start|stop|env]
#   start (default)  installs radosgw/ceph-mon/ceph-osd with apt-get when missing (root only), starts
#                    mon + osd + rgw and creates the test user. Does nothing when 127.0.0.1:7480 already
#                    answers. Safe to call twice, also concurrently (serialised with flock).
#   stop             stops the daemons this script started (pid files under the state dir).
#   env              only prints the variables.
# On success stdout holds only `export NAME=value` lines, so `eval "$(scripts/ceph-rgw.sh)"` works; progress
# and errors go to stderr.
#
# State lives in $RUNLOG_CEPH_DIR (default /tmp/runlog-ceph): ceph.conf, data, pid files, logs.
# The test credentials are fixed; the tests use the same defaults (RUNLOG_TEST_CEPH_* overrides both).
set -euo pipefail

ENDPOINT=${RUNLOG_TEST_CEPH_ENDPOINT:-http://127.0.0.1:7480}
ACCESS_KEY=${RUNLOG_TEST_CEPH_ACCESS_KEY:-RUNLOGTESTACCESSKEY0}
SECRET_KEY=${RUNLOG_TEST_CEPH_SECRET_KEY:-runlog-test-secret-key-0000000000000000}
C=$(realpath -m "${RUNLOG_CEPH_DIR:-/tmp/runlog-ceph}")
PACKAGES=(radosgw ceph-mon ceph-osd ceph-common curl)

log() { echo "ceph-rgw: $*" >&2; }
die() { log "$*"; exit 1; }

print_env() {
  echo "export RUNLOG_TEST_CEPH_ENDPOINT=$ENDPOINT"
  echo "export RUNLOG_TEST_CEPH_ACCESS_KEY=$ACCESS_KEY"
  echo "export RUNLOG_TEST_CEPH_SECRET_KEY=$SECRET_KEY"
}

answering() { curl -sf -m 2 -o /dev/null http://127.0.0.1:7480/; }

have_binaries() {
  local b
  for b in ceph-mon ceph-osd radosgw radosgw-admin ceph ceph-authtool monmaptool curl; do
    command -v "$b" >/dev/null 2>&1 || return 1
  done
}

stop_daemons() {
  local n pid
  for n in client osd mon; do
    [ -f "$C/run/$n.pid" ] || continue
    pid=$(cat "$C/run/$n.pid" 2>/dev/null || true)
    # Only a daemon of this state dir: a stale pid file may name a pid that now belongs to someone else.
    if [ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$C/ceph.conf"; then
      kill "$pid" 2>/dev/null || true
    else
      rm -f "$C/run/$n.pid"
      continue
    fi
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$C/run/$n.pid"
  done
}

show_logs() {
  local f
  for f in "$C"/log/*.log; do
    [ -f "$f" ] || continue
    log "--- last lines of $f"
    tail -n 15 "$f" >&2 || true
  done
}

install_packages() {
  [ "$(id -u)" = 0 ] || die "Ceph is not installed and this is not root: apt-get install -y ${PACKAGES[*]}"
  command -v apt-get >/dev/null 2>&1 || die "Ceph is not installed and there is no apt-get"
  log "installing ${PACKAGES[*]} from Debian packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 || die "apt-get update failed"
  apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >"${TMPDIR:-/tmp}/runlog-ceph-apt.log" 2>&1 \
    || { tail -n 30 "${TMPDIR:-/tmp}/runlog-ceph-apt.log" >&2; die "apt-get install failed"; }
}

start() {
  if answering; then
    log "127.0.0.1:7480 already answers; nothing to do"
    return 0
  fi
  have_binaries || install_packages
  have_binaries || die "Ceph binaries still missing after install"

  # Whatever a previous, half-finished start left behind goes.
  stop_daemons
  rm -rf "$C"
  mkdir -p "$C"/{mon/ceph-a,osd/ceph-0,run,log,rgw}

  local fsid osd_uuid cf
  fsid=$(cat /proc/sys/kernel/random/uuid)
  cat >"$C/ceph.conf" <<CONF
[global]
fsid = $fsid
mon_host = v2:127.0.0.1:3300
public_network = 127.0.0.0/8
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
# With auth none, clients only reach the mon in crc mode.
ms_mon_client_mode = crc
ms_client_mode = crc
ms_bind_ipv6 = false
osd_pool_default_size = 1
osd_pool_default_min_size = 1
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_pool_default_pg_autoscale_mode = off
mon_allow_pool_size_one = true
mon_max_pg_per_osd = 1000
mon_warn_on_pool_no_redundancy = false
mon_data_avail_warn = 1
osd_crush_chooseleaf_type = 0
run_dir = $C/run
pid_file = $C/run/\$type.pid
admin_socket = $C/run/\$cluster-\$name.asok
log_file = $C/log/\$cluster-\$name.log
keyring = $C/keyring
[mon]
mon_data = $C/mon/\$cluster-\$id
[osd]
osd_data = $C/osd/\$cluster-\$id
osd_objectstore = memstore
memstore_device_bytes = 2147483648
osd_max_object_name_len = 256
osd_max_object_namespace_len = 64
[client.rgw.a]
rgw_frontends = beast endpoint=127.0.0.1:7480
rgw_data = $C/rgw
# Free deleted objects within a minute instead of two hours: the OSD is a 2 GiB memory store, and a 1 GiB
# benchmark run twice would otherwise fill it.
rgw_gc_obj_min_wait = 60
rgw_gc_processor_period = 60
CONF
  cf=(-c "$C/ceph.conf")

  log "starting mon"
  ceph-authtool --create-keyring "$C/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  ceph-authtool "$C/keyring" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' >/dev/null
  monmaptool --create --addv a '[v2:127.0.0.1:3300]' --fsid "$fsid" "$C/monmap" >/dev/null
  ceph-mon "${cf[@]}" --mkfs -i a --monmap "$C/monmap" --keyring "$C/keyring" >>"$C/log/setup.log" 2>&1 \
    || { show_logs; die "ceph-mon --mkfs failed"; }
  ceph-mon "${cf[@]}" -i a >>"$C/log/setup.log" 2>&1 9>&- || { show_logs; die "ceph-mon did not start"; }

  log "starting osd"
  osd_uuid=$(cat /proc/sys/kernel/random/uuid)
  timeout 60 ceph "${cf[@]}" osd new "$osd_uuid" >>"$C/log/setup.log" 2>&1 || { show_logs; die "ceph osd new failed"; }
  ceph-osd "${cf[@]}" -i 0 --mkfs --osd-uuid "$osd_uuid" >>"$C/log/setup.log" 2>&1 || { show_logs; die "ceph-osd --mkfs failed"; }
  ceph-osd "${cf[@]}" -i 0 >>"$C/log/setup.log" 2>&1 9>&- || { show_logs; die "ceph-osd did not start"; }

  log "starting radosgw"
  radosgw "${cf[@]}" -n client.rgw.a >>"$C/log/setup.log" 2>&1 9>&- || { show_logs; die "radosgw did not start"; }
  local up=''
  for _ in $(seq 1 120); do
    if answering; then up=1; break; fi
    sleep 1
  done
  [ -n "$up" ] || { show_logs; die "radosgw does not answer on 127.0.0.1:7480 after 120 s"; }

  log "creating user"
  timeout 60 radosgw-admin "${cf[@]}" user create --uid=runlog-test --display-name=runlog-test \
    --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" >>"$C/log/setup.log" 2>&1 \
    || { show_logs; die "radosgw-admin user create failed"; }
  log "up on 127.0.0.1:7480 (state in $C)"
}

cmd=${1:-start}
case "$cmd" in
  start)
    command -v flock >/dev/null 2>&1 || die "flock (util-linux) is missing"
    mkdir -p "$(dirname "$C")"
    exec 9>"$C.lock"
    flock 9
    # The daemons started below are run with fd 9 closed, so the lock ends with this script.
    start
    print_env
    ;;
  stop)
    stop_daemons
    ;;
  env)
    print_env
    ;;
  *)
    die "usage: $0 [start|stop|env]"
    ;;
esac
