"""Hostile inputs (issue #14): a topology reads only inside its repository unless the user
allows more, and every bad input or environment ends in one clear line, never a traceback.

Each test runs in its own temporary folder (the current directory), so the paths in the
expected messages are short and exact.
"""

from __future__ import annotations

import errno
import io
import os
import shutil
import stat
import tarfile
import tempfile
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO, TRIANGLE, git, write_network

from nankoku_netcheck.cli import main
from nankoku_netcheck.errors import InputError
from nankoku_netcheck.topology import load_topology

AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
HAS_GIT = shutil.which("git") is not None


def plain_triangle() -> dict[str, str]:
    """The four-router city of conftest with every slot left empty."""
    configs = {}
    for name, template in TRIANGLE.items():
        text = textwrap.dedent(template)
        for slot in ("mn_iface", "mn_extra", "core_extra", "lg_iface", "lg_extra", "inet_iface", "inet_extra"):
            text = text.replace("{" + slot + "}", "!")
        configs[name] = text
    return configs


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def verify(*args: str) -> tuple[int, str, str]:
    return run("verify", *args, "--no-cache", "--lang", "en", "--quiet")


@pytest.fixture
def city(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp_path/city/topology.yaml with its configs in city/configs; the cwd is tmp_path."""
    monkeypatch.chdir(tmp_path)
    return write_network(tmp_path / "city", plain_triangle()).relative_to(tmp_path)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def line_of(path: Path, fragment: str) -> int:
    return next(
        number for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if fragment in line
    )


def only_error(err: str) -> str:
    """The one line a refused input prints."""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


# --- inputs stay inside the repository ---------------------------------------------------------


def test_configs_folder_outside_is_refused(city: Path) -> None:
    edit(city, "configs: configs", "configs: /etc")
    edit(city, "r-core: {config: r-core.cfg}", "r-core: {config: shadow}")
    code, out, err = verify(str(city))
    assert code == 2
    assert out == ""
    assert only_error(err) == (
        f"error: city/topology.yaml:{line_of(city, 'configs:')}: configs: '/etc' is outside the topology's folder "
        f"{os.path.realpath(city.parent)} (expected a folder inside it, relative to this file; pass --allow-path "
        "DIR to read configs from DIR)"
    )


def test_config_climbing_out_with_dot_dot_is_refused(city: Path) -> None:
    edit(city, "r-core: {config: r-core.cfg}", "r-core: {config: ../../etc/passwd}")
    code, _, err = verify(str(city))
    assert code == 2
    assert only_error(err) == (
        f"error: city/topology.yaml:{line_of(city, 'passwd')}: devices.r-core.config: '../../etc/passwd' points "
        "outside the configs folder city/configs (expected a file inside it)"
    )


def test_config_symlink_leading_outside_is_refused_and_allow_path_lets_it_through(city: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    config = city.parent / "configs" / "r-core.cfg"
    shutil.move(config, elsewhere / "r-core.cfg")
    config.symlink_to(elsewhere / "r-core.cfg")
    code, _, err = verify(str(city))
    assert code == 2
    assert only_error(err) == (
        f"error: city/topology.yaml:{line_of(city, 'r-core.cfg')}: devices.r-core.config: 'r-core.cfg' is a "
        f"symbolic link to {os.path.realpath(elsewhere / 'r-core.cfg')}, outside the configs folder city/configs "
        "(expected a file inside it; pass --allow-path DIR to read it from DIR)"
    )
    code, out, err = verify(str(city), "--allow-path", str(elsewhere))
    assert err == ""
    config.unlink()
    shutil.move(elsewhere / "r-core.cfg", config)
    reference_code, reference_out, _ = verify(str(city))  # the same network with the file in place
    assert (code, out.splitlines()[-2:]) == (reference_code, reference_out.splitlines()[-2:])


def test_configs_folder_symlink_leading_outside(city: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    shutil.move(city.parent / "configs", outside)
    (city.parent / "configs").symlink_to(outside)
    code, _, err = verify(str(city))
    assert code == 2
    assert only_error(err) == (
        f"error: city/topology.yaml:{line_of(city, 'configs:')}: configs: 'configs' is a symbolic link to "
        f"{os.path.realpath(outside)}, outside the topology's folder {os.path.realpath(city.parent)} (expected a "
        "folder inside it; pass --allow-path DIR to read configs from DIR)"
    )
    code, _, err = verify(str(city), "--allow-path", str(outside))
    assert code in (0, 1, 3) and err == ""


def test_allow_path_must_be_an_existing_folder(city: Path) -> None:
    code, _, err = verify(str(city), "--allow-path", "no-such-folder")
    assert code == 2
    assert "'--allow-path': Directory 'no-such-folder' does not exist." in err


def repository_layout(root: Path, marker: str | None) -> Path:
    """root/topologies/city.yaml reading ../device_configs/city, as the bundled samples do;
    `marker`: "dir" or "file" makes root a git work tree (.git folder, or .git file as in a
    linked worktree)."""
    write_network(root / "device_configs" / "city", plain_triangle())
    topology = root / "topologies" / "city.yaml"
    topology.parent.mkdir()
    text = (root / "device_configs" / "city" / "topology.yaml").read_text(encoding="utf-8")
    topology.write_text(text.replace("configs: configs", "configs: ../device_configs/city/configs"), encoding="utf-8")
    if marker == "dir":
        (root / ".git").mkdir()
    elif marker == "file":
        (root / ".git").write_text("gitdir: /somewhere/else\n", encoding="utf-8")
    return topology


@pytest.mark.parametrize("marker", ["dir", "file"])
def test_git_work_tree_root_bounds_the_configs(tmp_path: Path, marker: str) -> None:
    topology = repository_layout(tmp_path / "repo", marker)
    loaded = load_topology(str(topology))
    assert loaded.configs_dir == os.path.realpath(tmp_path / "repo" / "device_configs" / "city" / "configs")


def test_plain_folder_bounds_the_configs_to_the_topology_folder(tmp_path: Path) -> None:
    topology = repository_layout(tmp_path / "repo", None)
    with pytest.raises(InputError) as caught:
        load_topology(str(topology))
    [problem] = caught.value.problems
    assert problem.message == (
        "configs: '../device_configs/city/configs' is outside the topology's folder "
        f"{os.path.realpath(topology.parent)} (expected a folder inside it, relative to this file; pass "
        "--allow-path DIR to read configs from DIR)"
    )
    loaded = load_topology(str(topology), allow_paths=[str(tmp_path / "repo" / "device_configs")])
    assert loaded.configs_dir == os.path.realpath(tmp_path / "repo" / "device_configs" / "city" / "configs")


def test_a_folder_whose_name_extends_the_root_is_not_inside(tmp_path: Path) -> None:
    # /x/repo-other starts with the string /x/repo but is not inside it.
    topology = repository_layout(tmp_path / "repo", "dir")
    shutil.move(tmp_path / "repo" / "device_configs", tmp_path / "repo-other")
    edit(topology, "../device_configs/city/configs", "../../repo-other/city/configs")
    with pytest.raises(InputError) as caught:
        load_topology(str(topology))
    assert caught.value.problems[0].message.startswith(
        f"configs: '../../repo-other/city/configs' is outside the git work tree {os.path.realpath(tmp_path / 'repo')}"
    )


def test_the_bundled_samples_still_load() -> None:
    for name in ("nankoku.yaml", "nankoku-broken.yaml"):
        topology = load_topology(str(REPO / "topologies" / name))
        assert os.path.dirname(topology.configs_dir) == os.path.realpath(REPO / "device_configs")


# --- git revisions with symbolic links ------------------------------------------------------------


@pytest.mark.skipif(not HAS_GIT, reason="git is not installed")
def test_diff_base_ref_with_links_leading_outside(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    repo = tmp_path / "netrepo"
    topology = repository_layout(repo, None)
    (tmp_path / "secret.txt").write_text("runner secret\n", encoding="utf-8")
    docs = repo / "docs"
    docs.mkdir()
    (docs / "absolute").symlink_to("/etc/passwd")
    (docs / "escaping").symlink_to("../../secret.txt")
    (docs / "inside").symlink_to("../topologies/city.yaml")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "links")
    code, out, err = run("diff", str(topology), "--base-ref", "HEAD", "--no-cache", "--lang", "en")
    assert code == 0, err
    assert "No change" in out
    assert err.splitlines() == [
        "warning: HEAD: left out the symbolic link docs/absolute -> /etc/passwd: it leads outside the repository",
        "warning: HEAD: left out the symbolic link docs/escaping -> ../../secret.txt: it leads outside the repository",
    ]


@pytest.mark.skipif(not HAS_GIT, reason="git is not installed")
def test_diff_base_ref_with_a_config_link_leading_outside(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    repo = tmp_path / "netrepo"
    topology = repository_layout(repo, None)
    config = repo / "device_configs" / "city" / "configs" / "r-core.cfg"
    shutil.move(config, tmp_path / "r-core.cfg")
    config.symlink_to(tmp_path / "r-core.cfg")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "a config outside")
    code, out, err = run("diff", str(topology), "--base-ref", "HEAD", "--no-cache", "--lang", "en")
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert lines[0] == (
        f"warning: HEAD: left out the symbolic link device_configs/city/configs/r-core.cfg -> "
        f"{tmp_path / 'r-core.cfg'}: it leads outside the repository"
    )
    # The old side lacks the file (its problems are shown with the revision, not the temporary folder).
    assert lines[1:] == [
        f"error: HEAD:topologies/city.yaml:{line_of(topology, 'r-core.cfg')}: devices.r-core.config: "
        "HEAD:device_configs/city/configs/r-core.cfg: device config not found (expected an existing "
        "text file at this path)"
    ]


def tar_of(members: list[tuple[str, str | None]]) -> bytes:
    """A tar archive in the given order: (name, link target) or (name, None) for a file."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, target in members:
            info = tarfile.TarInfo(name)
            if target is None:
                data = b"text\n"
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
            else:
                info.type = tarfile.SYMTYPE
                info.linkname = target
                tar.addfile(info)
    return buffer.getvalue()


def test_export_leaves_out_links_redirected_by_a_later_link(tmp_path: Path) -> None:
    # When docs/l is extracted, docs/z does not exist yet, so z/../x looks like docs/x; once
    # z -> .. exists, l leads to the folder above the tree. The finished tree is checked again.
    from nankoku_netcheck.diff import _extract_inside

    archive = tmp_path / "tree.tar"
    archive.write_bytes(tar_of([("docs/a.txt", None), ("docs/l", "z/../x"), ("docs/ok", "a.txt"), ("docs/z", "..")]))
    tree = tmp_path / "tree"
    skipped = _extract_inside(str(archive), str(tree), "topology.yaml", "HEAD")
    assert skipped == ["docs/l -> z/../x"]
    assert sorted(os.listdir(tree / "docs")) == ["a.txt", "ok", "z"]
    assert (tree / "docs" / "ok").read_text(encoding="utf-8") == "text\n"


def test_export_leaves_out_absolute_and_climbing_links(tmp_path: Path) -> None:
    from nankoku_netcheck.diff import _extract_inside

    archive = tmp_path / "tree.tar"
    archive.write_bytes(tar_of([("a", "/etc/passwd"), ("b/c", "../../x"), ("b/d", "../a")]))
    tree = tmp_path / "tree"
    assert _extract_inside(str(archive), str(tree), "topology.yaml", "HEAD") == ["a -> /etc/passwd", "b/c -> ../../x"]
    assert os.readlink(tree / "b" / "d") == "../a"  # inside the tree (dangling now): kept


# --- no tracebacks ------------------------------------------------------------------------------


def test_output_into_a_missing_folder(city: Path, tmp_path: Path) -> None:
    target = tmp_path / "nonexistent" / "dir" / "x"
    code, out, err = verify(str(city), "--output", str(target))
    assert code == 2 and out == ""
    assert only_error(err) == (f"error: {target}: cannot write the report: the folder {target.parent} does not exist")
    assert not (tmp_path / "nonexistent").exists()  # a mistyped path is not created


def test_diff_output_into_a_missing_folder(city: Path, tmp_path: Path) -> None:
    target = tmp_path / "nonexistent" / "dir" / "x"
    code, _, err = run("diff", str(city), str(city), "--output", str(target), "--no-cache")
    assert code == 2
    assert only_error(err) == f"error: {target}: cannot write the report: the folder {target.parent} does not exist"


def test_output_dir_that_is_a_file(city: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("", encoding="utf-8")
    code, _, err = verify(str(city), "--output-dir", str(blocker / "reports"), "--format", "json,md")
    assert code == 2
    assert only_error(err) == (
        f"error: {blocker / 'reports'}: cannot be created: {blocker} is not a folder "
        "(expected a folder for the reports)"
    )


@pytest.mark.parametrize("command", [["verify"], ["diff"], ["trace", "--src", "10.1.1.5", "--dst", "10.2.1.5"]])
def test_topology_symlink_loop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]) -> None:
    monkeypatch.chdir(tmp_path)
    Path("a.yaml").symlink_to("b.yaml")
    Path("b.yaml").symlink_to("a.yaml")
    arguments = [*command, "a.yaml"] + (["a.yaml"] if command == ["diff"] else [])
    code, _, err = run(*arguments)
    assert code == 2
    assert only_error(err) == "error: a.yaml: is a symbolic link loop (expected a text topology file)"


