"""What a township clerk sees on the site, in Chromium at a desktop size and on a phone (390×844):
the home page's two buttons, the guide's place in the reading order, Chinese section anchors,
form pages whose fields become cards on a phone, rule pages without developer wording.
Screenshots of each are kept as artefacts (test-artifacts/screenshots/).
"""

from __future__ import annotations

from urllib.parse import unquote

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def _open(context, url: str, viewport: dict):
    page = context.new_page()
    page.set_viewport_size(viewport)
    page.goto(url, wait_until="load")
    page.wait_for_timeout(200)
    return page


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_home_page_leads_to_the_template_and_the_check(browser_context, site_url, artefacts, size):
    page = _open(browser_context, site_url, DESKTOP if size == "desktop" else PHONE)
    buttons = page.locator("a.md-button.fpjc-big")
    assert buttons.all_inner_texts() == ["下载填报模板", "在线校验"]
    template = buttons.nth(0).get_attribute("href")
    assert unquote(template).startswith("downloads/fpjc-模板-") and template.endswith(".xlsx")
    # The buttons are visible without scrolling and big enough to tap.
    for i in range(2):
        box = buttons.nth(i).bounding_box()
        assert box["y"] + box["height"] < page.viewport_size["height"], box
        assert box["height"] >= 36, box
    response = page.request.get(site_url + template)
    assert response.ok and response.body()[:2] == b"PK"
    page.screenshot(path=str(artefacts / f"clerk-home-{size}.png"), full_page=False)
    page.close()


def test_guide_sits_between_the_procedure_and_the_check(browser_context, site_url):
    page = _open(browser_context, site_url + "guide/", DESKTOP)
    prev = page.locator("a.md-footer__link--prev")
    nxt = page.locator("a.md-footer__link--next")
    assert prev.get_attribute("href").rstrip("/").endswith("procedure"), prev.get_attribute("href")
    assert "rules" not in prev.get_attribute("href")
    assert nxt.count() == 1
    # Chinese section anchors, not #_1, #_2.
    ids = page.eval_on_selector_all("article h2[id]", "els => els.map(e => e.id)")
    assert "第一步填写" in ids and not [i for i in ids if i.startswith("_")], ids
    # The checklist the results screen shows, as ticks in the guide.
    assert page.locator("#checklist ~ ul .task-list-item").count() >= 4
    page.close()


def test_form_page_fields_are_cards_on_a_phone(browser_context, site_url, artefacts):
    page = _open(browser_context, site_url + "forms/annex3/", PHONE)
    table = page.locator(".fpjc-fields table")
    # No sideways scroll: the table is no wider than the page.
    width = page.evaluate("() => document.querySelector('.fpjc-fields table').scrollWidth")
    assert width <= PHONE["width"], width
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    rows = table.locator("tbody tr")
    assert rows.count() >= 10
    card = rows.filter(has_text="已落实帮扶措施").first
    text = card.inner_text()
    # The labels are drawn by CSS (::before), so read what is drawn, not the DOM text.
    labels = card.locator("td").evaluate_all(
        "tds => tds.map(td => getComputedStyle(td, '::before').content.replace(/^\"|\"$/g, ''))"
    )
    for label in ("类型：", "必填：", "说明：", "检查规则："):
        assert label in labels, labels
    assert "视情况必填" in text and "帮扶消除" in text, text
    # Every part of the card is on screen, not cut off at the right.
    for cell in card.locator("td").all():
        box = cell.bounding_box()
        if box:
            assert box["x"] + box["width"] <= PHONE["width"] + 1, (cell.inner_text(), box)
    page.screenshot(path=str(artefacts / "clerk-form-annex3-phone.png"), full_page=True)
    page.close()
    # At a desktop width it stays a table with its header row.
    page = _open(browser_context, site_url + "forms/annex3/", DESKTOP)
    assert page.locator(".fpjc-fields thead").is_visible()
    headers = page.locator(".fpjc-fields thead th").all_inner_texts()
    assert headers[3:6] == ["必填", "说明", "检查规则"], headers
    page.screenshot(path=str(artefacts / "clerk-form-annex3-desktop.png"), full_page=True)
    page.close()


def test_rule_page_speaks_to_the_clerk(browser_context, site_url, artefacts):
    page = _open(browser_context, site_url + "rules/D007/", DESKTOP)
    text = page.inner_text("article")
    for wording in ("SPEC", "英文名", "{", "不做任何改动", "--stage"):
        assert wording not in text, wording
    assert "鹤扶开发〔2020〕16号" in text or "GB 11643" in text
    assert "正确示例" in text
    page.screenshot(path=str(artefacts / "clerk-rule-D007.png"), full_page=True)
    page.close()
