#!/usr/bin/env bash
# Installs everything Hazeless needs on Debian 12 / Ubuntu: system packages (Chromium for the
# browser tests, Debian's PyTorch for training) and the npm dependencies. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  chromium fonts-dejavu-core \
  python3-torch python3-onnx python3-skimage python3-pil python3-numpy python3-pytest >/dev/null
# Electron's own binary is not fetched here (its host is not reachable from build machines); on a
# desktop, `node node_modules/electron/install.js` fetches it once. onnxruntime-node ships its CPU build.
export ELECTRON_SKIP_BINARY_DOWNLOAD=1 ONNXRUNTIME_NODE_INSTALL=skip
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
echo "setup done"