def test_config_symlink_loop(city: Path) -> None:
    config = city.parent / "configs" / "r-core.cfg"
    config.unlink()
    config.symlink_to("r-core.cfg")
    code, _, err = verify(str(city))
    assert code == 2
    assert only_error(err) == (
        f"error: city/topology.yaml:{line_of(city, 'r-core.cfg')}: devices.r-core.config: city/configs/r-core.cfg: "
        "is a symbolic link loop (expected a text device config)"
    )


def test_configs_folder_symlink_loop(city: Path) -> None:
    edit(city, "configs: configs", "configs: loop")
    (city.parent / "loop").symlink_to("loop")
    code, _, err = verify(str(city))
    assert code == 2
    assert only_error(err) == (
        f"error: city/topology.yaml:{line_of(city, 'configs:')}: configs: folder 'city/loop' is a symbolic link "
        "loop (expected the folder of device configs, relative to this file)"
    )


UNREADABLE = "cannot be reached: permission denied on a folder of its path"


@pytest.mark.skipif(AS_ROOT, reason="root reaches files in a chmod 000 folder")
def test_unreadable_configs_folder_by_mode(city: Path) -> None:
    folder = city.parent / "configs"
    folder.chmod(0)
    try:
        code, _, err = verify(str(city))
    finally:
        folder.chmod(stat.S_IRWXU)
    assert code == 2
    assert f"devices.r-core.config: city/configs/r-core.cfg: {UNREADABLE}" in err
    assert "not found" not in err


