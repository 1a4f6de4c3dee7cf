"""Rules for calling modules: ``model(x)``, ``model.forward_mut(x)`` and ``model.forward(x)``.

What mypy cannot infer: ``Module.__call__(self, x: Any) -> Any``, and every dfdx_py module's
``forward`` takes and returns ``Tensor[Any, Any, Any]``; the architecture a model was built
from lives in its type (``module_types``), the shapes in ``module_math``.

Algorithm: the model's type is walked like the runtime walks the model. A dfdx_py module
applies its family's shape rule (``module_math``) to the input, after a dtype check
(``Embedding`` takes ``i64`` indices; most modules a float tensor); a ``Sequential`` feeds each
item's output to the next and names the failing item ("item 2 of the Sequential: ...", nested
sequentials as "item 1.0"); a combinator applies its architectures (``Residual``: ``F`` must
keep the shape; ``SplitInto`` returns a tuple; ``AddInto`` takes one; ``Repeated[A, N]``
applies ``A`` until the type is a fixed point, at most ``N`` times); ``MultiHeadAttention``
and the transformers take a tensor or a tuple of tensors. A user's ``nn.Module`` subclass
runs its own ``forward``'s signature (type variables such as ``B`` solved by mypy against the
input); a shape or dtype mismatch there becomes a ``tensor-shape`` / ``tensor-dtype`` error.
The output keeps the input's device; its dtype is the input's (``Embedding``: the model's).

Dtypes: a model built by ``dev.build_module(Arch, dtype)`` carries the dtype of its
parameters in its type (``module_types.with_dtype``). Each module with parameters (``Linear``,
norms, biases, convolutions, ``PReLU``, attention, transformers) must get an input of that
dtype, as at run time, where ``x @ weight`` of two dtypes raises ``DTypeError``: an ``f32``
input to a ``bf16`` or ``AMP[bf16]`` model is a ``tensor-dtype`` error naming both. Modules
without parameters (activations, pooling, dropout, reshapes) keep any float input's dtype. A
model whose dtype is unknown (an annotation such as ``nn.Linear[5, 10]``, a user's module)
or an input whose dtype is a type variable is never a dtype error. ``Dyn`` dims, unknown
shapes and bare architectures (``nn.Linear`` without arguments) are never an error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from mypy.checker import TypeChecker
from mypy.errorcodes import ErrorCode
from mypy.nodes import ARG_POS, FuncDef, TempNode, TypeInfo
from mypy.plugin import MethodContext, MethodSigContext, Plugin
from mypy.subtypes import is_same_type
from mypy.types import (
    AnyType,
    CallableType,
    Instance,
    ProperType,
    TupleType,
    Type,
    TypeOfAny,
    get_proper_type,
)

from dfdx_mypy import errors, module_math, names
from dfdx_mypy.call import compatible
from dfdx_mypy.module_math import Spec
from dfdx_mypy.module_types import (
    Builder,
    call_target,
    fmt_module,
    int_args,
    is_module_info,
    module_args,
    module_instance,
    sequential_items,
    split_dtype,
    with_dtype,
)
from dfdx_mypy.rules import architectures
from dfdx_mypy.rules.dtypes import FLOAT, FLOAT_INT, concrete_dtype
from dfdx_mypy.shape_math import Failure, Shape, fmt_shape
from dfdx_mypy.shape_types import (
    TensorInfo,
    literal_int,
    replace_tensor_args,
    shape_to_type,
    tensor_info,
    type_name,
)

MethodHook = Callable[[MethodContext], Type]

_KEEPS_SHAPE: Final = frozenset(
    (
        "identity",
        "float_identity",
        "int_identity",
        "softmax",
        "layer_norm",
        "batch_norm1d",
        "batch_norm2d",
        "bias1d",
        "bias2d",
    )
)
"""Families whose output has the input's shape whenever the call succeeds."""

