"""Bit-exact parity of autogradviz's generator with PyTorch 2.13's CPU generator.

Every comparison is on raw bit patterns (dtype, shape and bytes), against torch running its AVX2
kernels (the ones autogradviz reproduces; this machine would otherwise pick AVX-512 ones).
"""

import os

os.environ["ATEN_CPU_CAPABILITY"] = "avx2"  # before torch loads (conftest.py does it too)

import warnings

import numpy as np
import pytest
import torch

from autogradviz import _generator as rg

SEEDS = [0, 1, 42, 2**32 + 1, -1, 2**63 + 12345, 67280421310721]
SIZES = [0, 1, 2, 3, 7, 15, 16, 17, 31, 32, 33, 60, 100, 1000, 4097, 10**5]
NP = {torch.float16: np.float16, torch.float32: np.float32, torch.float64: np.float64,
      torch.int64: np.int64, torch.int32: np.int32, torch.int16: np.int16, torch.int8: np.int8,
      torch.uint8: np.uint8, torch.bool: np.bool_}


def as_array(x):
    return x.numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


def assert_same(ours, theirs):
    """Same dtype, shape and bytes (so -0.0 != 0.0 and NaN payloads count)."""
    a, b = as_array(ours), as_array(theirs)
    assert a.dtype == b.dtype, (a.dtype, b.dtype)
    assert a.shape == b.shape, (a.shape, b.shape)
    if a.tobytes() != b.tobytes():
        diff = np.flatnonzero(a.reshape(-1).view(np.uint8) != b.reshape(-1).view(np.uint8))
        i = diff[0] // a.itemsize
        raise AssertionError(f"{diff.size} bytes differ, first at element {i}: "
                             f"{a.reshape(-1)[i]!r} != {b.reshape(-1)[i]!r}")


def pair(seed):
    return rg.Generator().manual_seed(seed), torch.Generator().manual_seed(seed)


def assert_same_state(g, tg):
    assert_same(g._get_state_bytes(), tg.get_state())


def test_torch_runs_the_avx2_kernels():
    assert torch.__version__.startswith("2.13")
    assert torch.backends.cpu.get_cpu_capability() == "AVX2"


# ---- randn / rand over seeds, sizes and dtypes ------------------------------------------------


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("seed", SEEDS)
def test_randn_then_rand(seed, n, dtype):
    g, tg = pair(seed)
    dt = NP[dtype]
    assert_same(rg.normal(g, n, dt), torch.randn(n, dtype=dtype, generator=tg))
    # a following small randn uses the sample cached by an odd scalar-path call
    assert_same(rg.normal(g, 3, dt), torch.randn(3, dtype=dtype, generator=tg))
    assert_same(rg.uniform(g, n, dt), torch.rand(n, dtype=dtype, generator=tg))
    assert_same_state(g, tg)


def test_randn_one_million_float32():
    g, tg = pair(2024)
    assert_same(rg.normal(g, 10**6, np.float32), torch.randn(10**6, generator=tg))
    assert_same(rg.normal(g, 10**6 + 5, np.float32), torch.randn(10**6 + 5, generator=tg))
    assert_same_state(g, tg)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16])
def test_large_normals_with_a_tail_and_mean_std(dtype):
    g, tg = pair(31)
    n = 70_001  # several passes of the chunked kernel, then a tail block
    assert_same(rg.normal(g, n, NP[dtype], 0.25, 1.5),
                torch.empty(n, dtype=dtype).normal_(0.25, 1.5, generator=tg))
    assert_same(rg.normal(g, n, NP[dtype]), torch.randn(n, dtype=dtype, generator=tg))
    assert_same_state(g, tg)


@pytest.mark.parametrize("n", [1, 7, 16, 17, 33, 60, 1000, 4097])
@pytest.mark.parametrize("seed", [0, 5])
def test_float16_normal_and_uniform(seed, n):
    g, tg = pair(seed)
    assert_same(rg.normal(g, n, np.float16), torch.randn(n, dtype=torch.float16, generator=tg))
    assert_same(rg.normal(g, n, np.float16, -1.5, 0.25),
                torch.empty(n, dtype=torch.float16).normal_(-1.5, 0.25, generator=tg))
    assert_same(rg.uniform(g, n, np.float16), torch.rand(n, dtype=torch.float16, generator=tg))
    assert_same(rg.uniform(g, n, np.float16, -0.3, 0.7),
                torch.empty(n, dtype=torch.float16).uniform_(-0.3, 0.7, generator=tg))
    assert_same_state(g, tg)


