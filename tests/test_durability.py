"""A power cut right after kb-ingest moves the pointer must leave a readable index.

kb-ingest runs under strace, which records every write, fsync, create and rename it makes
(native code included: Chroma's SQLite and HNSW files). Replaying that record up to the
rename of CURRENT tells which files still had unsynced data and which folder entries were
not yet durable at that moment; the test then does to the real files what a power cut may
do (empties the first, removes the second) and asks the index a question.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import ROOT, cli_env, strace_or_skip

from app.core.engine import Assistant
from ingest.store import POINTER, LocalIndex
from ingest.sync import sync

pytestmark = pytest.mark.slow

TRACED = (
    "openat,creat,write,pwrite64,writev,pwritev,pwritev2,ftruncate,fallocate,"
    "fsync,fdatasync,rename,renameat,renameat2,mkdir,mkdirat,unlink,unlinkat,rmdir,mmap"
)
CALL = re.compile(r"^(?P<name>\w+)\((?P<args>.*)\)\s+= (?P<result>-?\d+)(?P<rest>.*)$")
FD = re.compile(r"^(\d+)<(?P<path>[^>]*)>")
STRINGS = re.compile(r'"((?:[^"\\]|\\.)*)"')
WRITES = {"write", "pwrite64", "writev", "pwritev", "pwritev2", "ftruncate", "fallocate"}


@dataclass
class DiskState:
    """What is durable, replaying the trace: unsynced file data and folder entries."""

    dirty_files: set[str] = field(default_factory=set)
    dirty_folders: set[str] = field(default_factory=set)
    created_in: dict[str, set[str]] = field(default_factory=dict)  # folder -> new names

    def created(self, path: str) -> None:
        folder = os.path.dirname(path)
        self.dirty_folders.add(folder)
        self.created_in.setdefault(folder, set()).add(path)

    def removed(self, path: str) -> None:
        self.dirty_files.discard(path)
        self.created_in.get(os.path.dirname(path), set()).discard(path)

    def synced(self, path: str) -> None:
        if path in self.created_in or os.path.isdir(path):
            self.dirty_folders.discard(path)
            self.created_in.pop(path, None)
        self.dirty_files.discard(path)

    def lost_entries(self) -> set[str]:
        return {p for folder in self.dirty_folders for p in self.created_in.get(folder, ())}


def _calls(log: Path):
    """(name, args, result) of each completed call, joining `<unfinished ...>` halves."""
    pending: dict[str, str] = {}
    for raw in log.read_text(errors="replace").splitlines():
        pid, _, line = raw.partition(" ")
        if line.endswith("<unfinished ...>"):
            pending[pid] = line.removesuffix("<unfinished ...>").rstrip()
            continue
        resumed = re.match(r"<\.\.\. \w+ resumed>(.*)$", line)
        if resumed:
            line = pending.pop(pid, "") + resumed.group(1)
        match = CALL.match(line.strip())
        if match:
            yield match["name"], match["args"], int(match["result"]), match["rest"]


def state_at_publish(log: Path, root: Path) -> DiskState:
    """Replay the trace up to the rename that publishes a generation."""
    state = DiskState()
    pointer = str(root / POINTER)
    for name, args, result, rest in _calls(log):
        if result < 0:
            continue
        fd = FD.match(args)
        strings = [s.encode().decode("unicode_escape") for s in STRINGS.findall(args)]
        if name in ("openat", "creat"):
            opened = FD.match(f"{result}{rest.strip()}")
            if opened and "O_CREAT" in args:
                state.created(opened["path"])
            if opened and ("O_TRUNC" in args or name == "creat"):
                state.dirty_files.add(opened["path"])
        elif name in WRITES and fd:
            state.dirty_files.add(fd["path"])
        elif name == "mmap" and "MAP_SHARED" in args and "PROT_WRITE" in args:
            mapped = re.search(r"(\d+)<(?P<path>[^>]*)>", args)
            if mapped:
                state.dirty_files.add(mapped["path"])
        elif name in ("fsync", "fdatasync") and fd:
            state.synced(fd["path"])
        elif name in ("mkdir", "mkdirat") and strings:
            state.created(_absolute(args, strings[-1]))
        elif name in ("unlink", "unlinkat", "rmdir") and strings:
            path = _absolute(args, strings[-1])
            state.removed(path)
            state.dirty_folders.add(os.path.dirname(path))
        elif name.startswith("rename") and len(strings) >= 2:
            source, target = strings[0], strings[-1]
            source, target = _absolute(args, source), _absolute(args, target)
            moved_dirty = source in state.dirty_files
            state.removed(source)
            state.dirty_folders.add(os.path.dirname(source))
            state.created(target)
            if moved_dirty:
                state.dirty_files.add(target)
            if target == pointer:
                return state
    raise AssertionError("the trace holds no rename of the pointer: nothing was published")


def _absolute(args: str, path: str) -> str:
    if os.path.isabs(path):
        return path
    base = FD.match(args.split("AT_FDCWD", 1)[-1].lstrip())
    return os.path.join(base["path"], path) if base else os.path.abspath(path)


def power_cut(state: DiskState, generation: Path) -> list[str]:
    """Do to the generation's files what losing the page cache may do; list what was hit."""
    inside = str(generation)
    lost = sorted(p for p in state.lost_entries() if p.startswith(inside) and os.path.lexists(p))
    emptied = sorted(
        p for p in state.dirty_files if p.startswith(inside + "/") and os.path.isfile(p)
    )
    hit = [f"emptied {os.path.relpath(p, inside)}" for p in emptied]
    hit += [f"lost {os.path.relpath(p, inside)}" for p in lost]
    for path in emptied:
        os.truncate(path, 0)
    for path in sorted(lost, key=len):
        if os.path.isdir(path):
            shutil.rmtree(path)
        elif os.path.lexists(path):
            os.unlink(path)
    return hit


