"""``quarterly-report check --narrative``: every typo of a narrative at once, with the nearest valid names, in
seconds and without a run (a run stops at the first, after cleaning, and leaves a failed-run folder)."""

from helpers.cli import main

INDICATORS = ("quarter,indicator,dimension,category,value\n2023Q1,people_reached,total,all,5347\n"
              "2023Q1,people_reached,sector,Protection,2347\n2023Q1,people_reached,centre,Adana MMCC,400\n"
              "2023Q1,provinces_covered,total,all,9\n")
TYPOS = """The programme reached {{ people_reachd }} people in {{ provinces_covered.total }} provinces.
Adana MMCC reached {{ people_reached.centre["Adana MMC"] }}; {{ people_reached.sectr["Protection"] }}.
{{ people_reached.sector }}

## Protektion
"""


def _run(tmp_path, capsys, text, processed=True):
    (tmp_path / "narratives").mkdir(parents=True, exist_ok=True)
    (tmp_path / "narratives" / "2023Q1.md").write_text(text, encoding="utf-8")
    if processed:
        (tmp_path / "processed" / "2023Q1").mkdir(parents=True, exist_ok=True)
        (tmp_path / "processed" / "2023Q1" / "indicators.csv").write_text(INDICATORS, encoding="utf-8")
    code = main(["check", "--narrative", "--quarter", "2023Q1", "--narratives-dir", str(tmp_path / "narratives"),
                 "--processed-dir", str(tmp_path / "processed")])
    return code, capsys.readouterr().out.splitlines()


def test_every_typo_is_named_with_its_line_and_nearest_names(tmp_path, capsys):
    code, lines = _run(tmp_path, capsys, TYPOS)
    assert code == 1
    source = str(tmp_path / "narratives" / "2023Q1.md")
    assert lines[0].startswith(f"{source} line 1: unknown placeholder {{{{ people_reachd }}}}: no such indicator; "
                               "nearest: people_reached")
    assert lines[1] == (f"{source} line 2: placeholder {{{{ people_reached.centre[\"Adana MMC\"] }}}}: unknown centre "
                        "of people_reached: 'Adana MMC'; nearest: 'Adana MMCC'")
    assert lines[2].startswith(f"{source} line 2: placeholder {{{{ people_reached.sectr[\"Protection\"] }}}}: "
                               "unknown dimension of people_reached: 'sectr'; nearest: 'sector'")
    assert lines[3] == (f"{source} line 3: placeholder {{{{ people_reached.sector }}}} needs a category, e.g. "
                        "people_reached.sector[\"...\"]")
    assert lines[4].startswith(f"{source} line 5: heading '## Protektion' is not a section of the report; "
                               "nearest: Protection")
    assert lines[5] == f"{source}: 5 problems (checked against {tmp_path / 'processed' / '2023Q1' / 'indicators.csv'})"


def test_a_clean_narrative_passes_and_one_before_any_run_is_checked_against_the_configuration(tmp_path, capsys):
    code, lines = _run(tmp_path, capsys, "{{ people_reached.total }} people.\n\n## Protection\n\nText.\n")
    assert code == 0 and lines == [f"{tmp_path / 'narratives' / '2023Q1.md'}: no problems (checked against "
                                   f"{tmp_path / 'processed' / '2023Q1' / 'indicators.csv'})"]
    code, lines = _run(tmp_path / "new", capsys, "{{ people_reachd.total }}\n", processed=False)
    assert code == 1 and "nearest: people_reached" in lines[0]
    assert lines[-1].endswith("problem (checked against config/ (the quarter has no processed data yet))")
