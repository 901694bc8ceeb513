"""Structural rules for the knowledge base, shared by the test suite and writers.

Run `python tests/kb_rules.py [FILE ...]` to check documents by hand.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

KB_ROOT = Path(__file__).resolve().parent.parent / "kb"

TOPIC_DOCS = [
    "architecture-design/system-architecture-patterns.md",
    "architecture-design/api-design-principles.md",
    "architecture-design/database-schema-design.md",
    "architecture-design/microservices-vs-monolith.md",
    "architecture-design/caching-strategies.md",
    "architecture-design/background-jobs.md",
    "architecture-design/observability.md",
    "architecture-design/security-essentials.md",
    "architecture-design/deploying-python-services.md",
    "architecture-design/schema-recipes.md",
    "architecture-design/postgres-concurrency.md",
    "architecture-design/postgres-operations.md",
    "architecture-design/postgres-recipes.md",
    "architecture-design/service-integration.md",
    "architecture-design/personal-data-protection.md",
    "architecture-design/security-recipes.md",
    "architecture-design/security-operations.md",
    "architecture-design/logging-recipes.md",
    "architecture-design/progressive-delivery.md",
    "architecture-design/api-evolution.md",
    "architecture-design/job-recipes.md",
    "architecture-design/task-queue-recipes.md",
    "architecture-design/production-runtime.md",
    "architecture-design/edge-recipes.md",
    "architecture-design/hardening-recipes.md",
    "architecture-design/auth-recipes.md",
    "architecture-design/api-design-recipes.md",
    "architecture-design/database-scaling.md",
    "architecture-design/domain-data-recipes.md",
    "architecture-design/incident-recipes.md",
    "architecture-design/cloud-recipes.md",
    "architecture-design/reporting-recipes.md",
    "architecture-design/high-volume-data-recipes.md",
    "architecture-design/passkey-recipes.md",
    "architecture-design/catalog-query-recipes.md",
    "architecture-design/partner-integration-recipes.md",
    "architecture-design/web-security-recipes.md",
    "architecture-design/runtime-ops-recipes.md",
    "architecture-design/service-design-recipes.md",
    "architecture-design/app-wiring-recipes.md",
    "architecture-design/auth-policy-recipes.md",
    "architecture-design/monitoring-recipes.md",
    "architecture-design/container-recipes.md",
    "architecture-design/postgres-query-recipes.md",
    "architecture-design/api-surface-recipes.md",
    "architecture-design/release-access-recipes.md",
    "architecture-design/runtime-choice-recipes.md",
    "architecture-design/data-heavy-recipes.md",
    "architecture-design/data-lifecycle-recipes.md",
    "architecture-design/api-contract-recipes.md",
    "architecture-design/recovery-recipes.md",
    "architecture-design/worker-process-recipes.md",
    "architecture-design/platform-recipes.md",
    "architecture-design/data-consumer-recipes.md",
    "architecture-design/workflow-state-recipes.md",
    "architecture-design/data-integrity-recipes.md",
    "architecture-design/traffic-recipes.md",
    "python-best-practices/code-style-and-peps.md",
    "python-best-practices/performance-optimization.md",
    "python-best-practices/memory-management.md",
    "python-best-practices/concurrency-and-parallelism.md",
    "python-best-practices/async-recipes.md",
    "python-best-practices/portability-recipes.md",
    "python-best-practices/type-hints.md",
    "python-best-practices/python-recipes.md",
    "python-best-practices/python-idioms.md",
    "python-best-practices/input-handling.md",
    "python-best-practices/language-recipes.md",
    "python-best-practices/runtime-recipes.md",
    "python-best-practices/data-format-recipes.md",
    "python-best-practices/pitfall-recipes.md",
    "python-best-practices/data-async-recipes.md",
    "python-best-practices/stdlib-recipes.md",
    "python-best-practices/design-idiom-recipes.md",
    "python-best-practices/typing-validation-recipes.md",
    "python-best-practices/asyncio-pattern-recipes.md",
    "frameworks-libraries/fastapi-patterns.md",
    "frameworks-libraries/django-architecture.md",
    "frameworks-libraries/flask-application-structure.md",
    "frameworks-libraries/orm-usage.md",
    "frameworks-libraries/orm-query-recipes.md",
    "frameworks-libraries/orm-advanced-patterns.md",
    "frameworks-libraries/orm-recipes.md",
    "frameworks-libraries/http-api-recipes.md",
    "frameworks-libraries/api-errors-and-headers.md",
    "frameworks-libraries/fastapi-recipes.md",
    "frameworks-libraries/request-response-models.md",
    "frameworks-libraries/api-model-recipes.md",
    "frameworks-libraries/migration-recipes.md",
    "frameworks-libraries/alembic-recipes.md",
    "frameworks-libraries/django-recipes.md",
    "frameworks-libraries/django-data-recipes.md",
    "frameworks-libraries/django-app-recipes.md",
    "frameworks-libraries/django-ops-recipes.md",
    "frameworks-libraries/django-api-recipes.md",
    "frameworks-libraries/upgrade-recipes.md",
    "frameworks-libraries/fastapi-extension-recipes.md",
    "frameworks-libraries/django-model-recipes.md",
    "frameworks-libraries/flask-sqlalchemy-recipes.md",
    "frameworks-libraries/flask-extension-recipes.md",
    "frameworks-libraries/django-data-access-recipes.md",
    "frameworks-libraries/sqlalchemy-pydantic-recipes.md",
    "frameworks-libraries/web-framework-recipes.md",
    "frameworks-libraries/flask-recipes.md",
    "frameworks-libraries/sqlalchemy-recipes.md",
    "frameworks-libraries/sqlalchemy-mapping-recipes.md",
    "frameworks-libraries/sqlalchemy-query-recipes.md",
    "frameworks-libraries/sqlalchemy-session-recipes.md",
    "frameworks-libraries/django-orm-admin-recipes.md",
    "frameworks-libraries/fastapi-pydantic-recipes.md",
    "frameworks-libraries/web-runtime-recipes.md",
    "frameworks-libraries/framework-integration-recipes.md",
    "testing-quality/unit-testing.md",
    "testing-quality/integration-testing.md",
    "testing-quality/performance-testing.md",
    "testing-quality/code-quality-tools.md",
    "testing-quality/dependency-hygiene.md",
    "testing-quality/test-recipes.md",
    "testing-quality/test-suite-hygiene.md",
    "testing-quality/pytest-recipes.md",
    "testing-quality/test-harness-recipes.md",
    "testing-quality/test-reliability-recipes.md",
    "testing-quality/ci-policy-recipes.md",
    "testing-quality/type-check-recipes.md",
    "testing-quality/data-test-recipes.md",
    "testing-quality/tool-choice-recipes.md",
    "testing-quality/tooling-recipes.md",
    "testing-quality/packaging-recipes.md",
    "testing-quality/ci-speed-recipes.md",
    "testing-quality/test-infra-recipes.md",
    "task-delegation/breaking-down-tasks.md",
    "task-delegation/writing-specifications.md",
    "task-delegation/acceptance-criteria.md",
    "task-delegation/reviewing-junior-work.md",
    "task-delegation/reviewing-ai-assisted-code.md",
    "task-delegation/code-review-workflow.md",
    "task-delegation/review-situation-recipes.md",
    "task-delegation/delegation-situation-recipes.md",
    "mentoring/constructive-feedback.md",
    "mentoring/teaching-complex-concepts.md",
    "mentoring/guidance-vs-independence.md",
    "mentoring/fostering-growth.md",
    "mentoring/difficult-conversations.md",
    "mentoring/onboarding-juniors.md",
    "mentoring/coaching-recipes.md",
    "mentoring/mentoring-practice-recipes.md",
    "mentoring/mentoring-situation-recipes.md",
    "mentoring/judgement-coaching-recipes.md",
    "mentoring/mentoring-several-juniors.md",
    "mentoring/review-coaching.md",
    "mentoring/codebase-coaching.md",
    "mentoring/visibility-coaching.md",
    "mentoring/mentor-fit-recipes.md",
    "mentoring/mentoring-team-recipes.md",
    "mentoring/mentoring-growth-recipes.md",
    "collaboration/junior-developer-collaboration.md",
]
# Documents about people and process need no code; the rest must carry examples.
TECHNICAL_SECTIONS = {
    "architecture-design",
    "python-best-practices",
    "frameworks-libraries",
    "testing-quality",
}
MIN_WORDS, MAX_WORDS = 1200, 4000
MIN_H2 = 5
MIN_PYTHON_BLOCKS = 3
REQUIRED_H2 = ("Common pitfalls", "Checklist")

FENCE = re.compile(r"^(```|~~~)(\w*)[^\n]*\n(.*?)^\1\s*$", re.S | re.M)
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")


@dataclass(frozen=True)
class CodeBlock:
    lang: str
    code: str
    line: int  # 1-based line of the opening fence


def code_blocks(text: str) -> list[CodeBlock]:
    """Fenced code blocks with their language tag and starting line."""
    return [
        CodeBlock(m.group(2).lower(), m.group(3), text.count("\n", 0, m.start()) + 1)
        for m in FENCE.finditer(text)
    ]


def prose(text: str) -> str:
    """The text with fenced code blocks removed."""
    return FENCE.sub("", text)


def word_count(text: str) -> int:
    return len(prose(text).split())


def headings(text: str, level: int) -> list[str]:
    marks = "#" * level
    return [
        line[level + 1 :].strip()
        for line in prose(text).splitlines()
        if line.startswith(marks + " ")
    ]


def relative_links(text: str) -> list[str]:
    return [
        target
        for target in LINK.findall(prose(text))
        if "://" not in target and not target.startswith(("#", "mailto:"))
    ]


def is_stdlib_only(code: str) -> bool:
    """True when every import in the block is from the standard library."""
    modules = re.findall(r"^\s*(?:from|import)\s+([\w.]+)", code, re.M)
    return all(m.split(".")[0] in sys.stdlib_module_names for m in modules)


def structure_problems(path: Path) -> list[str]:
    """Human-readable problems with one topic document (empty when fine)."""
    text = path.read_text(encoding="utf-8")
    rel = path.relative_to(KB_ROOT).as_posix()
    problems = []
    h1 = headings(text, 1)
    if len(h1) != 1:
        problems.append(f"{rel}: expected one H1, found {len(h1)}")
    h2 = headings(text, 2)
    if len(h2) < MIN_H2:
        problems.append(f"{rel}: expected at least {MIN_H2} H2 sections, found {len(h2)}")
    for required in REQUIRED_H2:
        if not any(h.lower().startswith(required.lower()) for h in h2):
            problems.append(f"{rel}: missing H2 section '{required}'")
    words = word_count(text)
    if not MIN_WORDS <= words <= MAX_WORDS:
        problems.append(f"{rel}: {words} prose words, expected {MIN_WORDS}-{MAX_WORDS}")
    if rel.split("/")[0] in TECHNICAL_SECTIONS:
        n = sum(1 for b in code_blocks(text) if b.lang == "python")
        if n < MIN_PYTHON_BLOCKS:
            problems.append(f"{rel}: {n} python blocks, expected >= {MIN_PYTHON_BLOCKS}")
    return problems


def link_problems(path: Path) -> list[str]:
    rel = path.relative_to(KB_ROOT).as_posix()
    problems = []
    for target in relative_links(path.read_text(encoding="utf-8")):
        file_part = target.split("#")[0]
        if file_part and not (path.parent / file_part).resolve().exists():
            problems.append(f"{rel}: broken link {target}")
    return problems


def code_problems(path: Path, timeout: float = 20.0) -> list[str]:
    """Compile every python block; run the stdlib-only ones as programs."""
    rel = path.relative_to(KB_ROOT).as_posix()
    problems = []
    for block in code_blocks(path.read_text(encoding="utf-8")):
        if block.lang != "python":
            continue
        where = f"{rel}:{block.line}"
        try:
            compile(block.code, where, "exec")
        except SyntaxError as exc:
            problems.append(f"{where}: does not compile: {exc.msg} (line {exc.lineno})")
            continue
        if not is_stdlib_only(block.code):
            continue
        try:
            run = subprocess.run(
                [sys.executable, "-I", "-c", block.code],
                capture_output=True,
                text=True,
                timeout=timeout,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            problems.append(f"{where}: still running after {timeout:.0f} s")
            continue
        if run.returncode != 0:
            last = (run.stderr.strip().splitlines() or ["(no output)"])[-1]
            problems.append(f"{where}: exits {run.returncode}: {last}")
    return problems


def main(argv: list[str]) -> int:
    paths = [Path(a).resolve() for a in argv] or [KB_ROOT / d for d in TOPIC_DOCS]
    problems: list[str] = []
    for path in paths:
        if not path.exists():
            problems.append(f"missing: {path}")
            continue
        text = path.read_text(encoding="utf-8")
        print(f"{path.relative_to(KB_ROOT)}: {word_count(text)} words")
        if path.name != "README.md":
            problems += structure_problems(path)
        problems += link_problems(path) + code_problems(path)
    print("\n".join(problems) or "OK")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
