"""The data pipeline: datasets, the Loader chain (shuffled, map, batch, collate, stack),
one_hot_encode and arange."""

from collections import namedtuple

import numpy as np
import pytest
import torch

import dfdx_py as dfdx
from dfdx_py import bf16, bool_, data, f32, f64, i64


def digits(n=10):
    """A tiny labelled dataset: x[i] = [i, i + 0.5, -i] (f32), y[i] = i % 3."""
    i = np.arange(n, dtype=np.float32)
    x = np.stack([i, i + 0.5, -i], axis=1)
    y = np.arange(n) % 3
    return x, y


# -- the chain ---------------------------------------------------------------------------------


def test_chain_end_to_end_exact_values(dev):
    x, y = digits(10)
    loader = (
        data.Loader(data.ArrayDataset(x, y))
        .map(lambda item: (item[0] * 2, item[1]))
        .batch(4)
        .collate()
        .stack(device=dev)
    )
    assert len(loader) == 3
    batches = list(loader)
    assert len(batches) == 3
    for k, (xb, yb) in enumerate(batches):
        rows = slice(4 * k, min(4 * k + 4, 10))
        assert xb.shape == (len(range(10)[rows]), 3) and xb.dtype is f32 and xb.device == dev
        assert yb.shape == (len(range(10)[rows]),) and yb.dtype is i64
        np.testing.assert_array_equal(xb.numpy(), x[rows] * 2)
        np.testing.assert_array_equal(yb.numpy(), y[rows])
    assert list(loader)[2][1].numpy().tolist() == [2, 0]  # re-iterable: same again


def test_loader_is_lazy_and_reiterable():
    calls = []

    def f(i):
        calls.append(i)
        return i * i

    loader = data.Loader(range(5)).map(f)
    assert calls == []  # building the chain runs nothing
    it = iter(loader)
    assert next(it) == 0 and calls == [0]
    assert list(loader) == [0, 1, 4, 9, 16]
    assert list(loader) == [0, 1, 4, 9, 16]


def test_plain_iterables_work_too():
    gen = (i for i in range(5))
    loader = data.Loader(gen).batch(2)
    assert list(loader) == [[0, 1], [2, 3], [4]]
    assert list(loader) == []  # a generator gives one pass
    with pytest.raises(TypeError, match="has no length"):
        len(data.Loader(i for i in range(3)))
    assert len(data.Loader([1, 2, 3]).batch(2)) == 2


def test_map_after_batch_sees_batches():
    loader = data.Loader(range(6)).batch(3).map(sum)
    assert list(loader) == [3, 12]
    assert len(loader) == 2


def test_repr_shows_the_chain():
    loader = data.Loader(range(3)).shuffled(0).batch(2, drop_last=True).collate().stack()
    assert repr(loader) == (
        "Loader(range(0, 3)).shuffled(rng).batch(2, drop_last=True).collate().stack()"
    )


# -- shuffled ---------------------------------------------------------------------------------


def test_shuffled_is_a_seeded_permutation_new_each_epoch():
    loader = data.Loader(range(50)).shuffled(7)
    first, second = list(loader), list(loader)
    assert sorted(first) == list(range(50)) and sorted(second) == list(range(50))
    assert first != second  # each pass is a new epoch
    again = data.Loader(range(50)).shuffled(7)
    assert list(again) == first and list(again) == second  # same seed, same epochs
    assert list(data.Loader(range(50)).shuffled(8)) != first


def test_shuffled_draws_from_a_given_generator():
    rng = np.random.default_rng(3)
    loader = data.Loader(list("abcdef")).shuffled(rng)
    want = np.random.default_rng(3).permutation(6)
    assert list(loader) == [list("abcdef")[i] for i in want]
    rng2 = np.random.default_rng(3)
    it = iter(data.Loader(range(6)).shuffled(rng2))  # the permutation is drawn here
    assert rng2.bit_generator.state != np.random.default_rng(3).bit_generator.state
    assert list(it) == want.tolist()


def test_shuffle_then_batch_covers_every_item_once(dev):
    x, y = digits(10)
    loader = data.Loader(data.ArrayDataset(x, y)).shuffled(dev.rng).batch(4).collate()
    loader = loader.stack(device=dev)
    xs = np.concatenate([xb.numpy() for xb, _ in loader])
    ys = np.concatenate([yb.numpy() for _, yb in loader])
    assert xs.shape == (10, 3)
    np.testing.assert_array_equal(np.sort(xs[:, 0]), x[:, 0])
    assert sorted(ys.tolist()) == sorted(y.tolist())


def test_shuffled_after_map_shuffles_the_items():
    loader = data.Loader(range(8)).map(lambda i: i * 10).shuffled(1)
    assert sorted(loader) == [i * 10 for i in range(8)]


