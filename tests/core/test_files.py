"""Writing user-named files: what is refused up front, what is written through, what survives a failure."""

from __future__ import annotations

import errno
import io
import os
import pickle
import socket
import stat
import sys
import threading
import time
from pathlib import Path

import pytest

from mnist_studio.core import files
from mnist_studio.core.files import (
    STALE_TEMPORARY_SECONDS,
    OutputPathError,
    OutputProblem,
    atomic_write_bytes,
    check_output_target,
    is_temporary_name,
    release_reserved_path,
    remove_stale_temporaries,
    reserve_path,
)

POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file types")


def refused(path: str | Path, reason: OutputProblem) -> OutputPathError:
    """Assert that both the up-front check and the write itself refuse ``path`` for ``reason``."""
    with pytest.raises(OutputPathError) as checked:
        check_output_target(path)
    assert checked.value.reason is reason, str(checked.value)
    with pytest.raises(OutputPathError) as written:
        atomic_write_bytes(path, b"new")
    assert written.value.reason is reason
    message = str(written.value)
    assert "\n" not in message and message.startswith(str(path).rstrip("/"))
    return written.value


@POSIX
def test_a_fifo_is_refused_at_once_and_stays_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "model.pt"
    os.mkfifo(fifo)
    error = refused(fifo, OutputProblem.NOT_REGULAR)
    assert "FIFO" in str(error) and stat.S_ISFIFO(os.lstat(fifo).st_mode)


@POSIX
def test_a_device_node_is_never_replaced(tmp_path: Path) -> None:
    refused("/dev/null", OutputProblem.NOT_REGULAR)  # refused before anything is written
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    if os.geteuid() == 0:  # a private copy of /dev/null, which a wrong write could only harm here
        node = tmp_path / "null"
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        refused(node, OutputProblem.NOT_REGULAR)
        assert stat.S_ISCHR(os.lstat(node).st_mode)


@POSIX
def test_a_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.pt"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        refused(path, OutputProblem.NOT_REGULAR)
    finally:
        server.close()


def test_a_folder_or_a_name_ending_in_a_separator_is_refused(tmp_path: Path) -> None:
    (tmp_path / "runs").mkdir()
    refused(tmp_path / "runs", OutputProblem.IS_FOLDER)
    refused(f"{tmp_path}/new-folder/", OutputProblem.IS_FOLDER)
    assert not (tmp_path / "new-folder").exists()  # nothing named like the folder was written


def test_a_symlink_is_written_through_and_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real" / "model.pt"
    real.parent.mkdir()
    real.write_bytes(b"old")
    link = tmp_path / "latest.pt"
    link.symlink_to(real)
    assert check_output_target(link) == real.resolve()
    atomic_write_bytes(link, b"new")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_bytes() == b"new"
    assert sorted(p.name for p in real.parent.iterdir()) == ["model.pt"]


def test_a_dangling_link_or_a_loop_is_refused(tmp_path: Path) -> None:
    dangling = tmp_path / "dangling.pt"
    dangling.symlink_to(tmp_path / "nowhere" / "x.pt")
    refused(dangling, OutputProblem.BROKEN_LINK)
    assert not (tmp_path / "nowhere").exists()
    loop = tmp_path / "loop.pt"
    loop.symlink_to(loop)
    refused(loop, OutputProblem.BROKEN_LINK)


def test_a_read_only_file_is_refused_even_for_root_and_left_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "keep.pt"
    path.write_bytes(b"precious")
    path.chmod(0o444)
    refused(path, OutputProblem.READ_ONLY)
    assert path.read_bytes() == b"precious" and stat.S_IMODE(path.stat().st_mode) == 0o444


def test_a_replaced_file_keeps_its_permissions_and_a_new_one_follows_the_umask(tmp_path: Path) -> None:
    private = tmp_path / "private.pt"
    private.write_bytes(b"old")
    private.chmod(0o600)
    atomic_write_bytes(private, b"new")
    assert private.read_bytes() == b"new" and stat.S_IMODE(private.stat().st_mode) == 0o600
    umask = os.umask(0o027)
    try:
        fresh = atomic_write_bytes(tmp_path / "fresh.pt", b"x")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o640


def test_a_name_too_long_with_our_temporary_suffix_is_refused_up_front(tmp_path: Path) -> None:
    limit = os.pathconf(tmp_path, "PC_NAME_MAX")
    fits = tmp_path / ("a" * (limit - len(".") - len(".") - 12 - len(".tmp")))
    assert check_output_target(fits) == fits
    error = refused(tmp_path / ("b" * (limit - 10)), OutputProblem.NAME_TOO_LONG)
    assert "too long" in str(error)
    assert list(tmp_path.iterdir()) == []  # the probe left nothing behind


def test_a_missing_folder_is_created_and_a_file_in_the_way_is_refused(tmp_path: Path) -> None:
    assert check_output_target(tmp_path / "a" / "b" / "model.pt") == tmp_path / "a" / "b" / "model.pt"
    assert (tmp_path / "a" / "b").is_dir()
    (tmp_path / "file").write_text("x")
    refused(tmp_path / "file" / "model.pt", OutputProblem.NO_FOLDER)
    with pytest.raises(OutputPathError) as raised:
        check_output_target(tmp_path / "absent" / "model.pt", create_folder=False)
    assert raised.value.reason is OutputProblem.NO_FOLDER


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_a_folder_that_takes_no_new_file_is_refused_up_front() -> None:
    # As root os.access() says /proc is writable; only creating a file there tells the truth.
    with pytest.raises(OutputPathError) as raised:
        check_output_target("/proc/x.pt")
    assert raised.value.reason is OutputProblem.FOLDER_NOT_WRITABLE
    assert str(raised.value).startswith("/proc/x.pt: cannot write into its folder")


