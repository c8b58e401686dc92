"""``torch.utils.data`` against PyTorch 2.13: each program runs once with ``torch`` and once
with ``autogradviz`` as ``m``, and everything it returns is compared exactly (tensors by dtype,
shape and bytes), together with the state of the global generators afterwards (PyTorch's, and
NumPy's and Python's, which DataLoader workers seed for themselves): a lesson that loads data
and then draws random numbers must print PyTorch's numbers.
"""

import os

os.environ["ATEN_CPU_CAPABILITY"] = "avx2"  # before torch loads (conftest.py does it too)

import collections
import contextlib
import io
import random
import warnings

import numpy as np
import pytest
import torch

import autogradviz

LIBS = {"torch": torch, "autogradviz": autogradviz}
Point = collections.namedtuple("Point", "x label")


def plain(value):
    """``value`` as comparable data: tensors of either library as (dtype, shape, bytes),
    containers by their type's name and contents."""
    if isinstance(value, torch.Tensor | autogradviz.Tensor):
        return ("tensor", str(value.dtype), tuple(value.shape), value.numpy().tobytes())
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return (type(value).__name__, *[plain(v) for v in value])
    if isinstance(value, list | tuple):
        return (type(value).__name__, [plain(v) for v in value])
    if isinstance(value, dict):
        return (type(value).__name__, {k: plain(v) for k, v in value.items()})
    if isinstance(value, np.ndarray):
        return ("ndarray", value.dtype.str, value.shape, value.tobytes())
    return value


def run(program, lib, *args):
    """``program(lib, *args)`` from seeded global generators: its result (or exception), the
    warnings it gave, and the generators' states afterwards."""
    m = LIBS[lib]
    m.manual_seed(1234)
    np.random.seed(5)
    random.seed(6)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = plain(program(m, *args))
        except Exception as err:  # compared with what PyTorch raised
            result = (type(err).__name__, str(err))
    states = (m.get_rng_state().numpy().tobytes(), plain(m.randn(3)),
              repr(np.random.get_state()), random.getstate())
    return result, [(w.category.__name__, str(w.message)) for w in caught], states


def assert_parity(program, *args):
    theirs = run(program, "torch", *args)
    ours = run(program, "autogradviz", *args)
    assert ours[0] == theirs[0], "results differ"
    assert ours[1] == theirs[1], "warnings differ"
    assert ours[2] == theirs[2], "generator states afterwards differ"
    return ours[0]


# ---------------------------------------------------------------------- the import paths
def test_attribute_and_import_paths():
    import autogradviz as m
    from autogradviz.utils.data import DataLoader, Dataset, TensorDataset

    assert m.utils.data.DataLoader is DataLoader
    assert m.utils.data.Dataset is Dataset and m.utils.data.TensorDataset is TensorDataset
    for name in torch.utils.data.__all__:
        if "DataPipe" in name or name in {"DataChunk", "DistributedSampler",
                                           "argument_validation", "functional_datapipe",
                                           "guaranteed_datapipes_determinism",
                                           "non_deterministic", "runtime_validation",
                                           "runtime_validation_disabled"}:
            continue  # DataPipes (deprecated) and distributed training are not here
        assert hasattr(m.utils.data, name), name


# ---------------------------------------------------------------------- datasets
def tensor_pairs(m):
    return m.utils.data.TensorDataset(m.arange(22.0).reshape(11, 2), m.arange(11) % 3)


def python_floats(m):
    return [0.5 * i for i in range(10)]


def mixed_tuples(m):
    return [(i, i / 4, i % 2 == 0, f"s{i}") for i in range(9)]


def numpy_dicts(m):
    return [{"x": np.full(3, i, np.float32), "y": np.int64(i), "z": [i, -i]} for i in range(7)]


def named_points(m):
    return [Point(m.tensor([i, i + 1]), i % 2) for i in range(8)]


DATASETS = [tensor_pairs, python_floats, mixed_tuples, numpy_dicts, named_points]


