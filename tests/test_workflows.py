"""The GitHub Actions workflows: book.yml publishes the book, ci.yml runs .ci/run.

book.yml builds the committed notebooks without running them and deploys
_build/html to GitHub Pages; ci.yml runs the project's CI script on every pull
request. A broken edit of either file (or of requirements-book.txt, which is all
book.yml installs) fails here, before GitHub runs it.
"""

import ast
import importlib.metadata as metadata
import importlib.util
import re
import shlex
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
BOOK, CI = WORKFLOWS / "book.yml", WORKFLOWS / "ci.yml"
BOOK_REQUIREMENTS = ROOT / "requirements-book.txt"

# The options of `jupyter-book build` that change neither what is built nor
# where: no other config file (which could turn execution on), no other output
# folder or builder. jupyter-book v1 has no option that executes notebooks by
# itself; execution is _config.yml's to decide.
HARMLESS_BUILD_OPTIONS = {
    "-W", "--warningiserror", "-n", "--nitpick", "--keep-going", "--all",
    "-v", "--verbose", "-q", "--quiet",
}  # fmt: skip
# Commands that run notebooks; none belongs in the publishing workflow.
EXECUTING = re.compile(r"nbconvert|--execute|papermill|nbclient|nbval|\bpytest\b")
# A published action pinned to a major version tag: owner/repo[/path]@v4
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@v\d+$")


def _load(path):
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(workflow, dict), f"{path.name} is not a YAML mapping"
    return workflow


def _triggers(workflow):
    """The `on:` mapping (YAML 1.1, as PyYAML reads it, makes the key `True`)."""
    on = workflow.get("on", workflow.get(True))
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return dict.fromkeys(on)
    assert isinstance(on, dict), "the workflow has no `on:` triggers"
    return {name: config or {} for name, config in on.items()}


def _jobs(workflow):
    jobs = workflow.get("jobs")
    assert isinstance(jobs, dict) and jobs, "the workflow has no jobs"
    return jobs


def _steps(workflow):
    """(job id, step index, step) for every step of every job."""
    return [
        (job_id, index, step)
        for job_id, job in _jobs(workflow).items()
        for index, step in enumerate(job.get("steps") or [])
    ]


def _commands(workflow):
    """(job id, step index, command line) for every line of every `run:`."""
    return [
        (job_id, index, line.strip())
        for job_id, index, step in _steps(workflow)
        for line in str(step.get("run", "")).splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]


def _action(step):
    """`actions/deploy-pages` for `uses: actions/deploy-pages@v4`."""
    return str(step.get("uses", "")).split("@")[0]


def _permissions(workflow, job):
    """A job's token permissions: its own, or else the workflow's."""
    return job.get("permissions", workflow.get("permissions")) or {}


def _book_builds(workflow):
    """(job id, step index, arguments after `build`) of each `jupyter-book build`."""
    builds = []
    for job_id, index, line in _commands(workflow):
        words = shlex.split(line)
        for start, word in enumerate(words):
            if word in ("jupyter-book", "jb") and words[start + 1 : start + 2] == [
                "build"
            ]:
                builds.append((job_id, index, words[start + 2 :]))
    return builds


def _requirements(path):
    """The requirement lines of a pip requirements file, comments dropped."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()]


def _installed_closure(requirements):
    """Canonical names of the distributions that installing `requirements` brings,
    following each one's dependencies as installed in this environment."""
    todo = [Requirement(line) for line in requirements]
    names = set()
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        if name in names:
            continue
        names.add(name)
        try:
            dependencies = metadata.requires(requirement.name) or []
        except metadata.PackageNotFoundError:
            continue
        for line in dependencies:
            dependency = Requirement(line)
            if dependency.marker is None or dependency.marker.evaluate({"extra": ""}):
                todo.append(dependency)
    return names


def _distribution_of(module):
    """The canonical name of the installed distribution that provides `module`."""
    path = module.replace(".", "/")
    wanted = {f"{path}.py", f"{path}/__init__.py"}
    top = module.split(".")[0]
    for name in metadata.packages_distributions().get(top, []):
        files = metadata.distribution(name).files or []
        if any(str(file).replace("\\", "/") in wanted for file in files):
            return canonicalize_name(name)
    return None


def _is_stdlib(module):
    names = getattr(sys, "stdlib_module_names", None)  # Python >= 3.10
    if names is not None:
        return module in names
    spec = importlib.util.find_spec(module)  # Python 3.9
    if spec is None or spec.origin in (None, "built-in", "frozen"):
        return spec is not None
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    origin = Path(spec.origin)
    return stdlib in origin.parents and "site-packages" not in origin.parts


def _config():
    return yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def book():
    return _load(BOOK)


