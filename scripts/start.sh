#!/usr/bin/env bash
# One command on a fresh machine: set up, then run the dashboard (`leukoscan serve`) on a simulated
# slide scan of ../shared/data (or the source given: ./scripts/start.sh --source v4l2:///dev/video0).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
exec node bin/leukoscan.js serve "$@"
