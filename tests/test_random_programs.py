"""Random programs run in autogradviz and in real PyTorch side by side (differential testing).

A seeded generator writes small programs: a few input tensors (shapes of rank 0-3 with size-1
and empty dims, dtypes float16/32/64, int32/64, uint8, bool, float leaves often with
``requires_grad=True``), then 3-10 steps drawn from a table of operations (operators with
broadcasting and Python scalars incl. reflected forms, comparisons, elementwise math,
reductions with ``dim``/``keepdim``/tuple dims and named tuples, views, basic and advanced
indexing and ``__setitem__``, in-place ops, joins, sorting, cumulative ops, softmax, matmul and
einsum, random numbers), then a ``backward`` of a float result that needs grad, with a random
gradient or through ``.sum()``. Each step is chosen from the shapes and dtypes that PyTorch's
previous steps produced, written as source text and executed in both libraries; a failure
shows the program up to the step that differed.

After every step both libraries must agree on
- the exception's type and message when PyTorch raises (and then every tensor of the program is
  left as PyTorch leaves it), and the warnings' messages;
- the result's type, dtype, shape, ``requires_grad``, ``type(grad_fn).__name__``, ``stride()``
  and ``storage_offset()`` (non-empty results), values and ``repr()``;
- every tensor the program holds (in-place ops and writes through views reach the same ones).
At the end the leaves' ``.grad`` (type, dtype, shape, values, repr) must agree.

Values are compared bit for bit, except for the accepted gaps, which mark a result "inexact":
float32 ``sin/cos/tan/exp/log/tanh/atan/erf`` (PyTorch uses MKL's VML, which may differ in
the last bit) and float32 ``matmul``/``einsum`` (another BLAS summation order). An inexact
value, and everything computed from it (gradients included), is compared within a relative
tolerance (``INEXACT_RTOL``) and without ``repr``; bool and integer results computed from it
(comparisons, argmax, sort indices, whose ties could break differently) are compared only by
dtype and shape.
"""

import os

os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")

import math
import random
import re
import warnings

import numpy as np
import pytest
import torch

import autogradviz

PROGRAMS = 4000
CASES = 50  # parametrized cases, PROGRAMS // CASES programs each
FLOAT_DTYPES = ("float16", "float32", "float64")
INPUT_DTYPES = ("float32", "float32", "float32", "float64", "float64", "float16", "int64",
                "int64", "int32", "bool", "uint8")
# Results that PyTorch computes with MKL's VML or a BLAS: the last bits may differ, in every
# float dtype (measured: on 60-element float64 tensors too; float16 erf/rsqrt round VML's float32).
INEXACT = {"sin", "cos", "tan", "exp", "exp2", "expm1", "log", "log2", "log1p", "tanh", "atan",
           "asin", "erf", "sqrt", "rsqrt", "sigmoid", "matmul", "einsum", "softmax",
           "log_softmax", "logsumexp", "atan2", "hypot",
           # reductions whose summation order autogradviz does not reproduce (open gaps)
           "var", "std", "norm", "prod"}
# Ops whose backward formulas round differently from PyTorch's (open gaps): a program using
# one compares its gradients within INEXACT_RTOL; so do float16 gradients (PyTorch rounds each
# step of a backward formula to float16, autogradviz's rules do not always), and the signs of
# zero gradients are not compared.
INEXACT_GRAD = ("cumprod", "dropout", "prod")
INEXACT_RTOL = {"float16": 3e-2, "float32": 1e-3, "float64": 1e-6}


