"""Reading a certificate file a clinician or provider hands in: a PDF or an image.

The file must be a regular file (a device or a pipe is refused, by the import files'
bounded reader), at most ``MAX_CERTIFICATE`` bytes, and a PDF or an image by its
leading (magic) bytes, whatever its name says.
"""

from __future__ import annotations

from pathlib import Path

from credtrail.core.errors import InputError
from credtrail.core.exchange.sources import TextSource
from credtrail.core.inputs import check_text
from credtrail.core.persistence.attachments import CertificateFile

MAX_CERTIFICATE = 20 * 1000 * 1000
"""Bytes a certificate may have (a scanned multi-page PDF is a few MB)."""

MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"%PDF-", 0, "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"WEBP", 8, "image/webp"),
    (b"II*\x00", 0, "image/tiff"),
    (b"MM\x00*", 0, "image/tiff"),
)
"""Leading bytes (at an offset) of the formats a certificate may be in."""


def media_type_of(data: bytes) -> str | None:
    """The media type the file's magic bytes announce (None: not a PDF or an image)."""
    for magic, offset, media_type in MAGIC:
        if data[offset : offset + len(magic)] == magic:
            if media_type == "image/webp" and not data.startswith(b"RIFF"):
                continue
            return media_type
    return None


def read_certificate(path: Path) -> CertificateFile:
    """Read a certificate file: a regular file (no device or pipe), at most
    ``MAX_CERTIFICATE`` bytes, a PDF or an image by its magic bytes."""
    data = TextSource(path, what="the certificate file").read_bytes(
        MAX_CERTIFICATE, what="certificate"
    )
    if not data:
        raise InputError(f"{path.name} is empty; give the certificate's PDF or image")
    media_type = media_type_of(data)
    if media_type is None:
        raise InputError(
            f"{path.name} is not a PDF or an image (PNG, JPEG, GIF, WebP, TIFF) by its "
            "content; give the certificate as the provider issued it"
        )
    try:
        filename = check_text(path.name, limit=255, what="the file name")
    except ValueError as exc:
        raise InputError(f"{exc} (rename the file)") from None
    return CertificateFile(filename=filename, media_type=media_type, data=data)
