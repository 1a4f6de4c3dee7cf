"""``dfdx_mypy.module_math`` on plain values: no mypy involved.

Architecture arguments are checked like the runtime's ``check_arch_args`` (the test compares
the two on the same arguments), and each module family's shape rule agrees with what the
built module returns on the CPU.
"""

from __future__ import annotations

from typing import Any

import pytest
from dfdx_mypy import module_math as mm
from dfdx_mypy.module_math import SPECS, ArchRef, Other, Spec
from dfdx_mypy.shape_math import DYN, Failure, Sym

import dfdx_py as dfdx
from dfdx_py import Cpu, f32, nn

B = Sym("B", scope="f")


def spec(name: str) -> Spec:
    return next(s for s in SPECS.values() if s.name == name)


def failed(result: object, *fragments: str) -> None:
    """``result`` is a failure whose message holds every fragment."""
    assert isinstance(result, Failure), result
    for fragment in fragments:
        assert fragment in result.message, result.message


# -- the table ----------------------------------------------------------------------------


def test_every_runtime_module_has_a_spec_with_its_arguments() -> None:
    for name in nn.__all__:
        cls = getattr(nn, name)
        if not isinstance(cls, type) or not issubclass(cls, nn.Module) or cls is nn.Module:
            continue
        fullname = f"{cls.__module__}.{cls.__qualname__}"
        assert fullname in SPECS, fullname
        s = SPECS[fullname]
        assert s.name == cls.__name__
        if s.family not in mm.ARCH_FAMILIES and s.family != "sequential":
            assert s.params == cls.arch_params, name
            if s.family != "attention":
                assert s.defaults == cls.arch_defaults, name


def test_fmt_arch_hides_trailing_defaults() -> None:
    conv = spec("Conv2D")
    assert mm.fmt_arch(conv, (1, 8, 3, 1, 0, 1, 1)) == "nn.Conv2D[1, 8, 3]"
    assert mm.fmt_arch(conv, (1, 8, 3, 2, 0, 1, 1)) == "nn.Conv2D[1, 8, 3, 2]"
    assert (
        mm.fmt_arch(spec("MultiHeadAttention"), (64, 8, 64, 64)) == "nn.MultiHeadAttention[64, 8]"
    )
    assert mm.fmt_arch(spec("Upscale2D"), (4, 4, "bilinear")) == "nn.Upscale2D[4, 4, 'bilinear']"
    assert mm.fmt_arch(spec("Linear"), None) == "nn.Linear"
    assert mm.fmt_arch(spec("ReLU"), ()) == "nn.ReLU"
    assert mm.fmt_arch(spec("Linear"), (DYN, 10)) == "nn.Linear[Dyn, 10]"


# -- architecture arguments: the static mirror of check_arch_args --------------------------

ARGUMENTS: list[tuple[str, tuple[Any, ...]]] = [
    ("Linear", (5, 10)),
    ("Linear", (5,)),
    ("Linear", (5, 10, 15)),
    ("Linear", (-1, 10)),
    ("Linear", (True, 10)),
    ("Embedding", (100, 16)),
    ("LayerNorm1D", (0,)),
    ("Conv2D", (1, 8, 3)),
    ("Conv2D", (1, 8, 3, 2, 1)),
    ("Conv2D", (3, 8, 3, 1, 0, 1, 2)),
    ("Conv1D", (4, 6, 3, 1, 0, 1, 4)),
    ("ConvTrans2D", (4, 8, 0)),
    ("Conv2D", (4, 8, 3, 1, -1)),
    ("MaxPool2D", (2,)),
    ("MaxPool2D", (2, 1, 2)),
    ("AvgPool2D", (3, 0)),
    ("DropoutOneIn", (1,)),
    ("DropoutOneIn", (10,)),
    ("Reshape", (-1, 784)),
    ("Reshape", (-1, -1)),
    ("Reshape", (-2,)),
    ("Reshape", (1, 2, 3, 4, 5, 6, 7)),
    ("Upscale2D", (16, 16)),
    ("Upscale2D", (16, 16, "bilinear")),
    ("Upscale2D", (16, 16, "cubic")),
    ("Upscale2D", (0, 16)),
    ("MultiHeadAttention", (64, 8)),
    ("MultiHeadAttention", (64, 7)),
    ("MultiHeadAttention", (64, 8, 60)),
    ("MultiHeadAttention", (64,)),
    ("TransformerEncoderBlock", (16, 4, 32)),
    ("TransformerEncoder", (16, 5, 32, 2)),
    ("Transformer", (16, 4, 2, 2)),
    ("ReLU", ()),
    ("ReLU", (3,)),
]


