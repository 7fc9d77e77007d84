#!/usr/bin/python3
"""The Confluent Schema Registry subset weir uses, and python3-avro (Debian)
as the independent Avro encoder and decoder on the other side of the tests.

  registry_stub.py serve [--log FILE] [--timeout S] [--fail-ids]
      serve on 127.0.0.1, an ephemeral port (printed first), for at most S
      seconds (default 120): GET /schemas/ids/N, POST /subjects/S/versions,
      GET /subjects/S/versions/latest.  FILE gets one line per request.
      --fail-ids: GET /schemas/ids/N answers 500, a registry in trouble.
  registry_stub.py encode URL SUBJECT SCHEMA_FILE [key]
      register the schema, then NDJSON values on stdin (objects
      {"$decimal": "1.5"}, {"$date": "2022-01-08"}, {"$ts": ISO},
      {"$bytes": "latin-1 text"} stand for Decimal, date, datetime, bytes) become weir envelopes (value_base64, or
      key_base64 with "key") of Confluent-framed Avro, one per line.
  registry_stub.py decode URL [key]
      weir envelopes on stdin: each value (or key) is unframed, its schema
      fetched by id and decoded; printed as weir-source(1) documents it
      (times as ISO 8601, decimals as exact numbers, unions plain).
"""
import base64
import datetime
import decimal
import io
import json
import struct
import sys
import threading
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer

import avro.io
import avro.schema


