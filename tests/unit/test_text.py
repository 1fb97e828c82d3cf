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
