"""libstdc++'s sorting and selection algorithms, replayed step by step.

PyTorch's CPU kernels sort and select with the C++ standard library's ``std::sort``,
``std::nth_element`` and ``std::partial_sort``, which are not stable: elements that compare
equal come out in whatever order the algorithm happens to leave them. To give PyTorch's indices
for ties (``sort``, ``topk``, ``mode`` in ``ops/reduction.py``; ``multinomial``'s top-k in
``_generator.py``), autogradviz replays those algorithms here, as line-by-line ports of
libstdc++'s (GCC's) versions. They rearrange a Python list ``v`` in place over the half-open
range ``[first, last)``, comparing whole elements with ``less(x, y)`` (usually (key, index) pairs
whose comparator reads the keys); NumPy's sorts cannot stand in for them, as they leave ties in
other orders.

``topk`` is ATen's CPU top-k kernel built on them.
"""

from __future__ import annotations

THRESHOLD = 16  # libstdc++'s _S_threshold: ranges up to this long are insertion-sorted


def sort(v, first, last, less):
    """``std::sort``: introsort, then a final insertion sort."""
    if last - first < 2:
        return
    _introsort_loop(v, first, last, 2 * ((last - first).bit_length() - 1), less)
    if last - first > THRESHOLD:
        _insertion_sort(v, first, first + THRESHOLD, less)
        for i in range(first + THRESHOLD, last):
            _unguarded_linear_insert(v, i, less)
    else:
        _insertion_sort(v, first, last, less)


def partial_sort(v, first, middle, last, less):
    """``std::partial_sort``: the smallest ``middle - first`` elements, sorted, by heap."""
    _heap_select(v, first, middle, last, less)
    while middle - first > 1:  # sort_heap
        middle -= 1
        value = v[middle]
        v[middle] = v[first]
        _adjust_heap(v, first, 0, middle - first, value, less)


def nth_element(v, first, nth, last, less):
    """``std::nth_element``: introselect, then an insertion sort of the last short range."""
    if first == last or nth == last:
        return
    depth = 2 * ((last - first).bit_length() - 1)
    while last - first > 3:
        if depth == 0:
            _heap_select(v, first, nth + 1, last, less)
            v[first], v[nth] = v[nth], v[first]
            return
        depth -= 1
        cut = _partition_pivot(v, first, last, less)
        if cut <= nth:
            first = cut
        else:
            last = cut
    _insertion_sort(v, first, last, less)


def topk(v, k, less, sorted=True):
    """ATen's CPU topk on a row ``v`` (1 <= k <= len(v)), ``less`` putting the wanted elements
    first: ``std::partial_sort`` of the first k when k * 64 <= n, else ``std::nth_element`` at
    k - 1 followed (if ``sorted``) by ``std::sort`` of the first k - 1. The first k elements of
    ``v`` are then the result, in PyTorch's order."""
    n = len(v)
    if k * 64 <= n:
        partial_sort(v, 0, k, n, less)
    else:
        nth_element(v, 0, k - 1, n, less)
        if sorted:
            sort(v, 0, k - 1, less)


def _insertion_sort(v, first, last, less):
    for i in range(first + 1, last):
        val = v[i]
        if less(val, v[first]):
            v[first + 1:i + 1] = v[first:i]
            v[first] = val
        else:
            _unguarded_linear_insert(v, i, less)


def _unguarded_linear_insert(v, last, less):
    val = v[last]
    while less(val, v[last - 1]):
        v[last] = v[last - 1]
        last -= 1
    v[last] = val


def _partition_pivot(v, first, last, less):
    """``__unguarded_partition_pivot``: the median of three moved to ``first``, then Hoare's
    partition around it; returns the cut."""
    a, b, c = first + 1, first + (last - first) // 2, last - 1
    if less(v[a], v[b]):
        m = b if less(v[b], v[c]) else c if less(v[a], v[c]) else a
    else:
        m = a if less(v[a], v[c]) else c if less(v[b], v[c]) else b
    v[first], v[m] = v[m], v[first]
    pivot = v[first]
    lo, hi = first + 1, last
    while True:
        while less(v[lo], pivot):
            lo += 1
        hi -= 1
        while less(pivot, v[hi]):
            hi -= 1
        if not lo < hi:
            return lo
        v[lo], v[hi] = v[hi], v[lo]
        lo += 1


def _adjust_heap(v, first, hole, length, value, less):
    top = hole
    child = hole
    while child < (length - 1) // 2:
        child = 2 * (child + 1)
        if less(v[first + child], v[first + child - 1]):
            child -= 1
        v[first + hole] = v[first + child]
        hole = child
    if length % 2 == 0 and child == (length - 2) // 2:
        child = 2 * (child + 1)
        v[first + hole] = v[first + child - 1]
        hole = child - 1
    parent = (hole - 1) // 2
    while hole > top and less(v[first + parent], value):
        v[first + hole] = v[first + parent]
        hole = parent
        parent = (hole - 1) // 2
    v[first + hole] = value


def _heap_select(v, first, middle, last, less):
    """``__heap_select``: make a heap of ``[first, middle)``, then push each smaller element of
    ``[middle, last)`` through it."""
    length = middle - first
    if length >= 2:
        for parent in range((length - 2) // 2, -1, -1):
            _adjust_heap(v, first, parent, length, v[first + parent], less)
    for i in range(middle, last):
        if less(v[i], v[first]):
            value = v[i]
            v[i] = v[first]
            _adjust_heap(v, first, 0, length, value, less)


def _introsort_loop(v, first, last, depth, less):
    while last - first > THRESHOLD:
        if depth == 0:
            partial_sort(v, first, last, last, less)  # heapsort
            return
        depth -= 1
        cut = _partition_pivot(v, first, last, less)
        _introsort_loop(v, cut, last, depth, less)
        last = cut