def test_asking_for_more_space_than_there_is_says_so(tmp_path: Path) -> None:
    with pytest.raises(OutputPathError) as raised:
        check_output_target(tmp_path / "model.pt", needed_bytes=2**62)
    assert raised.value.reason is OutputProblem.NO_SPACE
    assert "no space left on the device" in str(raised.value)


class FullDisk(io.RawIOBase):
    """A file on a device that fills up after ``room`` bytes."""

    def __init__(self, room: int, error_number: int = errno.ENOSPC) -> None:
        self.room = room
        self.error_number = error_number

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:
        if len(data) > self.room:
            raise OSError(self.error_number, os.strerror(self.error_number))
        self.room -= len(data)
        return len(data)

    def fileno(self) -> int:
        raise OSError(errno.EBADF, "no descriptor")


@pytest.mark.parametrize("error_number", [errno.ENOSPC, errno.EDQUOT])
def test_a_full_disk_is_named_and_the_old_file_is_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error_number: int
) -> None:
    path = tmp_path / "model.pt"
    path.write_bytes(b"old contents")
    opened: list[Path] = []

    def open_on_full_disk(temporary: Path) -> io.BufferedWriter:
        temporary.touch()  # the real temporary file exists, as on a real disk
        opened.append(temporary)
        return io.BufferedWriter(FullDisk(100, error_number), buffer_size=16)

    monkeypatch.setattr(files, "_open_new", open_on_full_disk)
    with pytest.raises(OutputPathError) as raised:
        atomic_write_bytes(path, b"x" * 1000)
    assert raised.value.reason is OutputProblem.NO_SPACE
    assert str(raised.value) == f"{path}: no space left on the device; the file was not written"
    assert path.read_bytes() == b"old contents"
    assert opened and sorted(tmp_path.iterdir()) == [path]


def test_the_error_carries_reason_and_path_and_survives_pickling(tmp_path: Path) -> None:
    error = OutputPathError(OutputProblem.READ_ONLY, tmp_path / "x.pt")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.reason, copy.path, str(copy)) == (error.reason, error.path, str(error))
    assert isinstance(copy, OSError) and copy.errno == errno.EACCES


def make_temporary(folder: Path, name: str, age: float) -> Path:
    path = folder / name
    path.write_bytes(b"partial")
    stamp = time.time() - age
    os.utime(path, (stamp, stamp))
    return path


def test_only_our_own_stale_temporary_files_are_removed(tmp_path: Path) -> None:
    old = STALE_TEMPORARY_SECONDS + 60
    stale = make_temporary(tmp_path, ".model.pt.0123456789ab.tmp", old)
    fresh = make_temporary(tmp_path, ".model.pt.ba9876543210.tmp", 5)
    others = [
        make_temporary(tmp_path, name, old)
        for name in (".model.pt.tmp", ".model.pt.0123456789AB.tmp", "model.pt.0123456789ab.tmp", ".x.0123456789ab.tmp.bak")
    ]
    (tmp_path / ".dir.0123456789ab.tmp").mkdir()
    (tmp_path / ".link.0123456789ab.tmp").symlink_to(others[0])
    assert is_temporary_name(stale.name) and not is_temporary_name(others[0].name)
    atomic_write_bytes(tmp_path / "model.pt", b"new")  # writing into the folder cleans it
    assert not stale.exists()
    assert fresh.exists() and all(path.exists() for path in others)
    assert (tmp_path / ".dir.0123456789ab.tmp").is_dir() and (tmp_path / ".link.0123456789ab.tmp").is_symlink()
    assert remove_stale_temporaries(tmp_path) == []


def test_reserved_names_are_unique_even_when_taken_at_the_same_moment(tmp_path: Path) -> None:
    reserved: list[Path] = []
    start = threading.Barrier(8)

    def reserve() -> None:
        start.wait()
        reserved.append(reserve_path(tmp_path / "runs", "lenet5-20260102-030405", ".pt"))

    threads = [threading.Thread(target=reserve) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    names = sorted(path.name for path in reserved)
    assert len(set(names)) == 8
    assert "lenet5-20260102-030405.pt" in names and "lenet5-20260102-030405-8.pt" in names
    assert all(path.stat().st_size == 0 for path in reserved)


def test_a_reservation_is_written_over_or_given_back(tmp_path: Path) -> None:
    first = reserve_path(tmp_path, "run", ".pt")
    second = reserve_path(tmp_path, "run", ".pt")
    assert (first.name, second.name) == ("run.pt", "run-2.pt")
    atomic_write_bytes(first, b"weights")
    release_reserved_path(first)  # not empty any more: kept
    release_reserved_path(second)
    assert first.read_bytes() == b"weights" and not second.exists()
    with pytest.raises(OutputPathError) as raised:
        reserve_path("/proc", "run", ".pt")
    assert raised.value.reason is OutputProblem.FOLDER_NOT_WRITABLE
