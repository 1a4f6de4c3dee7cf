"""Pure arithmetic of modules: their architecture arguments, and what each does to a shape.

No mypy here (as ``shape_math``): the hooks translate mypy types into the values below, call
one function and translate the answer back.

- ``SPECS``: every dfdx_py module class with the names and defaults of its architecture
  arguments (its ``arch_params`` / ``arch_defaults``) and the family of rules it belongs to.
- ``check_args``: the static mirror of each class's ``check_arch_args`` (``Conv2D`` groups
  must divide the channels, ``MultiHeadAttention`` heads must divide the width, ...); it
  returns the arguments with their defaults filled in, or a ``Failure`` worded like the
  runtime's ``TypeError``.
- one function per module family computing the output shape from the input shape
  (``linear``, ``conv``, ``attention`` ...), each failing with a message that starts with
  the module as written (``nn.Linear[512, 10] expects last dim 512, got 256 ...``).

An argument is an ``int``, a ``str`` (``Upscale2D``'s mode), an ``ArchRef`` (an
architecture given to a combinator: ``Residual[F]``) or ``Other`` (anything that is not a
literal, shown as written). ``DYN`` dims are never an error here, as in ``shape_math``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, TypeAlias

from dfdx_mypy.shape_math import (
    DYN,
    ConvParams,
    Dim,
    DynDim,
    Failure,
    Shape,
    Sym,
    conv_transpose2d,
    fmt_dim,
    fmt_shape,
    pool2d,
    reshape,
    unify,
    unify_dims,
    upscale2d,
)
from dfdx_mypy.shape_math import conv as conv_op


@dataclass(frozen=True)
class ArchRef:
    """An architecture given as an argument (``F`` of ``Residual[F]``): how it prints and
    whether it is complete (a module class that takes arguments was given them)."""

    text: str
    complete: bool = True
    params: tuple[str, ...] = ()


@dataclass(frozen=True)
class Other:
    """An argument that is no literal (``int``, a type variable ...), as written."""

    text: str


Arg: TypeAlias = int | str | ArchRef | Other | DynDim
"""An architecture argument; ``DYN`` is an int (or a mode) known only at run time."""


@dataclass(frozen=True)
class Spec:
    """A dfdx_py module class: its architecture arguments and its family of rules."""

    name: str
    family: str
    params: tuple[str, ...] = ()
    defaults: tuple[int | str, ...] = ()

    @property
    def title(self) -> str:
        """``nn.Linear``: how the class prints (the runtime's ``repr``)."""
        return f"nn.{self.name}"


_CONV_PARAMS: Final = (
    "in_channels",
    "out_channels",
    "kernel_size",
    "stride",
    "padding",
    "dilation",
    "groups",
)
_POOL_PARAMS: Final = ("kernel_size", "stride", "padding")
_MHA_PARAMS: Final = ("embed_dim", "num_heads", "k_dim", "v_dim")
_BLOCK_PARAMS: Final = ("model_dim", "num_heads", "ff_dim")
_STACK_PARAMS: Final = (*_BLOCK_PARAMS, "num_layers")
_TRANSFORMER_PARAMS: Final = (
    "model_dim",
    "num_heads",
    "num_encoder_layers",
    "num_decoder_layers",
    "ff_dim",
)


def _specs() -> dict[str, Spec]:
    nn = "dfdx_py.nn."
    table: list[tuple[str, Spec]] = [
        (
            "linear.UnbiasedLinear",
            Spec("UnbiasedLinear", "linear", ("in_features", "out_features")),
        ),
        ("linear.Linear", Spec("Linear", "linear", ("in_features", "out_features"))),
        (
            "embedding.Embedding",
            Spec("Embedding", "embedding", ("num_embeddings", "embedding_dim")),
        ),
        ("norm.LayerNorm1D", Spec("LayerNorm1D", "layer_norm", ("normalized_shape",))),
        ("norm.BatchNorm1D", Spec("BatchNorm1D", "batch_norm1d", ("num_features",))),
        ("norm.BatchNorm2D", Spec("BatchNorm2D", "batch_norm2d", ("num_features",))),
        ("bias.Bias1D", Spec("Bias1D", "bias1d", ("features",))),
        ("bias.Bias2D", Spec("Bias2D", "bias2d", ("channels",))),
        ("conv.Conv1D", Spec("Conv1D", "conv1d", _CONV_PARAMS, (1, 0, 1, 1))),
        ("conv.Conv2D", Spec("Conv2D", "conv2d", _CONV_PARAMS, (1, 0, 1, 1))),
        ("conv.ConvTrans2D", Spec("ConvTrans2D", "conv_trans2d", _CONV_PARAMS, (1, 0, 1, 1))),
        ("reshape.Flatten2D", Spec("Flatten2D", "flatten2d")),
        ("reshape.Reshape", Spec("Reshape", "reshape", ("shape",))),
        (
            "reshape.Upscale2D",
            Spec("Upscale2D", "upscale2d", ("height", "width", "mode"), ("nearest",)),
        ),
        ("dropout.Dropout", Spec("Dropout", "identity")),
        ("dropout.DropoutOneIn", Spec("DropoutOneIn", "identity", ("n",))),
        ("prelu.PReLU", Spec("PReLU", "float_identity")),
        ("combinators.Residual", Spec("Residual", "residual", ("F",))),
        (
            "combinators.GeneralizedResidual",
            Spec("GeneralizedResidual", "generalized_residual", ("F", "R")),
        ),
        ("combinators.SplitInto", Spec("SplitInto", "split_into", ("A", "B", "..."))),
        ("combinators.AddInto", Spec("AddInto", "add_into", ("A", "B", "..."))),
        ("combinators.Repeated", Spec("Repeated", "repeated", ("A", "N"))),
        ("attention.MultiHeadAttention", Spec("MultiHeadAttention", "attention", _MHA_PARAMS)),
        (
            "transformer.TransformerEncoderBlock",
            Spec("TransformerEncoderBlock", "encoder", _BLOCK_PARAMS),
        ),
        ("transformer.TransformerEncoder", Spec("TransformerEncoder", "encoder", _STACK_PARAMS)),
        (
            "transformer.TransformerDecoderBlock",
            Spec("TransformerDecoderBlock", "decoder", _BLOCK_PARAMS),
        ),
        ("transformer.TransformerDecoder", Spec("TransformerDecoder", "decoder", _STACK_PARAMS)),
        ("transformer.Transformer", Spec("Transformer", "transformer", _TRANSFORMER_PARAMS)),
        ("sequential.Sequential", Spec("Sequential", "sequential")),
    ]
    for kind in ("Avg", "Max", "Min"):
        table.append((f"pool.{kind}Pool2D", Spec(f"{kind}Pool2D", "pool2d", _POOL_PARAMS, (1, 0))))
        table.append((f"pool.{kind}PoolGlobal", Spec(f"{kind}PoolGlobal", "global_pool")))
    for name in ["ReLU", "Abs", "Square"]:
        table.append((f"activations.{name}", Spec(name, "int_identity")))
    for name in ["GeLU", "Sigmoid", "Tanh", "LeakyReLU", "Sin", "Cos", "Exp", "Ln", "Sqrt"]:
        table.append((f"activations.{name}", Spec(name, "float_identity")))
    for name in ("Softmax", "LogSoftmax"):
        table.append((f"activations.{name}", Spec(name, "softmax")))
    return {nn + path: spec for path, spec in table}


SPECS: Final = _specs()
"""Every dfdx_py module class, by fullname (``dfdx_py.nn.linear.Linear``)."""

ARCH_FAMILIES: Final = frozenset(
    ("residual", "generalized_residual", "split_into", "add_into", "repeated")
)
"""Families whose arguments are architectures (the combinators)."""


# -- printing -----------------------------------------------------------------------------


def fmt_arg(arg: Arg) -> str:
    """An argument as the runtime prints it: ``5``, ``'bilinear'``, ``nn.Linear[5, 10]``."""
    if isinstance(arg, ArchRef | Other):
        return arg.text
    if isinstance(arg, DynDim):
        return "Dyn"
    return repr(arg)


def shown_args(spec: Spec, args: Sequence[Arg]) -> tuple[Arg, ...]:
    """``args`` without the trailing ones that equal their default (``Conv2D[1, 8, 3]``
    rather than ``Conv2D[1, 8, 3, 1, 0, 1, 1]``; ``MultiHeadAttention``'s ``K`` and ``V``
    default to ``M``)."""
    shown = list(args)
    if spec.family == "attention" and len(shown) == 4 and shown[2] == shown[3] == shown[0]:
        return tuple(shown[:2])
    first_default = len(spec.params) - len(spec.defaults)
    while len(shown) > first_default and len(shown) <= len(spec.params):
        i = len(shown) - 1
        if i < first_default or shown[i] != spec.defaults[i - first_default]:
            break
        shown.pop()
    return tuple(shown)


def fmt_arch(spec: Spec, args: Sequence[Arg] | None) -> str:
    """``nn.Linear[5, 10]``; ``nn.ReLU``; ``nn.Linear`` when the arguments are unknown."""
    if args is None or (not args and not spec.params):
        return spec.title
    return f"{spec.title}[{', '.join(fmt_arg(a) for a in shown_args(spec, args))}]"


# -- architecture arguments ---------------------------------------------------------------


Size: TypeAlias = int | DynDim
"""An int argument: a literal, or ``DYN`` for an int known only at run time (``Linear[m, k]``
written in a runtime expression with ``m: int``): its checks are left to run time."""


def _fail_int(spec: Spec, name: str, value: Arg, minimum: int = 0) -> Failure:
    return Failure(f"{spec.title}: {name} must be an int >= {minimum}, got {fmt_arg(value)}")


def _size(spec: Spec, name: str, value: Arg, minimum: int = 0) -> Size | Failure:
    """``value`` when it is an int >= ``minimum`` (or ``DYN``)."""
    if isinstance(value, DynDim):
        return value
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        return _fail_int(spec, name, value, minimum)
    return value


def _sizes(
    spec: Spec, names: Sequence[str], args: Sequence[Arg], minimum: int = 0
) -> tuple[Size, ...] | Failure:
    values: list[Size] = []
    for name, value in zip(names, args, strict=True):
        checked = _size(spec, name, value, minimum)
        if isinstance(checked, Failure):
            return checked
        values.append(checked)
    return tuple(values)


def _ints(spec: Spec, args: Sequence[Arg]) -> tuple[Size, ...] | Failure:
    """``Module.check_arch_args``: the count, then every argument an int >= 0."""
    n = len(spec.params)
    required = n - len(spec.defaults)
    if not required <= len(args) <= n:
        wanted = f"{required}" if required == n else f"{required} to {n}"
        return Failure(
            f"{spec.title} takes {wanted} arguments ({', '.join(spec.params)}), got {len(args)}"
        )
    return _sizes(spec, spec.params, (*args, *spec.defaults[len(args) - required :]))


def _conv(spec: Spec, args: Sequence[Arg]) -> tuple[Size, ...] | Failure:
    values = _ints(spec, args)
    if isinstance(values, Failure):
        return values
    named = dict(zip(spec.params, values, strict=True))
    for name in ("in_channels", "out_channels", "kernel_size", "stride", "dilation", "groups"):
        bad = _size(spec, name, named[name], 1)
        if isinstance(bad, Failure):
            return bad
    groups = named["groups"]
    for name in ("in_channels", "out_channels"):
        size = named[name]
        if isinstance(groups, int) and isinstance(size, int) and size % groups:
            return Failure(f"{spec.title}: groups={groups} must divide {name}={size}")
    return values


def _pool(spec: Spec, args: Sequence[Arg]) -> tuple[Size, ...] | Failure:
    values = _ints(spec, args)
    if isinstance(values, Failure):
        return values
    kernel, stride, padding = values
    for name, value in (("kernel_size", kernel), ("stride", stride)):
        bad = _size(spec, name, value, 1)
        if isinstance(bad, Failure):
            return bad
    if isinstance(padding, int) and isinstance(kernel, int) and padding >= kernel:
        return Failure(
            f"{spec.title}: padding {padding} must be smaller than the kernel {kernel} "
            "(a window would hold nothing but padding)"
        )
    return values


def _dropout_one_in(spec: Spec, args: Sequence[Arg]) -> tuple[Size, ...] | Failure:
    values = _ints(spec, args)
    if isinstance(values, Failure):
        return values
    n = values[0]
    if isinstance(n, int) and n < 2:
        return Failure(f"{spec.title}: N must be an int >= 2 (p = 1/N < 1), got {n}")
    return values


def _reshape(spec: Spec, args: Sequence[Arg]) -> tuple[Size, ...] | Failure:
    if not 1 <= len(args) <= 6:
        return Failure(f"{spec.title} takes 1 to 6 dims, got {len(args)}")
    dims: list[Size] = []
    for value in args:
        checked = _size(spec, "each dim", value, -1)
        if isinstance(checked, Failure):
            return Failure(
                f"{spec.title}: each dim must be an int >= 0 or -1, got {fmt_arg(value)}"
            )
        dims.append(checked)
    if dims.count(-1) > 1:
        shown = ", ".join(map(str, dims))
        return Failure(f"{spec.title}: at most one dim may be -1, got ({shown})")
    return tuple(dims)


def _upscale(spec: Spec, args: Sequence[Arg]) -> tuple[Size | str, ...] | Failure:
    if len(args) not in (2, 3):
        return Failure(
            f"{spec.title} takes 2 to 3 arguments (height, width, mode), got {len(args)}"
        )
    sizes = _sizes(spec, ("height", "width"), args[:2], 1)
    if isinstance(sizes, Failure):
        return sizes
    mode = args[2] if len(args) == 3 else "nearest"
    if isinstance(mode, DynDim):
        return (*sizes, mode)
    if mode not in ("nearest", "bilinear") or not isinstance(mode, str):
        return Failure(f"{spec.title}: mode must be 'nearest' or 'bilinear', got {fmt_arg(mode)}")
    return (*sizes, mode)


def _heads(title: str, m: Size, h: Size, k: Size, v: Size) -> Failure | None:
    if not all(isinstance(d, int) for d in (m, h, k, v)):
        return None  # checked at run time
    assert isinstance(m, int) and isinstance(h, int) and isinstance(k, int) and isinstance(v, int)
    if h == 0 or m % h or k % h or v % h:
        return Failure(
            f"{title}: num_heads H={h} must divide embed_dim M={m}, k_dim K={k} and "
            f"v_dim V={v} (each head gets an equal slice)"
        )
    return None


def _attention(spec: Spec, args: Sequence[Arg]) -> tuple[Size, ...] | Failure:
    if not 2 <= len(args) <= 4:
        return Failure(
            f"{spec.title} takes 2 to 4 arguments (embed_dim M, num_heads H, k_dim K=M, "
            f"v_dim V=M), got {len(args)}"
        )
    full = (*args, *(args[0], args[0])[len(args) - 2 :])
    values = _sizes(spec, spec.params, full)
    if isinstance(values, Failure):
        return values
    m, h, k, v = values
    bad = _heads(spec.title, m, h, k, v)
    return bad if bad is not None else values


def _transformer(spec: Spec, args: Sequence[Arg]) -> tuple[Size, ...] | Failure:
    values = _ints(spec, args)
    if isinstance(values, Failure):
        return values
    m, h = values[0], values[1]
    bad = _heads("nn.MultiHeadAttention", m, h, m, m)
    if bad is not None:
        written = ", ".join(fmt_arg(a) for a in args)
        return Failure(f"{spec.title}[{written}]: {bad.message}")
    return values


def _architecture(spec: Spec, name: str, arg: Arg) -> Failure | None:
    """``check_architecture``: ``arg`` must be a complete architecture."""
    if not isinstance(arg, ArchRef):
        return Failure(
            f"{spec.title}: {name} must be an architecture (a module class such as "
            f"nn.Linear[5, 10], or a tuple[...] of them), got {fmt_arg(arg)}"
        )
    if not arg.complete:
        return Failure(
            f"{spec.title}: {name} is {arg.text}, which needs its arguments: "
            f"{arg.text}[{', '.join(arg.params)}]"
        )
    return None


def _combinator(spec: Spec, args: Sequence[Arg]) -> tuple[Arg, ...] | Failure:
    family = spec.family
    if family in ("split_into", "add_into"):
        if len(args) < 2:
            hint = ""
            if (
                len(args) == 1
                and isinstance(args[0], ArchRef)
                and args[0].text.startswith("tuple[")
            ):
                hint = f" (write {spec.name}[A, B], not {spec.name}[tuple[A, B]])"
            return Failure(f"{spec.title} takes 2 or more architectures, got {len(args)}{hint}")
        names = [f"architecture {i}" for i in range(len(args))]
    elif family == "repeated":
        if len(args) != 2:
            return Failure(f"{spec.title} takes 2 arguments (A, N), got {len(args)}")
        n = _size(spec, "N", args[1])
        if isinstance(n, Failure):
            return n
        names = ["A"]
    else:
        wanted = len(spec.params)
        if len(args) != wanted:
            plural = "architecture" if wanted == 1 else "architectures"
            return Failure(
                f"{spec.title} takes {wanted} {plural} ({', '.join(spec.params)}), got {len(args)}"
            )
        names = list(spec.params)
    for name, arg in zip(names, args, strict=False):
        bad = _architecture(spec, name, arg)
        if bad is not None:
            return bad
    return tuple(args)


def check_args(spec: Spec, args: Sequence[Arg]) -> tuple[Arg, ...] | Failure:
    """The arguments of ``spec[args]`` with their defaults filled in, or why the runtime's
    ``check_arch_args`` would raise ``TypeError``."""
    family = spec.family
    if family in ARCH_FAMILIES:
        return _combinator(spec, args)
    if family == "reshape":
        return _reshape(spec, args)
    if family == "upscale2d":
        return _upscale(spec, args)
    if family == "attention":
        return _attention(spec, args)
    if family in ("encoder", "decoder", "transformer"):
        return _transformer(spec, args)
    if family in ("conv1d", "conv2d", "conv_trans2d"):
        return _conv(spec, args)
    if family == "pool2d":
        return _pool(spec, args)
    if spec.name == "DropoutOneIn":
        return _dropout_one_in(spec, args)
    if not spec.params and not args:
        return ()
    return _ints(spec, args)


# -- what each module does to a shape -----------------------------------------------------


def _sym_hint(dim: Dim) -> str:
    return " (a symbol is not a static size; use realize)" if isinstance(dim, Sym) else ""


def last_dim(arch: str, size: int, x: Shape) -> Shape | Failure:
    """``x`` when its last dim can be ``size`` (``LayerNorm1D``, ``Bias1D``)."""
    if not x:
        return Failure(f"{arch} expects last dim {size}, got a Rank0 tensor (input shape ())")
    d = unify_dims(x[-1], size)
    if d is None:
        return Failure(
            f"{arch} expects last dim {size}, got {fmt_dim(x[-1])}{_sym_hint(x[-1])}: "
            f"input shape {fmt_shape(x)}, expected (..., {size})"
        )
    return (*x[:-1], d)


def linear(arch: str, size_in: int, size_out: int, x: Shape) -> Shape | Failure:
    """``Linear[I, O]``: ``(..., I) -> (..., O)`` for inputs of rank 1 to 3."""
    checked = last_dim(arch, size_in, x)
    if isinstance(checked, Failure):
        return checked
    if len(x) > 3:
        return Failure(f"{arch} takes inputs of rank 1 to 3, got shape {fmt_shape(x)}")
    return (*x[:-1], size_out)


def embedding(size: int, x: Shape) -> Shape:
    """``Embedding[V, M]``: indices ``(...)`` give ``(..., M)``."""
    return (*x, size)


def _channels(arch: str, channels: int, x: Shape, layouts: dict[int, str]) -> Shape | Failure:
    """``x`` when its rank is a key of ``layouts`` (``{2: "(B, C)"}``) and the ``C`` of that
    layout is ``channels``."""
    if len(x) not in layouts:
        shown = " or ".join(layouts.values())
        return Failure(f"{arch} expects an input {shown}, got shape {fmt_shape(x)}")
    layout = layouts[len(x)]
    axis = layout.strip("()").split(", ").index("C")
    d = unify_dims(x[axis], channels)
    if d is None:
        return Failure(
            f"{arch} expects {channels} channels at axis {axis} of {layout}, got "
            f"{fmt_dim(x[axis])}{_sym_hint(x[axis])} (input shape {fmt_shape(x)})"
        )
    return (*x[:axis], d, *x[axis + 1 :])


_IMAGE: Final = {3: "(C, H, W)", 4: "(B, C, H, W)"}


def _per_channel(x: Shape, axis: int) -> int | None:
    """The number of values per channel when every dim is static."""
    n = 1
    for i, d in enumerate(x):
        if i != axis:
            if not isinstance(d, int):
                return None
            n *= d
    return n


def batch_norm1d(arch: str, channels: int, x: Shape, training: bool) -> Shape | Failure:
    """``BatchNorm1D[C]``: ``(B, C)`` or ``(B, C, L)``, the shape kept."""
    checked = _channels(arch, channels, x, {2: "(B, C)", 3: "(B, C, L)"})
    if isinstance(checked, Failure):
        return checked
    return _train_check(arch, checked, 1, training)


def batch_norm2d(arch: str, channels: int, x: Shape, training: bool) -> Shape | Failure:
    """``BatchNorm2D[C]``: ``(C, H, W)`` or ``(B, C, H, W)``, the shape kept."""
    checked = _channels(arch, channels, x, _IMAGE)
    if isinstance(checked, Failure):
        return checked
    return _train_check(arch, checked, len(x) - 3, training)


def _train_check(arch: str, x: Shape, axis: int, training: bool) -> Shape | Failure:
    n = _per_channel(x, axis)
    if training and n is not None and n < 2:
        return Failure(
            f"{arch} needs more than one value per channel to train, got input shape {fmt_shape(x)}"
        )
    return x


def bias2d(arch: str, channels: int, x: Shape) -> Shape | Failure:
    """``Bias2D[C]``: ``(C, H, W)`` or ``(B, C, H, W)``, the shape kept."""
    return _channels(arch, channels, x, _IMAGE)


def _prefixed(arch: str, result: Shape | Failure) -> Shape | Failure:
    return Failure(f"{arch}: {result.message}") if isinstance(result, Failure) else result


def conv(arch: str, spatial: int, args: Sequence[int], x: Shape) -> Shape | Failure:
    """``Conv1D`` (``spatial=1``) / ``Conv2D`` (2) ``[In, Out, K, S, P, D, G]``: ``(In, *S)``
    or ``(B, In, *S)`` to ``(…, Out, *S')``."""
    c_in, c_out, k, stride, padding, dilation, groups = args
    names = ("L",) if spatial == 1 else ("H", "W")
    layouts = (
        f"({', '.join(('In', *names))})",
        f"({', '.join(('B', 'In', *names))})",
    )
    checked = _input_channels(arch, c_in, x, spatial, layouts)
    if isinstance(checked, Failure):
        return checked
    weight: Shape = (c_out, c_in // groups, *(k,) * spatial)
    params = ConvParams(
        stride=(stride,) * spatial,
        padding=(padding,) * spatial,
        dilation=(dilation,) * spatial,
        groups=groups,
    )
    op = "conv1d" if spatial == 1 else "conv2d"
    return _prefixed(arch, conv_op(op, checked, weight, params, spatial))


def _input_channels(
    arch: str, c_in: int, x: Shape, spatial: int, layouts: tuple[str, str]
) -> Shape | Failure:
    rank = spatial + 1
    if len(x) not in (rank, rank + 1):
        return Failure(
            f"{arch} expects an input {layouts[0]} or {layouts[1]}, got shape {fmt_shape(x)}"
        )
    axis = len(x) - rank
    d = unify_dims(x[axis], c_in)
    if d is None:
        return Failure(
            f"{arch} expects {c_in} input channels at axis {axis}, got "
            f"{fmt_dim(x[axis])}{_sym_hint(x[axis])} (input shape {fmt_shape(x)})"
        )
    return (*x[:axis], d, *x[axis + 1 :])


def conv_trans2d(arch: str, args: Sequence[int], x: Shape) -> Shape | Failure:
    """``ConvTrans2D[In, Out, K, S, P, D, G]``: ``(In, H, W)`` or ``(B, In, H, W)`` to
    ``(…, Out, H', W')``, ``H' = (H-1)·S - 2·P + D·(K-1) + 1``."""
    c_in, c_out, k, stride, padding, dilation, groups = args
    checked = _input_channels(arch, c_in, x, 2, ("(In, H, W)", "(B, In, H, W)"))
    if isinstance(checked, Failure):
        return checked
    params = ConvParams(
        stride=(stride, stride),
        padding=(padding, padding),
        dilation=(dilation, dilation),
        groups=groups,
    )
    return _prefixed(arch, conv_transpose2d(checked, (c_in, c_out // groups, k, k), params))


def _image(arch: str, x: Shape) -> Failure | None:
    if len(x) not in (3, 4):
        return Failure(
            f"{arch} expects an input (C, H, W) or (B, C, H, W), got shape {fmt_shape(x)}"
        )
    return None


def pool(arch: str, args: Sequence[int], x: Shape) -> Shape | Failure:
    """``AvgPool2D`` / ``MaxPool2D`` / ``MinPool2D`` ``[K, S, P]``."""
    bad = _image(arch, x)
    if bad is not None:
        return bad
    k, s, p = args
    return _prefixed(arch, pool2d(x, (k, k), (s, s), (p, p)))


def global_pool(arch: str, x: Shape) -> Shape | Failure:
    """``AvgPoolGlobal`` and friends: ``(…, C, H, W) -> (…, C)``."""
    bad = _image(arch, x)
    return bad if bad is not None else x[:-2]


def flatten2d(arch: str, x: Shape) -> Shape | Failure:
    """``Flatten2D``: ``(…, C, H, W) -> (…, C·H·W)``; ``Dyn`` unless the three are static."""
    bad = _image(arch, x)
    if bad is not None:
        return bad
    c, h, w = x[-3:]
    size: Dim = (
        c * h * w if isinstance(c, int) and isinstance(h, int) and isinstance(w, int) else DYN
    )
    return (*x[:-3], size)


def reshape_layer(arch: str, dims: Sequence[int], x: Shape) -> Shape | Failure:
    """``Reshape[d0, ..., dn]``: ``x.reshape(dims)``."""
    return _prefixed(arch, reshape(x, tuple(dims)))


def upscale_layer(arch: str, height: int, width: int, x: Shape) -> Shape | Failure:
    """``Upscale2D[OH, OW, mode]``: ``(…, C, H, W) -> (…, C, OH, OW)``."""
    bad = _image(arch, x)
    return bad if bad is not None else _prefixed(arch, upscale2d(x, (height, width)))


def softmax_layer(arch: str, x: Shape) -> Shape | Failure:
    """``Softmax`` / ``LogSoftmax``: over the last axis, which must exist."""
    if not x:
        return Failure(f"{arch}: axis -1 is out of range for shape () (rank 0)")
    return x


def same_shape(arch: str, what: str, names: tuple[str, str], a: Shape, b: Shape) -> Shape | Failure:
    """Two shapes that must be equal (a residual add): their common shape."""
    if len(a) == len(b):
        common = unify("", a, b)
        if not isinstance(common, Failure):
            return common
    return Failure(
        f"{arch}: {what}: {names[0]} has shape {fmt_shape(a)}, {names[1]} has shape {fmt_shape(b)}"
    )


def attention(arch: str, m: int, q: Shape, k: Shape, v: Shape) -> Shape | Failure:
    """``MultiHeadAttention[M, H, K, V]``: ``q`` ``(S1, M)`` or ``(B, S1, M)``, ``k`` and
    ``v`` ``(S2, M)`` or ``(B, S2, M)``; the output has ``q``'s shape."""
    problem = None
    if len(q) not in (2, 3):
        problem = "q must be (S1, M) or (B, S1, M)"
    elif len(k) != len(q) or len(v) != len(q):
        problem = "q, k and v must all be batched or all unbatched"
    elif any(unify_dims(t[-1], m) is None for t in (q, k, v)):
        problem = f"the last dim of q, k and v must be M={m}"
    elif unify_dims(k[-2], v[-2]) is None:
        problem = "k and v must have the same sequence length"
    elif len(q) == 3 and (
        unify_dims(q[0], k[0]) is None
        or unify_dims(q[0], v[0]) is None
        or unify_dims(k[0], v[0]) is None
    ):
        problem = "q, k and v must have the same batch size"
    if problem is not None:
        return Failure(f"{arch}: {problem}: q {fmt_shape(q)}, k {fmt_shape(k)}, v {fmt_shape(v)}")
    return (*q[:-1], m)


def sequence_input(arch: str, m: int, name: str, x: Shape) -> Shape | Failure:
    """A transformer input: ``(S, M)`` or ``(B, S, M)``."""
    if len(x) not in (2, 3) or unify_dims(x[-1], m) is None:
        return Failure(f"{arch}: {name} must be (S, {m}) or (B, S, {m}), got shape {fmt_shape(x)}")
    return (*x[:-1], m)


def sequence_pair(
    arch: str, m: int, names: tuple[str, str], a: Shape, b: Shape
) -> tuple[Shape, Shape] | Failure:
    """The two inputs of a decoder or a transformer: each ``(S, M)`` or ``(B, S, M)``,
    both batched with one batch size, or both unbatched."""
    first = sequence_input(arch, m, names[0], a)
    if isinstance(first, Failure):
        return first
    second = sequence_input(arch, m, names[1], b)
    if isinstance(second, Failure):
        return second
    if len(a) != len(b) or (len(a) == 3 and unify_dims(a[0], b[0]) is None):
        return Failure(
            f"{arch}: {names[0]} and {names[1]} must both be batched with the same batch "
            f"size, or both unbatched: {names[0]} {fmt_shape(a)}, {names[1]} {fmt_shape(b)}"
        )
    return first, second


# -- custom modules -----------------------------------------------------------------------


def match_shape(pattern: Shape, actual: Shape) -> Failure | None:
    """Whether ``actual`` fits a parameter's shape ``pattern``, whose symbols bind to any
    dim (the same dim wherever the symbol appears): ``None``, or why not."""
    if len(pattern) != len(actual):
        return Failure(f"rank {len(actual)} != {len(pattern)}")
    bound: dict[str, Dim] = {}
    for i, (p, a) in enumerate(zip(pattern, actual, strict=True)):
        if isinstance(p, Sym):
            if p.key not in bound:
                bound[p.key] = a
                continue
            want: Dim = bound[p.key]
        else:
            want = p
        if unify_dims(want, a) is None:
            if isinstance(p, Sym):
                return Failure(
                    f"axis {i}: {p.name} is {fmt_dim(want)} at an earlier axis, got {fmt_dim(a)}"
                )
            return Failure(f"axis {i}: expected {fmt_dim(want)}, got {fmt_dim(a)}{_sym_hint(a)}")
    return None


def realize_dyn(actual: Shape, pattern: Shape) -> Shape:
    """``actual`` with each ``Dyn`` dim where ``pattern`` has a static size taken to be that
    size (a ``Dyn`` dim is never a static error: it is checked at run time)."""
    if len(actual) != len(pattern):
        return actual
    return tuple(
        p if isinstance(a, DynDim) and isinstance(p, int) else a
        for a, p in zip(actual, pattern, strict=True)
    )
