"""Architecture types: ``nn.Linear[784, 128]`` as an annotation and as a runtime value.

What mypy cannot infer: module classes are not generic (a generic class would reject bare
ints in a runtime expression, DESIGN §1); ``ModuleMeta.__getitem__`` gives
``nn.Linear[784, 128]`` its runtime meaning, and to mypy a bare ``784`` is no type at all.

Algorithm (see ``module_types`` for the representation):

- annotation position (``l1: nn.Linear[784, 128]``, ``Model = tuple[...]``): a type-analyze
  hook reads each argument (an int literal, ``-1``, a ``Final`` int name, a string, which
  mypy parses as a forward reference, or an architecture), checks them with
  ``module_math.check_args`` (the static mirror of the runtime's ``check_arch_args``; a bad
  argument is a ``tensor-shape`` error where the type is written) and returns the
  ``Instance`` carrying them;
- runtime position (``dev.build_module(nn.Linear[5, 10], f32)``): a method hook on the
  metaclass's ``__getitem__`` reads the index expression the same way and returns
  ``type[Linear[5, 10]]``;
- a module-level alias ``Block = nn.Residual[...]`` is both: mypy would reject a non-generic
  class with type arguments as an alias target, and would reject the alias as a runtime value.
  So the alias is created with the bare class and a semantic-analyzer patch then gives it its
  arguments, marking it ``no_args`` (as ``A = int``): in runtime position it is the bare class
  (``build_module`` reads the arguments from the alias itself), in annotations a hook on the
  alias's own name returns the full type;
- ``dev.build_module(Arch, dtype)``: the built type (``module_types.Builder.build``: a
  ``tuple[...]`` is a ``Sequential``), carrying the dtype of its parameters
  (``module_types.with_dtype``; ``f32`` when the argument is left out); the dtype must be a
  float dtype;
- a custom ``nn.Module`` subclass built by the default ``init``: each annotated field that
  is an architecture must be complete (``l1: nn.Linear`` is an error), and a ``tuple[...]``
  field becomes the ``Sequential`` it is built into.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from typing import Final

from mypy.nodes import (
    AssignmentStmt,
    Context,
    Expression,
    IndexExpr,
    MemberExpr,
    NameExpr,
    RefExpr,
    StrExpr,
    SymbolNode,
    SymbolTableNode,
    TempNode,
    TupleExpr,
    TypeAlias,
    TypeAliasExpr,
    TypeApplication,
    TypeInfo,
    Var,
)
from mypy.plugin import AnalyzeTypeContext, ClassDefContext, MethodContext, Plugin
from mypy.typeanal import TypeAnalyser
from mypy.types import (
    AnyType,
    CallableType,
    Instance,
    LiteralType,
    PlaceholderType,
    RawExpressionType,
    TupleType,
    Type,
    TypeAliasType,
    TypeOfAny,
    TypeType,
    TypeVarType,
    UnboundType,
    get_proper_type,
)

from dfdx_mypy import errors, names
from dfdx_mypy.module_math import ArchRef, Arg, Other, Spec, check_args
from dfdx_mypy.module_types import (
    Builder,
    arg_value,
    fmt_module,
    is_architecture,
    is_module_info,
    module_instance,
    spec_of,
    with_dtype,
)
from dfdx_mypy.rules.dtypes import concrete_dtype, dtype_instance
from dfdx_mypy.shape_math import DYN, DynDim, Failure
from dfdx_mypy.shape_types import literal_int, type_name

TypeAnalyzeHook = Callable[[AnalyzeTypeContext], Type]

_REPORTED: Final = Other("an argument reported already")
"""An argument whose own error was reported: the architecture around it says nothing more."""

_PATCH_PRIORITY: Final = 1  # mypy.semanal_shared.PRIORITY_FALLBACKS: after the main pass


class _AliasState:
    """Per plugin: aliases whose arguments wait for their patch, by alias fullname, and
    how deep the hook is in its own arguments (an argument is never an alias target)."""

    def __init__(self) -> None:
        self.pending: dict[str, Instance] = {}
        self.depth = 0


_STATES: weakref.WeakKeyDictionary[Plugin, _AliasState] = weakref.WeakKeyDictionary()


def _state(plugin: Plugin) -> _AliasState:
    state = _STATES.get(plugin)
    if state is None:
        state = _STATES[plugin] = _AliasState()
    return state


def _lookup_info(plugin: Plugin, fullname: str) -> SymbolTableNode | None:
    try:
        return plugin.lookup_fully_qualified(fullname)
    except Exception:  # a name mypy cannot resolve here
        return None


# -- annotation position ------------------------------------------------------------------


_NEVER_ARCHITECTURES = (
    "builtins.",
    "typing.",
    "typing_extensions.",
    "collections.",
    "types.",
    "_typeshed.",
    "numpy.",
    "dfdx_py.tensor.",
    "dfdx_py.dtypes.",
    "dfdx_py.devices.",
    "dfdx_py.shapes.",
)
"""Modules whose names are never architectures: mypy asks the hook about every type name it
reads (tens of thousands in a large file), so these skip the lookup."""


def type_analyze_hook(plugin: Plugin, fullname: str) -> TypeAnalyzeHook | None:
    """The hook for ``fullname`` when it names a module class taking arguments, or an alias
    whose target is such an architecture; ``None`` otherwise."""
    if fullname.startswith(_NEVER_ARCHITECTURES):
        return None
    node = _lookup_info(plugin, fullname)
    target = node.node if node is not None else None
    if isinstance(target, TypeInfo) and is_module_info(target):
        spec = spec_of(target)
        if spec is not None:
            return _guard_type(_ClassHook(plugin, target, spec))
        return None
    if isinstance(target, TypeAlias):
        inst = module_instance(target.target)
        if inst is not None and (inst.args or fullname in _state(plugin).pending):
            return _guard_type(_AliasHook(plugin, fullname))
    return None


def _guard_type(hook: TypeAnalyzeHook) -> TypeAnalyzeHook:
    def guarded(ctx: AnalyzeTypeContext) -> Type:
        try:
            return hook(ctx)
        except Exception as exc:  # a bug must never crash mypy: the type becomes Any
            ctx.api.fail(
                f"dfdx_mypy: internal error in an architecture type ({type(exc).__name__}: "
                f"{exc}); please report it",
                ctx.context,
            )
            return AnyType(TypeOfAny.from_error)

    return guarded


class _ClassHook:
    """``nn.Linear[784, 128]`` in a type: the instance carrying the checked arguments."""

    def __init__(self, plugin: Plugin, info: TypeInfo, spec: Spec) -> None:
        self.plugin = plugin
        self.info = info
        self.spec = spec

    def __call__(self, ctx: AnalyzeTypeContext) -> Type:
        args = ctx.type.args
        if not args:
            return Instance(self.info, [], line=ctx.type.line, column=ctx.type.column)
        state = _state(self.plugin)
        state.depth += 1
        try:
            read = [_read_type_arg(ctx, a) for a in args]
        finally:
            state.depth -= 1
        if any(r is None for r in read):
            return AnyType(TypeOfAny.special_form)  # not ready: mypy analyses it again
        values = [r[0] for r in read if r is not None]
        types = [r[1] for r in read if r is not None]
        if _REPORTED in values:
            return AnyType(TypeOfAny.from_error)
        builder = Builder(self.plugin.lookup_fully_qualified)
        if self.spec.family == "sequential":
            inst = _sequential_type(builder, values, types)
        else:
            inst = _checked_instance(builder, self.info, self.spec, values, types)
        if isinstance(inst, Failure):
            errors.bad_shape_sugar(ctx.api, ctx.context, inst.message)
            return AnyType(TypeOfAny.from_error)
        inst = inst.copy_modified()
        inst.line, inst.column = ctx.type.line, ctx.type.column
        return _finish(self.plugin, ctx, inst)


class _AliasHook:
    """``Block`` in a type, where ``Block = nn.Residual[...]``: the full architecture."""

    def __init__(self, plugin: Plugin, fullname: str) -> None:
        self.plugin = plugin
        self.fullname = fullname

    def __call__(self, ctx: AnalyzeTypeContext) -> Type:
        inst = _state(self.plugin).pending.get(self.fullname)
        if inst is None:
            node = _lookup_info(self.plugin, self.fullname)
            alias = node.node if node is not None else None
            target = module_instance(alias.target) if isinstance(alias, TypeAlias) else None
            if target is None:
                return AnyType(TypeOfAny.special_form)
            inst = target
        if ctx.type.args:
            errors.bad_shape_sugar(
                ctx.api,
                ctx.context,
                f"{self.fullname.rsplit('.', 1)[-1]} is the architecture {fmt_module(inst)}: "
                "it takes no arguments",
            )
            return AnyType(TypeOfAny.from_error)
        return _finish(self.plugin, ctx, inst.copy_modified())


def _read_type_arg(ctx: AnalyzeTypeContext, arg: Type) -> tuple[Arg, Type | None] | None:
    """One argument written in a type: its value and, for an architecture, its type;
    ``None`` when it is not ready (a forward reference mypy resolves later)."""
    if isinstance(arg, RawExpressionType):
        raw = arg.literal_value
        if isinstance(raw, int | str) and not isinstance(raw, bool):
            return raw, None  # a str: "bilinear" on mypy < 1.12
        return Other(repr(raw)), None
    text = getattr(arg, "original_str_expr", None) if isinstance(arg, UnboundType) else None
    if isinstance(text, str):
        return text, None  # "bilinear": mypy took it for a forward reference
    final = _final_int(ctx, arg)
    if final is not None:
        return final, None
    analyzed = ctx.api.analyze_type(arg)
    if isinstance(analyzed, PlaceholderType) or (
        isinstance(analyzed, TypeAliasType) and analyzed.alias is None
    ):
        return None
    p = get_proper_type(analyzed)
    if isinstance(p, PlaceholderType):
        return None
    if isinstance(p, LiteralType) and isinstance(p.value, int | str):
        literal = p.value
        return (Other(repr(literal)) if isinstance(literal, bool) else literal), None
    if isinstance(p, AnyType):
        return (_REPORTED if p.type_of_any == TypeOfAny.from_error else Other("Any")), None
    if isinstance(p, Instance) and p.type.fullname in ("builtins.int", "builtins.str"):
        return Other(p.type.name), None  # a type is no argument (runtime: TypeError)
    value = arg_value(p)
    return value, (analyzed if isinstance(value, ArchRef) else None)


def _final_int(ctx: AnalyzeTypeContext, arg: Type) -> int | None:
    """A ``Final`` int name written as an argument (``nn.Linear[HIDDEN, 10]``)."""
    if not isinstance(arg, UnboundType) or arg.args or not isinstance(ctx.api, TypeAnalyser):
        return None
    node = ctx.api.lookup_qualified(arg.name, ctx.context, suppress_errors=True)
    if node is None or not isinstance(node.node, Var) or not node.node.is_final:
        return None
    value = node.node.final_value
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _checked_instance(
    builder: Builder,
    info: TypeInfo,
    spec: Spec,
    values: Sequence[Arg],
    types: Sequence[Type | None],
) -> Instance | Failure:
    """``info`` carrying ``values`` checked and completed with their defaults."""
    checked = check_args(spec, values)
    if isinstance(checked, Failure):
        return checked
    stored: list[Type] = []
    for i, value in enumerate(checked):
        written = types[i] if i < len(types) else None
        if isinstance(value, ArchRef) and written is not None:
            built = builder.build(written)
            if built is None:
                return Failure(f"{spec.title}: {value.text} is not an architecture")
            stored.append(built)
        elif isinstance(value, int | str):
            literal = builder.literal(value)
            if literal is None:
                return Failure(f"{spec.title}: builtins are not loaded")
            stored.append(literal)
        elif isinstance(value, DynDim):
            int_type = builder.instance("builtins.int")
            if int_type is None:
                return Failure(f"{spec.title}: builtins are not loaded")
            stored.append(int_type)
        else:
            return Failure(f"{spec.title}: cannot read the argument {value}")
    return Instance(info, stored)


def _sequential_type(
    builder: Builder, values: Sequence[Arg], types: Sequence[Type | None]
) -> Instance | Failure:
    """``nn.Sequential[tuple[A, B]]`` (an annotation only): what ``tuple[A, B]`` builds."""
    written = types[0] if len(types) == 1 else None
    built = builder.build(written) if written is not None else None
    if built is None or len(values) != 1:
        return Failure("nn.Sequential takes one argument, a tuple[...] of architectures")
    return built


def _finish(plugin: Plugin, ctx: AnalyzeTypeContext, inst: Instance) -> Type:
    """``inst``, unless it is the whole target of an alias being defined: then the bare
    class, and a patch gives the alias its arguments once the alias exists."""
    analyzer = ctx.api
    state = _state(plugin)
    top = (
        getattr(analyzer, "defining_alias", False)
        and getattr(analyzer, "nesting_level", 1) == 0
        and state.depth == 0
    )
    if not top or not inst.args:
        return inst
    semanal = getattr(analyzer, "api", None)
    stmt = getattr(semanal, "statement", None)
    schedule = getattr(semanal, "schedule_patch", None)
    if not isinstance(stmt, AssignmentStmt) or schedule is None or semanal is None:
        return inst
    lvalue = stmt.lvalues[0] if len(stmt.lvalues) == 1 else None
    if not isinstance(lvalue, NameExpr):
        return inst
    fullname = semanal.qualified_name(lvalue.name)
    state.pending[fullname] = inst
    table = semanal.current_symbol_table()
    schedule(_PATCH_PRIORITY, _alias_patch(state, stmt, table, lvalue.name, fullname, inst))
    return Instance(inst.type, [], line=inst.line, column=inst.column)


def _alias_patch(
    state: _AliasState,
    stmt: AssignmentStmt,
    table: dict[str, SymbolTableNode],
    name: str,
    fullname: str,
    inst: Instance,
) -> Callable[[], None]:
    def patch() -> None:
        alias: SymbolNode | None = None
        if isinstance(stmt.rvalue, IndexExpr) and isinstance(stmt.rvalue.analyzed, TypeAliasExpr):
            alias = stmt.rvalue.analyzed.node
        if alias is None:
            node = table.get(name)
            alias = node.node if node is not None else None
        if isinstance(alias, TypeAlias):
            alias.target = inst
            alias.no_args = True  # in runtime position the bare class, as ``A = int``
        state.pending.pop(fullname, None)

    return patch


# -- runtime position ---------------------------------------------------------------------


def class_of(t: Type) -> TypeInfo | None:
    """The class of a class object (``nn.Linear`` as a value), or ``None``."""
    p = get_proper_type(t)
    if isinstance(p, CallableType) and p.is_type_obj():
        return p.type_object()
    if isinstance(p, TypeType) and isinstance(p.item, Instance):
        return p.item.type
    return None


def arch_from_expr(builder: Builder, expr: Expression | None, typ: Type | None) -> Type | None:
    """The architecture type an expression stands for: a module class (``nn.ReLU``), an
    alias (``Model``), ``tuple[...]`` written inline, or ``nn.Linear[5, 10]`` (whose type the
    ``__getitem__`` hook made ``type[Linear[5, 10]]``); ``None`` if it is none of those."""
    if isinstance(expr, RefExpr):
        node = expr.node
        if isinstance(node, TypeAlias):
            return node.target
        if isinstance(node, TypeInfo):
            return Instance(node, []) if is_module_info(node) else None
    if isinstance(expr, IndexExpr) and isinstance(expr.analyzed, TypeApplication):
        base = expr.analyzed.expr
        if isinstance(base, RefExpr) and base.fullname in ("builtins.tuple", "typing.Tuple"):
            return builder.tuple_of(list(expr.analyzed.types))
        return None
    if typ is None:
        return None
    p = get_proper_type(typ)
    if isinstance(p, TypeType):
        return p.item if module_instance(p.item) is not None else None
    info = class_of(p)
    if info is not None and is_module_info(info):
        return Instance(info, [])
    return None


def _read_value_arg(
    builder: Builder, expr: Expression, typ: Type | None
) -> tuple[Arg, Type | None]:
    """One argument written in a runtime expression: a literal (``-1``, ``2 * 3``, a
    ``Final`` name), a string, an architecture, or ``DYN`` for an int known at run time."""
    p = get_proper_type(typ) if typ is not None else None
    if isinstance(p, AnyType) and p.type_of_any == TypeOfAny.from_error:
        return _REPORTED, None
    value = literal_int(expr)
    if value is not None:
        return value, None
    if isinstance(expr, StrExpr):
        return expr.value, None
    arch = arch_from_expr(builder, expr, typ)
    if arch is not None and is_architecture(arch):
        return arg_value(arch), arch
    if typ is not None and _runtime_int_or_str(typ):
        return DYN, None
    if isinstance(expr, NameExpr | MemberExpr):
        return Other(expr.name), None
    return Other(str(p) if p is not None else "an expression"), None


def _runtime_int_or_str(t: Type) -> bool:
    """An int or str value not known statically (``m: int``, ``Any``, ``B`` bound to int)."""
    p = get_proper_type(t)
    if isinstance(p, LiteralType):
        p = p.fallback
    if isinstance(p, AnyType):
        return True
    if isinstance(p, TypeVarType):
        p = get_proper_type(p.upper_bound)
    return isinstance(p, Instance) and p.type.fullname in ("builtins.int", "builtins.str")


def getitem_hook(plugin: Plugin) -> Callable[[MethodContext], Type]:
    """``nn.Linear[5, 10]`` as a value: ``type[Linear[5, 10]]``, its arguments checked."""

    def hook(ctx: MethodContext) -> Type:
        info = class_of(ctx.type)
        if info is None or not ctx.args or len(ctx.args[0]) != 1:
            return ctx.default_return_type
        spec = spec_of(info)
        if spec is None or spec.family == "sequential":
            return ctx.default_return_type
        index = ctx.args[0][0]
        index_type = ctx.arg_types[0][0] if ctx.arg_types[0] else None
        items = list(index.items) if isinstance(index, TupleExpr) else [index]
        p = get_proper_type(index_type) if index_type is not None else None
        if isinstance(index, TupleExpr) and isinstance(p, TupleType) and len(p.items) == len(items):
            item_types: list[Type | None] = list(p.items)
        elif isinstance(index, TupleExpr):
            item_types = [None] * len(items)
        else:
            item_types = [index_type]
        builder = Builder(plugin.lookup_fully_qualified)
        read = [_read_value_arg(builder, e, t) for e, t in zip(items, item_types, strict=True)]
        if any(r[0] is _REPORTED for r in read):
            return AnyType(TypeOfAny.from_error)
        inst = _checked_instance(builder, info, spec, [r[0] for r in read], [r[1] for r in read])
        if isinstance(inst, Failure):
            errors.shape_message(ctx.api, ctx.context, inst.message)
            return AnyType(TypeOfAny.from_error)
        return TypeType.make_normalized(inst)

    return hook


# -- build_module -------------------------------------------------------------------------


def _formal(ctx: MethodContext, name: str, position: int) -> tuple[Expression, Type] | None:
    names_ = ctx.callee_arg_names
    index = names_.index(name) if name in names_ else position
    if index >= len(ctx.args) or len(ctx.args[index]) != 1:
        return None
    return ctx.args[index][0], ctx.arg_types[index][0]


def build_module_hook(plugin: Plugin) -> Callable[[MethodContext], Type]:
    """``dev.build_module(Arch, dtype)``: the built type of ``Arch``."""

    def hook(ctx: MethodContext) -> Type:
        dtype_arg = _formal(ctx, "dtype", 1)
        if dtype_arg is None:  # the default: f32
            node = _lookup_info(plugin, names.F32)
            f32 = node.node if node is not None else None
            dtype = Instance(f32, []) if isinstance(f32, TypeInfo) else None
        else:
            dtype = dtype_instance(dtype_arg[1])
        if not _float_dtype(ctx, dtype):
            return ctx.default_return_type
        arch = _formal(ctx, "arch", 0)
        if arch is None:
            return ctx.default_return_type
        builder = Builder(plugin.lookup_fully_qualified)
        arch_type = arch_from_expr(builder, *arch)
        if arch_type is None:
            return ctx.default_return_type
        p = get_proper_type(arch_type)
        incomplete = _incomplete(p)
        if incomplete is not None:
            errors.shape_message(ctx.api, ctx.context, f"build_module: {incomplete}")
            return ctx.default_return_type
        built = builder.build(p)
        if built is None:
            return ctx.default_return_type
        return with_dtype(built, dtype) if dtype is not None else built

    return hook


def _float_dtype(ctx: MethodContext, dtype: Instance | None) -> bool:
    """Report (and return ``False``) a dtype argument that is statically not a float."""
    if dtype is None or concrete_dtype(dtype) in names.FLOAT_DTYPES:
        return True
    errors.dtype_not_allowed(
        ctx.api,
        ctx.context,
        "build_module",
        type_name(dtype),
        "a float dtype (f16, bf16, f32, f64, AMP[f16], AMP[bf16])",
    )
    return False


def _incomplete(t: Type) -> str | None:
    """Why an architecture cannot be built: a module class that needs its arguments."""
    p = get_proper_type(t)
    if isinstance(p, TupleType):
        for item in p.items:
            why = _incomplete(item)
            if why is not None:
                return why
        return None
    inst = module_instance(p)
    if inst is None:
        return None
    value = arg_value(inst)
    if isinstance(value, ArchRef) and not value.complete:
        return f"{value.text} needs its arguments: {value.text}[{', '.join(value.params)}]"
    return None


# -- custom modules: the fields -----------------------------------------------------------


def base_class_hook(plugin: Plugin, fullname: str) -> Callable[[ClassDefContext], None] | None:
    """For a class whose base ``fullname`` is a module: check the fields that the default
    ``init`` builds."""
    node = _lookup_info(plugin, fullname)
    base = node.node if node is not None else None
    if not isinstance(base, TypeInfo) or not is_module_info(base):
        return None

    def hook(ctx: ClassDefContext) -> None:
        try:
            _check_fields(plugin, ctx)
        except Exception as exc:  # never crash mypy
            ctx.api.fail(
                f"dfdx_mypy: internal error checking the fields of a module "
                f"({type(exc).__name__}: {exc}); please report it",
                ctx.cls,
            )

    return hook


def _check_fields(plugin: Plugin, ctx: ClassDefContext) -> None:
    info = ctx.cls.info
    if info.fullname.startswith(names.PACKAGE + ".") or _defines_init(info):
        return
    builder = Builder(plugin.lookup_fully_qualified)
    for stmt in ctx.cls.defs.body:
        if not (
            isinstance(stmt, AssignmentStmt)
            and isinstance(stmt.rvalue, TempNode)
            and len(stmt.lvalues) == 1
            and isinstance(stmt.lvalues[0], NameExpr)
        ):
            continue
        node = info.names.get(stmt.lvalues[0].name)
        var = node.node if node is not None else None
        if not isinstance(var, Var) or var.type is None or var.is_classvar:
            continue
        _check_field(ctx, builder, info, stmt, var)


def _defines_init(info: TypeInfo) -> bool:
    """Whether a class before ``Module`` in the MRO overrides ``init`` (then the fields are
    the class's own business, not built by ``build_module``)."""
    for base in info.mro:
        if base.fullname == names.MODULE:
            return False
        if "init" in base.names:
            return True
    return False


def _check_field(
    ctx: ClassDefContext, builder: Builder, info: TypeInfo, stmt: AssignmentStmt, var: Var
) -> None:
    assert var.type is not None
    p = get_proper_type(var.type)
    if isinstance(p, PlaceholderType) or not is_architecture(p):
        return
    why = _incomplete(p)
    if why is not None:
        _fail_field(ctx, stmt, f"{info.name}.{var.name}: {why} (build_module builds each field)")
        return
    if isinstance(p, TupleType):
        built = builder.build(p)
        if built is not None:
            var.type = built
            stmt.type = built


def _fail_field(ctx: ClassDefContext, context: Context, message: str) -> None:
    ctx.api.fail(message, context, code=errors.TENSOR_SHAPE)
