"""Errors with messages meant for the user (no tracebacks)."""

BUILD_HINT = "먼저 모델을 만드세요 / build it first: python monitor.py train"


class ModelMissing(RuntimeError):
    """The encoder or the trained classifier bundle is missing or broken."""

    def __init__(self, what: str):
        super().__init__(f"{what}. {BUILD_HINT}")
