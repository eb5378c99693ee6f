/*
 * upward_call.c: the link half of the layering test (check.sh). A program
 * built against the log layer (ot_log) alone. As it is, it calls the log
 * and links: the control. With OT_LAYERING_VIOLATION it also calls the
 * ledger's ot_ledger_open, declared here by hand since the ledger's header
 * is out of the log's sight, and must fail to link ("undefined reference to
 * `ot_ledger_open'"). The program is only linked, never run.
 */
#include <stddef.h>

#include "oretrail/log.h"

#ifdef OT_LAYERING_VIOLATION
ot_status ot_ledger_open(void);
#endif

int main(void)
{
	ot_log_close(NULL);
#ifdef OT_LAYERING_VIOLATION
	return (int)ot_ledger_open();
#else
	return 0;
#endif
}
