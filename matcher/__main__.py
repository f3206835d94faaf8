"""Command line: ``python -m matcher "TEXT" [--explain]`` prints the match as JSON."""

from __future__ import annotations

import argparse
import json
import sys

from matcher.engine import MatchInputError, get_matcher


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m matcher")
    parser.add_argument("text", help="situation in a few words")
    parser.add_argument("--explain", action="store_true", help="also list every term hit")
    args = parser.parse_args(argv)
    matcher = get_matcher()
    try:
        data = matcher.match(args.text).to_dict()
    except MatchInputError as exc:
        print(json.dumps({"error": {"code": exc.code, "message": exc.message_nl}},
                         ensure_ascii=False))
        return 1
    if args.explain:
        data["explain"] = matcher.explain(args.text)
    print(json.dumps(data, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