_ANY_DTYPE: Final = frozenset(("identity", "flatten2d", "reshape"))
_PARAMETERS: Final = frozenset(
    (
        "linear",
        "layer_norm",
        "batch_norm1d",
        "batch_norm2d",
        "bias1d",
        "bias2d",
        "conv1d",
        "conv2d",
        "conv_trans2d",
        "attention",
        "encoder",
        "decoder",
        "transformer",
    )
)
"""Families whose modules apply parameters to their input (``PReLU`` too, see
``_has_parameters``): the input's dtype must be the model's. (``Embedding`` has parameters
but takes ``i64`` indices: its output has the model's dtype.)"""
_REPEAT_LIMIT: Final = 256
"""``Repeated[A, N]`` is followed this many times at most when its type never settles."""

_ITEM: Final = re.compile(r"item ([\d.]+) of the Sequential: ")


@dataclass(frozen=True)
class Problem:
    """Why a call fails, with its error code; ``reported`` when mypy's own errors were
    reported already (a custom module's ``forward`` rejecting its input)."""

    message: str
    code: ErrorCode = errors.TENSOR_SHAPE
    reported: bool = False

    def within(self, where: str) -> Problem:
        """This problem inside ``where`` ("F of nn.Residual")."""
        if self.reported:
            return self
        return Problem(f"{where}: {self.message}", self.code)

    def in_item(self, index: int) -> Problem:
        """This problem in item ``index`` of a ``Sequential`` (``item 1.0`` when nested)."""
        if self.reported:
            return self
        m = _ITEM.match(self.message)
        if m is not None:
            rest = self.message[m.end() :]
            return Problem(f"item {index}.{m[1]} of the Sequential: {rest}", self.code)
        return Problem(f"item {index} of the Sequential: {self.message}", self.code)


Result = Type | Problem


def fmt_value(t: Type) -> str:
    """A module input in messages: a tensor's shape, a tuple of them, or the type."""
    info = tensor_info(t)
    if info is not None:
        return fmt_shape(info.shape) if isinstance(info.shape, tuple) else "a tensor"
    p = get_proper_type(t)
    if isinstance(p, TupleType):
        return (
            "("
            + ", ".join(fmt_value(i) for i in p.items)
            + ("," if len(p.items) == 1 else "")
            + ")"
        )
    return str(p)


def _known(info: TensorInfo) -> Shape | None:
    return info.shape if isinstance(info.shape, tuple) else None


