"""Regenerate helpchat/wordlists/{en,nl}.txt, the 2,048 words pickup codes are made of.

Run once by a maintainer, not at run time (the lists are committed), in a throwaway venv:
    python -m venv /tmp/wl && /tmp/wl/bin/pip install mnemonic==0.21 wordfreq==3.1.1
    apt-get install wdutch          # OpenTaal's Dutch word list, /usr/share/dict/dutch
    /tmp/wl/bin/python scripts/make_wordlists.py

en: the BIP-0039 English list as shipped by the `mnemonic` package (Trezor, MIT): 2,048 common
    words, chosen so that the first four letters identify each one.
nl: no well-kept 2,048-word Dutch list exists on PyPI or npm, so it is derived: the most
    frequent Dutch words in `wordfreq` (rspeer, MIT/CC-BY-SA data) that OpenTaal's spelling
    list also holds in lower case (so no names), 4-8 plain letters, no word on BLOCKED, and no
    word whose first five letters repeat another's (so a word can be recognised when misspelt).
"""

from __future__ import annotations

from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "helpchat" / "wordlists"
SIZE = 2048
# Words a young person in distress should not be handed as their code, and crude ones.
BLOCKED = frozenset("""
dood doden dode doodt sterf sterft sterven gestorven moord moorden vermoord zelfmoord
mes messen pistool geweer wapen wapens bloed bloeden graf begraven lijk lijken kist
kanker ziek ziekte pijn slaan sloeg geslagen schop schoppen verkracht misbruik
seks sexy neuken kut lul pik tieten hoer hoeren homo flikker kanker tering klote
shit fuck bitch drugs coke wiet joint dronken bier wodka gokken casino
nazi hitler oorlog bom bommen terrorist gevangenis politie arrest dief dieven
dik dikke lelijk stom stomme dom domme gek gekke idioot mongool debiel sukkel
haat hater haten huilen huil angst bang eng enge
geil geile kont naakt maagd zwanger seksuele geslacht misdaad gedood ontvoerd kogels explosie
bedreigd verbrand racisme gevangen ellende paniek tranen woede verdacht straf schuld verwoest
diefstal vermist gevecht vechten vijand aanval lijden stierf overleed wenen dader doelwit
islam joden joodse moslims christus bijbel religie black white zwarte russen polen chinees
alcohol drank wijn roken
adam hans henry jack juan kees marc mark mary nick peter piet robert smith thomas frank
airport back blue boys business center check city cool costa date dating deal design
download event free game games green grand happy high home house http https info king lady
league live make master miss more music name party play race review rock show single site
sites software story support take time tour update world workshop tweets facebook blog
""".split())  # noqa: SIM905 - a word list reads better as text


def english() -> list[str]:
    from mnemonic import Mnemonic  # type: ignore[import-not-found]

    words = list(Mnemonic("english").wordlist)
    if not len(words) == SIZE == len(set(words)):
        raise SystemExit("the BIP-0039 list changed")
    return words


def dutch() -> list[str]:
    from wordfreq import top_n_list  # type: ignore[import-not-found]

    spelled = {w for w in Path("/usr/share/dict/dutch").read_text().split() if w.islower()}
    chosen: list[str] = []
    prefixes: set[str] = set()
    for word in top_n_list("nl", 100_000):
        if not (word.isascii() and word.isalpha() and 4 <= len(word) <= 8):
            continue
        if word not in spelled or word in BLOCKED or word[:5] in prefixes:
            continue
        chosen.append(word)
        prefixes.add(word[:5])
        if len(chosen) == SIZE:
            return sorted(chosen)
    raise SystemExit("not enough Dutch words")


if __name__ == "__main__":
    OUT.mkdir(exist_ok=True)
    for lang, words in (("en", english()), ("nl", dutch())):
        (OUT / f"{lang}.txt").write_text("\n".join(words) + "\n", encoding="utf-8")
        print(lang, len(words))
