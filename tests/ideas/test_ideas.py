"""Golden ideas from a phone: submitting with photos (checked, cleaned of location data, nothing
stored when anything is wrong), retries, endorsements and the review threshold, comments, the list's
filters and sorting, and community isolation of ideas and their photos."""

from __future__ import annotations

import io
import os
import uuid

import pytest
from flask_babel import force_locale
from PIL import Image
from sqlalchemy.exc import IntegrityError

from app.core.errors import Forbidden
from app.core.uploads import Photo, photo_path
from app.extensions import db
from app.ideas import services as ideas_services
from app.ideas.models import Category, Endorsement, Idea, IdeaComment, IdeaEvent, IdeaPhoto, IdeaStatus
from app.notifications.models import Notification
from tests import factories
from tests.ideas import count, image_bytes, jpeg_with_gps, logged_in, make_idea, page, text_of, upload, viewer

TITLE = "2栋门口加装电动车充电桩"
DESCRIPTION = "晚上电动车在楼道里飞线充电，很危险。\n建议在2栋门口空地装一排充电桩。"


@pytest.fixture
def upload_dir(app, tmp_path):
    directory = tmp_path / "uploads"
    app.config["UPLOAD_DIR"] = str(directory)
    return directory


def files_under(directory) -> list:
    return sorted(p for p in directory.rglob("*") if p.is_file()) if directory.exists() else []


def as_(app, world, key, language="en"):
    return logged_in(app, world.users[key], language)


def submit(http, world, *, photos=(), client_id=None, **fields):
    data = {
        "client_id": client_id or uuid.uuid4().hex,
        "title": TITLE,
        "category": "safety",
        "description": DESCRIPTION,
        **fields,
    }
    if photos:
        data["photos"] = list(photos)
    return http.post(f"/c/{world.community.slug}/ideas/new", data=data, content_type="multipart/form-data")


def nothing_stored(upload_dir) -> bool:
    db.session.expire_all()
    return (count(Idea), count(IdeaPhoto), count(Photo), count(IdeaEvent), files_under(upload_dir)) == (
        0,
        0,
        0,
        0,
        [],
    )


def field_error(response, field_id: str) -> str:
    return text_of(page(response), f'//*[@id="{field_id}-error"]')


# -- submitting ------------------------------------------------------------------------------------


def test_submit_with_photos_stores_them_without_location_data(app, world, upload_dir):
    http = as_(app, world, "resident")
    response = submit(
        http,
        world,
        photos=[upload(jpeg_with_gps((1200, 900)), "IMG_0001.jpg"), upload(image_bytes("PNG"), "图.png", "image/png")],
    )

    assert response.status_code == 302
    idea = db.session.scalars(db.select(Idea)).one()
    assert response.headers["Location"].endswith(f"/ideas/{idea.id}")
    assert (idea.title, idea.description, idea.category) == (TITLE, DESCRIPTION, Category.SAFETY)
    assert idea.author_id == world.users["resident"].id
    assert idea.building_id == world.building_a.id  # the submitter's building
    assert idea.status == IdeaStatus.SUBMITTED
    assert [(e.from_status, e.to_status) for e in idea.events] == [(None, IdeaStatus.SUBMITTED)]
    photos = [db.session.get(Photo, p.photo_id) for p in idea.photos]
    assert [p.content_type for p in photos] == ["image/jpeg", "image/png"]
    assert all(p.community_id == world.community.id for p in photos)

    with Image.open(photo_path(photos[0], upload_dir)) as stored:
        assert stored.format == "JPEG"
        assert "exif" not in stored.info
        assert not stored.getexif()
        assert stored.size == (1200, 900)
    for photo in photos:
        assert photo_path(photo, upload_dir).is_file()
        assert photo_path(photo, upload_dir, thumb=True).is_file()

    # the idea's page: thumbnails linking to the full photos
    doc = page(http.get(f"/ideas/{idea.id}"))
    for photo in photos:
        (img,) = doc.xpath(f'//a[@href="/photos/{photo.id}"]/img')
        assert img.get("src") == f"/photos/{photo.id}/thumb"
        assert img.get("width") and img.get("height") and img.get("loading") == "lazy"
        assert img.get("alt")
    # the list: the first photo's thumbnail
    doc = page(http.get(f"/c/{world.community.slug}/ideas"))
    (thumb,) = doc.xpath('//img[contains(@class, "idea-thumb")]')
    assert thumb.get("src") == f"/photos/{photos[0].id}/thumb"
    assert thumb.get("width") and thumb.get("height") and thumb.get("loading") == "lazy"


