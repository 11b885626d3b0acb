"""The classifier bundle survives a killed `train`: it is written to a temporary folder and
swapped in by renames, and a broken bundle (empty or changed heads, unreadable meta, or one
only unpickling shows) is detected and rebuilt when the service loads the model."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

import nlp.classify
from nlp.classify import classifier_dir_for, load_classifier
from nlp.model import Classifier, bundle_problem
from reliability_support import REPO, env
from tiny_model import tiny_training


def encoder_copy(tiny_model_dir, folder):
    """An encoder folder of links to the tiny model's files and its ONNX exports (so a rebuild
    does not export them again); its own bundle goes inside."""
    folder.mkdir()
    for f in tiny_model_dir.iterdir():
        if f.is_file():
            (folder / f.name).symlink_to(f)
    (folder / "onnx").mkdir()
    for f in (tiny_model_dir / "onnx").glob("*.onnx"):
        (folder / "onnx" / f.name).symlink_to(f)
    return folder


@pytest.fixture(scope="module")
def trained(tiny_model_dir):
    """(bundle folder, version) of the tiny model's bundle (built once per test session)."""
    clf = load_classifier(model=str(tiny_model_dir))
    return classifier_dir_for(str(tiny_model_dir)), clf.version


@pytest.fixture
def fresh(trained, tiny_model_dir, tmp_path):
    """A copy of the trained bundle next to its own encoder links; the process cache emptied.
    A rebuild here trains on the tiny bundle's items, so it gives back the same version."""
    bundle, version = trained
    enc = encoder_copy(tiny_model_dir, tmp_path / "enc")
    shutil.copytree(bundle, classifier_dir_for(str(enc)))
    nlp.classify._cache.clear()
    with tiny_training():
        yield enc, classifier_dir_for(str(enc)), version


def test_a_bundle_left_empty_by_a_killed_train_is_rebuilt(fresh):
    enc, bundle, version = fresh
    (bundle / "heads.joblib").write_bytes(b"")  # what a SIGKILL during the old save left
    assert bundle_problem(bundle) == "heads.joblib is empty"
    clf = load_classifier(model=str(enc))
    assert clf.version == version and bundle_problem(bundle) is None


def test_a_truncated_bundle_without_checksum_is_rebuilt(fresh):
    enc, bundle, version = fresh
    meta = json.loads((bundle / "meta.json").read_text())
    meta.pop("heads_sha256", None)  # saved by the code before this change
    (bundle / "meta.json").write_text(json.dumps(meta))
    heads = (bundle / "heads.joblib").read_bytes()
    (bundle / "heads.joblib").write_bytes(heads[: len(heads) // 2])
    clf = load_classifier(model=str(enc))
    assert clf.version == version and bundle_problem(bundle) is None


def test_changed_heads_are_detected_by_the_checksum(fresh):
    _, bundle, _ = fresh
    data = bytearray((bundle / "heads.joblib").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (bundle / "heads.joblib").write_bytes(bytes(data))
    assert bundle_problem(bundle) == "heads.joblib does not match meta.json"
    with pytest.raises(Exception, match="broken"):
        Classifier.load(bundle)


SAVER = """
import sys
sys.path.insert(0, {repo!r})
from nlp.model import Classifier
clf = Classifier.load({bundle!r})
print("ready", flush=True)
while True:
    clf.save({target!r})
"""


@pytest.mark.parametrize("delay", [0.4, 1.1])
def test_killing_a_save_leaves_a_usable_bundle(fresh, tmp_path, delay):
    _, bundle, version = fresh
    target = tmp_path / "target"
    shutil.copytree(bundle, target)
    proc = subprocess.Popen([sys.executable, "-c", SAVER.format(repo=str(REPO), bundle=str(bundle), target=str(target))],
                            env=env(), stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(delay)  # saving in a loop: the kill lands in the middle of one
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert bundle_problem(target) is None
    assert Classifier.load(target).version == version
    Classifier.load(target).save(target)  # the next save clears what the killed one left
    assert sorted(os.listdir(tmp_path)) == ["enc", "target"]
