"""Where shipped files are found and user files go: package first, checkout second, user folders for runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from mnist_studio.core import paths


def fake_checkout(root: Path, *, with_package_data: bool) -> Path:
    """A repository layout: mnist_studio/ (the package), resources/, checkpoints/, pyproject.toml."""
    package = root / "mnist_studio"
    for folder in (package, root / "resources" / "mnist", root / "checkpoints" / "runs"):
        folder.mkdir(parents=True)
    (root / "pyproject.toml").write_text("[project]\n")
    if with_package_data:  # what an installed wheel has
        (package / "resources" / "mnist").mkdir(parents=True)
        (package / "pretrained").mkdir()
    return package


@pytest.fixture
def layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    def use(*, with_package_data: bool) -> Path:
        package = fake_checkout(tmp_path / "repo", with_package_data=with_package_data)
        monkeypatch.setattr(paths, "PACKAGE_DIR", package)
        monkeypatch.setattr(paths, "_CHECKOUT_DIR", package.parent)
        return package

    for variable in ("MNIST_STUDIO_DATA", "MNIST_STUDIO_PRETRAINED"):
        monkeypatch.delenv(variable, raising=False)
    return use


def test_an_installed_package_uses_its_own_data_even_inside_a_checkout(layout) -> None:
    package = layout(with_package_data=True)
    assert paths.mnist_dir() == package / "resources" / "mnist"
    assert paths.pretrained_dir() == package / "pretrained"
    assert paths.icon_file() == package / "resources" / "desktop" / "mnist-studio.svg"


def test_a_source_checkout_uses_the_repository_folders(layout) -> None:
    package = layout(with_package_data=False)
    assert paths.mnist_dir() == package.parent / "resources" / "mnist"
    assert paths.pretrained_dir() == package.parent / "checkpoints"


def test_without_a_checkout_the_package_folder_is_named_so_errors_point_there(layout) -> None:
    package = layout(with_package_data=False)
    (package.parent / "pyproject.toml").unlink()  # e.g. site-packages: no repository around the package
    assert paths.mnist_dir() == package / "resources" / "mnist"


def test_this_checkout_finds_the_real_shipped_files() -> None:
    assert (paths.mnist_dir() / "t10k-images-idx3-ubyte.gz").is_file()
    assert (paths.pretrained_dir() / "lenet5.pt").is_file()
    assert paths.icon_file().is_file() and paths.desktop_entry_template().is_file()


def test_environment_variables_override_every_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for variable, function in (
        ("MNIST_STUDIO_DATA", paths.mnist_dir),
        ("MNIST_STUDIO_PRETRAINED", paths.pretrained_dir),
        ("MNIST_STUDIO_RUNS", paths.runs_dir),
        ("MNIST_STUDIO_CACHE", paths.cache_dir),
    ):
        monkeypatch.setenv(variable, str(tmp_path / variable))
        assert function() == tmp_path / variable


def test_runs_and_cache_default_to_the_user_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MNIST_STUDIO_RUNS")
    monkeypatch.delenv("MNIST_STUDIO_CACHE")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert paths.runs_dir() == tmp_path / "data" / "mnist-studio" / "runs"
    assert paths.cache_dir() == tmp_path / "cache" / "mnist-studio"
    assert paths.user_data_home() == tmp_path / "data"


def test_runs_in_a_checkouts_old_runs_folder_are_still_listed(layout, tmp_path: Path, monkeypatch) -> None:
    package = layout(with_package_data=False)
    monkeypatch.delenv("MNIST_STUDIO_RUNS")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    legacy = package.parent / "checkpoints" / "runs"
    assert paths.legacy_runs_dirs() == [legacy]
    assert paths.run_folders() == [tmp_path / "data" / "mnist-studio" / "runs", legacy]


def test_a_runs_folder_named_by_the_environment_is_the_only_one(layout, monkeypatch) -> None:
    layout(with_package_data=False)  # has checkpoints/runs/, and MNIST_STUDIO_RUNS is set by conftest
    assert paths.legacy_runs_dirs() == []
    assert paths.run_folders() == [paths.runs_dir()]


def test_an_installed_package_has_no_old_runs_folder(layout, monkeypatch) -> None:
    layout(with_package_data=True)
    monkeypatch.delenv("MNIST_STUDIO_RUNS")
    assert paths.legacy_runs_dirs() == []
