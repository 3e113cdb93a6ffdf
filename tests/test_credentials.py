"""Where the LimeSurvey password comes from: environment, the workspace's .env, or the keyring."""

from __future__ import annotations

import shutil
import subprocess

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import NoKeyringError, PasswordDeleteError
from typer.testing import CliRunner

from integkit.cli import app
from integkit.ingest.credentials import (
    KEYRING_SERVICE,
    Connection,
    CredentialsError,
    dotenv_is_tracked,
    keyring_key,
    resolve_connection,
    safe_url,
    store_password,
)
from limesurvey_server import FakeLimeSurvey

URL = "https://umfrage.example.org/index.php/admin/remotecontrol"
PASSWORD = "keyring-Pa55-zq4"
runner = CliRunner()


class MemoryKeyring(KeyringBackend):
    """A keyring that lives in memory, so tests never touch the real one."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        self.store[(service, username)] = password

    def delete_password(self, service, username):
        if self.store.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


class NoKeyring(MemoryKeyring):
    def get_password(self, service, username):
        raise NoKeyringError("no backend")

    def set_password(self, service, username, password):
        raise NoKeyringError("no backend")


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def server():
    fake = FakeLimeSurvey(password=PASSWORD).start()
    yield fake
    fake.stop()


def env(**values):
    return {k: v for k, v in {"LIMESURVEY_URL": URL, "LIMESURVEY_USER": "admin", **values}.items() if v is not None}


def test_the_environment_comes_first_then_dotenv_then_the_keyring(workspace, memory_keyring):
    store_password(URL, "admin", "from-keyring")
    assert resolve_connection(workspace.root, env()).password == "from-keyring"
    (workspace.root / ".env").write_text("LIMESURVEY_PASSWORD=from-dotenv\n", encoding="utf-8")
    found = resolve_connection(workspace.root, env())
    assert found.password == "from-dotenv" and found.password_source == ".env file"
    found = resolve_connection(workspace.root, env(LIMESURVEY_PASSWORD="from-env"))
    assert found.password == "from-env" and "environment" in found.password_source


def test_url_and_user_may_come_from_dotenv(workspace, memory_keyring):
    (workspace.root / ".env").write_text(
        f"LIMESURVEY_URL={URL}\nLIMESURVEY_USER=integration\nLIMESURVEY_PASSWORD='p w#1'\n", encoding="utf-8"
    )
    found = resolve_connection(workspace.root, {})
    assert (found.url, found.user, found.password) == (URL, "integration", "p w#1")


def test_missing_settings_name_what_to_set(workspace, memory_keyring):
    with pytest.raises(CredentialsError, match="LIMESURVEY_URL and LIMESURVEY_USER not set") as err:
        resolve_connection(workspace.root, {})
    assert err.value.exit_code == 11
    with pytest.raises(CredentialsError, match="no password for admin at .*integkit login"):
        resolve_connection(workspace.root, env())
    with pytest.raises(CredentialsError, match="not an http"):
        resolve_connection(workspace.root, env(LIMESURVEY_URL="umfrage.example.org"))


def test_without_a_usable_keyring_the_message_names_the_other_ways(workspace):
    previous = keyring.get_keyring()
    keyring.set_keyring(NoKeyring())
    try:
        with pytest.raises(CredentialsError, match="LIMESURVEY_PASSWORD"):
            resolve_connection(workspace.root, env())
        with pytest.raises(CredentialsError, match="cannot store the password"):
            store_password(URL, "admin", "x")
    finally:
        keyring.set_keyring(previous)


def test_urls_are_shown_without_credentials():
    assert safe_url("https://admin:geheim@umfrage.example.org:8443/index.php/admin/remotecontrol?x=1#f") == (
        "https://umfrage.example.org:8443/index.php/admin/remotecontrol"
    )
    assert keyring_key("https://a:b@host/rc", "admin") == "admin@https://host/rc"
    assert "geheim" not in repr(Connection("https://host/rc", "admin", "geheim"))


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_dotenv_that_git_would_commit_is_noticed(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".env").write_text("LIMESURVEY_PASSWORD=x\n")
    assert dotenv_is_tracked(tmp_path)
    (tmp_path / ".gitignore").write_text(".env\n")
    assert not dotenv_is_tracked(tmp_path)


# --- integkit login -------------------------------------------------------------------------------------
def login(server, workspace, *args, password=PASSWORD):
    return runner.invoke(
        app, ["login", "--url", server.url, "--user", "admin", "-w", str(workspace.root), *args], input=f"{password}\n"
    )


def test_login_checks_and_stores_the_password_and_pull_uses_it(workspace, server, memory_keyring):
    result = login(server, workspace)
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output and "stored in the system keyring" in result.output
    assert memory_keyring.store == {(KEYRING_SERVICE, keyring_key(server.url, "admin")): PASSWORD}
    assert server.keys_issued and server.keys_released == server.keys_issued

    pulled = runner.invoke(
        app, ["pull", "vt-2026-11", "--survey-id", "482931", "-w", str(workspace.root)],
        env={"LIMESURVEY_URL": server.url, "LIMESURVEY_USER": "admin", "LIMESURVEY_PASSWORD": None},
    )
    assert pulled.exit_code == 0, pulled.output
    assert "pulled 31 new response(s)" in pulled.output


def test_login_with_a_wrong_password_stores_nothing(workspace, server, memory_keyring):
    result = login(server, workspace, password="wrong-password")
    assert result.exit_code == 12 and "Invalid user name or password" in result.output
    assert memory_keyring.store == {}


def test_login_without_check_and_forget(workspace, server, memory_keyring):
    assert login(server, workspace, "--no-check", password="anything").exit_code == 0
    assert server.keys_issued == []
    assert list(memory_keyring.store.values()) == ["anything"]
    forgot = runner.invoke(app, ["login", "--url", server.url, "--user", "admin", "--forget", "-w", str(workspace.root)])
    assert forgot.exit_code == 0 and "Removed" in forgot.output and memory_keyring.store == {}
