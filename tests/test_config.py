"""Where the app finds its shipped folders: inside an installed wheel, or in a checkout."""

from pathlib import Path

from cm_advisor.config import Settings, locate

CHECKOUT = Path(__file__).resolve().parents[1]


def test_an_installed_wheel_reads_its_folders_from_the_package(tmp_path: Path) -> None:
    package = tmp_path / "venv" / "lib" / "site-packages" / "cm_advisor"
    (package / "data").mkdir(parents=True)
    shipped, data_dir = locate(package, tmp_path / "venv")
    assert shipped == package
    assert data_dir == tmp_path / "venv" / "var" / "cm-advisor"


def test_a_checkout_reads_its_top_level_folders(tmp_path: Path) -> None:
    package = tmp_path / "src" / "cm_advisor"
    package.mkdir(parents=True)
    (tmp_path / "data").mkdir()
    assert locate(package, tmp_path / "venv") == (tmp_path, tmp_path / "var")


def test_this_checkout_serves_its_own_files() -> None:
    defaults = {name: field.default for name, field in Settings.model_fields.items()}
    assert defaults["catalogue_path"] == CHECKOUT / "data" / "models.yaml"
    assert defaults["questionnaire_path"] == CHECKOUT / "data" / "questionnaire.yaml"
    assert defaults["templates_dir"] == CHECKOUT / "templates"
    assert defaults["static_dir"] == CHECKOUT / "static"
    assert defaults["data_dir"] == CHECKOUT / "var"