def test_float16_uniform_never_returns_high():
    g, tg = pair(0)
    ours, theirs = rg.uniform(g, 200_000, np.float16), torch.rand(200_000, dtype=torch.float16,
                                                                  generator=tg)
    assert_same(ours, theirs)
    assert ours.max() < 1


# ---- call sequences sharing one stream --------------------------------------------------------


def _noncontig(n, dtype=torch.float32):
    return torch.empty(n, 2, dtype=dtype)[:, 0]


SEQUENCES = {
    # the seed tutorial: randn(3, 5) leaves a cached sample that randn(2, 3) uses first
    "tutorial": [
        (lambda g: rg.normal(g, 15, np.float32), lambda t: torch.randn(3, 5, generator=t)),
        (lambda g: rg.normal(g, 6, np.float32), lambda t: torch.randn(2, 3, generator=t)),
    ],
    "rand_randn_randint": [
        (lambda g: rg.uniform(g, 4, np.float32), lambda t: torch.rand(4, generator=t)),
        (lambda g: rg.normal(g, 20, np.float32), lambda t: torch.randn(20, generator=t)),
        (lambda g: rg.randint(g, 5, 0, 10), lambda t: torch.randint(0, 10, (5,), generator=t)),
        (lambda g: rg.normal(g, 1, np.float32), lambda t: torch.randn(1, generator=t)),
        (lambda g: rg.randint(g, 7, -3, 2**40),
         lambda t: torch.randint(-3, 2**40, (7,), generator=t)),
    ],
    "randperm": [
        (lambda g: rg.randperm(g, 10), lambda t: torch.randperm(10, generator=t)),
        (lambda g: rg.randperm(g, 1000, np.float32),
         lambda t: torch.randperm(1000, dtype=torch.float32, generator=t)),
        (lambda g: rg.randperm(g, 1), lambda t: torch.randperm(1, generator=t)),
        (lambda g: rg.randperm(g, 0), lambda t: torch.randperm(0, generator=t)),
        (lambda g: rg.normal(g, 3, np.float32), lambda t: torch.randn(3, generator=t)),
        (lambda g: rg.randperm(g, 300, np.int16),
         lambda t: torch.randperm(300, dtype=torch.int16, generator=t)),
    ],
    "bernoulli": [
        (lambda g: rg.bernoulli_scalar(g, 100, 0.3, np.float32),
         lambda t: torch.empty(100).bernoulli_(0.3, generator=t)),
        (lambda g: rg.bernoulli_scalar(g, 33, 0.5, np.bool_),
         lambda t: torch.empty(33, dtype=torch.bool).bernoulli_(0.5, generator=t)),
        (lambda g: rg.bernoulli_scalar(g, 9, 1.0, np.int64),
         lambda t: torch.empty(9, dtype=torch.int64).bernoulli_(1.0, generator=t)),
        (lambda g: rg.bernoulli_tensor(g, np.linspace(0, 1, 50, dtype=np.float32).reshape(5, 10)),
         lambda t: torch.bernoulli(torch.linspace(0, 1, 50).reshape(5, 10), generator=t)),
        (lambda g: rg.bernoulli_tensor(g, np.linspace(0, 1, 40)),
         lambda t: torch.bernoulli(torch.linspace(0, 1, 40, dtype=torch.float64), generator=t)),
        (lambda g: rg.bernoulli_tensor(g, np.full(20, 0.25, np.float16)),
         lambda t: torch.bernoulli(torch.full((20,), 0.25, dtype=torch.float16), generator=t)),
    ],
    "normal_mean_std": [
        (lambda g: rg.normal(g, 7, np.float32, 2.0, 0.5),
         lambda t: torch.empty(7).normal_(2.0, 0.5, generator=t)),
        (lambda g: rg.normal(g, 100, np.float32, -1.25, 3.0),
         lambda t: torch.empty(100).normal_(-1.25, 3.0, generator=t)),
        (lambda g: rg.normal(g, 33, np.float64, 0.1, 0.7),
         lambda t: torch.empty(33, dtype=torch.float64).normal_(0.1, 0.7, generator=t)),
        (lambda g: rg.normal(g, 5, np.float64, 1e10, 1e-3),
         lambda t: torch.empty(5, dtype=torch.float64).normal_(1e10, 1e-3, generator=t)),
        (lambda g: rg.normal(g, 51, np.float32, 0.0, 1.0, contiguous=False),
         lambda t: _noncontig(51).normal_(generator=t)),
        (lambda g: rg.normal(g, 40, np.float64, 3.0, 2.0, contiguous=False),
         lambda t: _noncontig(40, torch.float64).normal_(3.0, 2.0, generator=t)),
        (lambda g: rg.normal(g, 16, np.float32, 0.0, 0.0),
         lambda t: torch.empty(16).normal_(0.0, 0.0, generator=t)),
    ],
    "uniform_range": [
        (lambda g: rg.uniform(g, 50, np.float32, -0.3, 0.7),
         lambda t: torch.empty(50).uniform_(-0.3, 0.7, generator=t)),
        (lambda g: rg.uniform(g, 1000, np.float32, 1e6, 1e6 + 1),
         lambda t: torch.empty(1000).uniform_(1e6, 1e6 + 1, generator=t)),
        (lambda g: rg.uniform(g, 50, np.float64, -1 / 3, 2 / 3),
         lambda t: torch.empty(50, dtype=torch.float64).uniform_(-1 / 3, 2 / 3, generator=t)),
        (lambda g: rg.uniform(g, 3000, np.float64, 1e15, 1e15 + 1),
         lambda t: torch.empty(3000, dtype=torch.float64).uniform_(1e15, 1e15 + 1,
                                                                   generator=t)),
        (lambda g: rg.uniform(g, 20, np.float32, -0.125, 0.125),
         lambda t: torch.empty(20).uniform_(-0.125, 0.125, generator=t)),
        (lambda g: rg.uniform(g, 30, np.float32, 5.0, 5.0),
         lambda t: torch.empty(30).uniform_(5.0, 5.0, generator=t)),
    ],
    "exponential": [
        (lambda g: rg.exponential(g, 100, np.float32),
         lambda t: torch.empty(100).exponential_(generator=t)),
        (lambda g: rg.exponential(g, 1000, np.float64, 2.5),
         lambda t: torch.empty(1000, dtype=torch.float64).exponential_(2.5, generator=t)),
        (lambda g: rg.exponential(g, 50, np.float16, 0.3),
         lambda t: torch.empty(50, dtype=torch.float16).exponential_(0.3, generator=t)),
        (lambda g: rg.exponential(g, 5, np.float32, float("inf")),
         lambda t: torch.empty(5).exponential_(float("inf"), generator=t)),
    ],
    "multinomial": [
        (lambda g: rg.multinomial(g, np.array([0.1, 0.2, 0.7], np.float32), 5, True),
         lambda t: torch.multinomial(torch.tensor([0.1, 0.2, 0.7]), 5, True, generator=t)),
        (lambda g: rg.multinomial(g, np.array([0.1, 0.2, 0.7], np.float32), 2),
         lambda t: torch.multinomial(torch.tensor([0.1, 0.2, 0.7]), 2, generator=t)),
        (lambda g: rg.multinomial(g, np.array([[1, 2, 3, 4], [4, 0, 0, 1]], np.float64), 1),
         lambda t: torch.multinomial(torch.tensor([[1.0, 2, 3, 4], [4, 0, 0, 1]],
                                                  dtype=torch.float64), 1, generator=t)),
        (lambda g: rg.multinomial(g, np.array([[1, 2, 3, 4], [4, 0, 0, 1]], np.float32), 4),
         lambda t: torch.multinomial(torch.tensor([[1.0, 2, 3, 4], [4, 0, 0, 1]]), 4,
                                     generator=t)),
        (lambda g: rg.multinomial(g, np.array([[1, 2, 3, 4], [4, 0, 0, 1]], np.float16), 9, True),
         lambda t: torch.multinomial(torch.tensor([[1.0, 2, 3, 4], [4, 0, 0, 1]],
                                                  dtype=torch.float16), 9, True, generator=t)),
        (lambda g: rg.multinomial(g, np.ones(100, np.float32), 3),
         lambda t: torch.multinomial(torch.ones(100), 3, generator=t)),
        (lambda g: rg.normal(g, 1, np.float32), lambda t: torch.randn(1, generator=t)),
    ],
    "random_": [
        (lambda g: rg.random_(g, 10, np.int64), lambda t: torch.empty(10, dtype=torch.int64)
         .random_(generator=t)),
        (lambda g: rg.random_(g, 10, np.float32), lambda t: torch.empty(10).random_(generator=t)),
        (lambda g: rg.random_(g, 10, np.float64, None, 100),
         lambda t: torch.empty(10, dtype=torch.float64).random_(100, generator=t)),
        (lambda g: rg.random_(g, 10, np.int8, -20, None),
         lambda t: torch.empty(10, dtype=torch.int8).random_(-20, None, generator=t)),
        (lambda g: rg.random_(g, 10, np.int64, -(2**63), None),
         lambda t: torch.empty(10, dtype=torch.int64).random_(-(2**63), None, generator=t)),
        (lambda g: rg.random_(g, 10, np.bool_), lambda t: torch.empty(10, dtype=torch.bool)
         .random_(generator=t)),
        (lambda g: rg.random_(g, 10, np.uint8, 3, 250),
         lambda t: torch.empty(10, dtype=torch.uint8).random_(3, 250, generator=t)),
    ],
    "float16_mix": [
        (lambda g: rg.normal(g, 40, np.float16), lambda t: torch.randn(40, dtype=torch.float16,
                                                                        generator=t)),
        (lambda g: rg.normal(g, 5, np.float16), lambda t: torch.randn(5, dtype=torch.float16,
                                                                       generator=t)),
        (lambda g: rg.normal(g, 2, np.float32), lambda t: torch.randn(2, generator=t)),
        (lambda g: rg.uniform(g, 17, np.float16, 2.0, 3.0),
         lambda t: torch.empty(17, dtype=torch.float16).uniform_(2.0, 3.0, generator=t)),
    ],
    "cache_across_dtypes": [
        (lambda g: rg.normal(g, 1, np.float64), lambda t: torch.randn(1, dtype=torch.float64,
                                                                       generator=t)),
        (lambda g: rg.normal(g, 20, np.float32), lambda t: torch.randn(20, generator=t)),
        (lambda g: rg.normal(g, 2, np.float32), lambda t: torch.randn(2, generator=t)),
        (lambda g: rg.normal(g, 0, np.float32), lambda t: torch.randn(0, generator=t)),
        (lambda g: rg.normal(g, 1, np.float16), lambda t: torch.randn(1, dtype=torch.float16,
                                                                       generator=t)),
    ],
}