class Walker:
    """Walks a model's architecture over an input type, as the runtime walks the model."""

    def __init__(
        self,
        ctx: MethodContext,
        checker: TypeChecker,
        builder: Builder,
        training: bool,
        dtype: Type | None = None,
    ):
        self.ctx = ctx
        self.checker = checker
        self.builder = builder
        self.training = training
        self.dtype = dtype
        """The dtype of the model's parameters, when its type says (a built model)."""

    # -- results ---------------------------------------------------------------------------

    def tensor(self, like: TensorInfo, shape: Shape | None, *, any_dtype: bool = False) -> Type:
        """``like``'s tensor type with ``shape`` (``None``: unknown)."""
        shape_type = shape_to_type(shape, self.checker) if shape is not None else _any()
        dtype = (self.dtype or _any()) if any_dtype else None
        return replace_tensor_args(like.instance, shape=shape_type, dtype=dtype)

    # -- the walk --------------------------------------------------------------------------

    def apply(self, module: Instance, x: Type) -> Result:
        """What ``module(x)`` returns, or why it fails."""
        if isinstance(get_proper_type(x), AnyType):
            return _any()
        module, own = split_dtype(module)
        if own is not None:
            self.dtype = own
        target = call_target(module.type)
        if target is None:
            return _any()
        if target.custom is not None:
            return self.custom(module, target.custom, x)
        spec = target.spec
        assert spec is not None
        family = spec.family
        if family == "sequential":
            return self.sequential(module, x)
        if spec.params and module_args(module) is None:  # a bare class: unknown arguments
            info = tensor_info(x)
            return self.tensor(info, None) if info is not None else _any()
        handler = _COMBINATORS.get(family)
        if handler is not None:
            return handler(self, module, spec, x)
        return self.tensor_module(module, spec, x)

    def tensor_module(self, module: Instance, spec: Spec, x: Type) -> Result:
        """A module of one tensor: the family's shape rule."""
        arch = fmt_module(module)
        xi = self.expect_tensor(arch, x)
        if isinstance(xi, Problem) or xi is None:
            return xi if xi is not None else _any()
        bad = self.dtype_problem(arch, spec, xi)
        if bad is not None:
            return bad
        family = spec.family
        shape = _known(xi)
        if shape is None:
            return (
                x
                if family in _KEEPS_SHAPE
                else self.tensor(xi, None, any_dtype=family == "embedding")
            )
        out = self.shape_rule(module, spec, arch, shape)
        if isinstance(out, Failure):
            return Problem(out.message)
        if out is None:
            return self.tensor(xi, None, any_dtype=family == "embedding")
        return self.tensor(xi, out, any_dtype=family == "embedding")

    def expect_tensor(self, arch: str, x: Type) -> TensorInfo | Problem | None:
        """``x`` as a tensor; a problem when it is statically something else."""
        info = tensor_info(x)
        if info is not None:
            return info
        p = get_proper_type(x)
        if isinstance(p, TupleType):
            return Problem(f"{arch} takes a tensor, got a tuple {fmt_value(p)}")
        if isinstance(p, Instance) and p.type.fullname in ("builtins.int", "builtins.float"):
            return Problem(f"{arch} takes a tensor, got {p.type.name}")
        return None

    def dtype_problem(self, arch: str, spec: Spec, x: TensorInfo) -> Problem | None:
        """A concrete input dtype the module rejects at run time."""
        dtype = concrete_dtype(x.dtype)
        family = spec.family
        if dtype is None or family in _ANY_DTYPE:
            return None
        if family == "embedding":
            if dtype == names.I64:
                return None
            return Problem(
                f"{arch} expects an i64 tensor of indices, got {type_name(x.dtype)}",
                errors.TENSOR_DTYPE,
            )
        int_ok = family == "int_identity" or (
            family == "global_pool" and not spec.name.startswith("Avg")
        )
        accepted = FLOAT_INT if int_ok else FLOAT
        if dtype not in accepted:
            wanted = "a float or i64 tensor" if int_ok else "a float tensor"
            return Problem(f"{arch}: needs {wanted}, got {type_name(x.dtype)}", errors.TENSOR_DTYPE)
        model = concrete_dtype(self.dtype) if self.dtype is not None else None
        if model is None or model == dtype or not _has_parameters(spec):
            return None
        assert self.dtype is not None
        text = errors.dtypes_differ_text(
            arch,
            type_name(x.dtype),
            type_name(self.dtype),
            "input vs parameters",
            f"convert the input with .to_dtype({type_name(self.dtype)})",
        )
        return Problem(text, errors.TENSOR_DTYPE)

    def shape_rule(
        self, module: Instance, spec: Spec, arch: str, x: Shape
    ) -> Shape | Failure | None:
        """The family's output shape (``None`` when the arguments cannot be read)."""
        family = spec.family
        mm = module_math
        if family in ("identity", "float_identity", "int_identity"):
            return x
        if family == "softmax":
            return mm.softmax_layer(arch, x)
        if family == "global_pool":
            return mm.global_pool(arch, x)
        if family == "flatten2d":
            return mm.flatten2d(arch, x)
        if family == "upscale2d":
            args = module_args(module)
            if args is None or not isinstance(args[0], int) or not isinstance(args[1], int):
                return None
            return mm.upscale_layer(arch, args[0], args[1], x)
        ints = int_args(module)
        if ints is None:
            return None
        rules: dict[str, Callable[[], Shape | Failure]] = {
            "linear": lambda: mm.linear(arch, ints[0], ints[1], x),
            "embedding": lambda: mm.embedding(ints[1], x),
            "layer_norm": lambda: mm.last_dim(arch, ints[0], x),
            "bias1d": lambda: mm.last_dim(arch, ints[0], x),
            "batch_norm1d": lambda: mm.batch_norm1d(arch, ints[0], x, self.training),
            "batch_norm2d": lambda: mm.batch_norm2d(arch, ints[0], x, self.training),
            "bias2d": lambda: mm.bias2d(arch, ints[0], x),
            "conv1d": lambda: mm.conv(arch, 1, ints, x),
            "conv2d": lambda: mm.conv(arch, 2, ints, x),
            "conv_trans2d": lambda: mm.conv_trans2d(arch, ints, x),
            "pool2d": lambda: mm.pool(arch, ints, x),
            "reshape": lambda: mm.reshape_layer(arch, ints, x),
        }
        rule = rules.get(family)
        return rule() if rule is not None else None

    # -- containers ------------------------------------------------------------------------

    def sequential(self, module: Instance, x: Type) -> Result:
        """Each item's output feeds the next."""
        items = sequential_items(module)
        if items is None:
            return _any()  # a Sequential whose items are unknown
        current = x
        for i, item in enumerate(items):
            inst = module_instance(item)
            if inst is None:
                return _any()
            out = self.apply(inst, current)
            if isinstance(out, Problem):
                return out.in_item(i)
            current = out
        return current

    def arch_arg(self, module: Instance, index: int) -> Instance | None:
        return module_instance(module.args[index]) if index < len(module.args) else None

    def residual(self, module: Instance, spec: Spec, x: Type) -> Result:
        """``Residual[F]``: ``x + F(x)``; ``F`` keeps the shape."""
        f = self.arch_arg(module, 0)
        if f is None:
            return _any()
        fx = self.apply(f, x)
        if isinstance(fx, Problem):
            return fx.within(f"F of {spec.title}")
        return self.added(
            fmt_module(module), "F must keep the shape of its input", ("x", "F(x)"), x, fx
        )

    def generalized_residual(self, module: Instance, spec: Spec, x: Type) -> Result:
        """``GeneralizedResidual[F, R]``: ``F(x) + R(x)``."""
        f, r = self.arch_arg(module, 0), self.arch_arg(module, 1)
        if f is None or r is None:
            return _any()
        fx = self.apply(f, x)
        if isinstance(fx, Problem):
            return fx.within(f"F of {spec.title}")
        rx = self.apply(r, x)
        if isinstance(rx, Problem):
            return rx.within(f"R of {spec.title}")
        return self.added(
            fmt_module(module), "F(x) and R(x) must have the same shape", ("F(x)", "R(x)"), fx, rx
        )

    def added(self, arch: str, what: str, names_: tuple[str, str], a: Type, b: Type) -> Result:
        """``a + b`` for two module outputs that must have one shape."""
        ai, bi = tensor_info(a), tensor_info(b)
        if ai is None or bi is None:
            return a if ai is not None else _any()
        sa, sb = _known(ai), _known(bi)
        if sa is None or sb is None:
            return a
        common = module_math.same_shape(arch, what, names_, sa, sb)
        if isinstance(common, Failure):
            return Problem(common.message)
        return self.tensor(ai, common)

    def split_into(self, module: Instance, spec: Spec, x: Type) -> Result:
        """``SplitInto[A, B, ...]``: ``(A(x), B(x), ...)``."""
        outs: list[Type] = []
        for i in range(len(module.args)):
            branch = self.arch_arg(module, i)
            if branch is None:
                return _any()
            out = self.apply(branch, x)
            if isinstance(out, Problem):
                return out.within(f"branch {i} of {spec.title}")
            outs.append(out)
        tup = self.builder.tuple_of(outs)
        return tup if tup is not None else _any()

    def add_into(self, module: Instance, spec: Spec, x: Type) -> Result:
        """``AddInto[A, B, ...]``: ``(x0, x1, ...) -> A(x0) + B(x1) + ...``."""
        arch = fmt_module(module)
        n = len(module.args)
        p = get_proper_type(x)
        if not isinstance(p, TupleType):
            if tensor_info(p) is not None:
                return Problem(
                    f"{arch} takes a tuple of {n} inputs, one per module, got a tensor of "
                    f"shape {fmt_value(p)}"
                )
            return _any()
        if len(p.items) != n:
            return Problem(
                f"{arch} takes a tuple of {n} inputs, one per module, got {len(p.items)}: "
                f"{fmt_value(p)}"
            )
        outs: list[Type] = []
        for i, item in enumerate(p.items):
            branch = self.arch_arg(module, i)
            if branch is None:
                return _any()
            out = self.apply(branch, item)
            if isinstance(out, Problem):
                return out.within(f"branch {i} of {spec.title}")
            outs.append(out)
        infos = [tensor_info(o) for o in outs]
        shapes = [_known(i) if i is not None else None for i in infos]
        if any(s is None for s in shapes):
            return outs[0]
        known = [s for s in shapes if s is not None]
        first = known[0]
        for s in known[1:]:
            common = module_math.same_shape(arch, "", ("", ""), first, s)
            if isinstance(common, Failure):
                shown = ", ".join(fmt_shape(k) for k in known)
                return Problem(
                    f"{arch}: the outputs must have the same shape to be added: inputs "
                    f"{fmt_value(p)} gave outputs ({shown})"
                )
            first = common
        first_info = infos[0]
        assert first_info is not None
        return self.tensor(first_info, first)

    def repeated(self, module: Instance, spec: Spec, x: Type) -> Result:
        """``Repeated[A, N]``: ``A`` applied ``N`` times (each copy its own parameters)."""
        item = self.arch_arg(module, 0)
        args = module_args(module)
        n = args[1] if args is not None and len(args) == 2 else None
        if item is None or not isinstance(n, int):
            return _any()
        current = x
        for i in range(min(n, _REPEAT_LIMIT)):
            out = self.apply(item, current)
            if isinstance(out, Problem):
                return out.within(f"copy {i} of {spec.title}")
            if is_same_type(out, current):
                return out  # a fixed point: every further copy gives the same
            current = out
        return current if n <= _REPEAT_LIMIT else _any()

    # -- attention and transformers --------------------------------------------------------

    def tensors_of(
        self, arch: str, x: Type, count: int, names_: str
    ) -> list[TensorInfo] | Problem | None:
        """The ``count`` tensors of a tuple input (``None`` when unknown)."""
        p = get_proper_type(x)
        if not isinstance(p, TupleType):
            if tensor_info(p) is not None:
                return Problem(
                    f"{arch} takes a tuple {names_}, got a tensor of shape {fmt_value(p)}"
                )
            return None
        if len(p.items) != count:
            return Problem(f"{arch} takes a tuple {names_}, got a tuple of {len(p.items)}")
        infos = [tensor_info(i) for i in p.items]
        if any(i is None for i in infos):
            return None
        return [i for i in infos if i is not None]

    def attention(self, module: Instance, spec: Spec, x: Type) -> Result:
        """``MultiHeadAttention[M, H, K, V]``: ``x`` (self-attention) or ``(q, k, v)``."""
        arch = fmt_module(module)
        xi = tensor_info(x)
        if xi is not None:
            qkv: list[TensorInfo] = [xi, xi, xi]
        else:
            found = self.tensors_of(arch, x, 3, "(q, k, v)")
            if not isinstance(found, list):
                return found if found is not None else _any()
            qkv = found
        for t in qkv:
            bad = self.dtype_problem(arch, spec, t)
            if bad is not None:
                return bad
        ints = int_args(module)
        shapes = [_known(t) for t in qkv]
        q, k, v = shapes
        if ints is None or q is None or k is None or v is None:
            return self.tensor(qkv[0], None)
        out = module_math.attention(arch, ints[0], q, k, v)
        return Problem(out.message) if isinstance(out, Failure) else self.tensor(qkv[0], out)

    def encoder(self, module: Instance, spec: Spec, x: Type) -> Result:
        """``TransformerEncoder(Block)``: ``(S, M)`` or ``(B, S, M)``, the shape kept."""
        arch = fmt_module(module)
        xi = self.expect_tensor(arch, x)
        if not isinstance(xi, TensorInfo):
            return xi if xi is not None else _any()
        bad = self.dtype_problem(arch, spec, xi)
        if bad is not None:
            return bad
        ints, shape = int_args(module), _known(xi)
        if ints is None or shape is None:
            return x
        out = module_math.sequence_input(arch, ints[0], "x", shape)
        return Problem(out.message) if isinstance(out, Failure) else self.tensor(xi, out)

    def pair(self, module: Instance, spec: Spec, x: Type, names_: tuple[str, str]) -> Result:
        """A decoder's ``(tgt, mem)`` or a transformer's ``(src, tgt)``: the shape of the
        decoder's input (``tgt``)."""
        arch = fmt_module(module)
        found = self.tensors_of(arch, x, 2, f"({names_[0]}, {names_[1]})")
        if not isinstance(found, list):
            return found if found is not None else _any()
        for t in found:
            bad = self.dtype_problem(arch, spec, t)
            if bad is not None:
                return bad
        out_index = names_.index("tgt")
        ints = int_args(module)
        a, b = _known(found[0]), _known(found[1])
        if ints is None or a is None or b is None:
            return self.tensor(found[out_index], None)
        checked = module_math.sequence_pair(arch, ints[0], names_, a, b)
        if isinstance(checked, Failure):
            return Problem(checked.message)
        return self.tensor(found[out_index], checked[out_index])

    def decoder(self, module: Instance, spec: Spec, x: Type) -> Result:
        return self.pair(module, spec, x, ("tgt", "mem"))

    def transformer(self, module: Instance, spec: Spec, x: Type) -> Result:
        return self.pair(module, spec, x, ("src", "tgt"))

    # -- custom modules --------------------------------------------------------------------

    def custom(self, module: Instance, owner: TypeInfo, x: Type) -> Result:
        """A user's module: its own ``forward``, checked by mypy against ``x``. ``Dyn``
        dims are never an error: where the input has one and the parameter a static size,
        the input is taken to have that size (it is checked at run time)."""
        ret, rejected = self.call_forward(module, x)
        param = self.forward_param(owner)
        xi = tensor_info(x)
        want = _known(param) if param is not None else None
        got = _known(xi) if xi is not None else None
        if want is not None and got is not None:
            # mypy solves ``B`` in ``(B, B)`` against ``(3, 4)`` as ``int``: a symbol is one
            # size wherever it appears, so that is a shape error here.
            why = module_math.match_shape(want, got)
            if why is not None:
                return Problem(
                    f"{owner.name}.forward expects {_param_name(owner)} of shape "
                    f"{fmt_shape(want)}, got {fmt_shape(got)}: {why.message}"
                )
        if not rejected:
            return ret
        if param is not None and xi is not None:
            if want is not None and got is not None:
                realized = module_math.realize_dyn(got, want)
                if realized != got:
                    ret, still = self.call_forward(module, self.tensor(xi, realized))
                    if not still:
                        return ret
            wrong = _wrong_dtype_or_device(param, xi)
            if wrong is not None:
                what, a, b, code = wrong
                return Problem(
                    f"{owner.name}.forward expects {_param_name(owner)} with {what} {a}, got {b}",
                    code,
                )
        self.call_forward(module, x, report=True)
        return Problem("", reported=True)

    def call_forward(self, module: Instance, x: Type, *, report: bool = False) -> tuple[Type, bool]:
        """``module.forward(x)`` as mypy checks it: the return type, and whether mypy
        rejected the call (its errors are reported only when ``report``)."""
        context = self.ctx.context
        arg = TempNode(x, context=context)
        with self.checker.msg.filter_errors(filter_errors=not report) as watcher:
            ret, _ = self.checker.expr_checker.check_method_call_by_name(
                "forward", module, [arg], [ARG_POS], context
            )
        return ret, watcher.has_new_errors()

    @staticmethod
    def forward_param(owner: TypeInfo) -> TensorInfo | None:
        """The tensor parameter of ``owner.forward``, when it is one."""
        sig = _forward_signature(owner)
        return tensor_info(sig.arg_types[1]) if sig is not None else None


