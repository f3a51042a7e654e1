"""The streaming store of ``jl.sweep``: an append-only log of finished points beside the final NetCDF file.

A sweep with ``store="study.nc"`` keeps its work in the sidecar directory ``study.nc.partial/``:

- ``manifest.json``: what the sweep is (grid, method, a hash of the first point's system) and its
  fingerprint, written once (temporary file + ``os.replace``);
- ``points.log``: one record per finished point, appended as soon as the point is done. A record is a
  header (magic, kind, payload length, CRC-32 of the payload) followed by the payload, an ``.npz`` of the
  point's arrays (no pickles). The first record of a log is the schema (dimensions and attributes of every
  variable, JSON);
- ``checkpoint-<index>.npz``: ``jl.simulate``'s checkpoint of the point in progress (``Simulation(
  resume_points=True)``), removed once the point's record is written;
- ``lock``: held (``fcntl.flock``) while a process writes the store, so two processes never append to it.

Why this is safe. A process that dies (Ctrl-C, ``kill -9``, a crash) leaves at most one incomplete record
at the end of the log, whose length or CRC does not match: reading stops there and the log is truncated to
the last whole record, so every point whose record was written is kept and the point in progress is
computed again. Bytes passed to ``write`` survive the death of the process (they are in the operating
system's cache); the log is also ``fsync``-ed at most once a second and at the end, so a crash of the
machine itself (power loss) loses at most the last second of points. HDF5/NetCDF files are not written
incrementally at all: the final ``study.nc`` is written once, when every point is done, to a temporary
file that is then renamed over the path (``os.replace`` is atomic), and only then is the sidecar removed.
A kill between the two leaves a complete ``study.nc`` and a stale sidecar, which the next call removes.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import struct
import tempfile
import time
import zlib

import numpy as np

_MAGIC = b"JLSWEEP1"
_HEADER = struct.Struct("<8sBQI")  # magic, kind, payload length, crc32(payload)
_SCHEMA, _POINT = 1, 2
#: seconds between fsyncs of the log (a process death loses nothing; a power loss at most this much)
_FSYNC_EVERY = 1.0
_INDEX = "__index__"


class Store:
    """The sidecar of one sweep (see the module docstring). Use as a context manager."""

    def __init__(self, path, fingerprint: str, description: dict):
        self.path = os.fspath(path)
        self.dir = self.path + ".partial"
        self.fingerprint = fingerprint
        self.description = description
        self._log = None
        self._lock = None
        self._last_sync = 0.0
        self.schema: dict | None = None

    # -- opening -------------------------------------------------------------------------------------

    def complete(self) -> bool:
        """Whether the final file exists and belongs to this sweep (then a stale sidecar is removed).

        Raises ValueError if the final file belongs to a different sweep.
        """
        if not os.path.exists(self.path):
            return False
        import xarray as xr

        try:
            with xr.open_dataset(self.path) as ds:
                stored = ds.attrs.get("sweep_fingerprint")
                found = ds.attrs.get("sweep_description")
        except Exception as e:  # noqa: BLE001 - any unreadable file is not ours to overwrite
            raise ValueError(f"`store` {self.path!r} exists but is not a NetCDF file jl.sweep can read ({e}); "
                             "remove it or choose another path.") from None
        if stored != self.fingerprint:
            raise ValueError(f"`store` {self.path!r} holds a different sweep: {self._difference(found)} Remove "
                             "it or choose another path.")
        if os.path.isdir(self.dir):
            shutil.rmtree(self.dir, ignore_errors=True)
        return True

    def __enter__(self) -> Store:
        os.makedirs(self.dir, exist_ok=True)
        self._acquire_lock()
        try:
            manifest = os.path.join(self.dir, "manifest.json")
            if os.path.exists(manifest):
                with open(manifest) as f:
                    found = json.load(f)
                if found.get("fingerprint") != self.fingerprint:
                    raise ValueError(
                        f"`store` {self.path!r} has unfinished points of a different sweep in {self.dir!r}: "
                        f"{self._difference(json.dumps(found.get('description')))} Remove that directory to "
                        "start again, or choose another path."
                    )
            else:
                _write_atomic(manifest, json.dumps(dict(fingerprint=self.fingerprint,
                                                        description=self.description), indent=1).encode())
            self._log = open(os.path.join(self.dir, "points.log"), "ab")
        except BaseException:
            self._release_lock()
            raise
        return self

    def __exit__(self, *exc) -> None:
        if self._log is not None:
            self._sync(force=True)
            self._log.close()
            self._log = None
        self._release_lock()

    def _acquire_lock(self):
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no advisory locks, one process at a time by convention
            return
        fh = open(os.path.join(self.dir, "lock"), "w")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            raise ValueError(f"`store` {self.path!r} is being written by another process (lock held on "
                             f"{self.dir!r}/lock); wait for it or choose another path.") from None
        self._lock = fh

    def _release_lock(self):
        if self._lock is not None:
            self._lock.close()  # closing releases the flock
            self._lock = None

    def _difference(self, found_json) -> str:
        """Which part of the description differs from the stored one (grid, method or system)."""
        try:
            found = json.loads(found_json) if isinstance(found_json, str) else None
        except ValueError:
            found = None
        if not isinstance(found, dict):
            return "it was not written by this version of jl.sweep or by a sweep at all."
        parts = [k for k in ("grid", "method", "system") if found.get(k) != self.description.get(k)]
        names = {"grid": "the grid", "method": "the method", "system": "the system `build` returns at the first point"}
        if not parts:
            return "its fingerprint differs."
        shown = "; ".join(f"{names[k]} differs (stored {_short(found.get(k))}, now {_short(self.description.get(k))})"
                          for k in parts)
        return shown + "."

    # -- records -------------------------------------------------------------------------------------

    def read(self) -> dict[int, dict[str, np.ndarray]]:
        """The finished points: {flat index: {variable: array}}; truncates an incomplete last record."""
        schema, points, good, size = read_log(os.path.join(self.dir, "points.log"))
        if schema is not None:
            self.schema = schema
        if good < size:  # a record cut short by the death of the writing process
            self._log.truncate(good)
            self._log.seek(good)
        return points

    def append(self, index: int, arrays: dict[str, np.ndarray], schema: dict) -> None:
        """Write one finished point (and the schema first if the log has none)."""
        if self.schema is None:
            self.schema = schema
            self._write(_SCHEMA, json.dumps(schema).encode())
        buf = io.BytesIO()
        np.savez(buf, **{_INDEX: np.int64(index)}, **arrays)
        self._write(_POINT, buf.getvalue())
        self._sync()

    def _write(self, kind: int, payload: bytes) -> None:
        self._log.write(_HEADER.pack(_MAGIC, kind, len(payload), zlib.crc32(payload)) + payload)
        self._log.flush()  # into the operating system: survives the death of this process

    def _sync(self, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._last_sync >= _FSYNC_EVERY:
            self._log.flush()
            os.fsync(self._log.fileno())
            self._last_sync = now

    # -- checkpoints inside a point, and the end -----------------------------------------------------

    def checkpoint(self, index: int) -> str:
        """Path of ``jl.simulate``'s checkpoint for the point ``index``."""
        return os.path.join(self.dir, f"checkpoint-{index}.npz")

    def drop_checkpoint(self, index: int) -> None:
        try:
            os.remove(self.checkpoint(index))
        except FileNotFoundError:
            pass

    def finish(self, dataset) -> None:
        """Write the final NetCDF file atomically, then remove the sidecar."""
        folder = os.path.dirname(os.path.abspath(self.path))
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=os.path.basename(self.path) + ".", suffix=".tmp")
        os.close(fd)
        try:
            dataset.to_netcdf(tmp)
            with open(tmp, "rb+") as f:
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            if os.path.exists(tmp):
                os.remove(tmp)
            raise
        self.__exit__()
        shutil.rmtree(self.dir, ignore_errors=True)


