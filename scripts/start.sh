#!/usr/bin/env bash
# One command on a fresh machine: set up, then run the dashboard (`leukoscan serve`) on a simulated
# slide scan: of ../shared/data when it is there, else of the demo slide shipped in demo/
# (or the source given: ./scripts/start.sh --source v4l2:///dev/video0).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
# glibc gives each thread that allocates (ORT, libuv, libvips) a heap of its own; two arenas keep
# serve's RSS lower (about -45 MB at 1 min with 10 viewers: docs/experiments/2026-12-04-out-of-the-box.md).
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
exec node bin/leukoscan.js serve "$@"
