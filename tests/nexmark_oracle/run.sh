#!/bin/sh
# run.sh QUERY EVENTS: the Nexmark query's result by the SQL oracle
# (QUERY.sql, sqlite3) over the NDJSON events file, as norm.py lines of the
# columns QUERY.sql names on its first line ("-- columns: a b c").  The
# table side_input (q13) is the NDJSON file SIDE, by default the one in
# pipelines/nexmark.
# run.sh --load DB EVENTS: import the events and SIDE into the sqlite
# database DB once (load.sql's tables); then run.sh QUERY DB (a file named
# *.db) runs the query on it without importing again.
set -eu
d=$(dirname "$0")
side=${SIDE:-$d/../../pipelines/nexmark/side_input.ndjson}
load() {	# the events file $1 into load.sql's tables
	printf '.mode ascii\n.separator "\\037" "\\n"\n'
	printf 'CREATE TABLE raw(j TEXT);\n.import %s raw\n' "$1"
	printf 'CREATE TABLE side_raw(j TEXT);\n.import %s side_raw\n' "$side"
	cat "$d/load.sql"
}
if [ "$1" = --load ]; then
	rm -f "$2"
	load "$3" | sqlite3 -bail "$2"
	exit
fi
q=$1 ev=$2
cols=$(sed -n '1s/^-- columns: //p' "$d/$q.sql")
case $ev in
*.db)	{ printf '.mode json\n'; cat "$d/$q.sql"; } |
	    sqlite3 -bail -readonly "$ev" ;;
*)	{ load "$ev"; printf '.mode json\n'; cat "$d/$q.sql"; } |
	    sqlite3 -bail ;;
esac | python3 "$d/norm.py" $cols