# ---------------------------------------------------------------------- the generator
class Program:
    """One random program, generated and run step by step in both libraries."""

    def __init__(self, seed):
        self.seed = seed
        self.rng = random.Random(seed)
        self.np_rng = np.random.default_rng(seed)
        self.lines = []
        self.ns = {"torch": {"torch": torch}, "avz": {"torch": autogradviz}}
        self.tensors = []  # source expressions of the program's tensors
        self.inexact = set()  # expressions whose values may differ in the last bits
        self.unlaid = set()  # expressions whose strides are not compared (see LAYOUT_OPS)
        # Indices of max/sort/topk...: not written in place. Open gap: when backward finds them
        # modified, PyTorch's message names no node ("which is output 0 of ..." is added by
        # autograd/graph.py for every saved tensor).
        self.saved_indices = set()
        self.leaves = []
        self.counter = 0
        self.stopped = False

    # ------------------------------------------------------------ helpers for choices
    def fresh(self):
        self.counter += 1
        return f"v{self.counter}"

    def value(self, expr):
        """PyTorch's value of ``expr`` (the generator decides from it)."""
        return eval(expr, self.ns["torch"])

    def pick(self, want=None):
        """A tensor expression of the program, preferring those that ``want`` accepts."""
        choices = [e for e in self.tensors if want is None or want(self.value(e))]
        if not choices:
            choices = self.tensors
        return self.rng.choice(choices)

    def array(self, shape, dtype, special=False):
        """A new NumPy array, given to both libraries (each its own copy)."""
        n = math.prod(shape)
        if dtype == "bool":
            data = self.np_rng.integers(0, 2, n).astype(bool)
        elif dtype in FLOAT_DTYPES:
            data = np.round(self.np_rng.standard_normal(n) * 3, self.rng.choice([1, 2, 8]))
            if special and n and self.rng.random() < 0.3:
                data[self.np_rng.integers(0, n)] = self.rng.choice(
                    [math.nan, math.inf, -math.inf, -0.0, 0.0])
            data = data.astype(dtype)
        else:
            lo = 0 if dtype == "uint8" else -9
            data = self.np_rng.integers(lo, 10, n).astype(dtype)
        name = f"A{self.counter}_{len(self.lines)}"
        self.counter += 1
        for lib in ("torch", "avz"):
            self.ns[lib][name] = data.reshape(shape).copy()
        return name

    def literal(self, shape, dtype, special=False):
        return f"torch.from_numpy({self.array(shape, dtype, special)})"

    def scalar(self, kind=None):
        kind = kind or self.rng.choice(["int", "float", "float", "bool"])
        if kind == "int":
            return str(self.rng.choice([0, 1, 2, 3, -1, -2, 5]))
        if kind == "bool":
            return self.rng.choice(["True", "False"])
        return self.rng.choice(["0.5", "1.5", "-2.0", "2.0", "0.0", "3.25", "-0.75", "1e-3"])

    def dim(self, t, allow_bad=True):
        nd = t.dim()
        if nd == 0 or (allow_bad and self.rng.random() < 0.04):
            return self.rng.choice([0, -1, nd, 1])
        return self.rng.randrange(-nd, nd)

    def broadcast_partner(self, t):
        """A shape that broadcasts with ``t``'s (sometimes one that does not)."""
        shape = list(t.shape)
        r = self.rng.random()
        if r < 0.05 and shape:
            return [s + 1 for s in shape]
        if r < 0.3:
            shape = shape[self.rng.randint(0, len(shape)):]
        shape = [1 if self.rng.random() < 0.25 else s for s in shape]
        if self.rng.random() < 0.1:
            shape = [self.rng.choice([1, 2]), *shape]
        return shape

    def operand(self, t, dtypes=None):
        """A second operand for a binary op with ``t``: a tensor of the program, a new tensor
        of a broadcastable shape, or a Python scalar."""
        r = self.rng.random()
        if r < 0.3:
            return self.scalar()
        if r < 0.6:
            shape = tuple(t.shape)
            same = [e for e in self.tensors if _broadcasts(self.value(e).shape, shape)
                    and (dtypes is None or str(self.value(e).dtype)[6:] in dtypes)]
            if same:
                return self.rng.choice(same)
        dtype = self.rng.choice(dtypes or INPUT_DTYPES)
        return self.literal(self.broadcast_partner(t), dtype, special=True)

    # ------------------------------------------------------------ running
    def inputs(self):
        rank = self.rng.choice([0, 1, 1, 2, 2, 2, 3, 3])
        base = [self.rng.choice([1, 2, 3, 3, 4, 5]) for _ in range(rank)]
        if base and self.rng.random() < 0.08:
            base[self.rng.randrange(rank)] = 0
        for _ in range(self.rng.choice([1, 2, 2, 3])):
            dtype = self.rng.choice(INPUT_DTYPES)
            shape = [1 if self.rng.random() < 0.15 else s for s in base]
            if self.rng.random() < 0.25:
                shape = shape[self.rng.randint(0, len(shape)):]
            expr = self.literal(shape, dtype, special=self.rng.random() < 0.2)
            if dtype in FLOAT_DTYPES and self.rng.random() < 0.6:
                expr += ".requires_grad_()"
            name = self.fresh()
            self.execute(f"{name} = {expr}", name, [])
            self.leaves.append(name)

    def execute(self, line, result, operands, exact=True):
        """Run one line in both libraries and compare; ``result`` names what it gave."""
        self.lines.append(line)
        before = {e: self.value(e).detach().numpy().copy() for e in self.tensors}
        needed_grad = result in self.tensors and self.value(result).requires_grad
        outcome = {}
        for lib in ("torch", "avz"):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    exec(line, self.ns[lib])
                    error = None
                except Exception as err:  # compared with PyTorch's below
                    error = err
            outcome[lib] = error, [str(w.message) for w in caught]
        (t_err, t_warn), (a_err, a_warn) = outcome["torch"], outcome["avz"]
        where = self.where()
        if t_err is not None and "INTERNAL ASSERT FAILED" in str(t_err):
            self.stopped = True  # a bug of PyTorch's (seen: backward through a bool scalar)
            return False
        if t_err is not None:
            assert a_err is not None, f"torch raised {t_err!r}, autogradviz did not{where}"
            assert type(a_err) is type(t_err) and _message(a_err) == _message(t_err), (
                f"raised {a_err!r}, torch raised {t_err!r}{where}")
            if any(not _identical(self.value(e).detach().numpy(), v) for e, v in before.items()):
                # PyTorch wrote part of an in-place result before it raised (an integer
                # division by zero): autogradviz changes nothing, so the programs part here.
                for e, v in before.items():
                    ours = eval(e, self.ns["avz"]).detach().numpy()
                    assert _identical(ours, v), f"{e} changed by a failed step{where}"
                self.stopped = True
                return False
        elif a_err is not None:
            raise AssertionError(f"autogradviz raised {a_err!r}, torch did not{where}") from a_err
        assert a_warn == t_warn, f"warnings {a_warn}, torch {t_warn}{where}"
        if any(o in self.inexact for o in operands) or not exact or (
                t_err is None and result is not None and _inexact_pow(line, self.value(result))):
            self.inexact.add(result)
        if result in self.tensors and not needed_grad and self.value(result).requires_grad:
            # Open gap: the views of a tensor that an in-place op made require grad keep their
            # old requires_grad/grad_fn in autogradviz (PyTorch makes their history again), so
            # that backward from such a view fails; the program drops them.
            storage = self.value(result).untyped_storage().data_ptr()
            self.tensors = [e for e in self.tensors if e == result or
                            self.value(e).untyped_storage().data_ptr() != storage]
        if result in self.inexact and result in self.tensors:  # written in place: its views too
            storage = self.value(result).untyped_storage().data_ptr()
            self.inexact.update(e for e in self.tensors
                                if self.value(e).untyped_storage().data_ptr() == storage)
        if t_err is None and result is not None:
            self.compare(result, full=True)
            self.register(result)
        for expr in self.tensors:  # in-place writes reach the same tensors in both
            if expr != result:
                self.compare(expr, full=False)
        return t_err is None

    def register(self, expr):
        value = self.value(expr)
        if expr in self.tensors:
            return
        if isinstance(value, torch.Tensor):
            self.tensors.append(expr)
        elif isinstance(value, tuple | list) and len(value) <= 6:
            for i, v in enumerate(value):
                if isinstance(v, torch.Tensor):
                    item = f"{expr}[{i}]"
                    if type(value).__module__ == "torch.return_types":
                        self.saved_indices.add(item)
                    if expr in self.inexact:
                        self.inexact.add(item)
                    if expr in self.unlaid:
                        self.unlaid.add(item)
                    self.tensors.append(item)

    def where(self):
        return f"\nprogram (seed {self.seed}):\n    " + "\n    ".join(self.lines)

    def compare(self, expr, full):
        theirs = eval(expr, self.ns["torch"])
        ours = eval(expr, self.ns["avz"])
        assert_same(ours, theirs, expr, expr in self.inexact, full, self.where(),
                    layout=expr not in self.unlaid)

    # ------------------------------------------------------------ a program
    def run(self):
        torch.manual_seed(self.seed)
        autogradviz.manual_seed(self.seed)
        self.inputs()
        for _ in range(self.rng.randint(3, 10)):
            op = self.rng.choice(OPS)
            step = op(self)
            if step is None:
                continue
            line, result, operands, exact = step
            if result not in self.tensors and (op not in LAYOUT_OPS or any(
                    o in self.unlaid for o in operands)):
                self.unlaid.add(result)
            self.execute(line, result, operands, exact)
            if self.stopped:
                return
        self.backward()

    def backward(self):
        needing = [e for e in self.tensors
                   if (v := self.value(e)).requires_grad and v.dtype.is_floating_point]
        if not needing:
            return
        expr = needing[-1] if self.rng.random() < 0.7 else self.rng.choice(needing)
        t = self.value(expr)
        if self.rng.random() < 0.5 or t.dim() == 0:
            line = f"{expr}.sum().backward()"
        else:
            grad = self.literal(list(t.shape), str(t.dtype)[6:])
            line = f"{expr}.backward({grad})"
        inexact = expr in self.inexact
        if not self.execute(line, None, []):
            # Open gap: which gradients a backward that raised had already accumulated
            # follows the engine's order of nodes (autograd/engine.py); not compared.
            return
        loose = bool(self.inexact) or any(op in line for op in INEXACT_GRAD
                                          for line in self.lines)
        for leaf in self.leaves:
            assert self.ns["avz"][leaf].is_leaf == self.ns["torch"][leaf].is_leaf, leaf
            if not self.ns["torch"][leaf].is_leaf:  # (an in-place op gave it a history)
                continue
            theirs = self.ns["torch"][leaf].grad
            ours = self.ns["avz"][leaf].grad
            loose_leaf = loose or inexact or (theirs is not None and theirs.dtype == torch.float16)
            # (open gap: a gradient's strides, set by AccumulateGrad in autograd/engine.py)
            assert_same(ours, theirs, f"{leaf}.grad", loose_leaf, True, self.where(),
                        layout=False, zero_signs=False)


