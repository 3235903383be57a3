"""Build the wheel and the sdist, install the wheel into a fresh virtual environment, and use it.

What a user gets from `pip install mnist_studio-*.whl` must work on its own: the MNIST files and
the shipped models inside the package, runs in the user-data folder, nothing written into
site-packages or the current folder. Run it with the development environment's Python
(`make dist-check`); it exits non-zero with the failed check named.

To stay fast it does not download PyTorch and Qt again (gigabytes): the fresh environment sees
the development environment's site-packages through a `.pth` file, placed after its own, and
the wheel is installed with `--no-deps`. The `.pth` line only adds a folder to `sys.path`, so
the editable install's own `.pth` hook there stays inactive: `mnist_studio` comes from the wheel
alone (checked below).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import textwrap
import time
import zipfile
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
ARCHITECTURES = ("mlp", "lenet5", "resnet", "gru", "vit")
MNIST_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
               "t10k-labels-idx1-ubyte.gz")  # fmt: skip
WHEEL_MEMBERS = (
    [f"mnist_studio/resources/mnist/{name}" for name in MNIST_FILES]
    + [f"mnist_studio/pretrained/{key}.pt" for key in ARCHITECTURES]
    + ["mnist_studio/resources/desktop/mnist-studio.desktop", "mnist_studio/resources/desktop/mnist-studio.svg"]
)
SDIST_MEMBERS = [f"resources/mnist/{name}" for name in MNIST_FILES] + [f"checkpoints/{key}.pt" for key in ARCHITECTURES]
TIMEOUT = 600

# Opens the app as `mnist-studio` does, offscreen, and closes its window once PyTorch has loaded.
GUI_SMOKE = textwrap.dedent(
    """
    import sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow
    from mnist_studio.app import main

    run_event_loop = QApplication.exec
    ticks_since_ready = []

    def close_when_ready(timer):
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMainWindow) and w.isVisible()]
        if windows and "torch" in sys.modules:  # the window shows first, PyTorch loads after
            ticks_since_ready.append(1)
        if len(ticks_since_ready) > 5:  # one more second for the model list
            timer.stop()
            print("window:", windows[0].windowTitle(), flush=True)
            for window in windows:
                window.close()
        elif timer.property("ticks") > 600:  # two minutes without a window and PyTorch
            timer.stop()
            print("no window opened", flush=True)
            QApplication.exit(3)
        timer.setProperty("ticks", timer.property("ticks") + 1)

    def exec_closing_the_window(app):
        timer = QTimer(app)
        timer.setProperty("ticks", 0)
        timer.timeout.connect(lambda: close_when_ready(timer))
        timer.start(200)
        return run_event_loop()

    QApplication.exec = exec_closing_the_window
    sys.exit(main([]))
    """
)

# Writes the first MNIST test image (a 7) as a PNG, read from the installed package's data.
WRITE_DIGIT = textwrap.dedent(
    """
    import gzip, sys
    from PIL import Image
    from mnist_studio.core import paths
    with gzip.open(paths.mnist_dir() / "t10k-images-idx3-ubyte.gz") as images:
        pixels = images.read(16 + 28 * 28)[16:]
    with gzip.open(paths.mnist_dir() / "t10k-labels-idx1-ubyte.gz") as labels:
        label = labels.read(9)[8]
    Image.frombytes("L", (28, 28), pixels).resize((112, 112)).save(sys.argv[1])
    print(label)
    """
)


class CheckFailed(Exception):
    """One check did not hold; the message says which and why."""


def check(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def run(command: list[str | Path], *, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT
    )
    if result.returncode != 0:
        raise CheckFailed(
            f"{' '.join(map(str, command))} exited with {result.returncode}\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
        )
    return result


def last_json(result: subprocess.CompletedProcess[str]) -> dict:
    return json.loads(result.stdout.strip().splitlines()[-1])


def build(out: Path) -> tuple[Path, Path]:
    run([sys.executable, "-m", "build", "--outdir", out, REPOSITORY], cwd=REPOSITORY)
    wheels, sdists = list(out.glob("mnist_studio-*.whl")), list(out.glob("mnist_studio-*.tar.gz"))
    check(len(wheels) == 1 and len(sdists) == 1, f"expected one wheel and one sdist in {out}")
    return wheels[0], sdists[0]


def check_wheel(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [name for name in WHEEL_MEMBERS if name not in names]
    check(not missing, f"the wheel lacks {missing}")
    strays = sorted(name for name in names if not name.startswith(("mnist_studio/", "mnist_studio-")))
    check(not strays, f"the wheel has files outside the package: {strays[:5]}")
    runs = [name for name in names if "/runs/" in name]
    check(not runs, f"the wheel carries a checkout's runs: {runs[:5]}")


def check_sdist(sdist: Path) -> None:
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    missing = [name for name in SDIST_MEMBERS if name not in names]
    check(not missing, f"the sdist lacks {missing}")
    check(not any(name.startswith("checkpoints/runs/") for name in names), "the sdist carries a checkout's runs")


def fresh_venv(folder: Path, wheel: Path) -> Path:
    """A new virtual environment with the wheel installed; returns its Python."""
    run([sys.executable, "-m", "venv", "--without-pip", folder], cwd=folder.parent)
    python = folder / "bin" / "python"
    site_packages = Path(run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             cwd=folder).stdout.strip())  # fmt: skip
    (site_packages / "zz-development-packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run([sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", "--no-index", wheel],
        cwd=folder.parent)  # fmt: skip
    return python


def snapshot(folder: Path) -> dict[str, int]:
    return {str(path.relative_to(folder)): path.stat().st_mtime_ns for path in folder.rglob("*")}


def smoke(python: Path, work: Path) -> dict[str, object]:
    """Use the installed wheel as a user would, from an empty folder; returns the figures seen."""
    bin_dir = python.parent
    cwd, data_home, images = work / "empty-folder", work / "xdg-data", work / "images"
    for folder in (cwd, images):
        folder.mkdir()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("MNIST_STUDIO_", "PYTHON"))}
    env |= {"XDG_DATA_HOME": str(data_home), "XDG_CACHE_HOME": str(work / "xdg-cache"),
            "XDG_CONFIG_HOME": str(work / "xdg-config"), "QT_QPA_PLATFORM": "offscreen"}  # fmt: skip
    studio = bin_dir / "mnist-studio"
    venv_before = snapshot(python.parents[1])
    figures: dict[str, object] = {}

    origin = run([python, "-c", "import mnist_studio; print(mnist_studio.__file__)"], cwd=cwd, env=env).stdout.strip()
    check(origin.startswith(str(python.parents[1])), f"mnist_studio was imported from {origin}, not the wheel")

    versions = run([studio, "--version"], cwd=cwd, env=env).stdout
    check(versions.startswith("mnist-studio ") and "PyTorch" in versions and "Qt" in versions, versions)

    models = last_json(run([studio, "models", "--json"], cwd=cwd, env=env))
    shipped = {model["key"]: model for model in models["models"]}
    check(sorted(shipped) == sorted(ARCHITECTURES), f"models lists {sorted(shipped)}")
    check(all(str(python.parents[1]) in model["file"] for model in shipped.values()), "shipped models outside the venv")

    evaluated = last_json(run([studio, "evaluate", "lenet5", "--json", "--device", "cpu"], cwd=cwd, env=env))
    figures["lenet5_accuracy"] = evaluated["accuracy"]
    check(evaluated["accuracy"] == shipped["lenet5"]["test_accuracy"] == 0.9936,
          f"evaluate lenet5 gave {evaluated['accuracy']}, the checkpoint records {shipped['lenet5']['test_accuracy']}")  # fmt: skip

    trained = last_json(run([studio, "train", "--arch", "mlp", "--epochs", "1", "--subset", "2000", "--threads", "1",
                             "--device", "cpu", "--json"], cwd=cwd, env=env))  # fmt: skip
    checkpoint = Path(trained["checkpoint"])
    figures["mlp_1_epoch_accuracy"] = trained["test_accuracy"]
    check(checkpoint.parent == data_home / "mnist-studio" / "runs" and checkpoint.is_file(),
          f"train wrote {checkpoint}, not a file in {data_home / 'mnist-studio' / 'runs'}")  # fmt: skip

    digit = images / "digit.png"
    label = int(run([python, "-c", WRITE_DIGIT, digit], cwd=cwd, env=env).stdout)
    predicted = last_json(run([studio, "predict", "lenet5", digit, "--json"], cwd=cwd, env=env))
    check(predicted.get("digit") == label, f"predict read {predicted}, the image shows a {label}")
    from_run = last_json(run([studio, "predict", checkpoint, digit, "--json"], cwd=cwd, env=env))
    check("digit" in from_run, f"predict with the new run gave {from_run}")

    window = run([python, "-c", GUI_SMOKE], cwd=cwd, env=env)
    check("window: MNIST Studio" in window.stdout, f"the app's window: {window.stdout}{window.stderr[-2000:]}")
    check("Traceback" not in window.stderr, window.stderr[-3000:])

    desktop = last_json(run([studio, "install-desktop", "--json"], cwd=cwd, env=env))
    check(Path(desktop["entry"]) == data_home / "applications" / "mnist-studio.desktop", f"install-desktop: {desktop}")
    validator = shutil.which("desktop-file-validate")
    if validator:
        run([validator, desktop["entry"]], cwd=cwd)
        figures["desktop_file_validate"] = "passed"

    check(not list(cwd.iterdir()), f"files appeared in the current folder: {list(cwd.iterdir())}")
    venv_after = snapshot(python.parents[1])
    changed = sorted(name for name in venv_after if venv_before.get(name) != venv_after[name])
    check(not changed, f"files written into the virtual environment: {changed[:10]}")
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (its path is printed)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="mnist-studio-dist-"))
    started = time.perf_counter()
    try:
        wheel, sdist = build(work / "dist")
        check_wheel(wheel)
        check_sdist(sdist)
        built = time.perf_counter()
        python = fresh_venv(work / "venv", wheel)
        figures = smoke(python, work)
    except (CheckFailed, subprocess.TimeoutExpired) as failure:
        print(f"dist-check FAILED: {failure}", file=sys.stderr)
        print(f"(kept {work} for a look)", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"kept {work}")
    finished = time.perf_counter()
    print(
        f"dist-check passed: wheel {wheel.name} {wheel.stat().st_size / 1e6:.1f} MB, "
        f"sdist {sdist.stat().st_size / 1e6:.1f} MB; build {built - started:.0f} s, "
        f"install and smoke {finished - built:.0f} s; {json.dumps(figures)}"
    )
    if not args.keep:
        shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
