// profiles.js: the compliance profiles shipped with oretrail (profiles/,
// docs/events.md "Compliance profiles"), bundled as their JSON text. The
// page recomputes a lot's determinations under these, the ones it was
// built with, never under a profile the server hands it.
import crma from '../../profiles/crma.json' with { type: 'text' };
import dfars from '../../profiles/dfars-7052.json' with { type: 'text' };

export const SHIPPED_PROFILES = [crma, dfars];
