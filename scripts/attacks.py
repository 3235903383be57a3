"""Attack the CLI with hostile files and faults (issue 11) and report how each one was handled.

    python scripts/attacks.py              # every attack, two at a time
    python scripts/attacks.py -k bomb      # only attacks whose name contains "bomb"
    python scripts/attacks.py --list       # names only

Everything is crafted in a temporary folder (see ``tests/hostile_files.py``); each attack runs
``python -m mnist_studio ...`` as a user would, with its own runs and cache folders. An attack
is *handled cleanly* when the command ends in time with the expected exit code, prints no
traceback and no "unexpected error", keeps its error to at most three lines, stays within its
memory allowance, and its own check of the files afterwards holds (nothing replaced, nothing
lost, no temporary file left). The totals at the end are what issue 11 asks to report.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the crafting helpers live with the tests

import hostile_files as craft  # noqa: E402
import torch  # noqa: E402

from mnist_studio.core import paths  # noqa: E402
from mnist_studio.core.checkpoints import load_checkpoint  # noqa: E402
from mnist_studio.core.data import MNIST_FILES  # noqa: E402

TIMEOUT_SECONDS = 120  # a hang shows as a timeout; a busy machine still finishes well within it
MEMORY_ALLOWANCE_MB = 200  # over the same command on a good file (issue 11)
QUICK_RUN = ["--arch", "lenet5", "--subset", "64", "--batch-size", "64", "--epochs", "1", "--threads", "1"]
GIB = 2**30


@dataclass
class Outcome:
    """How one command ended."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float
    timed_out: bool


@dataclass
class Attack:
    """One attack: the command to run in ``folder`` (after ``prepare``), what a clean ending looks like."""

    name: str
    items: str  # the issue-11 items it exercises
    prepare: Callable[[Path], list[str]]  # crafts the files, returns the CLI arguments
    codes: tuple[int, ...] = (2,)
    says: str = ""  # text the error must contain
    check: Callable[[Path, Outcome], str] | None = None  # "" when the files afterwards are as they must be
    before_training: bool = False  # must be refused before any epoch runs
    memory_baseline: str = ""  # name of the attack whose peak memory this one may exceed by the allowance
    env: dict[str, str] = field(default_factory=dict)


def run_cli(folder: Path, args: list[str], env: dict[str, str]) -> Outcome:
    """Run the CLI in ``folder``; measure its wall time and peak memory (``wait4``)."""
    environment = os.environ | {
        "MNIST_STUDIO_RUNS": str(folder / "runs"),
        "MNIST_STUDIO_CACHE": str(folder / "cache"),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])),
    } | env
    with (folder / "stdout.txt").open("w+") as out, (folder / "stderr.txt").open("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "mnist_studio", *args], cwd=folder, env=environment, stdout=out, stderr=err
        )
        timed_out = False
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - started > TIMEOUT_SECONDS:
                timed_out = True
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.02)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)  # tell Popen the child is gone
        out.seek(0)
        err.seek(0)
        return Outcome(process.returncode, out.read(), err.read(), seconds, usage.ru_maxrss / 1024, timed_out)


# Crafting ------------------------------------------------------------------------------------


def checkpoint(folder: Path, name: str = "good.pt", **changes: object) -> Path:
    return craft.save_raw(folder / name, craft.good_payload() | changes)


def evaluating(make: Callable[[Path], Path]) -> Callable[[Path], list[str]]:
    return lambda folder: ["evaluate", str(make(folder))]


def predicting_json(make: Callable[[Path], Path]) -> Callable[[Path], list[str]]:
    def prepare(folder: Path) -> list[str]:
        image = folder / "seven.png"
        from PIL import Image

        canvas = Image.new("L", (28, 28))
        canvas.paste(255, (12, 4, 16, 24))
        canvas.save(image)
        return ["predict", "--json", str(make(folder)), str(image)]

    return prepare


def fifo(folder: Path, name: str = "model.pt") -> Path:
    os.mkfifo(folder / name)
    return folder / name


