"""A small pool of generated pictures for the demo shop: a gradient, a few soft shapes and the
category's initial. Each is rendered once, with its storefront thumbnails; every demo product
image row points at these shared files."""

import colorsys
import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from io import BytesIO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageDraw, ImageFont

from catalog.demo.text import translit
from catalog.models import THUMB_SIZES
from core.images import make_thumbnail

SIZE = 800
PRODUCT_DIR = "products/demo"
THUMB_DIR = "products/thumbs"
CATEGORY_DIR = "categories/demo"
FONT_FILES = ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf", "Arial Bold.ttf", "arialbd.ttf")


@dataclass(frozen=True)
class Picture:
    image: str
    thumb_small: str
    thumb_large: str


def product_picture(*, key: str, number: int, label: str, initial: str) -> Picture:
    """The pool picture `number` of a category, rendered on the first call only."""
    stem = f"{key}-{number}"
    picture = Picture(
        image=f"{PRODUCT_DIR}/{stem}.jpg",
        thumb_small=f"{THUMB_DIR}/{stem}-{THUMB_SIZES['small']}.webp",
        thumb_large=f"{THUMB_DIR}/{stem}-{THUMB_SIZES['large']}.webp",
    )
    if not all(default_storage.exists(name) for name in (picture.image, picture.thumb_small, picture.thumb_large)):
        rendered = _render(seed=stem, label=label, initial=initial)
        _store(picture.image, ContentFile(rendered))
        for kind, name in (("small", picture.thumb_small), ("large", picture.thumb_large)):
            # make_thumbnail closes its source, so each size reads its own copy.
            source = ContentFile(rendered, name=f"{stem}.jpg")
            _store(name, make_thumbnail(source, size=THUMB_SIZES[kind], name_suffix=str(THUMB_SIZES[kind])))
    return picture


def product_pictures(requests: list[dict]) -> list[Picture]:
    """Render many pool pictures at once: Pillow releases the GIL while it encodes."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(lambda kwargs: product_picture(**kwargs), requests))


def category_picture(*, key: str, label: str, initial: str) -> str:
    name = f"{CATEGORY_DIR}/{key}.jpg"
    if not default_storage.exists(name):
        _store(name, ContentFile(_render(seed=f"category-{key}", label=label, initial=initial)))
    return name


def _store(name: str, content: ContentFile) -> None:
    if default_storage.exists(name):
        default_storage.delete(name)
    default_storage.save(name, content)


def _render(*, seed: str, label: str, initial: str) -> bytes:
    digest = hashlib.blake2b(seed.encode(), digest_size=8).digest()
    hue = digest[0] / 255
    start, end = _colour(hue, 0.55, 0.95), _colour((hue + 0.12) % 1, 0.75, 0.65)
    # Rotated on a larger canvas and cropped, so no corner is left unpainted.
    margin = SIZE // 4
    mask = (Image.linear_gradient("L").resize((SIZE + 2 * margin,) * 2).rotate(digest[1] % 360)
            .crop((margin, margin, SIZE + margin, SIZE + margin)))
    picture = Image.composite(Image.new("RGB", (SIZE, SIZE), start), Image.new("RGB", (SIZE, SIZE), end), mask)
    draw = ImageDraw.Draw(picture, "RGBA")
    for index in range(3):
        x, y, r = digest[2 + index] * 3, digest[5 - index] * 3, 80 + digest[6 + index % 2] // 2
        box = (x - r, y - r, x + r, y + r)
        if (digest[7] + index) % 2:
            draw.ellipse(box, fill=(255, 255, 255, 55))
        else:
            draw.rounded_rectangle(box, radius=r // 3, fill=(255, 255, 255, 40))
    font, label_font = _font(420), _font(44)
    cyrillic = _draws_cyrillic(font)
    draw.text((SIZE / 2, SIZE / 2 - 30), initial if cyrillic else translit(initial).upper()[:1], font=font, anchor="mm",
              fill=(255, 255, 255, 235))
    if cyrillic:
        draw.text((SIZE / 2, SIZE - 90), label, font=label_font, anchor="mm", fill=(255, 255, 255, 220))
    buffer = BytesIO()
    picture.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def _colour(hue: float, saturation: float, value: float) -> tuple[int, int, int]:
    return tuple(int(channel * 255) for channel in colorsys.hsv_to_rgb(hue, saturation, value))


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for name in FONT_FILES:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def _draws_cyrillic(font) -> bool:
    """Pillow's built-in font has no Cyrillic: every letter comes out as the same box."""
    return bytes(font.getmask("Ж")) != bytes(font.getmask("\uffff"))