def read_log(path: str) -> tuple[dict | None, dict[int, dict[str, np.ndarray]], int, int]:
    """(schema, {flat index: arrays}, length of the whole records, file length) of a points log.

    Reading stops at the first record whose magic, length or CRC-32 does not match: the end of a log
    whose writer died while appending.
    """
    with open(path, "rb") as f:
        data = f.read()
    schema, points = None, {}
    pos = 0
    while pos + _HEADER.size <= len(data):
        magic, kind, length, crc = _HEADER.unpack_from(data, pos)
        start, end = pos + _HEADER.size, pos + _HEADER.size + length
        if magic != _MAGIC or end > len(data) or zlib.crc32(data[start:end]) != crc:
            break
        if kind == _SCHEMA:
            schema = json.loads(data[start:end].decode())
        elif kind == _POINT:
            with np.load(io.BytesIO(data[start:end]), allow_pickle=False) as z:
                arrays = {k: z[k] for k in z.files}
            points.setdefault(int(arrays.pop(_INDEX)), arrays)
        pos = end
    return schema, points, pos, len(data)


def _write_atomic(path: str, content: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
    with os.fdopen(fd, "wb") as f:
        f.write(content)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _short(x) -> str:
    s = json.dumps(x) if not isinstance(x, str) else x
    return s if len(s) <= 120 else s[:117] + "..."