def test_the_form_is_a_phone_form(app, world):
    response = as_(app, world, "resident").get(f"/c/{world.community.slug}/ideas/new")
    assert response.status_code == 200
    doc = page(response)
    (form,) = doc.xpath('//main//form[@method="post"]')
    assert form.get("enctype") == "multipart/form-data"
    (photos,) = form.xpath('.//input[@type="file"][@name="photos"]')
    assert photos.get("multiple") is not None
    assert "image/jpeg" in photos.get("accept")
    assert "JPEG, PNG or WebP" in text_of(doc, '//*[@id="photos-hint"]')
    assert "again" not in text_of(doc, '//*[@id="photos-hint"]')
    assert "Location data" in text_of(doc, '//*[@id="photos-hint"]')
    assert form.xpath('.//select[@name="category"]/option[@value="elderly"]')
    assert form.xpath('.//textarea[@name="description"]')


def test_a_text_file_renamed_jpg_is_refused_and_nothing_is_stored(app, world, upload_dir):
    response = submit(
        as_(app, world, "resident"),
        world,
        photos=[upload(image_bytes("JPEG"), "ok.jpg"), upload(b"just some text, not a photo\n" * 20, "fake.jpg")],
    )
    assert response.status_code == 400
    assert "not a photo we can use" in field_error(response, "photos")
    assert page(response).xpath('//input[@name="title"]/@value') == [TITLE]  # what was typed is kept
    # a browser cannot keep the chosen files: say so
    assert "choose your photos again" in text_of(page(response), '//*[@id="photos-hint"]')
    assert nothing_stored(upload_dir)


def test_an_oversized_photo_is_refused_and_nothing_is_stored(app, world, upload_dir):
    app.config["UPLOAD_MAX_BYTES"] = 2000
    noisy = Image.effect_noise((300, 300), 80).convert("RGB")
    out = io.BytesIO()
    noisy.save(out, "JPEG", quality=95)
    assert len(out.getvalue()) > 2000
    response = submit(
        as_(app, world, "resident"),
        world,
        photos=[upload(image_bytes("JPEG", size=(8, 8)), "small.jpg"), upload(out.getvalue(), "big.jpg")],
    )
    assert response.status_code == 400
    assert "too large" in field_error(response, "photos")
    assert nothing_stored(upload_dir)


def test_seven_photos_are_refused_and_six_are_fine(app, world, upload_dir):
    http = as_(app, world, "resident")
    seven = [upload(image_bytes("PNG", size=(10, 10)), f"{n}.png", "image/png") for n in range(7)]
    response = submit(http, world, photos=seven)
    assert response.status_code == 400
    assert "At most 6 photos" in field_error(response, "photos")
    assert nothing_stored(upload_dir)

    six = [upload(image_bytes("PNG", size=(10, 10)), f"{n}.png", "image/png") for n in range(6)]
    assert submit(http, world, photos=six).status_code == 302
    assert count(IdeaPhoto) == 6
    assert len(files_under(upload_dir)) == 12  # each photo and its thumbnail


def test_a_retried_submission_stores_one_idea(app, world, upload_dir):
    http = as_(app, world, "resident")
    client_id = uuid.uuid4().hex
    first = submit(http, world, client_id=client_id, photos=[upload(image_bytes("JPEG"), "a.jpg")])
    again = submit(http, world, client_id=client_id, photos=[upload(image_bytes("JPEG"), "a.jpg")])
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"]
    assert count(Idea) == 1
    assert count(Photo) == 1
    assert len(files_under(upload_dir)) == 2
    # the same client_id from another member is another idea
    assert submit(as_(app, world, "owner"), world, client_id=client_id).status_code == 302
    assert count(Idea) == 2


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"title": ""}, "title", "Give your idea a title."),
        ({"title": "   "}, "title", "between 2 and 100"),
        ({"description": "好"}, "description", "between 5 and 2000"),
        ({"category": "fireworks"}, "category", "Not a valid choice"),
        ({"title": "长" * 101}, "title", "between 2 and 100"),
    ],
    ids=["empty_title", "blank_title", "one_char_description", "unknown_category", "long_title"],
)
def test_bad_input_is_refused_with_messages_and_nothing_is_stored(app, world, upload_dir, fields, field, message):
    response = submit(as_(app, world, "resident"), world, photos=[upload(image_bytes("JPEG"), "a.jpg")], **fields)
    assert response.status_code == 400
    assert message in field_error(response, field)
    doc = page(response)
    assert doc.xpath(f'//*[@id="{field}"][@aria-invalid="true"]')
    assert doc.xpath('//div[@class="error-summary"]')
    assert nothing_stored(upload_dir)


