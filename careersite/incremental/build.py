"""The build cache: the pipeline's stages, memoised on what they are made from, so a repeat build redoes only
what changed. Handed the stage functions by commands/build.py, it never looks inside them; a build without
it makes the same bytes (tests/test_incremental.py builds both ways and compares).

Three memos, one per kind of input:
- position files: each file's FileResult by (fingerprint, path, digest); a digest is trusted from the last
  build while the file's size, mtime, ctime and inode are unchanged (and not too recent to tell);
- output files: the last build's artifact table (path -> stat, sha256, key); a file whose key is unchanged
  and that is still as that build left it is linked into the new tree instead of made again;
- git change times: by commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping

from ..errors import Problem, Problems
from ..load.content import MAX_FILE_BYTES
from ..history import content_times, git_head, git_times
from ..load.textfile import read_file
from ..write import Output, Stat, stat_of
from .store import REPLAY, Manifest, Store, fingerprint, site_inputs

if TYPE_CHECKING:  # (imported where first used: a build replayed as unchanged loads no stage and starts no worker)
    from ..model.perfile import FileResult
    from ..render import Artifact, Bundle


class Cache:
    """The memos of builds from one site folder into one output folder with one set of options.

    The dev server keeps one for its whole session (and so its memos in memory between saves)."""

    def __init__(self, root: Path, out: Path, variant: tuple) -> None:
        self.root = root
        self.out = os.path.realpath(out)
        self.store = Store(root)
        self.name = hashlib.sha256(repr((os.path.realpath(out), variant)).encode()).hexdigest()[:24]
        self.fingerprint = ""
        self.last = Manifest()
        self.memory: dict[str, FileResult] = {}  # the last build's, by result key (a dev server's next save)
        self.sources: dict[str, tuple[Stat, str]] = {}
        self.scanned_ns = 0
        self.git: tuple[str, dict[str, float]] = ("", {})

    def close(self) -> None:
        self.store.close()

    def _key(self, rel: str, digest: str) -> str:
        return f"{self.fingerprint}\0{rel}\0{digest}"

    # Position files ----------------------------------------------------------------------------------------
    def process(self, rels: list[str], make: Callable[[str, bytes], FileResult], messages: dict[str, str]) -> list[FileResult]:
        """MAKE(rel, bytes) for each position file, or what an earlier build made of the same bytes."""
        from ..model.perfile import FileResult
        from . import workers
        previous = Manifest(fingerprint=self.fingerprint, scanned_ns=self.scanned_ns, sources=self.sources)
        self.sources = {}  # until this scan completes: after a failed one, the next looks at every file again
        self.fingerprint = fingerprint(self.root)
        if self.last.fingerprint != self.fingerprint:  # (else replay() or the last build of this object set it)
            manifest = self.store.manifest(self.name)
            self.last = manifest if manifest is not None and manifest.fingerprint == self.fingerprint else Manifest()
        if previous.fingerprint != self.fingerprint:
            previous = Manifest()
        self.scanned_ns = time.time_ns()
        base = os.path.join(os.fspath(self.root), "")
        stats = {rel: stat_of(base + rel, follow=True) for rel in rels}
        # What this object saw last time (a dev server's previous save), else what the last build saw.
        digests = {rel: previous.known_digest(rel, stat) or self.last.known_digest(rel, stat) for rel, stat in stats.items()}
        data: dict[str, bytes] = {}
        unreadable: dict[str, FileResult] = {}
        for rel in [rel for rel, digest in digests.items() if digest is None]:
            problems = Problems(messages=messages)
            if (read := read_file(base + rel, rel, problems, MAX_FILE_BYTES)) is None:
                unreadable[rel] = FileResult(rel, "", None, tuple(problems.items))
            else:
                data[rel], digests[rel] = read, hashlib.sha256(read).hexdigest()
        keys = {rel: self._key(rel, digest) for rel, digest in digests.items() if digest is not None}
        found = {key: self.memory[key] for key in keys.values() if key in self.memory}
        found.update(self.store.results(k for k in keys.values() if k not in found))
        todo = [rel for rel, key in keys.items() if not isinstance(found.get(key), FileResult)]
        for rel in todo:
            if rel not in data:  # trusted by its stat, but its result is gone: read it after all
                data[rel] = read_file(base + rel, rel, Problems(), MAX_FILE_BYTES) or b""
        made = dict(zip(todo, workers.each(lambda i: make(todo[i], data[todo[i]]), len(todo))))
        entries, kept = {keys[rel]: result for rel, result in made.items()}, set(keys.values())
        if previous.sources:  # after a scan of this object's: forget what that scan had and this one has not
            self.store.put_results(entries, drop=self.memory.keys() - kept)
        else:
            self.store.put_results(entries, keep=kept)
        results = [unreadable.get(rel) or made.get(rel) or found[keys[rel]] for rel in rels]
        self.memory = {keys[r.path]: r for r in results if r.path in keys}
        self.sources = {rel: (stats[rel], digests[rel]) for rel in rels if digests.get(rel) and stats[rel]}
        return results

    def times(self, paths: list[str]) -> dict[str, dt.datetime]:
        """content_times of PATHS, with git asked once per commit (never outside git) and the times of the
        position files from their scan."""
        head = git_head(self.root)
        if head in (self.git[0], self.last.git_head):
            committed = self.git[1] if head == self.git[0] else self.last.git_times
        else:
            committed = git_times(self.root, paths)
        self.git = (head, committed)
        return content_times(self.root, paths, committed, {rel: stat[1] for rel, (stat, _) in self.sources.items()})

    def time_of(self, rel: str) -> dt.datetime | None:
        """REL's last change as times() would give it now, if git's last commit is the one times() saw (else None)."""
        return content_times(self.root, [rel], self.git[1]).get(rel) if git_head(self.root) == self.git[0] else None

    # Output files ------------------------------------------------------------------------------------------
    # (self.last is always of this fingerprint, else empty: an artifact's key needs no prefix)
    def _last_of(self, folder: str, bundle: Bundle) -> dict[str, tuple[Stat, str]]:
        """What the last build wrote of BUNDLE (under FOLDER) if it was made from the same key, else {}."""
        found = {rel: entry[:2] for rel, entry in self.last.outputs.items() if rel.startswith(folder)}
        return found if found and all(self.last.outputs[rel][2] == bundle.key for rel in found) else {}

    def _updated(self, folder: str, bundle: Bundle) -> dict[str, bytes | None] | None:
        """BUNDLE.update from the last build's bundle in FOLDER, each file it reads checked by its sha256."""
        if (inputs := self.last.bundles.get(folder)) is None:
            return None

        def read(rel: str) -> bytes | None:
            try:
                with open(os.path.join(self.out, rel), "rb") as fh:
                    data = fh.read()
            except OSError:
                return None
            known = self.last.outputs.get(rel)
            return data if known and known[1] == hashlib.sha256(data).hexdigest() else None

        return bundle.update(inputs, read)

    def is_up_to_date(self, files: Mapping[str, Artifact], bundles: Mapping[str, Bundle], output: Output) -> bool:
        """Every file is what its artifact would make, as the last build left it, and no other is there."""
        keys = {rel: artifact.key for rel, artifact in files.items()}
        for folder, bundle in bundles.items():
            if not (made := self._last_of(folder, bundle)):
                return False
            keys.update(dict.fromkeys(made, bundle.key))
        outputs, out = self.last.outputs, os.path.join(os.fspath(output.out), "")
        return keys.keys() == outputs.keys() and all(
            outputs[rel][2] == key and stat_of(out + rel) == outputs[rel][0] for rel, key in keys.items())

    def write(self, files: Mapping[str, Artifact], bundles: Mapping[str, Bundle], output: Output) -> Counter[str]:
        """Put every file into OUTPUT: linked from the last build's when its key is unchanged and it is intact,
        else made (in worker processes, which write into the staged tree themselves, when there are many).
        Bundles (the search index) are made here while the workers make pages: forked before the index
        exists, the workers do not carry it."""
        from . import workers
        outputs = self.last.outputs
        todo, made = [], Counter()
        for rel, artifact in files.items():
            known = outputs.get(rel)
            if not (known and known[2] == artifact.key and output.link(rel, known[:2])):
                todo.append(rel)

        def make_bundles() -> None:
            for folder, bundle in bundles.items():
                last = self._last_of(folder, bundle)
                if last and all(output.link(path, known) for path, known in last.items()):
                    continue
                made[bundle.kind] += 1
                made_files = self._updated(folder, bundle)  # None: a file as the last build wrote it
                kept = [path for path, data in (made_files or {}).items() if data is None and path not in output.files]
                if made_files is None or not all(path in outputs and output.link(path, outputs[path][:2])
                                                 for path in kept):
                    made_files = bundle.make()
                for path, data in made_files.items():
                    if data is not None and path not in output.files:
                        output.put(path, data)

        def make(i: int) -> tuple[str, Stat | None, str]:
            return todo[i], *output.write(todo[i], files[todo[i]].make())

        if len(todo) < workers.MIN_PARALLEL:
            make_bundles()
            for rel in todo:
                output.put(rel, files[rel].make())
        else:
            pages = workers.each(make, len(todo))  # the workers are started, and busy
            make_bundles()
            for rel, stat, sha in pages:
                output.adopt(rel, stat, sha)
        return made + Counter(files[rel].kind for rel in todo)

    def keep(self, site_counts: tuple[int, int], files: Mapping[str, Artifact], bundles: Mapping[str, Bundle],
             output: Output | None, problems: tuple[Problem, ...], today: str) -> None:
        """After a successful build: what it saw and wrote (OUTPUT None: the last build's files, still up to date)."""
        def key(rel: str) -> str:
            return (files.get(rel) or next(b for folder, b in bundles.items() if rel.startswith(folder))).key

        outputs = self.last.outputs if output is None else \
            {rel: (stat, sha, key(rel)) for rel, (stat, sha) in output.files.items()}
        inputs = self.last.bundles if output is None else {folder: bundle.inputs for folder, bundle in bundles.items()}
        manifest = Manifest(fingerprint=self.fingerprint, inputs=site_inputs(self.root), today=today,
                            git_head=self.git[0], scanned_ns=self.scanned_ns, sources=self.sources, outputs=outputs,
                            bundles=inputs, problems=problems, counts=site_counts, git_times=self.git[1])
        self.store.save_manifest(self.name, manifest)
        self.last = manifest

    def replay(self, rels: list[str], today: str) -> Manifest | None:
        """The last build's manifest when nothing it depends on can have changed (same fingerprint, day and
        commit; every position file and output file as it left them): then there is nothing to do."""
        self.fingerprint = fingerprint(self.root)
        last = self.store.manifest(self.name + REPLAY)  # (process() reads the whole manifest if need be)
        if last is None or last.fingerprint != self.fingerprint or last.today != today or not last.outputs \
                or last.inputs != site_inputs(self.root) or set(rels) != set(last.sources) \
                or git_head(self.root) != last.git_head:
            return None
        base = os.path.join(os.fspath(self.root), "")

        def unchanged(rel: str, stat: Stat | None) -> bool:
            """By its stat; a file saved within two seconds of that build's scan, by its bytes too."""
            if last.known_digest(rel, stat) is not None:
                return True
            data = read_file(base + rel, rel, Problems(), MAX_FILE_BYTES) if stat == last.sources[rel][0] else None
            return data is not None and hashlib.sha256(data).hexdigest() == last.sources[rel][1]

        if not all(unchanged(rel, stat_of(base + rel, follow=True)) for rel in rels):
            return None
        out = os.path.join(self.out, "")
        return None if any(stat_of(out + rel) != entry[0] for rel, entry in last.outputs.items()) else last
