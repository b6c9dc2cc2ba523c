"""Reading import files: encoding, byte-order marks, lines and progress.

Decision on encodings (documented in docs/formats.md): files must be UTF-8. A UTF-8
byte-order mark (what Excel's "CSV UTF-8" writes) is accepted and dropped; a UTF-16
or UTF-32 mark, or bytes that are not UTF-8, reject the whole file with the line
where decoding failed, because a mis-decoded name or id would silently create the
wrong clinician.

Lines are decoded one by one from a binary stream, so the error names the exact
line (a text stream decodes 8 KiB ahead) and the byte position drives the progress
bar without a second pass over the file.
"""

from __future__ import annotations

import hashlib
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from credtrail.core.errors import InputError

UTF8_BOM = b"\xef\xbb\xbf"
_FOREIGN_BOMS = (
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\xfe\xff", "UTF-16"),
    (b"\xff\xfe", "UTF-16"),
)

MAX_FILE = 4 * 1024**3
"""Bytes an import reads at most, counted as they are read (a device such as
/dev/zero has no size to check beforehand)."""

Progress = Callable[[int], None]
"""Called with the number of bytes read so far."""


class TextSource:
    """An import file opened for streaming: decoded lines with their numbers."""

    def __init__(
        self, path: Path, display: str | None = None, what: str = "an import file"
    ) -> None:
        self.path = path
        self.name = display or path.name
        try:
            info = path.stat()
        except OSError as exc:
            raise InputError(f"cannot read {path}: {exc.strerror}") from None
        if stat.S_ISDIR(info.st_mode):
            raise InputError(f"{path} is a folder; give {what}")
        if not stat.S_ISREG(info.st_mode):
            # A FIFO or device never ends (/dev/zero) or cannot be read twice.
            raise InputError(f"{path} is not a regular file (a device or pipe); give {what}")
        self.size = info.st_size
        self.position = 0
        self.line = 0
        self._hash = hashlib.blake2b(digest_size=16)

    @property
    def digest(self) -> str:
        """Hash of the bytes read by the last complete pass (detects a file edited mid-import)."""
        return self._hash.hexdigest()

    def _open(self) -> BinaryIO:
        try:
            return path_open(self.path)
        except OSError as exc:
            raise InputError(f"cannot read {self.path}: {exc.strerror}") from None

    def lines(self) -> Iterator[str]:
        """Every line, decoded, newline kept (what ``csv.reader`` wants); restartable."""
        self.position = 0
        self.line = 0
        self._hash = hashlib.blake2b(digest_size=16)
        with self._open() as stream:
            first = True
            for raw in stream:
                self.line += 1
                self.position += len(raw)
                if self.position > MAX_FILE:
                    raise InputError(
                        f"{self.name} grew past {MAX_FILE // 1024**3} GiB while being read; "
                        "nothing was imported"
                    )
                self._hash.update(raw)
                if first:
                    first = False
                    raw = self._strip_bom(raw)
                try:
                    yield raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise InputError(
                        f"{self.name} line {self.line}: not UTF-8 (byte 0x{raw[exc.start]:02x} "
                        f"at column {exc.start + 1}); save the file as UTF-8 and import it again"
                    ) from None

    def read_bytes(self, limit: int, what: str = "file") -> bytes:
        """The whole file's bytes; refuses more than ``limit`` (counted as read)."""
        with self._open() as stream:
            # Read one byte more than allowed: the size stat() gave can change.
            raw = stream.read(limit + 1)
        if len(raw) > limit:
            raise InputError(
                f"{self.name} is larger than the {limit // 1_000_000} MB a {what} may have"
            )
        self.position = len(raw)
        return raw

    def read_all(self, limit: int) -> str:
        """The whole file decoded (JSON documents); refuses files larger than ``limit``."""
        if self.size > limit:
            raise InputError(
                f"{self.name} is {self.size // 1_000_000} MB, more than the "
                f"{limit // 1_000_000} MB a single JSON document may have; "
                "split it, or write one credential per line (JSON Lines, .jsonl)"
            )
        with self._open() as stream:
            # Read one byte more than allowed: the size checked above can change.
            raw = stream.read(limit + 1)
        if len(raw) > limit:
            raise InputError(
                f"{self.name} is more than the {limit // 1_000_000} MB a single JSON document "
                "may have; split it, or write one credential per line (JSON Lines, .jsonl)"
            )
        self._hash = hashlib.blake2b(raw, digest_size=16)
        data = self._strip_bom(raw)
        self.position = self.size
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise InputError(
                f"{self.name} line {line}: not UTF-8 (byte 0x{data[exc.start]:02x}); "
                "save the file as UTF-8 and import it again"
            ) from None

    def _strip_bom(self, raw: bytes) -> bytes:
        for mark, encoding in _FOREIGN_BOMS:
            if raw.startswith(mark):
                raise InputError(
                    f"{self.name} is {encoding} (it starts with a {encoding} byte-order mark); "
                    "save it as UTF-8 (in Excel: 'CSV UTF-8') and import it again"
                )
        return raw[len(UTF8_BOM) :] if raw.startswith(UTF8_BOM) else raw


def path_open(path: Path) -> BinaryIO:
    return path.open("rb")
