import pytest

from bot.text import fold


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Ça va?", "ca va"),
        ("Syrië", "syrie"),
        ("ＦＵＬＬ width", "full width"),
        ("ﬁnale œuvre", "finale oeuvre"),
        ("l’islam", "l islam"),
        ("heeeeelp!!!", "help"),
        ("zie https://www.caw.be nu", "zie urlx nu"),
        ("mail a@b.be", "mail emailx"),
        ("  \t\n ", ""),
        ("😢😢", ""),
    ],
)
def test_fold(raw: str, folded: str) -> None:
    assert fold(raw) == folded


def test_phone_numbers_become_one_placeholder_and_short_lines_stay() -> None:
    assert fold("bel mij op 0470 12 34 56") == "bel mij op phonex"
    assert fold("+32 2 501 04 60") == "phonex"
    assert fold("postcode 9000, of 112 en 1712") == "postcode 9000 of 112 en 1712"
