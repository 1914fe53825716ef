#!/usr/bin/env python3
"""A small real HTTP(S) server on loopback for the end-to-end tests.

    httpd.py --root DIR --port-file FILE [--log FILE] [--rules FILE]
             [--tls CERT KEY]

Serves the files under DIR with ETag (a hash of the content) and Last-Modified
(the file's mtime), and answers conditional requests with 304. It binds an
ephemeral port on 127.0.0.1 and writes it to --port-file once it listens.

--rules names a JSON file, read again on every request, mapping a request path
to a behaviour, so a test can change how the server misbehaves without
restarting it:
    {"/debian.json": {"status": 500}}         answer with that status
    {"/ubuntu.json": {"hang": true}}          accept, then say nothing
    {"/php.json": {"stall_after": 10}}        send headers and 10 bytes, then stall
--log appends one JSON line per request: method, path, the conditional
headers received and the status sent.
"""
import argparse
import email.utils
import hashlib
import http.server
import json
import os
import socketserver
import ssl
import sys
import threading
import time


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "shelfready-test-httpd"

    def log_message(self, fmt, *args):  # quiet: the JSON log says what happened
        pass

    def record(self, status):
        if not self.server.log_path:
            return
        entry = {
            "method": self.command,
            "path": self.path,
            "if_none_match": self.headers.get("If-None-Match"),
            "if_modified_since": self.headers.get("If-Modified-Since"),
            "user_agent": self.headers.get("User-Agent"),
            "status": status,
        }
        with self.server.lock, open(self.server.log_path, "a") as f:
            f.write(json.dumps(entry) + "\n")

    def rule(self):
        if not self.server.rules_path:
            return {}
        try:
            with open(self.server.rules_path) as f:
                return json.load(f).get(self.path, {})
        except (OSError, ValueError):
            return {}

    def send(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.record(status)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        rule = self.rule()
        if rule.get("hang"):
            self.record("hang")
            time.sleep(3600)
            return
        if "status" in rule:
            self.send(int(rule["status"]), b"rule says so\n")
            return
        rel = os.path.normpath(self.path.split("?", 1)[0]).lstrip("/")
        path = os.path.join(self.server.root, rel)
        if rel.startswith("..") or not os.path.isfile(path):
            self.send(404, b"not found\n")
            return
        with open(path, "rb") as f:
            body = f.read()
        mtime = os.stat(path).st_mtime
        etag = '"%s"' % hashlib.sha256(body).hexdigest()[:32]
        last_modified = email.utils.formatdate(mtime, usegmt=True)
        headers = [("ETag", etag), ("Last-Modified", last_modified),
                   ("Content-Type", "application/octet-stream")]
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        if inm is not None:
            fresh = etag in [t.strip() for t in inm.split(",")]
        elif ims is not None:
            try:
                fresh = int(mtime) <= email.utils.parsedate_to_datetime(ims).timestamp()
            except (TypeError, ValueError):
                fresh = False
        else:
            fresh = False
        if fresh:
            self.send_response(304)
            for k, v in headers[:2]:
                self.send_header(k, v)
            self.end_headers()
            self.record(304)
            return
        if "stall_after" in rule:
            n = int(rule["stall_after"])
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[:n])
            self.wfile.flush()
            self.record("stall")
            time.sleep(3600)
            return
        self.send(200, body, headers)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log")
    ap.add_argument("--rules")
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    a = ap.parse_args()

    srv = Server(("127.0.0.1", 0), Handler)
    srv.root = os.path.abspath(a.root)
    srv.log_path = a.log
    srv.rules_path = a.rules
    srv.lock = threading.Lock()
    if a.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.tls[0], a.tls[1])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, a.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
