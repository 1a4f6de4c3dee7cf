"""Reductions and softmax-like ops need axes that exist; broadcast_to needs a fitting target."""

from dfdx_py import Cpu

dev = Cpu(seed=0)
x = dev.zeros((2, 3, 4))

x.sum(3)  # E: sum: axis 3 is out of range for shape (2, 3, 4) (rank 3)  [tensor-shape]
x.mean(-4)  # E: mean: axis -4 is out of range for shape (2, 3, 4) (rank 3)
x.max((0, 0))  # E: max: repeated axis in (0, 0) for shape (2, 3, 4)
x.min((1, 5))  # E: min: axis 5 is out of range
x.var(axis=7)  # E: var: axis 7 is out of range
x.std(3)  # E: std: axis 3 is out of range
x.logsumexp(-5)  # E: logsumexp: axis -5 is out of range
x.sum().sum(0)  # E: sum: axis 0 is out of range for shape () (rank 0)
x.softmax(3)  # E: softmax: axis 3 is out of range for shape (2, 3, 4) (rank 3)
x.log_softmax(-4)  # E: log_softmax: axis -4 is out of range
x.normalize(5)  # E: normalize: axis 5 is out of range
dev.zeros(()).softmax()  # E: softmax: axis -1 is out of range for shape () (rank 0)

v = dev.zeros((4,))
v.broadcast_to((4, 3))  # E: broadcast_to: cannot broadcast (4,) to (4, 3) with new axes (0,): axis 0 of the input: 4 != 3
v.broadcast_to((3,))  # E: broadcast_to: cannot broadcast (4,) to (3,) with new axes (): axis 0 of the input: 4 != 3
x.broadcast_to((3, 4))  # E: broadcast_to: cannot broadcast (2, 3, 4) to (3, 4): the target rank 2 is less than 3
v.broadcast_to((2, 3, 4), axes=0)  # E: broadcast_to: cannot broadcast (4,) to (2, 3, 4) along axes 0: 3 - 1 = 2 new axes expected, got 1
v.broadcast_to((4, 3), axes=2)  # E: broadcast_to: axis 2 is out of range for shape (4, 3) (rank 2)
dev.zeros((1, 4)).broadcast_to((3, 4), axes=0)  # E: broadcast_to: cannot broadcast (1, 4) to (3, 4) along axes 0: 2 - 2 = 0 new axes expected, got 1
dev.zeros((0, 3)).max(0)  # E: max: cannot reduce over an empty axis: shape (0, 3), axis 0 has size 0
