"""``dfdx_mypy.shape_math`` on plain tuples: no mypy involved.

Static dims are ints, ``DYN`` is a runtime dim, ``Sym("B")`` a symbolic one. Conv, pool and
conv-transpose output sizes are checked against PyTorch itself.
"""

from __future__ import annotations

import pytest
import torch
from dfdx_mypy import shape_math as sm
from dfdx_mypy.shape_math import DYN, ELLIPSIS, NEWAXIS, ConvParams, Failure, Index, Slice, Sym
from hypothesis import given
from hypothesis import strategies as st

B = Sym("B", scope="f")
C = Sym("C", scope="f")


def failed(result: object, *fragments: str) -> None:
    """``result`` is a failure whose message holds every fragment."""
    assert isinstance(result, Failure), result
    for fragment in fragments:
        assert fragment in result.message, result.message


# -- formatting and unification -----------------------------------------------------------


def test_fmt_shape() -> None:
    assert sm.fmt_shape((2, 3)) == "(2, 3)"
    assert sm.fmt_shape((4,)) == "(4,)"
    assert sm.fmt_shape(()) == "()"
    assert sm.fmt_shape((B, DYN, 784)) == "(B, Dyn, 784)"


def test_unify_dims() -> None:
    assert sm.unify_dims(3, 3) == 3
    assert sm.unify_dims(3, 4) is None
    assert sm.unify_dims(DYN, 4) == 4  # the more precise dim wins
    assert sm.unify_dims(B, DYN) == B
    assert sm.unify_dims(B, Sym("B", scope="f")) == B  # the same symbol
    assert sm.unify_dims(B, C) is None  # two symbols
    assert sm.unify_dims(B, 4) is None  # a symbol is not a static size
    assert sm.unify_dims(DYN, DYN) is DYN


def test_unify_shapes() -> None:
    assert sm.unify("add", (2, DYN), (DYN, 3)) == (2, 3)
    assert sm.unify("add", (B, 784), (DYN, 784)) == (B, 784)
    failed(sm.unify("add", (2, 3), (3, 2)), "add: shapes differ: (2, 3) vs (3, 2): axis 0: 2 != 3")
    failed(sm.unify("sub", (2, 3), (2,)), "rank 2 != 1", "broadcast_to")
    failed(sm.unify("mul", (B,), (C,)), "B != C (different symbols)", "B bound in f")
    failed(sm.unify("mul", (B,), (4,)), "B != 4", "use realize")
    assert sm.unify_all("choose", [(2, DYN), (DYN, 3), (2, 3)]) == (2, 3)


# -- axes, reductions, broadcast ----------------------------------------------------------


def test_reduce() -> None:
    shape = (2, 3, 4)
    assert sm.reduce("sum", shape, None) == ()
    assert sm.reduce("sum", shape, 0) == (3, 4)
    assert sm.reduce("sum", shape, -1) == (2, 3)
    assert sm.reduce("sum", shape, (0, -1)) == (3,)
    assert sm.reduce("sum", (B, DYN), 1) == (B,)
    failed(sm.reduce("sum", shape, 3), "sum: axis 3 is out of range for shape (2, 3, 4)")
    failed(sm.reduce("mean", shape, -4), "axis -4 is out of range")
    failed(sm.reduce("max", shape, (1, -2)), "repeated axis")
    failed(sm.reduce("sum", (), 0), "out of range for shape () (rank 0)")


def test_check_axis() -> None:
    assert sm.check_axis("softmax", (2, 3), -1) == (2, 3)
    assert sm.check_axis("softmax", (2, 3), (0, 1)) == (2, 3)
    failed(sm.check_axis("softmax", (), -1), "softmax: axis -1 is out of range")