@pytest.mark.parametrize("name", sorted(SEQUENCES))
@pytest.mark.parametrize("seed", SEEDS)
def test_sequences(seed, name):
    g, tg = pair(seed)
    for step, (ours, theirs) in enumerate(SEQUENCES[name]):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a, b = ours(g), theirs(tg)
        b = as_array(b)
        assert_same(np.asarray(a).reshape(b.shape), b), step
        assert_same_state(g, tg)


# ---- randint / random_ over dtypes and ranges -------------------------------------------------

INT_RANGES = [(0, 10), (-5, 5), (0, 2), (-100, 100), (0, 2**31 - 1), (-(2**31), 2**31 - 1),
              (0, 2**32), (-(2**40), 2**40), (0, 2**63 - 1), (-(2**63), 2**63 - 1), (3, 250),
              (0, 2**24 + 7), (-(2**53), 2**53), (0, 2049)]


@pytest.mark.parametrize("dtype", [torch.int64, torch.int32, torch.int16, torch.int8,
                                   torch.uint8, torch.bool, torch.float32, torch.float64,
                                   torch.float16])
def test_randint_all_dtypes_and_ranges(dtype):
    g, tg = pair(11)
    for low, high in INT_RANGES:
        try:
            with warnings.catch_warnings(record=True) as theirs_w:
                warnings.simplefilter("always")
                expected = torch.randint(low, high, (37,), dtype=dtype, generator=tg)
        except RuntimeError as e:
            with pytest.raises(RuntimeError) as ours_e:
                rg.randint(g, 37, low, high, NP[dtype])
            assert str(ours_e.value) == str(e).split("\n")[0]
            continue
        with warnings.catch_warnings(record=True) as ours_w:
            warnings.simplefilter("always")
            got = rg.randint(g, 37, low, high, NP[dtype])
        assert_same(got, expected)
        assert [str(w.message).split(" (Triggered")[0] for w in theirs_w] == [
            str(w.message) for w in ours_w]
        assert_same_state(g, tg)