# -- batch ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "size", "drop_last", "want"),
    [
        (7, 3, False, [[0, 1, 2], [3, 4, 5], [6]]),
        (7, 3, True, [[0, 1, 2], [3, 4, 5]]),
        (6, 3, False, [[0, 1, 2], [3, 4, 5]]),
        (6, 3, True, [[0, 1, 2], [3, 4, 5]]),
        (2, 5, False, [[0, 1]]),
        (2, 5, True, []),
        (0, 4, False, []),
    ],
)
def test_batch_remainder_and_drop_last(n, size, drop_last, want):
    loader = data.Loader(range(n)).batch(size, drop_last=drop_last)
    assert list(loader) == want
    assert len(loader) == len(want)


@pytest.mark.parametrize(
    ("size", "error", "message"),
    [
        (0, ValueError, "size must be at least 1, got 0"),
        (-2, ValueError, "size must be at least 1, got -2"),
        (2.0, TypeError, "size must be an int"),
        (True, TypeError, "size must be an int"),
    ],
)
def test_bad_batch_size(size, error, message):
    with pytest.raises(error, match=message):
        data.Loader(range(4)).batch(size)


# -- collate ------------------------------------------------------------------------------------


def test_collate_unzips_tuples_recursively_and_dicts_by_key():
    items = [((1, "a"), 10), ((2, "b"), 20), ((3, "c"), 30)]
    assert list(data.Loader(items).batch(3).collate()) == [
        (([1, 2, 3], ["a", "b", "c"]), [10, 20, 30])
    ]
    dicts = [{"x": 1, "y": 2}, {"x": 3, "y": 4}]
    assert list(data.Loader(dicts).batch(2).collate()) == [{"x": [1, 3], "y": [2, 4]}]
    Pair = namedtuple("Pair", "image label")
    pairs = [Pair(0.5, 1), Pair(1.5, 2)]
    (batch,) = data.Loader(pairs).batch(2).collate()
    assert isinstance(batch, Pair) and batch.image == [0.5, 1.5] and batch.label == [1, 2]
    assert list(data.Loader([1, 2, 3]).batch(2).collate()) == [[1, 2], [3]]  # not tuples


def test_collate_rejects_ragged_items():
    with pytest.raises(ValueError, match=r"item 0 is a tuple of 2, item 1 is a tuple of 3"):
        list(data.Loader([(1, 2), (1, 2, 3)]).batch(2).collate())
    with pytest.raises(ValueError, match=r"item 0 has keys \['x'\], item 1 is a dict"):
        list(data.Loader([{"x": 1}, {"y": 1}]).batch(2).collate())


# -- stack ------------------------------------------------------------------------------------


def test_stack_tensors_keeps_the_tape(dev):
    items = [dev.tensor([1.0, 2.0]), dev.tensor([3.0, 4.0]), dev.tensor([5.0, 6.0])]
    grads = dfdx.Gradients()
    traced = [t.trace(grads) for t in items]
    (stacked,) = data.Loader([traced]).stack()
    assert stacked.shape == (3, 2) and stacked.dtype is f32
    np.testing.assert_array_equal(stacked.numpy(), [[1, 2], [3, 4], [5, 6]])
    grads = (stacked * 2.0).sum().backward()
    np.testing.assert_array_equal(grads.get(items[1]).numpy(), [2.0, 2.0])


def test_stack_numpy_without_a_device_stays_numpy():
    x, y = digits(5)
    (xb, yb) = next(iter(data.Loader(data.ArrayDataset(x, y)).batch(5).collate().stack()))
    assert isinstance(xb, np.ndarray) and xb.dtype == np.float32 and xb.shape == (5, 3)
    assert isinstance(yb, np.ndarray) and yb.shape == (5,)
    np.testing.assert_array_equal(xb, x)


def test_stack_on_a_device_makes_one_tensor_per_field(dev):
    items = [(1.5, 2, True), (2.5, 3, False)]
    ((a, b, c),) = data.Loader(items).batch(2).collate().stack(device=dev)
    assert (a.dtype, b.dtype, c.dtype) == (f32, i64, bool_)  # dev.tensor's defaults
    assert a.numpy().tolist() == [1.5, 2.5] and b.numpy().tolist() == [2, 3]
    f64_rows = [np.array([1.0, 2.0]), np.array([3.0, 4.0])]
    (t,) = data.Loader([f64_rows]).stack(device=dev)
    assert t.dtype is f64 and t.shape == (2, 2)  # a numpy array keeps its dtype
    (d,) = data.Loader([{"x": np.zeros(2, np.float32)}] * 3).batch(3).collate().stack(dev)
    assert d["x"].shape == (3, 2)


def test_stack_errors_are_clear(dev):
    with pytest.raises(dfdx.ShapeError, match=r"item 0 has shape \(2,\), item 2 has shape \(3,\)"):
        list(data.Loader([[np.zeros(2), np.zeros(2), np.zeros(3)]]).stack(device=dev))
    with pytest.raises(TypeError, match=r"call collate\(\) before stack\(\)"):
        list(data.Loader([(1, 2), (3, 4)]).batch(2).stack())
    with pytest.raises(TypeError, match=r"call batch\(\) before stack\(\)"):
        list(data.Loader([np.zeros(3)]).stack())
    with pytest.raises(dfdx.DTypeError, match="mixes tensors"):
        list(data.Loader([[dev.zeros((2,)), np.zeros(2)]]).stack())


