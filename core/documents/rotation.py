"""``portal rotate-storage-key``: every stored file re-encrypted under the current key.

Set the new key as PORTAL_STORAGE_KEY and the old one(s) in PORTAL_STORAGE_OLD_KEYS, restart,
then run this: files are read with whichever key they were written under (the old keys stay
readable until the command is done) and each is replaced atomically by the same plaintext
under the new key. Plaintext files from before encryption are encrypted on the way. Batches
of ``batch_size`` files are logged as they go; running it again (after an interruption)
re-encrypts only what is left.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from core.documents.encryption import MAGIC
from core.documents.storage import document_store
from core.settings import Settings

logger = logging.getLogger("portal.storage")


@dataclass
class RotationReport:
    total: int = 0
    rotated: int = 0
    plaintext: int = 0


def rotate_storage_key(settings: Settings, *, batch_size: int = 100) -> RotationReport:
    store = document_store(settings)
    report = RotationReport()
    for key in store.keys():
        report.total += 1
        with (store.root / key).open("rb") as handle:
            was_plain = not handle.read(len(MAGIC)).startswith(MAGIC)
        if store.rotate(key):
            report.rotated += 1
            report.plaintext += was_plain
        if report.total % batch_size == 0:
            logger.info("rotation: %d files seen, %d re-encrypted", report.total, report.rotated)
    return report
