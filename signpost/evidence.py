"""Evidence files for training done elsewhere: a real PDF, PNG or JPEG, 5 MB at most."""

import io
import re
import warnings

from PIL import Image
from pypdf import PdfReader

from signpost.face_to_face import FaceToFaceError

MAX_EVIDENCE_BYTES = 5 * 1024 * 1024
# Far above any scan or photo of a certificate, far below what would exhaust memory.
MAX_IMAGE_PIXELS = 40_000_000

# What the first bytes of each accepted file type are, and the names it may carry.
SIGNATURES = [
    (b"%PDF-", "application/pdf", {".pdf"}),
    (b"\x89PNG\r\n\x1a\n", "image/png", {".png"}),
    (b"\xff\xd8\xff", "image/jpeg", {".jpg", ".jpeg"}),
]
PILLOW_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG"}


class ExternalError(FaceToFaceError):
    """A completion that cannot be recorded as given; `about` names the detail at fault."""


def sniff(data: bytes) -> str | None:
    """The media type the file's first bytes claim (PDF, PNG or JPEG), else None."""
    for magic, media_type, _ in SIGNATURES:
        if data.startswith(magic):
            return media_type
    return None


def safe_filename(name: str) -> str:
    """The file's own name, without any folders or characters unsafe in a header."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[^A-Za-z0-9._ -]+", "_", base).strip(" .")
    return (base or "evidence")[-120:]


def _pdf_problem(data: bytes) -> str | None:
    """Why the bytes are not a readable, unlocked PDF with a page; None if they are."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            return "The evidence PDF is password-protected: upload a copy without a password."
        if len(reader.pages) < 1:
            return "The evidence PDF has no pages."
    except Exception:  # pypdf raises many kinds on a damaged file; any of them means refuse
        return "The evidence file starts like a PDF but cannot be read as one."
    return None


def _image_problem(data: bytes, media_type: str) -> str | None:
    """Why the bytes are not a whole image of the claimed type; None if they are."""
    expected = PILLOW_FORMATS[media_type]
    unreadable = f"The evidence file starts like a {expected} image but cannot be read as one."
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format != expected:
                    return unreadable
                if image.width * image.height > MAX_IMAGE_PIXELS:
                    return "The evidence image is too large in width and height."
                image.verify()  # checksums and structure (PNG chunks)
            # verify() leaves the image unusable and skips JPEG data: decode it all.
            with Image.open(io.BytesIO(data)) as image:
                image.load()
    except Exception:  # Pillow raises OSError, SyntaxError, ValueError... on a bad file
        return unreadable
    return None


def check_evidence(name: str, data: bytes) -> str:
    """Refuse anything but a readable PDF, PNG or JPEG up to 5 MB; returns its media type."""
    if not data:
        raise ExternalError("Choose the evidence file to upload.", "evidence")
    if len(data) > MAX_EVIDENCE_BYTES:
        raise ExternalError("The evidence file must be 5 MB or smaller.", "evidence")
    media_type = sniff(data)
    if media_type is None:
        raise ExternalError("The evidence must be a PDF, PNG or JPEG file.", "evidence")
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed = next(names for _, kind, names in SIGNATURES if kind == media_type)
    if suffix not in allowed:
        raise ExternalError(
            "The evidence file's contents do not match its name: "
            f"it is a {media_type.split('/')[1].upper()} file.",
            "evidence",
        )
    if media_type == "application/pdf":
        problem = _pdf_problem(data)
    else:
        problem = _image_problem(data, media_type)
    if problem:
        raise ExternalError(problem, "evidence")
    return media_type
