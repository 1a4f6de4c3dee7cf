"""save/load: .safetensors and .npz round trips, PyTorch state_dict exports, and every bad
file rejected before the module changes."""

import sys
import zipfile

import numpy as np
import pytest
import safetensors.numpy
import safetensors.torch
import torch

from dfdx_py import bf16, bool_, f16, f32, f64, i64, nn
from dfdx_py.serialize import LoadError

FORMATS = [".safetensors", ".npz"]
Mlp = tuple[nn.Linear[5, 8], nn.ReLU, nn.Linear[8, 3]]


class WithBuffers(nn.Module):
    """A test-only module with buffers of three dtypes next to a child's parameters."""

    buffers = ("running_mean", "steps", "mask")
    lin: nn.Linear[3, 2]

    def init(self, device, dtype):
        super().init(device, dtype)
        self.running_mean = device.zeros((2,), dtype=dtype)
        self.steps = device.zeros((), dtype=i64)
        self.mask = device.zeros((2,), dtype=bool_)

    def forward(self, x):
        return self.lin(x) + self.running_mean.broadcast_to((x.shape[0], 2))


def snapshot(module):
    """Every tensor's name, uid, storage object and values."""
    return {n: (t.uid, t._data, t.numpy().copy()) for n, t in module.named_tensors()}


def assert_unchanged(module, before):
    after = snapshot(module)
    assert after.keys() == before.keys()
    for name, (uid, storage, values) in before.items():
        assert after[name][0] == uid and after[name][1] is storage, name
        np.testing.assert_array_equal(after[name][2], values, err_msg=name)


def write_arrays(path, arrays):
    if path.suffix == ".npz":
        np.savez(path, **arrays)
    else:
        safetensors.numpy.save_file(arrays, str(path))


def arrays_of(module):
    return {n: t.numpy() for n, t in module.named_tensors()}


# -- round trips ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("dtype", [f32, f64, f16, bf16])
def test_round_trip_keeps_values_dtypes_and_identity(dev, tmp_path, fmt, dtype):
    saved = dev.build_module(Mlp, dtype)
    loaded = dev.build_module(Mlp, dtype)
    path = tmp_path / f"mlp{fmt}"
    saved.save(path)
    tensors = dict(loaded.named_tensors())
    uids = {n: t.uid for n, t in tensors.items()}
    loaded.load(path)
    assert list(dict(loaded.named_tensors())) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    for name, t in loaded.named_tensors():
        assert t is tensors[name] and t.uid == uids[name]  # the same objects, updated in place
        assert t.dtype is dtype and t.device == dev
        np.testing.assert_array_equal(t.numpy(), dict(saved.named_tensors())[name].numpy())
    x = dev.sample_normal((4, 5), dtype=dtype)
    np.testing.assert_array_equal(loaded(x).numpy(), saved(x).numpy())


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_includes_buffers(dev, tmp_path, fmt):
    saved = dev.build_module(WithBuffers, f32)
    saved.running_mean._data = dev.tensor([0.25, -1.5])._data
    saved.steps._data = dev.tensor(7)._data
    saved.mask._data = dev.tensor([True, False])._data
    loaded = dev.build_module(WithBuffers, f32)
    path = tmp_path / f"buffers{fmt}"
    saved.save(path)
    loaded.load(path)
    assert loaded.running_mean.numpy().tolist() == [0.25, -1.5]
    assert loaded.steps.item() == 7 and loaded.steps.dtype is i64
    assert loaded.mask.numpy().tolist() == [True, False] and loaded.mask.dtype is bool_
    np.testing.assert_array_equal(loaded.lin.weight.numpy(), saved.lin.weight.numpy())


def test_files_hold_the_state_dict_names_and_dtypes(dev, tmp_path):
    model = dev.build_module(WithBuffers, bf16)
    model.save(tmp_path / "m.safetensors")
    model.save(tmp_path / "m.npz")
    names = ["running_mean", "steps", "mask", "lin.weight", "lin.bias"]
    with np.load(tmp_path / "m.npz", allow_pickle=False) as npz:
        assert sorted(npz.files) == sorted(names)
        assert npz["lin.weight"].dtype == np.float32  # numpy has no bf16: stored as f32
        assert npz["steps"].dtype == np.int64
    with safetensors.safe_open(tmp_path / "m.safetensors", framework="np") as st:
        assert sorted(st.keys()) == sorted(names)
        assert st.get_slice("lin.weight").get_dtype() == "BF16"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.npz", "m.safetensors"]  # no temps


