"""A private redis-server on 127.0.0.1 that a test may crash, restart and scan (RELIABILITY.md, Harness: Redis).

pytest-redis's shared `redis_proc` must outlive every test, so tests that `kill -9` Redis or
restart it empty start their own with this class.
"""

import base64
import binascii
import json
import shutil
import signal
import subprocess
import time
from pathlib import Path

import redis

from .smtp_sink import free_port

REDIS_SERVER = shutil.which("redis-server")


class RedisServer:
    """`redis-server` in the foreground (so its PID is ours to signal); volatile unless `durable`."""

    def __init__(self, directory, *, port=None, durable=False):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.durable = durable
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def command(self):
        persistence = ["--appendonly", "yes", "--appendfsync", "everysec"] if self.durable else ["--appendonly", "no"]
        return [
            REDIS_SERVER,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            *persistence,
            "--dir",
            str(self.directory),
            "--logfile",
            str(self.directory / "redis.log"),
        ]

    def start(self, timeout=10):
        self.process = subprocess.Popen(self.command(), stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.process.returncode}:\n{self.log()}")
            try:
                # Ready means loaded: while it replays an AOF Redis answers LOADING, an error.
                if self.client(socket_timeout=1).ping():
                    return self
            except redis.RedisError:
                pass
            time.sleep(0.05)
        self.kill()
        raise TimeoutError(f"redis-server not answering after {timeout} s:\n{self.log()}")

    def kill(self):
        """kill -9: no shutdown, no final write of anything still buffered."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def client(self, **options):
        return redis.Redis(host="127.0.0.1", port=self.port, **{"socket_timeout": 5, **options})

    def log(self):
        path = self.directory / "redis.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


def every_value(client, *, limit=100_000):
    """(key, bytes) for everything stored in every key of every type: SCAN, then the type's own read.

    Celery's messages hold their arguments base64-encoded in a JSON envelope (kombu's
    body_encoding), so each JSON message found is also yielded with its body decoded; a grep
    of the raw values alone would never see a name passed as an argument.
    """
    for n, key in enumerate(client.scan_iter(count=500)):
        if n >= limit:
            raise AssertionError(f"more than {limit} keys in Redis")
        kind = client.type(key).decode()
        if kind == "string":
            values = [client.get(key)]
        elif kind == "list":
            values = client.lrange(key, 0, -1)
        elif kind == "set":
            values = list(client.smembers(key))
        elif kind == "zset":
            values = [member for member, _ in client.zrange(key, 0, -1, withscores=True)]
        elif kind == "hash":
            values = [part for pair in client.hgetall(key).items() for part in pair]
        elif kind == "stream":
            values = [repr(entry).encode() for entry in client.xrange(key)]
        else:
            values = [client.dump(key) or b""]
        for value in [key, *values]:
            yield key, value
            yield from ((key, decoded) for decoded in _decoded_bodies(value))


def _decoded_bodies(value):
    """The decoded `body` of every kombu message inside `value` (a message, or an unacked [message, ...] triple)."""
    try:
        data = json.loads(value)
    except (ValueError, UnicodeDecodeError):
        return
    stack = [data]
    for _ in range(1000):  # bounded walk of the JSON tree
        if not stack:
            break
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            body = item.get("body")
            if isinstance(body, str):
                encoding = (item.get("properties") or {}).get("body_encoding")
                if encoding == "base64":
                    try:
                        yield base64.b64decode(body)
                    except (binascii.Error, ValueError):
                        yield body.encode()
                else:
                    yield body.encode()
            stack.extend(item.values())
