"""Issue 19: code signing ready — build.py --sign CERT.pfx signs with osslsigncode (Authenticode, SHA-256).

A throw-away self-signed certificate stands in for a site's: the launcher (pythonw.exe of the cached
runtime, or a minimal PE) is signed through build.sign_file, and the script NSIS runs on the setup and
the uninstaller (!finalize / !uninstfinalize) signs a file the same way; osslsigncode verifies both
against the certificate."""
import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("installer_build_sign", ROOT / "installer" / "build.py")
build = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build)

pytestmark = pytest.mark.skipif(not shutil.which("osslsigncode") or not shutil.which("openssl"),
                                reason="osslsigncode and openssl (run.sh setup installs them)")


@pytest.fixture
def cert(tmp_path, monkeypatch):
    key, pem, pfx = tmp_path / "key.pem", tmp_path / "cert.pem", tmp_path / "site.pfx"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(pem),
                    "-days", "2", "-subj", "/CN=PropertyDesk test site"], check=True, capture_output=True)
    subprocess.run(["openssl", "pkcs12", "-export", "-out", str(pfx), "-inkey", str(key), "-in", str(pem),
                    "-passout", "pass:s3cret"], check=True, capture_output=True)
    monkeypatch.setenv("PD_SIGN_PASSWORD", "s3cret")
    return pfx, pem


def _a_windows_exe(tmp_path) -> Path:
    runtime = next((p for p in sorted((ROOT / "installer" / "cache").glob("runtime-*/pythonw.exe"))), None)
    if runtime is None:
        pytest.skip("no cached Windows runtime (installer/build.py builds it)")
    exe = tmp_path / "pythonw.exe"
    shutil.copyfile(runtime, exe)
    return exe


def _verified(exe: Path, pem: Path) -> str:
    out = subprocess.run(["osslsigncode", "verify", "-CAfile", str(pem), "-in", str(exe)], capture_output=True,
                         text=True, check=False)
    return out.stdout + out.stderr


def test_the_launcher_is_signed_and_verifies(tmp_path, cert):
    pfx, pem = cert
    exe = _a_windows_exe(tmp_path)
    build.sign_file(exe, build.sign_command(pfx, None))
    report = _verified(exe, pem)
    assert "Signature verification: ok" in report and "PropertyDesk test site" in report


def test_the_script_nsis_runs_signs_setup_and_uninstaller(tmp_path, cert):
    pfx, pem = cert
    exe = _a_windows_exe(tmp_path)
    script = build.write_sign_script(tmp_path, build.sign_command(pfx, None))
    subprocess.run([str(script), str(exe)], check=True, capture_output=True)
    assert "Signature verification: ok" in _verified(exe, pem)
    assert "s3cret" not in script.read_text(encoding="utf-8")   # the password stays in the environment


def test_wrong_password_or_missing_certificate_stops_the_build(tmp_path, cert, monkeypatch):
    pfx, _pem = cert
    exe = _a_windows_exe(tmp_path)
    monkeypatch.setenv("PD_SIGN_PASSWORD", "wrong")
    with pytest.raises(build.BuildError, match="signing pythonw.exe failed"):
        build.sign_file(exe, build.sign_command(pfx, None))
    with pytest.raises(build.BuildError, match="certificate file not found"):
        build.sign_command(tmp_path / "none.pfx", None)