def device_node(folder: Path, name: str = "null.pt") -> Path:
    """A private copy of /dev/null (root only), so a wrong write harms nothing outside the folder."""
    if not is_root():
        raise Skip("making a device node needs root")
    os.mknod(folder / name, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    return folder / name


def truncated(folder: Path) -> Path:
    path = checkpoint(folder, "truncated.pt")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return path


def runs_code(folder: Path, writer: str) -> Path:
    marker = folder / "MARKER"
    command = f"touch {marker}"
    path = folder / "hostile.pt"

    class RunsCode:
        def __reduce__(self) -> tuple[object, ...]:
            return (os.system, (command,))

    if writer == "torch":
        torch.save(craft.good_payload(metrics={"note": RunsCode()}), path)
    else:
        import pickle

        path.write_bytes(pickle.dumps(RunsCode()))
    return path


def no_marker(folder: Path, outcome: Outcome) -> str:
    return "the file's code ran" if (folder / "MARKER").exists() else ""


def stopped_checkpoint(folder: Path) -> Path:
    """A real resumable checkpoint: a tiny run stopped after its first step."""
    from mnist_studio.core.config import TrainingConfig
    from mnist_studio.core.progress import StepProgress
    from mnist_studio.core.training import Trainer

    config = TrainingConfig.for_architecture("lenet5", subset=64, batch_size=32, epochs=1, threads=1, device="cpu")
    trainer = Trainer(config, checkpoint_path=folder / "stopped.pt", report_interval=0)
    for record in trainer.run():
        if isinstance(record, StepProgress):
            trainer.stop()
    return folder / "stopped.pt"


def mnist_copy(folder: Path) -> Path:
    data = folder / "mnist"
    data.mkdir()
    for name in MNIST_FILES:
        shutil.copy(paths.mnist_dir() / f"{name}.gz", data / f"{name}.gz")
    return data


def with_data(change: Callable[[Path], object]) -> Callable[[Path], list[str]]:
    """``evaluate good.pt`` on a copy of MNIST that ``change`` has tampered with."""

    def prepare(folder: Path) -> list[str]:
        data = mnist_copy(folder)
        change(data)
        return ["evaluate", str(checkpoint(folder))]

    return prepare


def relabelled_after_a_verdict(folder: Path) -> list[str]:
    data = mnist_copy(folder)
    craft.recompress(data / "train-labels-idx1-ubyte.gz")
    environment = os.environ | {"MNIST_STUDIO_DATA": str(data), "MNIST_STUDIO_CACHE": str(folder / "cache")}
    subprocess.run(  # a first run verifies the files and caches the verdicts
        [sys.executable, "-c", "from mnist_studio.core.data import load_mnist; load_mnist()"],
        env=environment | {"PYTHONPATH": str(ROOT)},
        check=True,
    )
    craft.relabel_keeping_size(data / "train-labels-idx1-ubyte.gz")
    return ["train", *QUICK_RUN, "--out", str(folder / "out.pt")]


def write_cache(content: str) -> Callable[[Path], list[str]]:
    def prepare(folder: Path) -> list[str]:
        (folder / "cache").mkdir()
        (folder / "cache" / "mnist-verified.json").write_text(content)
        return ["evaluate", str(checkpoint(folder))]

    return prepare


# Checks of the files afterwards ----------------------------------------------------------------


def still(kind: Callable[[int], bool], name: str) -> Callable[[Path, Outcome], str]:
    def check(folder: Path, outcome: Outcome) -> str:
        return "" if kind(os.lstat(folder / name).st_mode) else f"{name} was replaced"

    return check


def unchanged(name: str, content: bytes, mode: int) -> Callable[[Path, Outcome], str]:
    def check(folder: Path, outcome: Outcome) -> str:
        path = folder / name
        if path.read_bytes() != content or stat.S_IMODE(path.stat().st_mode) != mode:
            return f"{name} was changed"
        return ""

    return check


def no_temporaries(folder: Path, outcome: Outcome) -> str:
    left = [path.name for path in folder.rglob(".*.tmp")]
    return f"temporary files left: {left}" if left else ""


def read_only_target(folder: Path) -> list[str]:
    target = folder / "keep.pt"
    target.write_bytes(b"the user's own file")
    target.chmod(0o444)
    return ["train", *QUICK_RUN, "--out", str(target)]


def read_only_resume(folder: Path) -> list[str]:
    path = stopped_checkpoint(folder)
    path.chmod(0o444)
    (folder / "before").write_bytes(path.read_bytes())
    return ["train", "--resume", str(path)]


def resume_unchanged(folder: Path, outcome: Outcome) -> str:
    path = folder / "stopped.pt"
    if path.read_bytes() != (folder / "before").read_bytes() or stat.S_IMODE(path.stat().st_mode) != 0o444:
        return "the read-only checkpoint was overwritten"
    return ""


def symlink_target(folder: Path) -> list[str]:
    (folder / "real").mkdir()
    (folder / "real" / "model.pt").write_bytes(b"old")
    (folder / "latest.pt").symlink_to(folder / "real" / "model.pt")
    return ["train", *QUICK_RUN, "--out", str(folder / "latest.pt")]


def written_through(folder: Path, outcome: Outcome) -> str:
    if not (folder / "latest.pt").is_symlink():
        return "the link was replaced by a file"
    try:
        load_checkpoint(folder / "real" / "model.pt")
    except Exception as error:  # noqa: BLE001 - any failure to read it back is the finding
        return f"the link's target holds no checkpoint ({error})"
    return no_temporaries(folder, outcome)


def nothing_named(name: str) -> Callable[[Path, Outcome], str]:
    return lambda folder, outcome: f"{name} was created" if (folder / name).exists() else ""


def stale_temporary(folder: Path) -> list[str]:
    runs = folder / "runs"
    runs.mkdir()
    stale = runs / ".lenet5-old.pt.0123456789ab.tmp"
    stale.write_bytes(b"left by kill -9")
    os.utime(stale, (time.time() - 3600, time.time() - 3600))
    (runs / ".notes.tmp").write_bytes(b"not ours")
    return ["train", *QUICK_RUN, "--json"]


def stale_removed(folder: Path, outcome: Outcome) -> str:
    runs = folder / "runs"
    if (runs / ".lenet5-old.pt.0123456789ab.tmp").exists():
        return "the stale temporary file is still there"
    return "" if (runs / ".notes.tmp").exists() else "a file not of our pattern was removed"


def valid_json_lines(folder: Path, outcome: Outcome) -> str:
    def refuse(constant: str) -> object:
        raise ValueError(constant)

    try:
        for line in outcome.stdout.splitlines():
            json.loads(line, parse_constant=refuse)
    except ValueError as error:
        return f"invalid JSON on stdout ({error})"
    return ""


def mount_tiny_disk(folder: Path) -> Path | None:
    disk = folder / "tiny"
    disk.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)], capture_output=True)
    return disk if result.returncode == 0 else None


