"""Avatars for customers' posts: a coloured disc with the customer's initial, served by the bridge.

Slack fetches `icon_url` itself, so the image must be public; it carries nothing but a letter and a
colour, never the customer's name. Built once per letter and colour, then served from memory.
"""

import hashlib
import io
import string
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont
from starlette.requests import Request
from starlette.responses import Response

COLOURS = ("1f6feb", "8250df", "bf3989", "cf222e", "bc4c00", "4d2d00", "1a7f37", "0a3069")
LETTERS = set(string.ascii_uppercase) | {"_"}
PATH = "/slack/avatars/{name}.png"


@lru_cache(maxsize=4096)
def avatar_url(public_url: str, customer_name: str, chat_id: str) -> str:
    """Cached: every post of a busy chat asks again."""
    first = next((c for c in customer_name.upper() if c in LETTERS and c != "_"), "_")
    colour = int(hashlib.sha256(chat_id.encode()).hexdigest(), 16) % len(COLOURS)
    return f"{public_url.rstrip('/')}/slack/avatars/{first}{colour}.png"


@lru_cache(maxsize=len(LETTERS) * len(COLOURS))
def _png(letter: str, colour: int) -> bytes:
    size = 128
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((0, 0, size - 1, size - 1), fill="#" + COLOURS[colour])
    if letter != "_":
        font = ImageFont.load_default(size=72)
        draw.text((size / 2, size / 2), letter, fill="white", font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


async def avatar(request: Request) -> Response:
    name = request.path_params["name"]
    # ASCII digits only: "²".isdigit() is true, and int("²") raises.
    if len(name) != 2 or name[0] not in LETTERS or name[1] not in "0123456789" or int(name[1]) >= len(COLOURS):
        return Response(status_code=404)
    return Response(_png(name[0], int(name[1])), media_type="image/png",
                    headers={"Cache-Control": "public, max-age=86400"})
