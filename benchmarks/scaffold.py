"""How long does it take to scaffold a prototype, next to Copier and Cookiecutter?

Builds equivalent Copier and Cookiecutter versions of a shipped template (same files, same Jinja2
sources, same answers), then times in the same run:
  * whole process: `sandbox new` vs `copier copy --defaults` vs `cookiecutter --no-input`
    (fresh target each run, one warm-up, median of --runs);
  * in process: `Workspace.new_project` (render + write two variants, briefs, manifest, ledger,
    atomic rename) and `render_template` alone.
`sandbox new` does more than the peers (two variants, briefs, manifest, fsync'd ledger) and is still
compared as is. Targets: whole process <= 0.3x Copier and <= 0.5x Cookiecutter (issue 16); in-process
create < 15 ms median.

Run: pip install -e '.[bench]' && python benchmarks/scaffold.py [--template landing-page] [--runs 7]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import compile_package, median_ms, table, time_call, time_process

from sandbox.make.catalog import Template, TemplateCatalog, validate_answers
from sandbox.make.render import render_template, template_context
from sandbox.workspace import Workspace

PROJECT = {
    "title": "Expense approvals",
    "slug": "expense-approvals",
    "idea": "Managers approve team expenses from their phone",
    "audience": "Team leads",
    "success": "Approve a claim in under 10 seconds",
    "category": "finance",
}


EXTENSION = "_content_filters.ContentFilters"  # benchmarks/_content_filters.py: the templates' filters


def jinja_header(top: str) -> str:
    """Gives Copier/Cookiecutter sources the same names our templates use (project, vars, template)."""
    return f"{{% set project = {top}project %}}{{% set vars = {top}answers %}}{{% set template = {top}template_info %}}"


def build_peers(template: Template, answers: dict[str, object], root: Path) -> tuple[Path, Path]:
    info = {"name": template.name, "title": template.title, "entry": template.entry}
    # Copier: answers are top-level names; dict-typed questions carry project/vars.
    copier_src = root / "copier-template"
    (copier_src / "template").mkdir(parents=True)
    copier_yml = {
        "_subdirectory": "template",
        "_templates_suffix": ".j2",
        "project": {"type": "yaml", "default": PROJECT},
        "answers": {"type": "yaml", "default": answers},
        "template_info": {"type": "yaml", "default": info},
        "_jinja_extensions": [EXTENSION],
    }
    (copier_src / "copier.yml").write_text(json.dumps(copier_yml))
    # Cookiecutter: everything under cookiecutter.*; a folder named after the slug.
    cc_src = root / "cookiecutter-template"
    cc_dir = cc_src / "{{cookiecutter.project.slug}}"
    cc_dir.mkdir(parents=True)
    static: list[str] = []
    (cc_src / "cookiecutter.json").write_text(
        json.dumps({"project": PROJECT, "answers": answers, "template_info": info, "_copy_without_render": static,
                    "_extensions": [EXTENSION]})
    )
    from sandbox.make.render import source_files

    # the template's own files plus the shared assets it takes: the peers must do the same work
    for item in source_files(template):
        source, rel = item.path, item.relative
        if rel.endswith(".j2"):
            text = source.read_text()
            target = copier_src / "template" / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(jinja_header("") + text)
            target = cc_dir / rel[:-3]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(jinja_header("cookiecutter.") + text)
        else:
            for target in (copier_src / "template" / rel, cc_dir / rel):
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
            static.append(rel)
    (cc_src / "cookiecutter.json").write_text(
        json.dumps({"project": PROJECT, "answers": answers, "template_info": info, "_copy_without_render": static,
                    "_extensions": [EXTENSION]})
    )
    return copier_src, cc_src


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--template", default="landing-page")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--inprocess-runs", type=int, default=50)
    args = parser.parse_args()
    bin_dir = Path(sys.executable).parent
    for tool in ("copier", "cookiecutter"):
        if not (bin_dir / tool).exists():
            raise SystemExit(f"{tool} is not installed next to {sys.executable}: pip install -e '.[bench]'")

    compile_package()  # as installed: bytecode written once, not compiled in every process
    # the peers import the content-filter extension from this folder
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).resolve().parent),
                                                            os.environ.get("PYTHONPATH")]))
    template = TemplateCatalog().get(args.template)
    answers = validate_answers(template, {})
    with tempfile.TemporaryDirectory(prefix="bench-scaffold-") as tmp:
        root = Path(tmp)
        copier_src, cc_src = build_peers(template, answers, root)
        ws_root = root / "ws"
        ws_root.mkdir()

        sandbox_runs = time_process(
            lambda i: [
                str(bin_dir / "sandbox"),
                "--workspace",
                str(ws_root),
                "new",
                f"Run {i + 10}",
                "-t",
                template.name,
                "--idea",
                PROJECT["idea"],
                "--audience",
                PROJECT["audience"],
                "--success",
                PROJECT["success"],
            ],
            args.runs,
        )
        copier_runs = time_process(
            lambda i: [
                str(bin_dir / "copier"),
                "copy",
                "--defaults",
                "--quiet",
                "--trust",
                str(copier_src),
                str(root / f"copier-out-{i + 10}"),
            ],
            args.runs,
        )
        cc_runs = time_process(
            lambda i: [str(bin_dir / "cookiecutter"), "--no-input", "-o", str(root / f"cc-out-{i + 10}"), str(cc_src)],
            args.runs,
        )

        inproc_ws = Workspace(root / "inproc")
        inproc_ws.root.mkdir()
        counter = iter(range(10**6))
        create_samples = time_call(
            lambda: inproc_ws.new_project(
                f"Idea {next(counter)}", template.name, idea=PROJECT["idea"], audience=PROJECT["audience"]
            ),
            args.inprocess_runs,
            warmup=3,
        )
        context = template_context(template, PROJECT, answers)
        render_samples = time_call(lambda: render_template(template, context), args.inprocess_runs, warmup=3)

        sandbox_ms, copier_ms, cc_ms = median_ms(sandbox_runs), median_ms(copier_runs), median_ms(cc_runs)
        files = len(render_template(template, context))
        print(
            f"Template '{template.name}' ({files} files), {args.runs} whole-process runs each after a warm-up, "
            f"{args.inprocess_runs} in-process runs.\n"
        )
        print(
            table(
                ["what", "median ms", "min ms", "vs sandbox new"],
                [
                    [
                        "sandbox new (2 variants, briefs, ledger)",
                        f"{sandbox_ms:.1f}",
                        f"{min(sandbox_runs) * 1000:.1f}",
                        "1.00x",
                    ],
                    [
                        "copier copy --defaults",
                        f"{copier_ms:.1f}",
                        f"{min(copier_runs) * 1000:.1f}",
                        f"{copier_ms / sandbox_ms:.2f}x",
                    ],
                    [
                        "cookiecutter --no-input",
                        f"{cc_ms:.1f}",
                        f"{min(cc_runs) * 1000:.1f}",
                        f"{cc_ms / sandbox_ms:.2f}x",
                    ],
                    [
                        "in-process create (Workspace.new_project)",
                        f"{median_ms(create_samples):.2f}",
                        f"{min(create_samples) * 1000:.2f}",
                        "",
                    ],
                    [
                        "in-process render_template only",
                        f"{median_ms(render_samples):.2f}",
                        f"{min(render_samples) * 1000:.2f}",
                        "",
                    ],
                ],
            )
        )
        print()
        for peer, peer_ms, target in (("copier copy", copier_ms, 0.3), ("cookiecutter", cc_ms, 0.5)):
            ratio = sandbox_ms / peer_ms
            print(f"sandbox new / {peer} = {ratio:.2f} (target <= {target:.2f}, issue 16): "
                  f"{'met' if ratio <= target else 'MISSED'}")
        create_ms = median_ms(create_samples)
        print(
            f"in-process create median = {create_ms:.2f} ms (target < 15 ms): {'met' if create_ms < 15 else 'MISSED'}"
        )


if __name__ == "__main__":
    main()
