"""HTML checked by element, with BeautifulSoup and CSS selectors, rather than by substring."""

from bs4 import BeautifulSoup, Tag


def parse(html: str) -> BeautifulSoup:
    """The page as a tree; every attribute is one string (`class` too, which selectors such
    as `.card` still match one class at a time)."""
    return BeautifulSoup(html, "html.parser", multi_valued_attributes=None)


def one(node: Tag, selector: str) -> Tag:
    """The first element matching a CSS selector; the test fails if there is none."""
    found = node.select_one(selector)
    assert found is not None, f"nothing matches {selector!r}"
    return found


def text_of(node: Tag) -> str:
    """The text content with whitespace collapsed, as a reader would see it."""
    return " ".join(node.get_text().split())


def checked(page: Tag, name: str) -> list[str]:
    """The values of the checked radios of a group ("" is "Not sure")."""
    return [str(r["value"]) for r in page.select(f"input[type=radio][name='{name}'][checked]")]


def selected(page: Tag, select_id: str) -> str:
    """The value of the one option marked selected in a select, "" if none is."""
    chosen = [str(o["value"]) for o in one(page, f"#{select_id}").select("option[selected]")]
    assert len(chosen) <= 1, f"#{select_id} has several options selected: {chosen}"
    return chosen[0] if chosen else ""


def manage_link(html: str) -> str:
    """The one-time manage link a page shows in full (empty when it shows none)."""
    found = parse(html).select_one("#manage-url")
    return found.get_text().strip() if found is not None else ""


def ranked(page: Tag, name: str) -> list[str]:
    """The ticked boxes of a ranked multi-choice question, in the order their order fields
    give (ticked boxes without a number last, as listed)."""
    boxes = page.select(f"input[type=checkbox][name='{name}'][checked]")

    def place(box: Tag) -> int:
        value = one(page, f"#{name}_order_{box['value']}").get("value", "")
        return int(str(value)) if value else 99

    return [str(b["value"]) for b in sorted(boxes, key=place)]