@pytest.mark.parametrize(("name", "args"), ARGUMENTS, ids=lambda v: str(v))
def test_check_args_agrees_with_the_runtime(name: str, args: tuple[Any, ...]) -> None:
    static = mm.check_args(spec(name), args)
    cls = getattr(nn, name)
    try:
        special = cls[args if len(args) != 1 else args[0]] if args else cls[()]
    except TypeError as e:
        assert isinstance(static, Failure), f"runtime: {e}; static accepted {static}"
        # the static message is the runtime's, less the written arguments it may name
        assert static.message.split(":")[0].split("[")[0] in str(e), (static.message, str(e))
        return
    assert not isinstance(static, Failure), static.message
    values = tuple(getattr(special, p) for p in cls.arch_params)
    if name == "Reshape":
        values = special.shape
    assert static == values


def test_check_args_fills_defaults() -> None:
    assert mm.check_args(spec("Conv2D"), (1, 8, 3)) == (1, 8, 3, 1, 0, 1, 1)
    assert mm.check_args(spec("MultiHeadAttention"), (64, 8)) == (64, 8, 64, 64)
    assert mm.check_args(spec("Upscale2D"), (4, 4)) == (4, 4, "nearest")


def test_check_args_leaves_runtime_ints_to_run_time() -> None:
    assert mm.check_args(spec("Linear"), (DYN, 10)) == (DYN, 10)
    assert mm.check_args(spec("Conv2D"), (DYN, 8, 3, 1, 0, 1, 2)) == (DYN, 8, 3, 1, 0, 1, 2)
    assert mm.check_args(spec("MultiHeadAttention"), (DYN, 7)) == (DYN, 7, DYN, DYN)
    failed(mm.check_args(spec("Conv2D"), (DYN, 8, 0)), "kernel_size must be an int >= 1, got 0")


def test_check_args_of_combinators() -> None:
    linear = ArchRef("nn.Linear[5, 10]")
    bare = ArchRef("nn.Linear", complete=False, params=("in_features", "out_features"))
    tup = ArchRef("tuple[nn.Linear[5, 10], nn.ReLU]")
    assert mm.check_args(spec("Residual"), (tup,)) == (tup,)
    assert mm.check_args(spec("Repeated"), (linear, 3)) == (linear, 3)
    assert mm.check_args(spec("SplitInto"), (linear, linear, linear)) == (linear, linear, linear)
    failed(
        mm.check_args(spec("Residual"), (bare,)),
        "nn.Residual: F is nn.Linear, which needs its arguments:",
        "nn.Linear[in_features, out_features]",
    )
    failed(mm.check_args(spec("Residual"), (linear, linear)), "takes 1 architecture (F), got 2")
    failed(
        mm.check_args(spec("GeneralizedResidual"), (linear, 3)),
        "R must be an architecture",
        "got 3",
    )
    failed(mm.check_args(spec("AddInto"), (tup,)), "not AddInto[tuple[A, B]]")
    failed(mm.check_args(spec("Repeated"), (linear, -1)), "N must be an int >= 0, got -1")
    failed(
        mm.check_args(spec("Repeated"), (Other("int"), 2)), "A must be an architecture", "got int"
    )


# -- shapes: each family's rule against the module on the CPU -------------------------------

dev = Cpu(seed=0)

SHAPES: list[tuple[Any, tuple[int, ...]]] = [
    (nn.Linear[784, 10], (4, 784)),
    (nn.Linear[784, 10], (784,)),
    (nn.Linear[784, 10], (2, 3, 784)),
    (nn.LayerNorm1D[16], (4, 10, 16)),
    (nn.Bias1D[8], (2, 8)),
    (nn.BatchNorm1D[8], (4, 8)),
    (nn.BatchNorm1D[8], (4, 8, 10)),
    (nn.BatchNorm2D[3], (3, 8, 8)),
    (nn.BatchNorm2D[3], (2, 3, 8, 8)),
    (nn.Bias2D[3], (2, 3, 8, 8)),
    (nn.Conv2D[3, 8, 3], (2, 3, 16, 16)),
    (nn.Conv2D[3, 6, 3, 2, 1, 2, 3], (3, 17, 15)),
    (nn.Conv1D[4, 8, 3, 2, 1], (2, 4, 11)),
    (nn.ConvTrans2D[4, 6, 4, 2, 1, 1, 2], (2, 4, 5, 7)),
    (nn.MaxPool2D[3, 2, 1], (2, 3, 9, 8)),
    (nn.AvgPool2D[2], (3, 8, 8)),
    (nn.MinPoolGlobal, (2, 3, 8, 8)),
    (nn.Flatten2D, (2, 3, 4, 5)),
    (nn.Reshape[-1, 4, 4], (8, 16)),
    (nn.Upscale2D[9, 11], (2, 3, 4, 5)),
]


