"""Every command through build.py, as HR runs it: exit status 0 (fine), 1 (problems), 2 (wrong usage)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.helpers import PROJECT, TODAY, english, run_cli, run_in_process

BROKEN = "---\ntitle: 后端工程师\ncategory: tehc\nheadcount: 两名\n---\n正文\n"


def test_check_clean_site(make_site):
    site = make_site()
    result = site.run("check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "检查通过：1 个岗位，2 个类别"
    assert not site.out.exists()  # check writes nothing


def test_check_reports_every_problem_and_exits_1(make_site):
    site = make_site({"content/positions/backend-engineer.md": BROKEN})
    result = site.run("check")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    # both mistakes at once, in file order: the category, then the headcount
    assert lines[0].startswith("content/positions/backend-engineer.md:3:11: 错误: 未知的岗位类别 'tehc'")
    assert lines[1].startswith("content/positions/backend-engineer.md:4:12: 错误: 'headcount' 必须是正整数")
    assert lines[-1] == "2 个错误，0 个警告，涉及 1 个文件"
    assert result.stdout == ""
    assert not site.out.exists()


def test_build_clean_site(make_site):
    site = make_site()
    result = site.run("build")
    assert result.returncode == 0, result.stderr
    assert "检查通过：1 个岗位，2 个类别" in result.stdout
    assert "已生成" in result.stdout
    assert (site.out / "positions/backend-engineer/index.html").is_file()


def test_build_is_the_default_command(make_site):
    site = make_site()
    result = run_in_process("--site", str(site.root), "--today", TODAY.isoformat(), cwd=site.root)
    assert result.returncode == 0, result.stderr
    assert (site.out / "index.html").is_file()


@pytest.mark.parametrize("args", [("build",), ("build", "--site", "."), ("build", "--site", "./")])
def test_build_from_inside_the_site_folder_as_the_readme_says(make_site, args):
    """`python build.py build` run in the site folder (as `make site` does), --site left at ".": every
    position is found, built, and the second build finds nothing changed."""
    site = make_site()
    for _ in range(2):
        result = run_in_process(*args, "--today", TODAY.isoformat(), cwd=site.root)
        assert result.returncode == 0, result.stderr
        assert "检查通过：1 个岗位" in result.stdout
    assert (site.out / "positions/backend-engineer/index.html").is_file()


def test_failed_build_leaves_the_published_site_alone(make_site):
    site = make_site()
    site.build()
    before = (site.out / "index.html").read_bytes()
    site.position("backend-engineer.md", BROKEN)
    result = site.run("build")
    assert result.returncode == 1
    assert "生成失败，原有的" in result.stderr
    assert (site.out / "index.html").read_bytes() == before


def test_warnings_print_but_pass_unless_strict(make_site):
    site = make_site({"content/positions/backend-engineer.md":
                      "---\ntitle: 后端工程师\ncategory: tech\ncloses: 2026-11-30\n---\n正文\n"})
    for command in ("check", "build"):
        result = site.run(command)
        assert result.returncode == 0
        assert "content/positions/backend-engineer.md:4:9: 警告: 岗位将于 2026-11-30 截止（还剩 2 天）" in result.stderr
        assert "0 个错误，1 个警告，涉及 1 个文件" in result.stderr
        assert site.run(command, "--strict").returncode == 1


@pytest.mark.parametrize("args", [
    ["bogus"],
    ["build", "--no-such-option"],
    ["check", "--today", "yesterday"],
    ["new"],
    ["serve", "--port", "eighty"],
])
def test_wrong_usage_exits_2(make_site, args):
    site = make_site()
    result = run_in_process(*args, cwd=site.root)
    assert result.returncode == 2
    assert "usage:" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_process_exits_with_main_s_status(tmp_path):
    """build.py passes main()'s status to the system: 0, 1 and 2 (the rest of this file calls main() itself)."""
    version = run_cli("--version", cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("careersite ")
    assert run_cli("check", "--site", str(tmp_path), cwd=tmp_path).returncode == 1
    wrong = run_cli("bogus", cwd=tmp_path)
    assert wrong.returncode == 2 and "usage:" in wrong.stderr and "Traceback" not in wrong.stderr


@pytest.mark.parametrize("command", ["build", "check", "new", "serve"])
def test_every_command_has_help(command, tmp_path):
    result = run_in_process(command, "--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "usage: build.py " + command in result.stdout


def test_version(tmp_path):
    result = run_in_process("--version", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("careersite ")


def test_new_then_check(make_site):
    site = make_site()
    result = site.run("new", "运营专员", "--category", "ops")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("content/positions/yun-ying-zhuan-yuan.md")
    assert site.run("check").returncode == 0
    assert site.run("new", "运营专员", "--category", "ops").returncode == 1
    assert site.run("new", "运营专员", "--category", "opps").returncode == 2


def test_missing_site_toml_exits_1(tmp_path):
    result = run_in_process("check", "--site", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 1
    assert "找不到站点配置文件 site.toml" in result.stderr


@pytest.mark.parametrize("delay", [0.05, 0.12, 0.2, 0.3])
def test_ctrl_c_at_any_moment_of_start_up_prints_no_traceback(make_site, delay):
    import signal
    import time

    site = make_site()
    proc = subprocess.Popen([sys.executable, str(PROJECT / "build.py"), "build", "--site", str(site.root)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    if "init_import_site" in err:  # Python's own start-up, before any line of the project runs: not ours
        return
    assert proc.returncode in (0, 130, -signal.SIGINT), (proc.returncode, err)
    assert "Traceback" not in err, err


def test_english_summaries_say_1_error_and_1_warning(make_site):
    site = english(make_site({"content/positions/backend-engineer.md":
                              "---\ntitle: 后端工程师\ncategory: tech\ncloses: 2026-11-30\n---\n正文\n"}))
    result = site.run("check")
    assert result.stderr.splitlines() == [
        "content/positions/backend-engineer.md:4:9: warning: the position closes on 2026-11-30 (2 days left): "
        "change 'closes' to extend it",
        "0 errors, 1 warning in 1 file"]
    assert result.stdout.strip() == "OK: 1 position, 2 categories"
    assert site.run("check", "--strict").stderr.splitlines()[-2:] == [
        "0 errors, 1 warning in 1 file", "1 warning: --strict treats warnings as failures"]
    site.position("backend-engineer.md", "---\ntitle: 后端工程师\ncategory: tech\nheadcount: 两名\n---\n正文\n")
    assert site.run("check").stderr.splitlines()[-1] == "1 error, 0 warnings in 1 file"


def test_english_plural_forms_for_several():
    from careersite.errors import Problems
    from careersite.i18n import load_locale

    problems = Problems(messages=dict(load_locale("en")[1]))
    assert problems.text("summary_problems", errors=2, warnings=0, files=3) == "2 errors, 0 warnings in 3 files"
    assert problems.text("closes_soon", date="2026-12-01", days=1).startswith("the position closes on 2026-12-01 (1 day left)")


USAGE_ERRORS = [  # (arguments, the last line in Chinese, the last line in English)
    (["biuld"], "build.py: 错误: 没有 'biuld' 这个命令（您是不是想写 'build'？）：可用的命令有 build, check, new, serve, "
     "import, export（python build.py --help 查看说明）",
     "build.py: error: there is no command 'biuld' (did you mean 'build'?): the commands are build, check, new, serve, "
     "import, export (python build.py --help explains them)"),
    (["build", "--no-such-option"], "build.py: 错误: 不认识这些参数：--no-such-option（在命令后面加 --help 可以查看它接受的参数）",
     "build.py: error: unknown options: --no-such-option (add --help after the command to see the options it takes)"),
    (["check", "--today", "yesterday"],
     "build.py check: 错误: --today：日期要写成 YYYY-MM-DD（年-月-日），例如 2026-12-31，这里是 'yesterday'",
     "build.py check: error: --today: a date is written YYYY-MM-DD, for example 2026-12-31; got 'yesterday'"),
    (["new", "运营专员"], "build.py new: 错误: 缺少参数：--category（例如 python build.py new \"风险管理岗\" --category risk）",
     "build.py new: error: missing: --category (for example python build.py new \"Risk Analyst\" --category risk)"),
    (["serve", "--port", "eighty"],
     "build.py serve: 错误: --port：端口要写成 1 到 65535 之间的整数，例如 --port 8001，这里是 'eighty'",
     "build.py serve: error: --port: a port is a whole number from 1 to 65535, for example --port 8001; got 'eighty'"),
    (["serve", "--port", "70000"],
     "build.py serve: 错误: --port：端口要写成 1 到 65535 之间的整数，例如 --port 8001，这里是 '70000'",
     "build.py serve: error: --port: a port is a whole number from 1 to 65535, for example --port 8001; got '70000'"),
    (["serve", "--port", "²"],  # a digit to str.isdigit, not a number to int()
     "build.py serve: 错误: --port：端口要写成 1 到 65535 之间的整数，例如 --port 8001，这里是 '²'",
     "build.py serve: error: --port: a port is a whole number from 1 to 65535, for example --port 8001; got '²'"),
    (["serve", "--port"], "build.py serve: 错误: --port 后面要写一个值（例如 --port 8001、--site 网站文件夹）",
     "build.py serve: error: --port needs a value after it (for example --port 8001, --site FOLDER)"),
]


@pytest.mark.parametrize("language", ["zh-CN", "en"])
@pytest.mark.parametrize("args, zh, en", USAGE_ERRORS)
def test_usage_errors_are_in_the_sites_language(make_site, language, args, zh, en):
    site = make_site()
    if language == "en":
        english(site)
    for runner in (run_in_process(*args, "--site", str(site.root), cwd=site.root),
                   run_in_process(*args, cwd=site.root)):  # --site given, or the site folder itself
        assert runner.returncode == 2
        assert runner.stderr.splitlines()[-1] == (zh if language == "zh-CN" else en)
        assert runner.stderr.startswith("usage: build.py") and "Traceback" not in runner.stderr


def test_usage_errors_outside_a_site_are_in_chinese(tmp_path):
    result = run_in_process("chek", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1].startswith("build.py: 错误: 没有 'chek' 这个命令（您是不是想写 'check'？）")


def test_a_wrong_today_in_the_environment_is_said_in_the_sites_language(make_site, monkeypatch):
    site = english(make_site())
    monkeypatch.setenv("CAREERSITE_TODAY", "12/31")
    result = run_in_process("check", cwd=site.root)
    assert result.returncode == 2
    assert result.stderr == ("build.py: CAREERSITE_TODAY: a date is written YYYY-MM-DD, for example 2026-12-31; "
                             "got '12/31'\n")


def test_english_pages_count_in_the_singular(make_site):
    site = english(make_site())
    site.build()
    home = site.page()
    assert home.select_one(".hero-stats").get_text(strip=True) == "1 open position in 2 categories"
    assert "1 position" in [chip.get_text(strip=True) for chip in home.select(".chip-count, .group-count")]
    assert "1 positions" not in home.get_text()