@pytest.mark.parametrize("make", DATASETS, ids=lambda f: f.__name__)
@pytest.mark.parametrize(("batch_size", "shuffle", "drop_last"),
                         [(1, False, False), (3, False, False), (4, True, False),
                          (3, True, True), (20, True, False), (None, True, False)])
def test_batches_and_generator_state(make, batch_size, shuffle, drop_last):
    """Two epochs: the same batches (values, dtypes, shapes), the same ``len``, and the global
    generator left where PyTorch leaves it (a seed per epoch, plus one per shuffle)."""

    def program(m):
        loader = m.utils.data.DataLoader(make(m), batch_size=batch_size, shuffle=shuffle,
                                         drop_last=drop_last)
        return len(loader), [list(loader) for _ in range(2)]

    assert_parity(program)


@pytest.mark.parametrize("seed", [0, 7, 2**40 + 3])
def test_shuffle_with_a_generator_leaves_the_global_one_alone(seed):
    def program(m):
        g = m.Generator().manual_seed(seed)
        loader = m.utils.data.DataLoader(tensor_pairs(m), batch_size=4, shuffle=True,
                                         generator=g)
        epochs = [[b[1] for b in loader] for _ in range(3)]
        return epochs, g.get_state()

    assert_parity(program)


def test_the_seeds_are_drawn_at_iter_and_at_the_first_batch():
    """``iter(loader)`` draws the base seed; the shuffle's seed comes with the first batch."""

    def program(m):
        loader = m.utils.data.DataLoader(list(range(6)), batch_size=2, shuffle=True)
        out = [m.rand(1)]
        it = iter(loader)
        out.append(m.rand(1))
        out.append(next(it))
        out.append(m.rand(1))
        out.extend(it)
        iter(loader)  # never iterated: still one seed
        out.append(m.rand(1))
        return out

    assert_parity(program)


def test_training_loop_prints_the_same_batches():
    def program(m):
        m.manual_seed(0)
        x = m.randn(24, 3)
        y = x @ m.tensor([[1.0], [-2.0], [0.5]]) + 0.1 * m.randn(24, 1)
        data = m.utils.data.TensorDataset(x, y, m.arange(24))
        train, valid = m.utils.data.random_split(data, [0.75, 0.25])
        loader = m.utils.data.DataLoader(train, batch_size=5, shuffle=True)
        model = m.nn.Linear(3, 1)
        opt = m.optim.SGD(model.parameters(), lr=0.1)
        loss_fn = m.nn.MSELoss()
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            for epoch in range(3):
                for xb, yb, idx in loader:
                    loss = loss_fn(model(xb), yb)
                    opt.zero_grad()
                    loss.backward()
                    opt.step()
                    print(epoch, idx.tolist(), f"{loss.item():.5f}")
            with m.no_grad():
                xs, ys, _ = next(iter(m.utils.data.DataLoader(valid, batch_size=len(valid))))
                print(f"{loss_fn(model(xs), ys).item():.5f}", model.weight)
        return out.getvalue()

    printed = assert_parity(program)
    assert printed.count("\n") == 3 * 4 + 2  # the weight's repr has two lines


# ---------------------------------------------------------------------- random_split
@pytest.mark.parametrize(("n", "lengths"), [
    (10, [3, 7]), (30, [0.3, 0.3, 0.4]), (11, [0.5, 0.25, 0.25]), (10, [0.1, 0.2, 0.7]),
    (7, [1 / 3, 1 / 3, 1 / 3]), (3, [0.1, 0.9]), (4, [0.0, 1.0]), (5, [0, 5]), (10, [2, 3]),
    (6, [1.2, -0.2]),
])
@pytest.mark.parametrize("seed", [None, 42])
def test_random_split(n, lengths, seed):
    def program(m):
        g = None if seed is None else m.Generator().manual_seed(seed)
        parts = (m.utils.data.random_split(range(n), lengths) if g is None
                 else m.utils.data.random_split(range(n), lengths, generator=g))
        return [(len(p), list(p.indices), [p[i] for i in range(len(p))]) for p in parts]

    assert_parity(program)


