# The webapp example's web service: one page counting visits in Redis and asking PostgreSQL the time.
# Python's standard library plus Debian's psycopg2 and redis packages.
import html
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg2
import redis

INSTANCE = os.environ.get("INSTANCE", "webapp")
cache = redis.Redis(host=os.environ.get("REDIS_HOST", "cache"), port=6379, socket_timeout=2)


def db_now():
    with psycopg2.connect(os.environ["DATABASE_URL"], connect_timeout=2) as conn, conn.cursor() as cur:
        cur.execute("select now()::text, current_database()")
        return cur.fetchone()


class Handler(BaseHTTPRequestHandler):
    def reply(self, status, body, kind="text/html; charset=utf-8"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        try:
            if self.path == "/health":
                return self.reply(200, json.dumps({"ok": True, "instance": INSTANCE}), "application/json")
            visits = cache.incr("visits")
            now, dbname = db_now()
            if self.path == "/api":
                return self.reply(200, json.dumps({"instance": INSTANCE, "visits": visits, "db": dbname, "now": now}), "application/json")
            self.reply(200, f"<!doctype html><title>{html.escape(INSTANCE)}</title>"
                            f"<h1>Hello from {html.escape(INSTANCE)}</h1>"
                            f"<p>Visit #{visits} (counted in Redis) · PostgreSQL database <b>{html.escape(dbname)}</b> says {html.escape(now)}</p>")
        except Exception as err:  # noqa: BLE001 - a demo page shows what failed
            self.reply(503, f"not ready: {html.escape(str(err))}", "text/plain")

    def log_message(self, *args):
        pass


print(f"web: {INSTANCE} listening on :8000", flush=True)
ThreadingHTTPServer(("0.0.0.0", 8000), Handler).serve_forever()