def _has_parameters(spec: Spec) -> bool:
    """Whether the module applies parameters (of the model's dtype) to its input."""
    return spec.family in _PARAMETERS or spec.name == "PReLU"


def _forward_signature(owner: TypeInfo) -> CallableType | None:
    node = owner.names.get("forward")
    func = node.node if node is not None else None
    if not isinstance(func, FuncDef) or not isinstance(func.type, CallableType):
        return None
    return func.type if len(func.type.arg_types) >= 2 else None


def _param_name(owner: TypeInfo) -> str:
    sig = _forward_signature(owner)
    return (sig.arg_names[1] if sig is not None else None) or "x"


def _wrong_dtype_or_device(
    param: TensorInfo, x: TensorInfo
) -> tuple[str, str, str, ErrorCode] | None:
    """A concrete dtype (or device) of ``x`` that the parameter's concrete one is not."""
    want, got = concrete_dtype(param.dtype), concrete_dtype(x.dtype)
    if want is not None and got is not None and want != got:
        return "dtype", type_name(param.dtype), type_name(x.dtype), errors.TENSOR_DTYPE
    pd, xd = get_proper_type(param.device), get_proper_type(x.device)
    if isinstance(pd, Instance) and isinstance(xd, Instance) and not compatible(pd, xd):
        return "device", type_name(pd), type_name(xd), errors.TENSOR_DEVICE
    return None


