"""Draw the application icon: a document with a red round seal marked "MC".

Run once when the design changes (`python build/make_icon.py`); the outputs are committed:
resources/icons/app.png (256 px, used for the window icon and on Linux) and
resources/icons/app.ico (16–256 px, used by the Windows executable, installer and shortcuts).
Pillow is only needed here, at design time — the app itself never imports it.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
FONT = ROOT / "resources" / "fonts" / "LiberationSans-Bold.ttf"

PAPER = (255, 255, 255, 255)
PAPER_EDGE = (38, 70, 120, 255)      # the app's navy (ui/style.py sidebar)
LINES = (150, 170, 200, 255)
SEAL = (200, 32, 38, 255)            # the red of an official seal
SCALE = 4                            # draw big, then downsample for smooth edges


def draw(size: int = 256) -> Image.Image:
    s = size * SCALE
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    u = s / 256  # design units: a 256-unit square

    # The sheet of paper with a folded corner.
    left, top, right, bottom, fold = 40 * u, 14 * u, 196 * u, 232 * u, 44 * u
    sheet = [(left, top), (right - fold, top), (right, top + fold), (right, bottom), (left, bottom)]
    d.polygon(sheet, fill=PAPER, outline=PAPER_EDGE, width=int(10 * u))
    d.polygon([(right - fold, top), (right - fold, top + fold), (right, top + fold)],
              fill=(220, 228, 240, 255), outline=PAPER_EDGE, width=int(8 * u))
    # Lines of text on the sheet.
    for i, y in enumerate((62, 88, 114)):
        d.rounded_rectangle([(64 * u, y * u), ((150 if i == 0 else 172) * u, (y + 10) * u)],
                            radius=5 * u, fill=LINES)

    # The round seal overlapping the lower right of the sheet.
    cx, cy, r = 162 * u, 170 * u, 78 * u
    d.ellipse([(cx - r, cy - r), (cx + r, cy + r)], fill=(255, 255, 255, 235), outline=SEAL, width=int(12 * u))
    inner = r - 20 * u
    d.ellipse([(cx - inner, cy - inner), (cx + inner, cy + inner)], outline=SEAL, width=int(5 * u))
    font = ImageFont.truetype(str(FONT), int(64 * u))
    d.text((cx, cy + 2 * u), "MC", font=font, fill=SEAL, anchor="mm")
    return img.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    ICONS.mkdir(parents=True, exist_ok=True)
    big = draw(256)
    big.save(ICONS / "app.png", optimize=True)
    # Small sizes are drawn separately rather than shrunk from 256 px so the seal stays crisp.
    sizes = [16, 24, 32, 48, 64, 128, 256]
    frames = [draw(n) for n in sizes]
    frames[-1].save(ICONS / "app.ico", sizes=[(n, n) for n in sizes], append_images=frames[:-1])
    print(f"wrote {ICONS / 'app.png'} and {ICONS / 'app.ico'}")


if __name__ == "__main__":
    main()