# -- endorsing -------------------------------------------------------------------------------------


def test_a_member_endorses_once(app, world):
    idea = make_idea(world, "owner")
    http = as_(app, world, "resident")
    assert http.post(f"/ideas/{idea.id}/endorse").status_code == 302
    assert http.post(f"/ideas/{idea.id}/endorse").status_code == 302  # a retry changes nothing
    db.session.expire_all()
    assert idea.endorsement_count == 1
    assert count(Endorsement, idea_id=idea.id) == 1
    doc = page(http.get(f"/ideas/{idea.id}"))
    assert "You endorsed this" in text_of(doc, '//section[contains(@class, "endorse-panel")]')
    assert not doc.xpath(f'//form[@action="/ideas/{idea.id}/endorse"]')
    assert "1 endorsement" in text_of(doc, '//p[@class="endorse-count"]')
    assert "20 endorsements needed for staff review" in text_of(doc, '//section[contains(@class, "endorse-panel")]')


def test_the_submitter_cannot_endorse_her_own_idea(app, world):
    """Endorsements are the support others give an idea: the submitter is refused (by the service too, not
    only by the page hiding the button), told why, and nothing is counted."""
    idea = make_idea(world, "owner")
    with pytest.raises(Forbidden) as refused:
        ideas_services.endorse(viewer(world, "owner"), idea)
    assert refused.value.code == "own_idea"
    with force_locale("en"):
        assert str(refused.value.message) == "You submitted this idea: other residents endorse it."
    db.session.rollback()
    http = as_(app, world, "owner")
    response = http.post(f"/ideas/{idea.id}/endorse")
    assert response.status_code == 403
    assert "You submitted this idea: other residents endorse it." in response.get_data(as_text=True)
    db.session.expire_all()
    assert count(Endorsement, idea_id=idea.id) == 0 and idea.endorsement_count == 0
    doc = page(http.get(f"/ideas/{idea.id}"))
    assert not doc.xpath(f'//form[@action="/ideas/{idea.id}/endorse"]')
    panel = text_of(doc, '//section[contains(@class, "endorse-panel")]')
    assert "You submitted this idea: other residents endorse it." in panel
    # anyone else may
    assert as_(app, world, "resident").post(f"/ideas/{idea.id}/endorse").status_code == 302
    db.session.expire_all()
    assert idea.endorsement_count == 1


def test_the_database_refuses_a_second_endorsement(app, world):
    idea = make_idea(world, "owner")
    db.session.add(Endorsement(idea_id=idea.id, user_id=world.users["resident"].id))
    db.session.commit()
    db.session.add(Endorsement(idea_id=idea.id, user_id=world.users["resident"].id))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_reaching_the_threshold_notifies_every_staff_member_once(app, world):
    world.community.idea_threshold = 2
    second_staff = factories.user(name="第二位社工")
    factories.membership(second_staff, world.community, factories.Role.COMMUNITY_STAFF)
    pending_staff = factories.user(name="待认证社工")
    factories.membership(
        pending_staff, world.community, factories.Role.COMMUNITY_STAFF, status=factories.MembershipStatus.PENDING
    )
    db.session.commit()
    idea = make_idea(world, "owner")

    def told() -> dict:
        rows = db.session.scalars(db.select(Notification).filter_by(kind="idea_threshold"))
        found: dict = {}
        for row in rows:
            found[row.user_id] = found.get(row.user_id, 0) + 1
        return found

    as_(app, world, "resident").post(f"/ideas/{idea.id}/endorse")
    assert told() == {}
    as_(app, world, "leader_a").post(f"/ideas/{idea.id}/endorse")
    expected = {world.users["staff"].id: 1, second_staff.id: 1}
    assert told() == expected
    as_(app, world, "leader_b").post(f"/ideas/{idea.id}/endorse")
    as_(app, world, "leader_a").post(f"/ideas/{idea.id}/endorse")  # a retry
    assert told() == expected
    note = db.session.scalars(db.select(Notification).filter_by(kind="idea_threshold", user_id=second_staff.id)).one()
    assert note.url == f"/ideas/{idea.id}"
    db.session.expire_all()
    assert idea.endorsement_count == 3
    doc = page(as_(app, world, "resident").get(f"/ideas/{idea.id}"))
    assert "Enough endorsements" in text_of(doc, '//section[contains(@class, "endorse-panel")]')