@pytest.mark.parametrize("dtype", [torch.int64, torch.int32, torch.int16, torch.int8,
                                   torch.uint8, torch.bool, torch.float32, torch.float64,
                                   torch.float16])
def test_random_forms(dtype):
    g, tg = pair(12)
    dt = NP[dtype]
    forms = [((), (None, None)), ((7,), (None, 7)), ((1, 5), (1, 5)), ((-3, None), (-3, None)),
             ((0, None), (0, None)), ((-(2**63), None), (-(2**63), None)),
             ((100, None), (100, None)), ((2**20, None), (2**20, None))]
    for args, (low, high) in forms:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                expected = torch.empty(25, dtype=dtype).random_(*args, generator=tg)
        except (RuntimeError, NotImplementedError) as e:
            with pytest.raises(type(e)) as ours_e, warnings.catch_warnings():
                warnings.simplefilter("ignore")
                rg.random_(g, 25, dt, low, high)
            assert str(ours_e.value) == str(e).split("\n")[0]
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert_same(rg.random_(g, 25, dt, low, high), expected)
        assert_same_state(g, tg)


# ---- multinomial ------------------------------------------------------------------------------


def test_multinomial_random_cases_with_ties():
    rng = np.random.default_rng(3)
    g, tg = pair(77)
    for _ in range(300):
        rows, cats = int(rng.integers(1, 4)), int(rng.integers(1, 80))
        p = rng.random((rows, cats)).astype(rng.choice([np.float32, np.float64]))
        p[p < rng.random()] = 0  # zero probabilities tie at q = 0
        p[:, int(rng.integers(cats))] += 0.5
        k = int(rng.integers(1, cats + 1))
        replacement = bool(rng.integers(2))
        if replacement:
            k = int(rng.integers(1, 3 * cats))
        src = p[0] if rows == 1 and rng.integers(2) else p
        assert_same(rg.multinomial(g, src, k, replacement),
                    torch.multinomial(torch.from_numpy(src), k, replacement, generator=tg))
    assert_same_state(g, tg)


