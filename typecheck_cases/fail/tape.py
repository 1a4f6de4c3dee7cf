"""Only a Rank0 tensor has backward(); only float tensors can be traced."""

from dfdx_py import Cpu

dev = Cpu(seed=0)
x = dev.zeros((2, 3)).trace()

x.backward()  # E: backward: only a Rank0 tensor has backward(), got shape (2, 3) (reduce it first, e.g. .sum() or .mean())  [tensor-shape]
x.sum(0).backward()  # E: backward: only a Rank0 tensor has backward(), got shape (3,)
dev.arange(3).trace()  # E: trace: needs a float tensor, got i64  [tensor-dtype]
x.sum().backward()
