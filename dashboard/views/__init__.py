"""One module per tab. Each has TITLE, layout() and render(data, db, ctx) -> dict of
component id -> value (see dashboard.app), and rows(data, db, ctx) for the CSV download."""
