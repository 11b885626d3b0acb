"""Which numeric variant runs the encoder: fp32, bf16, onnx (fp32), int8, or auto.

`auto` loads the torch fp32 reference, embeds a few fixed probe sentences with every variant
this CPU can run, and keeps the fastest one whose embeddings stay within PROBE_MIN_COSINE of
fp32 (docs/model.md, "Speed"). The CPU facts are injectable so a test can take bf16 away.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

PRECISIONS = ("auto", "fp32", "bf16", "onnx", "int8")
# Least cosine to fp32 on every probe sentence for a variant to count as lossless for the heads.
PROBE_MIN_COSINE = 0.999
# Mixed Korean/English, short and long, like the documents (titles, leads, boilerplate).
PROBE_SENTENCES = (
    "서울시자치경찰위원회는 어린이 보호구역 교통안전 대책을 발표했다.",
    "시민단체는 자치경찰제가 무늬만 자치라며 국가경찰과의 이원화를 촉구하는 성명을 냈다.",
    "부산경찰청과 부산시 자치경찰위원회가 여름철 해수욕장 치안 합동 점검에 나섰다. 위원장은 "
    "주민 의견을 듣고 생활안전 예산을 늘리겠다고 밝혔다. 관련 기사 더 보기 페이스북 공유",
    "The Busan Metropolitan Autonomous Police Committee held a public hearing on school safety.",
    "오늘 날씨 맑음 12℃, 내일 흐림 8℃. 세종 BRT 자율주행 버스가 다음 달부터 정식 운행한다.",
    "경기도북부자치경찰위원회 출범 3주년 기념식이 의정부에서 열렸다.",
)


@dataclass(frozen=True)
class CpuFeatures:
    """What the CPU offers to the encoder's kernels (from /proc/cpuinfo, else torch)."""
    bf16: bool          # native bf16 dot products (AVX512_BF16 or AMX-BF16)
    vnni: bool          # int8 dot products (AVX512_VNNI / AVX_VNNI)
    amx: bool
    capability: str     # torch's kernel level, e.g. AVX2 or AVX512

    @classmethod
    def detect(cls, cpuinfo: str | None = None) -> "CpuFeatures":
        if cpuinfo is None:
            try:
                cpuinfo = Path("/proc/cpuinfo").read_text()
            except OSError:
                cpuinfo = ""
        flags = set()
        for line in cpuinfo.splitlines():
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
                break
        try:
            import torch
            capability = torch.backends.cpu.get_cpu_capability()
        except Exception:                   # pragma: no cover - torch is a hard dependency
            capability = "unknown"
        return cls(bf16=bool(flags & {"avx512_bf16", "amx_bf16"}),
                   vnni=bool(flags & {"avx512_vnni", "avx_vnni", "avx512vnni"}),
                   amx=bool(flags & {"amx_int8", "amx_tile"}), capability=capability)


def onnx_available() -> bool:
    try:
        import onnxruntime  # noqa: F401
        import onnx  # noqa: F401
    except ImportError:
        return False
    return True


def candidates(cpu: CpuFeatures) -> list[str]:
    """Variants worth probing on this CPU. bf16 without native support is emulated and
    slower than fp32 (measured, docs/model.md), so it is left out there."""
    out = ["fp32"]
    if cpu.bf16:
        out.append("bf16")
    if onnx_available():
        out += ["onnx", "int8"]
    return out


def probe(build, cpu: CpuFeatures | None = None, log=lambda m: None, min_cosine=PROBE_MIN_COSINE,
          sentences=PROBE_SENTENCES):
    """Return (chosen variant, its encoder, report). `build(variant)` makes an Encoder."""
    import numpy as np
    cpu = cpu or CpuFeatures.detect()
    report = {}
    ref_enc = build("fp32")
    texts = list(sentences) + [" ".join(sentences)] * 4     # short ones and full windows
    ref_enc.embed(texts[:2])                # warm-up
    t0 = time.perf_counter()
    ref = ref_enc.embed(texts)
    report["fp32"] = {"seconds": time.perf_counter() - t0, "min_cosine": 1.0}
    best, best_enc = "fp32", ref_enc
    for variant in candidates(cpu)[1:]:
        try:
            enc = build(variant)
            enc.embed(texts[:2])
            t0 = time.perf_counter()
            vecs = enc.embed(texts)
            seconds = time.perf_counter() - t0
        except Exception as e:               # a variant that cannot run here is skipped, not fatal
            report[variant] = {"error": f"{type(e).__name__}: {e}"}
            log(f"precision probe: {variant} unavailable ({type(e).__name__}: {e})")
            continue
        cos = float((vecs * ref).sum(1).min())
        report[variant] = {"seconds": seconds, "min_cosine": round(cos, 6)}
        if cos >= min_cosine and seconds < report[best]["seconds"]:
            best, best_enc = variant, enc
    log(f"precision auto -> {best} ({', '.join(f'{k}: {v}' for k, v in report.items())})")
    return best, best_enc, report


def fallback(requested: str, cpu: CpuFeatures | None = None) -> tuple[str, str | None]:
    """(variant to run, reason) for an explicit request this machine cannot serve well:
    bf16 without native bf16 and the ONNX variants without onnxruntime run as fp32."""
    if requested == "bf16" and not (cpu or CpuFeatures.detect()).bf16:
        return "fp32", "this CPU has no native bf16 (AVX512_BF16/AMX); using fp32"
    if requested in ("onnx", "int8") and not onnx_available():
        return "fp32", "onnxruntime/onnx are not installed; using fp32"
    return requested, None


def add_argument(parser) -> None:
    """The --precision flag shared by classify, predict, train and evaluate."""
    parser.add_argument("--precision", choices=PRECISIONS, default=None,
                        help="encoder arithmetic (default: [classifier] precision in config/settings.toml, "
                             "auto = the fastest variant that matches fp32 on this CPU)")


def setting(cli_value: str | None = None, settings_path=None) -> str:
    """The precision to use: the command-line flag, else [classifier] precision in
    config/settings.toml, else auto."""
    if cli_value:
        return cli_value
    from digest.settings import load_settings
    return load_settings(settings_path).get("classifier", {}).get("precision", "auto")
