#!/usr/bin/env bash
# Makes sure MLflow 2.17.2's reference (its Python client, server and own test suites, in ../shared/mlflow-reference
# beside the repository) can run: its setup.sh installs the Debian packages it needs, once per machine (idempotent).
# Exit 0 when `bin/python` imports mlflow, 1 when the reference is absent or cannot be set up (the caller decides).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ref="${RUNLOG_MLFLOW_REFERENCE:-$here/../../shared/mlflow-reference}"
if [ ! -x "$ref/bin/python" ] || [ ! -f "$ref/setup.sh" ]; then
  echo "ensure-mlflow-reference: no MLflow reference at $ref" >&2
  exit 1
fi
ready() { "$ref/bin/python" -c 'import mlflow, pytest, sklearn' >/dev/null 2>&1; }
if ready; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "ensure-mlflow-reference: its Debian packages are missing and this user cannot install them (run setup.sh as root)" >&2
  exit 1
fi
echo "ensure-mlflow-reference: installing its Debian packages (a few minutes on a new machine)"
if ! bash "$ref/setup.sh" >/tmp/runlog-mlflow-reference-setup.log 2>&1; then
  tail -20 /tmp/runlog-mlflow-reference-setup.log >&2
  exit 1
fi
ready
