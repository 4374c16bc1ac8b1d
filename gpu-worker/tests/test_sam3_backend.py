"""The sam3 backend against the fake predictor: how concepts and click-made objects share one
Maskroom session despite SAM3's one-concept-per-session rule, priming before clicks, boxes on the
tracker path, errors, and the CUDA-only refusal."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from maskroom_worker.backend import BoxPrompt, PointsPrompt, PropagateSpec, TextPrompt
from maskroom_worker.cli import build_backend
from maskroom_worker.config import WorkerConfig
from maskroom_worker.errors import StartupError, WorkerError
from maskroom_worker.sam3 import Sam3Backend
from maskroom_worker.sam3.loader import load_predictor

from .conftest import (
    BLOB_FRAMES,
    BLOB_H,
    BLOB_W,
    Harness,
    Video,
    blob_centre,
    check_result,
    make_sam3_fake,
)
from .fake_sam3 import FakeSam3Predictor, OutOfMemoryError


def _click(name: str, frame: int = 0, positive: bool = True) -> tuple[float, float, bool]:
    x, y = blob_centre(name, frame)
    return (x / BLOB_W, y / BLOB_H, positive)


def _ids(result: object) -> set[str]:
    return {o.obj_id for o in result.objects}  # type: ignore[attr-defined]


@pytest.fixture
def sam3(blob_video: Video) -> Iterator[Harness]:
    backend, fakes = make_sam3_fake()
    with Harness("sam3", backend, fakes) as h:
        h.open(blob_video)
        yield h
        assert not h.fake.violations


def _requests(fake: FakeSam3Predictor, kind: str) -> list[dict[str, object]]:
    return [r for r in fake.requests if r["type"] == kind]


def test_concepts_and_clicks_coexist(sam3: Harness) -> None:
    b = sam3.backend
    cars = b.prompt(TextPrompt("s1", 0, "cars", "red cars"))
    assert _ids(cars) == {"cars", "cars-1"}  # best score first gets the prompt's id
    sky = b.prompt(TextPrompt("s1", 0, "sky", "blue"))
    assert _ids(sky) == {"sky"}
    clicked = b.prompt(PointsPrompt("s1", 0, "sun", (_click("yellow"),)))
    assert "sun" in _ids(clicked)
    # One SAM3 session per concept plus one for click-made objects.
    assert len(sam3.fake.sessions) == 3
    results = list(b.propagate(PropagateSpec("s1", "both", 0, BLOB_FRAMES - 1, None)))
    assert [r.frame for r in results] == list(range(BLOB_FRAMES))
    for result in results:
        check_result(result, "s1")
        assert _ids(result) == {"cars", "cars-1", "sky", "sun"}, result.frame
    # A later propagation of one concept only touches its SAM3 session.
    before = len(_requests(sam3.fake, "propagate_in_video"))
    only = list(b.propagate(PropagateSpec("s1", "forward", 0, 3, ("sky",))))
    assert all(_ids(r) == {"sky"} for r in only)
    assert len(_requests(sam3.fake, "propagate_in_video")) == before + 1


def test_a_new_text_on_the_same_object_replaces_its_concept_only(sam3: Harness) -> None:
    b = sam3.backend
    b.prompt(TextPrompt("s1", 0, "cars", "red"))
    b.prompt(PointsPrompt("s1", 0, "sun", (_click("yellow"),)))
    again = b.prompt(TextPrompt("s1", 0, "cars", "blue"))
    assert _ids(again) == {"cars"}
    results = list(b.propagate(PropagateSpec("s1", "forward", 0, 2, None)))
    assert all(_ids(r) == {"cars", "sun"} for r in results)


def test_clicking_a_detected_object_primes_its_concept_first(sam3: Harness) -> None:
    b = sam3.backend
    b.prompt(TextPrompt("s1", 0, "cars", "red"))
    # A click on another frame: SAM3 has no cached outputs there until a full pass ran.
    refined = b.prompt(PointsPrompt("s1", 6, "cars-1", (_click("red_b", 6),)))
    assert "cars-1" in _ids(refined)
    kinds = [r["type"] for r in sam3.fake.requests]
    assert kinds.index("propagate_in_video") < len(kinds) - 1
    assert kinds[-1] == "add_prompt" and sam3.fake.requests[-1]["points"]
    results = list(b.propagate(PropagateSpec("s1", "forward", 6, BLOB_FRAMES - 1, None)))
    assert all({"cars", "cars-1"} <= _ids(r) for r in results)


def test_the_click_session_is_primed_and_primer_detections_removed(blob_video: Video) -> None:
    backend, fakes = make_sam3_fake(primer_text="red")  # a primer that does detect things
    with Harness("sam3", backend, fakes) as h:
        h.open(blob_video)
        result = backend.prompt(PointsPrompt("s1", 4, "sun", (_click("yellow", 4),)))
        assert _ids(result) == {"sun"}
        removed = _requests(h.fake, "remove_object")
        assert len(removed) >= 2  # the two red blobs the primer found
        for r in backend.propagate(PropagateSpec("s1", "both", 4, BLOB_FRAMES - 1, None)):
            assert _ids(r) == {"sun"}
        # Later clicks reuse the primed session: no second priming.
        primes = len(_requests(h.fake, "propagate_in_video"))
        backend.prompt(PointsPrompt("s1", 2, "moon", (_click("blue", 2),)))
        assert len([r for r in h.fake.requests if r.get("text") == "red"]) == 1
        assert len(_requests(h.fake, "propagate_in_video")) == primes
        assert not h.fake.violations


def test_a_box_goes_through_the_tracker_without_resetting(sam3: Harness) -> None:
    b = sam3.backend
    b.prompt(PointsPrompt("s1", 0, "a", (_click("blue"),)))
    x, y = blob_centre("yellow", 0)
    box = ((x - 9) / BLOB_W, (y - 9) / BLOB_H, 18 / BLOB_W, 18 / BLOB_H)
    result = b.prompt(BoxPrompt("s1", 0, "b", box))
    assert _ids(result) == {"a", "b"}  # "a" survived: no semantic reset
    last = sam3.fake.requests[-1]
    assert last["point_labels"] == [2, 3] and "bounding_boxes" not in last


def test_text_on_a_click_made_object_makes_it_a_concept(sam3: Harness) -> None:
    b = sam3.backend
    b.prompt(PointsPrompt("s1", 0, "a", (_click("blue"),)))
    b.prompt(PointsPrompt("s1", 0, "b", (_click("yellow"),)))
    result = b.prompt(TextPrompt("s1", 0, "a", "red"))
    assert _ids(result) == {"a", "a-1"}
    results = list(b.propagate(PropagateSpec("s1", "forward", 0, 1, None)))
    assert all(_ids(r) == {"a", "a-1", "b"} for r in results)


def test_removing_a_concepts_objects_closes_its_sam3_session(sam3: Harness) -> None:
    b = sam3.backend
    b.prompt(TextPrompt("s1", 0, "sky", "blue"))
    assert len(sam3.fake.sessions) == 1
    b.remove_object("s1", "sky")
    assert sam3.fake.sessions == {}
    results = list(b.propagate(PropagateSpec("s1", "forward", 0, 1, None)))
    assert all(r.objects == () for r in results)


def test_backward_propagation_starts_with_the_known_masks(sam3: Harness) -> None:
    b = sam3.backend
    b.prompt(TextPrompt("s1", 5, "sky", "blue"))
    results = list(b.propagate(PropagateSpec("s1", "backward", 5, 2, None)))
    assert [r.frame for r in results] == [5, 4, 3, 2]
    assert all(_ids(r) == {"sky"} for r in results)


def test_track_limit(blob_video: Video) -> None:
    backend, fakes = make_sam3_fake(max_tracks=2)
    with Harness("sam3", backend, fakes) as h:
        h.open(blob_video)
        backend.prompt(TextPrompt("s1", 0, "x", "red"))
        backend.prompt(TextPrompt("s1", 0, "y", "blue"))
        with pytest.raises(WorkerError) as info:
            backend.prompt(TextPrompt("s1", 0, "z", "yellow"))
        assert info.value.code == "UNSUPPORTED_PROMPT"


def test_out_of_memory_is_retryable(sam3: Harness) -> None:
    sam3.fake.fail_next = OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
    with pytest.raises(OutOfMemoryError) as info:
        sam3.backend.prompt(TextPrompt("s1", 0, "x", "red"))
    mapped = sam3.backend.classify_error(info.value)
    assert mapped is not None and mapped.code == "OUT_OF_MEMORY" and mapped.retryable
    assert sam3.backend.classify_error(ValueError("other")) is None


def test_open_checks_the_folder_holds_exactly_the_frames(tmp_path: Path, blob_video: Video) -> None:
    backend, fakes = make_sam3_fake()
    with Harness("sam3", backend, fakes) as h:
        wrong = Video(blob_video.path, BLOB_FRAMES - 2, BLOB_W, BLOB_H)
        with pytest.raises(WorkerError) as info:
            h.open(wrong)
        assert info.value.code == "INVALID_REQUEST"


def test_the_fake_enforces_the_autocast_thread(blob_video: Video) -> None:
    """Calls from a thread without the compute thread's autocast fail, as in SAM3."""
    fake = FakeSam3Predictor()
    with pytest.raises(RuntimeError, match="autocast"):
        fake.handle_request({"type": "start_session", "resource_path": str(blob_video.path)})


def test_sam3_refuses_the_cpu() -> None:
    with pytest.raises(StartupError, match="CUDA"):
        Sam3Backend(device="cpu")
    with pytest.raises(StartupError, match="CUDA"):
        build_backend(WorkerConfig(backend="sam3", device="cpu"))
    with pytest.raises(StartupError):
        load_predictor("cuda:0", None)  # no torch (or no CUDA) on a test machine
