"""`a2i-kit template …`: list, show, render, lint and inspect worker task templates.

Example:
    $ a2i-kit template list
    $ a2i-kit template lint my-task.html --input sample.json --format json
    $ a2i-kit template render my-task.html --input '{"text": "hi"}' --out task.html
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from a2i_kit.errors import InputError
from a2i_kit.templates import (
    answer_shape,
    builtin,
    builtin_names,
    expected_input,
    has_errors,
    lint,
    local_signer,
    render,
    sample_skeleton,
)
from a2i_kit.templates.preview import data_uri_signer


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("template", help="work with worker task templates")
    sub = parser.add_subparsers(dest="template_command", metavar="ACTION")
    parser.set_defaults(func=lambda _args: parser.print_help() or 2)

    sub.add_parser("list", help="list the built-in templates").set_defaults(func=cmd_list)
    show = sub.add_parser("show", help="print a built-in template and its sample input")
    show.add_argument("name")
    show.add_argument("--part", choices=["all", "content", "input"], default="all")
    show.set_defaults(func=cmd_show)

    rend = sub.add_parser("render", help="render a template with a task input")
    _file(rend)
    rend.add_argument("--input", required=True, help="JSON text or a .json file")
    rend.add_argument("--out", help="write the HTML here instead of stdout")
    rend.add_argument("--service-url", help="sign S3 URIs for this embedded service")
    rend.add_argument("--mirror", help="inline S3 objects from this local mirror folder")
    rend.add_argument("--mode", choices=["strict", "warn", "lax"], default="strict")
    rend.set_defaults(func=cmd_render)

    lnt = sub.add_parser("lint", help="check a template (exit 1 when it has errors)")
    _file(lnt)
    lnt.add_argument("--input", help="sample task input: JSON text or a .json file")
    lnt.add_argument("--format", choices=["text", "json"], default="text")
    lnt.set_defaults(func=cmd_lint)

    inp = sub.add_parser("input", help="print a sample input with every field the template reads")
    _file(inp)
    inp.add_argument("--schema", action="store_true", help="print the inferred schema instead")
    inp.set_defaults(func=cmd_input)

    ans = sub.add_parser("answer", help="print the answerContent shape the template produces")
    _file(ans)
    ans.set_defaults(func=cmd_answer)


def _file(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="template file (or the name of a built-in)")


def read_template(spec: str) -> str:
    """Template text from a file path, or a built-in's content by name."""
    path = Path(spec)
    if path.is_file():
        return path.read_bytes().decode("utf-8", errors="replace")
    if spec in builtin_names():
        return builtin(spec).content
    raise InputError(f"template file {spec!r} not found (and it is not a built-in name)")


def read_json(spec: str) -> Any:
    """JSON from inline text or from a file."""
    text = spec
    if not spec.lstrip().startswith(("{", "[")) and Path(spec).is_file():
        text = Path(spec).read_text(encoding="utf-8")
    try:
        return json.loads(text)
    except ValueError as exc:
        raise InputError(f"--input is neither valid JSON nor a JSON file: {exc}") from None


def _print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False))


def cmd_list(_args: argparse.Namespace) -> int:
    for name in builtin_names():
        print(f"{name:26} {builtin(name).title}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    item = builtin(args.name)
    if args.part in ("all", "input"):
        if args.part == "all":
            print(f"# {item.title}\n# {item.description}\n# sample input:")
        _print_json(item.sample_input)
    if args.part in ("all", "content"):
        print(item.content, end="")
    return 0


def cmd_render(args: argparse.Namespace) -> int:
    template = read_template(args.file)
    signer = local_signer(args.service_url) if args.service_url else data_uri_signer(args.mirror)
    html = render(template, read_json(args.input), signer=signer, name=args.file,
                  mode=args.mode)
    if args.out:
        Path(args.out).write_text(html, encoding="utf-8")
        print(f"wrote {args.out} ({len(html):,} characters)", file=sys.stderr)
    else:
        sys.stdout.write(html)
    return 0


def cmd_lint(args: argparse.Namespace) -> int:
    template = read_template(args.file)
    sample = read_json(args.input) if args.input else None
    findings = lint(template, sample)
    if args.format == "json":
        _print_json([f.to_dict() for f in findings])
    else:
        for finding in findings:
            print(f"{args.file}:{finding}")
        errors = sum(f.severity == "error" for f in findings)
        print(f"{len(findings)} finding(s), {errors} error(s)", file=sys.stderr)
    return 1 if has_errors(findings) else 0


def cmd_input(args: argparse.Namespace) -> int:
    template = read_template(args.file)
    _print_json(expected_input(template) if args.schema else sample_skeleton(template))
    return 0


def cmd_answer(args: argparse.Namespace) -> int:
    _print_json(answer_shape(read_template(args.file)))
    return 0
