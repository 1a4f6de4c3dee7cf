"""Save and load a module's tensors: ``.safetensors`` or ``.npz``, keys as PyTorch's
``state_dict`` (dfdx's ``save_safetensors`` / ``load_safetensors``).

Keys are ``Module.named_tensors()`` names, parameters and buffers: ``"0.weight"``,
``"l1.bias"``, ``"bn.running_mean"``. A PyTorch model exports a file this loads::

    # PyTorch side
    np.savez("mlp.npz", **{k: v.numpy() for k, v in torch_model.state_dict().items()})
    # or: safetensors.torch.save_file(torch_model.state_dict(), "mlp.safetensors")

    model = dev.build_module(tuple[nn.Linear[5, 8], nn.ReLU, nn.Linear[8, 3]], f32)
    model.load("mlp.npz")

``load`` reads and checks the whole file before it changes anything, so a failed load leaves
the module as it was. Nothing is ever unpickled. ``.safetensors`` needs the ``safetensors``
package; ``.npz`` needs only numpy.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from dfdx_py.dtypes import DType, bf16, bool_, f32, i64, storage_dtype
from dfdx_py.shapes import fmt_shape

if TYPE_CHECKING:
    from dfdx_py.nn.module import Module
    from dfdx_py.tensor import Tensor

Array = np.ndarray[Any, Any]
PathLike = str | os.PathLike[str]

FORMATS = (".safetensors", ".npz")

# safetensors' dtype names, and the numpy dtype each is read as.
_SAFETENSORS_DTYPES: dict[str, np.dtype[Any]] = {
    "F64": np.dtype(np.float64),
    "F32": np.dtype(np.float32),
    "F16": np.dtype(np.float16),
    "BF16": bf16.numpy,
    "I64": np.dtype(np.int64),
    "I32": np.dtype(np.int32),
    "I16": np.dtype(np.int16),
    "I8": np.dtype(np.int8),
    "U32": np.dtype(np.uint32),
    "U16": np.dtype(np.uint16),
    "U8": np.dtype(np.uint8),
    "BOOL": np.dtype(np.bool_),
}


class LoadError(ValueError):
    """A file that cannot be loaded into a module: unreadable or corrupt, or whose keys,
    shapes or dtypes do not match the module's tensors. The module is left unchanged.

    ``missing`` (keys the module has and the file lacks), ``unexpected`` (keys the file has
    and the module lacks) and ``mismatched`` (``"key: why"`` lines) list what was wrong.
    """

    def __init__(
        self,
        message: str,
        missing: tuple[str, ...] = (),
        unexpected: tuple[str, ...] = (),
        mismatched: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message)
        self.missing = missing
        self.unexpected = unexpected
        self.mismatched = mismatched


def save(module: Module, path: PathLike) -> None:
    """Write every parameter and buffer of ``module`` to ``path`` (``.safetensors`` or
    ``.npz``, chosen by suffix), keyed by ``named_tensors()`` names::

        model.save("mlp.safetensors")      # or dfdx_py.serialize.save(model, "mlp.npz")

    Values and dtypes are kept exactly, except that ``.npz`` (numpy has no bfloat16) stores
    ``bf16`` (and ``AMP[bf16]``) tensors as ``f32``, which loads back exactly. The file is
    written next to ``path`` and renamed into place, so an interrupted save never leaves half
    a file.
    """
    target = Path(path)
    fmt = _format(target, "save")
    arrays: dict[str, Array] = {}
    for name, t in module.named_tensors():
        array = np.asarray(t.numpy(), order="C")  # (ascontiguousarray makes 0-d arrays 1-d)
        if fmt == ".npz" and storage_dtype(t.dtype) is bf16:
            array = array.astype(np.float32)
        arrays[name] = array
    writer = _write_safetensors if fmt == ".safetensors" else _write_npz
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        writer(arrays, tmp)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def load(module: Module, path: PathLike) -> None:
    """Read ``path`` (``.safetensors`` or ``.npz``) into ``module``'s tensors, in place::

        model.load("mlp.safetensors")      # or dfdx_py.serialize.load(model, "mlp.npz")

    The file must hold exactly the module's keys (``named_tensors()``, buffers included),
    each with the tensor's shape. Dtypes: a float array loads into any float tensor, cast
    to the tensor's dtype (PyTorch's ``load_state_dict`` casts too: an ``f32`` export loads
    into an ``f64`` model); an integer array into an ``i64`` tensor; a bool array into a
    ``bool_`` tensor. Anything else raises ``LoadError`` naming every bad key, and so does
    an unreadable file; in both cases nothing has changed.

    On success each tensor keeps its identity (the same object, ``uid``, shape and dtype,
    so optimizer state and gradient stores stay valid) and gets new storage on its device.
    """
    source = Path(path)
    fmt = _format(source, "load")
    source.stat()  # a missing file raises FileNotFoundError naming it
    arrays = _read_safetensors(source) if fmt == ".safetensors" else _read_npz(source)
    tensors = dict(module.named_tensors())
    missing = tuple(k for k in tensors if k not in arrays)
    unexpected = tuple(k for k in arrays if k not in tensors)
    mismatched = tuple(
        f"{k}: {why}"
        for k, t in tensors.items()
        if k in arrays and (why := _mismatch(t, arrays[k])) is not None
    )
    if missing or unexpected or mismatched:
        parts = []
        if missing:
            parts.append(f"missing keys (in the module, not in the file): {', '.join(missing)}")
        if unexpected:
            extra = ", ".join(unexpected)
            parts.append(f"unexpected keys (in the file, not in the module): {extra}")
        parts.extend(mismatched)
        raise LoadError(
            f"cannot load {source} into {type(module)!r}:\n  " + "\n  ".join(parts),
            missing,
            unexpected,
            mismatched,
        )
    storages = [
        (t, t.device._from_numpy(np.array(arrays[k], dtype=t.dtype.numpy, copy=True)))
        for k, t in tensors.items()
    ]
    for t, storage in storages:  # all new storage exists before any tensor changes
        t._data = storage


def _format(path: Path, op: str) -> str:
    fmt = path.suffix.lower()
    if fmt not in FORMATS:
        message = f"{op}: {path} has suffix {path.suffix!r}; use .safetensors or .npz"
        raise LoadError(message) if op == "load" else ValueError(message)
    return fmt


def _kind(dtype: np.dtype[Any]) -> type[DType] | None:
    """The dtype family an array of ``dtype`` loads into: f32 (any float), i64, bool_."""
    if dtype.kind == "f" or dtype == bf16.numpy:
        return f32
    if dtype.kind == "i" or (dtype.kind == "u" and dtype.itemsize < 8):
        return i64
    if dtype.kind == "b":
        return bool_
    return None


def _mismatch(t: Tensor[Any, Any, Any], array: Array) -> str | None:
    """Why ``array`` cannot load into ``t``, or ``None`` when it can."""
    if array.shape != t.shape:
        return f"shape {fmt_shape(array.shape)} in the file, {fmt_shape(t.shape)} in the module"
    want = f32 if t.dtype.is_float else t.dtype
    if _kind(array.dtype) is not want:
        return f"dtype {array.dtype} in the file cannot load into the module's {t.dtype} tensor"
    return None


# -- .npz ---------------------------------------------------------------------------------


def _write_npz(arrays: dict[str, Array], path: Path) -> None:
    # What np.savez writes, without its keyword arguments (a key named "file" would clash)
    # and with pickling refused.
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, array in arrays.items():
            with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)


def _read_npz(path: Path) -> dict[str, Array]:
    with path.open("rb") as f:
        magic = f.read(4)
    if magic not in (b"PK\x03\x04", b"PK\x05\x06"):  # a zip archive, maybe empty
        raise LoadError(f"cannot load {path}: not a valid .npz file (not a zip archive)")
    arrays: dict[str, Array] = {}
    key = None
    try:
        with np.load(path, allow_pickle=False) as archive:
            for key in archive.files:
                arrays[key] = archive[key]
    except Exception as exc:
        if isinstance(exc, ValueError) and "allow_pickle" in str(exc):
            raise LoadError(
                f"cannot load {path}: key {key!r} holds Python objects, which would have to "
                "be unpickled; dfdx_py never unpickles"
            ) from exc
        where = f" (reading key {key!r})" if key is not None else ""
        raise LoadError(
            f"cannot load {path}: not a valid .npz file{where}: {type(exc).__name__}: {exc}"
        ) from exc
    return arrays


# -- .safetensors -------------------------------------------------------------------------


def _safetensors() -> Any:
    try:
        import safetensors
        import safetensors.numpy
    except ImportError as exc:
        raise ImportError(
            "the .safetensors format needs the safetensors package: pip install safetensors "
            "(or save to .npz, which needs only numpy)"
        ) from exc
    return safetensors


def _write_safetensors(arrays: dict[str, Array], path: Path) -> None:
    _safetensors().numpy.save_file(arrays, str(path), metadata={"format": "np"})


def _read_safetensors(path: Path) -> dict[str, Array]:
    lib = _safetensors()
    try:
        entries = lib.deserialize(path.read_bytes())
    except Exception as exc:
        raise LoadError(
            f"cannot load {path}: not a valid .safetensors file: {type(exc).__name__}: {exc}"
        ) from exc
    arrays: dict[str, Array] = {}
    for key, entry in entries:
        dtype = _SAFETENSORS_DTYPES.get(entry["dtype"])
        if dtype is None:
            raise LoadError(
                f"cannot load {path}: key {key!r} has dtype {entry['dtype']}, "
                "which dfdx_py cannot hold"
            )
        try:  # safetensors data is little-endian
            data = np.frombuffer(entry["data"], dtype=dtype.newbyteorder("<"))
            arrays[key] = data.reshape(entry["shape"])
        except ValueError as exc:
            raise LoadError(f"cannot load {path}: key {key!r} is corrupt: {exc}") from exc
    return arrays
