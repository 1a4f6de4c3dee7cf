"""The tape: trace/traced/Gradients/backward/get, accumulation, no recursion, errors."""

import numpy as np
import pytest

import dfdx_py as dfdx


def test_trace_keeps_x_and_get_reads_its_gradient(dev):
    x = dev.tensor([1.0, -2.0, 3.0])
    grads = dfdx.Gradients()
    y = (x.trace(grads) * x).sum()  # x * x, one operand traced, the other not
    assert not x.is_traced and y.is_traced
    y.backward()
    np.testing.assert_allclose(grads.get(x).numpy(), [2.0, -4.0, 6.0])


def test_two_leaves_on_one_store(dev):
    a = dev.tensor([1.0, 2.0])
    b = dev.tensor([3.0, 4.0])
    grads = dfdx.Gradients()
    loss = (a.trace(grads) * b.trace(grads)).sum()
    assert loss.backward() is grads
    np.testing.assert_allclose(grads.get(a).numpy(), [3.0, 4.0])
    np.testing.assert_allclose(grads.get(b).numpy(), [1.0, 2.0])


def test_either_operand_may_be_traced(dev):
    a = dev.tensor([1.0, 2.0])
    w = dev.tensor([5.0, 7.0])
    grads = dfdx.Gradients()
    grads.register(w)  # a parameter: untraced, but its gradient is kept
    (w * a.traced(grads)).sum().backward()
    np.testing.assert_allclose(grads.get(w).numpy(), [1.0, 2.0])
    np.testing.assert_allclose(grads.get(a).numpy(), [5.0, 7.0])


def test_trace_without_store_keeps_untraced_gradients(dev):
    w = dev.tensor([5.0, 7.0])
    x = dev.tensor([1.0, 2.0])
    grads = (x.trace() * w).sum().backward()
    np.testing.assert_allclose(grads.get(w).numpy(), [1.0, 2.0])
    np.testing.assert_allclose(grads.get(x).numpy(), [5.0, 7.0])


def test_gradients_accumulate_until_zeroed(dev):
    x = dev.tensor([1.0, 2.0])
    grads = dfdx.Gradients()
    for _ in range(3):
        grads = (x.traced(grads) * 2.0).sum().backward()
    np.testing.assert_allclose(grads.get(x).numpy(), [6.0, 6.0])
    grads.zero()
    np.testing.assert_allclose(grads.get(x).numpy(), [0.0, 0.0])
    grads = (x.traced(grads) * 2.0).sum().backward()
    np.testing.assert_allclose(grads.get(x).numpy(), [2.0, 2.0])


def test_intermediate_gradients_are_dropped(dev):
    x = dev.tensor([1.0, 2.0])
    grads = dfdx.Gradients()
    h = x.trace(grads) * 3.0
    (h * h).sum().backward()
    assert len(grads) == 1
    with pytest.raises(dfdx.TapeError, match="no gradient"):
        grads.get(h)


def test_a_chain_of_10000_ops_backpropagates(dev):
    x = dev.tensor([1.0], dtype=dfdx.f64)
    grads = dfdx.Gradients()
    y = x.trace(grads)
    for _ in range(10_000):
        y = y * 1.0001
    y.sum().backward()
    np.testing.assert_allclose(grads.get(x).numpy(), [1.0001**10_000], rtol=1e-4)


def test_untraced_records_nothing(dev):
    x = dev.tensor([1.0, 2.0])
    y = (x * 2.0).sum()
    assert not y.is_traced
    with pytest.raises(dfdx.TapeError, match="not traced"):
        y.backward()


def test_backward_needs_rank0(dev):
    x = dev.tensor([1.0, 2.0]).trace()
    with pytest.raises(dfdx.ShapeError, match=r"only a Rank0.*got shape \(2,\)"):
        (x * 2.0).backward()


def test_second_backward_on_one_graph_is_an_error(dev):
    x = dev.tensor([1.0, 2.0])
    loss = (x.trace() * 2.0).sum()
    loss.backward()
    with pytest.raises(dfdx.TapeError, match="already ran"):
        loss.backward()


def test_tapes_of_two_stores_merge(dev):
    a = dev.tensor([1.0, 2.0])
    b = dev.tensor([3.0, 4.0])
    ga, gb = dfdx.Gradients(), dfdx.Gradients()
    ta, tb = a.trace(ga) * 1.0, b.trace(gb) * 1.0
    grads = (ta * tb).sum().backward()
    np.testing.assert_allclose(grads.get(a).numpy(), [3.0, 4.0])
    np.testing.assert_allclose(grads.get(b).numpy(), [1.0, 2.0])
    np.testing.assert_allclose(gb.get(b).numpy(), [1.0, 2.0])


def test_integer_tensors_carry_the_tape_without_a_gradient(dev):
    ids = dev.tensor([2, 0, 2])
    table = dev.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    grads = dfdx.Gradients()
    rows = table.gather(ids.traced(grads), axis=0)  # the table untraced: the ids bring the tape
    assert rows.is_traced
    grads.register(table)
    rows.sum().backward()
    np.testing.assert_allclose(grads.get(table).numpy(), [[1, 1], [0, 0], [2, 2]])
    with pytest.raises(dfdx.TapeError, match="no gradient"):
        grads.get(ids)


def test_tracing_twice_needs_detach(dev):
    x = dev.tensor([1.0]).trace()
    with pytest.raises(dfdx.TapeError, match="detach"):
        x.trace()
    assert not x.detach().is_traced