# ---- state ------------------------------------------------------------------------------------


def test_fresh_generator_and_state_layout():
    g, tg = rg.Generator(), torch.Generator()
    assert g.initial_seed() == tg.initial_seed() == 67280421310721
    assert g.device == "cpu"
    assert_same_state(g, tg)
    state = g._get_state_bytes()
    assert state.dtype == np.uint8 and state.shape == (5056,)


def test_set_state_round_trip_and_cross_library():
    g, tg = pair(99)
    rg.normal(g, 5, np.float32)
    torch.randn(5, generator=tg)  # leaves a cached sample in both
    saved = g._get_state_bytes()
    first = [rg.normal(g, 7, np.float32), rg.uniform(g, 700, np.float64), rg.randperm(g, 30)]
    g.manual_seed(5)
    g._set_state_bytes(saved)
    again = [rg.normal(g, 7, np.float32), rg.uniform(g, 700, np.float64), rg.randperm(g, 30)]
    for a, b in zip(first, again, strict=True):
        assert_same(a, b)
    # torch's state bytes drive our generator and vice versa
    g2 = rg.Generator()
    g2._set_state_bytes(tg.get_state().numpy())
    tg2 = torch.Generator()
    tg2.set_state(torch.from_numpy(saved.copy()))
    for gen, tgen in ((g2, tg), (g, tg2)):
        if gen is g:
            g._set_state_bytes(saved)
        assert_same(rg.normal(gen, 7, np.float32), torch.randn(7, generator=tgen))
        assert_same_state(gen, tgen)


@pytest.mark.parametrize(("left", "nxt"), [(1, 0), (1, 624), (1, 17), (600, 25), (5, 3),
                                           (2, 622), (624, 1), (300, 100)])
