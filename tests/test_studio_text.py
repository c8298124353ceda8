"""The app's English and Chinese tables: same keys, no empty strings, every key used."""

from __future__ import annotations

import re
from pathlib import Path

from ui.text import EN, TRANSLATIONS, ZH


def test_tables_have_the_same_keys():
    assert set(EN) == set(ZH)
    assert all(text.strip() for table in TRANSLATIONS.values() for text in table.values())
    assert {"en", "zh-CN", "zh"} <= set(TRANSLATIONS)


#: numbers the Chinese text writes in words: "about 2 times in 5" is 约五分之二
NUMBERS_IN_WORDS = {"arith.help": {"2", "5"}}


def test_the_chinese_text_keeps_every_number_of_the_english():
    """A figure changed in English but not in Chinese (a new seed, a new measurement) leaves
    the Chinese page stating the old one: every number must appear in both."""
    number = re.compile(r"\d(?:[\d,.]*\d)?")
    stale = {}
    for key, english in EN.items():
        missing = set(number.findall(english)) - set(number.findall(ZH[key]))
        missing -= NUMBERS_IN_WORDS.get(key, set())
        if missing:
            stale[key] = sorted(missing)
    assert stale == {}


def test_every_key_the_app_uses_exists():
    ui = Path(__file__).resolve().parent.parent / "ui"
    source = "\n".join(p.read_text() for p in sorted(ui.rglob("*.py")))
    used = set(re.findall(r'\bt\("([^"]+)"\)', source))
    used |= {m for m in re.findall(r'(?:label|seed_box|image_box)\(\s*"([a-z_.]+)"', source)}
    dynamic = {key for key in EN if key.split(".")[0] in ("compare", "arith", "inpaint")}
    assert used - set(EN) - {"key"} == set()  # "key": the comment that explains t()
    assert len(used | dynamic) > 60
