"""A department's files are written as a set (issue 12 item 3): all replace their targets or
none does, the reason is said in Chinese, and what a killed run left is cleared next time."""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from goaldoc import output
from goaldoc.cli import main
from goaldoc.output import OutputError, write_all

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "2024" / "taishan.yaml"
STEM = "2024年台山市人力资源和社会保障局部门整体预算绩效目标批复表"
OLD = {"a.docx": b"old docx", "a.xlsx": b"old xlsx"}
NEW = {"a.docx": b"new docx", "a.xlsx": b"new xlsx"}


def folder_state(folder: Path) -> dict[str, bytes]:
    """Every entry of the folder (temporary files included) with its bytes."""
    return {p.name: (b"<dir>" if p.is_dir() else p.read_bytes()) for p in sorted(folder.iterdir())}


def with_old_files(folder: Path) -> dict[str, bytes]:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in OLD.items():
        (folder / name).write_bytes(data)
    return folder_state(folder)


def new_files(folder: Path) -> dict[Path, bytes]:
    return {folder / name: data for name, data in NEW.items()}


def messages(exc: pytest.ExceptionInfo[OutputError]) -> list[str]:
    return [p.format() for p in exc.value.problems]


def test_the_set_replaces_the_old_files_and_leaves_no_temporary_file(tmp_path):
    with_old_files(tmp_path)
    assert write_all(new_files(tmp_path)) == [tmp_path / "a.docx", tmp_path / "a.xlsx"]
    assert folder_state(tmp_path) == NEW
    assert stat.S_IMODE((tmp_path / "a.docx").stat().st_mode) == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _replace_failing_for(monkeypatch, name: str, exc: OSError) -> list[tuple[str, str]]:
    """os.replace raising ``exc`` whenever the target is ``name`` (as Windows does for a
    file open in Excel); the replacements made are recorded."""
    calls: list[tuple[str, str]] = []
    real = os.replace

    def replace(src, dst):  # type: ignore[no-untyped-def]
        if Path(dst).name == name:
            raise exc
        calls.append((Path(src).name, Path(dst).name))
        return real(src, dst)

    monkeypatch.setattr(output.os, "replace", replace)
    return calls


@pytest.mark.parametrize("locked", ["a.docx", "a.xlsx"])
def test_a_locked_file_replaces_nothing(tmp_path, monkeypatch, locked):
    before = with_old_files(tmp_path)
    calls = _replace_failing_for(monkeypatch, locked, PermissionError(errno.EACCES, "Permission denied"))
    with pytest.raises(OutputError) as exc:
        write_all(new_files(tmp_path))
    assert messages(exc) == [f"{tmp_path / locked} 错误 E901：文件正被其他程序打开：请关闭 Excel/WPS 后重试"]
    assert folder_state(tmp_path) == before  # the old .docx is back, no temporary file left
    if locked == "a.xlsx":  # the .docx had been replaced, and was put back
        assert [dst for _src, dst in calls] == ["a.docx", "a.docx"]


def test_a_locked_second_file_removes_the_new_first_one(tmp_path, monkeypatch):
    _replace_failing_for(monkeypatch, "a.xlsx", PermissionError(errno.EACCES, "Permission denied"))
    with pytest.raises(OutputError):
        write_all(new_files(tmp_path / "新"))
    assert folder_state(tmp_path / "新") == {}


def test_a_read_only_output_is_refused_and_stays_read_only(tmp_path):
    with_old_files(tmp_path)
    (tmp_path / "a.xlsx").chmod(0o444)
    before = folder_state(tmp_path)
    with pytest.raises(OutputError) as exc:
        write_all(new_files(tmp_path))
    assert messages(exc) == [
        f"{tmp_path / 'a.xlsx'} 错误 E904：已有的这个文件是只读的，goaldoc 不会擅自改动它：请在文件属性里去掉“只读”后重试，"
        "或把它移走，或换一个输出文件夹（-o）"
    ]
    assert folder_state(tmp_path) == before
    assert stat.S_IMODE((tmp_path / "a.xlsx").stat().st_mode) == 0o444


def test_a_folder_where_a_file_goes_is_refused(tmp_path):
    with_old_files(tmp_path)
    (tmp_path / "a.xlsx").unlink()
    (tmp_path / "a.xlsx").mkdir()
    before = folder_state(tmp_path)
    with pytest.raises(OutputError) as exc:
        write_all(new_files(tmp_path))
    assert messages(exc) == [
        f"{tmp_path / 'a.xlsx'} 错误 E905：这里有一个同名的文件夹，新文件放不进去：请把这个文件夹改名或移走，或换一个输出文件夹（-o）"
    ]
    assert folder_state(tmp_path) == before


def test_an_output_folder_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "送财政局").write_bytes(b"x")
    with pytest.raises(OutputError) as exc:
        write_all(new_files(tmp_path / "送财政局"))
    assert messages(exc) == [
        f"{tmp_path / '送财政局'} 错误 E905：这里已有一个同名的文件，不能用作输出文件夹：请换一个输出文件夹（-o）"
    ]


@pytest.mark.parametrize("where", ["write", "fsync"])
def test_a_full_disk_replaces_nothing(tmp_path, monkeypatch, where):
    """ENOSPC while the second file is written (or, with delayed allocation, at fsync)."""
    before = with_old_files(tmp_path)
    real = getattr(os, where)
    seen: list[int] = []

    def full(fd, *args):  # type: ignore[no-untyped-def]
        if fd not in seen:
            seen.append(fd)
        if len(seen) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd, *args)

    monkeypatch.setattr(output.os, where, full)
    with pytest.raises(OutputError) as exc:
        write_all(new_files(tmp_path))
    monkeypatch.undo()
    assert messages(exc) == [
        f"{tmp_path / 'a.xlsx'} 错误 E902：磁盘已满：{tmp_path} 所在的磁盘没有空间了：请腾出空间后重试，或换一个输出文件夹（-o）"
    ]
    assert folder_state(tmp_path) == before


