"""The plugin's error codes, declared once, and one helper per kind of message.

Users silence a code the usual way (``# type: ignore[tensor-shape]``) or turn it off with
``disable_error_code = tensor-device``. Message style (DESIGN §7): the op name first, then
both full shapes, the axis and a hint, e.g.
``matmul: inner dims differ: (64, 512) @ (256, 10): 512 != 256``.
"""

from __future__ import annotations

from typing import Final

from mypy.errorcodes import ErrorCode
from mypy.nodes import Context
from mypy.plugin import CheckerPluginInterface, TypeAnalyzerPluginInterface

from dfdx_mypy.shape_math import Failure, Shape, fmt_shape

TENSOR_SHAPE: Final = ErrorCode(
    "tensor-shape", "Check that tensor shapes fit the op (dfdx_py)", "dfdx_py"
)
TENSOR_DTYPE: Final = ErrorCode(
    "tensor-dtype", "Check that tensor dtypes fit the op (dfdx_py)", "dfdx_py"
)
TENSOR_DEVICE: Final = ErrorCode(
    "tensor-device", "Check that tensors of one op live on one device (dfdx_py)", "dfdx_py"
)


def shape_failure(api: CheckerPluginInterface, context: Context, failure: Failure) -> None:
    """A rule of ``shape_math`` failed: report its message."""
    api.fail(failure.message, context, code=TENSOR_SHAPE)


def shape_message(api: CheckerPluginInterface, context: Context, message: str) -> None:
    """A shape error the rule module worded itself (creation, arguments)."""
    api.fail(message, context, code=TENSOR_SHAPE)


def dtypes_differ_text(
    op: str, first: str, second: str, where: str, fix: str = "convert one with to_dtype"
) -> str:
    """The message of two dtypes that must be one: ``add: dtypes differ: f16 vs f32 (left vs
    right); convert one with to_dtype``."""
    return f"{op}: dtypes differ: {first} vs {second} ({where}); {fix}"


def dtypes_differ(
    api: CheckerPluginInterface, context: Context, op: str, first: str, second: str, where: str
) -> None:
    """Two operands of one op with different dtypes."""
    api.fail(dtypes_differ_text(op, first, second, where), context, code=TENSOR_DTYPE)


def dtype_not_allowed(
    api: CheckerPluginInterface, context: Context, op: str, dtype: str, allowed: str
) -> None:
    """An operand whose dtype the op does not accept."""
    api.fail(f"{op}: needs {allowed}, got {dtype}", context, code=TENSOR_DTYPE)


def no_tensor_operand(api: CheckerPluginInterface, context: Context, op: str) -> None:
    """An op given only Python scalars where one operand must be a tensor."""
    api.fail(f"{op}: a or b must be a tensor (both are Python scalars)", context, code=TENSOR_DTYPE)


def devices_differ(
    api: CheckerPluginInterface, context: Context, op: str, first: str, second: str, where: str
) -> None:
    """Two operands of one op on different devices."""
    api.fail(
        f"{op}: devices differ: {first} vs {second} ({where}); move one with .to(device)",
        context,
        code=TENSOR_DEVICE,
    )


def backward_needs_rank0(api: CheckerPluginInterface, context: Context, shape: Shape) -> None:
    """``backward()`` on a tensor that is statically not a scalar."""
    api.fail(
        f"backward: only a Rank0 tensor has backward(), got shape {fmt_shape(shape)} "
        "(reduce it first, e.g. .sum() or .mean())",
        context,
        code=TENSOR_SHAPE,
    )


def bad_shape_sugar(api: TypeAnalyzerPluginInterface, context: Context, message: str) -> None:
    """A ``RankN[...]`` annotation that is not a shape."""
    api.fail(message, context, code=TENSOR_SHAPE)
