#!/usr/bin/env python3
"""Runs short host tools (ip, mount, runc start, ...) for the runc runtime (see cmd.ts).

Forking the kubelet's large Node process costs milliseconds of its only thread per tool; this
small process forks instead. One JSON request a line on stdin:
  {"id": N, "file": "...", "args": [...], "input": "...", "timeout": seconds|null}
one JSON reply a line on stdout, in completion order (each tool runs on its own thread):
  {"id": N, "code": C, "stdout": "...", "stderr": "..."}  or  {"id": N, "error": "..."}
Exits when stdin closes (its parent is gone).
"""
import json
import subprocess
import sys
import threading

out_lock = threading.Lock()


def reply(msg):
    line = json.dumps(msg) + "\n"
    with out_lock:
        sys.stdout.write(line)
        sys.stdout.flush()


def work(req):
    rid = req.get("id")
    try:
        p = subprocess.run(
            [req["file"], *req["args"]],
            input=req.get("input", "").encode(),
            capture_output=True,
            timeout=req.get("timeout") or None,
        )
        # As Node reports it: a signal death becomes 128 + 9 (what run() in cmd.ts returns).
        code, so, se = (p.returncode if p.returncode >= 0 else 137), p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:  # subprocess.run has SIGKILLed it
        code, so, se = 137, e.stdout or b"", e.stderr or b""
    except Exception as e:  # noqa: BLE001 - reported to the caller, which spawns it itself
        reply({"id": rid, "error": str(e)})
        return
    reply({"id": rid, "code": code, "stdout": so.decode("utf-8", "replace"), "stderr": se.decode("utf-8", "replace")})


def main():
    for line in sys.stdin:
        if line.strip():
            threading.Thread(target=work, args=(json.loads(line),), daemon=True).start()


if __name__ == "__main__":
    main()
