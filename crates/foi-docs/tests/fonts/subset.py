#!/usr/bin/env python3
"""Makes the test fonts: subsets of Fandol FangSong (body) and Fandol Song Bold (title).

The tests print documents with a freely licensed FangSong, so that the PDF tests run on a
machine without Chinese fonts (CI installs none). The full fonts are 5-7 MB each; the
subsets keep only the characters the templates, the code and the tests can print: every
character outside ASCII found in the given source trees, plus printable ASCII and the
characters of the older Noto subset beside this file.

Fandol ships in Debian's texlive-lang-chinese; without installing TeX:

    apt-get download texlive-lang-chinese && dpkg-deb -x texlive-lang-chinese_*.deb x
    pip install fonttools
    python3 crates/foi-docs/tests/fonts/subset.py \
        x/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol  .  [more source trees]

Licence: GPL 3 with the font exception (FANDOL-COPYING.txt, verbatim from the package).
"""
import os
import pathlib
import subprocess
import sys

from fontTools.ttLib import TTFont

HERE = pathlib.Path(__file__).resolve().parent
SOURCE_SUFFIXES = {".rs", ".html", ".md", ".csv", ".json", ".toml", ".snap", ".graphql"}


def characters(trees):
    chars = {chr(c) for c in range(0x20, 0x7F)}
    chars |= {chr(c) for c in TTFont(HERE / "NotoSerifSC-foi-tests.otf").getBestCmap()}
    for tree in trees:
        for root, dirs, files in os.walk(tree):
            dirs[:] = [d for d in dirs if d not in {"target", ".git", "node_modules"}]
            for name in files:
                if pathlib.Path(name).suffix in SOURCE_SUFFIXES:
                    text = pathlib.Path(root, name).read_text(encoding="utf-8", errors="ignore")
                    chars |= {c for c in text if ord(c) > 0x7F}
    return "".join(sorted(chars))


def main():
    fandol = pathlib.Path(sys.argv[1])
    text = characters(sys.argv[2:] or ["."])
    for source, target in [
        ("FandolFang-Regular.otf", "FandolFang-foi-tests.otf"),
        ("FandolSong-Bold.otf", "FandolSongBold-foi-tests.otf"),
    ]:
        subprocess.run(
            [
                "pyftsubset",
                str(fandol / source),
                f"--text={text}",
                f"--output-file={HERE / target}",
                "--layout-features=*",
                "--no-hinting",
                "--desubroutinize",
            ],
            check=True,
        )
        kept = len(TTFont(HERE / target).getBestCmap())
        print(f"{target}: {kept} characters, {(HERE / target).stat().st_size} bytes")


if __name__ == "__main__":
    main()
