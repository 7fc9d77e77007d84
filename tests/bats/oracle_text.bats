#!/usr/bin/env bats
# Text readers checked against independent parsers on data large enough to
# cross the 256 KiB read buffer many times: Python's csv and json modules.

load helpers

@test "csv: 20,000 rows with quotes, commas and newlines in fields, as python's csv reads them" {
	python3 - "$T/in.csv" <<'P'
import csv, random, sys
r = random.Random(7)
alpha = 'ab ,"\n\r\u00e9xyz0123456789.-'
with open(sys.argv[1], 'w', newline='') as f:
    w = csv.writer(f)  # \r\n line ends, so fields with \r are quoted
    w.writerow(['id', 'text', 'num', 'maybe'])
    for i in range(20000):
        text = ''.join(r.choice(alpha) for _ in range(r.randint(0, 40)))
        num = r.choice([str(r.randint(-1000, 1000)), '%.2f' % r.uniform(-50, 50), '1e3', '007', 'x'])
        w.writerow([i, text, num, r.choice(['', 'v'])])
P
	weir-source -f csv "$T/in.csv" | weir-sink -f ndjson > "$T/weir.ndjson"
	python3 - "$T/in.csv" "$T/weir.ndjson" <<'P'
import csv, json, sys, re
num = re.compile(r'-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$')
rows = list(csv.DictReader(open(sys.argv[1], newline='')))
got = [json.loads(l) for l in open(sys.argv[2])]
assert len(rows) == len(got), (len(rows), len(got))
for want, g in zip(rows, got):
    for k, v in want.items():
        if v == '':
            # csv cannot tell "" from an empty field; weir reads unquoted empty as null
            assert g[k] in (None, ''), (k, v, g[k])
        elif num.fullmatch(v):
            assert g[k] == json.loads(v), (k, v, g[k])
        else:
            assert g[k] == v, (k, v, g[k])
print("ok")
P
}

@test "ndjson: 50,000 random JSON values agree with python's json module" {
	python3 - "$T/in.ndjson" <<'P'
import json, random, sys
r = random.Random(11)
def val(d=0):
    k = r.randint(0, 9 if d < 4 else 5)
    if k == 0: return None
    if k == 1: return r.choice([True, False])
    if k == 2: return r.randint(-2**63, 2**63 - 1)
    if k == 3: return r.uniform(-1e6, 1e6)
    if k == 4: return ''.join(r.choice('ab"\\\n\t\u00e9\U0001f600 ') for _ in range(r.randint(0, 12)))
    if k == 5: return r.randint(-10, 10)
    if k in (6, 7): return [val(d + 1) for _ in range(r.randint(0, 4))]
    return {('k%d' % i): val(d + 1) for i in range(r.randint(0, 4))}
with open(sys.argv[1], 'w') as f:
    for _ in range(50000):
        f.write(json.dumps(val(), ensure_ascii=r.choice([True, False]),
                           separators=r.choice([(',', ':'), (', ', ': ')])) + '\n')
P
	weir-source "$T/in.ndjson" | weir-sink -f ndjson > "$T/out.ndjson"
	python3 - "$T/in.ndjson" "$T/out.ndjson" <<'P'
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
b = [json.loads(l) for l in open(sys.argv[2])]
assert a == b
# and the output is minified: no space outside strings
for l in open(sys.argv[2]):
    assert json.dumps(json.loads(l), separators=(',', ':'), ensure_ascii=False) == l.rstrip('\n') or '\\' in l
print("ok")
P
}

@test "envelope: 5,000 random binary records survive envelope -> frames -> envelope" {
	python3 - "$T/in.env" <<'P'
import base64, json, random, sys
r = random.Random(3)
def b():
    return bytes(r.randrange(256) for _ in range(r.randint(0, 20)))
def enc(x):
    try:
        return x.decode('utf-8')
    except UnicodeDecodeError:
        return None
with open(sys.argv[1], 'w') as f:
    for i in range(5000):
        e = {'topic': 't%d' % r.randint(0, 2), 'partition': r.randint(0, 3), 'offset': i}
        if r.random() < 0.8: e['ts'] = r.randint(-10**12, 10**13)
        k = b()
        if r.random() < 0.7:
            if enc(k) is not None: e['key'] = enc(k)
            else: e['key_base64'] = base64.b64encode(k).decode()
        if r.random() < 0.5:
            hs = []
            for _ in range(r.randint(0, 3)):
                v = b()
                hs.append(['h%d' % r.randint(0, 1), None if r.random() < 0.2 else
                           (enc(v) if enc(v) is not None else {'base64': base64.b64encode(v).decode()})])
            e['headers'] = hs
        v = b()
        if r.random() < 0.1: e['value'] = None
        elif enc(v) is not None: e['value'] = enc(v)
        else: e['value_base64'] = base64.b64encode(v).decode()
        f.write(json.dumps(e, ensure_ascii=False, separators=(',', ':')) + '\n')
P
	weir-source -f envelope "$T/in.env" | weir-sink -f framed |
	    weir-sink -f envelope > "$T/out.env"
	python3 - "$T/in.env" "$T/out.env" <<'P'
import base64, json, sys
def norm(e):
    # the value's bytes are what matters; a value that is minified JSON
    # comes back inline
    v = e.pop('value_base64', None)
    if v is not None:
        e['vbytes'] = base64.b64decode(v)
    elif 'value' in e and e['value'] is not None:
        x = e['value']
        e['vbytes'] = x.encode() if isinstance(x, str) else json.dumps(x, separators=(',', ':'), ensure_ascii=False).encode()
    else:
        e['vbytes'] = None
    e.pop('value', None)
    return e
a = [norm(json.loads(l)) for l in open(sys.argv[1])]
b = [norm(json.loads(l)) for l in open(sys.argv[2])]
assert len(a) == len(b)
for x, y in zip(a, b):
    assert x == y, (x, y)
print("ok")
P
}

@test "make install puts programs and manuals under DESTDIR" {
	[ "$WEIR_BIN" = "$(cd "$BATS_TEST_DIRNAME/../.." && pwd)/bin" ] || skip "not the plain build"
	run make -s -C "$BATS_TEST_DIRNAME/../.." install DESTDIR="$T" PREFIX=/usr/local
	[ "$status" -eq 0 ]
	[ -x "$T/usr/local/bin/weir" ]
	[ -x "$T/usr/local/bin/weir-source" ]
	[ -f "$T/usr/local/share/man/man5/weir-format.5" ]
	[ -f "$T/usr/local/share/man/man7/weir.7" ]
	run "$T/usr/local/bin/weir" --version
	[ "$status" -eq 0 ]
}
