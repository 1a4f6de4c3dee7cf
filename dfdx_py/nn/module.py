"""``Module``: the base of every layer, and the architecture types that describe them.

An *architecture* is a type: ``nn.Linear[784, 128]``, ``nn.ReLU``, a ``tuple[...]`` of
architectures (a sequential model) or a user's ``nn.Module`` subclass whose annotated fields
are architectures. ``dev.build_module(Arch, f32)`` turns it into a module with parameters.

``nn.Linear[784, 128]`` works both as an annotation and as a runtime value: ``ModuleMeta``
gives module classes a ``__getitem__`` that returns a cached subclass carrying the arguments
(``Linear[784, 128].in_features == 784``). A built module is an instance of that subclass.

A module holds its parameters as ``Tensor`` attributes and its children as ``Module``
attributes, in the order they were set; ``named_parameters()`` walks them and names them like
PyTorch's ``state_dict`` (``"0.weight"``, ``"l1.bias"``).
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import typing
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar

from dfdx_py.autograd.gradients import Gradients
from dfdx_py.tensor import Tensor

if TYPE_CHECKING:
    from dfdx_py.autograd.tape import Tape
    from dfdx_py.devices.base import Device
    from dfdx_py.dtypes import DType

M = TypeVar("M", bound="Module")

_training: contextvars.ContextVar[bool | None] = contextvars.ContextVar(
    "dfdx_training", default=None
)


def is_training() -> bool:
    """Whether the module call running now is a ``forward_mut`` (training) call."""
    return bool(_training.get())


def _input_tape(x: Any) -> Tape | None:
    """The tape of ``x``, or of the first traced tensor in a tuple or list ``x``."""
    if isinstance(x, Tensor):
        return x._tape
    if isinstance(x, (tuple, list)):
        for item in x:
            tape = _input_tape(item)
            if tape is not None:
                return tape
    return None


class ModuleMeta(type):
    """The metaclass of modules: ``Linear[784, 128]`` is a cached subclass of ``Linear``."""

    def __getitem__(cls: type[M], args: Any) -> type[M]:  # type: ignore[misc]
        if not isinstance(args, tuple):
            args = (args,)
        cache: dict[tuple[Any, ...], type[M]] = cls.__dict__.get("_specialized", {})
        if "_specialized" not in cls.__dict__:
            cls._specialized = cache
        key = tuple((type(a), a) for a in args)  # 5.0 and True must not hit the entry of 5, 1
        with contextlib.suppress(KeyError, TypeError):  # TypeError: an unhashable argument
            return cache[key]
        values = cls.check_arch_args(args)
        name = f"{cls.__name__}[{', '.join(arch_repr(a) for a in args)}]"
        attrs = dict(values, arch_args=args, __module__=cls.__module__, __qualname__=name)
        metaclass: Any = type(cls)
        special: type[M] = metaclass(name, (cls,), attrs)
        with contextlib.suppress(TypeError):  # an unhashable argument: built anew each time
            cache[key] = special
        return special

    def __repr__(cls) -> str:
        return (
            f"nn.{cls.__qualname__}"
            if cls.__module__.startswith("dfdx_py.nn")
            else (cls.__qualname__)
        )


def arch_repr(arch: Any) -> str:
    """How an architecture argument prints: ``5``, ``nn.Linear[3, 3]``,
    ``tuple[nn.Linear[3, 3], nn.Tanh]`` (a ``tuple`` type prints its items the same way)."""
    if typing.get_origin(arch) is tuple:
        return f"tuple[{', '.join(arch_repr(a) for a in typing.get_args(arch))}]"
    return repr(arch)


class Module(metaclass=ModuleMeta):
    """Base class of every module. Subclass it to write a custom module::

        class Mlp(nn.Module):
            l1: nn.Linear[784, 128]
            l2: nn.Linear[128, 10]

            def forward(self, x):
                return self.l2(self.l1(x).relu())

    ``dev.build_module(Mlp, f32)`` builds every annotated field that is an architecture.
    ``model(x)`` runs ``forward`` in inference mode; ``model.forward_mut(x)`` in training
    mode (dropout active, batch norm updating its running statistics).
    """

    arch_params: ClassVar[tuple[str, ...]] = ()
    """The names of the architecture arguments, in order: ``("in_features", "out_features")``."""
    arch_defaults: ClassVar[tuple[Any, ...]] = ()
    """Defaults of the last arguments: ``Conv2D[1, 8, 3]`` is ``Conv2D[1, 8, 3, 1, 0, 1, 1]``."""
    arch_args: ClassVar[tuple[Any, ...] | None] = None
    """The arguments of a specialised class (``(784, 128)``), ``None`` on the bare class."""
    buffers: ClassVar[tuple[str, ...]] = ()
    """Tensor attributes that are state but not parameters (batch norm's running mean)."""
    _specialized: ClassVar[dict[tuple[Any, ...], Any]]
    """``Linear[784, 128]`` and friends, created once per class and arguments."""

    def __init__(self) -> None:
        raise TypeError(f"build modules with a device: dev.build_module({type(self)!r}, f32)")

    # -- architecture ----------------------------------------------------------------------

    @classmethod
    def check_arch_args(cls, args: tuple[Any, ...]) -> dict[str, Any]:
        """Validate ``args`` (default: ints >= 0) and name them after ``arch_params``."""
        if cls.arch_args is not None:
            raise TypeError(f"{cls!r} already has its arguments")
        n, required = len(cls.arch_params), len(cls.arch_params) - len(cls.arch_defaults)
        if not required <= len(args) <= n:
            wanted = f"{required}" if required == n else f"{required} to {n}"
            raise TypeError(
                f"{cls!r} takes {wanted} arguments ({', '.join(cls.arch_params)}), got {len(args)}"
            )
        full = args + cls.arch_defaults[len(args) - required :]
        for name, value in zip(cls.arch_params, full, strict=True):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise TypeError(f"{cls!r}: {name} must be an int >= 0, got {value!r}")
        return dict(zip(cls.arch_params, full, strict=True))

    @classmethod
    def build(cls, device: Device, dtype: type[DType]) -> Self:
        """A new module of this architecture with fresh parameters on ``device``."""
        if cls.arch_params and cls.arch_args is None:
            raise TypeError(f"{cls!r} needs its arguments: {cls!r}[{', '.join(cls.arch_params)}]")
        module = cls.__new__(cls)
        module.init(device, dtype)
        return module

    def init(self, device: Device, dtype: type[DType]) -> None:
        """Create the parameters and children. The default builds every annotated field
        whose annotation is an architecture (how custom modules are built)."""
        from dfdx_py.nn.build import build_module, is_architecture

        for name, hint in typing.get_type_hints(type(self)).items():
            if name in vars(Module) or typing.get_origin(hint) is ClassVar:
                continue
            if is_architecture(hint):
                setattr(self, name, build_module(hint, device, dtype))

    # -- calling -------------------------------------------------------------------------

    def forward(self, x: Any) -> Any:
        """What the module computes. Every module defines it."""
        raise NotImplementedError(f"{type(self)!r} has no forward()")

    def __call__(self, x: Any) -> Any:
        """Inference: ``forward`` with dropout off and batch norm on running statistics
        (inside a ``forward_mut`` call, children inherit training mode)."""
        if _training.get() is not None:
            return self.forward(x)
        return self._run(x, training=False)

    def forward_mut(self, x: Any) -> Any:
        """Training: ``forward`` with dropout active and batch norm updating its statistics."""
        return self._run(x, training=True)

    def _run(self, x: Any, training: bool) -> Any:
        """Run ``forward`` in a mode. When ``x`` is traced, the parameters join its tape for
        the call (dfdx's ``retaped``), so every op on a parameter is recorded, even one that
        comes before the parameter meets ``x`` (``x @ weight.permute((1, 0))``)."""
        tape = _input_tape(x)
        retaped = []
        if tape is not None:
            for p in self.parameters():
                if p._tape is None:
                    p._tape = tape
                    retaped.append(p)
        token = _training.set(training)
        try:
            return self.forward(x)
        finally:
            _training.reset(token)
            for p in retaped:
                p._tape = None

    # -- parameters ------------------------------------------------------------------------

    def children(self) -> Iterator[tuple[str, Module]]:
        """The direct sub-modules, by attribute name."""
        for name, value in vars(self).items():
            if isinstance(value, Module):
                yield name, value

    def named_tensors(self, prefix: str = "") -> Iterator[tuple[str, Tensor[Any, Any, Any]]]:
        """Every parameter and buffer, depth first, named like a PyTorch ``state_dict``."""
        for name, value in vars(self).items():
            if isinstance(value, Tensor):
                yield prefix + name, value
        for name, child in self.children():
            yield from child.named_tensors(f"{prefix}{name}.")

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Tensor[Any, Any, Any]]]:
        """Every trainable parameter (buffers excluded), depth first."""
        for name, value in vars(self).items():
            if isinstance(value, Tensor) and name not in self.buffers:
                yield prefix + name, value
        for name, child in self.children():
            yield from child.named_parameters(f"{prefix}{name}.")

    def parameters(self) -> list[Tensor[Any, Any, Any]]:
        """The trainable parameters, in ``named_parameters`` order."""
        return [t for _, t in self.named_parameters()]

    def num_params(self) -> int:
        """The number of trainable scalars."""
        return sum(t.numel for t in self.parameters())

    def alloc_grads(self) -> Gradients:
        """A gradient store whose leaves are this module's parameters."""
        grads = Gradients()
        for t in self.parameters():
            grads.register(t)
        return grads

    def zero_grads(self, grads: Gradients) -> None:
        """Reset this module's gradients in ``grads`` to zero."""
        grads.zero(self.parameters())

    # -- copies ----------------------------------------------------------------------------

    def map_tensors(self, fn: typing.Callable[[Tensor[Any, Any, Any]], Any]) -> Self:
        """A structural copy of this module with every parameter and buffer replaced by
        ``fn(tensor)`` (how ``to(device)`` is written)."""
        copy = object.__new__(type(self))
        for name, value in vars(self).items():
            if isinstance(value, Tensor):
                value = fn(value)
            elif isinstance(value, Module):
                value = value.map_tensors(fn)
            object.__setattr__(copy, name, value)
        return copy

    def to(self, device: Device) -> Self:
        """A copy of this module on ``device`` (PyTorch moves in place; dfdx copies). The
        copy never shares storage with this module, even on the same device."""
        from dfdx_py.tensor import wrap

        def copy_to(t: Tensor[Any, Any, Any]) -> Tensor[Any, Any, Any]:
            return wrap(device._from_numpy(t.numpy()), t.dtype, device)

        return self.map_tensors(copy_to)

    def ema(self, other: Module, decay: float) -> None:
        """Exponential moving average, in place: ``self = self * decay + other * (1 - decay)``
        for every parameter and buffer (dfdx's ``ModelEMA``)."""
        mine = dict(self.named_tensors())
        theirs = dict(other.named_tensors())
        if mine.keys() != theirs.keys():
            raise ValueError(f"ema: the two modules differ: {sorted(mine.keys() ^ theirs.keys())}")
        for name, t in mine.items():
            o = theirs[name]
            if o.shape != t.shape:
                raise ValueError(f"ema: {name} has shape {t.shape} here and {o.shape} there")
            if t.dtype.is_float:
                t._data = (t * decay + o * (1.0 - decay))._data

    def __repr__(self) -> str:
        lines = [f"{type(self)!r}("]
        for name, child in self.children():
            body = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {body}")
        if len(lines) == 1:
            return f"{type(self)!r}()"
        return "\n".join([*lines, ")"])

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write every parameter and buffer to ``path`` (a ``str`` or ``os.PathLike``
        ending in ``.safetensors`` or ``.npz``), keyed like a PyTorch ``state_dict``
        (``"0.weight"``); see ``dfdx_py.serialize.save``::

            model.save("mlp.safetensors")
        """
        from dfdx_py.serialize import save

        save(self, path)

    def load(self, path: str | os.PathLike[str]) -> None:
        """Read ``path`` (``.safetensors`` or ``.npz``, e.g. a PyTorch ``state_dict``
        export) into this module's tensors in place; the whole file is checked first and a
        bad one raises ``dfdx_py.serialize.LoadError`` leaving the module unchanged; see
        ``dfdx_py.serialize.load``::

            model.load("mlp.safetensors")
        """
        from dfdx_py.serialize import load

        load(self, path)
