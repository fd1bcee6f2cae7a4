"""Thumbnails are made once, when a picture is uploaded, never while a page is served."""

from io import BytesIO
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from PIL import Image, ImageOps


def make_thumbnail(source, *, size: int, name_suffix: str) -> ContentFile:
    """Fit the picture into a size x size square on white, as WebP."""
    source.open("rb")
    try:
        with Image.open(source) as picture:
            picture = ImageOps.exif_transpose(picture).convert("RGB")
            picture.thumbnail((size, size), Image.Resampling.LANCZOS)
            canvas = Image.new("RGB", (size, size), "white")
            canvas.paste(picture, ((size - picture.width) // 2, (size - picture.height) // 2))
            buffer = BytesIO()
            canvas.save(buffer, "WEBP", quality=82, method=4)
    finally:
        source.close()
    stem = PurePosixPath(source.name).stem
    return ContentFile(buffer.getvalue(), name=f"{stem}-{name_suffix}.webp")
