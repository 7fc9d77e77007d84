#!/usr/bin/python3
"""An OAuth 2.0 token endpoint (RFC 6749 4.4, client credentials) for the
OAUTHBEARER tests (oauth.bats).

  token_stub.py [--log FILE] [--tokens FILE] [--expires-in S] [--fail]
                [--echo] [--fail-at N] [--tls CERT KEY] [--timeout S]

Serves POST /token on 127.0.0.1, an ephemeral port (printed first), for
at most S seconds (default 60).  The client must authenticate with HTTP
Basic as CLIENT_ID:$KAFKA_CLIENT_SECRET (CLIENT_ID from $STUB_CLIENT_ID,
default weir-pipeline) and send grant_type=client_credentials as a form;
it then gets {"access_token": JWT, "token_type": "Bearer", "expires_in": S}
(default 3600) where the JWT's payload has sub = the client id and exp =
now + S, rounded up to a second.  --fail: every request gets 401
invalid_client; with --echo its error_description quotes the
credentials received (an endpoint careless with secrets).  --fail-at N:
the Nth request (from 1) gets 503 temporarily_unavailable.  --tls:
HTTPS with that certificate and key (PEM files).  FILE (--log) gets one line per request (its time, what
was checked, never the secret); --tokens gets every token issued, one a
line.
"""
import base64
import json
import os
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def main(args):
    log = tokens = None
    expires_in = 3600
    fail = echo = False
    timeout = 60.0
    fail_at = 0
    tls = None
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("--fail", "--echo"):
            fail = True
            echo = echo or a == "--echo"
            i += 1
            continue
        v = args[i + 1]
        if a == "--log":
            log = open(v, "a", buffering=1)
        elif a == "--tokens":
            tokens = open(v, "a", buffering=1)
        elif a == "--expires-in":
            expires_in = int(v)
        elif a == "--tls":
            tls = (v, args[i + 2])
            i += 1
        elif a == "--fail-at":
            fail_at = int(v)
        elif a == "--timeout":
            timeout = float(v)
        i += 2
    client_id = os.environ.get("STUB_CLIENT_ID", "weir-pipeline")
    secret = os.environ["KAFKA_CLIENT_SECRET"]
    serial = [0]
    requests = [0]

    class H(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def reply(self, code, obj):
            body = json.dumps(obj).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            form = urllib.parse.parse_qs(self.rfile.read(n).decode(),
                                         keep_blank_values=True)
            auth = self.headers.get("Authorization", "")
            who, ok, got = "-", False, ""
            if auth.startswith("Basic "):
                try:
                    u, _, p = base64.b64decode(auth[6:]).decode() \
                        .partition(":")
                    who, ok, got = u, (u == client_id and p == secret), p
                except ValueError:
                    pass
            grant = ",".join(form.get("grant_type", ["-"]))
            scope = ",".join(form.get("scope", ["-"]))
            if log:
                log.write("%.3f POST %s client=%s secret=%s grant_type=%s "
                          "scope=%s content-type=%s accept=%s\n" % (
                              time.time(),
                              self.path, who, "ok" if ok else "bad", grant,
                              scope, self.headers.get("Content-Type"),
                              self.headers.get("Accept")))
            if self.path != "/token":
                return self.reply(404, {"error": "not_found"})
            requests[0] += 1
            if requests[0] == fail_at:
                return self.reply(503, {"error": "temporarily_unavailable"})
            if fail or not ok:
                return self.reply(401, {
                    "error": "invalid_client",
                    "error_description": "client %s with secret %s refused"
                    % (who, got) if echo else
                    "client authentication failed"})
            if grant != "client_credentials":
                return self.reply(400, {"error": "unsupported_grant_type"})
            serial[0] += 1
            now = time.time()
            hdr = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
            pl = b64url(json.dumps({"sub": client_id, "iat": int(now),
                                    "exp": int(now + expires_in) + 1,
                                    "scope": scope,
                                    "n": serial[0]}).encode())
            sig = b64url(("stub-signature-%d-%d" % (serial[0], now)).encode())
            tok = "%s.%s.%s" % (hdr, pl, sig)
            if tokens:
                tokens.write(tok + "\n")
            self.reply(200, {"access_token": tok, "token_type": "Bearer",
                             "expires_in": expires_in})

    srv = HTTPServer(("127.0.0.1", 0), H)
    if tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(*tls)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    print(srv.server_address[1], flush=True)
    t = threading.Timer(timeout, srv.shutdown)
    t.daemon = True
    t.start()
    srv.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