# ---------------------------------------------------------------------- samplers
@pytest.mark.parametrize("build", [
    lambda u: u.SequentialSampler(range(5)),
    lambda u: u.RandomSampler(range(7)),
    lambda u: u.RandomSampler(range(7), num_samples=17),
    lambda u: u.RandomSampler(range(7), num_samples=3),
    lambda u: u.RandomSampler(range(7), replacement=True),
    lambda u: u.RandomSampler(range(5), replacement=True, num_samples=64),
    lambda u: u.RandomSampler(range(300), replacement=True, num_samples=70),
    lambda u: u.SubsetRandomSampler([4, 8, 15, 16, 23, 42]),
    lambda u: u.WeightedRandomSampler([0.1, 0.9, 0.4, 0.7, 3.0, 0.6], 5),
    lambda u: u.WeightedRandomSampler([0.9, 0.4, 0.05, 0.2, 0.3, 0.1], 5, replacement=False),
    lambda u: u.BatchSampler(u.SequentialSampler(range(10)), batch_size=3, drop_last=False),
    lambda u: u.BatchSampler(u.RandomSampler(range(10)), batch_size=3, drop_last=True),
    lambda u: u.BatchSampler(range(10), batch_size=5, drop_last=True),
])
def test_samplers(build):
    def program(m):
        sampler = build(m.utils.data)
        return len(sampler), list(sampler), list(sampler)

    assert_parity(program)


def test_custom_batch_sampler_and_sampler():
    def program(m):
        u = m.utils.data
        data = tensor_pairs(m)
        by_batches = u.DataLoader(data, batch_sampler=u.BatchSampler(
            u.RandomSampler(data), batch_size=4, drop_last=False))
        by_sampler = u.DataLoader(data, batch_size=2, sampler=u.SubsetRandomSampler([1, 5, 9]))
        unbatched = u.DataLoader(data, batch_size=None, sampler=[3, 0])
        return ([len(by_batches), *by_batches], [len(by_sampler), *by_sampler],
                [len(unbatched), *unbatched])

    assert_parity(program)


# ---------------------------------------------------------------------- collate
@pytest.mark.parametrize("batch", [
    lambda m: [m.tensor([1.0, 2.0]), m.tensor([3.0, 4.0])],
    lambda m: [1.5, 2.0],
    lambda m: [1, 2, 3],
    lambda m: [True, False],
    lambda m: ["a", "b"],
    lambda m: [b"a", b"b"],
    lambda m: [np.float32(1), np.float32(2)],
    lambda m: [np.int16(1), np.int16(2)],
    lambda m: [np.bool_(True), np.bool_(False)],
    lambda m: [np.arange(3, dtype=np.uint8), np.arange(3, dtype=np.uint8)],
    lambda m: [(1, "a", 2.5), (2, "b", 3.5)],
    lambda m: [[1, 2.0], [3, 4.0]],
    lambda m: [{"a": 1, "b": [m.ones(2), "x"]}, {"a": 2, "b": [m.zeros(2), "y"]}],
    lambda m: [collections.OrderedDict(k=1.0), collections.OrderedDict(k=2.0)],
    lambda m: [Point(1.0, "p"), Point(2.0, "q")],
    lambda m: [Point(m.ones(1, 2), 3), Point(m.zeros(1, 2), 4)],
])
def test_default_collate(batch):
    assert_parity(lambda m: m.utils.data.default_collate(batch(m)))


@pytest.mark.parametrize("sample", [
    lambda m: np.arange(3),
    lambda m: np.float64(2.5),
    lambda m: (np.arange(2), [np.float32(1.0)], "s", 3),
    lambda m: {"a": np.ones(2), "b": Point(np.zeros(1), "l")},
    lambda m: np.array(["a", "b"]),
    lambda m: m.tensor([1, 2]),
])
def test_default_convert(sample):
    assert_parity(lambda m: m.utils.data.default_convert(sample(m)))


