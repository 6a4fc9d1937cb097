#!/usr/bin/env python3
"""Refreshes the examples of diagnostics.md from samples/invalid and real rulecheck output.

Usage: grammar/update_diagnostics.py PATH/TO/rulecheck

diagnostics.md is edited by hand, except the blocks between
`<!-- sample: NAME.rules -->` and `<!-- /sample -->`: this script rewrites each with the
sample's text and what `rulecheck check` prints for it. tests/samples_test.cpp checks
that every sample's `# expect:` line is in diagnostics.md, so run this after changing a
sample or a message.
"""
import pathlib
import re
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
BLOCK = re.compile(r"<!-- sample: (?P<name>[\w.-]+) -->\n.*?<!-- /sample -->", re.S)


def render(rulecheck: str, name: str) -> str:
    sample = HERE / "samples" / "invalid" / name
    text = sample.read_text(encoding="utf-8")
    run = subprocess.run([str(pathlib.Path(rulecheck).resolve()), "check", "--color", "never", name], cwd=sample.parent,
                         capture_output=True, text=True, encoding="utf-8")
    if run.returncode not in (0, 1):
        sys.exit(f"rulecheck failed on {name}: {run.stderr}")
    return (f"<!-- sample: {name} -->\n"
            f"`samples/invalid/{name}`:\n\n```\n{text.rstrip()}\n```\n\n"
            f"```\n$ rulecheck check {name}\n{run.stderr.rstrip()}\n```\n"
            f"<!-- /sample -->")


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    catalogue = HERE / "diagnostics.md"
    text = catalogue.read_text(encoding="utf-8")
    text = BLOCK.sub(lambda m: render(sys.argv[1], m["name"]), text)
    catalogue.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
