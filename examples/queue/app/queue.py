# The job queue: an in-memory FIFO over HTTP (Python's standard library). POST /jobs adds a job, POST /take
# hands the oldest one to a worker, POST /done records it; GET / is a status page, GET /stats its JSON.
import html
import json
import os
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
pending = deque()
stats = {"queued": 0, "done": 0, "by_worker": {}}
INSTANCE = os.environ.get("COMPOSE_PROJECT_NAME") or os.environ.get("HOSTNAME", "queue")


class Handler(BaseHTTPRequestHandler):
    def reply(self, status, body, kind="application/json"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(n) or b"{}")

    def snapshot(self):
        with lock:
            return {"pending": len(pending), **stats, "by_worker": dict(stats["by_worker"])}

    def do_GET(self):
        s = self.snapshot()
        if self.path == "/stats":
            return self.reply(200, json.dumps(s))
        workers = "".join(f"<li>{html.escape(w)}: {n} jobs</li>" for w, n in sorted(s["by_worker"].items()))
        self.reply(200, f"<!doctype html><title>queue</title><meta http-equiv=refresh content=2><h1>Job queue</h1>"
                        f"<p>{s['queued']} queued · {s['pending']} pending · {s['done']} done</p><ul>{workers}</ul>",
                   "text/html; charset=utf-8")

    def do_POST(self):
        payload = self.body()
        with lock:
            if self.path == "/jobs":
                pending.append(payload)
                stats["queued"] += 1
                return self.reply(201, json.dumps({"pending": len(pending)}))
            if self.path == "/take":
                return self.reply(200, json.dumps(pending.popleft() if pending else None))
            if self.path == "/done":
                stats["done"] += 1
                w = str(payload.get("worker", "?"))
                stats["by_worker"][w] = stats["by_worker"].get(w, 0) + 1
                return self.reply(200, "{}")
        self.reply(404, "{}")

    def log_message(self, *args):
        pass


print("queue: listening on :8000", flush=True)
ThreadingHTTPServer(("0.0.0.0", 8000), Handler).serve_forever()
