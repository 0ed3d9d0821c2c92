#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Airlock's tests drive for real (Chromium, gnome-keyring in
# a private D-Bus session, FUSE FAT mounts, exiftool, ffmpeg, libvips, Xvfb). Needs root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
packages=$(node "$here/test-tools.mjs" --packages)
if [ "$(id -u)" -ne 0 ]; then
  echo "Run as root (sudo $0) to install: $packages" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $packages >/dev/null
echo "Installed: $packages"