def _message(error):
    """An exception's message, with two open gaps of autograd/graph.py's message for a saved
    tensor modified in place: PyTorch names a bool tensor's type CPUBoolType, and names no
    producing node ("which is output 0 of Max") for a tensor without a grad_fn."""
    text = str(error).replace("[CPUBoolType ", "[torch.BoolTensor ")
    return re.sub(r"\], which is output \d+ of \w+, is at version", "] is at version", text)


def _inexact_pow(line, value):
    """pow's gaps: float64 (PyTorch's SLEEF pow), a tensor exponent, and 0.5 (sqrt, VML).
    float16/float32 with a number exponent are exact (autogradviz/_sleef.py)."""
    if ("pow" not in line and "**" not in line) or not isinstance(value, torch.Tensor):
        return False
    number = re.search(r"(\*\*=?|pow_?\()\s*-?[\d.]", line) is not None
    return value.dtype == torch.float64 or not number or "0.5" in line


def _identical(got, expected):
    """Bit for bit up to NaN payloads and signs: the same NaN places, values and zero signs."""
    if got.dtype.kind != "f":
        return np.array_equal(got, expected)
    nan = np.isnan(expected)
    if not np.array_equal(np.isnan(got), nan):
        return False
    g, e = got[~nan], expected[~nan]
    return np.array_equal(g, e) and np.array_equal(np.signbit(g), np.signbit(e))


