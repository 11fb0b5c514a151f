"""The per-process cache of parsed stored results: one parse per token, bounded."""

from cm_advisor import engine
from cm_advisor.engine import Catalogue
from cm_advisor.storage.parsed import ParsedResults
from helpers.archetypes import ARCHETYPES


def test_a_token_is_parsed_once_and_the_parse_equals_the_stored_result(
    catalogue: Catalogue,
) -> None:
    text = engine.score(catalogue, ARCHETYPES["intensive"]).model_dump_json()
    cache = ParsedResults(size=2)
    first = cache.get("t1", text)
    assert first.model_dump_json() == text
    assert cache.get("t1", "not even JSON") is first  # the text is not read on a hit


def test_the_least_recently_used_token_goes_first_and_a_forgotten_one_is_parsed_again(
    catalogue: Catalogue,
) -> None:
    texts = {
        name: engine.score(catalogue, ARCHETYPES[name]).model_dump_json()
        for name in ("brokerage", "clinical", "intensive")
    }
    cache = ParsedResults(size=2)
    a = cache.get("a", texts["brokerage"])
    b = cache.get("b", texts["clinical"])
    assert cache.get("a", texts["brokerage"]) is a  # a is now the most recent
    cache.get("c", texts["intensive"])  # evicts b
    assert cache.get("a", texts["brokerage"]) is a
    assert cache.get("b", texts["clinical"]) is not b  # parsed again
    cache.forget("a")
    assert cache.get("a", texts["brokerage"]) is not a
