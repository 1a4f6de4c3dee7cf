"""The MPI side: mpi4py's ``COMM_WORLD`` for the ``mpi`` backend (and to carry NCCL's id under
``mpiexec``), and what keeps a failing rank from leaving the others hanging.

MPI's own answer to a failed rank is ``MPI_Abort``: it ends every process of the job. A rank
that *raises* would instead print its traceback, call ``MPI_Finalize`` at exit and wait there
forever for peers that are themselves waiting for it inside a collective. So, once a world of
two or more is initialised:

- an uncaught exception prints its traceback, then a line naming the rank, then aborts the
  job (what ``python -m mpi4py script.py`` does);
- at exit, a rank waits at most ``exit_timeout`` seconds for every other rank to reach the
  end too (a non-blocking barrier), then finalises; if they do not (a rank called
  ``sys.exit`` in the middle of training while the others wait in an all-reduce), it says so
  and aborts the job rather than hang;
- a rank killed by a signal or ``os._exit`` never finalises: ``mpiexec`` notices and ends
  the job.

MPI is initialised once per process and finalised at exit (it cannot be re-initialised), so
``shutdown()`` then ``init()`` again reuses it.
"""

from __future__ import annotations

import atexit
import os
import sys
import time
from types import TracebackType
from typing import Any

import numpy as np

from dfdx_py.distributed.env import DistributedError

EXIT_TIMEOUT_VARIABLE = "DFDX_DISTRIBUTED_EXIT_TIMEOUT"
DEFAULT_EXIT_TIMEOUT = 60.0
"""Seconds a rank waits at exit for the others (``DFDX_DISTRIBUTED_EXIT_TIMEOUT``)."""

_HALF = ("float16", "bfloat16")


def load_mpi() -> Any:
    """``mpi4py.MPI``, imported with automatic finalisation off (``MpiWorld`` finalises)."""
    try:
        import mpi4py
    except ImportError as e:
        raise DistributedError(
            f"the mpi backend needs mpi4py and an MPI library ({e}): "
            'pip install "dfdx_py[distributed]" brings both (mpi4py and Open MPI)'
        ) from None
    if "mpi4py.MPI" not in sys.modules:
        mpi4py.rc.finalize = False
    try:
        from mpi4py import MPI
    except (ImportError, RuntimeError) as e:
        raise DistributedError(f"mpi4py could not load an MPI library: {e}") from None
    return MPI


class MpiWorld:
    """MPI's ``COMM_WORLD`` of this job, duplicated for dfdx_py's own messages, with the
    failure handling described in the module docstring. One per process: ``get()``."""

    _instance: MpiWorld | None = None

    def __init__(self) -> None:
        self.MPI = load_mpi()
        world = self.MPI.COMM_WORLD
        self.comm: Any = world.Dup()  # ours: a user's messages on COMM_WORLD never match ours
        self._exit_comm: Any = world.Dup()  # only for the barriers of shutdown and exit
        self.rank: int = self.comm.Get_rank()
        self.size: int = self.comm.Get_size()
        self.active = False  # a process group uses MPI now (between init and shutdown)
        self.exit_timeout = DEFAULT_EXIT_TIMEOUT
        self._previous_hook = sys.excepthook
        if self.size > 1:
            sys.excepthook = self._excepthook
        atexit.register(self._at_exit)

    @classmethod
    def get(cls) -> MpiWorld:
        """The process's MPI world, initialising MPI on first use."""
        if cls._instance is None:
            cls._instance = cls()
        return cls._instance

    # -- collectives on host arrays --------------------------------------------------------

    def all_reduce(self, array: np.ndarray[Any, Any], average: bool) -> np.ndarray[Any, Any]:
        """The element-wise sum (or mean) of ``array`` over the ranks, as a new array. f16 and
        bf16 are summed in f32 (MPI has no such types) and rounded once."""
        send = np.asarray(array, order="C")  # (ascontiguousarray would make a 0-d array 1-d)
        half = send.dtype.name in _HALF
        if half:
            send = send.astype(np.float32)
        out = np.empty_like(send)
        self.comm.Allreduce(send, out, op=self.MPI.SUM)
        if average:
            out /= self.size
        return out.astype(array.dtype) if half else out

    def broadcast(self, array: np.ndarray[Any, Any], root: int) -> np.ndarray[Any, Any]:
        """Rank ``root``'s ``array`` on every rank, as a new array (sent as raw bytes, so
        every dtype goes, bf16 and bool included)."""
        out = np.array(array, order="C", copy=True)
        if out.nbytes:
            self.comm.Bcast(out.reshape(-1).view(np.uint8), root=root)
        return out

    def barrier(self) -> None:
        """Wait until every rank gets here."""
        self.comm.Barrier()

    # -- shutdown and failures -------------------------------------------------------------

    def synchronize(self, timeout: float | None) -> bool:
        """Wait (at most ``timeout`` seconds) until every rank calls this too; whether they
        did. Non-blocking, so that a missing peer cannot hang the caller forever."""
        request = self._exit_comm.Ibarrier()
        deadline = None if timeout is None else time.monotonic() + timeout
        while not request.Test():
            if deadline is not None and time.monotonic() > deadline:
                return False
            time.sleep(0.001)
        return True

    def abort(self, message: str, code: int = 1) -> None:
        """Print ``message`` and end every process of the job (``MPI_Abort``)."""
        print(f"dfdx_py.distributed: rank {self.rank} of {self.size}: {message}", file=sys.stderr)
        sys.stderr.flush()
        self.comm.Abort(code)

    def _excepthook(
        self, kind: type[BaseException], error: BaseException, tb: TracebackType | None
    ) -> None:
        self._previous_hook(kind, error, tb)
        if self.active and not self.MPI.Is_finalized():
            self.abort(f"stopped on an uncaught {kind.__name__}; aborting the whole job")

    def _at_exit(self) -> None:
        if self.MPI.Is_finalized():
            return
        if self.active and self.size > 1:
            timeout = _exit_timeout(self.exit_timeout)
            if not self.synchronize(timeout):
                self.abort(
                    f"exiting, but not every other rank reached the end of the program within "
                    f"{timeout:g} s (a rank left early, or is stuck in a collective); aborting "
                    f"the whole job. End every rank with dfdx_py.distributed.shutdown(); "
                    f"{EXIT_TIMEOUT_VARIABLE} sets this wait"
                )
        self.MPI.Finalize()


def _exit_timeout(default: float) -> float:
    text = os.environ.get(EXIT_TIMEOUT_VARIABLE)
    if text is None:
        return default
    try:
        return float(text)
    except ValueError:
        return default