def test_hand_written_states(left, nxt):
    tg = torch.Generator().manual_seed(8)
    torch.rand(1000, generator=tg)
    state = tg.get_state().numpy().copy()
    state[8:12] = np.frombuffer(np.int32(left).tobytes(), np.uint8)
    state[16:24] = np.frombuffer(np.uint64(nxt).tobytes(), np.uint8)
    tg.set_state(torch.from_numpy(state))
    g = rg.Generator()
    g._set_state_bytes(state)
    assert_same_state(g, tg)
    for n in (1, 3, 700):
        assert_same(rg.uniform(g, n, np.float32), torch.rand(n, generator=tg))
        assert_same_state(g, tg)


def test_set_state_errors():
    g, tg = rg.Generator(), torch.Generator()
    with pytest.raises(RuntimeError) as e:
        g._set_state_bytes(np.zeros(10, np.uint8))
    with pytest.raises(RuntimeError) as te:
        tg.set_state(torch.zeros(10, dtype=torch.uint8))
    assert str(e.value) == str(te.value)
    with pytest.raises(TypeError, match=r"RNG state must be a torch\.ByteTensor"):
        g._set_state_bytes(np.zeros(5056, np.float32))
    bad = tg.get_state().numpy().copy()
    bad[12] = 0  # not seeded
    with pytest.raises(RuntimeError) as e:
        g._set_state_bytes(bad)
    with pytest.raises(RuntimeError) as te:
        tg.set_state(torch.from_numpy(bad))
    assert str(e.value) == str(te.value).split("\n")[0]


# ---- seeds ------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, -1, -(2**63), 2**63, 2**64 - 1, 2**64, -(2**63) - 1,
                                  2**100, 1.5, "a", True, None, np.int64(5)])
def test_manual_seed_values_and_errors(seed):
    g, tg = rg.Generator(), torch.Generator()
    try:
        tg.manual_seed(seed)
    except Exception as e:
        with pytest.raises(type(e)) as ours:
            g.manual_seed(seed)
        assert str(ours.value) == str(e)
        return
    assert g.manual_seed(seed) is g
    assert g.initial_seed() == tg.initial_seed()
    assert_same_state(g, tg)
    assert_same(rg.normal(g, 20, np.float32), torch.randn(20, generator=tg))


def test_seed_equivalences():
    g = rg.Generator()
    a = rg.normal(g.manual_seed(2**32 + 1), 50, np.float32)
    assert_same(a, rg.normal(g.manual_seed(1), 50, np.float32))
    assert g.manual_seed(2**32 + 1).initial_seed() == 2**32 + 1
    assert g.manual_seed(-1).initial_seed() == 2**64 - 1
    # manual_seed clears the cached normal sample
    rg.normal(g.manual_seed(3), 1, np.float64)
    b = rg.normal(g.manual_seed(3), 2, np.float64)
    assert_same(b, rg.normal(g.manual_seed(3), 2, np.float64))


def test_nondeterministic_seeds():
    g = rg.Generator()
    s = g.seed()
    assert 0 <= s < 2**53 and g.initial_seed() == s
    assert rg.default_generator.initial_seed() != 67280421310721
    assert g.seed() != s  # 2**-53 chance of a false failure


# ---- errors match torch's -----------------------------------------------------------------------

