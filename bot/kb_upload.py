"""Knowledge files as moderators send them: the export zip, and uploads read safely.

An upload is a single YAML file or a zip of them. A single file replaces the file of the same
name: the one existing file with that name anywhere in the folder, else `entries/<name>` when
it holds a list of entries, else the top-level file. Zips keep their paths (a common top folder
such as `knowledge/` is dropped). Nothing here writes into the knowledge folder except
`write_files`, which replaces each file atomically (temp file + os.replace).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

import yaml

from bot.knowledge import load_snapshot
from bot.model import Snapshot
from bot.storage_types import KbVersion

MAX_FILES = 200
MAX_BYTES = 10_000_000  # uncompressed, all files together: a zip bomb stops here
SUFFIXES = (".yaml", ".yml")
_SAFE_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_COPY_MARK = re.compile(r"\s*\(\d+\)(?=\.ya?ml$)")

NEW, OLD, GONE = "new:", "old:", "del:"  # key prefixes of a stored version's files
Files = dict[str, str | None]
"""Relative path → new text, or None to delete the file."""


class UploadError(Exception):
    """The upload cannot be read at all (not YAML, unsafe path, too large)."""


def export_zip(folder: Path) -> bytes:
    """Every *.yaml file under `folder`, by relative path, zipped in memory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*.yaml")):
            archive.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


def upload_problem(name: str, size: int) -> str:
    """Why a file cannot be an upload, judged by its name and size alone ("" when it can)."""
    if not name.lower().endswith((*SUFFIXES, ".zip")):
        return f"{name}: send a .yaml file or a .zip of them"
    return f"{name}: larger than {MAX_BYTES // 1_000_000} MB" if size > MAX_BYTES else ""


def read_upload(name: str, content: bytes, folder: Path) -> dict[str, str]:
    """Relative path → text for an uploaded .yaml/.yml or .zip; raises UploadError."""
    problem = upload_problem(name, len(content))
    if problem:
        raise UploadError(problem)
    lower = name.lower()
    if lower.endswith(".zip"):
        return _from_zip(content, folder)
    text = _text(name, content)
    return {target_for(_safe_name(name), text, folder): text}


def target_for(name: str, text: str, folder: Path) -> str:
    """Where a single uploaded file goes (see the module docstring)."""
    name = name.removesuffix(".yml") + ".yaml" if name.endswith(".yml") else name
    existing = [p.relative_to(folder).as_posix() for p in folder.rglob(name)]
    if len(existing) == 1:
        return existing[0]
    return f"entries/{name}" if _looks_like_entries(text) else name


def _looks_like_entries(text: str) -> bool:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return False
    return (
        isinstance(data, list)
        and bool(data)
        and all(isinstance(item, dict) and "questions" in item for item in data)
    )


def _from_zip(content: bytes, folder: Path) -> dict[str, str]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile as error:
        raise UploadError(f"not a zip file: {error}") from error
    with archive:
        infos = [i for i in archive.infolist() if _wanted(i)]
        if not infos:
            raise UploadError("the zip holds no .yaml files")
        if len(infos) > MAX_FILES or sum(i.file_size for i in infos) > MAX_BYTES:
            raise UploadError(f"zip too large: at most {MAX_FILES} files and 10 MB")
        names = _without_top_folder([i.filename for i in infos], folder)
        return {
            _safe_path(rel): _text(rel, archive.read(info))
            for rel, info in zip(names, infos, strict=True)
        }


def _wanted(info: zipfile.ZipInfo) -> bool:
    parts = PurePosixPath(info.filename).parts
    hidden = any(p.startswith((".", "__MACOSX")) and p not in (".", "..") for p in parts)
    return not info.is_dir() and not hidden and info.filename.lower().endswith(SUFFIXES)


def _without_top_folder(names: list[str], folder: Path) -> list[str]:
    """Drop one leading folder all names share when the knowledge folder has no such folder."""
    firsts = {PurePosixPath(n).parts[0] for n in names}
    nested = all(len(PurePosixPath(n).parts) > 1 for n in names)
    if len(firsts) == 1 and nested and not (folder / next(iter(firsts))).is_dir():
        return [PurePosixPath(*PurePosixPath(n).parts[1:]).as_posix() for n in names]
    return names