def _static(arch: Any, x: tuple[int, ...]) -> tuple[Any, ...] | Failure:
    name = arch.__name__.split("[")[0]
    s = spec(name)
    title = repr(arch)
    args = [getattr(arch, p) for p in arch.arch_params]
    family = s.family
    if family == "linear":
        return mm.linear(title, args[0], args[1], x)
    if family in ("layer_norm", "bias1d"):
        return mm.last_dim(title, args[0], x)
    if family == "batch_norm1d":
        return mm.batch_norm1d(title, args[0], x, training=True)
    if family == "batch_norm2d":
        return mm.batch_norm2d(title, args[0], x, training=True)
    if family == "bias2d":
        return mm.bias2d(title, args[0], x)
    if family in ("conv1d", "conv2d"):
        return mm.conv(title, 1 if family == "conv1d" else 2, args, x)
    if family == "conv_trans2d":
        return mm.conv_trans2d(title, args, x)
    if family == "pool2d":
        return mm.pool(title, args, x)
    if family == "global_pool":
        return mm.global_pool(title, x)
    if family == "flatten2d":
        return mm.flatten2d(title, x)
    if family == "reshape":
        return mm.reshape_layer(title, arch.shape, x)
    if family == "upscale2d":
        return mm.upscale_layer(title, args[0], args[1], x)
    raise AssertionError(family)


@pytest.mark.parametrize(("arch", "x"), SHAPES, ids=lambda v: repr(v))
def test_shape_rules_agree_with_the_runtime(arch: Any, x: tuple[int, ...]) -> None:
    module = dev.build_module(arch, f32)
    expected = module.forward_mut(dev.sample_normal(x)).shape
    assert _static(arch, x) == expected


BAD_SHAPES: list[tuple[Any, tuple[int, ...], str]] = [
    (
        nn.Linear[512, 10],
        (64, 256),
        "nn.Linear[512, 10] expects last dim 512, got 256: "
        "input shape (64, 256), expected (..., 512)",
    ),
    (nn.Linear[4, 10], (1, 1, 1, 4), "takes inputs of rank 1 to 3"),
    (nn.LayerNorm1D[16], (), "got a Rank0 tensor"),
    (nn.BatchNorm1D[8], (4, 7), "expects 8 channels at axis 1 of (B, C), got 7"),
    (nn.BatchNorm1D[8], (8,), "expects an input (B, C) or (B, C, L)"),
    (nn.BatchNorm1D[8], (1, 8), "needs more than one value per channel to train"),
    (nn.BatchNorm2D[3], (4, 8, 8), "expects 3 channels at axis 0 of (C, H, W), got 4"),
    (nn.Bias2D[3], (2, 4, 8, 8), "expects 3 channels at axis 1 of (B, C, H, W), got 4"),
    (nn.Conv2D[3, 8, 3], (2, 4, 16, 16), "expects 3 input channels at axis 1, got 4"),
    (nn.Conv2D[3, 8, 5], (3, 4, 4), "output size 0 < 1 on spatial axis 0"),
    (nn.ConvTrans2D[3, 8, 3], (3, 3), "expects an input (In, H, W) or (B, In, H, W)"),
    (nn.MaxPool2D[5], (3, 4, 4), "output size 0 < 1"),
    (nn.Flatten2D, (3, 4), "expects an input (C, H, W) or (B, C, H, W)"),
    (nn.Reshape[5, -1], (4, 4), "16 elements do not divide into 5"),
    (nn.Upscale2D[2, 8], (3, 4, 4), "2 < 4 (upscale2d only enlarges)"),
]


@pytest.mark.parametrize(("arch", "x", "message"), BAD_SHAPES, ids=lambda v: repr(v))
def test_shape_failures_agree_with_the_runtime(arch: Any, x: tuple[int, ...], message: str) -> None:
    failed(_static(arch, x), message)
    module = dev.build_module(arch, f32)
    with pytest.raises(dfdx.ShapeError):
        module.forward_mut(dev.sample_normal(x).trace())


