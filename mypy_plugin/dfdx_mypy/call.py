"""``Call``: one op call as the rules see it, whether written as a method or a function.

``x.sum(1)`` (a method hook: the receiver is ``x``) and ``dfdx_py.ops.sum.sum(x, 1)`` (a
function hook: the receiver is the first argument) are the same call to the rule. Arguments
are looked up by parameter name, falling back to their position after the receiver. The
common operand checks (dtypes and devices of two tensors) live here too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mypy.nodes import ARG_STAR, ARG_STAR2, Context, Expression, SymbolTableNode, TypeInfo
from mypy.plugin import CheckerPluginInterface, FunctionContext, MethodContext
from mypy.subtypes import is_subtype
from mypy.types import AnyType, Instance, Type, TypeOfAny, get_proper_type

from dfdx_mypy import errors
from dfdx_mypy.shape_math import Dim, Failure, Shape
from dfdx_mypy.shape_types import (
    TensorInfo,
    any_shape,
    tensor_info,
    type_name,
    with_shape,
)


@dataclass(frozen=True)
class Arg:
    """One argument as written: its expression (``None`` if not a single plain argument)
    and its type."""

    expr: Expression | None
    type: Type | None


_UNREADABLE = Arg(None, AnyType(TypeOfAny.special_form))


class Call:
    """An op call: the op's name, the receiver tensor and the arguments after it."""

    def __init__(
        self, op: str, ctx: MethodContext | FunctionContext, receiver: Arg | None, offset: int
    ) -> None:
        self.op = op
        self.ctx = ctx
        self.receiver_arg = receiver
        self._offset = offset
        self.lookup: Callable[[str], SymbolTableNode | None] = lambda fullname: None
        """Finds a fully qualified name in any loaded module (the dispatcher sets it)."""

    @classmethod
    def of_method(cls, op: str, ctx: MethodContext) -> Call:
        """``x.op(...)``: the receiver is ``x``."""
        return cls(op, ctx, Arg(None, ctx.type), 0)

    @classmethod
    def of_function(cls, op: str, ctx: FunctionContext) -> Call:
        """``op(x, ...)``: the receiver is the first argument."""
        call = cls(op, ctx, None, 1)
        call.receiver_arg = call._formal(0)
        return call

    @property
    def api(self) -> CheckerPluginInterface:
        return self.ctx.api

    @property
    def context(self) -> Context:
        return self.ctx.context

    @property
    def default(self) -> Type:
        """The return type mypy inferred from the signature."""
        return self.ctx.default_return_type

    @property
    def receiver(self) -> TensorInfo | None:
        """The receiver as a tensor (``None`` when it is not one)."""
        if self.receiver_arg is None:
            return None
        return tensor_info(self.receiver_arg.type)

    def _formal(self, index: int) -> Arg | None:
        if index >= len(self.ctx.args) or not self.ctx.args[index]:
            return None
        exprs, types, kinds = (
            self.ctx.args[index],
            self.ctx.arg_types[index],
            self.ctx.arg_kinds[index],
        )
        if len(exprs) != 1 or kinds[0] in (ARG_STAR, ARG_STAR2):
            return _UNREADABLE
        return Arg(exprs[0], types[0] if types else None)

    def arg(self, name: str, position: int, *aliases: str) -> Arg | None:
        """The argument for parameter ``name`` (or one of its ``aliases``: ``other`` of
        ``__add__`` is ``b`` of ``add``), or ``None`` when it was not given. ``position``
        (counted after the receiver) finds a parameter that has no name."""
        names = self.ctx.callee_arg_names
        for candidate in (name, *aliases):
            if candidate in names:
                return self._formal(names.index(candidate))
        index = position + self._offset
        if index < len(names) and names[index] is None:
            return self._formal(index)
        return None

    def named_instance(self, fullname: str) -> Instance | None:
        """An instance of the class ``fullname`` (``dfdx_py.dtypes.f32``), if it is loaded."""
        node = self.lookup(fullname)
        if node is None or not isinstance(node.node, TypeInfo):
            return None
        return Instance(node.node, [])

    # -- results -------------------------------------------------------------------------

    def result(self, shape: Shape | Failure | None) -> Type:
        """The default return type with ``shape``; on a failure, report it and give an
        ``Any`` shape (so one mistake gives one error); ``None`` keeps mypy's answer."""
        if shape is None:
            return self.default
        if isinstance(shape, Failure):
            errors.shape_failure(self.api, self.context, shape)
            return any_shape(self.default)
        return with_shape(self.default, shape, self.api)

    def fail(self, failure: Failure) -> Type:
        """Report ``failure``; the default return type with an ``Any`` shape."""
        return self.result(failure)

    def dims(self, shape: tuple[Dim, ...]) -> Type:
        """The default return type with the static ``shape``."""
        return with_shape(self.default, shape, self.api)

    # -- operand checks ------------------------------------------------------------------

    def same_dtype_and_device(self, first: TensorInfo, second: TensorInfo, where: str) -> bool:
        """Report (and return ``False``) when two tensor operands differ in dtype or
        device; ``where`` names them (``"a vs b"``)."""
        if not compatible(first.dtype, second.dtype):
            errors.dtypes_differ(
                self.api,
                self.context,
                self.op,
                type_name(first.dtype),
                type_name(second.dtype),
                where,
            )
            return False
        if not compatible(first.device, second.device):
            errors.devices_differ(
                self.api,
                self.context,
                self.op,
                type_name(first.device),
                type_name(second.device),
                where,
            )
            return False
        return True


def compatible(a: Type, b: Type) -> bool:
    """Whether two dtype (or device) types may be the same at run time: equal, one a
    subtype of the other, or unknown."""
    pa, pb = get_proper_type(a), get_proper_type(b)
    if isinstance(pa, AnyType) or isinstance(pb, AnyType):
        return True
    return is_subtype(pa, pb) or is_subtype(pb, pa)
