"""DataLoader workers, run in the calling process.

PyTorch starts ``num_workers`` processes; each seeds its own random generators (Python's
``random`` and PyTorch's with ``base_seed + worker_id``, NumPy's with a hash of both), calls
``worker_init_fn(worker_id)``, then loads the batches it is sent, round robin. autogradviz runs
each worker's work in the calling process but with that worker's own generators swapped in
(and one thread, as in a worker), so the random numbers drawn inside ``__getitem__``, collate
functions or ``worker_init_fn`` are the ones each PyTorch worker would draw, and the calling
process's generators are left exactly as PyTorch leaves them. What a worker changes in the
dataset's attributes is seen by the calling process (PyTorch's workers have copies).
"""

from __future__ import annotations

import contextlib
import copy
import random
from dataclasses import dataclass

import numpy as np

from ... import _creation, _generator

__all__ = ["WorkerInfo", "get_worker_info"]

_worker_info = None


@dataclass(frozen=True, slots=True)
class WorkerInfo:
    id: int
    num_workers: int
    seed: int
    dataset: object
    rng: object | None = None
    worker_method: str | None = "multiprocessing"


def get_worker_info() -> WorkerInfo | None:
    """The running worker's ``WorkerInfo`` inside a worker (``__getitem__``, ``__iter__``,
    the collate function, ``worker_init_fn``); ``None`` elsewhere."""
    return _worker_info


def numpy_worker_seed(base_seed: int, worker_id: int) -> list[int]:
    """The four 32-bit words PyTorch seeds a worker's NumPy global generator with: NumPy's own
    ``SeedSequence`` hash of ``[worker_id, base_seed's low word, its high word, 0]``."""
    entropy = [worker_id, base_seed & 0xFFFFFFFF, base_seed >> 32, 0]
    return np.random.SeedSequence(entropy).generate_state(4).tolist()


class InProcessWorker:
    """One worker: its generators' states, kept aside while the calling process runs."""

    def __init__(self, worker_id: int, num_workers: int, base_seed: int, dataset, init_fn):
        seed = base_seed + worker_id
        self.id = worker_id
        self.info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed,
                               dataset=dataset)
        torch_gen = _generator.Generator()
        torch_gen.manual_seed(seed)
        self._torch = torch_gen.__dict__
        py_rng = random.Random(seed)
        self._python = py_rng.getstate()
        np_rng = np.random.RandomState(numpy_worker_seed(base_seed, worker_id))
        self._numpy = np_rng.get_state()
        self.fetcher = None
        if init_fn is not None:
            with self.running():
                init_fn(worker_id)

    @contextlib.contextmanager
    def running(self):
        """Swap this worker's generators (and thread count, and worker info) in."""
        global _worker_info
        gen = _generator.default_generator
        saved = (gen.__dict__, random.getstate(), np.random.get_state(),
                 _creation.get_num_threads(), _worker_info)
        gen.__dict__ = self._torch
        random.setstate(self._python)
        np.random.set_state(self._numpy)
        _creation.set_num_threads(1)
        _worker_info = self.info
        try:
            yield
        finally:
            self._torch = gen.__dict__
            self._python = random.getstate()
            self._numpy = np.random.get_state()
            gen.__dict__ = saved[0]
            random.setstate(saved[1])
            np.random.set_state(saved[2])
            _creation.set_num_threads(saved[3])
            _worker_info = saved[4]


def worker_copy(dataset):
    """Each PyTorch worker iterates its own copy of an iterable dataset."""
    try:
        return copy.deepcopy(dataset)
    except Exception:  # not copyable: share it (its iterators are still separate)
        return dataset
