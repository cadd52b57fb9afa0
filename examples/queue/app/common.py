import json
import os
import time
import urllib.request

QUEUE_URL = os.environ.get("QUEUE_URL", "http://queue:8000")


def call(path, payload=None):
    """POST payload (or GET) as JSON to the queue; None while it is unreachable."""
    data = None if payload is None else json.dumps(payload).encode()
    req = urllib.request.Request(QUEUE_URL + path, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=2) as r:
            return json.loads(r.read() or b"null")
    except OSError:
        time.sleep(0.5)
        return None
