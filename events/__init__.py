"""Policy events drawn on every timeline: National Assembly bills (assembly.py), law and
decree revisions (lawinfo.py), milestones from config/events.toml (config.py) and staff
notes. table.py owns the `events` table; collect.py runs the collectors; cli.py is
`monitor.py events`; recorded.py serves recorded API responses on 127.0.0.1 for the
tests and the demo; digest.py is the digest's "이번 주 국회·법령" section."""
