"""Korean-language Dash dashboard for committee PR staff (`python monitor.py dashboard`).

`create_app(db_path=None, auth=None)` in dashboard.app builds the app; views/ holds one
module per tab; state.py keeps the filter state (and the URL) and data.py reads the store.
"""


def create_app(db_path=None, auth=None):
    from dashboard.app import create_app as _create
    return _create(db_path=db_path, auth=auth)