ERROR_CASES = [
    (lambda g: rg.normal(g, 3, np.float32, 0.0, -1.0), lambda t: torch.empty(3).normal_(0, -1)),
    (lambda g: rg.normal(g, 0, np.float32, 0.0, float("nan")),
     lambda t: torch.empty(0).normal_(0, float("nan"))),
    (lambda g: rg.normal(g, 3, np.int64), lambda t: torch.empty(3, dtype=torch.int64).normal_()),
    (lambda g: rg.uniform(g, 3, np.float32, 2, 1), lambda t: torch.empty(3).uniform_(2, 1)),
    (lambda g: rg.uniform(g, 3, np.float32, -3e38, 3e38),
     lambda t: torch.empty(3).uniform_(-3e38, 3e38)),
    (lambda g: rg.uniform(g, 3, np.float32, -1e39, 1), lambda t: torch.empty(3).uniform_(-1e39, 1)),
    (lambda g: rg.uniform(g, 3, np.float16, 0, 1e5),
     lambda t: torch.empty(3, dtype=torch.float16).uniform_(0, 1e5)),
    (lambda g: rg.uniform(g, 3, np.int64), lambda t: torch.empty(3, dtype=torch.int64).uniform_()),
    (lambda g: rg.exponential(g, 3, np.float32, -1), lambda t: torch.empty(3).exponential_(-1)),
    (lambda g: rg.exponential(g, 3, np.float32, 0), lambda t: torch.empty(3).exponential_(0)),
    (lambda g: rg.exponential(g, 3, np.float32, float("nan")),
     lambda t: torch.empty(3).exponential_(float("nan"))),
    (lambda g: rg.exponential(g, 3, np.int32),
     lambda t: torch.empty(3, dtype=torch.int32).exponential_()),
    (lambda g: rg.bernoulli_scalar(g, 3, 1.5, np.float32),
     lambda t: torch.empty(3).bernoulli_(1.5)),
    (lambda g: rg.bernoulli_scalar(g, 3, float("nan"), np.float32),
     lambda t: torch.empty(3).bernoulli_(float("nan"))),
    (lambda g: rg.bernoulli_tensor(g, np.array([0.5, 1.5], np.float32)),
     lambda t: torch.bernoulli(torch.tensor([0.5, 1.5]))),
    (lambda g: rg.bernoulli_tensor(g, np.array([1, 0])),
     lambda t: torch.bernoulli(torch.tensor([1, 0]))),
    (lambda g: rg.randint(g, 3, 5, 5), lambda t: torch.randint(5, 5, (3,))),
    (lambda g: rg.randint(g, 3, 0, 300, np.uint8),
     lambda t: torch.randint(0, 300, (3,), dtype=torch.uint8)),
    (lambda g: rg.randint(g, 3, -1, 3, np.uint8),
     lambda t: torch.randint(-1, 3, (3,), dtype=torch.uint8)),
    (lambda g: rg.randint(g, 3, 0, 3, np.bool_),
     lambda t: torch.randint(0, 3, (3,), dtype=torch.bool)),
    (lambda g: rg.random_(g, 3, np.float32, None, -5), lambda t: torch.empty(3).random_(-5)),
    (lambda g: rg.random_(g, 3, np.int8, -500, None),
     lambda t: torch.empty(3, dtype=torch.int8).random_(-500, None)),
    (lambda g: rg.random_(g, 3, np.int16, -(2**63), None),
     lambda t: torch.empty(3, dtype=torch.int16).random_(-(2**63), None)),
    (lambda g: rg.random_(g, 3, np.float16, -(2**63), None),
     lambda t: torch.empty(3, dtype=torch.float16).random_(-(2**63), None)),
    (lambda g: rg.random_(g, 3, np.float32, 2**30, None),
     lambda t: torch.empty(3).random_(2**30, None)),
    (lambda g: rg.randperm(g, -1), lambda t: torch.randperm(-1)),
    (lambda g: rg.randperm(g, 3000, np.float16),
     lambda t: torch.randperm(3000, dtype=torch.float16)),
    (lambda g: rg.randperm(g, 300, np.int8), lambda t: torch.randperm(300, dtype=torch.int8)),
    (lambda g: rg.randperm(g, 3, np.bool_), lambda t: torch.randperm(3, dtype=torch.bool)),
    (lambda g: rg.multinomial(g, np.array([0.1, 0.2], np.float32), 3),
     lambda t: torch.multinomial(torch.tensor([0.1, 0.2]), 3)),
    (lambda g: rg.multinomial(g, np.array([[0.1, 0.2]], np.float32), 0, True),
     lambda t: torch.multinomial(torch.tensor([[0.1, 0.2]]), 0, True)),
    (lambda g: rg.multinomial(g, np.array([0.1, -0.2], np.float32), 1, True),
     lambda t: torch.multinomial(torch.tensor([0.1, -0.2]), 1, True)),
    (lambda g: rg.multinomial(g, np.array([0.1, -0.2, 0.3], np.float32), 2, True),
     lambda t: torch.multinomial(torch.tensor([0.1, -0.2, 0.3]), 2, True)),
    (lambda g: rg.multinomial(g, np.array([0.1, np.inf], np.float32), 2, True),
     lambda t: torch.multinomial(torch.tensor([0.1, float("inf")]), 2, True)),
    (lambda g: rg.multinomial(g, np.array([np.nan, np.inf], np.float32), 2, True),
     lambda t: torch.multinomial(torch.tensor([float("nan"), float("inf")]), 2, True)),
    (lambda g: rg.multinomial(g, np.array([0.0, 0.0], np.float32), 2, True),
     lambda t: torch.multinomial(torch.tensor([0.0, 0.0]), 2, True)),
    (lambda g: rg.multinomial(g, np.array([1.0, np.nan], np.float32), 1),
     lambda t: torch.multinomial(torch.tensor([1.0, float("nan")]), 1)),
    (lambda g: rg.multinomial(g, np.array([[1.0, 1.0], [0.0, 0.0]], np.float32), 1),
     lambda t: torch.multinomial(torch.tensor([[1.0, 1.0], [0.0, 0.0]]), 1)),
    (lambda g: rg.multinomial(g, np.ones((1, 1, 1), np.float32), 1, True),
     lambda t: torch.multinomial(torch.ones(1, 1, 1), 1, True)),
    (lambda g: rg.multinomial(g, np.array([1, 2]), 1), lambda t: torch.multinomial(
        torch.tensor([1, 2]), 1)),
    (lambda g: rg.multinomial(g, np.zeros(0, np.float32), 1, True),
     lambda t: torch.multinomial(torch.zeros(0), 1, True)),
]