@pytest.fixture(scope="module")
def ci():
    return _load(CI)


# book.yml ------------------------------------------------------------------


def test_book_publishes_on_pushes_to_main_and_on_demand(book):
    triggers = _triggers(book)
    assert "main" in (triggers.get("push") or {}).get("branches", [])
    assert "workflow_dispatch" in triggers
    # A pull request must not replace the published book.
    assert "pull_request" not in triggers and "pull_request_target" not in triggers


def test_book_is_built_from_the_root_without_running_notebooks(book):
    builds = _book_builds(book)
    assert len(builds) == 1, f"expected one `jupyter-book build .`, found {builds}"
    _, _, arguments = builds[0]
    sources = [word for word in arguments if not word.startswith("-")]
    assert sources == ["."], f"the book is built from {sources}, not the root"
    options = {word.split("=")[0] for word in arguments if word.startswith("-")}
    assert options <= HARMLESS_BUILD_OPTIONS, options - HARMLESS_BUILD_OPTIONS
    running = [line for _, _, line in _commands(book) if EXECUTING.search(line)]
    assert not running, f"book.yml runs notebooks: {running}"
    # With no --config option, _config.yml decides, and it says: do not execute.
    assert _config()["execute"]["execute_notebooks"] == "off"


def test_book_uploads_the_built_html_after_building_it(book):
    ((build_job, build_index, _),) = _book_builds(book)
    uploads = [
        (job_id, index, step)
        for job_id, index, step in _steps(book)
        if _action(step) == "actions/upload-pages-artifact"
    ]
    assert len(uploads) == 1, "book.yml must upload one Pages artifact"
    job_id, index, step = uploads[0]
    assert job_id == build_job and index > build_index, (
        "the artifact is uploaded in the build's job, after the build"
    )
    path = str((step.get("with") or {}).get("path", ""))
    assert path.removeprefix("./").rstrip("/") == "_build/html"


def test_book_deploys_with_deploy_pages_and_the_pages_permissions(book):
    jobs = _jobs(book)
    deploying = [
        (job_id, step)
        for job_id, _, step in _steps(book)
        if _action(step) == "actions/deploy-pages"
    ]
    assert len(deploying) == 1, "book.yml must deploy with actions/deploy-pages"
    job_id, step = deploying[0]
    job = jobs[job_id]
    permissions = _permissions(book, job)
    assert permissions.get("pages") == "write"
    assert permissions.get("id-token") == "write"
    assert permissions.get("contents") == "read"
    environment = job.get("environment") or {}
    assert environment.get("name") == "github-pages"
    url = re.sub(r"\s", "", str(environment.get("url", "")))
    assert url == "${{steps." + str(step.get("id")) + ".outputs.page_url}}", url
    # The deployment waits for the artifact.
    upload_job = next(
        j for j, _, s in _steps(book) if _action(s) == "actions/upload-pages-artifact"
    )
    needs = job.get("needs", [])
    assert job_id == upload_job or upload_job in (
        [needs] if isinstance(needs, str) else needs
    )


def test_book_deployments_do_not_overlap(book):
    concurrency = book.get("concurrency") or {}
    assert concurrency.get("group") == "pages"
    # A deployment under way is finished, not cancelled halfway.
    assert concurrency.get("cancel-in-progress") is False


def test_book_installs_only_requirements_book_and_caches_pip(book):
    installs = [line for _, _, line in _commands(book) if "pip install" in line]
    assert installs == ["pip install -r requirements-book.txt"], installs
    (setup,) = [s for _, _, s in _steps(book) if _action(s) == "actions/setup-python"]
    options = setup.get("with") or {}
    assert options.get("cache") == "pip"
    # The cache key must follow the file installed (the default is requirements.txt).
    assert options.get("cache-dependency-path") == "requirements-book.txt"


# requirements-book.txt -------------------------------------------------------


def test_requirements_book_leave_out_torch_and_the_library():
    lines = _requirements(BOOK_REQUIREMENTS)
    assert not any(line.startswith("-e") or line in (".", "-r requirements.txt")
                   for line in lines), lines  # fmt: skip
    closure = _installed_closure(lines)
    assert "jupyter-book" in closure
    # torch would pull several GB of CUDA libraries onto GitHub's runner.
    assert not closure & {"torch", "torchvision", "dcgan-lib"}, closure


def test_requirements_book_bring_every_extension_the_config_loads():
    sphinx = _config().get("sphinx") or {}
    extensions = list(sphinx.get("extra_extensions") or [])
    if _config().get("bibtex_bibfiles"):
        extensions.append("sphinxcontrib.bibtex")
    closure = _installed_closure(_requirements(BOOK_REQUIREMENTS))
    for extension in extensions:
        distribution = _distribution_of(extension)
        assert distribution is not None, f"{extension} is not installed here"
        assert distribution in closure, (
            f"_config.yml loads {extension} ({distribution}), "
            "which requirements-book.txt does not install"
        )