_COMBINATORS: Final[dict[str, Callable[[Walker, Instance, Spec, Type], Result]]] = {
    "residual": Walker.residual,
    "generalized_residual": Walker.generalized_residual,
    "split_into": Walker.split_into,
    "add_into": Walker.add_into,
    "repeated": Walker.repeated,
    "attention": Walker.attention,
    "encoder": Walker.encoder,
    "decoder": Walker.decoder,
    "transformer": Walker.transformer,
}


def _any() -> ProperType:
    return AnyType(TypeOfAny.special_form)


# -- hooks --------------------------------------------------------------------------------


def call_hook(plugin: Plugin, training: bool) -> MethodHook:
    """``model(x)`` (``training=False``) or ``model.forward_mut(x)`` (``True``)."""

    def hook(ctx: MethodContext) -> Type:
        module = module_instance(ctx.type)
        if (
            module is None
            or not isinstance(ctx.api, TypeChecker)
            or not ctx.args
            or len(ctx.args[0]) != 1
            or not ctx.arg_types[0]
        ):
            return ctx.default_return_type
        module, dtype = split_dtype(module)
        builder = Builder(plugin.lookup_fully_qualified)
        walker = Walker(ctx, ctx.api, builder, training, dtype)
        x = ctx.arg_types[0][0]
        out = walker.apply(module, x)
        if isinstance(out, Problem):
            if not out.reported:
                ctx.api.fail(out.message, ctx.context, code=out.code)
            return _after_error(module, x)
        return out

    return hook


