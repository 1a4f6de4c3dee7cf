import numpy as np
import torch
from hypothesis import given

from tests.checks import check_op, float_arrays


@given(x=float_arrays())
def test_relu(dev, x):
    check_op(dev, lambda t: t.relu(), [x], np_fn=lambda a: np.maximum(a, 0), torch_fn=torch.relu)
