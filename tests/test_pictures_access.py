"""What a region-limited viewer sees of the pictures (issue 19 with issue 14's projection): the headline figures of a
shared draft are its region's budgets only, and the report page of a draft is the ministry's, as its download is."""
import html
import re

import pytest

from test_hardening_web import HTML, Site


@pytest.fixture(scope="module")
def s(tmp_path_factory):
    return Site(tmp_path_factory.mktemp("pictures-access"))


def test_an_akimat_sees_its_regions_headline_and_not_the_drafts_report(s):
    page = s.aki.get("/?scenario=env-draft&lang=en", headers=HTML)
    assert page.status_code == 200
    table = re.search(r'<table id="headline-figures">.*?</table>', page.text, re.DOTALL).group(0)
    region = re.search(r'<tr data-level="region">.*?</tr>', table, re.DOTALL).group(0)
    assert re.search(r'<td class="n">1</td>', region)  # one region: its own
    assert "Your region's budgets only." in html.unescape(page.text)
    r = s.aki.get("/report?scenario=env-draft&lang=ru", headers=HTML)
    assert r.status_code == 403 and 'id="report-limited"' in r.text and "Plotly.newPlot" not in r.text


def test_the_public_and_the_analyst_get_the_report_page(s):
    for c, scenario in ((s.public, "current-law"), (s.ana, "env-draft")):
        r = c.get(f"/report?scenario={scenario}&lang=kk", headers=HTML)
        assert r.status_code == 200 and 'id="report-transfers"' in r.text and "/charts/plotly.min.js" in r.text
        assert "Plotly.newPlot" in r.text and 'lang="kk"' in r.text
    assert s.public.get("/report?scenario=env-draft").status_code == 404  # a draft the public may not see
    js = s.public.get("/charts/plotly.min.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("application/javascript") and len(js.content) > 1e6