def test_symbols_and_dyn_dims() -> None:
    assert mm.linear("nn.Linear[784, 10]", 784, 10, (B, 784)) == (B, 10)
    assert mm.linear("nn.Linear[784, 10]", 784, 10, (B, DYN)) == (B, 10)  # checked at run time
    failed(
        mm.linear("nn.Linear[784, 10]", 784, 10, (B, Sym("K"))),
        "got K (a symbol is not a static size",
    )
    assert mm.flatten2d("nn.Flatten2D", (B, 3, DYN, 4)) == (B, DYN)
    assert mm.conv("nn.Conv2D[3, 8, 3]", 2, (3, 8, 3, 1, 1, 1, 1), (B, 3, DYN, 16)) == (
        B,
        8,
        DYN,
        16,
    )
    assert mm.batch_norm1d("nn.BatchNorm1D[8]", 8, (DYN, 8), training=True) == (DYN, 8)
    assert mm.batch_norm1d("nn.BatchNorm1D[8]", 8, (1, 8), training=False) == (1, 8)


def test_embedding_and_softmax() -> None:
    assert mm.embedding(16, (2, 3)) == (2, 3, 16)
    assert mm.embedding(16, ()) == (16,)
    assert mm.softmax_layer("nn.Softmax", (2, 3)) == (2, 3)
    failed(mm.softmax_layer("nn.Softmax", ()), "axis -1 is out of range")


def test_attention() -> None:
    arch = "nn.MultiHeadAttention[16, 4]"
    assert mm.attention(arch, 16, (4, 6, 16), (4, 9, 16), (4, 9, 16)) == (4, 6, 16)
    assert mm.attention(arch, 16, (6, DYN), (9, 16), (9, 16)) == (6, 16)
    failed(
        mm.attention(arch, 16, (4, 6, 12), (4, 6, 12), (4, 6, 12)),
        "the last dim of q, k and v must be M=16",
    )
    failed(
        mm.attention(arch, 16, (4, 6, 16), (4, 9, 16), (4, 8, 16)),
        "k and v must have the same sequence length",
    )
    failed(
        mm.attention(arch, 16, (4, 6, 16), (9, 16), (9, 16)), "must all be batched or all unbatched"
    )
    failed(mm.attention(arch, 16, (4, 6, 16), (3, 9, 16), (3, 9, 16)), "the same batch size")
    failed(mm.attention(arch, 16, (16,), (16,), (16,)), "q must be (S1, M) or (B, S1, M)")


def test_sequence_inputs() -> None:
    arch = "nn.TransformerDecoder[16, 4, 32, 2]"
    assert mm.sequence_input(arch, 16, "x", (4, 6, 16)) == (4, 6, 16)
    failed(
        mm.sequence_input(arch, 16, "x", (4, 6, 8)),
        "x must be (S, 16) or (B, S, 16), got shape (4, 6, 8)",
    )
    assert mm.sequence_pair(arch, 16, ("tgt", "mem"), (4, 6, 16), (4, 9, 16)) == (
        (4, 6, 16),
        (4, 9, 16),
    )
    failed(mm.sequence_pair(arch, 16, ("tgt", "mem"), (4, 6, 16), (9, 16)), "both be batched")
    failed(
        mm.sequence_pair(arch, 16, ("tgt", "mem"), (4, 6, 16), (5, 9, 16)), "the same batch size"
    )


def test_same_shape() -> None:
    assert mm.same_shape("nn.Residual[F]", "F must keep", ("x", "F(x)"), (B, 4), (DYN, 4)) == (B, 4)
    failed(
        mm.same_shape(
            "nn.Residual[F]", "F must keep the shape of its input", ("x", "F(x)"), (2, 4), (2, 8)
        ),
        "nn.Residual[F]: F must keep the shape of its input: ",
        "x has shape (2, 4), F(x) has shape (2, 8)",
    )


def test_match_shape_binds_symbols() -> None:
    assert mm.match_shape((B, 784), (64, 784)) is None
    assert mm.match_shape((B, 784), (64, DYN)) is None
    assert mm.match_shape((B, B), (3, 3)) is None
    failed(mm.match_shape((B, 784), (64, 100)), "axis 1: expected 784, got 100")
    failed(mm.match_shape((B, B), (3, 4)), "axis 1: B is 3 at an earlier axis, got 4")
    failed(mm.match_shape((B, 784), (784,)), "rank 1 != 2")
    assert mm.realize_dyn((4, DYN), (B, 784)) == (4, 784)
    assert mm.realize_dyn((DYN, DYN), (B, 784)) == (DYN, 784)
