"""10: a custom module. Subclass nn.Module, declare the layers as annotated fields, write
`forward` with a TypeVar batch dim so any batch size type-checks."""

import tempfile
from pathlib import Path
from typing import Literal as L
from typing import TypeVar

import numpy as np

import dfdx_py as dfdx
from dfdx_py import Cpu, Rank2, Tensor, f32, nn

B = TypeVar("B", bound=int)  # the batch size: the same B in the input and the output
E = TypeVar("E", bound=dfdx.DType)  # any dtype (f32, f64, ...)
D = TypeVar("D", bound=dfdx.Device)  # any device


class Mlp(nn.Module):
    """784 -> 128 -> 10 with a ReLU in between."""

    l1: nn.Linear[784, 128]  # fields whose type is an architecture are built for you
    l2: nn.Linear[128, 10]

    def forward(self, x: Tensor[tuple[B, L[784]], E, D]) -> Tensor[tuple[B, L[10]], E, D]:
        h: Tensor[tuple[B, L[128]], E, D] = self.l1(x)
        out: Tensor[tuple[B, L[10]], E, D] = self.l2(h.relu())
        return out


dev = Cpu(seed=0)
model = dev.build_module(Mlp, f32)
print(model)
print("parameters:", model.num_params(), [name for name, _ in model.named_parameters()])
assert model.num_params() == 784 * 128 + 128 + 128 * 10 + 10

# B is bound per call: a batch of 4 gives (4, 10), a batch of 32 gives (32, 10).
small: Tensor[Rank2[4, 10], f32, Cpu] = model(dev.sample_normal((4, 784)))
big: Tensor[Rank2[32, 10], f32, Cpu] = model(dev.sample_normal((32, 784)))
print("batch 4 ->", small.shape, "| batch 32 ->", big.shape)

# A runtime (Dyn) width is checked when the code runs: 100 is not 784.
width = int("100")
try:
    model(dev.zeros((4, width)))
except dfdx.ShapeError as e:
    print("ShapeError:", e)

# Training works as for any module (see 08, 09); so do save and load, keyed like PyTorch.
x: Tensor[Rank2[4, 784], f32, Cpu] = dev.sample_normal((4, 784))
with tempfile.TemporaryDirectory() as tmp:
    path = Path(tmp) / "mlp.npz"
    model.save(path)
    fresh = Cpu(seed=1).build_module(Mlp, f32)
    assert not np.allclose(fresh(x).numpy(), model(x).numpy())
    fresh.load(path)
    assert np.array_equal(fresh(x).numpy(), model(x).numpy())
    print(f"saved and loaded {path.name}: same outputs")
