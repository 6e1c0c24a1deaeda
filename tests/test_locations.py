"""Where an error is in the programme file: the key locator on files people (or attackers) write."""

from __future__ import annotations


def test_a_3000_deep_table_header_is_located_with_linear_work(cli, tmp_path, monkeypatch):
    from meetctl.model.locations import KeyLocator

    depth = 3000
    path = tmp_path / "deep.toml"
    header = "[" + ".".join(f"t{i}" for i in range(depth)) + "]"
    path.write_text(f'[group]\nname = "G"\ntimezone = "Europe/London"\n\n{header}\nx = 1\n')
    walked = []
    resolve = KeyLocator._resolve

    def counting(names, counts):
        walked.append(len(names))
        return resolve(names, counts)

    monkeypatch.setattr(KeyLocator, "_resolve", staticmethod(counting))
    result = cli("check", "-f", path)
    assert result.exit_code == 2
    assert result.stderr == f"{path}:5:1: error: unknown table 't0'\n"
    # Each header's names are walked once: resolving every depth again was depth**2 / 2 steps (minutes).
    assert sum(walked) <= depth + 1


def test_every_depth_of_a_dotted_header_is_located(cli, tmp_path):
    # `[venues.hall.extra]` names tables `venues.hall` and `venues.hall.extra`: the error is at the header.
    path = tmp_path / "programme.toml"
    path.write_text('[group]\nname = "G"\ntimezone = "Europe/London"\n\n[[meetings]]\ndate = 2024-01-01\n'
                    'title = "AGM"\nstart = "19:00"\n\n[meetings.extra.deeper]\nx = 1\n')  # fmt: skip
    result = cli("check", "-f", path)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{path}:10:1: error: ")
