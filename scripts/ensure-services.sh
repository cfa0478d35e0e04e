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