def _after_error(module: Instance, x: Type) -> Type:
    """The result of a call that failed: a tensor of unknown shape like the input (so that
    one mistake gives one error, and a function returning it is not "returning Any"), or
    ``Any`` when the module returns a tuple or the input has no tensor."""
    target = call_target(module.type)
    if target is not None and target.spec is not None and target.spec.family == "split_into":
        return AnyType(TypeOfAny.from_error)
    p = get_proper_type(x)
    first = p.items[0] if isinstance(p, TupleType) and p.items else p
    info = tensor_info(first)
    if info is None:
        return AnyType(TypeOfAny.from_error)
    return replace_tensor_args(info.instance, shape=AnyType(TypeOfAny.from_error))


def sequential_getitem(ctx: MethodContext) -> Type:
    """``model[i]`` on a ``Sequential`` with a literal ``i``: that item's type (of the
    model's dtype, for a built model)."""
    module = module_instance(ctx.type)
    items = sequential_items(module) if module is not None else None
    if module is None or items is None or not ctx.args or len(ctx.args[0]) != 1:
        return ctx.default_return_type
    index = literal_int(ctx.args[0][0])
    if index is None or not -len(items) <= index < len(items):
        return ctx.default_return_type
    item = items[index]
    _, dtype = split_dtype(module)
    inst = module_instance(item)
    return with_dtype(inst, dtype) if inst is not None and dtype is not None else item


