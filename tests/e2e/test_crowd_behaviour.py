"""Custom and built-in templates behave in the portal's task frame, at 1400 px and 400 px wide:
unknown crowd-* elements block submit, Submit is the last control, nothing overflows a phone
screen, label text selects its control, required groups block submit, CDN libraries load, images
zoom and pan, and predicted boxes are outlined on first render without tinting the image."""

from __future__ import annotations

import datetime
import io
import ipaddress
import json
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import screen_checks
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from e2e_actions import press_at
from PIL import Image
from screen_checks import CONTROLS_JS, OVERFLOW_JS, save_shot

from a2i_kit.service.objects import put_object
from a2i_kit.templates import builtin, builtin_names, install_assets

page = screen_checks.page   # the page fixture at 1400 and 400 px
pytestmark = pytest.mark.browser
LOADER = '<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>\n'




@pytest.fixture
def cdn(tmp_path: Path) -> Iterator[str]:
    """A stand-in CDN: an https server on loopback (self-signed; the test browser ignores that)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .sign(key, hashes.SHA256()))
    (tmp_path / "cdn.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM) + key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    files = {"/npm/fake-lib@1/lib.js": ("application/javascript", "window.fakeLib = {answer: () => 42};"),
             "/npm/fake-lib@1/data.json": ("application/json", json.dumps({"word": "forty-two"})),
             "/npm/fake-lib@1/style.css": ("text/css", ".from-cdn { color: rgb(1, 2, 3); }")}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            media, body = files.get(self.path, ("text/plain", "missing"))
            self.send_response(200 if self.path in files else 404)
            for header, value in (("Content-Type", media), ("Access-Control-Allow-Origin", "*"),
                                  ("Content-Length", str(len(body.encode())))):
                self.send_header(header, value)
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(tmp_path / "cdn.pem")
    server.socket = tls.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}/npm/fake-lib@1"
    finally:
        server.shutdown()


@pytest.fixture
def open_template(make_flow: Any, make_worker: Any, start_loop: Any, portal: Any) -> Any:
    """``open_template(template, task_input)`` -> (loop, frame locator) in a signed-in portal."""
    def open_(template: str, task_input: dict[str, Any] | None = None) -> tuple[str, Any]:
        loop = start_loop(make_flow(template=template), task_input or {})
        portal.sign_in(make_worker("alice"))
        return loop, portal.open_task(loop)
    return open_


def png(width: int, height: int, colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


def shot(page: Any, name: str) -> None:
    save_shot(page, name)


def form_error(frame: Any) -> str:
    return frame.locator("crowd-form .crowd-form-errors").first.text_content().strip()


def answer_of(output_of: Any, loop: str) -> dict[str, Any]:
    return output_of(loop)["humanAnswers"][0]["answerContent"]


def assert_submit_last(frame: Any) -> None:
    controls = frame.locator("html").evaluate(CONTROLS_JS)
    submits = [c for c in controls if c["name"] == "Submit"]
    assert len(submits) == 1, controls
    below = [c for c in controls if c is not submits[0] and c["bottom"] > submits[0]["top"] + 1]
    assert below == [], f"controls below Submit: {below}"


def assert_fits(page: Any, frame: Any) -> None:
    found = frame.locator("html").evaluate(OVERFLOW_JS)
    assert found["bad"] == [], found
    assert found["scrollWidth"] <= found["width"], found
    frame_box = page.locator("iframe[data-task-frame]").bounding_box()
    assert frame_box["x"] + frame_box["width"] <= page.viewport_size["width"] + 1


def test_unknown_element_blocks_submit_with_its_name(open_template: Any, runtime_client: Any, page: Any) -> None:
    loop, frame = open_template(LOADER + """<crowd-form><crowd-input name="note" value="x"></crowd-input>
        <crowd-3d-point-cloud name="cloud" src="s3://b/k.pcd"></crowd-3d-point-cloud></crowd-form>""")
    message = "This task uses <crowd-3d-point-cloud>, which this portal cannot show yet; tell the task's owner."
    assert frame.locator("crowd-alert[data-unknown-notice]").text_content() == message
    frame.get_by_role("button", name="Submit").click()
    assert form_error(frame) == message
    shot(page, "unknown-element")
    assert "/_a2i/portal/tasks/" in page.url
    assert runtime_client.describe_human_loop(HumanLoopName=loop)["HumanLoopStatus"] == "InProgress"


@pytest.mark.parametrize("name", builtin_names())
def test_builtin_submit_is_last_and_nothing_overflows(name: str, service: Any, open_template: Any, page: Any) -> None:
    template = builtin(name)
    install_assets(service.context.config.mirror_dir)
    _loop, frame = open_template(template.content, template.sample_input)
    frame.locator("[data-image-ready], html:not(:has(crowd-bounding-box, crowd-textract-analyze-document))").first.wait_for()
    assert_submit_last(frame)
    assert_fits(page, frame)
    shot(page, f"builtin-{name}")


def test_controls_appended_to_an_inner_form_stay_above_submit(open_template: Any, output_of: Any, portal: Any,
                                                              page: Any) -> None:
    loop, frame = open_template(LOADER + """<crowd-entity-annotation name="ner" header="Tag the names"
        text="Ann met Bob." labels="[{label: 'person'}]"></crowd-entity-annotation>
        <script>document.addEventListener("all-crowd-elements-ready", () => {
          const form = document.querySelector("crowd-entity-annotation").shadowRoot.querySelector("crowd-form").form;
          const box = document.createElement("label");
          box.innerHTML = '<input type="checkbox" name="unsure" value="yes"> I am not sure';
          form.appendChild(box);
        });</script>""")
    frame.get_by_text("I am not sure").click()
    assert_submit_last(frame)
    assert_fits(page, frame)
    portal.submit_and_wait(frame)
    assert answer_of(output_of, loop) == {"ner": {"entities": []}, "unsure": {"yes": True}}


def test_label_text_selects_and_required_groups_block_submit(open_template: Any, output_of: Any, portal: Any,
                                                             page: Any) -> None:
    loop, frame = open_template(LOADER + """<crowd-form>
        <p>Is the answer right?</p>
        <label><input type="radio" name="verdict" value="agree" required> Agree</label>
        <label><input type="radio" name="verdict" value="disagree"> Disagree</label>
        <crowd-radio-group name="quality" required>
          <crowd-radio-button name="good" value="good">Good photo</crowd-radio-button>
          <crowd-radio-button name="bad" value="bad">Bad photo</crowd-radio-button></crowd-radio-group>
        <crowd-checkbox name="flag" value="blurry">It is blurry</crowd-checkbox>
        <input type="checkbox" id="c1" name="extra" value="late"><label for="c1">Arrived late</label>
        </crowd-form>""")
    frame.get_by_role("button", name="Submit").click()
    assert form_error(frame) == 'Please fill in "verdict": Please select one of these options.'
    frame.get_by_text("Disagree").click()
    frame.get_by_role("button", name="Submit").click()
    assert form_error(frame) == 'Choose one of the options of "quality".'
    shot(page, "required-group")
    for text in ("Bad photo", "It is blurry", "Arrived late"):
        frame.get_by_text(text, exact=True).click()
    portal.submit_and_wait(frame)
    assert answer_of(output_of, loop) == {
        "verdict": {"agree": False, "disagree": True}, "good": {"good": False}, "bad": {"bad": True},
        "flag": {"blurry": True}, "extra": {"late": True}}


def test_cdn_library_loads_in_the_sandboxed_frame(open_template: Any, output_of: Any, portal: Any, page: Any,
                                                  cdn: str) -> None:
    loop, frame = open_template(LOADER + f"""<link rel="stylesheet" href="{cdn}/style.css">
        <script src="{cdn}/lib.js"></script>
        <crowd-form><p class="from-cdn">styled</p><input type="hidden" name="lib" id="lib"></crowd-form>
        <script>fetch("{cdn}/data.json").then((r) => r.json()).then((d) => {{
          document.getElementById("lib").value = window.fakeLib.answer() + " " + d.word;
          document.body.dataset.libReady = "";
        }});</script>""")
    frame.locator("body[data-lib-ready]").wait_for(state="attached")
    assert frame.locator("p.from-cdn").evaluate("p => getComputedStyle(p).color") == "rgb(1, 2, 3)"
    iframe = page.locator("iframe[data-task-frame]")
    assert "allow-same-origin" not in iframe.get_attribute("sandbox")
    assert iframe.element_handle().content_frame().evaluate("() => self.origin") == "null"
    portal.submit_and_wait(frame)
    assert answer_of(output_of, loop) == {"lib": "42 forty-two"}


def test_predicted_boxes_outlined_on_first_render_without_tint(service: Any, open_template: Any, page: Any) -> None:
    put_object(service.context, "pics", "blue.png", png(200, 150, "#3366cc"))
    _loop, frame = open_template(LOADER + """<crowd-form><crowd-bounding-box name="b" header="Check the box"
        src="{{ task.input.image | grant_read_access }}" labels="['Car']"
        initial-value="[{label: 'Car', left: 40, top: 30, width: 120, height: 90}]"></crowd-bounding-box></crowd-form>""",
        {"image": "s3://pics/blue.png"})
    host = frame.locator("crowd-bounding-box[data-image-ready]")
    host.wait_for()
    style = frame.locator("crowd-bounding-box rect.crowd-shape").evaluate(
        "r => { const s = getComputedStyle(r); return [parseFloat(s.strokeWidth), s.fillOpacity, r.getBoundingClientRect().width]; }")
    assert style[0] > 0
    assert style[1] == "0"
    assert style[2] > 0
    svg = frame.locator("crowd-bounding-box svg.crowd-canvas")
    svg.scroll_into_view_if_needed()
    image = Image.open(io.BytesIO(svg.screenshot())).convert("RGB")
    scale = image.width / 200
    assert image.getpixel((int(100 * scale), int(75 * scale))) == (0x33, 0x66, 0xCC)    # inside the box: untinted
    edge = image.getpixel((int(40 * scale), int(75 * scale)))
    assert edge != (0x33, 0x66, 0xCC)                                                   # the outline shows
    shot(page, "bounding-box-predicted")


def test_images_zoom_and_pan_and_boxes_drawn_zoomed_keep_image_pixels(
        service: Any, open_template: Any, output_of: Any, portal: Any, page: Any) -> None:
    put_object(service.context, "pics", "grey.png", png(200, 150, "#888888"))
    loop, frame = open_template(LOADER + """<crowd-form>
        <crowd-image-classifier name="kind" header="What is it?" categories="['a', 'b']"
          src="{{ task.input.image | grant_read_access }}"></crowd-image-classifier>
        <crowd-bounding-box name="boxes" src="{{ task.input.image | grant_read_access }}" labels="['Car']"></crowd-bounding-box>
        </crowd-form>""", {"image": "s3://pics/grey.png"})
    img = frame.locator("crowd-image-classifier img.crowd-target-image")
    viewport = frame.locator("crowd-image-classifier [data-zoom-viewport]")
    before = img.bounding_box()
    frame.locator("crowd-image-classifier").get_by_role("button", name="Zoom in").click()
    assert viewport.get_attribute("data-zoom") == "1.25"
    assert img.bounding_box()["width"] == pytest.approx(before["width"] * 1.25, rel=0.01)
    viewport.focus()
    page.keyboard.press("+")
    assert viewport.get_attribute("data-zoom") == "1.563"
    x_before = img.bounding_box()["x"]
    page.keyboard.press("ArrowRight")                        # pans: the image moves left
    assert img.bounding_box()["x"] < x_before
    frame.locator("crowd-image-classifier").get_by_role("button", name="Fit").click()
    assert viewport.get_attribute("data-zoom") == "1"
    frame.locator("crowd-image-classifier .crowd-choice", has_text="b").click()

    host = frame.locator("crowd-bounding-box[data-image-ready]")
    host.wait_for()
    for _ in range(3):
        frame.locator("crowd-bounding-box").get_by_role("button", name="Zoom in").click()
    svg = frame.locator("crowd-bounding-box svg.crowd-canvas")
    svg.scroll_into_view_if_needed()
    box = svg.bounding_box()
    s = box["width"] / 200
    press_at(page, svg, box["x"] + 80 * s, box["y"] + 60 * s)
    page.mouse.move(box["x"] + 100 * s, box["y"] + 70 * s, steps=4)
    page.mouse.move(box["x"] + 120 * s, box["y"] + 80 * s, steps=4)
    page.mouse.up()
    shot(page, "zoomed-box")
    portal.submit_and_wait(frame)
    answer = answer_of(output_of, loop)
    assert answer["kind"] == {"label": "b"}
    [drawn] = answer["boxes"]["boundingBoxes"]
    assert drawn == {"label": "Car", "left": 80, "top": 60, "width": 40, "height": 20}