# ---------------------------------------------------------------------- dataset classes
def test_dataset_classes():
    def program(m):
        u = m.utils.data
        a, b = u.TensorDataset(m.arange(3)), u.TensorDataset(m.arange(10, 14))
        both = a + b
        sub = u.Subset(both, [6, 0, 3])
        stacked = u.StackDataset(m.arange(3), m.arange(3.0))
        named = u.StackDataset(x=m.arange(3), y=[7, 8, 9])
        return (len(both), both.cumulative_sizes, [both[i] for i in range(-7, 7)],
                len(sub), [sub[i] for i in range(3)], list(u.DataLoader(sub, batch_size=2)),
                list(u.DataLoader(stacked, batch_size=2)), list(u.DataLoader(named, batch_size=2)))

    assert_parity(program)


class Count:
    """The methods of an iterable dataset of either library (see ``iterable``): each worker
    streams its own numbers."""

    def __init__(self, n, lib):
        self.n, self.lib = n, lib

    def __iter__(self):
        info = LIBS[self.lib].utils.data.get_worker_info()
        if info is None:
            return iter(range(self.n))
        return iter(range(100 * info.id, 100 * info.id + self.n + info.id))


def iterable(lib, n):
    u = LIBS[lib].utils.data
    cls = type("Count", (u.IterableDataset,), {"__init__": Count.__init__,
                                               "__iter__": Count.__iter__})
    return cls(n, lib)


@pytest.mark.parametrize("kwargs", [{}, {"batch_size": 2}, {"batch_size": 2, "drop_last": True},
                                    {"batch_size": None}, {"num_workers": 2},
                                    {"num_workers": 2, "batch_size": 2}])
def test_iterable_dataset(kwargs):
    def program(m):
        lib = "torch" if m is torch else "autogradviz"
        u = m.utils.data
        chained = u.ChainDataset([iterable(lib, 2), iterable(lib, 3)])
        return list(u.DataLoader(iterable(lib, 5), **kwargs)), list(chained)

    assert_parity(program)


# ---------------------------------------------------------------------- workers
class Noisy:
    """A map-style dataset drawing from all three global generators in ``__getitem__``."""

    def __init__(self, lib, n=7):
        self.m, self.n = LIBS[lib], n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        info = self.m.utils.data.get_worker_info()
        worker = -1 if info is None else info.id
        return self.m.rand(2), np.random.rand(), random.random(), i, worker


def remember_init(lib, log):
    m = LIBS[lib]

    def init(worker_id):
        info = m.utils.data.get_worker_info()
        # In PyTorch's worker processes this list is a copy: what is appended is not seen.
        log.append(worker_id)
        assert info.id == worker_id and info.num_workers == 2
        m.manual_seed(info.seed + 1000)

    return init


@pytest.mark.parametrize("kwargs", [
    {"num_workers": 2},
    {"num_workers": 2, "batch_size": 3, "shuffle": True},
    {"num_workers": 2, "batch_size": 2, "shuffle": True, "persistent_workers": True},
    {"num_workers": 3, "batch_size": 1, "prefetch_factor": 1},
    {"num_workers": 2, "batch_size": 2, "shuffle": True, "init": True},
])
def test_workers_draw_from_their_own_generators(kwargs):
    kwargs = dict(kwargs)
    with_init = kwargs.pop("init", False)

    def program(m):
        lib = "torch" if m is torch else "autogradviz"
        log = []
        if with_init:
            kwargs["worker_init_fn"] = remember_init(lib, log)
        loader = m.utils.data.DataLoader(Noisy(lib), **kwargs)
        epochs = [list(loader) for _ in range(2)]
        return epochs, [info is None for info in [m.utils.data.get_worker_info()]]

    assert_parity(program)


