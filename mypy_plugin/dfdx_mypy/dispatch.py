"""The dispatcher: tables mapping dfdx_py fullnames to the rules of ``dfdx_mypy.rules``.

- ``get_type_analyze_hook``: the ``RankN[...]`` sugar (``rules.sugar``) and architecture
  types such as ``nn.Linear[784, 128]`` (``rules.architectures``);
- ``get_base_class_hook``: the fields of a custom ``nn.Module`` (``rules.architectures``);
- ``get_method_signature_hook`` / ``get_function_signature_hook``: widen tensor operands so
  the rules judge dtypes and devices (``signatures``), and report creation errors;
- ``get_method_hook`` / ``get_function_hook``: the shape rules. A ``Tensor`` method and the
  op function of the same name (``x.sum(1)``, ``dfdx_py.ops.sum.sum(x, 1)``) share a rule;
  module calls, ``nn.Linear[5, 10]`` as a value and ``dev.build_module`` (``rules.modules``);
  the losses of ``dfdx_py.losses`` (``rules.losses``).

Every hook is guarded: an unexpected type falls back to mypy's own answer, and a bug in a
rule becomes a note, never a crash of mypy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, TypeVar

from mypy.nodes import TypeInfo
from mypy.plugin import (
    AnalyzeTypeContext,
    ClassDefContext,
    FunctionContext,
    FunctionSigContext,
    MethodContext,
    MethodSigContext,
    Plugin,
)
from mypy.types import AnyType, FunctionLike, Type, TypeOfAny

from dfdx_mypy import names, signatures
from dfdx_mypy.call import Call
from dfdx_mypy.rules import (
    architectures,
    conv,
    creation,
    elementwise,
    losses,
    modules,
    reductions,
    shape_ops,
    sugar,
    tape,
)
from dfdx_mypy.rules.dtypes import check_receiver_dtype
from dfdx_mypy.rules.matmul import linear_rule, matmul_rule

Rule = Callable[[Call], Type]


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_UNARY: Final = _names(
    "abs exp ln sqrt square sin cos tanh sigmoid relu gelu fast_gelu accurate_gelu leaky_relu "
    "recip powf powi clamp nans_to negate dropout"
)
_BINARY: Final = _names("add sub mul div eq ne gt ge lt le maximum minimum")
_REDUCTIONS: Final = _names("sum mean max min var std logsumexp")

OP_RULES: Final[dict[str, Rule]] = {
    **dict.fromkeys(_UNARY, elementwise.keeps_shape),
    **dict.fromkeys(_BINARY, elementwise.binary),
    **dict.fromkeys(_REDUCTIONS, reductions.reduction),
    "softmax": reductions.along_axis,
    "log_softmax": reductions.along_axis,
    "normalize": reductions.along_axis,
    "broadcast_to": reductions.broadcast,
    "choose": elementwise.choose,
    "matmul": matmul_rule,
    "linear": linear_rule,
    "reshape": shape_ops.reshape_rule,
    "permute": shape_ops.permute_rule,
    "transpose": shape_ops.transpose_rule,
    "realize": shape_ops.realize_rule,
    "concat": shape_ops.concat_rule,
    "stack": shape_ops.stack_rule,
    "slice": shape_ops.getitem_rule,
    "select": shape_ops.select_rule,
    "gather": shape_ops.gather_rule,
    "roll": shape_ops.roll_rule,
    "tril": shape_ops.triangle_rule,
    "triu": shape_ops.triangle_rule,
    "conv1d": conv.conv1d_rule,
    "conv2d": conv.conv2d_rule,
    "conv_transpose2d": conv.conv_transpose2d_rule,
    "pool2d": conv.pool2d_rule,
    "upscale2d": conv.upscale2d_rule,
    "backward": tape.backward,
    "trace": elementwise.keeps_shape,
    "traced": elementwise.keeps_shape,
}
"""Every op's rule, by op name (the name its messages use)."""