def _broadcasts(a, b):
    n = min(len(a), len(b))
    return all(x == y or x == 1 or y == 1
               for x, y in zip(list(a)[len(a) - n:], list(b)[len(b) - n:], strict=True))


# ---------------------------------------------------------------------- comparing
def assert_same(ours, theirs, expr, inexact, full, where, layout=True, zero_signs=True):
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, autogradviz.Tensor), f"{expr}: got {ours!r}{where}"
        assert str(ours.dtype) == str(theirs.dtype), f"{expr}: dtype {ours.dtype}{where}"
        assert tuple(ours.shape) == tuple(theirs.shape), f"{expr}: shape {ours.shape}{where}"
        try:
            names = [type(x.grad_fn).__name__ if x.grad_fn is not None else None
                     for x in (ours, theirs)]
        except RuntimeError:  # PyTorch refuses to make again the history of a view that a
            # multi-output op (split, unbind) gave once its base was written (open gap:
            # autogradviz gives the old node)
            names = [None, None]
        # Open gap: reading a view's grad_fn (or requires_grad) after its base was written in
        # place gives the old one (PyTorch makes it again: AsStridedBackward0); autogradviz
        # makes it again only when the graph is walked (autograd/inplace.py: refresh_view).
        if full or theirs._base is None:
            assert ours.requires_grad == theirs.requires_grad, f"{expr}: requires_grad{where}"
            assert names[0] == names[1], f"{expr}: grad_fn {names[0]}, torch {names[1]}{where}"
        if theirs.numel() and layout:
            assert ours.stride() == theirs.stride(), f"{expr}: stride {ours.stride()}{where}"
            assert ours.storage_offset() == theirs.storage_offset(), f"{expr}: offset{where}"
        got, expected = ours.detach().numpy(), theirs.detach().numpy()
        name = str(theirs.dtype)[6:]
        if inexact:
            if name in FLOAT_DTYPES:
                g, e = got.astype(np.float64), expected.astype(np.float64)
                scale = np.abs(e[np.isfinite(e)]).max(initial=1.0)
                tol = INEXACT_RTOL[name]
                np.testing.assert_allclose(g, e, rtol=tol, atol=tol * scale, equal_nan=True,
                                           err_msg=f"{expr}{where}")
            return
        same = _identical(got, expected) if zero_signs else _identical(got + 0, expected + 0)
        assert same, f"{expr}: values\n{got!r}\ntorch\n{expected!r}{where}"
        if full:
            assert repr(ours) == repr(theirs), f"{expr}: repr\n{ours!r}\ntorch\n{theirs!r}{where}"
    elif isinstance(theirs, tuple | list):
        assert type(ours).__name__ == type(theirs).__name__, f"{expr}: {type(ours)}{where}"
        assert len(ours) == len(theirs), f"{expr}: length {len(ours)}{where}"
        for i, (o, t) in enumerate(zip(ours, theirs, strict=True)):
            assert_same(o, t, f"{expr}[{i}]", inexact, full, where, layout)
    else:
        assert type(ours) is type(theirs), f"{expr}: {ours!r}, torch {theirs!r}{where}"
        if not inexact:
            assert ours == theirs or (ours != ours and theirs != theirs), (
                f"{expr}: {ours!r}, torch {theirs!r}{where}")


# ---------------------------------------------------------------------- the operations
# Each takes the Program and returns (line, result name, operand expressions, exact) or None.
def _is_float(t):
    return t.dtype.is_floating_point


UNARY_FLOAT = ["sqrt", "exp", "log", "sin", "cos", "tanh", "sigmoid", "relu", "reciprocal",
               "exp2", "expm1", "log1p", "log2", "rsqrt", "erf", "atan", "asin", "abs", "neg",
               "floor", "ceil", "round", "trunc", "frac", "sign", "square", "tan"]
UNARY_ANY = ["abs", "neg", "sign", "square", "clone", "contiguous", "detach", "isnan",
             "isfinite", "logical_not", "float", "double", "half", "long", "int", "bool",
             "flatten", "ravel"]


def op_unary(p):
    x = p.pick()
    t = p.value(x)
    name = p.rng.choice(UNARY_FLOAT if _is_float(t) and p.rng.random() < 0.7 else UNARY_ANY)
    r = p.fresh()
    form = p.rng.random()
    function = hasattr(torch, name) and not isinstance(getattr(torch, name), torch.dtype)
    line = f"{r} = torch.{name}({x})" if form < 0.3 and function else (
        f"{r} = {x}.{name}()")
    exact = not (_is_float(t) and name in INEXACT)
    return line, r, [x], exact


def _refused_leaf_write(t):
    """A write into a leaf that requires grad (or a view of one) whose elements overlap: the
    order of PyTorch's refusals is an open gap (see op_binary_inplace)."""
    return t.requires_grad and 0 in t.stride() and (
        t.grad_fn is None or (t._base is not None and t._base.is_leaf))