def test_unreadable_configs_folder(city: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests run as root, whom a folder's mode does not stop: the kernel's refusal is simulated
    # for every path below the folder, as a user without search permission would get it.
    folder = os.path.realpath(city.parent / "configs") + os.sep
    real_stat = os.stat

    def refusing_stat(path: object, *args: object, **kwargs: object) -> os.stat_result:
        if os.path.abspath(os.fspath(path)).startswith(folder):  # type: ignore[arg-type]
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))  # type: ignore[arg-type]
        return real_stat(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "stat", refusing_stat)
    code, _, err = verify(str(city))
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == 4  # one per device
    assert lines[0] == (
        f"error: city/topology.yaml:{line_of(city, 'r-core.cfg')}: devices.r-core.config: city/configs/r-core.cfg: "
        f"{UNREADABLE} (expected a text device config)"
    )


def test_duplicate_hostnames_warn(city: Path) -> None:
    config = city.parent / "configs" / "r-lg.cfg"
    edit(config, "hostname r-lg", "hostname r-mn")
    code, _, err = run("verify", str(city), "--no-cache", "--lang", "en")
    assert code in (0, 1, 3)
    assert err.splitlines() == [
        "warning: city/configs/r-mn.cfg:1: devices.r-mn: hostname 'r-mn' is also the hostname of devices.r-lg "
        "(city/configs/r-lg.cfg:1) (expected one hostname per device: is one config a copy of the other?)"
    ]
    assert verify(str(city))[2] == ""  # --quiet: no messages but errors


