"""A one-shot rendezvous over TCP: rank 0 hands a payload (the NCCL unique id) to every other
rank, and checks on the way that all of them joined with the same world size.

NCCL leaves it to the program to carry the 128-byte ``ncclUniqueId`` from rank 0 to the
others; under ``mpiexec`` MPI carries it, elsewhere (``torchrun``, ``launch --local``) this
does, at ``MASTER_ADDR`` and ``LaunchEnv.store_port`` (PyTorch's ``TCPStore`` plays this part
there).

Protocol: a peer connects (retrying until rank 0 listens) and sends ``MAGIC``, its rank and
its world size; once every rank has joined, rank 0 answers each with ``0`` and the payload, or
with ``1`` and an error message that every rank then raises.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import time

from dfdx_py.distributed.env import DistributedError, WorldSizeError

MAGIC = b"DFDXDIST1"
_HELLO = struct.Struct("!ii")
_LENGTH = struct.Struct("!I")
_OK, _ERROR, _WORLD_SIZE_ERROR = 0, 1, 2


def serve(port: int, world_size: int, payload: bytes, timeout: float, host: str = "") -> list[int]:
    """Rank 0's side (the server of PyTorch's ``TCPStore``): wait until ranks ``1 ..
    world_size - 1`` have joined, give each of them ``payload``; returns the ranks that
    joined. ``DistributedError`` (also sent to the ranks that did join) when one is missing
    after ``timeout`` seconds, joins twice or was started with another world size."""
    if world_size == 1:
        return []
    deadline = time.monotonic() + timeout
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        server.bind((host, port))
    except OSError as e:
        server.close()
        raise DistributedError(
            f"rank 0 cannot listen on port {port} ({e}); set DFDX_STORE_PORT (or MASTER_PORT) "
            "to a free port"
        ) from None
    peers: dict[int, socket.socket] = {}
    error: DistributedError | None = None
    with server:
        server.listen(world_size)
        while len(peers) < world_size - 1 and error is None:
            left = deadline - time.monotonic()
            if left <= 0:
                joined = sorted([0, *peers])
                error = DistributedError(
                    f"only ranks {joined} of a world of {world_size} joined within {timeout:g} s "
                    "(a peer did not start, died, or uses another MASTER_ADDR/MASTER_PORT)"
                )
                break
            server.settimeout(left)
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            try:
                conn.settimeout(max(deadline - time.monotonic(), 1.0))
                hello = _read(conn, len(MAGIC) + _HELLO.size)
            except (OSError, DistributedError):
                conn.close()  # not one of ours (a port scanner, a stale client)
                continue
            if hello[: len(MAGIC)] != MAGIC:
                conn.close()
                continue
            rank, size = _HELLO.unpack(hello[len(MAGIC) :])
            taken = rank in peers or not 0 < rank < world_size
            if size != world_size:
                error = WorldSizeError(
                    f"rank {rank} was started for a world of {size} processes, rank 0 for "
                    f"{world_size}: every rank must see the same WORLD_SIZE"
                )
            elif taken:
                error = DistributedError(
                    f"two processes claim rank {rank}, or it is out of range for a world of "
                    f"{world_size}: every rank must see its own RANK"
                )
            if taken:
                with conn:
                    _answer(conn, error, payload)
            else:
                peers[rank] = conn
    for conn in peers.values():
        with conn, contextlib.suppress(OSError):  # a peer that left hears nothing
            _answer(conn, error, payload)
    if error is not None:
        raise error
    return sorted([0, *peers])


def fetch(host: str, port: int, rank: int, world_size: int, timeout: float) -> bytes:
    """A peer's side (a ``TCPStore`` client's ``get``): join rank 0's rendezvous and return
    its payload; raises the error
    rank 0 reports, or ``DistributedError`` when rank 0 cannot be reached within
    ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last: OSError | None = None
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise DistributedError(
                f"rank {rank} could not reach rank 0 at {host}:{port} within {timeout:g} s "
                f"({last}); is rank 0 running, and are MASTER_ADDR/MASTER_PORT the same on "
                "every rank?"
            )
        try:
            conn = socket.create_connection((host, port), timeout=min(left, 5.0))
            break
        except OSError as e:
            last = e
            time.sleep(min(0.05, max(left, 0.0)))
    with conn:
        conn.settimeout(max(deadline - time.monotonic(), 1.0))
        try:
            conn.sendall(MAGIC + _HELLO.pack(rank, world_size))
            status = _read(conn, 1)[0]
            body = _read(conn, _LENGTH.unpack(_read(conn, _LENGTH.size))[0])
        except OSError as e:
            raise DistributedError(
                f"rank {rank}: rank 0 at {host}:{port} did not answer within {timeout:g} s ({e})"
            ) from None
    if status != _OK:
        error = WorldSizeError if status == _WORLD_SIZE_ERROR else DistributedError
        raise error(body.decode(errors="replace"))
    return body


def _answer(conn: socket.socket, error: DistributedError | None, payload: bytes) -> None:
    """Send ``payload``, or ``error`` (its class as the status byte)."""
    if error is None:
        status, body = _OK, payload
    else:
        status = _WORLD_SIZE_ERROR if isinstance(error, WorldSizeError) else _ERROR
        body = str(error).encode()
    conn.sendall(bytes([status]) + _LENGTH.pack(len(body)) + body)


def _read(conn: socket.socket, n: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < n:
        chunk = conn.recv(n - len(chunks))
        if not chunk:
            raise DistributedError("the rendezvous connection closed early")
        chunks += chunk
    return bytes(chunks)