def op_unary_inplace(p):
    x = p.pick()
    t = p.value(x)
    if x in p.saved_indices or _refused_leaf_write(t):
        return None
    names = ["neg_", "abs_", "zero_", "relu_", "sign_", "square_"]
    if _is_float(t):
        names += ["sqrt_", "exp_", "floor_", "sigmoid_", "tanh_", "reciprocal_"]
    name = p.rng.choice(names)
    exact = not (_is_float(t) and name[:-1] in INEXACT)
    return f"{x}.{name}()", x, [x], exact


BINARY_OPS = ["+", "-", "*", "/", "//", "%", "**", "==", "!=", "<", "<=", ">", ">=", "&", "|",
              "^"]
BINARY_FUNCS = ["add", "sub", "mul", "div", "maximum", "minimum", "atan2", "fmod", "remainder",
                "eq", "lt", "ge", "logical_and", "logical_or", "logical_xor", "hypot",
                "copysign", "floor_divide", "true_divide", "pow"]


def op_binary(p):
    x = p.pick()
    t = p.value(x)
    y = p.operand(t)
    r = p.fresh()
    choice = p.rng.random()
    if choice < 0.45:
        op = p.rng.choice(BINARY_OPS)
        if op in "&|^" and _is_float(t) and p.rng.random() < 0.8:
            op = "+"
        line = f"{r} = {x} {op} {y}" if p.rng.random() < 0.7 or y in p.tensors else (
            f"{r} = {y} {op} {x}")  # the reflected form with a scalar or a new tensor
    elif choice < 0.85:
        fn = p.rng.choice(BINARY_FUNCS)
        line = f"{r} = torch.{fn}({x}, {y})" if p.rng.random() < 0.5 else f"{r} = {x}.{fn}({y})"
        if fn in ("maximum", "minimum", "atan2", "hypot", "copysign") and not y.startswith(
                ("torch", "v", "A")):
            line = f"{r} = torch.{fn}({x}, torch.tensor({y}))"
    elif choice < 0.93:
        line = f"{r} = torch.add({x}, {y}, alpha={p.rng.choice(['2', '0.5', '-1'])})"
    else:
        op = p.rng.choice(["+", "-", "*", "/"])
        line = f"{r} = {p.scalar()} {op} {x}"
    ops = [x] + ([y] if y in p.tensors else [])
    exact = not any(f in line for f in ("atan2", "hypot"))
    return line, r, ops, exact


def op_binary_inplace(p):
    x = p.pick()
    t = p.value(x)
    y = p.operand(t)
    if x in p.saved_indices or _refused_leaf_write(t):
        return None
    if t.requires_grad and (t.grad_fn is None or (t._base is not None and t._base.is_leaf)):
        # Open gap: PyTorch refuses a leaf (or a view of one) before it checks shapes and
        # dtypes, autogradviz's check_inplace (ops/_common.py) after; a number operand that
        # passes those checks keeps to the leaf's error.
        y = p.scalar(p.rng.choice(["int", "float"]))
    if p.rng.random() < 0.5 and not x.endswith("]"):  # (not an item of a named tuple)
        op = p.rng.choice(["+=", "-=", "*=", "/=", "//=", "%=", "**=", "&=", "|="])
        line = f"{x} {op} {y}"
    else:
        fn = p.rng.choice(["add_", "sub_", "mul_", "div_", "copy_", "pow_",
                           "clamp_", "lerp_", "masked_fill_", "fill_", "clamp_min_"])
        if fn == "clamp_":
            lo = p.scalar("float")
            line = f"{x}.clamp_({lo}, {lo} + 1.0)" if p.rng.random() < 0.6 else (
                f"{x}.clamp_(max={p.scalar('int')})")
        elif fn == "lerp_":
            line = f"{x}.lerp_({y if y in p.tensors else x}, 0.25)"
        elif fn == "masked_fill_":
            mask = p.literal(p.broadcast_partner(t), "bool")
            line = f"{x}.masked_fill_({mask}, {p.scalar()})"
        elif fn == "fill_":
            line = f"{x}.fill_({p.scalar()})"
        else:
            line = f"{x}.{fn}({y})"
    return line, x, [x] + ([y] if y in p.tensors else []), True


def op_clamp(p):
    x = p.pick()
    r = p.fresh()
    lo = p.scalar(p.rng.choice(["int", "float"]))
    form = p.rng.randrange(4)
    if form == 0:
        line = f"{r} = {x}.clamp({lo}, {lo} + 2)"
    elif form == 1:
        line = f"{r} = torch.clamp({x}, min={lo})"
    elif form == 2:
        line = f"{r} = {x}.clamp(max={lo})"
    else:
        line = f"{r} = torch.nan_to_num({x}, nan=0.0, posinf=1.0)"
    return line, r, [x], True