@pytest.mark.parametrize("status", [IdeaStatus.MERGED, IdeaStatus.DECLINED], ids=lambda s: s.value)
def test_a_closed_idea_is_not_endorsed(app, world, status):
    idea = make_idea(world, "owner", status=status)
    response = as_(app, world, "resident").post(f"/ideas/{idea.id}/endorse")
    assert response.status_code == 409
    db.session.expire_all()
    assert count(Endorsement) == 0
    assert idea.endorsement_count == 0
    doc = page(as_(app, world, "resident").get(f"/ideas/{idea.id}"))
    assert not doc.xpath(f'//form[@action="/ideas/{idea.id}/endorse"]')


# -- comments and the idea's page --------------------------------------------------------------------


def test_comments_retry_and_errors(app, world):
    idea = make_idea(world, "owner")
    http = as_(app, world, "property_manager")
    client_id = uuid.uuid4().hex
    for _ in range(2):
        response = http.post(f"/ideas/{idea.id}/comments", data={"client_id": client_id, "body": "物业可以配合安装。"})
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/ideas/{idea.id}#comments")
    assert count(IdeaComment) == 1
    response = http.post(f"/ideas/{idea.id}/comments", data={"client_id": uuid.uuid4().hex, "body": ""})
    assert response.status_code == 400
    assert "Write a comment." in field_error(response, "body")
    assert count(IdeaComment) == 1
    doc = page(as_(app, world, "resident").get(f"/ideas/{idea.id}"))
    assert "物业可以配合安装。" in text_of(doc, '//ul[@class="comments"]')


def test_the_description_is_escaped_with_its_line_breaks(app, world):
    idea = make_idea(world, "owner", description="第一行<script>alert(1)</script>\n第二行 <b>粗</b>")
    html = as_(app, world, "resident").get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "<b>粗</b>" not in html
    escaped = "第一行&lt;script&gt;alert(1)&lt;/script&gt;\n第二行 &lt;b&gt;粗&lt;/b&gt;"
    assert f'<p class="idea-text" data-read-aloud>{escaped}</p>' in html


def test_the_ids_of_the_page_are_unique(app, world):
    """Staff see the status, adopt and comment forms on one page: each field has its own id."""
    from app.procedure.shipped import ensure_shipped

    ensure_shipped()
    idea = make_idea(world, "owner", status=IdeaStatus.UNDER_REVIEW)
    doc = page(as_(app, world, "staff").get(f"/ideas/{idea.id}"))
    ids = doc.xpath("//@id")
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for label in doc.xpath("//label[@for]"):
        assert doc.xpath(f'//*[@id="{label.get("for")}"]'), label.get("for")


# -- the list ---------------------------------------------------------------------------------------


def titles(response) -> list[str]:
    assert response.status_code == 200
    return [a.text_content().strip() for a in page(response).xpath('//li[contains(@class, "idea-card")]//h2/a')]


@pytest.fixture
def listed(world):
    """Four ideas in the community (in this order) and one in the neighbouring community."""
    make_idea(world, "resident", title="A 老年食堂", category=Category.ELDERLY, endorsement_count=5)
    make_idea(
        world,
        "leader_b",
        title="B 2栋停车位",
        category=Category.PARKING,
        status=IdeaStatus.UNDER_REVIEW,
        endorsement_count=10,
    )
    make_idea(
        world, "owner", title="C 1栋停车位", category=Category.PARKING, status=IdeaStatus.DECLINED, endorsement_count=1
    )
    make_idea(world, "resident_rep", title="D 消防通道", category=Category.SAFETY)
    make_idea(world, "other_resident", community=world.other, title="E 南塘的点子", category=Category.PARKING)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["D 消防通道", "C 1栋停车位", "B 2栋停车位", "A 老年食堂"]),
        ("?sort=endorsed", ["B 2栋停车位", "A 老年食堂", "C 1栋停车位", "D 消防通道"]),
        ("?category=parking", ["C 1栋停车位", "B 2栋停车位"]),
        ("?category=parking&sort=endorsed", ["B 2栋停车位", "C 1栋停车位"]),
        ("?status=under_review", ["B 2栋停车位"]),
        ("?status=declined&category=parking", ["C 1栋停车位"]),
        ("?building=A", ["C 1栋停车位", "A 老年食堂"]),
        ("?building=B", ["D 消防通道", "B 2栋停车位"]),
        ("?building=B&category=parking", ["B 2栋停车位"]),
        (
            "?category=fireworks&status=nonsense&building=x&sort=random",
            ["D 消防通道", "C 1栋停车位", "B 2栋停车位", "A 老年食堂"],
        ),
        ("?status=implemented", []),
        ("?building=OTHER", []),
    ],
)
def test_filters_and_sorting(app, world, listed, query, expected):
    query = query.replace("building=A", f"building={world.building_a.id}").replace(
        "building=B", f"building={world.building_b.id}"
    )
    if "OTHER" in query:
        query = query.replace("OTHER", str(world.households["other101"].building_id))
    response = as_(app, world, "resident").get(f"/c/{world.community.slug}/ideas{query}")
    assert titles(response) == expected
    assert "南塘的点子" not in response.get_data(as_text=True)