@pytest.mark.parametrize("case", range(len(ERROR_CASES)))
def test_errors_match_torch(case):
    ours, theirs = ERROR_CASES[case]
    with pytest.raises(Exception) as te:
        theirs(torch.Generator())
    with pytest.raises(type(te.value)) as e:
        ours(rg.Generator())
    assert str(e.value) == str(te.value).split("\n")[0]


def test_multinomial_ties_follow_atens_topk(monkeypatch):
    """Zero probabilities tie at q = 0: which zeros topk returns, and in which order, comes from
    libstdc++'s nth_element/sort or partial_sort (k * 64 <= n), replayed by the generator."""
    calls = {"select": 0, "heap": 0}
    replay = rg._libstdcxx_topk

    def counting(values, k):
        calls["heap" if k * 64 <= len(values) else "select"] += 1
        return replay(values, k)

    monkeypatch.setattr(rg, "_libstdcxx_topk", counting)
    rng = np.random.default_rng(5)
    g, tg = pair(6)
    for trial in range(160):
        cats = int(rng.choice([5, 20, 130, 300]))
        p = np.zeros(cats, np.float32)
        nonzero = int(rng.integers(1, 6))
        p[rng.choice(cats, nonzero, replace=False)] = rng.random(nonzero) + 0.1
        k = min(cats, nonzero + int(rng.integers(1, 8))) if trial % 2 else int(rng.integers(2, 5))
        assert_same(rg.multinomial(g, p, k),
                    torch.multinomial(torch.from_numpy(p), k, generator=tg))
    assert calls["select"] > 20 and calls["heap"] > 5


def test_fma_helpers_round_once():
    """The float32 and float64 fma emulations against exact rational arithmetic, including
    sums that a plain float64 evaluation would round twice."""
    from fractions import Fraction

    rng = np.random.default_rng(0)
    a32, b32, c32 = (rng.standard_normal(3000).astype(np.float32) for _ in range(3))
    # a crafted double rounding: the float64 sum lands on a float32 midpoint, ties go up
    a32[0], b32[0], c32[0] = 1 + 2**-23, 2**-24 * (1 - 2**-23), 1 + 2**-23

    def round_f32(value):  # correctly rounded, ties to even (float(value) would round twice)
        guess = np.float32(float(value))
        near = [np.nextafter(guess, np.float32(-np.inf)), guess,
                np.nextafter(guess, np.float32(np.inf))]
        return min(near, key=lambda f: (abs(Fraction(float(f)) - value),
                                        int(np.float32(f).view(np.uint32)) & 1))

    exact = [round_f32(Fraction(float(x)) * Fraction(float(y)) + Fraction(float(z)))
             for x, y, z in zip(a32, b32, c32, strict=True)]
    assert_same(rg._fma32(a32, b32, c32), np.array(exact, np.float32))
    a, b, c = (rng.standard_normal(3000) for _ in range(3))
    a[:2], b[:2], c[:2] = 1 + 2**-52, [1 + 2**-52, 1 - 2**-53], -1.0
    exact = [float(Fraction(x) * Fraction(y) + Fraction(z)) for x, y, z in zip(a, b, c,
                                                                                strict=True)]
    assert_same(rg._fma64(a, b, c), np.array(exact))