@pytest.mark.parametrize(
    "text, tag",
    [
        ("zones: !foo\n", "!foo"),
        ("zones: !!python/object/apply:os.system\n", "!!python/object/apply:os.system"),
        ("name: !!str test city\n", "!!str"),
    ],
)
def test_yaml_tags_are_refused_with_their_line(city: Path, text: str, tag: str) -> None:
    key = text.split(":")[0] + ":"
    edit(city, f"{key}\n" if key == "zones:" else "name: test city\n", text)
    code, _, err = verify(str(city))
    assert code == 2
    assert only_error(err) == (
        f"error: city/topology.yaml:{line_of(city, key)}: YAML tag {tag} is not supported (expected plain values: "
        "remove the tag)"
    )


def test_yaml_tag_on_a_list_item(city: Path) -> None:
    edit(city, "prefixes: [10.2.0.0/16]", "prefixes: !!seq [!custom 10.2.0.0/16]")
    code, _, err = verify(str(city))
    assert code == 2
    line = line_of(city, "!custom")
    assert err.splitlines() == [
        f"error: city/topology.yaml:{line}: YAML tag !!seq is not supported (expected plain values: remove the tag)",
        f"error: city/topology.yaml:{line}: YAML tag !custom is not supported (expected plain values: remove the tag)",
    ]