def test_a_power_cut_after_publishing_leaves_a_readable_index(
    settings, embedder, kb: Path, tmp_path: Path
) -> None:
    strace = strace_or_skip()
    sync(settings, embedder=embedder)  # the previous generation, durable
    path = kb / "practice" / "testing.md"
    path.write_text(path.read_text() + "\n## Seeds\n\nFix the random seed in every test.\n")
    log = tmp_path / "ingest.strace"
    result = subprocess.run(
        [strace, "-f", "-qq", "-y", "-s", "4096", "-e", f"trace={TRACED}", "-o", str(log),
         sys.executable, "-m", "ingest"],
        env=cli_env(settings), cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    index = LocalIndex(settings.index_dir.resolve())
    state = state_at_publish(log, index.root)
    generation = index.root / index.current_name()
    assert (generation / "chunks.jsonl").is_file()

    hit = power_cut(state, generation)

    assert hit == [], f"not durable when the pointer moved: {hit}"
    loaded = index.load(vectors=True)  # the new generation, whole
    assert any("Fix the random seed" in c.text for c in loaded.chunks)
    answer = Assistant(settings, embedder).ask("Should tests fix the random seed?")
    assert any("random seed" in c.chunk.text for c in answer.citations)


def test_the_replay_sees_unsynced_writes(tmp_path: Path) -> None:
    """The replay itself, on a trace as strace prints it: a write after the last fsync,
    and a file created in a folder that was never synced, are both caught."""
    root = tmp_path / "index"
    g = root / "g1"
    log = tmp_path / "sample.strace"
    log.write_text(
        "\n".join(
            [
                f'1 mkdir("{g}", 0777) = 0',
                f'1 openat(AT_FDCWD</x>, "{g}/a", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 4<{g}/a>',
                f'1 write(4<{g}/a>, "x", 1) = 1',
                f"1 fsync(4<{g}/a>) = 0",
                f'2 write(4<{g}/a>, "y", 1 <unfinished ...>',
                f'1 openat(AT_FDCWD</x>, "{g}/b", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 5<{g}/b>',
                "2 <... write resumed>) = 1",
                f"1 fsync(5<{g}/b>) = 0",
                f'1 rename("{root}/.CURRENT.tmp", "{root}/CURRENT") = 0',
            ]
        )
    )
    state = state_at_publish(log, root)
    assert state.dirty_files == {f"{g}/a"}
    assert state.lost_entries() == {f"{g}/a", f"{g}/b", f"{root}/CURRENT"} | {str(g)}
