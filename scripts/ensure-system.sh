#!/usr/bin/env bash
# Installs what the app needs from outside npm, only where it is missing:
# ffmpeg/ffprobe (render container), fonts for overlays, and Chromium for browser tests.
# Usage: scripts/ensure-system.sh [--browser]
set -euo pipefail

want=()
command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 || want+=(ffmpeg)
# Fonts the render container chooses from (sans, serif display, condensed, CJK, Arabic).
for pkg in fonts-dejavu-core fonts-dejavu-extra fonts-noto-core fonts-noto-cjk; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || want+=("$pkg")
done
if [[ "${1:-}" == "--browser" ]]; then
  [[ -x /usr/bin/chromium ]] || want+=(chromium)
fi

if ((${#want[@]} == 0)); then
  exit 0
fi

echo "[setup] installing with apt: ${want[*]}"
if ! command -v apt-get >/dev/null 2>&1; then
  echo "[setup] apt-get is not available: install ${want[*]} yourself and run again." >&2
  exit 1
fi
sudo_cmd=()
if [[ "$(id -u)" != "0" ]]; then
  if command -v sudo >/dev/null 2>&1; then sudo_cmd=(sudo); else
    echo "[setup] need root (or sudo) to install ${want[*]} with apt." >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
echo "[setup] installed: ${want[*]}"
