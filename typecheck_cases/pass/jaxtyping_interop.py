"""jaxtyping annotations on dfdx_py tensors: mypy (with the plugin) reads ``Float[AnyTensor,
"b 784"]`` as ``Annotated[Tensor[Any, Any, Any], "b 784"]``, a tensor of any shape, and does
not crash; the dims are checked at run time, under ``@jaxtyped(typechecker=beartype)``.
(Under ``--strict`` a bare ``Tensor`` is "missing type arguments": hence the alias.)"""

from typing import Any, TypeAlias, assert_type

from beartype import beartype
from jaxtyping import Float, Int, TypeCheckError, jaxtyped

from dfdx_py import Cpu, Tensor, f32

AnyTensor: TypeAlias = Tensor[Any, Any, Any]


@jaxtyped(typechecker=beartype)
def head(
    x: Float[AnyTensor, "b 784"],  # noqa: F722 (a jaxtyping dims string, not an expression)
    w: Float[AnyTensor, "784 10"],  # noqa: F722
) -> Float[AnyTensor, "b 10"]:  # noqa: F722
    return x @ w


@jaxtyped(typechecker=beartype)
def accuracy(
    logits: Float[AnyTensor, "b 10"],  # noqa: F722
    labels: Int[AnyTensor, " b"],  # noqa: F722
) -> float:
    hits = logits.max(-1).eq(logits.select(labels, -1))
    return float(hits.to_dtype(f32).mean().item())


dev = Cpu(seed=0)
x = dev.sample_normal((8, 784))
w = dev.sample_normal((784, 10))
logits = head(x, w)
assert_type(logits, Tensor[Any, Any, Any])
assert logits.shape == (8, 10)
assert 0.0 <= accuracy(logits, dev.arange(8)) <= 1.0

try:
    head(dev.sample_normal((8, 783)), w)
except TypeCheckError:
    pass
else:
    raise AssertionError("jaxtyping accepted a (8, 783) input for (b, 784)")
