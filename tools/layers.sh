#!/bin/sh
# layers.sh LIBWEIR.A - the rules of lib/'s layout (README, Development):
#  1. each folder of lib/ includes only its own headers and those of the
#     folders lib/LAYERS lets it use (lower layers; no cycles);
#  2. every global symbol of the library starts with weir_; one that no
#     public header declares (a module's internal, shared between its files
#     through a *_int.h or *_impl.h header) starts with weir__.
# Prints each breach and exits 1 if there is one.
set -eu
lib=${1:?usage: layers.sh libweir.a}
bad=0
# folder of each header
hdrs=$(for h in lib/*/*.h; do d=${h#lib/}; echo "${h##*/} ${d%%/*}"; done)
for f in lib/*/*.[ch]; do
	d=${f#lib/}
	d=${d%%/*}
	allowed=" $d $(sed -n "s/^$d:[[:space:]]*\\([^#]*\\).*/\\1/p" lib/LAYERS |
	    tr -s '\t' ' ') "
	for inc in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
		hd=$(echo "$hdrs" | awk -v h="$inc" '$1 == h { print $2 }')
		[ -n "$hd" ] || continue	# generated or system header
		case $allowed in
		*" $hd "*) ;;
		*) echo "$f: includes $hd/$inc, not a layer below $d"; bad=1 ;;
		esac
	done
done
grep -q '^[a-z]*:' lib/LAYERS || { echo "lib/LAYERS: no layers"; bad=1; }
for d in lib/*/; do
	d=${d#lib/}
	d=${d%/}
	grep -q "^$d:" lib/LAYERS || { echo "lib/$d: not in lib/LAYERS"; bad=1; }
done
ls lib/*.[ch] > /dev/null 2>&1 && { echo "lib/: files outside a layer folder"; bad=1; }
# symbols
pub=$(ls lib/*/*.h | grep -v -e '_int\.h$' -e '_impl\.h$')
for s in $(nm -g --defined-only "$lib" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u); do
	case $s in
	weir__*) ;;
	weir_*)
		grep -qw "$s" $pub ||
		    { echo "$s: internal (no public header declares it): name it weir__${s#weir_}"; bad=1; } ;;
	*) echo "$s: a global symbol without the weir_ prefix"; bad=1 ;;
	esac
done
exit $bad
