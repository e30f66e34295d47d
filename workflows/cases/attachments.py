"""Files attached to a case (DESIGN §12): size- and type-limited, stored outside static/ by hash,
read back only by people who may see the case.

Where files live and how large they may be come with the session (`workflows.settings`). Uploads are checked completely
(`prepare`) before the action they belong to runs, then written (`save`) in its transaction.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Attachment
from models import ProcessInstance
from models import User
from models import WorkItem
from workflows import audit
from workflows import settings as app_settings
from workflows.engine import clock
from workflows.errors import NotFound
from workflows.errors import ValidationFailed
from workflows.routing import permissions

# extension → (content type, magic prefixes that the file must start with; empty: text)
TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".doc": ("application/msword", (b"\xd0\xcf\x11\xe0",)),
    ".xls": ("application/vnd.ms-excel", (b"\xd0\xcf\x11\xe0",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", (b"PK\x03\x04",)),
    ".ofd": ("application/ofd", (b"PK\x03\x04",)),
    ".txt": ("text/plain; charset=utf-8", ()),
}
MAX_FILES = 10
FIELD = "attachments"
# Shown by the browser itself (images, PDF); Office files are shown as a PDF where a converter exists.
INLINE = {"application/pdf", "image/png", "image/jpeg"}
OFFICE = {".doc", ".xls", ".docx", ".xlsx", ".pptx"}
CONVERT_SECONDS = 60  # the longest an Office file may take to become a PDF (else: download only)


@dataclass
class Upload:
    """A file as the web layer received it."""

    filename: str
    stream: IO[bytes]


@dataclass
class Prepared:
    filename: str
    content_type: str
    content: bytes
    sha256: str


def max_bytes(session: Session) -> int:
    """The largest file accepted (the session's Settings: ORGFLOW_MAX_UPLOAD_MB)."""
    return app_settings.of(session).max_upload_bytes


def _root(session: Session) -> Path:
    """Where files live, outside static/ (the session's Settings: ORGFLOW_ATTACHMENT_DIR)."""
    return app_settings.of(session).attachment_root


def clean_name(filename: str) -> str:
    """A safe display name: no directories, no control characters, at most 200 characters."""
    name = unicodedata.normalize("NFC", filename).replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[\x00-\x1f\x7f\"<>|:*?]", "", name).strip(" .")
    return name[-200:] or "附件"


class FileTooLarge(ValidationFailed):
    """One file is over the size limit (HTTP 413); the form shows it next to the upload field."""

    code = "file_too_large"


# What an Office Open XML package of each kind must contain besides [Content_Types].xml.
OOXML_PARTS = {".docx": "word/", ".xlsx": "xl/", ".pptx": "ppt/"}


def _zip_names(content: bytes) -> list[str] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return None


def _content_matches(ext: str, content: bytes) -> bool:
    """The sniffed content agrees with the extension: its magic bytes, a real OOXML package for
    docx/xlsx/pptx, UTF-8 without NUL bytes for text."""
    magics = TYPES[ext][1]
    if not magics:
        if b"\x00" in content:
            return False
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True
    if not content.startswith(magics):
        return False
    if ext in OOXML_PARTS:
        names = _zip_names(content)
        return names is not None and "[Content_Types].xml" in names and any(
            n.startswith(OOXML_PARTS[ext]) for n in names)
    return True


def _check(upload: Upload, content: bytes, limit_bytes: int) -> str:
    name = clean_name(upload.filename)
    ext = os.path.splitext(name)[1].lower()
    if ext not in TYPES:
        allowed = "、".join(sorted(e.lstrip(".") for e in TYPES))
        raise ValidationFailed("附件类型不允许", {FIELD: [f"“{name}”的类型不允许，可上传：{allowed}"]})
    if len(content) > limit_bytes:
        limit = limit_bytes // (1024 * 1024)
        raise FileTooLarge("附件过大", {FIELD: [f"“{name}”超过 {limit} MB"]})
    if not content:
        raise ValidationFailed("附件是空文件", {FIELD: [f"“{name}”是空文件"]})
    if not _content_matches(ext, content):
        raise ValidationFailed("附件内容与类型不符", {FIELD: [f"“{name}”的内容与扩展名不符"]})
    return TYPES[ext][0]


def prepare(session: Session, uploads: list[Upload]) -> list[Prepared]:
    """Read and check every upload; raise ValidationFailed (field `attachments`) on the first bad
    one: a type not allowed, content that does not match the extension, an empty file, or
    FileTooLarge for one over the limit."""
    real = [u for u in uploads if u.filename]
    if len(real) > MAX_FILES:
        raise ValidationFailed("附件过多", {FIELD: [f"一次最多上传 {MAX_FILES} 个附件"]})
    prepared, limit_bytes = [], max_bytes(session)
    for upload in real:
        if upload.stream.seekable():
            upload.stream.seek(0)  # from the start, also when an action runs again (a lost race)
        content = upload.stream.read(limit_bytes + 1)
        content_type = _check(upload, content, limit_bytes)
        prepared.append(Prepared(clean_name(upload.filename), content_type, content,
                                 hashlib.sha256(content).hexdigest()))
    return prepared


def _write(root: Path, item: Prepared) -> str:
    key = f"{item.sha256[:2]}/{item.sha256}"
    path = root / key
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
            handle.write(item.content)
        os.replace(handle.name, path)
    return key


def save(session: Session, user: User, instance: ProcessInstance, work_item: WorkItem | None,
         prepared: list[Prepared]) -> list[Attachment]:
    """Store checked files (content-addressed, so a rolled-back action leaves only a harmless copy)."""
    rows, root = [], _root(session)
    for item in prepared:
        row = Attachment(instance_id=instance.id, work_item_id=work_item.id if work_item else None,
                         uploader_id=user.id, filename=item.filename, content_type=item.content_type,
                         size=len(item.content), sha256=item.sha256, storage_key=_write(root, item), created_at=clock.now())
        session.add(row)
        rows.append(row)
        audit.record(session, "attachment.add", actor=user, instance=instance, work_item=work_item,
                     payload={"filename": item.filename, "sha256": item.sha256, "size": len(item.content)})
    return rows


def of_instance(session: Session, instance_id: int) -> list[Attachment]:
    return list(session.scalars(select(Attachment).where(Attachment.instance_id == instance_id)
                                .order_by(Attachment.created_at, Attachment.id)))


def open_file(session: Session, user: User, attachment_id: int) -> tuple[Attachment, Path]:
    """An attachment and its file, for a user who may see its case; NotFound / NotAllowed."""
    row = session.get(Attachment, attachment_id)
    if row is None or row.instance_id is None:
        raise NotFound("附件不存在")
    instance = session.get(ProcessInstance, row.instance_id)
    assert instance is not None
    permissions.require_view(session, user, instance)
    path = _root(session) / row.storage_key
    if not path.is_file():
        raise NotFound("附件文件已丢失，请联系系统管理员")
    return row, path


# ---------------------------------------------------------------- preview

@dataclass(frozen=True)
class Preview:
    """What the browser is sent to show an attachment in place."""

    content_type: str
    path: Path
    filename: str


def office_converter() -> str | None:
    """LibreOffice's `soffice` on PATH (it turns Office files into PDF); None without it."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def preview_kind(row: Attachment) -> str:
    """How the browser can show a file: "inline" (PDF, images), "pdf" (an Office file, converted)
    or "" (download only)."""
    if row.content_type in INLINE:
        return "inline"
    if os.path.splitext(row.filename)[1].lower() in OFFICE and office_converter() is not None:
        return "pdf"
    return ""


def _converted(root: Path, row: Attachment, source: Path) -> Path | None:
    """The PDF of an Office file, converted once per content (kept next to the files by hash);
    None when the converter fails or takes longer than CONVERT_SECONDS."""
    target = root / "pdf" / f"{row.sha256}.pdf"
    converter = office_converter()
    if target.is_file() or converter is None:
        return target if target.is_file() else None
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        named = Path(work) / f"file{os.path.splitext(row.filename)[1].lower()}"
        shutil.copyfile(source, named)
        try:  # a profile of its own: a second soffice run at once would otherwise wait on the first
            subprocess.run([converter, f"-env:UserInstallation=file://{work}/profile", "--headless", "--norestore",
                            "--convert-to", "pdf", "--outdir", work, str(named)],
                           capture_output=True, timeout=CONVERT_SECONDS, check=True)
        except (OSError, subprocess.SubprocessError):
            return None
        made = named.with_suffix(".pdf")
        if not made.is_file() or not made.read_bytes().startswith(b"%PDF-"):
            return None
        os.replace(made, target)
    return target


def preview(session: Session, user: User, attachment_id: int) -> Preview | None:
    """An attachment as the browser shows it in place — the file itself for PDF and images, a PDF
    of an Office file — or None when it can only be downloaded. NotFound / NotAllowed as for
    downloading it."""
    row, path = open_file(session, user, attachment_id)
    kind = preview_kind(row)
    if kind == "inline":
        return Preview(row.content_type, path, row.filename)
    converted = _converted(_root(session), row, path) if kind == "pdf" else None
    if converted is None:
        return None
    return Preview("application/pdf", converted, f"{os.path.splitext(row.filename)[0]}.pdf")