def test_broadcast_to() -> None:
    assert sm.broadcast_to((4,), (2, 3, 4), None) == (2, 3, 4)
    assert sm.broadcast_to((4,), (4, 5), 1) == (4, 5)
    assert sm.broadcast_to((2, 4), (2, 3, 4), (1,)) == (2, 3, 4)
    assert sm.broadcast_to((B, 4), (DYN, 3, 4), 1) == (B, 3, 4)  # keeps the symbol
    assert sm.broadcast_to((3,), (3,), None) == (3,)
    failed(sm.broadcast_to((4,), (4, 3), None), "axis 0 of the input: 4 != 3")
    failed(sm.broadcast_to((1, 4), (3, 4), None), "1 != 3")  # size-1 dims do not expand
    failed(sm.broadcast_to((2, 3), (3,), None), "the target rank 1 is less than 2")
    failed(sm.broadcast_to((4,), (2, 3, 4), 0), "2 new axes expected, got 1")


# -- shape ops ----------------------------------------------------------------------------


def test_reshape() -> None:
    assert sm.reshape((2, 3, 4), (6, 4)) == (6, 4)
    assert sm.reshape((2, 3, 4), (-1,)) == (24,)
    assert sm.reshape((2, 3, 4), (2, -1)) == (2, 12)
    assert sm.reshape((2, 3, 4), (-1, 3, 4)) == (2, 3, 4)
    assert sm.reshape((0, 4), (-1,)) == (0,)
    failed(sm.reshape((0, 4), (0, -1)), "-1 is ambiguous next to a 0 dim")
    failed(sm.reshape((2, 3, 4), (5, 5)), "element counts differ: 24 != 25")
    failed(sm.reshape((2, 3, 4), (-1, 5)), "24 elements do not divide into 5")
    failed(sm.reshape((2, 3), (-1, -1)), "at most one -1")
    failed(sm.reshape((2, 3), (-2, 3)), "dim -2 is negative")


def test_reshape_symbols_and_dyn() -> None:
    assert sm.reshape((B, 28, 28), (-1, 784)) == (B, 784)  # B*784 / 784 = B
    assert sm.reshape((B, 784), (-1, 28, 28)) == (B, 28, 28)
    assert sm.reshape((B, 784), (B, -1)) == (B, 784)
    assert sm.reshape((B, 4), (-1, 3)) == (DYN, 3)  # B might be 3
    assert sm.reshape((B, C), (-1,)) == (DYN,)
    assert sm.reshape((DYN, 4), (-1, 2)) == (DYN, 2)
    assert sm.reshape((DYN, 4), (3, 5)) == (3, 5)  # a Dyn size is checked at run time
    assert sm.reshape((B, 4), (C, 4)) == (C, 4)  # B might equal C
    failed(sm.reshape((B, 4), (B, 5)), "element counts differ: B*4 != B*5")
    failed(sm.reshape((B, 4), (B, -1, 3)), "B*4 elements do not divide into B*3")


def test_permute_and_transpose() -> None:
    assert sm.permute((2, 3, 4), (2, 0, 1)) == (4, 2, 3)
    assert sm.permute((B, 3), (-1, 0)) == (3, B)
    failed(sm.permute((2, 3, 4), (0, 1)), "2 axes for rank 3")
    failed(sm.permute((2, 3, 4), (0, 0, 1)), "not a permutation")
    failed(sm.permute((2, 3, 4), (0, 1, 3)), "axis 3 is out of range")
    assert sm.transpose((2, 3, 4), 0, -1) == (4, 3, 2)
    failed(sm.transpose((2, 3), 0, 2), "transpose: axis 2 is out of range")


def test_realize() -> None:
    assert sm.realize((DYN, 4), (3, 4)) == (3, 4)  # narrowing
    assert sm.realize((3, 4), (DYN, 4)) == (DYN, 4)  # widening
    assert sm.realize((B, 4), (3, 4)) == (3, 4)  # a symbol may be 3 at run time
    failed(sm.realize((2, 3), (2, 3, 1)), "can never be", "rank 2 != 3")
    failed(sm.realize((2, 3), (2, 4)), "axis 1: 3 != 4")


