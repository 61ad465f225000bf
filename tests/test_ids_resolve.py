"""Every `$id` resolves: the built site serves each published file at exactly its `$id`, byte for
byte as in schemas/, for every version kept there; the address is written once (base_uri in
forms/standard.yaml) and is the site's site_url too; `$ref`s resolve offline.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.exceptions import Unresolvable

from validator import standard
from validator.builders import releases, synth

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS_ROOT = ROOT / "schemas"
SITE_URL = standard.base_uri().removesuffix("schemas/")


def published_json() -> list[Path]:
    return sorted(
        p for p in SCHEMAS_ROOT.rglob("*.json") if p.parent != SCHEMAS_ROOT or p.name != "releases.json"
    )


def test_the_address_is_written_once():
    class Loader(yaml.SafeLoader):
        """mkdocs.yml names Python objects (!!python/name:…, !!python/object/apply:…): read them as None."""

    Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)  # noqa: S506
    assert "site_url" not in config, "site_url comes from base_uri in forms/standard.yaml (site/hooks.py)"
    assert standard.base_uri().endswith("/schemas/")
    for path in published_json():
        sid = json.loads(path.read_text(encoding="utf-8")).get("$id")
        version = path.relative_to(SCHEMAS_ROOT).parts[0]
        assert sid == f"{standard.base_uri()}{version}/{path.relative_to(SCHEMAS_ROOT / version).as_posix()}"


def test_every_id_is_served_at_its_address_byte_for_byte(built_site):
    files = published_json()
    assert len(files) >= 2 * len(standard.forms()) + 3
    problems = []
    for path in files:
        sid = json.loads(path.read_text(encoding="utf-8"))["$id"]
        if not sid.startswith(SITE_URL):
            problems.append(f"{sid}: not under the site's address {SITE_URL}")
            continue
        served = built_site.path / sid[len(SITE_URL) :]
        if not served.is_file():
            problems.append(f"{sid}: not on the site")
        elif served.read_bytes() != path.read_bytes():
            problems.append(f"{sid}: differs from {path.relative_to(ROOT)}")
    assert problems == []


def test_every_version_folder_is_served_and_listed(built_site):
    page = (built_site.path / "developers" / "schemas" / "index.html").read_text(encoding="utf-8")
    for version in releases.version_folders():
        assert (built_site.path / "schemas" / version / "index.html").is_file()
        assert f"../../schemas/{version}/" in page
    for entry in releases.load_record():
        assert entry["date"] in page
    assert (built_site.path / "schemas" / "releases.json").read_bytes() == (
        SCHEMAS_ROOT / "releases.json"
    ).read_bytes()


def test_sitemap_lists_the_pages_at_the_published_address(built_site):
    sitemap = (built_site.path / "sitemap.xml").read_text(encoding="utf-8")
    locations = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert len(locations) > 20
    assert all(loc.startswith(SITE_URL) for loc in locations)
    assert f"{SITE_URL}developers/schemas/" in locations
    home = (built_site.path / "index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{SITE_URL}"' in home


def _refs(node) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def _offline_registry(folder: Path) -> Registry:
    """The version's JSON Schemas by $id; a Registry without a retriever never goes to the network."""
    schemas = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.schema.json"))]
    return Registry().with_resources((s["$id"], Resource.from_contents(s)) for s in schemas)


@pytest.mark.parametrize("version", releases.version_folders())
def test_refs_resolve_offline_through_referencing(version):
    folder = SCHEMAS_ROOT / version
    registry = _offline_registry(folder)
    reached = set()
    for path in sorted(folder.glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resolver = registry.resolver(base_uri=schema["$id"])
        for ref in _refs(schema):
            resolved = resolver.lookup(ref)
            assert resolved.contents.get("type") == "object", (path.name, ref)
            reached.add(ref.rsplit("/", 1)[-1])
    # Every form's row schema is reached from a document schema (a submission, a county record),
    # except the feedback sheet's: the county writes it for the townships and never reads it back.
    rows = {p.name for p in folder.glob("*.row.schema.json")}
    assert rows - reached <= {"county_feedback.row.schema.json"}
    assert len(reached) >= 9


def test_a_submission_validates_through_the_refs_and_an_unknown_ref_does_not_go_online():
    folder = SCHEMAS_ROOT / standard.version()
    registry = _offline_registry(folder)
    schema = json.loads((folder / "submission.schema.json").read_text(encoding="utf-8"))
    validator = Draft202012Validator(
        schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    example = synth.valid_example()
    doc = {f: [synth.json_row(f, r) for r in rows] for f, rows in example.tables.items()}
    doc["manifest"] = doc["manifest"][0]
    assert list(validator.iter_errors(doc)) == []
    doc["annex1"][0]["household_size"] = 0  # checked by annex1.row.schema.json, reached through $ref
    assert [e.json_path for e in validator.iter_errors(doc)] == ["$.annex1[0].household_size"]
    with pytest.raises(Unresolvable):
        registry.resolver(base_uri=schema["$id"]).lookup("elsewhere.row.schema.json")
