#!/bin/sh
# Install the Debian packages weir builds and tests with, when missing.
# --dev-packages: only print the libraries' development packages (what a
# fresh machine lacks; .ci/run removes them to test 'make deps demo').
set -e
DEV="librdkafka-dev libjansson-dev libyaml-dev libmicrohttpd-dev libpcre2-dev
libavro-dev libcurl4-openssl-dev"
PKGS="build-essential pkg-config $DEV
bats kcat sqlite3 mandoc clang libclang-rt-14-dev jq miller libxml2-utils
curl python3 python3-avro time zsh fish chromium chromium-driver parallel
openssl"
if [ "${1:-}" = --dev-packages ]; then
	echo $DEV
	exit 0
fi
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