def serve(args):
    log = None
    timeout = 120
    fail_ids = False
    i = 0
    while i < len(args):
        if args[i] == "--log":
            log = open(args[i + 1], "a", buffering=1)
        elif args[i] == "--timeout":
            timeout = float(args[i + 1])
        elif args[i] == "--fail-ids":
            fail_ids = True
            i -= 1
        i += 2
    schemas = []          # id - 1 -> schema text
    subjects = {}         # subject -> [id, ...]

    class H(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def reply(self, code, obj):
            body = json.dumps(obj).encode()
            self.send_response(code)
            self.send_header("Content-Type",
                             "application/vnd.schemaregistry.v1+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if log:
                log.write("GET %s\n" % self.path)
            p = self.path.split("/")
            if len(p) == 4 and p[1] == "schemas" and p[2] == "ids":
                if fail_ids:
                    return self.reply(500, {"error_code": 50001, "message":
                                            "Error in the backend data store"})
                n = int(p[3]) if p[3].isdigit() else 0
                if 1 <= n <= len(schemas):
                    return self.reply(200, {"schema": schemas[n - 1]})
                return self.reply(404, {"error_code": 40403,
                                        "message": "Schema %s not found" % p[3]})
            if (len(p) == 5 and p[1] == "subjects" and p[3] == "versions" and
                    p[4] == "latest"):
                s = urllib.parse.unquote(p[2])
                if s in subjects:
                    v = subjects[s]
                    return self.reply(200, {"subject": s, "version": len(v),
                                            "id": v[-1],
                                            "schema": schemas[v[-1] - 1]})
                return self.reply(404, {"error_code": 40401,
                                        "message": "Subject '%s' not found." % s})
            self.reply(404, {"error_code": 404, "message": "HTTP 404 Not Found"})

        def do_POST(self):
            n = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(n)
            if log:
                log.write("POST %s\n" % self.path)
            p = self.path.split("/")
            if not (len(p) == 4 and p[1] == "subjects" and p[3] == "versions"):
                return self.reply(404, {"error_code": 404, "message": "no"})
            try:
                text = json.loads(body)["schema"]
                avro.schema.parse(text)
            except Exception as e:
                return self.reply(422, {"error_code": 42201,
                                        "message": "Invalid schema: %s" % e})
            canon = json.dumps(json.loads(text), sort_keys=True)
            ids = [i + 1 for i, t in enumerate(schemas)
                   if json.dumps(json.loads(t), sort_keys=True) == canon]
            if ids:
                sid = ids[0]
            else:
                schemas.append(text)
                sid = len(schemas)
            s = urllib.parse.unquote(p[2])
            v = subjects.setdefault(s, [])
            if sid not in v:
                v.append(sid)
            self.reply(200, {"id": sid})

    srv = HTTPServer(("127.0.0.1", 0), H)
    print(srv.server_address[1], flush=True)
    threading.Timer(timeout, srv.shutdown).start()
    srv.serve_forever()


def http(url, data=None):
    req = urllib.request.Request(url, data=data, headers={
        "Content-Type": "application/vnd.schemaregistry.v1+json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def to_python(v):
    """{"$decimal": ..}, {"$date": ..}, {"$ts": ..} as Python objects."""
    if isinstance(v, dict):
        if len(v) == 1:
            (k, x), = v.items()
            if k == "$decimal":
                return decimal.Decimal(x)
            if k == "$date":
                return datetime.date.fromisoformat(x)
            if k == "$bytes":
                return x.encode("latin-1")
            if k == "$ts":
                return datetime.datetime.fromisoformat(x.replace("Z", "+00:00"))
        return {k: to_python(x) for k, x in v.items()}
    if isinstance(v, list):
        return [to_python(x) for x in v]
    return v


def encode(args):
    url, subject, file = args[0], args[1], args[2]
    field = "key_base64" if len(args) > 3 and args[3] == "key" else "value_base64"
    text = open(file).read()
    sid = http(url + "/subjects/%s/versions" % subject,
               json.dumps({"schema": text}).encode())["id"]
    writer = avro.io.DatumWriter(avro.schema.parse(text))
    for line in sys.stdin:
        b = io.BytesIO()
        b.write(struct.pack(">bI", 0, sid))
        writer.write(to_python(json.loads(line)), avro.io.BinaryEncoder(b))
        print(json.dumps({field: base64.b64encode(b.getvalue()).decode()}))


def shortest_float(f):
    for p in range(1, 18):
        s = "%.*g" % (p, f)
        if struct.unpack("<f", struct.pack("<f", float(s)))[0] == f:
            return s
    return repr(f)


def render(s, v):
    """A decoded datum as the JSON text weir-source writes for it."""
    t = s.type
    lt = s.get_prop("logicalType")
    if t == "union":
        for b in s.schemas:
            if avro.io.validate(b, v):
                return render(b, v)
        raise ValueError("no branch for %r" % (v,))
    if t == "record":
        return "{" + ",".join(json.dumps(f.name) + ":" + render(f.type, v[f.name])
                              for f in s.fields) + "}"
    if t == "map":
        return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" +
                              render(s.values, x) for k, x in v.items()) + "}"
    if t == "array":
        return "[" + ",".join(render(s.items, x) for x in v) + "]"
    if lt == "decimal":
        return str(v)
    if lt == "date":
        return json.dumps(v.isoformat())
    if lt in ("timestamp-millis", "timestamp-micros"):
        v = v.astimezone(datetime.timezone.utc)
        frac = "%03d" % (v.microsecond // 1000) if lt.endswith("millis") \
            else "%06d" % v.microsecond
        return json.dumps(v.strftime("%Y-%m-%dT%H:%M:%S.") + frac + "Z")
    if t == "float":
        return shortest_float(v)
    if t in ("bytes", "fixed"):
        return json.dumps(v.decode("latin-1"), ensure_ascii=False)
    if t == "boolean":
        return "true" if v else "false"
    if t == "null":
        return "null"
    return json.dumps(v, ensure_ascii=False)


def decode(args):
    url = args[0]
    field = "key" if len(args) > 1 and args[1] == "key" else "value"
    cache = {}
    for line in sys.stdin:
        env = json.loads(line)
        if field + "_base64" in env:
            raw = base64.b64decode(env[field + "_base64"])
        else:   # bytes that are UTF-8 text come as a string
            raw = env[field].encode("utf-8")
        magic, sid = struct.unpack(">bI", raw[:5])
        assert magic == 0, "magic byte %d" % magic
        if sid not in cache:
            cache[sid] = avro.schema.parse(
                http(url + "/schemas/ids/%d" % sid)["schema"])
        s = cache[sid]
        d = avro.io.BinaryDecoder(io.BytesIO(raw[5:]))
        print(render(s, avro.io.DatumReader(s).read(d)))


if __name__ == "__main__":
    {"serve": serve, "encode": encode, "decode": decode}[sys.argv[1]](sys.argv[2:])
