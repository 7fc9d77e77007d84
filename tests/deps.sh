#!/bin/sh
# Install the Debian packages weir builds and tests with, when missing.
set -e
PKGS="build-essential pkg-config librdkafka-dev libjansson-dev libyaml-dev
bats kcat sqlite3 mandoc clang libclang-rt-14-dev jq miller libxml2-utils
libpcre2-dev
curl python3 time"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "deps: all installed"
	exit 0
fi
echo "deps: installing$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
