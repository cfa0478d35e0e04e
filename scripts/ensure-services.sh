#!/usr/bin/env bash
# Makes sure the services the tests need are up: PostgreSQL on 127.0.0.1:5432 (database `test`).
# Outside CI a missing service only makes its tests skip (with a printed reason); under CI=true they must run.
set -uo pipefail

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }

if ! pg_up; then
  if ! command -v pg_ctlcluster >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure-services: installing PostgreSQL from Debian packages"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >/dev/null 2>&1 || true
  fi
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    version=$(ls /etc/postgresql 2>/dev/null | sort -n | tail -1)
    if [ -n "$version" ]; then
      echo "ensure-services: starting PostgreSQL $version"
      pg_ctlcluster --skip-systemctl-redirect "$version" main start >/dev/null 2>&1 || true
      for _ in $(seq 1 30); do pg_up && break; sleep 0.5; done
    fi
  fi
fi

if pg_up; then
  # The tests connect as `postgres` with trust auth to database `test`.
  if ! psql -h 127.0.0.1 -U postgres -d test -c 'select 1' >/dev/null 2>&1; then
    su postgres -c "psql -c 'create database test'" >/dev/null 2>&1 || true
  fi
  echo "ensure-services: PostgreSQL is up"
elif [ "${CI:-}" = "true" ]; then
  echo "ensure-services: PostgreSQL is required under CI=true and could not be started" >&2
  exit 1
else
  echo "ensure-services: PostgreSQL not available; its tests will be skipped"
fi

# Ceph RGW (a real S3) on 127.0.0.1:7480 for the S3 artifact repo's tests; scripts/ceph-rgw.sh installs and
# starts it. Under CI=true it must come up. Outside CI it is started only when Ceph is already installed or
# RUNLOG_TEST_S3=ceph asks for it (installing needs root and apt-get); otherwise the Ceph run of the S3 tests
# skips with a printed reason (the s3rver run needs nothing).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ceph_installed() { command -v radosgw >/dev/null 2>&1 && command -v ceph-mon >/dev/null 2>&1 && command -v ceph-osd >/dev/null 2>&1; }
if [ "${CI:-}" = "true" ] || [ "${RUNLOG_TEST_S3:-}" = "ceph" ] || ceph_installed; then
  if bash "$here/ceph-rgw.sh" start >/dev/null; then
    echo "ensure-services: Ceph RGW is up on 127.0.0.1:7480"
  elif [ "${CI:-}" = "true" ]; then
    echo "ensure-services: Ceph RGW is required under CI=true and could not be started" >&2
    exit 1
  else
    echo "ensure-services: Ceph RGW could not be started; its tests will be skipped"
  fi
else
  echo "ensure-services: Ceph RGW not installed (RUNLOG_TEST_S3=ceph installs it); the Ceph run of the S3 tests will be skipped"
fi

# Chromium (Debian's package) for the UI's end-to-end journeys, driven by playwright-core. Under CI=true it must be
# installed; outside CI the journeys skip with a printed reason only when it cannot be installed.
if bash "$here/ensure-chromium.sh"; then
  echo "ensure-services: Chromium is at /usr/bin/chromium"
elif [ "${CI:-}" = "true" ]; then
  echo "ensure-services: Chromium is required under CI=true and could not be installed" >&2
  exit 1
else
  echo "ensure-services: Chromium not available; the UI journeys will be skipped"
fi

# MLflow 2.17.2's reference (real Python client and MLflow's own REST and auth suites), beside the repository in
# ../shared/mlflow-reference: the MLflow-suite tests run it against `runlog server`. Mandatory under CI=true.
if bash "$here/ensure-mlflow-reference.sh"; then
  echo "ensure-services: the MLflow reference is ready"
elif [ "${CI:-}" = "true" ]; then
  echo "ensure-services: the MLflow reference is required under CI=true and could not be set up" >&2
  exit 1
else
  echo "ensure-services: the MLflow reference is not available; MLflow's own suite will be skipped"
fi
