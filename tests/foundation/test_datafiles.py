"""Data files read through the cache give exactly what tomllib gives, cold or warm."""

from __future__ import annotations

import json
import math
import tomllib
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credtrail.core.datafiles import toml_folder
from credtrail.core.errors import InputError

_TEXT = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\x7f"), max_size=12
)
_SCALAR = st.one_of(
    _TEXT,
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=-5, minutes=-30))])),
    st.times(),
)
_KEY = st.one_of(_TEXT, st.sampled_from(["$date", "$table", "$time", "$datetime", "$float"]))
_VALUE = st.recursive(
    _SCALAR,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEY, inner, max_size=4),
    max_leaves=12,
)
_DOCUMENT = st.dictionaries(_KEY, _VALUE, max_size=5)


def _toml(value: Any) -> str:
    """``value`` as a TOML inline value (the test's own small writer)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return ("-inf" if value < 0 else "inf") if math.isinf(value) else repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return "{" + ", ".join(f"{_toml(str(k))} = {_toml(v)}" for k, v in value.items()) + "}"


def _write(folder: Path, name: str, document: dict[str, Any]) -> None:
    lines = [f"{_toml(key)} = {_toml(value)}" for key, value in document.items()]
    (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def _same(a: Any, b: Any) -> bool:
    """Equal, and of the same type all the way down (a date is not a datetime)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(documents=st.lists(_DOCUMENT, min_size=1, max_size=3))
def test_cached_documents_equal_what_tomllib_parses(
    documents: list[dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A folder read cold, then warm from the cache, equals tomllib's parse, type for type."""
    folder = tmp_path_factory.mktemp("data")
    for number, document in enumerate(documents):
        _write(folder, f"{number:02}.toml", document)
    expected = [tomllib.loads(p.read_text("utf-8")) for p in sorted(folder.glob("*.toml"))]
    cold = [document for _, document in toml_folder(folder)]
    warm = [document for _, document in toml_folder(folder)]
    assert _same(cold, expected)
    assert _same(warm, expected)


def test_an_edited_file_is_read_again(tmp_path: Path) -> None:
    """Editing a file after it was cached gives the new content, not the cached one."""
    (tmp_path / "a.toml").write_text('value = "first"\n')
    assert toml_folder(tmp_path)[0][1] == {"value": "first"}
    (tmp_path / "a.toml").write_text('value = "second, longer"\n')
    (tmp_path / "b.toml").write_text("added = 1\n")
    assert [d for _, d in toml_folder(tmp_path)] == [{"value": "second, longer"}, {"added": 1}]


def test_a_corrupt_cache_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A damaged cache file is read around: the folder is parsed again."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("CREDTRAIL_CACHE_DIR", str(cache))
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.toml").write_text("day = 2024-02-29\n")
    toml_folder(data)
    (written,) = cache.iterdir()
    assert written.stat().st_mode & 0o777 == 0o600
    written.write_bytes(b'{"key": [1], "documents": [')
    assert toml_folder(data)[0][1] == {"day": date(2024, 2, 29)}


def test_caching_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``CREDTRAIL_CACHE_DIR=""`` reads the files without writing any cache."""
    monkeypatch.setenv("CREDTRAIL_CACHE_DIR", "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    (tmp_path / "a.toml").write_text("n = 1\n")
    assert toml_folder(tmp_path)[0][1] == {"n": 1}
    assert not (tmp_path / "xdg").exists()


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    """A broken data file is one clear error naming it, cached or not."""
    (tmp_path / "broken.toml").write_text("key = \n")
    with pytest.raises(InputError, match=r"broken\.toml: not valid TOML"):
        toml_folder(tmp_path)
