# Adds a job to the queue twice a second.
import time

from common import call

n = 0
while True:
    if call("/jobs", {"id": n, "work": n % 7}) is not None:
        n += 1
    time.sleep(0.5)
