"""site.toml and the command line as input: every URL they give is http(s) with a host, no credentials and no
path that could become protocol-relative; [ui] texts keep to their own placeholders; every mistake is a
problem at its line (site.toml:line:1), never an internal error or a crash later in the build."""

from __future__ import annotations

import pytest

from tests.helpers import MINIMAL_TOML, MemorySite, assert_problems, build, expect, problem_lines

BASE = 'base_url = "https://jobs.example.com/"'


def with_base(value: str, key: str = "base_url") -> MemorySite:
    line = f"{key} = {value!r}".replace("'", '"')
    return MemorySite({"site.toml": MINIMAL_TOML.replace(BASE, line if key == "base_url" else BASE + "\n" + line)})


@pytest.mark.parametrize("value, msg_id", [
    ("https://jobs.example.com//evil.example/", "url_path"),  # pages would load /static/ from evil.example
    ("https://jobs.example.com//", "url_path"),
    ("javascript:alert(1)", "url_scheme"),
    ("//evil.example/", "url_scheme"),
    ("ftp://jobs.example.com/", "url_scheme"),
    ("https:///nohost/", "url_scheme"),
    ("https://user:secret@jobs.example.com/", "url_credentials"),
    ("https://jobs.example.com@evil.example/", "url_credentials"),
    ("https://jobs.example.com/?x=1", "url_path"),
    ("https://jobs.example.com/#top", "url_path"),
    ("https://jobs.example.com:99999/", "url_invalid"),
    ("https://jobs.example.com/a b/", "url_invalid"),
    ("https://jobs.example.com/" + "a" * 3000 + "/", "url_too_long"),
])
@pytest.mark.parametrize("key", ["base_url", "company_url"])
def test_a_url_in_site_toml_must_be_one_the_site_may_publish(value, msg_id, key):
    line = 3 if key == "base_url" else 4
    expected = expect("site.toml", line, 1, msg_id, key=key, value=value, limit=300)
    assert_problems(with_base(value, key).check(), [expected])


def test_a_build_with_a_url_it_may_not_publish_writes_nothing(make_site):
    site = make_site(with_base("javascript:alert(1)").files)
    assert not build(site.root).ok and not site.out.exists()


@pytest.mark.parametrize("value", ["https://example.github.io/careers/", "http://127.0.0.1:8000/", "https://招聘.example.cn/",
                                   "https://jobs.example.com"])
def test_ordinary_urls_are_accepted(value):
    assert with_base(value).check().ok


@pytest.mark.parametrize("value", ["javascript:alert(1)", "https://x//evil.example/", "https://a:b@x.example/",
                                   "https://x.example/" + "a" * 400])
def test_a_base_url_on_the_command_line_is_checked_the_same_way(make_site, value):
    site = make_site()
    result = site.run("build", "--base-url", value)
    assert result.returncode == 2 and result.stderr.startswith("build.py: --base-url: ")
    assert "Traceback" not in result.stderr and not site.out.exists()


def test_a_long_base_url_never_reaches_the_qr_code(make_site):
    """3,000 characters used to crash the QR encoder mid-build (an internal error)."""
    site = make_site(with_base("https://jobs.example.com/" + "x" * 3000 + "/").files)
    result = site.run("build")
    assert result.returncode == 1 and "site.toml:3:1:" in result.stderr and "internal error" not in result.stderr


@pytest.mark.parametrize("override, field", [
    ('category_count = "{count} 个岗位"', "{count}"),
    ('category_count = "{n} 个岗位，{category}"', "{category}"),
    ('skip_link = "跳到 {main}"', "{main}"),
    ('category_count = "共 {n 个"', "{}"),
])
def test_a_ui_override_with_a_placeholder_of_another_text_is_an_error_at_its_line(make_site, override, field):
    """Such an override passed check and then crashed the build."""
    site = make_site({"site.toml": MINIMAL_TOML + "\n[ui]\n" + override + "\n"})
    lines = problem_lines(site.check())
    assert len(lines) == 1 and lines[0].startswith("site.toml:21:1: ") and field in lines[0], lines
    result = site.run("build")
    assert result.returncode == 1 and "internal error" not in result.stderr


@pytest.mark.parametrize("override", ["apply_button = 3", "apply_button = true", 'apply_button = ["a"]',
                                      "apply_button = 2026-01-01"])
def test_a_ui_override_that_is_not_text_is_an_error_not_ignored(override):
    [line] = problem_lines(MemorySite({"site.toml": MINIMAL_TOML + "\n[ui]\n" + override + "\n"}).check())
    assert line.startswith("site.toml:21:1: ") and "ui.apply_button" in line


def test_a_ui_override_that_keeps_its_placeholders_is_used():
    site = MemorySite({"site.toml": MINIMAL_TOML + '\n[ui]\ncategory_count = "{n} 个职位"\napply_button = "投递"\n'})
    site.build()
    assert "1 个职位" in site.page().get_text() and site.page("positions/backend-engineer/").find(
        "a", class_="apply-link").get_text(strip=True) == "投递"


def test_every_site_toml_problem_is_at_a_line_never_internal():
    """A handful of mistakes at once: each at its line, all in one run."""
    toml = MINIMAL_TOML.replace(BASE, 'base_url = "javascript:x"\ncompany_url = "//evil.example/"\nper_page = "ten"')
    toml += '\n[ui]\napply_button = 1\ncategory_count = "{x}"\n'
    result = MemorySite({"site.toml": toml}).check()
    lines = problem_lines(result)
    assert [line.split(": ")[0] for line in lines] == ["site.toml:3:1", "site.toml:4:1", "site.toml:5:1",
                                                       "site.toml:23:1", "site.toml:24:1"], lines


def test_an_integer_too_long_for_int_is_a_message_not_a_traceback():
    result = MemorySite({"site.toml": "per_page = " + "1" * 5000 + "\n" + MINIMAL_TOML}).check()
    assert [line.split(": ")[0] for line in problem_lines(result)] == ["site.toml:1:1"]