_TENSOR_METHODS: Final = (
    *_UNARY,
    *_REDUCTIONS,
    *_names("eq ne gt ge lt le softmax log_softmax normalize broadcast_to reshape permute"),
    *_names("transpose realize select gather roll tril triu backward trace traced"),
)
METHOD_OPS: Final[dict[str, str]] = {
    **{name: name for name in _TENSOR_METHODS},
    "__neg__": "negate",
    "__add__": "add",
    "__sub__": "sub",
    "__mul__": "mul",
    "__truediv__": "div",
    "__radd__": "add",
    "__rsub__": "sub",
    "__rmul__": "mul",
    "__rtruediv__": "div",
    "__eq__": "eq",
    "__ne__": "ne",
    "__gt__": "gt",
    "__ge__": "ge",
    "__lt__": "lt",
    "__le__": "le",
    "__matmul__": "matmul",
    "__getitem__": "slice",
}
"""``Tensor`` method name -> op name. (The reflected operators take only a scalar: the
dtype check is their whole rule, see ``get_method_hook``.)"""

_REFLECTED: Final = frozenset(("__radd__", "__rsub__", "__rmul__", "__rtruediv__"))

FUNCTION_OPS: Final[dict[str, str]] = {
    **{name: name for name in OP_RULES if name not in ("backward", "trace", "traced", "slice")},
    "slice_": "slice",
    "gelu": "gelu",
}
"""Op function name (``dfdx_py.ops.<module>.<name>``) -> op name."""

_WIDEN_METHODS: Final = (
    frozenset(
        (*(m for m, op in METHOD_OPS.items() if op in _BINARY), "__matmul__", "select", "gather")
    )
    - _REFLECTED
)
_WIDEN_FUNCTIONS: Final[dict[str, int]] = {
    **dict.fromkeys((*_BINARY, "matmul", "linear", "select", "gather"), 1),
    **dict.fromkeys(("conv1d", "conv2d", "conv_transpose2d"), 1),
    **dict.fromkeys(("choose", "concat", "stack"), 0),
}
"""Op functions whose tensor operands are widened, from which parameter index on."""

_CREATION: Final[dict[str, Rule]] = {
    **dict.fromkeys(creation.SHAPED, creation.shaped),
    "tensor": creation.tensor,
    "arange": creation.arange,
}
"""Creation method name -> rule, for ``Device`` and every subclass (``Cpu``, ``Cuda``)."""

Ctx = TypeVar("Ctx", MethodContext, FunctionContext)


def _guarded(
    plugin: Plugin, op: str, rule: Rule, make: Callable[[str, Ctx], Call]
) -> Callable[[Ctx], Type]:
    """The hook running ``rule``: the dtype check first, mypy's answer on any surprise."""

    def hook(ctx: Ctx) -> Type:
        try:
            call = make(op, ctx)
            call.lookup = plugin.lookup_fully_qualified
            if not check_receiver_dtype(call):
                return ctx.default_return_type
            return rule(call)
        except Exception as exc:  # a rule's bug must never crash mypy
            ctx.api.msg.note(
                f"dfdx_mypy: internal error in the {op} rule ({type(exc).__name__}: {exc}); "
                "please report it",
                ctx.context,
            )
            return ctx.default_return_type

    return hook


def _creation_signature(op: str) -> Callable[[MethodSigContext], FunctionLike]:
    def hook(ctx: MethodSigContext) -> FunctionLike:
        try:
            return creation.check_creation(op, ctx)
        except Exception:  # reported by the method hook's guard, if it fails there too
            return ctx.default_signature

    return hook