def _safe_name(name: str) -> str:
    base = PurePosixPath(name.replace("\\", "/")).name
    base = _COPY_MARK.sub("", base)  # "signs (1).yaml", as a second download is often named
    if not _SAFE_PART.match(base):
        raise UploadError(f"{name}: use a file name of letters, digits, '-', '_' and '.'")
    return base


def _safe_path(relative: str) -> str:
    """A relative path inside the folder: no '..', no absolute paths, plain names only."""
    parts = PurePosixPath(relative.replace("\\", "/")).parts
    if not parts or any(not _SAFE_PART.match(p) for p in parts):
        raise UploadError(f"{relative}: unsafe path in the zip")
    path = "/".join(parts)
    return path.removesuffix(".yml") + ".yaml" if path.endswith(".yml") else path


def _text(name: str, content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UploadError(f"{name}: not UTF-8 text ({error.reason})") from error


def current_texts(folder: Path, relatives: list[str]) -> dict[str, str | None]:
    """What each path holds now (None: no such file)."""
    return {rel: _read(folder / rel) for rel in relatives}


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


def write_files(folder: Path, files: Mapping[str, str | None]) -> None:
    """Write (or delete, for None) each file; every write is atomic on its own."""
    for relative, text in files.items():
        path = folder / relative
        if text is None:
            path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise


@dataclass(frozen=True, slots=True)
class Summary:
    """What a change did, in counts: stored with each version and shown by /versions."""

    files: int = 0
    entries_added: int = 0
    entries_removed: int = 0
    entries_changed: int = 0
    services_added: int = 0
    services_removed: int = 0
    services_changed: int = 0

    def __str__(self) -> str:
        return (
            f"{self.files} file(s); entries +{self.entries_added} -{self.entries_removed}"
            f" ~{self.entries_changed}; services +{self.services_added}"
            f" -{self.services_removed} ~{self.services_changed}"
        )


def summarize(old: Snapshot, new: Snapshot, files: int) -> Summary:
    """Entries and services added, removed and changed (line moves alone are no change)."""
    entries = _diff(
        {e.id: replace(e, file="", line=0) for e in old.entries},
        {e.id: replace(e, file="", line=0) for e in new.entries},
    )
    services = _diff(
        {k: replace(s, line=0) for k, s in old.services.items()},
        {k: replace(s, line=0) for k, s in new.services.items()},
    )
    return Summary(files, *entries, *services)


def _diff(old: Mapping[str, object], new: Mapping[str, object]) -> tuple[int, int, int]:
    added = len(new.keys() - old.keys())
    removed = len(old.keys() - new.keys())
    changed = sum(1 for key in new.keys() & old.keys() if new[key] != old[key])
    return added, removed, changed


# -- versions -----------------------------------------------------------------------------


def candidate(folder: Path, files: Mapping[str, str | None]) -> Snapshot:
    """Load a copy of `folder` with `files` in place; raises KnowledgeError."""
    with tempfile.TemporaryDirectory(prefix="helpdesk-kb-") as temp:
        copy = Path(temp) / "knowledge"
        shutil.copytree(folder, copy)
        write_files(copy, files)
        return load_snapshot(copy)


def version_files(
    changed: Mapping[str, str | None], before: Mapping[str, str | None]
) -> dict[str, str]:
    """What a version stores: new content (or a deletion mark) and the content it replaced."""
    stored: dict[str, str] = {}
    for rel, text in changed.items():
        stored[f"{GONE}{rel}" if text is None else f"{NEW}{rel}"] = text or ""
        previous = before.get(rel)
        if previous is not None:
            stored[f"{OLD}{rel}"] = previous
    return stored


def restore_plan(later: Sequence[KbVersion]) -> Files:
    """Undo `later` (oldest first): each touched file gets its content from before the first."""
    plan: Files = {}
    for version in later:
        for key in version.files or {}:
            for prefix in (NEW, GONE):
                if key.startswith(prefix):
                    rel = key.removeprefix(prefix)
                    plan.setdefault(rel, (version.files or {}).get(f"{OLD}{rel}"))
    return plan