def op_reduce(p):
    x = p.pick()
    t = p.value(x)
    name = p.rng.choice(["sum", "sum", "mean", "prod", "amax", "amin", "max", "min", "argmax",
                         "argmin", "std", "var", "all", "any", "norm", "logsumexp",
                         "count_nonzero", "median", "nansum"])
    r = p.fresh()
    nd = t.dim()
    form = p.rng.random()
    if form < 0.25:
        args = ""
    elif form < 0.7 or nd < 2:
        args = f"{p.dim(t)}" + (f", keepdim={p.rng.choice(['True', 'False'])}"
                                if p.rng.random() < 0.5 and name != "count_nonzero" else "")
        if name in ("sum", "mean", "amax", "amin", "std", "var", "logsumexp", "nansum") and (
                p.rng.random() < 0.3):
            args = f"dim={p.dim(t)}, keepdim=True"
    else:
        dims = p.rng.sample(range(-nd, nd), p.rng.randint(1, 2))
        if len({d % nd for d in dims}) != len(dims):
            dims = dims[:1]
        args = f"dim={tuple(dims)}" + (", keepdim=True" if p.rng.random() < 0.4
                                       and name != "count_nonzero" else "")
        if name in ("max", "min", "argmax", "argmin", "median", "all", "any", "prod"):
            # (prod takes one dim: PyTorch's argument parser's messages are an open gap)
            args = f"{dims[0]}"
    if name == "sum" and p.rng.random() < 0.2:
        args = (args + ", " if args else "") + f"dtype=torch.{p.rng.choice(FLOAT_DTYPES)}"
    line = f"{r} = {x}.{name}({args})" if p.rng.random() < 0.7 else (
        f"{r} = torch.{name}({x}{', ' + args if args else ''})")
    exact = name not in INEXACT
    return line, r, [x], exact


def op_cumulative(p):
    x = p.pick()
    t = p.value(x)
    r = p.fresh()
    name = p.rng.choice(["cumsum", "cumprod", "softmax", "log_softmax", "cummax", "cummin"])
    dim = p.dim(t)
    if name in ("softmax", "log_softmax") and not _is_float(t):
        line = f"{r} = {x}.{name}({dim}, dtype=torch.float64)"
    else:
        line = f"{r} = torch.{name}({x}, {dim})" if p.rng.random() < 0.5 else (
            f"{r} = {x}.{name}(dim={dim})")
    exact = name not in INEXACT  # (softmax with dtype= computes in that float dtype)
    if name in ("cumsum", "cumprod"):  # (open gap: their output strides, see LAYOUT_OPS)
        p.unlaid.add(r)
    return line, r, [x], exact


def op_sort(p):
    x = p.pick()
    t = p.value(x)
    r = p.fresh()
    dim = p.dim(t)
    form = p.rng.randrange(5)
    if form == 0:
        line = f"{r} = {x}.sort({dim}, descending={p.rng.choice(['True', 'False'])})"
    elif form == 1:
        line = f"{r} = torch.sort({x}, stable=True)"
    elif form == 2:
        k = p.rng.randint(0, 3)
        line = f"{r} = {x}.topk({k}" + (f", dim={dim}" if t.dim() else "") + (
            f", largest={p.rng.choice(['True', 'False'])})")
    elif form == 3:
        line = f"{r} = {x}.argsort(dim={dim}, stable=True)"
    else:
        line = f"{r} = torch.max({x}, {dim}, keepdim={p.rng.choice(['True', 'False'])})"
    return line, r, [x], True


def _factor_shape(rng, numel, nd):
    """A shape of ``numel`` elements with one -1 sometimes."""
    if numel == 0:
        return [0, rng.choice([1, 2])]
    dims = []
    rest = numel
    for d in range(2, rest + 1):
        while rest % d == 0 and rng.random() < 0.7:
            dims.append(d)
            rest //= d
    dims.append(rest)
    dims = [d for d in dims if d != 1] or [1]
    rng.shuffle(dims)
    if rng.random() < 0.3:
        dims.insert(rng.randint(0, len(dims)), 1)
    if rng.random() < 0.3:
        dims[rng.randrange(len(dims))] = -1
    return dims


