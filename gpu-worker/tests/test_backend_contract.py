"""The backend contract, run against both backends: ``classical`` for real, ``sam3`` on the
fake predictor. Every result is checked as the ``result`` message the engine would send."""

from __future__ import annotations

import numpy as np
import pytest

from maskroom_worker.backend import (
    BoxPrompt,
    PointsPrompt,
    PropagateSpec,
    TextPrompt,
    frame_order,
)
from maskroom_worker.errors import WorkerError
from maskroom_worker.masks import decode_mask

from .conftest import BLOB_FRAMES, BLOB_H, BLOB_W, Harness, Video, blob_centre, check_result, iou


def _click(name: str, frame: int = 0) -> tuple[tuple[float, float, bool], ...]:
    x, y = blob_centre(name, frame)
    return ((x / BLOB_W, y / BLOB_H, True),)


def _disc(name: str, frame: int) -> np.ndarray:
    from .conftest import BLOBS

    _, radius, _, _ = BLOBS[name]
    x, y = blob_centre(name, frame)
    yy, xx = np.mgrid[0:BLOB_H, 0:BLOB_W]
    out: np.ndarray = (xx - round(x)) ** 2 + (yy - round(y)) ** 2 <= radius * radius
    return out


def _mask_of(result_objects: tuple[object, ...], obj_id: str) -> np.ndarray | None:
    for obj in result_objects:
        if obj.obj_id == obj_id:  # type: ignore[attr-defined]
            return decode_mask(obj)  # type: ignore[arg-type]
    return None


def test_click_makes_a_mask_of_the_clicked_object(harness: Harness, blob_video: Video) -> None:
    harness.open(blob_video)
    result = harness.backend.prompt(PointsPrompt("s1", 0, "o1", _click("blue")))
    header = check_result(result, "s1")
    assert header["frame"] == 0
    mask = _mask_of(result.objects, "o1")
    assert mask is not None and mask.shape == (BLOB_H, BLOB_W)
    assert iou(mask, _disc("blue", 0)) > 0.7


def test_box_makes_a_mask_of_the_boxed_object(harness: Harness, blob_video: Video) -> None:
    harness.open(blob_video)
    x, y = blob_centre("yellow", 2)
    box = ((x - 9) / BLOB_W, (y - 9) / BLOB_H, 18 / BLOB_W, 18 / BLOB_H)
    result = harness.backend.prompt(BoxPrompt("s1", 2, "box1", box))
    check_result(result, "s1")
    mask = _mask_of(result.objects, "box1")
    assert mask is not None and iou(mask, _disc("yellow", 2)) > 0.6


def test_more_clicks_refine_the_same_object(harness: Harness, blob_video: Video) -> None:
    """Each prompt carries the object's full click set on that frame and replaces the last."""
    harness.open(blob_video)
    (blue,) = _click("blue")
    (yellow,) = _click("yellow")
    both = harness.backend.prompt(PointsPrompt("s1", 0, "o1", (blue, yellow)))
    check_result(both, "s1")
    mask_both = _mask_of(both.objects, "o1")
    assert mask_both is not None
    assert iou(mask_both, _disc("blue", 0) | _disc("yellow", 0)) > 0.6
    negative = (yellow[0], yellow[1], False)
    only_blue = harness.backend.prompt(PointsPrompt("s1", 0, "o1", (blue, negative)))
    check_result(only_blue, "s1")
    mask_blue = _mask_of(only_blue.objects, "o1")
    assert mask_blue is not None
    assert iou(mask_blue, _disc("blue", 0)) > 0.7
    assert not (mask_blue & _disc("yellow", 0)).any()


@pytest.mark.parametrize("direction", ["forward", "backward", "both"])
def test_propagation_yields_every_frame_in_order(
    harness: Harness, blob_video: Video, direction: str
) -> None:
    harness.open(blob_video)
    start = 5
    harness.backend.prompt(PointsPrompt("s1", start, "o1", _click("blue", start)))
    end = BLOB_FRAMES - 1 if direction == "forward" else 0
    spec = PropagateSpec("s1", direction, start, end, None)  # type: ignore[arg-type]
    frames = []
    for result in harness.backend.propagate(spec):
        check_result(result, "s1")
        frames.append(result.frame)
        mask = _mask_of(result.objects, "o1")
        assert mask is not None, f"no mask on frame {result.frame}"
        assert iou(mask, _disc("blue", result.frame)) > 0.6, result.frame
    assert frames == frame_order(direction, start, end, BLOB_FRAMES)  # type: ignore[arg-type]


def test_bounded_propagation_stops_at_end_frame(harness: Harness, blob_video: Video) -> None:
    harness.open(blob_video)
    harness.backend.prompt(PointsPrompt("s1", 3, "o1", _click("blue", 3)))
    frames = [
        r.frame for r in harness.backend.propagate(PropagateSpec("s1", "forward", 3, 6, None))
    ]
    assert frames == [3, 4, 5, 6]
    frames = [
        r.frame for r in harness.backend.propagate(PropagateSpec("s1", "backward", 3, 1, None))
    ]
    assert frames == [3, 2, 1]


