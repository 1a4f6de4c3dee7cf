"""``Tensor`` as the array type of jaxtyping: ``Float[Tensor, "batch 784"]`` under
``@jaxtyped(typechecker=beartype)`` (DESIGN §8).

jaxtyping checks ``isinstance(x, Tensor)``, then reads ``x.shape`` and the dtype's name as
``x.dtype.type.__name__`` (the numpy and JAX path): every dfdx_py dtype class carries its
numpy scalar type as ``type``, so ``f32.type.__name__ == "float32"``.

(ruff's F722 reads the dims strings of the annotations as Python expressions: ``noqa``.)
"""

from __future__ import annotations

import pytest
from beartype import beartype
from jaxtyping import (
    BFloat16,
    Bool,
    Float,
    Float16,
    Float32,
    Float64,
    Int,
    Int64,
    Shaped,
    TypeCheckError,
    jaxtyped,
)

from dfdx_py import Cpu, Tensor, bf16, bool_, f16, f32, f64, i64
from dfdx_py.dtypes import ALL_DTYPES, DType

dev = Cpu(seed=0)


@jaxtyped(typechecker=beartype)
def head(
    x: Float[Tensor, "batch 784"],  # noqa: F722
    y: Float[Tensor, "batch 10"],  # noqa: F722
) -> Float[Tensor, " batch"]:  # noqa: F722
    return x.sum(-1) + y.sum(-1)


@jaxtyped(typechecker=beartype)
def wrong_output(x: Float[Tensor, "batch 784"]) -> Float[Tensor, " batch"]:  # noqa: F722
    return x.sum(-1).broadcast_to((2, x.shape[0]))  # (2, batch): not (batch,)


@jaxtyped(typechecker=beartype)
def count(labels: Int[Tensor, " batch"]) -> Int[Tensor, ""]:  # noqa: F722
    return labels.sum()


@jaxtyped(typechecker=beartype)
def mask(x: Bool[Tensor, "n m"]) -> Shaped[Tensor, "n m"]:  # noqa: F722
    return x


def test_the_dtype_names_jaxtyping_reads() -> None:
    names = {d: d.type.__name__ for d in ALL_DTYPES}
    assert names == {
        f16: "float16",
        bf16: "bfloat16",
        f32: "float32",
        f64: "float64",
        i64: "int64",
        bool_: "bool",
    }


@pytest.mark.parametrize("batch", [1, 4, 64])
def test_matching_batches_are_accepted(batch: int) -> None:
    out = head(dev.zeros((batch, 784)), dev.ones((batch, 10)))
    assert out.shape == (batch,)
    assert out.numpy().tolist() == [10.0] * batch


def test_a_batch_size_is_bound_across_arguments() -> None:
    with pytest.raises(TypeCheckError, match="batch"):
        head(dev.zeros((4, 784)), dev.zeros((5, 10)))


@pytest.mark.parametrize(
    ("x_shape", "y_shape"),
    [((4, 783), (4, 10)), ((4, 784), (4, 11)), ((784,), (10,)), ((4, 784, 1), (4, 10))],
)
def test_wrong_feature_dims_or_ranks_are_rejected(
    x_shape: tuple[int, ...], y_shape: tuple[int, ...]
) -> None:
    with pytest.raises(TypeCheckError):
        head(dev.zeros(x_shape), dev.zeros(y_shape))


def test_the_return_shape_is_checked_against_the_bound_batch() -> None:
    with pytest.raises(TypeCheckError, match="return"):
        wrong_output(dev.zeros((3, 784)))


def test_batches_are_bound_per_call() -> None:
    assert head(dev.zeros((2, 784)), dev.zeros((2, 10))).shape == (2,)
    assert head(dev.zeros((7, 784)), dev.zeros((7, 10))).shape == (7,)


@pytest.mark.parametrize("dtype", [f32, f64, f16, bf16])
def test_float_accepts_every_float_dtype(dtype: type[DType]) -> None:
    out = head(dev.zeros((2, 784), dtype=dtype), dev.zeros((2, 10), dtype=dtype))
    assert out.dtype is dtype


def test_float_rejects_i64_and_bool() -> None:
    with pytest.raises(TypeCheckError, match=r"parameter 'x'(.|\n)*dtype=i64"):
        head(dev.zeros((2, 784), dtype=i64), dev.zeros((2, 10)))
    with pytest.raises(TypeCheckError, match=r"parameter 'y'(.|\n)*dtype=bool_"):
        head(dev.zeros((2, 784)), dev.zeros((2, 10)) > 0)


def test_int_accepts_i64_and_rejects_floats() -> None:
    assert count(dev.arange(5)).item() == 10
    with pytest.raises(TypeCheckError, match=r"parameter 'labels'(.|\n)*dtype=f32"):
        count(dev.zeros((5,)))


def test_bool_accepts_comparisons_only() -> None:
    assert mask(dev.zeros((2, 3)) > 0).shape == (2, 3)
    with pytest.raises(TypeCheckError):
        mask(dev.zeros((2, 3)))


@pytest.mark.parametrize(
    ("dtype", "hint"),
    [
        (f16, Float16[Tensor, "2"]),
        (bf16, BFloat16[Tensor, "2"]),
        (f32, Float32[Tensor, "2"]),
        (f64, Float64[Tensor, "2"]),
        (i64, Int64[Tensor, "2"]),
    ],
    ids=["f16", "bf16", "f32", "f64", "i64"],
)
def test_exact_dtypes(dtype: type[DType], hint: type) -> None:
    x = dev.zeros((2,), dtype=dtype)
    assert isinstance(x, hint)
    others = [d for d in (f16, bf16, f32, f64, i64) if d is not dtype]
    assert not any(isinstance(dev.zeros((2,), dtype=d), hint) for d in others)


def test_traced_tensors_are_tensors_too() -> None:
    x = dev.ones((3, 784)).trace()
    out = head(x, dev.ones((3, 10)))
    assert out.is_traced
    assert out.shape == (3,)