def test_concat_and_stack() -> None:
    assert sm.concat([(2, 3), (5, 3)], 0) == (7, 3)
    assert sm.concat([(2, 3), (2, 3), (2, 3)], -1) == (2, 9)
    assert sm.concat([(2, DYN), (DYN, 3)], 0) == (DYN, 3)
    assert sm.concat([(B, 3), (B, 4)], 1) == (B, 7)
    failed(sm.concat([(2, 3), (2, 4)], 0), "shapes differ off the concat axis 0", "3 != 4")
    failed(sm.concat([(2, 3), (2, 3, 1)], 0), "ranks differ")
    failed(sm.concat([(2, 3)], 2), "axis 2 is out of range")
    assert sm.stack([(2, 3), (2, 3)], 0) == (2, 2, 3)
    assert sm.stack([(2, 3)] * 4, -1) == (2, 3, 4)
    assert sm.stack([(2, 3)] * 4, 2) == (2, 3, 4)
    failed(sm.stack([(2, 3), (2, 4)], 0), "stack: shapes differ")
    failed(sm.stack([(2, 3)], 3), "axis 3 is out of range")


# -- indexing -----------------------------------------------------------------------------


@given(
    size=st.integers(0, 12),
    start=st.none() | st.integers(-15, 15),
    stop=st.none() | st.integers(-15, 15),
    step=st.none() | st.integers(1, 4),
)
def test_slice_length_matches_python(
    size: int, start: int | None, stop: int | None, step: int | None
) -> None:
    expected = len(range(size)[slice(start, stop, step)])
    assert sm.slice_length(size, Slice(start, stop, step)) == expected


def test_index() -> None:
    shape = (2, 3, 4)
    assert sm.index(shape, [Index(0)]) == (3, 4)
    assert sm.index(shape, [Slice(1, 3)]) == (1, 3, 4)
    assert sm.index(shape, [Slice(), Slice(0, 2), Slice(None, None, 2)]) == (2, 2, 2)
    assert sm.index(shape, [ELLIPSIS, Index(-1)]) == (2, 3)
    assert sm.index(shape, [Index(0), ELLIPSIS, Slice(1)]) == (3, 3)
    assert sm.index(shape, [Index(DYN)]) == (3, 4)
    assert sm.index((B, 4), [Slice(), Slice(0, 2)]) == (B, 2)
    assert sm.index((B, 4), [Slice(0, 2)]) == (DYN, 4)  # the length depends on B
    assert sm.index(shape, [Slice(DYN)]) == (DYN, 3, 4)
    failed(sm.index(shape, [Index(2)]), "index 2 is out of range for axis 0 of size 2")
    failed(sm.index(shape, [Index(0)] * 4), "too many indices")
    failed(sm.index(shape, [ELLIPSIS, ELLIPSIS]), "at most one ...")
    failed(sm.index(shape, [Slice(None, None, 0)]), "step must be positive")
    failed(sm.index(shape, [NEWAXIS]), "None (newaxis) is not supported")


def test_select_and_gather() -> None:
    assert sm.select((3, 5), (3,), None) == (3,)
    assert sm.select((3, 5), None, None) == (5,)  # an int index: axis 0
    assert sm.select((3, 5), None, 1) == (3,)
    assert sm.select((2, 3, 5), (2, 3), None) == (2, 3)
    failed(sm.select((3, 5), (4,), None), "index shape (4,) does not fit (3, 5) at axis 1")
    failed(sm.select((3,), (3,), None), "the index rank 1 must be less than the rank 1")
    assert sm.gather((3, 5), (3, 2), None) == (3, 2)
    assert sm.gather((3, 5), (2,), None) == (2, 5)
    assert sm.gather((10, 8), (4, 6), 0) == (4, 6, 8)  # an embedding lookup
    assert sm.gather((B, 5), (B, 7), 1) == (B, 7)
    failed(sm.gather((3, 5), (2, 2), None), "(3, N)", "for an embedding lookup pass axis=0")
    failed(sm.gather((3, 5), (), None), "rank >= 1")
    failed(sm.gather((3, 5), (1, 1, 1), None), "the index rank 3 must be at most the rank 2")