def full_disk(folder: Path) -> list[str]:
    disk = mount_tiny_disk(folder)
    if disk is None:
        raise Skip("cannot mount a 1 MiB tmpfs here (needs root)")
    return ["train", "--arch", "mlp", *QUICK_RUN[2:], "--out", str(disk / "mlp.pt")]


def full_disk_kept_the_model(folder: Path, outcome: Outcome) -> str:
    subprocess.run(["umount", str(folder / "tiny")], capture_output=True)
    if "no space" not in outcome.stderr + outcome.stdout:
        return "the lack of space was not named"
    rescued = list((folder / "runs").glob("*.pt")) if (folder / "runs").is_dir() else []
    return "" if rescued else "the trained model was lost (nothing saved elsewhere)"


class Skip(Exception):
    """This attack cannot run on this machine."""


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def attacks() -> list[Attack]:
    """The attack set."""
    big = 1 * GIB
    return [
        # Checkpoints that must be refused with one line (8, 9, 12, 13, 16, 20, 22)
        Attack("evaluate good checkpoint (baseline)", "-", evaluating(checkpoint), codes=(0,)),
        Attack("evaluate FIFO", "22", evaluating(fifo), says="not a regular file"),
        Attack("evaluate /dev/zero", "22", lambda folder: ["evaluate", "/dev/zero"], says="not a regular file"),
        Attack("evaluate device node", "22", evaluating(device_node), says="not a regular file"),
        Attack("evaluate folder", "-", evaluating(lambda f: (f / "d.pt").mkdir() or f / "d.pt"), says="folder"),
        Attack("evaluate missing file", "-", evaluating(lambda f: f / "absent.pt"), says="no such"),
        Attack("evaluate empty file", "-", evaluating(lambda f: (f / "e.pt").touch() or f / "e.pt"), says="empty"),
        Attack("evaluate random bytes", "-", evaluating(lambda f: craft_bytes(f, os.urandom(4096))), says="not a"),
        Attack("evaluate truncated", "-", evaluating(truncated), says="truncated"),
        Attack("evaluate symlink loop", "-", evaluating(loop_link), says="model.pt"),
        Attack("evaluate torch pickle running code", "-", evaluating(lambda f: runs_code(f, "torch")), says="unsafe",
               check=no_marker),
        Attack("evaluate plain pickle running code", "-", evaluating(lambda f: runs_code(f, "pickle")), says="unsafe",
               check=no_marker),
        Attack("evaluate deflate bomb 1 GiB", "12", evaluating(lambda f: craft.deflate_bomb(f / "bomb.pt", big)),
               says="refused", memory_baseline="evaluate good checkpoint (baseline)"),
        Attack("evaluate many-pickles archive", "13", evaluating(lambda f: craft.many_pickles(f / "m.pt", 8, 60 * 2**20)),
               says="refused", memory_baseline="evaluate good checkpoint (baseline)"),
        Attack("evaluate 2 GB sparse file", "12", evaluating(huge_file), says="refused",
               memory_baseline="evaluate good checkpoint (baseline)"),
        Attack("evaluate learning rate 10**400", "8",
               evaluating(lambda f: checkpoint(f, config=craft.good_payload()["config"] | {"learning_rate": 10**400})),
               says="corrupt"),
        Attack("evaluate deeply nested architecture", "8",
               evaluating(lambda f: checkpoint(f, arch=craft.deep_value(20_000))), says="corrupt"),
        Attack("evaluate deeply nested status", "8",
               evaluating(lambda f: checkpoint(f, status=craft.deep_value(20_000))), says="corrupt"),
        Attack("evaluate deeply nested metrics", "8",
               evaluating(lambda f: checkpoint(f, metrics={"x": craft.deep_value(5_000)})), says="corrupt"),
        Attack("evaluate accuracy as text", "9",
               evaluating(lambda f: checkpoint(f, metrics={"test_accuracy": "0.98"})), says="corrupt"),
        Attack("evaluate accuracy as tensor", "9",
               evaluating(lambda f: checkpoint(f, metrics={"test_accuracy": torch.tensor(0.98)})), says="corrupt"),
        Attack("evaluate accuracy as list", "9",
               evaluating(lambda f: checkpoint(f, metrics={"test_accuracy": [0.98]})), says="corrupt"),
        Attack("evaluate date overflowing local time", "9",
               evaluating(lambda f: checkpoint(f, created="9999-12-31T23:59:59-12:00")), says="corrupt"),
        Attack("evaluate sparse weights", "20",
               evaluating(lambda f: checkpoint(f, model_state=craft.sparse_weights())), says="sparse"),
        Attack("evaluate NaN weights", "16",
               evaluating(lambda f: checkpoint(f, model_state=craft.non_finite_weights(float("nan")))), says="NaN"),
        Attack("predict --json NaN weights", "16",
               predicting_json(lambda f: checkpoint(f, model_state=craft.non_finite_weights(float("nan")))),
               says="NaN", check=valid_json_lines),
        Attack("predict --json infinite weights", "16",
               predicting_json(lambda f: checkpoint(f, model_state=craft.non_finite_weights(float("inf")))),
               says="NaN", check=valid_json_lines),
        Attack("predict --json huge finite weights", "16", predicting_json(huge_weights), codes=(0, 2),
               check=valid_json_lines),
        Attack("resume from a deflate bomb", "12",
               lambda f: ["train", "--resume", str(craft.deflate_bomb(f / "bomb.pt", big))], says="refused"),
        Attack("resume from a FIFO", "22", lambda f: ["train", "--resume", str(fifo(f))], says="not a regular file"),
        # Output targets (1, 5, 6): refused before training, nothing replaced
        Attack("train --out FIFO", "1", lambda f: ["train", *QUICK_RUN, "--out", str(fifo(f))],
               says="not a regular file", before_training=True, check=still(stat.S_ISFIFO, "model.pt")),
        Attack("train --out device node (copy of /dev/null)", "1",
               lambda f: ["train", *QUICK_RUN, "--out", str(device_node(f))], says="not a regular file",
               before_training=True, check=still(stat.S_ISCHR, "null.pt")),
        Attack("train --out dangling symlink", "1", lambda f: ["train", *QUICK_RUN, "--out", str(dangling(f))],
               says="symbolic link", before_training=True, check=nothing_named("nowhere")),
        Attack("train --out symlink writes through", "1", symlink_target, codes=(0,), check=written_through),
        Attack("train --out read-only file", "6", read_only_target, says="read-only", before_training=True,
               check=unchanged("keep.pt", b"the user's own file", 0o444)),
        Attack("train --resume read-only checkpoint", "6", read_only_resume, says="read-only", before_training=True,
               check=resume_unchanged),
        Attack("train --out name too long", "5", lambda f: ["train", *QUICK_RUN, "--out", str(f / ("n" * 250))],
               says="too long", before_training=True),
        Attack("train --out missing-folder/", "5", lambda f: ["train", *QUICK_RUN, "--out", f"{f}/new-folder/"],
               says="folder", before_training=True, check=nothing_named("new-folder")),
        Attack("train --out existing folder", "5",
               lambda f: (f / "existing").mkdir() or ["train", *QUICK_RUN, "--out", str(f / "existing")],
               says="folder", before_training=True),
        Attack("train --out /proc/x.pt", "5", lambda f: ["train", *QUICK_RUN, "--out", "/proc/x.pt"],
               says="/proc", before_training=True),
        Attack("train --out under a file", "5",
               lambda f: (f / "file").write_text("x") and ["train", *QUICK_RUN, "--out", str(f / "file" / "m.pt")],
               says="folder", before_training=True),
        Attack("train onto a full disk keeps the model", "3", full_disk, codes=(0, 1, 2),
               check=full_disk_kept_the_model),
        Attack("train cleans stale temporary files", "7", stale_temporary, codes=(0,), check=stale_removed),
        # Data and caches (11, 15, 18)
        Attack("MNIST 3 GiB gzip bomb", "15",
               with_data(lambda d: craft.idx_gzip_bomb(d / "train-images-idx3-ubyte.gz", 2051, 60_000, 3 * GIB)),
               says="more bytes", memory_baseline="evaluate good checkpoint (baseline)"),
        Attack("MNIST FIFO data file", "15", with_data(lambda d: replace_with_fifo(d / "t10k-labels-idx1-ubyte.gz")),
               says="not a regular file"),
        Attack("MNIST truncated gzip", "-",
               with_data(lambda d: cut(d / "t10k-labels-idx1-ubyte.gz")), says="unreadable"),
        Attack("MNIST relabelled, same size, date restored", "18", relabelled_after_a_verdict, says="corrupt",
               before_training=True),
        Attack("deeply nested cache file", "11", write_cache("[" * 100_000 + "]" * 100_000), codes=(0,)),
        Attack("garbage cache file", "11", write_cache("\x00 not json"), codes=(0,)),
        Attack("cache of the wrong shape", "11", write_cache('{"a": [1], "b": {"c": null}}'), codes=(0,)),
    ]