def op_view(p):
    x = p.pick()
    t = p.value(x)
    nd = t.dim()
    r = p.fresh()
    kind = p.rng.choice(["view", "reshape", "permute", "transpose", "T", "mT", "expand",
                         "narrow", "select", "unsqueeze", "squeeze", "flatten", "split",
                         "chunk", "unbind", "view_flat", "movedim", "diagonal", "unflatten"])
    if kind in ("view", "reshape"):
        shape = _factor_shape(p.rng, t.numel(), nd)
        line = f"{r} = {x}.{kind}({', '.join(map(str, shape))})"
    elif kind == "view_flat":
        line = f"{r} = {x}.view(-1)"
    elif kind == "permute":
        order = list(range(nd))
        p.rng.shuffle(order)
        line = f"{r} = {x}.permute({tuple(order)})" if p.rng.random() < 0.5 else (
            f"{r} = torch.permute({x}, {order})")
    elif kind == "transpose":
        line = f"{r} = {x}.transpose({p.dim(t)}, {p.dim(t)})"
    elif kind in ("T", "mT"):
        line = f"{r} = {x}.{kind}"
    elif kind == "expand":
        shape = [p.rng.choice([s, -1]) if s != 1 else p.rng.choice([1, 2, 3]) for s in t.shape]
        if p.rng.random() < 0.3:
            shape = [2, *shape]
        line = f"{r} = {x}.expand({', '.join(map(str, shape))})" if shape else (
            f"{r} = {x}.expand(2)")
    elif kind == "narrow":
        d = p.dim(t)
        size = t.shape[d] if nd and -nd <= d < nd else 1
        start = p.rng.randint(0, max(size - 1, 0))
        line = f"{r} = {x}.narrow({d}, {start}, {p.rng.randint(0, size - start)})"
    elif kind == "select":
        d = p.dim(t)
        size = t.shape[d] if nd and -nd <= d < nd else 1
        line = f"{r} = {x}.select({d}, {p.rng.randint(-size, max(size - 1, 0))})"
    elif kind == "unsqueeze":
        line = f"{r} = {x}.unsqueeze({p.rng.randint(-nd - 1, nd)})"
    elif kind == "squeeze":
        line = f"{r} = {x}.squeeze({p.dim(t) if p.rng.random() < 0.6 else ''})"
    elif kind == "flatten":
        line = f"{r} = {x}.flatten({p.rng.choice(['', '1', '0, -1', '-2'])})"
    elif kind in ("split", "chunk"):
        line = f"{r} = {x}.{kind}({p.rng.randint(1, 3)}, {p.dim(t)})" if p.rng.random() < 0.8 else (
            f"{r} = torch.split({x}, [1, 1], dim={p.dim(t)})")
    elif kind == "unbind":
        line = f"{r} = {x}.unbind({p.dim(t)})"
    elif kind == "movedim":
        line = f"{r} = torch.movedim({x}, {p.dim(t)}, {p.dim(t)})"
    elif kind == "diagonal":
        line = f"{r} = {x}.diagonal(offset={p.rng.randint(-1, 1)})"
    elif nd:  # (PyTorch's error for a 0-d tensor carries its C++ stack)
        d = p.dim(t, allow_bad=False)
        line = f"{r} = {x}.unflatten({d}, (1, {t.shape[d]}))"
        p.unlaid.add(r)  # open gap: a view's strides where PyTorch keeps a size-1 dim's own
    else:
        return None
    return line, r, [x], True


def _index_item(p, size):
    r = p.rng.random()
    if r < 0.35:
        return str(p.rng.randint(-size, max(size - 1, 0)))
    if r < 0.75:
        start = p.rng.choice(["", "1", "-2", "0"])
        stop = p.rng.choice(["", "2", "-1", "5"])
        step = p.rng.choice(["", "", ":2", ":3"])
        return f"{start}:{stop}{step}"
    if r < 0.85:
        return "None"
    return "..."


def op_getitem(p):
    x = p.pick(lambda t: t.dim() > 0)
    t = p.value(x)
    r = p.fresh()
    kind = p.rng.random()
    if t.dim() == 0:
        line = f"{r} = {x}[{p.rng.choice(['...', 'None', '()'])}]"
    elif kind < 0.5:
        items = [_index_item(p, s) for s in list(t.shape)[:p.rng.randint(1, t.dim())]]
        if items.count("...") > 1:
            items = [i for i in items if i != "..."]
        line = f"{r} = {x}[{', '.join(items)}]"
    elif kind < 0.7:
        mask = p.literal(list(t.shape)[:p.rng.randint(1, t.dim())], "bool")
        line = f"{r} = {x}[{mask}]"
    elif kind < 0.85:
        n = t.shape[0]
        idx = [p.rng.randint(-n, max(n - 1, 0)) for _ in range(p.rng.randint(0, 3))]
        line = f"{r} = {x}[{idx}]" if p.rng.random() < 0.5 else (
            f"{r} = {x}[torch.tensor({idx}, dtype=torch.long)]")
        if t.dim() > 1 and p.rng.random() < 0.5:
            m = t.shape[1]
            line = f"{r} = {x}[:, {[p.rng.randint(0, max(m - 1, 0)) for _ in range(2)]}]"
    else:
        d = p.dim(t, allow_bad=False)
        n = t.shape[d]
        idx = p.literal([p.rng.randint(0, 3)], "int64").replace(")", ").clamp(0, "
                                                                  f"{max(n - 1, 0)})")
        fn = p.rng.choice(["index_select", "gather"])
        if fn == "gather":
            line = f"{r} = torch.gather({x}, {d}, {idx}.reshape({[1] * (t.dim() - 1) + [-1]}))"
        else:
            line = f"{r} = {x}.index_select({d}, {idx})"
    return line, r, [x], True


def op_setitem(p):
    x = p.pick(lambda t: t.dim() > 0)
    t = p.value(x)
    if x in p.saved_indices or 0 in t.stride():
        # (open gap: writing a slice of an expanded tensor, where PyTorch finds the overlap)
        return None
    if t.dim() == 0:
        return f"{x}[...] = {p.scalar()}", x, [x], True
    kind = p.rng.random()
    if kind < 0.4:
        items = [_index_item(p, s) for s in list(t.shape)[:p.rng.randint(1, t.dim())]]
        if items.count("...") > 1:
            items = [i for i in items if i != "..."]
        target = f"{x}[{', '.join(items)}]"
    elif kind < 0.7:
        target = f"{x}[{p.literal(list(t.shape), 'bool')}]"
    else:
        n = t.shape[0]
        target = f"{x}[{[p.rng.randint(0, max(n - 1, 0)) for _ in range(2)]}]"
    value = p.scalar() if p.rng.random() < 0.6 else p.literal(
        [p.rng.choice([1, t.shape[-1]])], p.rng.choice(INPUT_DTYPES))
    return f"{target} = {value}", x, [x], True