# -- matmul -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "out"),
    [
        ((3,), (3, 4), (4,)),
        ((2, 3), (3,), (2,)),
        ((2, 3), (3, 4), (2, 4)),
        ((5, 2, 3), (3, 4), (5, 2, 4)),
        ((5, 2, 3), (5, 3, 4), (5, 2, 4)),
        ((6, 5, 2, 3), (6, 5, 3, 4), (6, 5, 2, 4)),
    ],
)
def test_matmul_forms(a: tuple[int, ...], b: tuple[int, ...], out: tuple[int, ...]) -> None:
    assert sm.matmul(a, b) == out
    assert tuple(torch.matmul(torch.zeros(a), torch.zeros(b)).shape) == out


def test_matmul_symbols_and_errors() -> None:
    assert sm.matmul((B, 784), (784, 10)) == (B, 10)
    assert sm.matmul((B, 2, DYN), (DYN, 3, 4)) == (B, 2, 4)
    assert sm.matmul((DYN, 512), (DYN, 10)) == (DYN, 10)
    failed(
        sm.matmul((64, 512), (256, 10)),
        "matmul: inner dims differ: (64, 512) @ (256, 10): 512 != 256",
    )
    failed(sm.matmul((5, 2, 3), (6, 3, 4)), "batch dims differ", "axis 0: 5 != 6")
    failed(sm.matmul((3,), (3,)), "no matmul form for ranks 1 @ 1", "(B, S, M, K)")
    failed(sm.matmul((2, 2, 3), (3,)), "ranks 3 @ 1")
    failed(sm.matmul((2, B), (C, 4)), "B != C")


# -- convolutions, pooling, upscaling (sizes checked against PyTorch) ---------------------

_CONV2D_CASES = [
    # (x, weight, stride, padding, dilation, groups)
    ((8, 3, 32, 32), (16, 3, 3, 3), 1, 0, 1, 1),
    ((8, 3, 32, 32), (16, 3, 3, 3), 2, 1, 1, 1),
    ((3, 32, 32), (16, 3, 5, 3), 1, (2, 1), 1, 1),
    ((3, 28, 30), (6, 1, 3, 3), (2, 3), 0, 2, 3),
    ((1, 4, 7, 9), (8, 2, 2, 4), 3, (1, 2), (2, 1), 2),
]


def _pair(value: int | tuple[int, int]) -> tuple[int, int]:
    return value if isinstance(value, tuple) else (value, value)


@pytest.mark.parametrize(("x", "w", "stride", "padding", "dilation", "groups"), _CONV2D_CASES)
def test_conv2d_matches_torch(
    x: tuple[int, ...],
    w: tuple[int, ...],
    stride: int | tuple[int, int],
    padding: int | tuple[int, int],
    dilation: int | tuple[int, int],
    groups: int,
) -> None:
    params = ConvParams(_pair(stride), _pair(padding), _pair(dilation), groups)
    expected = torch.nn.functional.conv2d(
        torch.zeros(x), torch.zeros(w), None, stride, padding, dilation, groups
    ).shape
    assert sm.conv("conv2d", x, w, params, 2) == tuple(expected)


@given(
    size=st.integers(1, 40),
    kernel=st.integers(1, 7),
    stride=st.integers(1, 4),
    padding=st.integers(0, 3),
    dilation=st.integers(1, 3),
)
def test_conv1d_size_matches_torch(
    size: int, kernel: int, stride: int, padding: int, dilation: int
) -> None:
    params = ConvParams((stride,), (padding,), (dilation,))
    result = sm.conv("conv1d", (2, size), (3, 2, kernel), params, 1)
    if size + 2 * padding < dilation * (kernel - 1) + 1:
        failed(result, "conv1d: output size", "too small for the kernel")
        return
    expected = torch.nn.functional.conv1d(
        torch.zeros(2, size), torch.zeros(3, 2, kernel), None, stride, padding, dilation
    ).shape
    assert result == tuple(expected)


