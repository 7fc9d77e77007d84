#!/bin/sh
# embed.sh NAME FILE: print FILE as the C string constant NAME, for the
# pages built into weir programs
# (lib/stream/dash_page.html -> lib/stream/dash_page.h).
set -e
printf '/* Generated from %s by tools/embed.sh: edit that. */\n' "$2"
printf 'static const char %s[] =\n' "$1"
# backslashes, quotes and question marks (trigraphs) escaped
sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/?/\\?/g' -e 's/^/"/' -e 's/$/\\n"/' "$2"
printf ';\n'