def _getitem(plugin: Plugin) -> MethodHook:
    arch_hook = architectures.getitem_hook(plugin)

    def hook(ctx: MethodContext) -> Type:
        if architectures.class_of(ctx.type) is not None:
            return arch_hook(ctx)
        return sequential_getitem(ctx)

    return hook


def _forget_dtype(ctx: MethodContext) -> Type:
    """``model.map_tensors(fn)``: ``fn`` may change the dtype (``t.to_dtype(bf16)``), so the
    copy's dtype is unknown."""
    module = module_instance(ctx.default_return_type)
    return split_dtype(module)[0] if module is not None else ctx.default_return_type


def _guarded(what: str, hook: MethodHook) -> MethodHook:
    def guarded(ctx: MethodContext) -> Type:
        try:
            return hook(ctx)
        except Exception as exc:  # a rule's bug must never crash mypy
            ctx.api.msg.note(
                f"dfdx_mypy: internal error in the {what} rule ({type(exc).__name__}: {exc}); "
                "please report it",
                ctx.context,
            )
            return ctx.default_return_type

    return guarded


def _module_info(plugin: Plugin, fullname: str) -> TypeInfo | None:
    try:
        node = plugin.lookup_fully_qualified(fullname)
    except Exception:  # a name mypy cannot resolve here: not a module
        return None
    info = node.node if node is not None else None
    return info if isinstance(info, TypeInfo) and is_module_info(info) else None


