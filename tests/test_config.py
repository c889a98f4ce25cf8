import re

import pytest

from geoapp import config
from geoapp.errors import ConfigError


def test_defaults_need_no_environment():
    s = config.load_settings({})
    assert s["TILES"] == "none"
    assert config.database_url(s).startswith("sqlite:///")
    assert config.database_url(s).endswith("geoapp.sqlite")


def test_environment_overrides_and_parses():
    s = config.load_settings({"GEOAPP_PORT": "8080", "GEOAPP_DATABASE_URL": "sqlite:////tmp/x.db"})
    assert s["PORT"] == 8080
    assert config.database_url(s) == "sqlite:////tmp/x.db"


def test_malformed_value_names_the_variable():
    with pytest.raises(ConfigError, match="GEOAPP_PORT"):
        config.load_settings({"GEOAPP_PORT": "eighty"})


def test_misspelt_setting_is_refused_not_ignored():
    with pytest.raises(ConfigError, match="GEOAPP_DATABSE_URL"):
        config.load_settings({"GEOAPP_DATABSE_URL": "sqlite:///x"})


def test_secret_key_is_generated_once_and_kept(tmp_path):
    s = config.load_settings({"GEOAPP_INSTANCE_PATH": str(tmp_path)})
    first = config.secret_key(s)
    assert len(first) >= 32 and config.secret_key(s) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_readme_configuration_table_matches_the_settings():
    readme = (config.PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert config.settings_table_markdown() in readme, "regenerate with `geoapp config table`"
    documented = set(re.findall(r"`(GEOAPP_[A-Z0-9_]+)`", readme))
    assert {s.env for s in config.SETTINGS} <= documented
