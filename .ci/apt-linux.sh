#!/usr/bin/env bash
# Installs the Debian packages the linux driver and its tests need (shared/notes/linux-datapath.md): Open vSwitch,
# strongSwan with charon-systemd and the userspace ESP plugin, ping, tcpdump, ethtool. Idempotent: installs only
# what is missing. Without root (and no passwordless sudo) it installs nothing and says so: the linux tests then
# skip, each with the exact reason.
set -euo pipefail

PACKAGES=(openvswitch-switch strongswan-swanctl charon-systemd libcharon-extra-plugins libstrongswan-standard-plugins
  iputils-ping tcpdump ethtool)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "apt-linux: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "apt-linux: no apt-get on this host; not installing ${missing[*]} (the linux driver tests will skip)"
  exit 0
fi
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
  else
    echo "apt-linux: not root; not installing ${missing[*]} (the linux driver tests will skip)"
    exit 0
  fi
fi

echo "apt-linux: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -q
"${SUDO[@]}" apt-get install -y -q "${missing[@]}"