# -- PyTorch exports ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_loads_a_pytorch_state_dict(dev, tmp_path, fmt):
    torch.manual_seed(0)
    reference = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    path = tmp_path / f"torch{fmt}"
    if fmt == ".npz":
        np.savez(path, **{k: v.numpy() for k, v in reference.state_dict().items()})
    else:
        safetensors.torch.save_file(reference.state_dict(), str(path))
    model = dev.build_module(Mlp, f32)
    model.load(path)
    x = np.random.default_rng(0).standard_normal((4, 5)).astype(np.float32)
    with torch.no_grad():
        want = reference(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(model(dev.tensor(x)).numpy(), want, rtol=1e-5, atol=1e-6)


def test_float_arrays_cast_to_the_module_dtype(dev, tmp_path):
    source = dev.build_module(Mlp, f32)
    source.save(tmp_path / "f32.npz")
    model = dev.build_module(Mlp, f64)
    model.load(tmp_path / "f32.npz")
    assert model[0].weight.dtype is f64
    np.testing.assert_array_equal(model[0].weight.numpy(), source[0].weight.numpy())


# -- bad files leave the module unchanged ------------------------------------------------------


def edit(arrays, name):
    """The module's arrays with one change applied."""
    arrays = dict(arrays)
    if name == "missing":
        del arrays["2.bias"]
    elif name == "extra":
        arrays["3.weight"] = np.zeros((2, 2), np.float32)
    elif name == "shape":
        arrays["0.weight"] = np.zeros((8, 6), np.float32)
    elif name == "dtype":
        arrays["2.bias"] = np.zeros(3, np.int64)
    return arrays


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("change", "message", "field"),
    [
        ("missing", r"missing keys \(in the module, not in the file\): 2.bias", "missing"),
        ("extra", r"unexpected keys \(in the file, not in the module\): 3.weight", "unexpected"),
        ("shape", r"0.weight: shape \(8, 6\) in the file, \(8, 5\) in the module", "mismatched"),
        (
            "dtype",
            r"2.bias: dtype int64 in the file cannot load into the module's f32",
            "mismatched",
        ),
    ],
)
def test_mismatched_files_are_rejected_whole(dev, tmp_path, fmt, change, message, field):
    model = dev.build_module(Mlp, f32)
    other = dev.build_module(Mlp, f32)  # different values: a partial load would show
    path = tmp_path / f"bad{fmt}"
    write_arrays(path, edit(arrays_of(other), change))
    before = snapshot(model)
    with pytest.raises(LoadError, match=message) as info:
        model.load(path)
    assert str(path) in str(info.value) and getattr(info.value, field)
    assert isinstance(info.value, ValueError)
    assert_unchanged(model, before)


def test_every_problem_is_reported_at_once(dev, tmp_path):
    model = dev.build_module(Mlp, f32)
    arrays = edit(edit(edit(arrays_of(model), "missing"), "extra"), "shape")
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(LoadError) as info:
        model.load(tmp_path / "bad.npz")
    assert info.value.missing == ("2.bias",) and info.value.unexpected == ("3.weight",)
    assert info.value.mismatched == ("0.weight: shape (8, 6) in the file, (8, 5) in the module",)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty"])
def test_corrupt_files_raise_load_error(dev, tmp_path, fmt, damage):
    model = dev.build_module(Mlp, f32)
    path = tmp_path / f"model{fmt}"
    dev.build_module(Mlp, f32).save(path)
    good = path.read_bytes()
    path.write_bytes(
        {
            "truncated": good[: len(good) // 2],
            "garbage": np.random.default_rng(0).bytes(len(good)),
            "empty": b"",
        }[damage]
    )
    before = snapshot(model)
    with pytest.raises(LoadError, match=f"cannot load {path}: not a valid \\{fmt} file"):
        model.load(path)
    assert_unchanged(model, before)


UNPICKLED = []


class Tripwire:
    """Records its own unpickling: a load that unpickles would append to UNPICKLED."""

    def __reduce__(self):
        return (UNPICKLED.append, ("unpickled!",))


def test_npz_object_arrays_are_never_unpickled(dev, tmp_path):
    model = dev.build_module(Mlp, f32)
    arrays = {k: v for k, v in arrays_of(model).items()}
    arrays["0.bias"] = np.array([Tripwire()] * 8, dtype=object)
    np.savez(tmp_path / "pickled.npz", **arrays)  # np.savez pickles object arrays
    before = snapshot(model)
    with pytest.raises(LoadError, match=r"key '0.bias' holds Python objects.*never unpickles"):
        model.load(tmp_path / "pickled.npz")
    assert UNPICKLED == []
    assert_unchanged(model, before)


def test_npz_member_with_a_bad_dtype_is_rejected(dev, tmp_path):
    model = dev.build_module(Mlp, f32)
    arrays = arrays_of(model)
    arrays["0.bias"] = np.array(["a"] * 8)
    np.savez(tmp_path / "strings.npz", **arrays)
    with pytest.raises(LoadError, match=r"0.bias: dtype <U1 in the file cannot load"):
        model.load(tmp_path / "strings.npz")


# -- paths and formats -------------------------------------------------------------------------


def test_unknown_suffix_and_missing_file(dev, tmp_path):
    model = dev.build_module(Mlp, f32)
    with pytest.raises(ValueError, match=r"suffix '.pt'; use .safetensors or .npz"):
        model.save(tmp_path / "model.pt")
    with pytest.raises(LoadError, match=r"suffix '.pt'"):
        model.load(tmp_path / "model.pt")
    with pytest.raises(FileNotFoundError):
        model.load(tmp_path / "absent.npz")
    assert list(tmp_path.iterdir()) == []


def test_a_failed_save_keeps_the_old_file(dev, tmp_path, monkeypatch):
    from dfdx_py import serialize

    model = dev.build_module(Mlp, f32)
    path = tmp_path / "model.npz"
    model.save(path)
    good = path.read_bytes()

    def broken(arrays, target):
        target.write_bytes(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(serialize, "_write_npz", broken)
    with pytest.raises(OSError, match="disk full"):
        dev.build_module(Mlp, f32).save(path)
    assert path.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]


def test_safetensors_is_optional(dev, tmp_path, monkeypatch):
    model = dev.build_module(Mlp, f32)
    monkeypatch.setitem(sys.modules, "safetensors", None)
    with pytest.raises(ImportError, match="needs the safetensors package"):
        model.save(tmp_path / "model.safetensors")
    model.save(tmp_path / "model.npz")  # npz needs only numpy
    model.load(tmp_path / "model.npz")


def test_npz_is_a_plain_zip_of_npy_files(dev, tmp_path):
    dev.build_module(Mlp, f32).save(tmp_path / "model.npz")
    with zipfile.ZipFile(tmp_path / "model.npz") as archive:
        assert sorted(archive.namelist()) == [
            "0.bias.npy",
            "0.weight.npy",
            "2.bias.npy",
            "2.weight.npy",
        ]
