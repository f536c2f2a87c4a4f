"""Red team: the pseudonymisation key file as something other than a private file, and keys that are no secret.

A key file that is a fifo must not hang the run, a folder must stop it with a key error (not a traceback), the
same key must give the same pseudonyms from the environment and from a file, and a key of whitespace alone
(invisible, typed by mistake) is as weak as one of few different characters."""

import os

import pytest

from helpers.clean.pseudonymise import load_key
from helpers.errors import WeakKeyError

KEY = "Zx8kq2LmP0vR7tYw3nB5"


@pytest.fixture(autouse=True)
def _no_env_key(monkeypatch):
    monkeypatch.delenv("PSEUDONYMISATION_KEY", raising=False)


@pytest.mark.parametrize("make", [lambda p: os.mkfifo(p, 0o600), lambda p: p.mkdir(mode=0o700)],
                         ids=["fifo", "folder"])
def test_a_key_file_that_is_not_a_file_is_refused_without_reading_it(tmp_path, make):
    make(tmp_path / "key")
    with pytest.raises(WeakKeyError) as refused:
        load_key(tmp_path / "key")
    assert str(refused.value) == (f"the key file {tmp_path / 'key'} is not a file (a folder, a fifo or a device): "
                                  "write the key in a file")


@pytest.mark.parametrize("uid", [1, 65534], ids=["daemon", "nobody"])
def test_a_key_file_owned_by_another_user_is_refused(tmp_path, uid):
    if os.getuid() != 0:
        pytest.skip("only root can give a file to another user")
    path = tmp_path / "key"
    path.write_text(KEY, encoding="utf-8")
    path.chmod(0o600)
    os.chown(path, uid, uid)  # who can change the key
    with pytest.raises(WeakKeyError, match=f"owned by another user \\(uid {uid}\\)"):
        load_key(path)


def test_the_same_key_gives_the_same_bytes_from_the_environment_and_from_a_file(tmp_path, monkeypatch):
    path = tmp_path / "key"
    path.write_text(KEY + "\u00a0\n", encoding="utf-8")  # a no-break space pasted at the end
    path.chmod(0o600)
    from_file = load_key(path)
    monkeypatch.setenv("PSEUDONYMISATION_KEY", KEY + "\u00a0\n")
    assert load_key(path) == from_file


def test_a_key_of_whitespace_only_is_refused(tmp_path):
    path = tmp_path / "key"
    path.write_text("x\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u3000\u00a0\u205f\u2028y",
                    encoding="utf-8")
    path.chmod(0o600)
    with pytest.raises(WeakKeyError, match="different ones"):
        load_key(path)