# -- datasets ---------------------------------------------------------------------------------


def test_array_dataset_rows_and_errors():
    x, y = digits(4)
    ds = data.ArrayDataset(x, y)
    assert len(ds) == 4 and isinstance(ds, data.ExactSizeDataset)
    row, label = ds[2]
    np.testing.assert_array_equal(row, x[2])
    assert label == y[2]
    np.testing.assert_array_equal(ds[-1][0], x[3])
    with pytest.raises(IndexError, match="index 4 out of range for 4 items"):
        ds[4]
    with pytest.raises(dfdx.ShapeError, match="differ in length"):
        data.ArrayDataset(np.zeros((3, 2)), np.zeros(4))
    with pytest.raises(TypeError, match="at least one array"):
        data.ArrayDataset()
    assert repr(ds) == "ArrayDataset((4, 3) float32, (4,) int64)"


def test_any_class_with_len_and_getitem_is_a_dataset():
    class Squares:
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return i * i

    assert isinstance(Squares(), data.ExactSizeDataset)
    assert sorted(data.Loader(Squares()).shuffled(0)) == [0, 1, 4, 9]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: data.Loader(5), "needs a dataset"),
        (lambda: data.Loader(i for i in range(3)).shuffled(0), "must be a dataset"),
        (lambda: data.Loader(range(3)).batch(2).shuffled(0), "before batch"),
        (lambda: data.Loader(range(3)).shuffled(0).shuffled(1), "already shuffled"),
        (lambda: data.Loader(range(3)).shuffled("seed"), "numpy Generator or an int seed"),
        (lambda: data.Loader(range(3)).shuffled(True), "numpy Generator or an int seed"),
        (lambda: data.Loader(range(3)).map(3), "must be callable"),
    ],
)
def test_chain_misuse_raises_type_errors(make, message):
    with pytest.raises(TypeError, match=message):
        make()


# -- one_hot_encode and arange ------------------------------------------------------------------


def test_one_hot_encode_values(dev):
    t = data.one_hot_encode([0, 2, 1, 1], 3, dev)
    assert t.shape == (4, 3) and t.dtype is f32 and t.device == dev
    np.testing.assert_array_equal(t.numpy(), [[1, 0, 0], [0, 0, 1], [0, 1, 0], [0, 1, 0]])
    labels = np.array([[3, 0], [1, 4]])
    want = torch.nn.functional.one_hot(torch.from_numpy(labels), 5).numpy()
    np.testing.assert_array_equal(data.one_hot_encode(labels, 5, dev, f64).numpy(), want)
    from_tensor = data.one_hot_encode(dev.tensor([2, 0]), 4, dtype=bf16)
    assert from_tensor.device == dev and from_tensor.dtype is bf16 and from_tensor.shape == (2, 4)
    np.testing.assert_array_equal(
        from_tensor.numpy().astype(np.float32), [[0, 0, 1, 0], [1, 0, 0, 0]]
    )
    assert data.one_hot_encode([], 3, dev).shape == (0, 3)


@pytest.mark.parametrize(
    ("labels", "n", "error", "message"),
    [
        (
            [0, 1, 3],
            3,
            ValueError,
            r"label 3 at position 2 is out of range for 3 classes \(labels must be in 0..2\)",
        ),
        (np.array([[0, 1], [-1, 2]]), 3, ValueError, r"label -1 at position \(1, 0\)"),
        ([0.0, 1.0], 3, dfdx.DTypeError, "labels must be ints"),
        ([True, False], 3, dfdx.DTypeError, "labels must be ints"),
        ([0, 1], 0, ValueError, "n_classes must be at least 1"),
        ([0, 1], 2.0, TypeError, "n_classes must be an int"),
    ],
)
def test_one_hot_encode_errors(dev, labels, n, error, message):
    with pytest.raises(error, match=message):
        data.one_hot_encode(labels, n, dev)


def test_one_hot_encode_tensor_labels_must_be_i64(dev):
    with pytest.raises(dfdx.DTypeError, match="labels must be an i64 tensor, got f32"):
        data.one_hot_encode(dev.tensor([0.0, 1.0]), 2)
    with pytest.raises(TypeError, match="give a device"):
        data.one_hot_encode([0, 1], 2)


def test_arange(dev):
    a = data.arange(5, dev)
    assert a.dtype is i64 and a.numpy().tolist() == [0, 1, 2, 3, 4]
    np.testing.assert_array_equal(a.numpy(), dev.arange(5).numpy())
    b = data.arange(4, dev, f32)
    assert b.dtype is f32 and b.numpy().tolist() == [0.0, 1.0, 2.0, 3.0]
    assert data.arange(0, dev).shape == (0,)
    with pytest.raises(dfdx.ShapeError, match="n must be an int >= 0"):
        data.arange(-1, dev)
    with pytest.raises(dfdx.DTypeError, match="i64 or a float dtype"):
        data.arange(3, dev, bool_)
