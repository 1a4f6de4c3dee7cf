"""What the dfdx_mypy plugin costs: mypy with and without it on the same files.

Run: ``python benchmarks/mypy_overhead.py [--repeats N] [--lines N]``. Each measurement is a
fresh ``python -m mypy`` process with the cache off (``--no-incremental`` and a new cache
folder every run), so both sides parse typeshed, numpy and dfdx_py from scratch; the two
configurations alternate, and the table shows medians. The files:

- ``examples/`` and ``typecheck_cases/pass`` and ``reveal``: the repository's own;
- a generated model file of about 2,000 lines written with dfdx_py ops (matmuls, conv and
  pool, reductions, reshapes, concat, symbolic batch dims), clean under the plugin, once with
  the ``Rank2[B, 784]`` sugar and once spelled ``tuple[B, Literal[784]]``;
- the generated file's imports alone: subtracted from the two above, it leaves the time spent
  on the 2,000 lines themselves.

Both configurations are the typecheck cases' (``--strict``, ``dfdx_py`` imported with
``follow_imports = silent``); the baseline leaves out ``plugins``. Without the plugin the
sugar is an error for mypy: it still type-checks everything, which is what is timed (the
plain spelling is valid without the plugin). Times are the mypy process's CPU time by default
(``--clock wall`` for wall time): on a shared machine other processes disturb it far less.
``--profile`` runs cProfile on ``mypy.api.run`` with the plugin over the generated file and
prints where the plugin's time goes.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from machine import describe  # benchmarks/machine.py, next to this script

ROOT = Path(__file__).resolve().parents[1]

_SETTINGS = """\
[mypy]
python_version = 3.11
strict = True
warn_unreachable = True
{plugins}
[mypy-dfdx_py.*]
follow_imports = silent
"""

_HEADER = '''\
"""A generated model file: {n} blocks of dfdx_py ops (benchmarks/mypy_overhead.py)."""

from typing import Final, TypeVar

from dfdx_py import Cpu, Rank0, Rank1, Rank2, Rank4, Tensor, f32
from dfdx_py.ops import concat, conv2d, pool2d, stack

B = TypeVar("B", bound=int)
dev = Cpu(seed=0)
WIDTH: Final = 64
'''

_BLOCK = """

def mlp_{i}(
    x: Tensor[Rank2[B, {a}], f32, Cpu],
    w1: Tensor[Rank2[{a}, {h}], f32, Cpu],
    b1: Tensor[Rank1[{h}], f32, Cpu],
    w2: Tensor[Rank2[{h}, 10], f32, Cpu],
) -> Tensor[Rank2[B, 10], f32, Cpu]:
    hidden = (x @ w1 + b1.broadcast_to((x.shape[0], {h}))).relu()
    gated = hidden * hidden.sigmoid() - hidden.tanh() / 2.0
    return gated @ w2


def loss_{i}(logits: Tensor[Rank2[B, 10], f32, Cpu]) -> Tensor[Rank0, f32, Cpu]:
    return logits.log_softmax(-1).mean()


def conv_{i}(
    images: Tensor[Rank4[B, 3, {s}, {s}], f32, Cpu],
) -> Tensor[Rank4[B, 8, {q}, {q}], f32, Cpu]:
    kernel = dev.sample_normal((8, 3, 3, 3), std=0.1)
    features = conv2d(images, kernel, stride=1, padding=1).relu()
    return pool2d(features, "max", 2, stride=2)


