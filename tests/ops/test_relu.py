import numpy as np
import torch
from hypothesis import given

from tests.checks import check_op, float_arrays


@given(x=float_arrays())
def test_relu(dev, x):
    check_op(dev, lambda t: t.relu(), [x], np_fn=lambda a: np.maximum(a, 0), torch_fn=torch.relu)


def test_relu_gradient_is_exact_with_infinite_gradients(dev):
    """0 where x <= 0 even for an infinite incoming gradient; NaN stays NaN where x > 0."""
    import dfdx_py as dfdx

    x = dev.tensor([-1.0, 2.0, -3.0, 4.0])
    grads = dfdx.Gradients()
    y = x.trace(grads).relu()
    (y * dev.tensor([np.inf, 1.0, -np.inf, np.nan])).sum().backward()
    got = grads.get(x).numpy()
    assert got[:3].tolist() == [0.0, 1.0, 0.0] and np.isnan(got[3])
