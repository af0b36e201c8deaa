"""A round's large export as an inspector gets it: "Export maken" on the results page
starts the job (here it runs at once, huey's immediate mode, the tests' default), then the
page's "Downloaden" link of that export hands out the file (admin/exports.py)."""

from __future__ import annotations

import re

from conftest import csrf_in


def export_part(html: str, key: str) -> str:
    """The results page's part of one export (the id export-<key>, up to the next)."""
    parts = [part for part in html.split('id="export-') if part.startswith(f'{key}"')]
    assert len(parts) == 1, f"no part of export {key}"
    return parts[0]


def start_export(client, round_id: int, key: str):
    """POST "Export maken" with the page's CSRF token; the answer (a redirect)."""
    page = client.get(f"/beheer/rondes/{round_id}/rapporten").get_data(as_text=True)
    return client.post(f"/beheer/rondes/{round_id}/export/{key}",
                       data={"csrf_token": csrf_in(page)})


def download_link(client, round_id: int, key: str) -> str | None:
    """The page's download link of the export, if it offers one."""
    html = client.get(f"/beheer/rondes/{round_id}/rapporten").get_data(as_text=True)
    found = re.search(r'href="(/beheer/taken/\d+/bestand)"', export_part(html, key))
    return found.group(1) if found else None


def download_export(client, round_id: int, key: str):
    """Make the export and download its file: the download's answer (read and closed)."""
    started = start_export(client, round_id, key)
    assert started.status_code == 302, started.status_code
    link = download_link(client, round_id, key)
    assert link, f"the page offers no file of {key}"
    answer = client.get(link)
    answer.get_data()
    answer.close()
    return answer