x_{i} = dev.sample_normal(({n}, {a}))
w1_{i} = dev.sample_normal(({a}, {h}), std=0.05)
b1_{i} = dev.zeros(({h},))
w2_{i} = dev.sample_normal(({h}, 10), std=0.05)
logits_{i} = mlp_{i}(x_{i}, w1_{i}, b1_{i}, w2_{i})
loss_value_{i} = loss_{i}(logits_{i}).item()
images_{i} = dev.sample_normal((2, 3, {s}, {s}))
pooled_{i} = conv_{i}(images_{i}).reshape((2, 8, -1))
both_{i} = concat((logits_{i}, logits_{i}.exp()), 0).transpose(0, 1)
stacked_{i} = stack((both_{i}, both_{i}.square()), axis=0).permute((1, 2, 0))
summary_{i} = stacked_{i}.sum((1, 2)) + stacked_{i}.max((1, 2)) * WIDTH
normed_{i} = pooled_{i}.normalize(-1).softmax(1)[:, 0:4, ::2]
"""


def model_source(lines: int, *, sugar: bool = True) -> str:
    """A clean model file of about ``lines`` lines. ``sugar=False`` spells the shapes
    ``tuple[B, Literal[784]]`` instead of ``Rank2[B, 784]``: valid without the plugin too."""
    per_block = _BLOCK.count("\n")
    blocks = max(1, round((lines - _HEADER.count("\n")) / per_block))
    sizes = [(16, 32, 8), (32, 64, 16), (784, 128, 8), (24, 48, 16)]
    parts = [_HEADER.format(n=blocks)]
    for i in range(blocks):
        a, h, s = sizes[i % len(sizes)]
        parts.append(_BLOCK.format(i=i, a=a, h=h, s=s, q=s // 2, n=4 + i % 3))
    text = "".join(parts)
    if sugar:
        return text
    text = text.replace("Rank0, Rank1, Rank2, Rank4, ", "").replace("Final, ", "Final, Literal, ")
    text = re.sub(r"\bRank0\b", "tuple[()]", text)
    return re.sub(r"\bRank\d\[([^\]]*)\]", _plain_shape, text)


def _plain_shape(m: re.Match[str]) -> str:
    dims = [d.strip() for d in m[1].split(",")]
    return "tuple[" + ", ".join(d if d == "B" else f"Literal[{d}]" for d in dims) + "]"


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_mypy(config: Path, paths: list[Path], tmp: Path, clock: str = "cpu") -> tuple[float, str]:
    """One cold mypy process: its time (CPU, user + system, or wall) and its output."""
    cache = Path(tempfile.mkdtemp(dir=tmp, prefix="cache-"))
    args = [
        sys.executable,
        "-m",
        "mypy",
        "--config-file",
        str(config),
        "--no-incremental",
        "--cache-dir",
        str(cache),
        *map(str, paths),
    ]
    start, cpu = time.perf_counter(), _child_cpu()
    result = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)
    elapsed = _child_cpu() - cpu if clock == "cpu" else time.perf_counter() - start
    if result.returncode not in (0, 1):
        raise RuntimeError(f"mypy failed:\n{result.stdout}\n{result.stderr}")
    return elapsed, result.stdout


def profile(config: Path, paths: list[Path], tmp: Path, top: int = 25) -> str:
    """cProfile of ``mypy.api.run`` with the plugin: the plugin's functions by total time."""
    from mypy import api

    args = ["--config-file", str(config), "--no-incremental", "--cache-dir", str(tmp / "prof")]
    profiler = cProfile.Profile()
    profiler.enable()
    api.run([*args, *map(str, paths)])
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats("dfdx_mypy", top)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="runs per configuration")
    parser.add_argument("--lines", type=int, default=2000, help="size of the generated file")
    parser.add_argument("--profile", action="store_true", help="cProfile the plugin")
    parser.add_argument(
        "--clock",
        choices=("cpu", "wall"),
        default="cpu",
        help="cpu: the mypy process's user + system time, which other processes disturb "
        "far less than wall time on a shared machine (mypy runs on one core); default cpu",
    )
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="mypy-overhead-") as folder:
        tmp = Path(folder)
        with_plugin = tmp / "with_plugin.ini"
        with_plugin.write_text(_SETTINGS.format(plugins="plugins = dfdx_mypy\n"))
        without = tmp / "without_plugin.ini"
        without.write_text(_SETTINGS.format(plugins=""))
        model = tmp / "generated_model.py"
        model.write_text(model_source(options.lines))
        plain = tmp / "generated_plain.py"
        plain.write_text(model_source(options.lines, sugar=False))
        n_lines = model.read_text().count("\n")
        for path in (model, plain):
            _, output = run_mypy(with_plugin, [path], tmp)
            if "error:" in output:
                raise RuntimeError(f"{path.name} does not type-check:\n{output[:4000]}")
        errors = run_mypy(without, [model], tmp)[1].count(": error:")
        errors_plain = run_mypy(without, [plain], tmp)[1].count(": error:")

        cases = ROOT / "typecheck_cases"
        imports_only = tmp / "imports_only.py"
        imports_only.write_text(_HEADER.format(n=0))
        groups = {  # one mypy run each: pass/ and reveal/ share module names
            "examples/": [ROOT / "examples"],
            "typecheck_cases/pass": [cases / "pass"],
            "typecheck_cases/reveal": [cases / "reveal"],
            f"generated model, {n_lines} lines, RankN sugar": [model],
            "the same, spelled tuple[B, Literal[784]]": [plain],
        }
        fixed = "the generated model's imports only"

        print(f"Machine: {describe()}")
        clock = "CPU time (user + system)" if options.clock == "cpu" else "wall time"
        print(f"mypy {_mypy_version()}, {options.repeats} cold runs each, median {clock}\n")
        print("| files | without plugin | with plugin | ratio |")
        print("|---|---:|---:|---:|")
        medians: dict[str, tuple[float, float]] = {}
        for name, paths in [*groups.items(), (fixed, [imports_only])]:
            base: list[float] = []
            plug: list[float] = []
            for _ in range(options.repeats):  # alternate, so drift hits both sides
                base.append(run_mypy(without, paths, tmp, options.clock)[0])
                plug.append(run_mypy(with_plugin, paths, tmp, options.clock)[0])
            medians[name] = statistics.median(base), statistics.median(plug)
        rows = [(name, *medians[name]) for name in groups]
        b, p = (sum(m[i] for m in (medians[n] for n in groups)) for i in (0, 1))
        rows.append(("**total**", b, p))
        fixed_b, fixed_p = medians[fixed]
        for name in list(groups)[-2:]:
            model_b, model_p = medians[name]
            rows.append((f"{name}, less its imports", model_b - fixed_b, model_p - fixed_p))
        for name, b, p in rows:
            print(f"| {name} | {b:.2f} s | {p:.2f} s | {p / b:.2f}x |")
        print(
            f"\nWithout the plugin mypy reports {errors} errors on the generated model (the "
            f"sugar is not a type for it) and {errors_plain} on the plain spelling; with the "
            "plugin, none."
        )

        if options.profile:
            print()
            print(profile(with_plugin, [model], tmp))


def _mypy_version() -> str:
    from mypy.version import __version__

    return __version__


if __name__ == "__main__":
    main()