def craft_bytes(folder: Path, content: bytes) -> Path:
    (folder / "bytes.pt").write_bytes(content)
    return folder / "bytes.pt"


def loop_link(folder: Path) -> Path:
    (folder / "model.pt").symlink_to(folder / "model.pt")
    return folder / "model.pt"


def dangling(folder: Path) -> Path:
    (folder / "dangling.pt").symlink_to(folder / "nowhere" / "x.pt")
    return folder / "dangling.pt"


def huge_file(folder: Path) -> Path:
    path = folder / "huge.pt"
    with path.open("wb") as stream:
        stream.write(b"PK\x03\x04")
        stream.truncate(2 * 10**9)  # sparse: no disk used
    return path


def huge_weights(folder: Path) -> Path:
    weights = {name: tensor.clone() for name, tensor in craft.good_payload()["model_state"].items()}
    for tensor in weights.values():
        if tensor.is_floating_point():
            tensor.fill_(3e38)
    return checkpoint(folder, model_state=weights)


def replace_with_fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def cut(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def parallel_default_runs(base: Path) -> tuple[bool, str]:
    """Three ``train`` commands with the default output, started together: three distinct checkpoints."""
    folder = base / "parallel"
    folder.mkdir()
    environment = os.environ | {
        "MNIST_STUDIO_RUNS": str(folder / "runs"),
        "MNIST_STUDIO_CACHE": str(folder / "cache"),
        "PYTHONPATH": str(ROOT),
    }
    processes = [
        subprocess.Popen([sys.executable, "-m", "mnist_studio", "train", *QUICK_RUN, "--json"], cwd=folder,
                         env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    results = [process.communicate(timeout=TIMEOUT_SECONDS) for process in processes]
    if any(process.returncode != 0 for process in processes):
        return False, "a run failed: " + " | ".join(err.strip()[-200:] for _, err in results)
    reported = {json.loads(out.strip().splitlines()[-1])["checkpoint"] for out, _ in results}
    files = [path for path in (folder / "runs").glob("*.pt") if path.stat().st_size > 0]
    if len(reported) != 3 or len(files) != 3:
        return False, f"{len(reported)} distinct paths reported, {len(files)} checkpoints written"
    return True, ""


REFUSAL_COST = """
import json, resource, sys, time
from mnist_studio.core.checkpoints import CheckpointError, load_checkpoint
from mnist_studio.core.data import DatasetError, load_mnist

def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

load_checkpoint(sys.argv[1])  # a good file first: imports and allocator warmed, its peak the baseline
good = peak_mb()
for kind, path in zip(sys.argv[2::2], sys.argv[3::2]):
    started = time.perf_counter()
    try:
        load_checkpoint(path) if kind == "checkpoint" else load_mnist(__import__("pathlib").Path(path))
        verdict = "LOADED"
    except (CheckpointError, DatasetError) as error:
        verdict = "refused"
    print(json.dumps([path.rsplit("/", 1)[-1], verdict, time.perf_counter() - started, peak_mb() - good]))
"""


def refusal_costs(base: Path) -> list[str]:
    """Time and extra peak memory of refusing each bomb in one process, after loading a good MLP checkpoint."""
    folder = base / "refusal-cost"
    folder.mkdir()
    good = craft.save_raw(folder / "good-mlp.pt", craft.good_payload("mlp"))
    data = mnist_copy(folder)
    craft.idx_gzip_bomb(data / "train-images-idx3-ubyte.gz", 2051, 60_000, 3 * GIB)
    hostile = [
        ("checkpoint", craft.deflate_bomb(folder / "deflate-bomb-4GiB.pt", 4 * GIB)),
        ("checkpoint", craft.many_pickles(folder / "many-pickles.pt", 8, 60 * 2**20)),
        ("checkpoint", huge_file(folder)),
        ("data", data),
    ]
    result = subprocess.run(
        [sys.executable, "-c", REFUSAL_COST, str(good), *[str(item) for pair in hostile for item in pair]],
        capture_output=True, text=True, timeout=TIMEOUT_SECONDS, env=os.environ | {"PYTHONPATH": str(ROOT)},
    )
    lines = []
    for line in result.stdout.splitlines():
        name, verdict, seconds, extra = json.loads(line)
        within = verdict == "refused" and extra < MEMORY_ALLOWANCE_MB
        lines.append(f"{'ok  ' if within else 'FAIL'} {name:<28} {verdict:<8} {seconds:6.3f} s  {extra:+7.1f} MB")
    return lines or [f"FAIL the measurement did not run: {result.stderr.strip()[-300:]}"]


def judge(attack: Attack, outcome: Outcome, folder: Path, baselines: dict[str, Outcome]) -> str:
    """"" when the attack was handled cleanly, else what went wrong."""
    if outcome.timed_out:
        return f"hung (killed after {TIMEOUT_SECONDS} s)"
    text = outcome.stdout + outcome.stderr
    if "Traceback" in text:
        return "printed a traceback"
    if "unexpected error" in text:
        return "said 'unexpected error': " + outcome.stderr.strip().splitlines()[0][:160]
    if outcome.returncode not in attack.codes:
        return f"exit code {outcome.returncode}, expected {attack.codes}: {outcome.stderr.strip()[-200:]}"
    if outcome.returncode == 2 and len(outcome.stderr.strip().splitlines()) > 3:
        return f"a {len(outcome.stderr.strip().splitlines())}-line error"
    if attack.says and attack.says not in outcome.stderr + outcome.stdout:
        return f"the message does not say {attack.says!r}: {outcome.stderr.strip()[-200:]}"
    if attack.before_training and "epoch 1/" in outcome.stdout:
        return "trained first, refused only when saving: " + outcome.stderr.strip()[-160:]
    if attack.memory_baseline:
        baseline = baselines[attack.memory_baseline].peak_mb
        if outcome.peak_mb > baseline + MEMORY_ALLOWANCE_MB:
            return f"peak memory {outcome.peak_mb:.0f} MB, good file {baseline:.0f} MB"
    if attack.check is not None:
        return attack.check(folder, outcome)
    return ""


def main() -> int:
    """Run the attacks and print one line each, then the totals."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-k", default="", help="only attacks whose name contains this")
    parser.add_argument("--jobs", type=int, default=2, help="attacks run at once (default 2)")
    parser.add_argument("--list", action="store_true", help="list the attacks and exit")
    args = parser.parse_args()
    every = attacks()
    chosen = [attack for attack in every if args.k in attack.name]
    needed = {attack.memory_baseline for attack in chosen}
    chosen = [attack for attack in every if attack in chosen or attack.name in needed]
    if args.list:
        for attack in chosen:
            print(f"[{attack.items:>2}] {attack.name}")
        return 0
    base = Path(tempfile.mkdtemp(prefix="mnist-attacks-"))
    baselines: dict[str, Outcome] = {}
    failures: list[str] = []
    skipped = 0
    extra_attacks = 0  # attacks beyond the CLI list: parallel runs, in-process refusal costs

    def run(attack: Attack) -> tuple[Attack, Outcome | None, str, Path]:
        folder = base / attack.name.replace(" ", "-").replace("/", "_")
        folder.mkdir()
        try:
            args_ = attack.prepare(folder)
        except Skip as reason:
            return attack, None, f"skipped: {reason}", folder
        env = attack.env
        if "mnist" in [path.name for path in folder.iterdir()]:
            env = env | {"MNIST_STUDIO_DATA": str(folder / "mnist")}
        return attack, run_cli(folder, args_, env), "", folder

    try:
        first = [attack for attack in chosen if any(attack.name == other.memory_baseline for other in chosen)]
        rest = [attack for attack in chosen if attack not in first]
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            for batch in (first, rest):
                for attack, outcome, note, folder in pool.map(run, batch):
                    if outcome is None:
                        skipped += 1
                        print(f"SKIP [{attack.items:>2}] {attack.name}: {note}")
                        continue
                    baselines[attack.name] = outcome
                    problem = judge(attack, outcome, folder, baselines)
                    verdict = "ok  " if not problem else "FAIL"
                    figures = f"{outcome.seconds:5.1f} s {outcome.peak_mb:6.0f} MB"
                    line = outcome.stderr.strip().splitlines()[-1][:110] if outcome.stderr.strip() else ""
                    print(f"{verdict} [{attack.items:>2}] {attack.name:<48} {figures}  {problem or line}", flush=True)
                    if problem:
                        failures.append(attack.name)
        if not args.k or args.k in "parallel default runs":
            ok, problem = parallel_default_runs(base)
            print(f"{'ok  ' if ok else 'FAIL'} [ 2] three parallel runs with the default output  {problem}")
            extra_attacks = 1
            if not ok:
                failures.append("three parallel runs")
        if not args.k:
            print("\nRefusal cost in one process (time, peak memory over loading a good MLP checkpoint):")
            for line in refusal_costs(base):
                extra_attacks += 1  # counted with the attacks
                print("  " + line)
                if line.startswith("FAIL"):
                    failures.append(line)
    finally:
        for mount in base.glob("*/tiny"):
            subprocess.run(["umount", str(mount)], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)
    ran = len(chosen) - skipped + extra_attacks
    print(f"\n{ran} attacks: {ran - len(failures)} handled cleanly, {len(failures)} not; {skipped} skipped")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
