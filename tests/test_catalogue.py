"""Catalogue validation: every kind of mistake stops loading with a message naming the place."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from cm_advisor.catalogue import CatalogueError, load_catalogue
from cm_advisor.web.app import create_app
from helpers.settings import DEFAULTS, HermeticSettings

Mutation = Callable[[dict[str, Any]], None]


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text())
    return data


def _write(tmp_path: Path, models: dict[str, Any] | str, questionnaire: dict[str, Any] | str):
    m, q = tmp_path / "models.yaml", tmp_path / "questionnaire.yaml"
    m.write_text(models if isinstance(models, str) else yaml.safe_dump(models))
    q.write_text(questionnaire if isinstance(questionnaire, str) else yaml.safe_dump(questionnaire))
    return m, q


def test_the_shipped_catalogue_is_valid() -> None:
    catalogue = load_catalogue(DEFAULTS.catalogue_path, DEFAULTS.questionnaire_path)
    assert catalogue.model_ids == (
        "brokerage",
        "clinical",
        "strengths_based",
        "intensive",
        "collaborative",
    )
    assert len(catalogue.content_hash) == 64
    for model in catalogue.models:
        assert 2 <= len(model.evidence) <= 10
        assert model.evidence_strength is not None and model.next_steps is not None


def _set(path: list[Any], value: Any) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        node = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return mutate


def _delete(path: list[Any]) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        node = data
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    return mutate


MODEL_MISTAKES: list[tuple[str, Mutation, list[str]]] = [
    (
        "unknown model in a rule",
        _set(["rules", "acuity", "low", "wizard"], {"fit": 1, "why": "x"}),
        ["rules → acuity → low", "unknown model 'wizard'"],
    ),
    (
        "unknown option in a rule",
        _set(["rules", "acuity", "extreme"], {}),
        ["rules → acuity → extreme", "unknown option", "very_high"],
    ),
    (
        "unknown question in a rule",
        _set(["rules", "weather"], {}),
        ["rules → weather", "unknown question"],
    ),
    (
        "missing rule for a model",
        _delete(["rules", "budget", "flexible", "clinical"]),
        ["rules → budget → flexible", "no rule for model clinical"],
    ),
    (
        "missing field in a model",
        _delete(["models", 1, "evidence"]),
        ["model 'clinical' → evidence", "Field required"],
    ),
    (
        "missing field in a reference",
        _delete(["models", 3, "evidence", 0, "finding"]),
        ["model 'intensive' → evidence 'dieterich_2017' → finding", "Field required"],
    ),
    (
        "fit out of range",
        _set(["rules", "acuity", "low", "brokerage", "fit"], 5),
        ["rules → acuity → low → brokerage → fit", "less than or equal to 2"],
    ),
    (
        "caseload upside down",
        _set(["models", 0, "intensity", "caseload", "low"], 500),
        ["model 'brokerage' → intensity → caseload", "above high"],
    ),
    (
        "red flag for an unknown model",
        _set(["red_flags", 0, "model"], "wizard"),
        ["red_flags", "unknown model 'wizard'"],
    ),
    (
        "red flag with an unknown option",
        _set(["red_flags", 0, "when"], [{"budget": ["gold"]}]),
        ["red_flags", "unknown option 'gold'"],
    ),
    (
        "unexpected field",
        _set(["models", 2, "colour"], "blue"),
        ["model 'strengths_based' → colour", "Extra inputs are not permitted"],
    ),
    ("missing version", _delete(["version"]), ["version", "Field required"]),
]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [pytest.param(m, e, id=name) for name, m, e in MODEL_MISTAKES],
)
def test_model_file_mistakes_name_file_place_and_field(
    tmp_path: Path, mutate: Mutation, expected: list[str]
) -> None:
    models = _load(DEFAULTS.catalogue_path)
    mutate(models)
    m, q = _write(tmp_path, models, _load(DEFAULTS.questionnaire_path))
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(m, q)
    message = str(caught.value)
    assert str(m) in message
    for part in expected:
        assert part in message


QUESTIONNAIRE_MISTAKES: list[tuple[str, Mutation, list[str]]] = [
    (
        "question without a label",
        _delete(["questions", 0, "label"]),
        ["question 'acuity' → label", "Field required"],
    ),
    (
        "duplicate option",
        _set(["questions", 0, "options", 1, "id"], "low"),
        ["duplicate id low"],
    ),
    (
        "unknown section",
        _set(["questions", 0, "section"], "nowhere"),
        ["unknown section 'nowhere'"],
    ),
]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [pytest.param(m, e, id=name) for name, m, e in QUESTIONNAIRE_MISTAKES],
)
def test_questionnaire_mistakes_name_file_and_place(
    tmp_path: Path, mutate: Mutation, expected: list[str]
) -> None:
    questionnaire = _load(DEFAULTS.questionnaire_path)
    mutate(questionnaire)
    m, q = _write(tmp_path, _load(DEFAULTS.catalogue_path), questionnaire)
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(m, q)
    assert str(q) in str(caught.value)
    for part in expected:
        assert part in str(caught.value)


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    m, q = _write(
        tmp_path, "version: '1'\nmodels: [\n  - id: x\n", _load(DEFAULTS.questionnaire_path)
    )
    with pytest.raises(CatalogueError, match=r"models\.yaml: line \d+, column \d+: not valid YAML"):
        load_catalogue(m, q)


def test_a_list_at_the_top_is_refused(tmp_path: Path) -> None:
    m, q = _write(tmp_path, "- just\n- a list\n", _load(DEFAULTS.questionnaire_path))
    with pytest.raises(CatalogueError, match="expected a mapping"):
        load_catalogue(m, q)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match=r"nope\.yaml: cannot read"):
        load_catalogue(tmp_path / "nope.yaml", DEFAULTS.questionnaire_path)


def test_the_app_refuses_to_start_on_a_bad_catalogue(tmp_path: Path) -> None:
    models = _load(DEFAULTS.catalogue_path)
    _delete(["models", 1, "evidence"])(models)
    m, q = _write(tmp_path, models, _load(DEFAULTS.questionnaire_path))
    with pytest.raises(CatalogueError, match="model 'clinical' → evidence"):
        create_app(HermeticSettings(catalogue_path=m, questionnaire_path=q, data_dir=tmp_path))


def test_the_content_hash_follows_the_files(tmp_path: Path) -> None:
    models = _load(DEFAULTS.catalogue_path)
    m, q = _write(tmp_path, models, _load(DEFAULTS.questionnaire_path))
    before = load_catalogue(m, q).content_hash
    models["models"][0]["summary"] = "Edited by an organization."
    m, q = _write(tmp_path, models, _load(DEFAULTS.questionnaire_path))
    assert load_catalogue(m, q).content_hash != before
