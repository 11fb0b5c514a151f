"""cm-advisor calibrate and the evidence checks of cm-advisor check, on the shipped catalogue
and on copies with deliberate mistakes."""

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from cm_advisor import calibration
from cm_advisor.catalogue import CatalogueError, load_catalogue
from cm_advisor.cli import main
from helpers.settings import DEFAULTS

DATA = DEFAULTS.catalogue_path.parent


def _copy(tmp_path: Path) -> Path:
    for name in ("models.yaml", "questionnaire.yaml", "calibration.yaml"):
        shutil.copy(DATA / name, tmp_path / name)
    return tmp_path


def _edit(path: Path, change: Any) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


def test_the_shipped_catalogue_meets_its_calibration_floor(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["calibrate", str(DEFAULTS.catalogue_path)]) == 0
    out = capsys.readouterr().out
    assert "documented programs" in out and "named \\ ranked first" in out
    assert "ok: top-1" in out


def test_the_calibration_set_is_what_the_issue_asks_for() -> None:
    programs = calibration.load(DATA / "calibration.yaml").programs
    catalogue = load_catalogue(DEFAULTS.catalogue_path, DEFAULTS.questionnaire_path)
    assert len(programs) >= 24
    for model in catalogue.model_ids:
        assert sum(p.model == model for p in programs) >= 4, model
    assert any(p.top_two for p in programs), "known combinations are part of the set"
    for p in programs:
        assert p.citation and p.answers, p.id
        assert all(a.source.strip() for a in p.answers.values()), p.id
        assert not p.top_two or p.model in p.top_two


def test_the_json_report_has_rates_per_model_and_the_confusion_matrix(
    capsys: pytest.CaptureFixture[str],
) -> None:
    main(["calibrate", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert set(report) >= {"overall", "by_model", "confusion", "outcomes", "floor"}
    total = sum(sum(row.values()) for row in report["confusion"].values())
    assert total == report["overall"]["programs"]
    hits = sum(report["confusion"][m][m] for m in report["confusion"])
    assert hits <= round(report["overall"]["top1"] * total)
    misses = [o for o in report["outcomes"] if not o["top1"]]
    assert all(o["deciding"] for o in misses)


def test_calibrate_exits_non_zero_below_the_floor(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _copy(tmp_path)

    def everything_is_icm(data: dict[str, Any]) -> None:
        for program in data["programs"]:
            program.pop("top_two", None)
            program["model"] = "intensive"

    _edit(folder / "calibration.yaml", everything_is_icm)
    assert main(["calibrate", str(folder / "models.yaml")]) == 1
    assert "BELOW THE FLOOR" in capsys.readouterr().out


def test_a_catalogue_edit_that_breaks_documented_programs_shows_in_calibration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An organization that turns clinical case management's discharge rules around sees
    the transitional-care programs drop out of first place at once."""
    folder = _copy(tmp_path)

    def no_discharge_follow_up(data: dict[str, Any]) -> None:
        for option in ("weeks",):
            data["rules"]["support_duration"][option]["clinical"]["fit"] = -2
        data["rules"]["practice_approach"]["clinical_care"]["clinical"]["fit"] = -2

    main(["calibrate", str(folder / "models.yaml"), "--json"])
    shipped = json.loads(capsys.readouterr().out)["by_model"]["clinical"]["top1"]
    _edit(folder / "models.yaml", no_discharge_follow_up)
    main(["calibrate", str(folder / "models.yaml"), "--json"])
    edited = json.loads(capsys.readouterr().out)["by_model"]["clinical"]["top1"]
    assert shipped == 1.0
    assert edited <= 0.6


def test_a_program_with_an_unknown_answer_is_named(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit(
        folder / "calibration.yaml",
        lambda d: d["programs"][0]["answers"].update(
            {"acuity": {"answer": "extreme", "source": "x"}}
        ),
    )
    catalogue = load_catalogue(folder / "models.yaml", folder / "questionnaire.yaml")
    with pytest.raises(CatalogueError, match="program 'channeling_1986_basic_case_management'"):
        calibration.evaluate(
            catalogue, calibration.load(folder / "calibration.yaml"), "calibration.yaml"
        )


def test_check_accepts_the_shipped_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 0
    assert "references" in capsys.readouterr().out


def test_check_refuses_a_strong_fit_that_rests_on_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _copy(tmp_path)

    def unreferenced(data: dict[str, Any]) -> None:
        rule = data["rules"]["acuity"]["high"]["clinical"]
        assert abs(rule["fit"]) == 2
        rule.pop("refs", None)
        rule.pop("assumption", None)

    _edit(folder / "models.yaml", unreferenced)
    assert main(["check", str(folder / "models.yaml")]) == 1
    err = capsys.readouterr().err
    assert "rules → acuity → high → clinical (fit +2)" in err


def test_check_refuses_a_red_flag_that_rests_on_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _copy(tmp_path)

    def unreferenced(data: dict[str, Any]) -> None:
        flag = data["red_flags"][1]
        flag.pop("refs", None)
        flag.pop("assumption", None)

    _edit(folder / "models.yaml", unreferenced)
    assert main(["check", str(folder / "models.yaml")]) == 1
    assert "red_flags → intensive_on_tight_budget" in capsys.readouterr().err


def test_a_reference_that_does_not_exist_stops_loading(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit(
        folder / "models.yaml",
        lambda d: d["rules"]["acuity"]["high"]["clinical"].update({"refs": ["nobody_2099"]}),
    )
    with pytest.raises(
        CatalogueError, match=r"rules → acuity → high → clinical → refs.*'nobody_2099'"
    ):
        load_catalogue(folder / "models.yaml", folder / "questionnaire.yaml")


def test_a_mild_fit_needs_no_reference(tmp_path: Path) -> None:
    """Only ±2 is a strong claim; ±1 and 0 may stand on the reason alone."""
    folder = _copy(tmp_path)
    _edit(
        folder / "models.yaml",
        lambda d: d["rules"]["acuity"]["moderate"]["brokerage"].pop("refs", None),
    )
    assert main(["check", str(folder / "models.yaml")]) == 0


def test_the_old_catalogue_snapshot_still_loads_though_it_names_no_references() -> None:
    """Results saved before 2026.12 render with their own catalogue snapshot, which has no
    references, grades or tie-break order: loading must not demand them."""
    legacy = json.loads((Path(__file__).parent / "fixtures" / "legacy_results.json").read_text())
    from cm_advisor.engine import Catalogue
    from cm_advisor.engine.audit import unsupported

    snapshot = Catalogue.model_validate_json(legacy["rows"]["catalogues"][0]["content"])
    assert snapshot.version == "2026.11.0"
    assert snapshot.tie_order == tuple(sorted(snapshot.model_ids))
    assert unsupported(snapshot)  # an old catalogue would not pass check today
