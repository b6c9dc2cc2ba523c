"""Built-in plugin for federal requirements that bind clinicians of every profession.

Today: the DEA's one-time 8-hour training on substance use disorders (MATE Act), a
condition of registering or renewing a DEA registration on or after 2023-06-27, for
physicians, nurses (APRNs) and PAs alike. The clinician records the DEA registration
as a licence under requirement ``us-dea-mate``; its expiry is the deadline.

It defines no profession and no credit type: its authority names the professions it
serves and its rule counts credit by accreditor (the organisations the Act lists), so
it never imports a profession plugin. Loaded with some of them, the DEA serves only
the professions loaded (``core.registry`` narrows a multi-profession authority); loaded
alone, it registers nothing usable and says so in the debug log.
"""

from __future__ import annotations

from pathlib import Path

from credtrail.core import ProfessionPlugin

# No profession and no credit type of its own: the DEA authority and us-dea-mate come
# from authorities/*.toml and rules/*.toml, like every built-in's data.
plugin = ProfessionPlugin(folder=Path(__file__).parent, professions=[])

__all__ = ["plugin"]
