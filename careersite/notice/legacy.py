"""Old Word/Excel/WPS files (.doc .wps .xls .et ...) -> .docx/.xlsx through LibreOffice, when it is installed.

LibreOffice runs headless with a throw-away profile in a temporary folder and a time limit; it does
not run a document's macros unless told to (and is not). Without it, the message says how to save
the file as .docx/.xlsx instead.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

from ..errors import Problems

TIMEOUT_SECONDS = 120
_PROGRAMS = ("soffice", "libreoffice")


def find_soffice() -> str | None:
    for name in _PROGRAMS:
        found = shutil.which(name)
        if found:
            return found
    return None


def convert(path: Path, rel: str, target: str, folder: Path, problems: Problems) -> Path | None:
    """PATH converted to TARGET (docx or xlsx) inside FOLDER; None after reporting why not."""
    soffice = find_soffice()
    word = "Word" if target == "docx" else "Excel"
    if soffice is None:
        problems.error(rel, 0, 0, "import_legacy_no_soffice", suffix=path.suffix.lower(), target=target, program=word)
        return None
    source = folder / f"source{path.suffix.lower()}"  # a plain name: no option or odd character reaches soffice
    shutil.copyfile(path, source)
    profile = folder / "profile"
    command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--nologo",
               "--nodefault", "--nolockcheck", "--convert-to", target, "--outdir", str(folder / "out"), str(source)]
    env = {**os.environ, "HOME": str(folder)}  # nothing of the user's LibreOffice set-up is read or changed
    try:
        # its own session: soffice is a script that starts soffice.bin, and a time-out must end both
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=folder,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    except OSError as exc:
        problems.error(rel, 0, 0, "import_legacy_failed", program=word, target=target, detail=str(exc))
        return None
    try:
        out, err = process.communicate(timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        problems.error(rel, 0, 0, "import_legacy_failed", program=word, target=target,
                       detail=f"timeout {TIMEOUT_SECONDS} s")
        return None
    converted = folder / "out" / f"source.{target}"
    if process.returncode != 0 or not converted.is_file():
        detail = (err or out).decode("utf-8", "replace").strip().splitlines()
        problems.error(rel, 0, 0, "import_legacy_failed", program=word, target=target,
                       detail=(detail[-1] if detail else f"exit status {process.returncode}")[:200])
        return None
    return converted
