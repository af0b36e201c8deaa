"""The sheet's font: DejaVu Sans (shipped with matplotlib), cut down once to the scripts a
Dutch report needs and renamed "Rapport Sans" (the Bitstream Vera licence asks that a
changed font carry another name).

Why: matplotlib embeds a subset of every font a PDF uses, and subsetting the full DejaVu
(with its large GSUB/GPOS tables) took about 0.4 s per font style per PDF here, most of a
sheet's build time. Subsetting the small copy costs a few milliseconds. Characters outside
the copy (an emoji in a remark) fall back to the full DejaVu Sans."""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from pathlib import Path

import matplotlib
from matplotlib import font_manager

FAMILY = "Rapport Sans"
STYLES = {"Regular": "DejaVuSans.ttf", "Bold": "DejaVuSans-Bold.ttf",
          "Oblique": "DejaVuSans-Oblique.ttf"}
UNICODES = [*range(0x20, 0x7F), *range(0xA0, 0x250), *range(0x2010, 0x2050), 0x20AC,
            0x2122, 0x2190, 0x2192, 0x2212, 0x2022, 0x25B2, 0x25BC, 0x25CF, 0x2713]
_lock = threading.Lock()
_ready: list[str] = []
# matplotlib's settings are process-wide and rc_context() restores all of them on exit, so
# two threads drawing at once (a web server) could undo each other's: draw one at a time.
drawing = threading.RLock()


def _cache_dir() -> Path:
    key = hashlib.sha256(f"{matplotlib.__version__}:{UNICODES}".encode()).hexdigest()[:12]
    base = os.environ.get("SURVEY_FONT_CACHE") or tempfile.gettempdir()
    return Path(base) / f"survey-fonts-{key}"


def _make(source: Path, target: Path, style: str) -> None:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(source)
    options = subset.Options()
    options.layout_features = ["kern"]   # no ligatures: extracted text stays plain
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=UNICODES)
    subsetter.subset(font)
    names = {1: FAMILY, 16: FAMILY, 4: f"{FAMILY} {style}",
             6: f"RapportSans-{style}", 3: f"RapportSans-{style}"}
    for record in font["name"].names:
        if record.nameID in names:
            record.string = names[record.nameID]
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}")
    font.save(tmp)
    os.replace(tmp, target)


def family() -> list[str]:
    """The font family list for rcParams: Rapport Sans, falling back to DejaVu Sans."""
    with _lock:
        if not _ready:
            folder = _cache_dir()
            folder.mkdir(parents=True, exist_ok=True)
            source = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
            for style, name in STYLES.items():
                target = folder / f"RapportSans-{style}.ttf"
                if not target.exists():
                    _make(source / name, target, style)
                font_manager.fontManager.addfont(str(target))
            _ready.append(FAMILY)
    return [FAMILY, "DejaVu Sans"]


def path(style: str) -> str:
    """The file of one style of Rapport Sans (after family() has made it)."""
    return str(_cache_dir() / f"RapportSans-{style}.ttf")