def test_no_write_permission_replaces_nothing(tmp_path, monkeypatch):
    # as root a read-only folder is writable all the same: refuse as the OS does for others
    before = with_old_files(tmp_path)

    def denied(*args, **kw):  # type: ignore[no-untyped-def]
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(output.tempfile, "mkstemp", denied)
    with pytest.raises(OutputError) as exc:
        write_all(new_files(tmp_path))
    assert messages(exc) == [
        f"{tmp_path / 'a.docx'} 错误 E903：没有写入权限：不能在文件夹 {tmp_path} 里写文件：请换一个输出文件夹（-o），或请管理员开放权限"
    ]
    assert folder_state(tmp_path) == before


# ---------------------------------------------------------------- what killed runs leave


def test_temporary_files_of_a_killed_run_are_removed_by_the_next_run(tmp_path):
    """A child process killed (SIGKILL) while it replaces the files: its temporary files
    stay, the old outputs are whole; the next run removes the leftovers."""
    before = with_old_files(tmp_path)
    child = textwrap.dedent(
        f"""
        import os, signal
        from pathlib import Path
        from goaldoc import output
        output.os.replace = lambda src, dst: os.kill(os.getpid(), signal.SIGKILL)
        folder = Path({str(tmp_path)!r})
        output.write_all({{folder / "a.docx": b"new docx", folder / "a.xlsx": b"new xlsx"}})
        """
    )
    res = subprocess.run([sys.executable, "-c", child], capture_output=True)
    assert res.returncode == -9, res.stderr
    left = {name for name in folder_state(tmp_path)} - set(OLD)
    assert len(left) == 4 and all(n.startswith(".goaldoc-") and n.endswith(".tmp") for n in left)
    assert {k: v for k, v in folder_state(tmp_path).items() if k in OLD} == before

    write_all(new_files(tmp_path))
    assert folder_state(tmp_path) == NEW


def test_only_abandoned_temporary_files_are_removed(tmp_path):
    legacy = ".2024年测试局.docx.abcd_123.tmp"  # what goaldoc wrote before issue 12
    for name in (".goaldoc-dead.tmp", legacy, "笔记.tmp", ".goaldoc-notes.txt"):
        (tmp_path / name).write_bytes(b"x")
    live = tmp_path / ".goaldoc-live.tmp"  # held by a goaldoc that is still writing
    live.write_bytes(b"x")
    with open(live, "rb") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        write_all(new_files(tmp_path))
    assert sorted(folder_state(tmp_path)) == [".goaldoc-live.tmp", ".goaldoc-notes.txt", "a.docx", "a.xlsx", "笔记.tmp"]


# ---------------------------------------------------------------- through the command line


def test_render_says_which_file_is_locked_and_writes_nothing(tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["render", str(SAMPLE), "-o", str(out)]).exit_code == 0
    before = folder_state(out)
    _replace_failing_for(monkeypatch, f"{STEM}.xlsx", PermissionError(errno.EACCES, "Permission denied"))
    res = CliRunner().invoke(main, ["render", str(SAMPLE), "-o", str(out)])
    assert res.exit_code == 1
    assert res.stderr.splitlines()[-2:] == [
        f"{out / (STEM + '.xlsx')} 错误 E901：文件正被其他程序打开：请关闭 Excel/WPS 后重试",
        f"{SAMPLE}：有 1 处问题，未生成任何文件。",
    ]
    assert "Traceback" not in res.output
    assert folder_state(out) == before


def test_runs_writing_into_the_same_folder_at_once_never_take_each_others_files(tmp_path):
    """Each run removes only what no running goaldoc holds: concurrent runs all succeed,
    and leave nothing behind. (Before the retries in _backup, one run in three of these
    failed: link() gives ENOENT when the other run replaces the file at that moment.)"""
    child = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from goaldoc.output import write_all
        folder = Path({str(tmp_path)!r})
        for i in range(150):
            data = (sys.argv[1] * 1000).encode()
            write_all({{folder / "a.docx": data, folder / "a.xlsx": data}})
        """
    )
    runs = [subprocess.Popen([sys.executable, "-c", child, str(n)], stderr=subprocess.PIPE) for n in range(3)]
    errors = [run.communicate()[1].decode() for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], errors
    state = folder_state(tmp_path)
    assert sorted(state) == ["a.docx", "a.xlsx"]
    assert {len(data) for data in state.values()} == {1000}


def test_a_link_planted_where_an_output_goes_never_writes_through_it(tmp_path, monkeypatch):
    """out/a.docx -> a file elsewhere: the link is replaced, what it points at is untouched;
    and when the set fails, the link is put back as it was."""
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"not yours")
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.docx").symlink_to(victim)
    calls = _replace_failing_for(monkeypatch, "a.xlsx", PermissionError(errno.EACCES, "Permission denied"))
    with pytest.raises(OutputError):
        write_all(new_files(out))
    assert os.readlink(out / "a.docx") == str(victim) and sorted(p.name for p in out.iterdir()) == ["a.docx"]
    assert [dst for _src, dst in calls] == ["a.docx", "a.docx"]  # replaced, then put back
    monkeypatch.undo()
    write_all(new_files(out))
    assert not (out / "a.docx").is_symlink() and folder_state(out) == NEW
    assert victim.read_bytes() == b"not yours"