# ---------------------------------------------------------------------- errors and warnings
MISTAKES = {
    "negative workers": lambda m, u, d: u.DataLoader(d, num_workers=-1),
    "negative timeout": lambda m, u, d: u.DataLoader(d, timeout=-1),
    "prefetch without workers": lambda m, u, d: u.DataLoader(d, prefetch_factor=2),
    "persistent without workers": lambda m, u, d: u.DataLoader(d, persistent_workers=True),
    "sampler and shuffle": lambda m, u, d: u.DataLoader(d, sampler=[0, 1], shuffle=True),
    "batch_sampler and batch_size": lambda m, u, d: u.DataLoader(d, batch_sampler=[[0]],
                                                                 batch_size=2),
    "batch_sampler and drop_last": lambda m, u, d: u.DataLoader(d, batch_sampler=[[0]],
                                                                drop_last=True),
    "no batching and drop_last": lambda m, u, d: u.DataLoader(d, batch_size=None,
                                                              drop_last=True),
    "zero batch size": lambda m, u, d: u.DataLoader(d, batch_size=0),
    "float batch size": lambda m, u, d: u.DataLoader(d, batch_size=2.0),
    "int drop_last": lambda m, u, d: u.DataLoader(d, drop_last=1),
    "context without workers": lambda m, u, d: u.DataLoader(d, multiprocessing_context="fork"),
    "bad context": lambda m, u, d: u.DataLoader(d, num_workers=1,
                                                multiprocessing_context="nope"),
    "setting batch_size": lambda m, u, d: setattr(u.DataLoader(d), "batch_size", 3),
    "timeout without workers": lambda m, u, d: next(iter(u.DataLoader(d, timeout=1))),
    "int replacement": lambda m, u, d: u.RandomSampler(d, replacement=1),
    "zero samples": lambda m, u, d: u.RandomSampler(d, num_samples=0),
    "empty dataset shuffled": lambda m, u, d: u.DataLoader([], shuffle=True),
    "tensor sizes": lambda m, u, d: u.TensorDataset(m.zeros(3), m.zeros(4)),
    "split lengths": lambda m, u, d: u.random_split(range(10), [3, 6]),
    "split fractions": lambda m, u, d: u.random_split(range(10), [0.5, 0.6]),
    "no __getitem__": lambda m, u, d: type("NoGetItem", (u.Dataset,), {})()[0],
    "no __len__": lambda m, u, d: list(u.DataLoader(type("NoLen", (u.Dataset,), {})())),
    "uncollatable": lambda m, u, d: u.default_collate([object(), object()]),
    "None samples": lambda m, u, d: list(u.DataLoader([None, None], batch_size=2)),
    "ragged lists": lambda m, u, d: u.default_collate([[1, 2], [3]]),
    "ragged tensors": lambda m, u, d: u.default_collate([m.zeros(2), m.zeros(3)]),
    "string arrays": lambda m, u, d: u.default_collate([np.array(["a"]), np.array(["b"])]),
    "empty concat": lambda m, u, d: u.ConcatDataset([]),
    "concat index": lambda m, u, d: u.ConcatDataset([range(3)])[-5],
    "weights shape": lambda m, u, d: u.WeightedRandomSampler([[1.0, 2.0]], 2),
}


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_errors(mistake):
    def program(m):
        u = m.utils.data
        return MISTAKES[mistake](m, u, u.TensorDataset(m.arange(6.0)))

    result = assert_parity(program)
    assert isinstance(result, tuple) and result[0].endswith("Error"), result


def test_warnings():
    def program(m):
        u = m.utils.data
        data = u.TensorDataset(m.arange(5.0))
        pinned = list(u.DataLoader(data, batch_size=4, pin_memory=True))
        empty_split = [len(p) for p in u.random_split(range(4), [0.1, 0.1, 0.8])]

        class Short(u.IterableDataset):
            def __len__(self):
                return 2

            def __iter__(self):
                return iter(range(3))

        loader = u.DataLoader(Short())
        return pinned, empty_split, len(loader), list(loader)

    theirs = run(program, "torch")
    ours = run(program, "autogradviz")
    assert ours[0] == theirs[0] and ours[2] == theirs[2]
    # The last warning names the dataset object, whose address differs.
    strip = [(c, msg.split(" object at ")[0]) for c, msg in ours[1]]
    assert strip == [(c, msg.split(" object at ")[0]) for c, msg in theirs[1]]
    assert len(ours[1]) == 3  # pin_memory, an empty split, the length