def op_join(p):
    x = p.pick()
    t = p.value(x)
    r = p.fresh()
    kind = p.rng.choice(["cat", "stack", "where", "where", "cat_same"])
    if kind in ("cat", "stack", "cat_same"):
        shape = list(t.shape)
        if kind == "cat" and shape:
            d = p.rng.randrange(len(shape))
            shape[d] = p.rng.randint(0, 2)
        other = x if kind == "cat_same" else p.literal(shape, p.rng.choice(INPUT_DTYPES))
        fn = "cat" if kind != "stack" else "stack"
        d = p.dim(t) if kind != "stack" else p.rng.randint(-t.dim() - 1, t.dim())
        line = f"{r} = torch.{fn}([{x}, {other}], dim={d})"
    else:
        cond = p.literal(p.broadcast_partner(t), "bool")
        y = p.operand(t)
        line = f"{r} = torch.where({cond}, {x}, {y})" if p.rng.random() < 0.7 else (
            f"{r} = {x}.where({cond}, {y})")
        return line, r, [x] + ([y] if y in p.tensors else []), True
    return line, r, [x], True


def op_matmul(p):
    x = p.pick(lambda t: t.dim() > 0 and _is_float(t))
    t = p.value(x)
    if not _is_float(t):
        return None
    r = p.fresh()
    dtype = str(t.dtype)[6:]
    k = t.shape[-1] if t.dim() else 1
    kind = p.rng.random()
    if kind < 0.6:
        other_shape = [k] if p.rng.random() < 0.3 else [k, p.rng.randint(1, 3)]
        if p.rng.random() < 0.05:
            other_shape = [k + 1, 2]
        y = p.literal(other_shape, dtype if p.rng.random() < 0.9 else "float64")
        line = f"{r} = {x} @ {y}" if p.rng.random() < 0.5 else f"{r} = torch.matmul({x}, {y})"
    elif kind < 0.8 and t.dim() == 2:
        y = p.literal([k, 2], dtype)
        line = f"{r} = torch.einsum('ij,jk->ik', {x}, {y})"
    else:
        letters = "abc"[:t.dim()]
        out = "".join(p.rng.sample(letters, p.rng.randint(0, len(letters))))
        line = f"{r} = torch.einsum('{letters}->{out}', {x})"
    exact = False
    return line, r, [x], exact


def op_random(p):
    x = p.pick()
    t = p.value(x)
    r = p.fresh()
    kind = p.rng.randrange(6)
    shape = tuple(t.shape)
    if kind == 0:
        line = f"{r} = torch.randn({shape}, dtype=torch.float64) * {x}"
    elif kind == 1:
        line = f"{r} = torch.rand_like({x}.float())"
    elif kind == 2:
        line = f"{r} = torch.randint(0, 5, {shape})"
    elif kind == 3:
        line = f"{r} = torch.randperm({max(t.numel(), 1)})"
    elif kind == 4:
        line = f"{r} = torch.nn.functional.dropout({x}, p=0.5)"
    else:
        line = f"{r} = {x}.float().uniform_(-1, 1)"
    return line, r, [x], True


def op_misc(p):
    x = p.pick()
    t = p.value(x)
    r = p.fresh()
    kind = p.rng.randrange(8)
    if kind == 0:
        line = f"{r} = {x}.flip({p.dim(t)})"
    elif kind == 1:
        line = f"{r} = {x}.roll({p.rng.randint(-2, 2)}, {p.dim(t)})"
    elif kind == 2:
        line = f"{r} = {x}.tril()" if p.rng.random() < 0.5 else f"{r} = {x}.triu(1)"
    elif kind == 3:
        line = f"{r} = {x}.repeat({', '.join(['2'] + ['1'] * t.dim())})"
    elif kind == 4:
        line = f"{r} = {x}.masked_fill({p.literal(p.broadcast_partner(t), 'bool')}, -1.5)"
    elif kind == 5:
        line = f"{r} = {x}.item() if {x}.numel() == 1 else {x}.tolist()"
    elif kind == 6:
        line = f"{r} = {x}.to(torch.{p.rng.choice(INPUT_DTYPES)})"
    else:
        line = f"{r} = {x}.abs().pow({p.scalar(p.rng.choice(['int', 'float']))})"
    return line, r, [x], True


OPS = ([op_unary] * 4 + [op_unary_inplace] + [op_binary] * 6 + [op_binary_inplace] * 3
       + [op_clamp] + [op_reduce] * 4 + [op_cumulative] * 2 + [op_sort] * 2 + [op_view] * 5
       + [op_getitem] * 3 + [op_setitem] * 2 + [op_join] * 2 + [op_matmul] * 2 + [op_random]
       + [op_misc] * 2)


# The ops whose results' strides are compared: views, indexing, reductions, sorting, scans.
# Elementwise results are not: autogradviz takes NumPy's output layout, which differs from
# TensorIterator's where a size-1 dim has a stride of its own or an input is broadcast
# (an open gap, see the report of this test's commit).
LAYOUT_OPS = {op_view, op_getitem, op_sort, op_reduce, op_cumulative}


@pytest.mark.parametrize("case", range(CASES))
def test_random_programs(case):
    per_case = PROGRAMS // CASES
    for seed in range(case * per_case, (case + 1) * per_case):
        Program(seed).run()
