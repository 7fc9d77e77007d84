# Tag NDJSON click lines with windows [s, s+size) every adv ms (tumbling:
# adv = size), as weir envelopes: a stand-in for weir-window in tests.
{
	match($0, /"ts":-?[0-9]+/)
	ts = substr($0, RSTART + 5, RLENGTH - 5) + 0
	m = ts % adv; if (m < 0) m += adv
	first = ts - m
	while (first - adv > ts - size) first -= adv
	for (s = first; s <= ts; s += adv)
		printf "{\"ts\":%.0f,\"window\":[%.0f,%.0f],\"value\":%s}\n", ts, s, s + size, $0
}