def test_the_filter_form_keeps_its_choices_and_works_without_script(app, world, listed):
    url = f"/c/{world.community.slug}/ideas?category=parking&sort=endorsed&building={world.building_b.id}"
    doc = page(as_(app, world, "resident").get(url))
    (form,) = doc.xpath('//main//form[@method="get"]')  # the header's search box is another
    assert form.get("action") == f"/c/{world.community.slug}/ideas"
    assert form.xpath('.//select[@name="category"]/option[@selected]/@value') == ["parking"]
    assert form.xpath('.//select[@name="sort"]/option[@selected]/@value') == ["endorsed"]
    assert form.xpath('.//select[@name="building"]/option[@selected]/@value') == [str(world.building_b.id)]
    assert form.xpath('.//button[@type="submit"]')


def test_the_other_community_sees_only_its_own_ideas(app, world, listed):
    assert titles(as_(app, world, "other_resident").get(f"/c/{world.other.slug}/ideas")) == ["E 南塘的点子"]


def test_empty_list(app, world):
    doc = page(as_(app, world, "resident").get(f"/c/{world.community.slug}/ideas"))
    assert "No ideas yet." in text_of(doc, "//main")
    doc = page(as_(app, world, "resident").get(f"/c/{world.community.slug}/ideas?status=adopted"))
    assert "No ideas match these filters." in text_of(doc, "//main")


def test_the_community_home_links_to_the_ideas(app, world):
    doc = page(as_(app, world, "resident").get(f"/c/{world.community.slug}/"))
    assert doc.xpath(f'//a[@href="/c/{world.community.slug}/ideas"]')


# -- photos -----------------------------------------------------------------------------------------


def test_an_ideas_photo_is_served_to_the_community_only(app, world, upload_dir):
    assert submit(as_(app, world, "resident"), world, photos=[upload(jpeg_with_gps(), "a.jpg")]).status_code == 302
    photo = db.session.scalars(db.select(Photo)).one()
    for key, status in {
        "owner": 200,
        "unverified": 200,
        "street_staff": 200,
        "other_resident": 404,
        "other_staff": 404,
        "outsider": 404,
    }.items():
        for url in (f"/photos/{photo.id}", f"/photos/{photo.id}/thumb"):
            response = as_(app, world, key).get(url)
            body = response.get_data()
            response.close()  # send_file keeps the file open until then
            assert response.status_code == status, (key, url)
            if status == 200:
                assert response.mimetype == "image/jpeg"
                assert not Image.open(io.BytesIO(body)).getexif()
    assert logged_in(app, None).get(f"/photos/{photo.id}").status_code == 302
    assert os.path.isfile(photo_path(photo, upload_dir))


# -- known problems (app code owned elsewhere) --------------------------------------------------------


def test_six_ordinary_phone_photos_fit_in_one_submission(app, world, upload_dir):
    noise = Image.frombytes("RGB", (720, 720), os.urandom(720 * 720 * 3))
    out = io.BytesIO()
    noise.save(out, "PNG", compress_level=0)
    data = out.getvalue()  # about 1.5 MB: less than an ordinary phone photo
    assert len(data) < app.config["UPLOAD_MAX_BYTES"]
    response = submit(
        as_(app, world, "resident"), world, photos=[upload(data, f"{n}.png", "image/png") for n in range(6)]
    )
    # The test client spools a body this large to a temporary file: close it now, not when the
    # garbage collector gets to it (a ResourceWarning, an error, in whichever test runs then).
    response.request.environ["wsgi.input"].close()
    assert response.status_code == 302


def test_endorsing_a_closed_idea_explains_why(app, world):
    idea = make_idea(world, "owner", status=IdeaStatus.DECLINED)
    response = as_(app, world, "resident").post(f"/ideas/{idea.id}/endorse")
    assert response.status_code == 409
    assert "This idea is closed." in response.get_data(as_text=True)