def test_several_objects_propagate_together_and_subset(harness: Harness, blob_video: Video) -> None:
    harness.open(blob_video)
    harness.backend.prompt(PointsPrompt("s1", 0, "a", _click("blue")))
    harness.backend.prompt(PointsPrompt("s1", 0, "b", _click("yellow")))
    results = list(harness.backend.propagate(PropagateSpec("s1", "forward", 0, 4, None)))
    for result in results:
        assert {o.obj_id for o in result.objects} >= {"a", "b"}
    only_b = list(harness.backend.propagate(PropagateSpec("s1", "forward", 0, 4, ("b",))))
    for result in only_b:
        assert "b" in {o.obj_id for o in result.objects}
        if harness.name == "classical":
            assert {o.obj_id for o in result.objects} == {"b"}
    # Unknown ids in the subset are simply absent.
    ghost = list(harness.backend.propagate(PropagateSpec("s1", "forward", 0, 2, ("ghost",))))
    assert [r.objects for r in ghost] == [(), (), ()]


def test_closing_the_generator_stops_a_propagation(harness: Harness, blob_video: Video) -> None:
    harness.open(blob_video)
    harness.backend.prompt(PointsPrompt("s1", 0, "o1", _click("blue")))
    stream = harness.backend.propagate(PropagateSpec("s1", "forward", 0, BLOB_FRAMES - 1, None))
    assert next(stream).frame == 0
    assert next(stream).frame == 1
    stream.close()  # what the engine does on cancel
    if harness.name == "sam3":
        assert harness.fake.streams_opened == harness.fake.streams_closed
    # The session still works afterwards.
    frames = [
        r.frame for r in harness.backend.propagate(PropagateSpec("s1", "forward", 0, 2, None))
    ]
    assert frames == [0, 1, 2]


def test_remove_object_and_reset(harness: Harness, blob_video: Video) -> None:
    harness.open(blob_video)
    harness.backend.prompt(PointsPrompt("s1", 0, "a", _click("blue")))
    harness.backend.prompt(PointsPrompt("s1", 0, "b", _click("yellow")))
    harness.backend.remove_object("s1", "a")
    harness.backend.remove_object("s1", "never-existed")  # a no-op
    results = list(harness.backend.propagate(PropagateSpec("s1", "forward", 0, 2, None)))
    assert all({o.obj_id for o in r.objects} == {"b"} for r in results)
    harness.backend.reset("s1")
    results = list(harness.backend.propagate(PropagateSpec("s1", "forward", 0, 2, None)))
    assert all(r.objects == () for r in results)
    # Prompts work again after a reset.
    result = harness.backend.prompt(PointsPrompt("s1", 1, "c", _click("blue", 1)))
    assert _mask_of(result.objects, "c") is not None


def test_close_is_idempotent_and_forgets_the_session(harness: Harness, blob_video: Video) -> None:
    harness.open(blob_video)
    harness.backend.prompt(PointsPrompt("s1", 0, "a", _click("blue")))
    harness.backend.close("s1")
    harness.backend.close("s1")
    with pytest.raises(WorkerError) as info:
        harness.backend.prompt(PointsPrompt("s1", 0, "a", _click("blue")))
    assert info.value.code == "SESSION_NOT_OPEN" and info.value.retryable
    if harness.name == "sam3":
        assert harness.fake.sessions == {}


def test_text_prompt(harness: Harness, blob_video: Video) -> None:
    harness.open(blob_video)
    spec = TextPrompt("s1", 0, "dogs", "red ball")
    if not harness.backend.capabilities.text:
        with pytest.raises(WorkerError) as info:
            harness.backend.prompt(spec)
        assert info.value.code == "UNSUPPORTED_PROMPT" and not info.value.retryable
        return
    result = harness.backend.prompt(spec)
    check_result(result, "s1")
    assert {o.obj_id for o in result.objects} == {"dogs", "dogs-1"}
    assert all(0 <= o.score <= 1 for o in result.objects)


def test_sessions_are_independent(harness: Harness, blob_video: Video) -> None:
    harness.open(blob_video, "s1")
    harness.open(blob_video, "s2")
    harness.backend.prompt(PointsPrompt("s1", 0, "a", _click("blue")))
    harness.backend.prompt(PointsPrompt("s2", 0, "z", _click("yellow")))
    r1 = list(harness.backend.propagate(PropagateSpec("s1", "forward", 0, 1, None)))
    assert {o.obj_id for o in r1[1].objects} == {"a"}
    harness.backend.close("s2")
    r1 = list(harness.backend.propagate(PropagateSpec("s1", "forward", 0, 1, None)))
    assert {o.obj_id for o in r1[1].objects} == {"a"}
