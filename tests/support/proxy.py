"""A TCP proxy that delays and cuts: the slow or dropping link of the fault runs (between everyone and
DynamoDB Local, or a judge and a web server)."""

from __future__ import annotations

import random
import socket
import struct
import threading
import time


class FlakyProxy:
    """127.0.0.1:port -> upstream, delaying each chunk by `delay` seconds (uniform range, each direction)
    and cutting a connection (RST both ends) with probability `drop` per chunk."""

    def __init__(
        self, upstream_port: int, seed: int, delay: tuple[float, float] = (0.0, 0.0), drop: float = 0.0
    ):
        self.upstream_port = upstream_port
        self.delay = delay
        self.drop = drop
        self.rng = random.Random(seed)
        self._rng_lock = threading.Lock()
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(128)
        self.port = self.listener.getsockname()[1]
        self.cuts = 0
        self.connections = 0
        self.chunks = 0
        self._closed = False
        self._socks: set[socket.socket] = set()
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True, name="proxy-accept").start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=2)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            for s in (client, upstream):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self.connections += 1
                self._socks |= {client, upstream}
            pair = (client, upstream)
            threading.Thread(target=self._pump, args=(client, upstream, pair), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, pair), daemon=True).start()

    def _roll(self) -> tuple[float, bool]:
        with self._rng_lock:
            d = self.rng.uniform(*self.delay) if self.delay[1] > 0 else 0.0
            return d, self.rng.random() < self.drop

    def _cut(self, pair) -> None:
        for s in pair:
            try:  # SO_LINGER 0: close with a RST, as a broken link or a dead middlebox would
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except OSError:
                pass
            try:
                s.close()
            except OSError:
                pass

    def _pump(self, src: socket.socket, dst: socket.socket, pair) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    try:
                        dst.shutdown(socket.SHUT_WR)
                    except OSError:
                        pass
                    return
                delay, cut = self._roll()
                with self._lock:
                    self.chunks += 1
                if delay:
                    time.sleep(delay)
                if cut:
                    with self._lock:
                        self.cuts += 1
                    self._cut(pair)
                    return
                dst.sendall(data)
        except OSError:
            self._cut(pair)

    def cleanup(self) -> None:
        self._closed = True
        try:
            self.listener.close()
        except OSError:
            pass
        with self._lock:
            socks = list(self._socks)
        for s in socks:
            try:
                s.close()
            except OSError:
                pass
