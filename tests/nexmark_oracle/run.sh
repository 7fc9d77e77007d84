#!/bin/sh
# run.sh QUERY EVENTS: the Nexmark query's result by the SQL oracle
# (QUERY.sql, sqlite3) over the NDJSON events file, as norm.py lines of the
# columns QUERY.sql names on its first line ("-- columns: a b c").  The
# table side_input (q13) is the NDJSON file SIDE, by default the one in
# pipelines/nexmark.
set -eu
d=$(dirname "$0")
q=$1 ev=$2
side=${SIDE:-$d/../../pipelines/nexmark/side_input.ndjson}
cols=$(sed -n '1s/^-- columns: //p' "$d/$q.sql")
{
	printf '.mode ascii\n.separator "\\037" "\\n"\n'
	printf 'CREATE TABLE raw(j TEXT);\n.import %s raw\n' "$ev"
	printf 'CREATE TABLE side_raw(j TEXT);\n.import %s side_raw\n' "$side"
	cat "$d/load.sql"
	printf '.mode json\n'
	cat "$d/$q.sql"
} | sqlite3 -bail | python3 "$d/norm.py" $cols