def _own_call(info: TypeInfo) -> bool:
    """Whether a class before ``Module`` in the MRO defines its own ``__call__``."""
    for base in info.mro:
        if base.fullname == names.MODULE:
            return False
        if "__call__" in base.names:
            return True
    return False


def is_module_call(plugin: Plugin, cls: str, method: str) -> bool:
    """Whether ``cls.method`` is a module call the rules answer (``model(x)``,
    ``model.forward_mut(x)``, ``model.forward(x)`` of a dfdx_py module)."""
    if method not in ("__call__", "forward_mut", "forward"):
        return False
    info = _module_info(plugin, cls)
    target = call_target(info) if info is not None else None
    if target is None or (method == "forward" and target.spec is None):
        return False
    return not (method == "__call__" and info is not None and _own_call(info))


def call_signature(ctx: MethodSigContext) -> CallableType:
    """``Module.__call__(self, x: Any)``: the input is inferred on its own (``object``),
    not in the context of ``Any``, which would make ``dev.zeros(..., dtype=i64)`` written
    inline an ``Any``-dtype tensor."""
    sig = ctx.default_signature
    obj = ctx.api.named_generic_type("builtins.object", [])
    arg_types = [obj if isinstance(get_proper_type(t), AnyType) else t for t in sig.arg_types]
    return sig.copy_modified(arg_types=arg_types)


def method_hook(
    plugin: Plugin, cls: str, method: str, is_device: Callable[[str], bool]
) -> MethodHook | None:
    """The hook for ``cls.method`` when it is a module call, ``nn.Linear[...]`` as a value,
    ``model[i]``, ``model.map_tensors(fn)`` or ``dev.build_module``; ``None`` otherwise."""
    if method == "build_module":
        if is_device(cls):
            return _guarded("build_module", architectures.build_module_hook(plugin))
        return None
    if method == "__getitem__":
        info = _module_info(plugin, cls)
        return _guarded("architecture", _getitem(plugin)) if info is not None else None
    if method == "map_tensors":
        info = _module_info(plugin, cls)
        return _guarded("map_tensors", _forget_dtype) if info is not None else None
    if not is_module_call(plugin, cls, method):
        return None
    return _guarded("module call", call_hook(plugin, training=method == "forward_mut"))
