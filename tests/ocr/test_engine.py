"""The real engine on a few synthetic phone photos (tests/ocr/synth.py): few images, the suite stays fast.

The precision and recall over many photos are `make bench`'s (bench/ocr.py)."""

import io
import random

import pytest
from PIL import Image

from prereg.ocr import compare, services

pytest.importorskip("rapidocr_onnxruntime", reason="the OCR engine (rapidocr-onnxruntime) is not installed")

from . import synth  # noqa: E402 - numpy and OpenCV come with the engine


@pytest.fixture(scope="module")
def engine():
    from prereg.ocr.engine import RapidEngine

    return RapidEngine(threads=1)


def _reading(engine, image, slot):
    from types import SimpleNamespace

    return SimpleNamespace(status="done", lines=services.stored_lines(engine.read(image)), width=0, height=0,
                           image_id=0, slot=slot)


def _flags(reading, variant, slot):
    result = services.compare_reading(reading, variant.application, variant.row, slot=slot)
    return result, {f.key for f in result.fields if f.status == compare.MISMATCH}


def _turned(data: bytes, degrees: int) -> bytes:
    out = io.BytesIO()
    Image.open(io.BytesIO(data)).rotate(degrees, expand=True).save(out, "JPEG", quality=85)
    return out.getvalue()


def test_an_id_card_photo_is_read_at_every_quarter_turn_and_its_one_mistake_flagged(engine):
    sample = synth.make_sample(random.Random(3), "id_front", synth.fonts()[0])
    for degrees in (0, 90, 180):
        reading = _reading(engine, _turned(sample.image, degrees), "id_front")
        result, right = _flags(reading, sample.right, "id_front")
        assert result.kind == "id_front" and right == set(), (degrees, result.fields)
        assert {f.key for f in result.fields if f.status == compare.MATCH} >= {"name", "id_number"}
        _, wrong = _flags(reading, sample.wrong, "id_front")
        assert wrong == {sample.wrong_field}, (degrees, sample.wrong_field, wrong)


@pytest.mark.parametrize(("kind", "seed", "font"), [("diploma", 11, -1), ("physician_practice", 5, 1)])
def test_certificates_in_another_font_are_read_and_compared(engine, kind, seed, font):
    sample = synth.make_sample(random.Random(seed), kind, synth.fonts()[font])
    reading = _reading(engine, sample.image, sample.slot)
    result, right = _flags(reading, sample.right, sample.slot)
    assert result.kind == kind and right == set(), [(f.key, f.status, f.typed, f.photo) for f in result.fields]
    _, wrong = _flags(reading, sample.wrong, sample.slot)
    assert wrong == {sample.wrong_field}


def test_a_blank_page_and_an_id_card_in_the_diploma_slot_are_flagged_as_the_wrong_document(engine):
    rng = random.Random(8)
    for sample in (synth.make_sample(rng, "blank"), synth.make_sample(rng, "id_front", slot="education")):
        result, _ = _flags(_reading(engine, sample.image, sample.slot), sample.right, sample.slot)
        assert result.kind_verdict == "wrong" and result.flags[0] == "kind", result.kind