class DfdxPlugin(Plugin):
    """Shape, dtype and device rules for dfdx_py."""

    def get_type_analyze_hook(self, fullname: str) -> Callable[[AnalyzeTypeContext], Type] | None:
        rank = names.RANKS.get(fullname)
        if rank is not None:
            return _guard_sugar(sugar.analyze_rank(rank))
        return architectures.type_analyze_hook(self, fullname)

    def get_base_class_hook(self, fullname: str) -> Callable[[ClassDefContext], None] | None:
        return architectures.base_class_hook(self, fullname)

    def _is_device(self, cls: str) -> bool:
        """Whether ``cls`` names ``Device`` or a subclass (mypy names a method after the
        receiver's class: ``dfdx_py.devices.cpu.Cpu.zeros``)."""
        if cls == names.DEVICE:
            return True
        try:
            node = self.lookup_fully_qualified(cls)
        except Exception:  # a name mypy cannot resolve here: not a device
            return False
        return (
            node is not None
            and isinstance(node.node, TypeInfo)
            and node.node.has_base(names.DEVICE)
        )

    def get_method_signature_hook(
        self, fullname: str
    ) -> Callable[[MethodSigContext], FunctionLike] | None:
        cls, _, method = fullname.rpartition(".")
        if method in _CREATION and self._is_device(cls):
            return _creation_signature(method)
        if cls == names.TENSOR and method in _WIDEN_METHODS:
            return _guard_signature(signatures.widen_method_operands)
        if modules.is_module_call(self, cls, method):
            return _guard_signature(modules.call_signature)
        return None

    def get_method_hook(self, fullname: str) -> Callable[[MethodContext], Type] | None:
        cls, _, method = fullname.rpartition(".")
        creation_rule = _CREATION.get(method)
        if creation_rule is not None and self._is_device(cls):
            return _guarded(self, method, creation_rule, _device_call)
        module_hook = modules.method_hook(self, cls, method, self._is_device)
        if module_hook is not None:
            return module_hook
        op = METHOD_OPS.get(method)
        if cls != names.TENSOR or op is None:
            return None
        rule = elementwise.keeps_shape if method in _REFLECTED else OP_RULES[op]
        return _guarded(self, op, rule, Call.of_method)

    def get_function_signature_hook(
        self, fullname: str
    ) -> Callable[[FunctionSigContext], FunctionLike] | None:
        if losses.loss_name(fullname) is not None:
            return _guard_signature(signatures.widen_function_operands(1))
        name = names.op_function_name(fullname)
        first = _WIDEN_FUNCTIONS.get(name) if name is not None else None
        if first is None:
            return None
        return _guard_signature(signatures.widen_function_operands(first))

    def get_function_hook(self, fullname: str) -> Callable[[FunctionContext], Type] | None:
        loss = losses.loss_name(fullname)
        if loss is not None:
            return _guarded(self, loss, losses.loss_rule, Call.of_function)
        name = names.op_function_name(fullname)
        op = FUNCTION_OPS.get(name) if name is not None else None
        if op is None:
            return None
        return _guarded(self, op, OP_RULES[op], Call.of_function)


def _device_call(op: str, ctx: MethodContext) -> Call:
    """A creation call: no tensor receiver, arguments by name or position."""
    return Call(op, ctx, None, 0)


def _guard_sugar(
    hook: Callable[[AnalyzeTypeContext], Type],
) -> Callable[[AnalyzeTypeContext], Type]:
    def guarded(ctx: AnalyzeTypeContext) -> Type:
        try:
            return hook(ctx)
        except Exception as exc:  # a bug must never crash mypy: the shape becomes Any
            ctx.api.fail(
                f"dfdx_mypy: internal error in the RankN sugar ({type(exc).__name__}: {exc}); "
                "please report it",
                ctx.context,
            )
            return AnyType(TypeOfAny.from_error)

    return guarded


S = TypeVar("S", MethodSigContext, FunctionSigContext)


def _guard_signature(hook: Callable[[S], FunctionLike]) -> Callable[[S], FunctionLike]:
    def guarded(ctx: S) -> FunctionLike:
        try:
            return hook(ctx)
        except Exception:  # keep mypy's signature; never crash
            return ctx.default_signature

    return guarded