def saved_traceback(err: str, first_part: str) -> Path:
    line = only_error(err)
    assert line.startswith(first_part + "; traceback saved to "), line
    return Path(line.split("; traceback saved to ")[1])


def test_internal_error_saves_the_traceback(city: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import nankoku_netcheck.analyze as analyze_module

    def crash(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("engine gave up on 'snmp-server community LeakS3cret RO'\nsecond line")

    monkeypatch.setattr(analyze_module, "analyze", crash)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    code, out, err = verify(str(city))
    assert code == 4 and out == ""
    saved = saved_traceback(
        err,
        "internal error (please report it with that file): RuntimeError: engine gave up on "
        "'snmp-server community [REDACTED:snmp-community] RO'",
    )
    assert saved.parent == tmp_path
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    trace = saved.read_text(encoding="utf-8")
    assert trace.startswith("Traceback (most recent call last):")
    assert "in crash" in trace and "RuntimeError: engine gave up" in trace
    assert "LeakS3cret" not in trace


def test_internal_error_in_diff_is_exit_4_not_1(city: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import nankoku_netcheck.diff as diff_module

    def crash(*_args: object, **_kwargs: object) -> None:
        raise KeyError("segment")

    monkeypatch.setattr(diff_module, "diff_topologies", crash)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    code, _, err = run("diff", str(city), str(city))
    assert code == 4
    saved = saved_traceback(err, "internal error (please report it with that file): KeyError: 'segment'")
    assert "KeyError: 'segment'" in saved.read_text(encoding="utf-8")


def test_a_file_the_run_cannot_open_is_exit_2(city: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import nankoku_netcheck.selection as selection_module

    def refused(_path: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", "/home/ci/.nankoku-netcheck.yaml")

    monkeypatch.setattr(selection_module, "load_settings", refused)
    code, _, err = verify(str(city))
    assert code == 2
    assert only_error(err) == "error: /home/ci/.nankoku-netcheck.yaml: permission denied"


@pytest.mark.parametrize(
    "command",
    [["diff", "city/topology.yaml"], ["trace", "--src", "10.1.1.5", "--dst", "10.2.1.5"]],
)
def test_allow_path_on_diff_and_trace(city: Path, tmp_path: Path, command: list[str]) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    config = city.parent / "configs" / "r-core.cfg"
    shutil.move(config, elsewhere / "r-core.cfg")
    config.symlink_to(elsewhere / "r-core.cfg")
    code, _, err = run(*command, str(city), "--no-cache")
    assert code == 2
    assert err.startswith(f"error: city/topology.yaml:{line_of(city, 'r-core.cfg')}: devices.r-core.config: ")
    code, out, err = run(*command, str(city), "--no-cache", "--allow-path", str(elsewhere))
    assert (code, err) == (0, "")
    assert out


def test_batch_verify_passes_allow_path_and_shows_warnings(city: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    config = city.parent / "configs" / "r-core.cfg"
    shutil.move(config, elsewhere / "r-core.cfg")
    config.symlink_to(elsewhere / "r-core.cfg")
    other = write_network(tmp_path / "other", plain_triangle()).relative_to(tmp_path)
    edit(other.parent / "configs" / "r-lg.cfg", "hostname r-lg", "hostname r-mn")
    arguments = ["verify", str(city), str(other), "--output-dir", "out", "--jobs", "1", "--no-cache"]
    code, out, err = run(*arguments, "--allow-path", str(elsewhere))
    assert code == 1, out
    assert err.splitlines()[:3] == [
        f"{city}: fail ({err.splitlines()[0].split('(')[-1]}",
        "warning: other/configs/r-mn.cfg:1: devices.r-mn: hostname 'r-mn' is also the hostname of devices.r-lg "
        "(other/configs/r-lg.cfg:1) (expected one hostname per device: is one config a copy of the other?)",
        f"{other}: fail ({err.splitlines()[2].split('(')[-1]}",
    ]
    code, out, _ = run(*arguments)
    assert code == 2
    assert f"{city}: city/topology.yaml:{line_of(city, 'r-core.cfg')}: devices.r-core.config: 'r-core.cfg' is a " in out
