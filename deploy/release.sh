#!/bin/sh
# The release step: run once per deploy, before web, worker and beat start (the compose
# `migrate` service, the Kubernetes Job `portal-migrate`, the systemd unit portal-migrate).
# Every step is idempotent, so running it again is harmless.
set -eu
cd "$(dirname "$0")/.."
# Migrate, create the first admin, run the first-start hooks (what `make run` does first).
python manage.py release