@given(
    size=st.integers(1, 12),
    kernel=st.integers(1, 5),
    stride=st.integers(1, 3),
    padding=st.integers(0, 2),
    dilation=st.integers(1, 2),
    output_padding=st.integers(0, 2),
)
def test_conv_transpose2d_size_matches_torch(
    size: int, kernel: int, stride: int, padding: int, dilation: int, output_padding: int
) -> None:
    params = ConvParams(
        (stride, stride), (padding, padding), (dilation, dilation), 1, (output_padding,) * 2
    )
    result = sm.conv_transpose2d((4, size, size), (4, 6, kernel, kernel), params)
    out = (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1
    if output_padding >= max(stride, dilation):
        failed(result, "output_padding")
        return
    if out < 1:
        failed(result, "output size")
        return
    expected = torch.nn.functional.conv_transpose2d(
        torch.zeros(4, size, size),
        torch.zeros(4, 6, kernel, kernel),
        None,
        stride,
        padding,
        output_padding,
        1,
        dilation,
    ).shape
    assert result == tuple(expected)


@given(
    size=st.integers(1, 20),
    kernel=st.integers(1, 5),
    stride=st.integers(1, 3),
    padding=st.integers(0, 2),
)
def test_pool2d_size_matches_torch(size: int, kernel: int, stride: int, padding: int) -> None:
    result = sm.pool2d((2, size, size), (kernel,) * 2, (stride,) * 2, (padding,) * 2)
    if padding >= kernel:
        failed(result, "padding", "smaller than the kernel")
        return
    if size + 2 * padding < kernel:
        failed(result, "output size")
        return
    if 2 * padding <= kernel:  # torch's own limit on padding
        expected = torch.nn.functional.avg_pool2d(
            torch.zeros(2, size, size), kernel, stride, padding
        ).shape
        assert result == tuple(expected)


def test_conv_channels_groups_and_symbols() -> None:
    one = ConvParams((1, 1), (0, 0), (1, 1))
    same = ConvParams((1, 1), (1, 1), (1, 1))
    failed(sm.conv("conv2d", (3, 8, 8), (4, 2, 3, 3), one, 2), "the input has 3 channels")
    failed(
        sm.conv("conv2d", (3, 8, 8), (4, 1, 3, 3), ConvParams((1, 1), (0, 0), (1, 1), 3), 2),
        "out channels 4 not divisible by groups 3",
    )
    failed(sm.conv("conv2d", (3, 8), (4, 3, 3, 3), one, 2), "input must have rank 3 or 4")
    failed(sm.conv("conv2d", (3, 8, 8), (4, 3, 3, 3), ConvParams((0, 1), (0, 0), (1, 1)), 2))
    # a symbolic size survives a size-preserving conv; otherwise it becomes Dyn
    assert sm.conv("conv2d", (B, 3, C, 8), (4, 3, 3, 3), same, 2) == (B, 4, C, 8)
    assert sm.conv("conv2d", (B, 3, C, 8), (4, 3, 3, 3), one, 2) == (B, 4, DYN, 6)
    assert sm.conv("conv2d", (3, 8, 8), (4, 3, 3, 3), ConvParams((DYN, 1), (0, 0), (1, 1)), 2) == (
        4,
        DYN,
        6,
    )
    assert sm.conv_out_size(32, 3, 2, 1, 1) == 16
    assert sm.pool_out_size(32, 2, 2, 0) == 16
    assert sm.conv_transpose_out_size(4, 3, 2, 1, 1) == 7


def test_upscale2d() -> None:
    assert sm.upscale2d((8, 3, 32, 32), (64, 48)) == (8, 3, 64, 48)
    assert sm.upscale2d((3, DYN, 4), (8, 8)) == (3, 8, 8)
    failed(sm.upscale2d((3, 32, 32), (16, 64)), "16 < 32")
    failed(sm.upscale2d((32, 32), (64, 64)), "rank 3 or 4")


def test_linear_shapes() -> None:
    from dfdx_mypy.shape_math import linear

    assert linear((64, 512), (10, 512), (10,)) == (64, 10)
    assert linear((2, 5, 3), (4, 3), None) == (2, 5, 4)
    assert linear((3,), (4, 3), None) == (4,)
    assert linear((DYN, 3), (4, 3), None) == (DYN, 4)
    assert isinstance(linear((64, 256), (10, 512), None), Failure)
    assert isinstance(linear((64, 512), (10, 512), (9,)), Failure)
    assert isinstance(linear((64, 512), (512,), None), Failure)
