"""``Embedding[V, M]``: a lookup table of ``V`` vectors of size ``M``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from dfdx_py.errors import DTypeError
from dfdx_py.nn.module import Module
from dfdx_py.tensor import Tensor

if TYPE_CHECKING:
    from dfdx_py.devices.base import Device
    from dfdx_py.dtypes import DType


class Embedding(Module):
    """Row ``i`` of ``weight`` ``(V, M)`` for each index ``i``: ``i64`` indices of any shape
    ``(...)`` give ``(..., M)``. The weight is initialised N(0, 1), as PyTorch's
    ``nn.Embedding(V, M)`` (dfdx draws U(±1/√V)); its gradient adds up over repeated
    indices::

        emb = dev.build_module(nn.Embedding[100, 16], f32)
        tokens = dev.tensor([[1, 5, 5], [0, 2, 99]])     # (B, S) i64
        emb(tokens).shape                                 # (2, 3, 16)

    An index outside ``range(V)`` raises ``IndexError``; a non-``i64`` input ``DTypeError``.
    """

    arch_params = ("num_embeddings", "embedding_dim")
    num_embeddings: ClassVar[int]
    embedding_dim: ClassVar[int]
    weight: Tensor[Any, Any, Any]

    def init(self, device: Device, dtype: type[DType]) -> None:
        shape = (self.num_embeddings, self.embedding_dim)
        self.weight = device.sample_normal(shape, dtype=dtype)

    def forward(self, x: Tensor[Any, Any, Any]) -> Tensor[Any, Any, Any]:
        if not isinstance(x, Tensor) or x.dtype.__name__ != "i64":
            what = x.dtype if isinstance(x, Tensor) else type(x).__name__
            raise DTypeError(
                f"{type(self)!r} expects an i64 tensor of indices, got {what} "
                "(make one with dev.tensor([[1, 2], [3, 4]]))"
            )
        try:
            if x.ndim == 0:  # one index: one row
                return self.weight.select(x, axis=0)
            return self.weight.gather(x, axis=0)
        except IndexError as e:
            raise IndexError(f"{type(self)!r}: {e}") from None