def test_local_extensions_import_only_what_the_book_build_installs():
    """book.yml has neither dcgan_lib nor torch: a local Sphinx extension that
    imported them would break the published build only."""
    closure = _installed_closure(_requirements(BOOK_REQUIREMENTS))
    local = (_config().get("sphinx") or {}).get("local_extensions") or {}
    for name, folder in local.items():
        source = ROOT / folder / f"{name}.py"
        if not source.exists():
            source = ROOT / folder / name / "__init__.py"
        assert source.exists(), f"local extension {name} not found in {folder}"
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if _is_stdlib(top) or (ROOT / folder / top).exists():
                    continue
                provided = metadata.packages_distributions().get(top, [])
                assert any(canonicalize_name(d) in closure for d in provided), (
                    f"{source.relative_to(ROOT)} imports {module}, "
                    "which requirements-book.txt does not install"
                )


def test_requirements_txt_installs_what_the_book_build_installs():
    """A local `pip install -r requirements.txt` builds the book as book.yml does."""
    lines = _requirements(ROOT / "requirements.txt")
    if "-r requirements-book.txt" in lines:
        return
    for line in _requirements(BOOK_REQUIREMENTS):
        assert line in lines, f"requirements.txt lacks {line!r} (requirements-book.txt)"


# ci.yml --------------------------------------------------------------------


def test_ci_runs_on_pull_requests_and_pushes_to_main(ci):
    triggers = _triggers(ci)
    assert "pull_request" in triggers
    assert "main" in (triggers.get("push") or {}).get("branches", [])


def test_ci_runs_the_ci_script_as_root_in_debian(ci):
    runs = [
        (job_id, line)
        for job_id, _, line in _commands(ci)
        if re.search(r"(^|[\s/])\.ci/run\b", line)
    ]
    assert len(runs) == 1, f"ci.yml must run .ci/run once, found {runs}"
    job_id, line = runs[0]
    job = _jobs(ci)[job_id]
    assert job.get("runs-on") == "ubuntu-latest"
    assert 0 < int(job.get("timeout-minutes", 0)) <= 90
    steps = job.get("steps") or []
    assert any(_action(step) == "actions/checkout" for step in steps)
    # .ci/run installs Debian's chromium and fonts-nanum with apt-get, as root:
    # a Debian container (Ubuntu's chromium is a snap), where the job is root.
    image = job.get("container")
    image = image.get("image") if isinstance(image, dict) else image
    assert image and re.fullmatch(r"python:3\.\d+-(bookworm|trixie)", image), image
    assert shlex.split(line)[0] == ".ci/run", line


# both ----------------------------------------------------------------------


def _python_versions(workflow):
    """Versions set up by actions/setup-python, or of a job's python:X.Y image."""
    versions = [
        (step.get("with") or {}).get("python-version")
        for _, _, step in _steps(workflow)
        if _action(step) == "actions/setup-python"
    ]
    for job in _jobs(workflow).values():
        image = job.get("container")
        image = image.get("image") if isinstance(image, dict) else image
        if image and (match := re.fullmatch(r"python:(3\.\d+)(-.*)?", image)):
            versions.append(match.group(1))
    return versions


@pytest.mark.parametrize("path", [BOOK, CI], ids=lambda p: p.name)
def test_python_version_is_one_the_project_supports(path):
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    requires = re.search(r'^requires-python\s*=\s*"([^"]+)"', pyproject, re.M)
    assert requires, "pyproject.toml has no requires-python"
    versions = _python_versions(_load(path))
    assert versions, f"{path.name} does not set up Python"
    for version in versions:
        # Quoted: YAML reads an unquoted 3.10 as the number 3.1.
        assert isinstance(version, str), f"python-version {version!r} is not quoted"
        assert re.fullmatch(r"3\.\d+", version), version
        assert SpecifierSet(requires.group(1)).contains(version), (
            f"{path.name}: Python {version} is outside requires-python "
            f"{requires.group(1)}"
        )


@pytest.mark.parametrize("path", [BOOK, CI], ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_major_version(path):
    workflow = _load(path)
    # Steps use actions; a job may use a reusable workflow.
    owners = [step for _, _, step in _steps(workflow)] + list(_jobs(workflow).values())
    uses = [str(owner["uses"]) for owner in owners if owner.get("uses")]
    assert uses, f"{path.name} uses no action"
    for action in uses:
        if action.startswith("./"):
            continue  # an action of this repository, at this commit
        assert PINNED.match(action), f"{path.name}: {action} is not pinned to @vN"
