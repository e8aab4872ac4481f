"""Entry point: `python run.py [serve|create-user] ...` (see helpchat/cli.py)."""

from helpchat.cli import main

raise SystemExit(main())
